# A correct private-directory setup is clean (status 0), mounted or not, and
# ecryptfs-verify (111's checks) agrees.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
verify_expect private-sig ok 0
verify_expect lower-headers ok 0
verify_expect lower-names ok 0
sigs=$(insert_passphrase "$PASS_MOUNT" ecryptfs-add-passphrase)
ecryptfs_mount "$H/.Private" "$H/Private" "${sigs% *}" "${sigs#* }"
verify_expect mounted info 0
umount "$H/Private"
assert_ok ecryptfs-verify -p -e -u "$U"
