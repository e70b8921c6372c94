# ecryptfs-setup-private -> ecryptfs-mount-private -> write -> umount as an
# unprivileged user: the ~/.ecryptfs layout of 111, a lower directory that
# looks like kernel eCryptfs, content intact after a remount.
# ect-vm: timeout=300
need_tool ecryptfs-setup-private ecryptfs-mount-private ecryptfs-umount-private mount.ecryptfs_private
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
out=$(setup_private) || fail "setup failed: $out"
printf '%s\n' "$out"
assert_match 'Testing succeeded' "$out"
assert_match '^    [0-9a-f]{32}$' "$(printf '%s\n' "$out" | grep -E '^    [0-9a-f]{32}$')" "recovery passphrase line"
for f in wrapped-passphrase Private.sig Private.mnt auto-mount auto-umount; do
	assert_file "$H/.ecryptfs/$f"
	assert_eq "$U" "$(stat -c %U "$H/.ecryptfs/$f")" "owner of $f"
done
assert_eq 700 "$(stat -c %a "$H/.ecryptfs")" "mode of ~/.ecryptfs"
assert_eq 700 "$(stat -c %a "$H/.Private")" "mode of ~/.Private"
assert_eq 500 "$(stat -c %a "$H/Private")" "mode of ~/Private"
assert_eq 2 "$(wc -l <"$H/.ecryptfs/Private.sig")" "Private.sig lines (FEKEK + FNEK)"
assert_eq "$H/Private" "$(cat "$H/.ecryptfs/Private.mnt")" "Private.mnt"
assert_match '^:\x03|^:' "$(head -c1 "$H/.ecryptfs/wrapped-passphrase")" "wrapped-passphrase header"
mounted_at "$H/Private" && fail "setup left ~/Private mounted"
[ -z "$(ls -A "$H/.Private")" ] || fail "setup's test file left behind in ~/.Private"

# mount (keys come from the login password), write, unmount
printf '%s\n' "$PW" | as_user "$U" ecryptfs-mount-private --password-file - || fail "mount-private"
mounted_at "$H/Private" || fail "not mounted after ecryptfs-mount-private"
grep " $H/Private ecryptfs " /proc/mounts | grep 'nosuid,nodev' >/dev/null || fail "mount lacks nosuid,nodev"
as_user_sh "$U" 'echo "secret text" > ~/Private/note.txt && head -c 100000 /dev/urandom > ~/Private/blob && sha256sum ~/Private/blob > ~/blob.sum'
as_user "$U" ecryptfs-umount-private || fail "umount-private"
mounted_at "$H/Private" && fail "still mounted after ecryptfs-umount-private"
lower_looks_encrypted "$H/.Private"
grep -rq "secret text" "$H/.Private" && fail "cleartext in the lower directory"

# remount: content intact
printf '%s\n' "$PW" | as_user "$U" ecryptfs-mount-private --password-file - || fail "second mount-private"
assert_eq "secret text" "$(cat "$H/Private/note.txt")" "note after remount"
as_user_sh "$U" 'sha256sum -c ~/blob.sum' || fail "blob changed"
as_user "$U" ecryptfs-umount-private || fail "second umount"
mounted_at "$H/Private" && fail "still mounted at the end"
assert_eq 0 "$(sessions_of "$UID_" Private)" "session registry after the last unmount"
