# CVE-2016-1572 (Jann Horn): mounting over /proc/PID, which the user owns,
# must be refused.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
as_user "$U" sleep 300 &
sleep 2
sleep 1
pid=$(pgrep -u "$U" -x sleep | head -n1)
[ -n "$pid" ] || fail "no user process"
assert_eq "$U" "$(stat -c %U /proc/$pid)" "owner of /proc/$pid"
alias_conf proc "$H/.Private" "/proc/$pid"
refused_mount 'under /proc|unapproved filesystem' /sbin/mount.ecryptfs_private proc
# as the lower directory too
alias_conf proclower "/proc/$pid" "$H/Private"
refused_mount 'under /proc|unapproved filesystem' /sbin/mount.ecryptfs_private proclower
