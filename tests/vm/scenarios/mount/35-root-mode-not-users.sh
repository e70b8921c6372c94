# Issue #10 finding 5: root mounted B's ~/lower on ~/upper (mount -t
# ecryptfs). B copied the signature from /proc/mounts into ~/.ecryptfs/rm.sig,
# named both directories in rm.conf, and a811726's umount.ecryptfs_private
# unmounted root's mount. Now it unmounts only a mount private mode made for
# this user (recorded in the root-owned /run/ecryptfs-tools/UID/ALIAS.mount);
# B's own private mount still comes and goes, and root's umount works.
need_tool mount.ecryptfs umount.ecryptfs mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
install -d -o "$U" -g "$U" -m 700 "$H/lower" "$H/upper"
printf '%s\n' "root mode passphrase" >pw
chmod 600 pw
assert_ok mount -t ecryptfs "$H/lower" "$H/upper" -o "key=passphrase,passphrase_passwd_file=$PWD/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,verbosity=0" </dev/null
mounted_at "$H/upper" || fail "root's mount did not happen"
sig=$(awk -v m="$H/upper" '$2 == m && $3 == "ecryptfs"' /proc/mounts | grep -o 'ecryptfs_sig=[0-9a-f]*' | cut -d= -f2)
[ -n "$sig" ] || fail "no signature in /proc/mounts"
printf '%s ecryptfs none\n' "$H/lower $H/upper" >"$H/.ecryptfs/rm.conf"
printf '%s\n' "$sig" >"$H/.ecryptfs/rm.sig"
chown "$U:" "$H/.ecryptfs/rm.conf" "$H/.ecryptfs/rm.sig"
chmod 600 "$H/.ecryptfs/rm.conf" "$H/.ecryptfs/rm.sig"
out=$(as_user "$U" /sbin/umount.ecryptfs_private rm 2>&1) && log "umount.ecryptfs_private rm succeeded: $out"
printf '%s\n' "$out"
mounted_at "$H/upper" || fail "B unmounted root's mount of $H/upper with umount.ecryptfs_private"
assert_match 'not mounted by mount.ecryptfs_private' "$out" "refusal"
# -f does not change that
as_user "$U" /sbin/umount.ecryptfs_private -f rm >/dev/null 2>&1 || true
mounted_at "$H/upper" || fail "B unmounted root's mount with -f"
# B's own private mount: recorded, and unmounted by B
as_user_keys /sbin/mount.ecryptfs_private || fail "B's private mount failed"
rec=/run/ecryptfs-tools/$UID_/Private.mount
assert_file "$rec"
assert_eq "0 600" "$(stat -c '%u %a' "$rec")" "owner and mode of the record"
as_user "$U" /sbin/umount.ecryptfs_private || fail "B's private unmount failed"
mounted_at "$H/Private" && fail "B's private unmount left it mounted"
[ -e "$rec" ] && fail "record left after the unmount"
# root unmounts its own mount (found by identity)
assert_ok umount "$H/upper"
mounted_at "$H/upper" && fail "root's umount left $H/upper mounted"
:
