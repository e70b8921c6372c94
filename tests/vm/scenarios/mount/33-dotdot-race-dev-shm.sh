# Issue #10 finding 2: the CVE-2016-1572 guard (no mount on or from /proc,
# /sys, /dev) tested the path string. B's ALIAS.conf mount point is
# /dev/shm/B/X/ + "y/.." x 700 + "../../../../home/B/shmtarget" while B moves
# X between /dev/shm/B/X and /dev/shm/B/p/q/r/X: a811726 saw the string
# /home/B/shmtarget and mounted on B's /dev/shm/B/home/B/shmtarget. Now the
# name checked is the fd's, and the file system of the fd is compared with
# those mounted under /proc, /sys and /dev (so /dev/shm's tmpfs is refused
# however it is reached, here also through a bind mount elsewhere).
# ect-vm: timeout=600
need_tool mount.ecryptfs_private ecryptfs-add-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
shm=/dev/shm/$U
install -d -o "$U" -m 700 "$shm"
as_user "$U" mkdir -p "$shm/home/$U/shmtarget"
alias_conf shm "$H/.Private" "$(dotdot_path "$shm" "../../../..$H/shmtarget")"
tries=$(dotdot_race "$shm" shm)
log "$tries attempts"
bad=$(awk '$3 == "ecryptfs" && index($2, "/dev/") == 1' /proc/mounts)
[ -z "$bad" ] || fail "an eCryptfs mount under /dev: $bad"

# the same tmpfs reached without /dev in the path: a bind mount elsewhere
mkdir -p /mnt/shmbind-$U
mount --bind /dev/shm /mnt/shmbind-$U
alias_conf shmbind "$H/.Private" "/mnt/shmbind-$U/$U/home/$U/shmtarget"
refused_mount 'under /proc, /sys or /dev' /sbin/mount.ecryptfs_private shmbind
alias_conf shmlower "/mnt/shmbind-$U/$U/home/$U/shmtarget" "$H/Private"
refused_mount 'under /proc, /sys or /dev' /sbin/mount.ecryptfs_private shmlower
umount /mnt/shmbind-$U
# the plain directory under /dev/shm, as before
alias_conf devshm "$H/.Private" "$shm/home/$U/shmtarget"
refused_mount 'under /proc, /sys or /dev' /sbin/mount.ecryptfs_private devshm
:
