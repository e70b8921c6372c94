# CVE-2011-1837: the per-user lock and the session registry cannot be
# redirected by symlinks. Since issue #4 (finding 2) the user cannot write
# in the per-user state directory at all (root, 0700); symlinks planted
# there anyway (by root here, standing in for any way to get one there) are
# refused, and the target is untouched.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
state=/run/ecryptfs-tools/$UID_
as_user_keys /sbin/mount.ecryptfs_private
as_user "$U" /sbin/umount.ecryptfs_private
assert_eq root "$(stat -c %U /run/ecryptfs-tools)" "owner of the state directory"
assert_eq 755 "$(stat -c %a /run/ecryptfs-tools)" "mode of the state directory"
assert_eq "root 700" "$(stat -c '%U %a' "$state")" "owner and mode of the user's state directory"
as_user "$U" ln -s /etc/shadow "$state/lock2" 2>/dev/null && fail "the user can write in $state"
sum=$(sha256sum /etc/shadow)
rm -f "$state/lock"
ln -s /etc/shadow "$state/lock"
refused_mount 'lock' /sbin/mount.ecryptfs_private
assert_eq "$sum" "$(sha256sum /etc/shadow)" "/etc/shadow"
rm -f "$state/lock"
# the registry: a symlink is not followed; the mount still works, the
# registry update is refused and reported
ln -sf /etc/shadow "$state/Private.sessions"
out=$(as_user_keys /sbin/mount.ecryptfs_private 2>&1) || true
printf '%s\n' "$out"
assert_eq "$sum" "$(sha256sum /etc/shadow)" "/etc/shadow"
[ -L "$state/Private.sessions" ] || fail "the symlink was replaced through"
rm -f "$state/Private.sessions"
as_user "$U" /sbin/umount.ecryptfs_private -f >/dev/null 2>&1 || umount -l "$H/Private" || true
:
