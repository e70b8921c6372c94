# Issue #10 finding 3: root's ecryptfs-setup-private -b -u USER gave
# /home/.ecryptfs/USER to the user right after creating it, then created and
# chowned everything below it by path. The user swapped .ecryptfs for a
# symlink and root made user-owned wrapped-passphrase, Private.sig, ... in
# any directory (/etc/update-motd.d: root code execution).
# Here root runs setup -b again and again (fresh, then --force over the
# finished tree) while a process of the user keeps replacing .ecryptfs and
# .Private below /home/.ecryptfs/USER with symlinks to root-owned
# directories. Afterwards those directories are as they were, and every
# run either built the right tree or failed with one error line.
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
go=/run/ect-vm-60-go
rm -f "$go"
# The user's swapper: while $go exists, every real directory it can reach
# among .ecryptfs and .Private is moved aside and replaced by a symlink.
as_user "$U" perl -e '
	my ($b, $go, @t) = @ARGV;
	my $i = 0;
	while (1) {
		if (!-e $go) { select(undef, undef, undef, 0.01); next; }
		for my $n (".ecryptfs", ".Private") {
			my $p = "$b/$n";
			next if -l $p || !-d _;
			rename($p, "$p.real") and symlink($t[$i++ % 2], $p);
		}
		select(undef, undef, undef, 0.002);
	}' "/home/.ecryptfs/$U" "$go" "$motd" "$scratch" &
swapper=$!
ok=0 refused=0
for i in 1 2 3 4; do
	force=
	[ $((i % 2)) = 0 ] && force=--force
	[ -n "$force" ] || bootstrap_reset
	touch "$go"
	if bootstrap_setup $force; then
		rm -f "$go"
		sleep 0.1
		target_untouched "$motd" "$before_motd"
		target_untouched "$scratch" "$before_scratch"
		ok=$((ok + 1))
		log "run $i ($force) succeeded"
		bootstrap_unswap
		bootstrap_tree_ok
	else
		rm -f "$go"
		sleep 0.1
		refused=$((refused + 1))
		printf '%s\n' "$OUT"
		one_error_line
		[ -n "$force" ] || bootstrap_nothing_left
	fi
	target_untouched "$motd" "$before_motd"
	target_untouched "$scratch" "$before_scratch"
done
pkill -KILL -u "$U" -x perl 2>/dev/null || true
wait "$swapper" 2>/dev/null || true
log "$ok runs succeeded, $refused failed cleanly; no file of $U outside its tree"
[ "$ok" -gt 0 ] || fail "no setup succeeded"
