# A ~/Private set up by Debian's ecryptfs-utils 111 (its setup script, its
# tools, its setuid helper) mounts with this project's helper after this
# project's ecryptfs-insert-wrapped-passphrase-into-keyring.
# ect-vm: timeout=300
need_peer
need_tool ecryptfs-insert-wrapped-passphrase-into-keyring mount.ecryptfs_private
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
trap peer_helper_off EXIT
peer_helper_on
out=$(as_user_peer "$U" ecryptfs-setup-private --nopwcheck -l "$PW" -m "peer mount pass $U" </dev/null 2>&1) ||
	fail "111 setup-private failed: $out"
printf '%s\n' "$out"
assert_eq 2 "$(wc -l <"$H/.ecryptfs/Private.sig")" "Private.sig lines"
# write a file with 111's helper and keys
printf '%s\0' "$PW" | as_user_peer "$U" sh -c 'ecryptfs-insert-wrapped-passphrase-into-keyring ~/.ecryptfs/wrapped-passphrase - && /sbin/mount.ecryptfs_private && echo "written by 111" > ~/Private/from-111 && /sbin/umount.ecryptfs_private'
mounted_at "$H/Private" && fail "111 left it mounted"
lower_looks_encrypted "$H/.Private"
peer_helper_off
trap - EXIT
# now ours: keys from the wrapped passphrase, our setuid helper
printf '%s\n' "$PW" | as_user_sh "$U" 'ecryptfs-insert-wrapped-passphrase-into-keyring ~/.ecryptfs/wrapped-passphrase - && /sbin/mount.ecryptfs_private && cat ~/Private/from-111 > ~/read-back && echo "written by ours" > ~/Private/from-ours && /sbin/umount.ecryptfs_private' ||
	fail "our insert + mount of a 111 setup failed"
assert_eq "written by 111" "$(cat "$H/read-back")" "file written under 111"
mounted_at "$H/Private" && fail "still mounted"
:
