# CVE-2012-3409: the private mount always gets nosuid,nodev, and an
# ALIAS.conf cannot ask for other options.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
assert_ok as_user_keys /sbin/mount.ecryptfs_private
line=$(grep " $H/Private ecryptfs " /proc/mounts)
assert_match '(^|[ ,])nosuid(,|$| )' "$line" "mount options"
assert_match '(^|[ ,])nodev(,|$| )' "$line" "mount options"
assert_ok as_user "$U" /sbin/umount.ecryptfs_private
alias_conf withsuid "$H/.Private" "$H/Private" suid,dev
refused_mount 'withsuid.conf:1: mount options are not supported' /sbin/mount.ecryptfs_private withsuid
