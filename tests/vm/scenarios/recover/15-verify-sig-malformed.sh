# Private.sig with an upper-case signature (the keyring descriptions are
# lower case, so the mount helper refuses it): failure, status 1.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
tr a-f A-F <"$H/.ecryptfs/Private.sig" >sig && cat sig >"$H/.ecryptfs/Private.sig"
verify_expect private-sig fail 1
