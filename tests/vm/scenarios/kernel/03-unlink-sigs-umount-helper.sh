# After umount of a mount with ecryptfs_unlink_sigs, the keys are gone from
# the keyring. The kernel only records the option: the umount helper the
# build installs (/sbin/umount.ecryptfs, run by umount(8)) must unlink them.
# Without the option the keys stay.
need_tool ecryptfs-add-passphrase umount.ecryptfs
mkdir lower upper
sigs=$(insert_passphrase "kernel 03 passphrase" ecryptfs-add-passphrase)
sig=${sigs% *} fnek=${sigs#* }

assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek" ecryptfs_unlink_sigs
grep -q "$PWD/upper .*ecryptfs_unlink_sigs" /proc/mounts || fail "ecryptfs_unlink_sigs not in /proc/mounts"
echo data >upper/file
assert_ok umount "$PWD/upper"
is_mounted "$PWD/upper" && fail "still mounted after umount"
key_exists "$sig" && fail "FEKEK $sig still in the keyring after umount with ecryptfs_unlink_sigs"
key_exists "$fnek" && fail "FNEK $fnek still in the keyring after umount with ecryptfs_unlink_sigs"

# Control: the same keys without the option survive the umount.
sigs=$(insert_passphrase "kernel 03 passphrase" ecryptfs-add-passphrase)
assert_eq "$sig $fnek" "$sigs" "signatures on reinsertion"
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek"
assert_eq data "$(cat upper/file)" "file content"
assert_ok umount "$PWD/upper"
key_exists "$sig" || fail "FEKEK unlinked although the mount had no ecryptfs_unlink_sigs"
key_exists "$fnek" || fail "FNEK unlinked although the mount had no ecryptfs_unlink_sigs"
