# ~/.ecryptfs writable by others: fail (status 1) with a chmod fix.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
chmod 777 "$H/.ecryptfs"
verify_expect dotecryptfs fail 1
grep -q 'chmod 700' v.json || fail "no chmod fix"
