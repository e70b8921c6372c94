# The setuid helper clears the environment it inherits (LD_*, locale,
# anything) and keeps only a fixed PATH.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase flock
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
blocked_helper
env=$(tr '\0' '\n' <"/proc/$HPID/environ")
printf 'helper environment: %s\n' "$env"
printf '%s\n' "$env" | grep -q 'FOO=' && fail "FOO survived"
printf '%s\n' "$env" | grep -q 'LD_LIBRARY_PATH' && fail "LD_LIBRARY_PATH survived"
printf '%s\n' "$env" | grep -q '^HOME=' && fail "HOME survived"
assert_eq "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$env" "the whole environment"
release_helper
