# ecryptfs-find on a mounted private directory maps an upper path to its
# lower path and back by inode; with the passphrase it gives the same lower
# names without a mount. ecryptfs-stat shows the header the kernel wrote,
# and its first six lines equal ecryptfs-utils 111's when the peer is there.
# ect-vm: timeout=240
need_tool ecryptfs-find ecryptfs-stat ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/recover/recover.inc"

mkdir plain lower upper
make_tree plain
sigs=$(insert_passphrase "$PASS_MOUNT" ecryptfs-add-passphrase)
sig=${sigs% *} fnek=${sigs#* }
ecryptfs_mount "$PWD/lower" "$PWD/upper" "$sig" "$fnek"
cp -a plain/. upper/
sync
l=$(ecryptfs-find "$PWD/upper/sub dir/deeper")
assert_match "^$PWD/lower/ECRYPTFS_FNEK_ENCRYPTED\.[^/]+/ECRYPTFS_FNEK_ENCRYPTED\.[^/]+$" "$l" "lower path"
assert_eq "$PWD/upper/sub dir/deeper" "$(ecryptfs-find "$l")" "back to the upper path"
printf '%s\n' "$PASS_MOUNT" >pass
assert_eq "${l#"$PWD/lower/"}" "$(ecryptfs-find --passphrase-file pass "sub dir/deeper")" \
	"names from the passphrase alone"

f=$(ecryptfs-find "$PWD/upper/size 50000")
out=$(ecryptfs-stat "$f")
printf '%s\n' "$out"
assert_match 'Decrypted file size: \[50000\]' "$out"
assert_match "signature \[$sig\]" "$out"
assert_match 'Flags: \[0x00000a\] encrypted filenames-encrypted' "$out"
if [ -n "${ECT_PEER:-}" ] && [ -x "$ECT_PEER/usr/bin/ecryptfs-stat" ]; then
	assert_eq "$(peer ecryptfs-stat "$f")" "$(printf '%s\n' "$out" | head -6)" "111's lines"
fi
umount upper
