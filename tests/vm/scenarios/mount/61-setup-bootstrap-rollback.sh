# Issue #10 finding 3, the rollback: root's ecryptfs-setup-private -b that
# fails midway removes what it made through directory fds only (111's
# successor used to chmod by path). /home/.ecryptfs is a tmpfs with room for
# 2, 3, ... inodes, so setup runs out of space at each step in turn, while a
# process of the user keeps swapping .ecryptfs and .Private for symlinks to
# a root-owned directory. Every failed run says why in one line and leaves
# nothing: no tree, no links in the home, no temp file, nothing of the
# user's anywhere; the target directory keeps its files and mode. Without
# room for the encrypted copy of the home's files next to the plain ones the
# setup is refused up front and rolled back (older code kept a partial
# move and named the files left plain: that branch stays accepted below).
# With enough room the setup succeeds with the full tree.
# ect-vm: timeout=900
need_tool ecryptfs-setup-private ecryptfs-unwrap-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/mount/setup-bootstrap.inc"
new_user
scratch=/var/lib/ect-vm-61
mkdir -p "$scratch" /home/.ecryptfs
chmod 755 "$scratch"
echo root >"$scratch/marker"
before=$(cd "$scratch" && stat -c '%n %U %a' . * 2>/dev/null | sort)
ok=0
# -b also needs inodes for the two links inside the new home, the state file,
# and the encrypted copy of the skel files next to the plain ones (the copy is
# verified before the plain files go, and refused up front without room)
for n in $(seq 2 40); do
	mount -t tmpfs -o "mode=0755,nr_inodes=$n,size=1m" "ect-vm-61" /home/.ecryptfs
	swapper_during_run "$scratch"
	rc=0
	bootstrap_setup || rc=$?
	swapper_stop
	if [ "$rc" = 0 ]; then
		log "room for $n inodes: setup succeeded"
		target_untouched "$scratch" "$before"
		bootstrap_unswap
		bootstrap_tree_ok
		ok=1
	elif printf '%s\n' "$OUT" | grep 'is set up, but the files not moved' >/dev/null; then
		# out of room while moving the home's files in: setup keeps what is
		# in (rolling back would delete moved files) and names the rest,
		# still plain in the home; nothing of the target is touched
		printf '%s\n' "$OUT"
		log "room for $n inodes: set up, some files not moved in (kept, named)"
		target_untouched "$scratch" "$before"
		rm -rf "/home/.ecryptfs/$U"
	else
		printf '%s\n' "$OUT"
		log "room for $n inodes: setup failed"
		one_error_line
		bootstrap_nothing_left
		[ -z "$(find /home/.ecryptfs -mindepth 1)" ] || fail "left in /home/.ecryptfs: $(find /home/.ecryptfs -mindepth 1 -ls)"
		target_untouched "$scratch" "$before"
	fi
	umount /home/.ecryptfs
	rm -f "$H/.ecryptfs" "$H/.Private"
	[ "$ok" = 0 ] || break
done
[ "$ok" = 1 ] || fail "setup never succeeded, even with room for $n inodes"
