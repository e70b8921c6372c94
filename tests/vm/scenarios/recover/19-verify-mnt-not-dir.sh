# Private.mnt names a mount point that does not exist: failure.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
printf '%s\n' "$H/Gone" >"$H/.ecryptfs/Private.mnt"
verify_expect private-mnt fail 1
