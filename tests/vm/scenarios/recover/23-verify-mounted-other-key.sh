# The directory is mounted now, but with a key other than Private.sig's:
# warning, status 3.
# ect-vm: timeout=240
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
make_setup
sigs=$(insert_passphrase "another passphrase" ecryptfs-add-passphrase)
ecryptfs_mount "$H/.Private" "$H/Private" "${sigs% *}" "${sigs#* }"
verify_expect mounted warn 3
umount "$H/Private"
