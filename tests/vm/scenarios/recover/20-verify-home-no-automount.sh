# An encrypted home (Private.mnt is the home) without auto-mount logs in to
# an empty home: warning, status 3, with a touch fix.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
printf '%s\n' "$H" >"$H/.ecryptfs/Private.mnt"
rm "$H/.ecryptfs/auto-mount"
verify_expect auto-mount warn 3
