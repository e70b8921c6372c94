# Names are encrypted but Private.sig has no filename-key line: a mount
# from it shows ciphertext names. Failure.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
head -1 "$H/.ecryptfs/Private.sig" >sig && cat sig >"$H/.ecryptfs/Private.sig"
verify_expect lower-names fail 1
