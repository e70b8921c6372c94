# CVE-2016-1572 / ownership: a mount point the user does not own is refused.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
mkdir -p /srv/rootdir
alias_conf foreign "$H/.Private" /srv/rootdir
refused_mount 'belongs to uid 0, not to you' /sbin/mount.ecryptfs_private foreign
alias_conf etc "$H/.Private" /etc
refused_mount 'belongs to uid 0, not to you' /sbin/mount.ecryptfs_private etc
# control: the same call on the user's own directory works
alias_conf good "$H/.Private" "$H/Private"
assert_ok as_user_keys /sbin/mount.ecryptfs_private good
mounted_at "$H/Private" || fail "control mount missing"
assert_ok as_user "$U" /sbin/umount.ecryptfs_private good
