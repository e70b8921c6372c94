# The helper never derives or asks for keys: without them in the keyring it
# refuses with a message that says what to run, and exit status 3.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
as_user "$U" keyctl clear @u
rc=0
out=$(as_user "$U" /sbin/mount.ecryptfs_private </dev/null 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "mounted without keys: $out"
# its own status (mount.ecryptfs_private(8)): pam_ecryptfs retries on it
assert_eq 3 "$rc" "exit status without the keys"
assert_match "is not in your keyring.*ecryptfs-mount-private" "$out" "message"
mounted_at "$H/Private" && fail "mounted"
:
