# A home writable by other users (they can replace .ecryptfs or .Private):
# failure.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
chmod 777 "$H"
verify_expect home fail 1
