# Private.sig names a key the lower files were not written with: failure.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
printf '0011223344556677\n0011223344556677\n' >"$H/.ecryptfs/Private.sig"
verify_expect lower-keys fail 1
