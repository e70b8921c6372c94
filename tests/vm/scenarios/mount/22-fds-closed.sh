# The helper closes every inherited descriptor above 2 (fd 7 here) and keeps
# 0-2 open (on /dev/null when the caller closed them).
need_tool mount.ecryptfs_private ecryptfs-add-passphrase flock
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
blocked_helper
ls -l "/proc/$HPID/fd/"
[ -e "/proc/$HPID/fd/7" ] && [ "$(readlink "/proc/$HPID/fd/7")" = /etc/hostname ] &&
	fail "inherited fd 7 still open"
readlink "/proc/$HPID/fd/"* | grep '^/etc/hostname$' >/dev/null && fail "/etc/hostname still open"
release_helper
# closed stdin/stdout/stderr: the helper still runs and reports through syslog
out=$(as_user_keys '/sbin/mount.ecryptfs_private <&- >&- 2>&-; echo status=$?')
assert_eq "status=0" "$out" "helper with fds 0-2 closed"
mounted_at "$H/Private" || fail "not mounted"
assert_ok as_user "$U" /sbin/umount.ecryptfs_private
