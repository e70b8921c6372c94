# ecryptfs-recover-private with the module: a kernel-made private directory
# with a ../.ecryptfs/wrapped-passphrase (encrypted-home layout, path with a
# space) is opened with the login password, mounted read-only on a fresh
# 0700 /tmp/ecryptfs.* directory with both keys in the keyring; the
# printed commands unmount it and remove the keys. The mount passphrase path
# and --rw work too.
# ect-vm: timeout=300
need_tool ecryptfs-recover-private ecryptfs-add-passphrase ecryptfs-wrap-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/recover/recover.inc"

store="$PWD/home store/.ecryptfs/alice"
mkdir -p "$store/.ecryptfs"
sigs=$(cached_tree fne plain "$store/.Private")
printf '%s\n%s\n' $sigs >"$store/.ecryptfs/Private.sig"
printf '%s\n%s' "$PASS_MOUNT" 'login password' | ECRYPTFS_TOOLS_KDF_FLOOR=1 \
	ecryptfs-wrap-passphrase "$store/.ecryptfs/wrapped-passphrase" -
printf 'login password\n' >pw

out=$(ecryptfs-recover-private --yes --password-file pw "$store/.Private")
printf '%s\n' "$out"
mnt=$(printf '%s\n' "$out" | sed -n 's/.*mounted at \[\(.*\)\]\./\1/p')
assert_match '^/tmp/ecryptfs\.[A-Za-z0-9]{8}$' "$mnt" "mount point"
is_mounted "$mnt" || fail "$mnt is not mounted"
assert_match '(^|,)ro(,|$)' "$(awk -v m="$mnt" '$2 == m {print $4}' /proc/mounts)" "mount options"
same_tree plain "$mnt"
assert_fail touch "$mnt/new-file"
for s in $sigs; do key_exists "$s" || fail "key $s not in the keyring"; done
# the printed cleanup line works as printed
cleanup=$(printf '%s\n' "$out" | grep '^  umount ')
assert_ok sh -c "$cleanup"
is_mounted "$mnt" && fail "still mounted after the printed commands"
for s in $sigs; do key_exists "$s" && fail "key $s still in the keyring"; done

# the mount passphrase, read-write
printf '%s\n' "$PASS_MOUNT" >pass
out=$(ecryptfs-recover-private --rw --yes --passphrase-file pass "$store/.Private")
mnt=$(printf '%s\n' "$out" | sed -n 's/.*mounted at \[\(.*\)\]\./\1/p')
is_mounted "$mnt" || fail "--rw: not mounted"
echo written >"$mnt/new-file"
umount "$mnt"
assert_eq 700 "$(stat -c %a "$mnt")" "mode of the mkdtemp mount point"
rmdir "$mnt"

# a wrong password changes nothing: no key, no mount, status 1
keyctl clear @u
printf 'wrong\n' >bad
rc=0
ecryptfs-recover-private --yes --password-file bad "$store/.Private" || rc=$?
assert_eq 1 "$rc" "exit status with a wrong password"
[ -z "$(keyctl rlist @u)" ] || fail "keys added despite the wrong password"
