# Root mode: umount.ecryptfs (not lazy) unmounts the mount it checked, never
# what the path leads to by the time it unmounts. Root mounts eCryptfs at
# T/d/m, where the user owns T and d, and at V/m (the victim). The helper is
# held by strace at the entry of umount2 while the user renames d away and
# puts a symlink to V in its place. A helper that unmounts by path then
# unmounts V/m; one that unmounts through the directory it checked unmounts
# the mount at d (now d.old/m) and leaves V/m alone.
# ect-vm: timeout=900
need_tool mount.ecryptfs umount.ecryptfs strace
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
W=$PWD
printf '%s\n' "root mode passphrase" >pw
chmod 600 pw
opts="key=passphrase,passphrase_passwd_file=$W/pw,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
opts="$opts,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache,verbosity=0"
mkdir -p T/d/m V/m lower-t lower-v
chown "$U" T T/d
chmod 755 T T/d
assert_ok mount -t ecryptfs "$W/lower-t" "$W/T/d/m" -o "$opts" </dev/null
assert_ok mount -t ecryptfs "$W/lower-v" "$W/V/m" -o "$opts" </dev/null
is_mounted "$W/T/d/m" || fail "T/d/m not mounted"
is_mounted "$W/V/m" || fail "V/m not mounted"

delay_s=90
strace -f -qq -o "$W/u.strace" -e trace=umount2 -e "inject=umount2:delay_enter=${delay_s}000000" \
	/sbin/umount.ecryptfs "$W/T/d/m" >"$W/u.out" 2>&1 &
u_pid=$!
# held: umount.ecryptfs stopped at the entry of umount2 (x86_64 syscall 166)
held() { held_at_syscall 166 $(pgrep -f umount.ecryptfs); }
wait_held "$u_pid" held || { cat "$W/u.out"; fail "umount.ecryptfs never reached umount2"; }
as_user "$U" sh -c "mv '$W/T/d' '$W/T/d.old' && ln -s '$W/V' '$W/T/d'"
held_at_syscall 166 "$HELD_PID" || fail "umount2 was not held through the swap: raise delay_s ($delay_s s)"
log "T/d swapped for a symlink to V while umount.ecryptfs was held at umount2"
wait "$u_pid" || { cat "$W/u.out"; log "umount.ecryptfs failed"; }
cat "$W/u.out"
is_mounted "$W/V/m" || fail "umount.ecryptfs unmounted V/m, the path's new target, not the mount it checked"
is_mounted "$W/T/d.old/m" && fail "the checked mount (now T/d.old/m) is still mounted"
umount "$W/V/m"
log "the non-lazy root unmount acted on the checked mount"
