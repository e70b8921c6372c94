# While it holds root in its saved uid the helper cannot dump core and
# cannot be inspected or ptraced by the calling user.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase flock
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
blocked_helper
grep 'Max core file size' "/proc/$HPID/limits"
grep -Eq 'Max core file size +0 +0' "/proc/$HPID/limits" || fail "core dumps allowed"
# not dumpable: the files of /proc/PID belong to root, the user cannot read them
assert_eq root "$(stat -c %U /proc/$HPID/environ)" "owner of /proc/PID/environ of the helper"
assert_fail as_user "$U" cat "/proc/$HPID/environ"
if command -v gdb >/dev/null; then
	assert_fail as_user "$U" gdb -batch -p "$HPID"
else
	# ptrace attach through /proc/PID/mem needs the same access
	assert_fail as_user "$U" dd if="/proc/$HPID/mem" bs=1 count=1 skip=4096 status=none
fi
# SIGQUIT (core) is refused to, or ignored by, a process the user can signal:
# the helper must not leave a core file
release_helper
ls core* 2>/dev/null && fail "core file found"
:
