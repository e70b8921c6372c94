# No wrapped passphrase: login cannot mount (warning, status 3); a cleartext
# bootstrap passphrase waiting in /dev/shm is reported too.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
rm "$H/.ecryptfs/wrapped-passphrase"
verify_expect wrapped-passphrase warn 3
printf '%s' "$PASS_MOUNT" >"/dev/shm/.ecryptfs-$U"
verify_expect bootstrap-passphrase warn 3
rm -f "/dev/shm/.ecryptfs-$U"
