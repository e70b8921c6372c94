# Without the eCryptfs module (removed, and modprobe made to fail),
# ecryptfs-recover-private says so and decrypts in userspace when given a
# destination; without one it stops with status 1 and a hint. Own boot: the
# module stays unloadable afterwards.
# ect-vm: timeout=300 boot=nomodule
need_tool ecryptfs-recover-private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/recover/recover.inc"

cached_tree fne plain lower >/dev/null
rmmod ecryptfs || skip "the ecryptfs module cannot be removed"
echo 'install ecryptfs /bin/false' >/etc/modprobe.d/ect-vm-no-ecryptfs.conf
[ ! -e /sys/fs/ecryptfs ] || fail "module still present"
printf '%s\n' "$PASS_MOUNT" >pass
rc=0
ecryptfs-recover-private --yes --passphrase-file pass lower 2>err || rc=$?
cat err
assert_eq 1 "$rc" "status without module and destination"
grep -q -- '--userspace' err || fail "no hint about --userspace"
assert_ok ecryptfs-recover-private --yes --passphrase-file pass --userspace dest lower
same_tree plain dest
