# The lower directory's filesystem must be on the allowlist too.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
mkdir -p /srv/ramfs14 && mount -t ramfs ramfs /srv/ramfs14
install -d -o "$U" -m 700 /srv/ramfs14/lower
alias_conf ramlower /srv/ramfs14/lower "$H/Private"
refused_mount 'unapproved filesystem type \(ramfs' /sbin/mount.ecryptfs_private ramlower
umount /srv/ramfs14
