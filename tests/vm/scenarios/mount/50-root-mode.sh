# Root mode: mount -t ecryptfs runs mount.ecryptfs, which takes 111's helper
# options (key=passphrase, passphrase_passwd_file=, ...), never prompts when
# everything is given, strips helper options before mount(2), and umount(8)
# runs umount.ecryptfs, which unlinks the keys (ecryptfs_unlink_sigs).
# Missing values with verbosity=0 are an error, not a prompt.
need_tool mount.ecryptfs umount.ecryptfs ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
mkdir lower upper
printf '%s\n' "root mode passphrase" >pw
chmod 600 pw
opts="key=passphrase,passphrase_passwd_file=$PWD/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
opts="$opts,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=y,no_sig_cache,verbosity=0"
assert_ok mount -t ecryptfs "$PWD/lower" "$PWD/upper" -o "$opts" </dev/null
line=$(grep " $PWD/upper ecryptfs " /proc/mounts) || fail "not mounted"
printf '%s\n' "$line"
assert_match 'ecryptfs_sig=[0-9a-f]{16}' "$line" "kernel options"
assert_match 'ecryptfs_fnek_sig=[0-9a-f]{16}' "$line" "kernel options"
assert_match 'ecryptfs_unlink_sigs' "$line" "kernel options"
# CVE-2012-3409 (issue #4 finding 5b): nosuid,nodev in root mode too
assert_match '[ ,]nosuid[, ]' "$line" "mount flags"
assert_match '[ ,]nodev[, ]' "$line" "mount flags"
printf '%s\n' "$line" | grep 'passphrase' >/dev/null && fail "helper option reached the kernel"
sig=$(printf '%s\n' "$line" | grep -o 'ecryptfs_sig=[0-9a-f]*' | cut -d= -f2)
key_exists "$sig" || fail "key $sig not in the keyring"
# the same key as ecryptfs-add-passphrase derives
echo hello >upper/file
assert_ok umount "$PWD/upper"
is_mounted "$PWD/upper" && fail "still mounted"
key_exists "$sig" && fail "umount.ecryptfs left key $sig in the keyring"
lower_looks_encrypted lower
# passphrase on an fd, salt given, read back
assert_ok mount -t ecryptfs "$PWD/lower" "$PWD/upper" \
	-o "key=passphrase:passphrase_passwd_fd=4,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=y,verbosity=0" \
	4<pw </dev/null
assert_eq hello "$(cat upper/file)" "content"
assert_ok umount "$PWD/upper"
# nothing given and verbosity=0: refused, nothing mounted, no prompt
assert_fail mount -t ecryptfs "$PWD/lower" "$PWD/upper" -o verbosity=0 </dev/null
assert_fail mount -t ecryptfs "$PWD/lower" "$PWD/upper" -o "$opts,bogus_option" </dev/null
is_mounted "$PWD/upper" && fail "mounted after refusals"
# a user may not use root mode
new_user
out=$(as_user "$U" /sbin/mount.ecryptfs "$PWD/lower" "$PWD/upper" -o "$opts" 2>&1) && fail "user ran root mode: $out"
assert_match 'is for root' "$out" "message"
:
