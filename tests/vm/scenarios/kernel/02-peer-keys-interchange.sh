# The same passphrase inserted by Debian's ecryptfs-utils 111 and by the
# project's ecryptfs-add-passphrase gives the same keys: files written under
# either tool's keys open with the other's, both ways.
# ect-vm: timeout=300
need_peer
need_tool ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/kernel/files.inc"
pass="kernel 02 shared passphrase"
mkdir lower-ours lower-peer upper plain-ours plain-peer
make_plain_files plain-ours
make_plain_files plain-peer

# Written under our keys ...
ours=$(insert_passphrase "$pass" ecryptfs-add-passphrase)
assert_ok ecryptfs_mount "$PWD/lower-ours" "$PWD/upper" ${ours% *} ${ours#* }
cp -a plain-ours/. upper/
umount upper
check_lower_encrypted lower-ours plain-ours

# ... read, and new files written, under the peer's keys only ...
fresh_keyring
theirs=$(insert_passphrase "$pass" peer ecryptfs-add-passphrase)
assert_eq "$theirs" "$ours" "signatures from ecryptfs-utils 111 vs ours"
assert_ok ecryptfs_mount "$PWD/lower-ours" "$PWD/upper" ${theirs% *} ${theirs#* }
compare_trees plain-ours upper
umount upper
assert_ok ecryptfs_mount "$PWD/lower-peer" "$PWD/upper" ${theirs% *} ${theirs#* }
cp -a plain-peer/. upper/
umount upper
check_lower_encrypted lower-peer plain-peer

# ... and what the peer's keys wrote opens under ours again.
fresh_keyring
ours2=$(insert_passphrase "$pass" ecryptfs-add-passphrase)
assert_eq "$ours" "$ours2" "our signatures, second insertion"
assert_ok ecryptfs_mount "$PWD/lower-peer" "$PWD/upper" ${ours% *} ${ours#* }
compare_trees plain-peer upper
umount upper
log "keys interchangeable both ways (sig ${ours% *}, fnek ${ours#* })"
