# Root mode's passphrase step runs in ecryptfs-mount-keys, not in the setuid
# helper (issue 14). mount.ecryptfs executes it by the path fixed at build
# time, with PATH as its only variable and no fds of its own but the two
# pipes; a passphrase given as passphrase_passwd= reaches it through a pipe,
# never its argv or environment; its questions still read the caller's
# stdin. What it answers is input: a reply with helper options, or one that
# drops root's signature, is refused. Without it nothing is mounted.
need_tool mount.ecryptfs umount.ecryptfs strings setsid unshare
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
keys=$(strings "$ECT_VM_ROOTSBINDIR/mount.ecryptfs" | grep '^/.*/ecryptfs-mount-keys$' | head -n1)
[ -n "$keys" ] || fail "no ecryptfs-mount-keys path in $ECT_VM_ROOTSBINDIR/mount.ecryptfs"
assert_file "$keys"
log "mount.ecryptfs runs $keys"
mkdir lower upper
secret="pw-51-$(od -An -tx4 -N8 /dev/urandom | tr -d ' \n')"
mkfifo answers
# the cipher is missing and verbosity not 0: it asks, on stdin without a tty
setsid -w mount -t ecryptfs "$PWD/lower" "$PWD/upper" \
	-o "key=passphrase:passphrase_passwd=$secret,ecryptfs_key_bytes=16,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n" \
	<answers >out 2>&1 &
m_pid=$!
exec 6>answers # (fd 9 is the harness's trace)
kpid=
for _ in $(seq 1 300); do
	kpid=$(pgrep -f '^ecryptfs-mount-keys --options-fd=' | head -n1 || true)
	[ -n "$kpid" ] && grep 'Cipher' out >/dev/null && break
	sleep 0.2
done
[ -n "$kpid" ] || { cat out; fail "ecryptfs-mount-keys never ran"; }
grep 'Cipher' out >/dev/null || { cat out; fail "no cipher question"; }
assert_eq "$keys" "$(readlink "/proc/$kpid/exe")" "program run"
parent=$(awk '/^PPid:/ {print $2}' "/proc/$kpid/status")
assert_eq "mount.ecryptfs" "$(cat "/proc/$parent/comm")" "its parent"
tr '\0' ' ' <"/proc/$kpid/cmdline" | grep -F "$secret" >/dev/null && fail "the passphrase is in its argv"
assert_eq "PATH=/usr/bin:/bin" "$(tr '\0' '\n' <"/proc/$kpid/environ")" "its environment"
nfds=$(ls "/proc/$kpid/fd" | wc -l)
assert_eq 5 "$nfds" "its fds (0-2 and two pipes): $(ls -l "/proc/$kpid/fd")"
printf 'aes\n' >&6
exec 6>&-
wait "$m_pid" || { cat out; fail "root mode mount with a question failed"; }
cat out
line=$(grep " $PWD/upper ecryptfs " /proc/mounts) || fail "not mounted"
assert_match 'ecryptfs_cipher=aes' "$line" "kernel options"
assert_match 'ecryptfs_unlink_sigs' "$line" "kernel options"
printf '%s\n' "$line" | grep -F "$secret" >/dev/null && fail "the passphrase reached the kernel"
assert_ok umount "$PWD/upper"

# a stand-in for the program, in a mount namespace of its own, answers what
# mount.ecryptfs must refuse: helper options, or without root's signature
opts="ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,verbosity=0"
for reply in "ecryptfs_sig=8899aabbccddeeff,ecryptfs_cipher=aes,ecryptfs_key_bytes=16" \
	"ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,passphrase_passwd=x" \
	"ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,bogus"; do
	printf '#!/bin/sh\nfd=${2#--reply-fd=}\neval "printf %%s %s >&$fd"\n' "'$reply'" >standin
	chmod 755 standin
	out=$(unshare -m sh -c "mount --bind '$PWD/standin' '$keys' &&
		mount -t ecryptfs '$PWD/lower' '$PWD/upper' -o '$opts' </dev/null" 2>&1) &&
		fail "mounted with the reply '$reply': $out"
	printf '%s\n' "$out"
	assert_match 'refusing' "$out" "message for '$reply'"
done
is_mounted "$PWD/upper" && fail "mounted after refused replies"

# without the program (not executable here): a clear refusal, nothing mounted
: >noexec
out=$(unshare -m sh -c "mount --bind '$PWD/noexec' '$keys' &&
	mount -t ecryptfs '$PWD/lower' '$PWD/upper' -o '$opts' </dev/null" 2>&1) &&
	fail "mounted without $keys: $out"
printf '%s\n' "$out"
assert_match 'cannot complete the mount options' "$out" "message"
is_mounted "$PWD/upper" && fail "mounted without $keys"
:
