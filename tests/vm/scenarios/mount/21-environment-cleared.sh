# The setuid helper clears (and wipes) the environment it inherits (LD_*,
# locale, anything) and uses only a fixed PATH of its own.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase flock
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
blocked_helper
# the inherited strings are wiped in place, so /proc/PID/environ (which
# shows the exec-time area) holds nothing but NULs
env=$(tr '\0' '\n' <"/proc/$HPID/environ" | grep -v '^$' || true)
printf 'helper environment: [%s]\n' "$env"
printf '%s\n' "$env" | grep 'FOO=' >/dev/null && fail "FOO survived"
printf '%s\n' "$env" | grep 'LD_LIBRARY_PATH' >/dev/null && fail "LD_LIBRARY_PATH survived"
printf '%s\n' "$env" | grep 'HOME=' >/dev/null && fail "HOME survived"
assert_eq "" "$env" "the inherited environment"
release_helper
