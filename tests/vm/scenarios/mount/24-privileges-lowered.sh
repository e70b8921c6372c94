# Outside mount(2)/umount(2) the helper runs with the user's effective ids
# (root only in the saved set); after the mount it has dropped root for good.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase flock
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
blocked_helper
uids=$(awk '/^Uid:/ {print $2, $3, $4}' "/proc/$HPID/status")
gids=$(awk '/^Gid:/ {print $2, $3}' "/proc/$HPID/status")
g=$(id -g "$U")
log "helper ids while waiting: uid $uids gid $gids"
assert_eq "$UID_ $UID_ 0" "$uids" "real, effective, saved uid while waiting for the lock"
assert_eq "$g $g" "$gids" "real, effective gid while waiting"
release_helper
