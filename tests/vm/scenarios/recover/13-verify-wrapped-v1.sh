# A version 1 wrapped passphrase (salt shared by every user, CVE-2014-9687)
# is a failure (status 1). The file is ecryptfs-utils' own test file wp01.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
wp01=$ECT_SRCDIR/tests/fixtures/ecryptfs-utils-111-v1/wp01
[ -f "$wp01" ] || skip "no v1 fixture"
make_setup
install -m 600 -o "$U" -g "$U" "$wp01" "$H/.ecryptfs/wrapped-passphrase"
verify_expect wrapped-passphrase fail 1
