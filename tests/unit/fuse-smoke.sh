#!/bin/sh
# ecryptfs-fuse on the host, FUSE against itself (the VM scenario fuse/01
# checks it against the kernel module): a tree written through one mount
# reads the same through a second mount of the same lower directory, with
# encrypted names on the lower side, a file over several extents, truncate
# down and up, rename, symlink, hard link, unlink; then the clear errors.
# Skips (77) where FUSE is unusable: no /dev/fuse, no fusermount3, no
# keyctl, or a mount the host refuses (containers, CI without FUSE).
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/fuse-host.inc"

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-smoke.XXXXXX")
mnt=$work/mnt
cleanup() {
	fusermount3 -uz "$mnt" 2>/dev/null || true
	fusermount3 -uz "$work/mnt2" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lower" "$mnt" "$work/ref"

fuse_host_keys "fuse smoke pass" "fuse smoke fnek"
opts="$opts,ecryptfs_unlink_sigs"
mount_it() { fuse_host_mount "$work/lower" "$mnt" "$opts"; }
unmount_it() { fuse_host_unmount "$mnt"; }

# The same operations on a plain reference tree and through the mount.
ops() {
	t=$1
	head -c 300001 /dev/zero | tr '\0' 'a' >"$t/big"
	printf 'hello\n' >"$t/small"
	mkdir "$t/dir"
	printf 'x' >"$t/dir/$(printf '%143s' '' | tr ' ' 'n')"
	truncate -s 5000 "$t/big"
	truncate -s 9000 "$t/big"
	mv "$t/small" "$t/dir/renamed"
	ln -s dir/renamed "$t/link"
	ln "$t/big" "$t/hard"
	printf 'gone' >"$t/gone" && rm "$t/gone"
}

mount_it
ops "$work/ref"
ops "$mnt"
diff -r "$work/ref" "$mnt" || fail "the mount differs from the reference"
[ "$(readlink "$mnt/link")" = dir/renamed ] || fail "symlink target"
[ "$(stat -c %s "$mnt/big")" = 9000 ] || fail "size after truncate"
(umask 002 && printf 'g' >"$mnt/group-writable" && mkdir "$mnt/group-dir")
[ "$(stat -c %a "$mnt/group-writable") $(stat -c %a "$mnt/group-dir")" = "664 775" ] ||
	fail "modes under umask 002: $(stat -c %a "$mnt/group-writable") $(stat -c %a "$mnt/group-dir")"
rm -r "$mnt/group-writable" "$mnt/group-dir"
unmount_it
ls "$work/lower" | grep -qv '^ECRYPTFS_FNEK_ENCRYPTED\.' && fail "a lower name is not encrypted"
# the daemon drops the keys as it exits, after fusermount3 has returned
i=0
while keyctl search @u user "$sig" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "ecryptfs_unlink_sigs left the key"
	sleep 0.1
done

# Again with the keys: the tree persisted.
fuse_host_add_key "fuse smoke pass" >/dev/null
fuse_host_add_key "fuse smoke fnek" >/dev/null
mount_it
diff -r "$work/ref" "$mnt" || fail "the remounted tree differs"

# A change behind a daemon's back is seen: a second mount of the same lower
# directory appends to a file whose size the first daemon has cached (the
# file settled 2 s first; each stat waits out the kernel's 1 s attr cache).
mkdir "$work/mnt2"
"$prog" "$work/lower" "$work/mnt2" -o "$opts" 2>"$work/err" || fail "second mount: $(cat "$work/err")"
printf 'abc' >"$mnt/behind"
sleep 2.2
[ "$(stat -c %s "$mnt/behind")" = 3 ] || fail "size before the change"
sleep 1.2
printf 'defgh' >>"$work/mnt2/behind"
sleep 1.2
[ "$(stat -c %s "$mnt/behind")" = 8 ] || fail "a change through another mount: size $(stat -c %s "$mnt/behind"), not 8"
[ "$(cat "$mnt/behind")" = abcdefgh ] || fail "a change through another mount: contents"
fusermount3 -u "$work/mnt2"
rm "$mnt/behind"
unmount_it

# A daemon run by a user makes everything as itself, whoever asks: only a
# root daemon takes the caller's identity (fuse/efs-creds.c; tests/regress's
# owners case checks that side). As uid 65534 with its own session keyring.
user_part() {
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	command -v setpriv >/dev/null 2>&1 || { echo "no setpriv: user daemon part skipped"; return 0; }
	[ -u "$(command -v fusermount3)" ] || { echo "fusermount3 not setuid: user daemon part skipped"; return 0; }
	chmod 711 "$work"
	mkdir -p "$work/user/lower" "$work/user/mnt"
	chown -R 65534:65534 "$work/user"
	$as test -x "$prog" -a -x "$tool" || { echo "uid 65534 cannot run the build: user daemon part skipped"; return 0; }
	$as keyctl session - sh -c '
		set -e
		keyctl link @u @s >/dev/null
		sig=$(printf "%s" "fuse smoke user" | "$1" add-passphrase - | grep -o "\[[0-9a-f]*\]" | tr -d "[]")
		"$2" "$3/lower" "$3/mnt" -o "ecryptfs_sig=$sig,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
		cd "$3/mnt"
		rc=0
		{ printf x >file && mkdir dir && ln -s file sym && mkfifo fifo && ln file hard; } || rc=$?
		cd /
		fusermount3 -u "$3/mnt"
		exit $rc' user-daemon "$tool" "$prog" "$work/user" >"$work/err" 2>&1 ||
		fail "a daemon run by uid 65534 cannot make its files: $(cat "$work/err")"
	[ "$(stat -c %u:%g "$work/user/lower"/* | sort -u)" = 65534:65534 ] ||
		fail "a user daemon's lower objects: $(stat -c '%u:%g %n' "$work/user/lower"/*)"
}
user_part

# Clear errors with documented exit codes.
rc=0
"$prog" "$work/lower" "$mnt" -o ecryptfs_sig=0123456789abcdef 2>"$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q 0123456789abcdef "$work/err" || fail "missing key: exit $rc"
rc=0
"$prog" "$work/lower" "$mnt" -o "$opts,passphrase_passwd=topsecret" 2>"$work/err" || rc=$?
[ $rc -eq 1 ] && ! grep -q topsecret "$work/err" || fail "helper option: exit $rc"
rc=0
"$prog" "$work/nowhere" "$mnt" -o "$opts" 2>"$work/err" || rc=$?
[ $rc -eq 3 ] || fail "missing lower: exit $rc"
echo "PASS: ecryptfs-fuse host smoke test"
