# The lower directory owned by someone else: the kernel's
# ecryptfs_check_dev_ruid refuses the user's mount. Failure with a chown fix.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
chown root:root "$H/.Private"
verify_expect lower-dir fail 1
grep -q chown v.json || fail "no chown fix"
