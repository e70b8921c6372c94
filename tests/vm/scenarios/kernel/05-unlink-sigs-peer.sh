# ecryptfs_unlink_sigs as ecryptfs-utils 111 implements it: the kernel only
# records the option (a plain `umount -i` leaves the keys), Debian's
# umount.ecryptfs unlinks the keys named by the mount.
need_peer
mkdir lower upper
sigs=$(insert_passphrase "kernel 05 passphrase" peer ecryptfs-add-passphrase)
sig=${sigs% *} fnek=${sigs#* }

assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek" ecryptfs_unlink_sigs
assert_ok umount -i "$PWD/upper"
key_exists "$sig" || fail "the kernel unlinked the FEKEK itself (expected: it only records the option)"
key_exists "$fnek" || fail "the kernel unlinked the FNEK itself"

assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek" ecryptfs_unlink_sigs
assert_ok peer umount.ecryptfs "$PWD/upper"
is_mounted "$PWD/upper" && fail "still mounted after umount.ecryptfs"
key_exists "$sig" && fail "FEKEK still present after the peer's umount.ecryptfs"
key_exists "$fnek" && fail "FNEK still present after the peer's umount.ecryptfs"
log "peer umount.ecryptfs unlinked $sig and $fnek"
