# Keys inserted by the project's ecryptfs-add-passphrase --fnek let the kernel
# mount; files of several sizes survive write, umount, remount; the lower
# files carry the eCryptfs marker and FNEK-encrypted names.
# ect-vm: timeout=240
need_tool ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/kernel/files.inc"

sigs=$(insert_passphrase "kernel 01 passphrase" ecryptfs-add-passphrase)
sig=${sigs% *} fnek=${sigs#* }
assert_ne "$sig" "$fnek" "FEKEK and FNEK signatures"
key_exists "$sig" || fail "FEKEK $sig not in the keyring"
key_exists "$fnek" || fail "FNEK $fnek not in the keyring"

mkdir lower upper plain
make_plain_files plain
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek"
cp -a plain/. upper/
sync
echo 3 >/proc/sys/vm/drop_caches
compare_trees plain upper
umount upper

check_lower_encrypted lower plain

assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek"
compare_trees plain upper
umount upper
log "round trip through the kernel OK with sig $sig fnek $fnek"
