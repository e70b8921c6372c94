# A lower directory owned by someone else (root) is refused (and the kernel's
# ecryptfs_check_dev_ruid would refuse it too).
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
mkdir -p /srv/rootlower
alias_conf rootlower /srv/rootlower "$H/Private"
refused_mount 'belongs to uid 0, not to you' /sbin/mount.ecryptfs_private rootlower
