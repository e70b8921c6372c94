# Issue #10 finding 3: root's ecryptfs-setup-private -b -u USER gave
# /home/.ecryptfs/USER to the user right after creating it, then created and
# chowned everything below it by path. The user swapped .ecryptfs for a
# symlink and root made user-owned wrapped-passphrase, Private.sig, ... in
# any directory (/etc/update-motd.d: root code execution).
# Here root runs setup -b again and again (fresh, then --force over the
# finished tree) while a process of the user keeps replacing .ecryptfs and
# .Private below /home/.ecryptfs/USER with symlinks to root-owned
# directories. Since -b refuses while the user has a process, the swapper
# starts once each run has passed that check (swapper_during_run); the
# checks before it meet a swap made beforehand (the second run).
# Afterwards those directories are as they were, and every run either built
# the right tree or failed with one error line.
# ect-vm: timeout=900
need_tool ecryptfs-setup-private ecryptfs-unwrap-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/mount/setup-bootstrap.inc"
new_user
motd=/etc/update-motd.d
scratch=/var/lib/ect-vm-60
mkdir -p "$motd" "$scratch"
chmod 755 "$motd" "$scratch"
echo root >"$scratch/marker"
before_motd=$(cd "$motd" && stat -c '%n %U %a' . * 2>/dev/null | sort)
before_scratch=$(cd "$scratch" && stat -c '%n %U %a' . * 2>/dev/null | sort)
ok=0 refused=0
for i in 1 2 3 4; do
	force=
	[ $((i % 2)) = 0 ] && force=--force
	[ -n "$force" ] || bootstrap_reset
	# the finished tree swapped before the run: its first checks meet the symlink
	planted=
	if [ "$i" = 2 ] && [ -d "/home/.ecryptfs/$U/.ecryptfs" ]; then
		as_user "$U" sh -c 'cd "$1" && mv .ecryptfs .ecryptfs.real && ln -s "$2" .ecryptfs' \
			sh "/home/.ecryptfs/$U" "$motd" 2>/dev/null || fail "could not swap .ecryptfs"
		planted=1
		user_gone
	fi
	swapper_during_run "$motd" "$scratch"
	if bootstrap_setup $force; then
		swapper_stop
		[ -z "$planted" ] || fail "run $i went through the .ecryptfs swapped for a symlink"
		target_untouched "$motd" "$before_motd"
		target_untouched "$scratch" "$before_scratch"
		ok=$((ok + 1))
		log "run $i ($force) succeeded"
		bootstrap_unswap
		bootstrap_tree_ok
	else
		swapper_stop
		refused=$((refused + 1))
		printf '%s\n' "$OUT"
		one_error_line
		[ -n "$force" ] || bootstrap_nothing_left
	fi
	target_untouched "$motd" "$before_motd"
	target_untouched "$scratch" "$before_scratch"
done
log "$ok runs succeeded, $refused failed cleanly; no file of $U outside its tree"
[ "$ok" -gt 0 ] || fail "no setup succeeded"
