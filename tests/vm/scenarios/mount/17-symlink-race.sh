# CVE-2011-1831/1832/1837: while the helper runs, the user keeps swapping
# ~/Private between a real directory and a symlink to /etc. Whatever the
# timing, nothing may ever be mounted anywhere but on the user's directory.
# ect-vm: timeout=420
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
install -d -o "$U" -m 700 "$H/real"
rmdir "$H/Private"
as_user_sh "$U" 'while :; do ln -sfn /etc ~/Private.tmp; mv -T ~/Private.tmp ~/Private; ln -sfn real ~/Private.tmp; mv -T ~/Private.tmp ~/Private; done' &
swapper=$!
ok=0
for i in $(seq 1 8); do
	if as_user_keys /sbin/mount.ecryptfs_private >/dev/null 2>&1; then
		ok=$((ok + 1))
		as_user "$U" /sbin/umount.ecryptfs_private -f >/dev/null 2>&1 ||
			umount -l "$H/real" 2>/dev/null || true
	fi
	awk '$3 == "ecryptfs" {print $2}' /proc/mounts | while read -r m; do
		[ "$m" = "$H/real" ] || fail "mounted on $m"
	done
done
kill "$swapper" 2>/dev/null || true
pkill -u "$U" || true
wait 2>/dev/null || true
log "mounted $ok of 8 times, always on $H/real"
grep -q ' /etc ecryptfs ' /proc/mounts && fail "something mounted on /etc"
:
