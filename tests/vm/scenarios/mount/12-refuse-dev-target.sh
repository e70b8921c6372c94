# A user-owned directory under /dev (here /dev/shm, world-writable tmpfs) is
# not a mount point: /proc, /sys and /dev are refused whatever the owner.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
as_user "$U" mkdir /dev/shm/$U-dir
alias_conf devshm "$H/.Private" "/dev/shm/$U-dir"
refused_mount 'under /proc, /sys or /dev' /sbin/mount.ecryptfs_private devshm
