# The mount point's filesystem must be on 111's allowlist: a user-owned
# directory on ramfs (not listed) is refused.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
mkdir -p /srv/ramfs13 && mount -t ramfs ramfs /srv/ramfs13
install -d -o "$U" -m 700 /srv/ramfs13/mine
alias_conf ram "$H/.Private" /srv/ramfs13/mine
refused_mount 'unapproved filesystem type \(ramfs' /sbin/mount.ecryptfs_private ram
umount /srv/ramfs13
