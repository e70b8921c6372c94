# A version 2 wrapped passphrase (ecryptfs-utils' format): weak stretching
# is a warning (status 3) with ecryptfs-rewrap-passphrase as the fix.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
rm "$H/.ecryptfs/wrapped-passphrase"
printf '%s\n%s' "$PASS_MOUNT" "pw-$U" |
	ecryptfs-wrap-passphrase --wrap-format v2 "$H/.ecryptfs/wrapped-passphrase" -
chown "$U:$U" "$H/.ecryptfs/wrapped-passphrase"
verify_expect wrapped-passphrase warn 3
grep -q ecryptfs-rewrap-passphrase v.json || fail "no rewrap fix"
