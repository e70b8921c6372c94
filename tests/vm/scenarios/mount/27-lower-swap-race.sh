# Issue #4 finding 1: the lower directory is checked through an fd, but
# mount(2) takes it as a path. While the helper runs, the user keeps
# swapping ~/.Private between the real directory and a symlink to a
# directory of theirs on ramfs (not allowlisted, so the helper refuses it
# when it sees it). Whatever the timing, every mount that succeeds must be
# over the real ~/.Private; nothing may ever be stacked on the ramfs.
# ect-vm: timeout=600
need_tool mount.ecryptfs_private ecryptfs-add-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
# a marker written through a normal mount tells the real lower apart
as_user_keys "/sbin/mount.ecryptfs_private && echo real >~/Private/marker && /sbin/umount.ecryptfs_private"
ram=/mnt/ram-$U
mkdir -p "$ram" /mnt/pad
mount -t ramfs ramfs "$ram"
install -d -o "$U" -m 700 "$ram/foreign"
# the direct attempt is refused (ramfs is not allowlisted)
mv "$H/.Private" "$H/.Private.real"
as_user "$U" ln -s "$ram/foreign" "$H/.Private"
refused_mount 'unapproved filesystem type \(ramfs' /sbin/mount.ecryptfs_private
rm "$H/.Private"
mv "$H/.Private.real" "$H/.Private"
# Widen the window between the checks and mount(2): the helper reads
# /proc/self/mountinfo in between; 1024 more mounts make that slow.
mount -t tmpfs pad /mnt/pad
mount --make-private /mnt/pad
for i in 0 1 2 3 4 5 6 7 8 9; do mkdir /mnt/pad/d$i; done
for i in 0 1 2 3 4 5 6 7 8 9; do mount --rbind /mnt/pad /mnt/pad/d$i; done
log "$(wc -l </proc/self/mountinfo) mounts"
as_user "$U" ln -s "$ram/foreign" "$H/.evil"
as_user "$U" perl -e '
	my $h = $ENV{HOME};
	while (1) {
		rename("$h/.Private", "$h/.real") or next;
		rename("$h/.evil", "$h/.Private");
		select(undef, undef, undef, 0.002);
		rename("$h/.Private", "$h/.evil");
		rename("$h/.real", "$h/.Private");
		select(undef, undef, undef, 0.002);
	}' &
swapper=$!
ok=0 bad=
for i in $(seq 1 25); do
	if out=$(as_user_keys /sbin/mount.ecryptfs_private 2>&1); then
		ok=$((ok + 1))
		line=$(awk -v m="$H/Private" '$2 == m && $3 == "ecryptfs"' /proc/mounts)
		log "mount $i: $line"
		case $line in "$H/.Private $H/Private ecryptfs "*) ;; *) bad="wrong source: $line" ;; esac
		[ "$(cat "$H/Private/marker" 2>/dev/null)" = real ] ||
			bad="mount $i is not over the real lower directory (no marker)"
		umount -l "$H/Private"
	else
		log "attempt $i refused: $(printf '%s\n' "$out" | grep -v '^Joined' | head -n1)"
	fi
	awk -v r="$ram" '$3 == "ecryptfs" && (index($1, r) == 1 || index($2, r) == 1)' /proc/mounts |
		grep -q . && bad="an eCryptfs mount from or on $ram"
	[ -z "$bad" ] || break
done
# $swapper is the subshell of as_user: stop the perl loop itself
pkill -KILL -u "$U" -x perl 2>/dev/null || true
wait "$swapper" 2>/dev/null || true
umount -l /mnt/pad
if [ -d "$H/.real" ] && [ ! -L "$H/.real" ]; then
	rm -f "$H/.Private"
	mv "$H/.real" "$H/.Private"
fi
umount -l "$ram" 2>/dev/null || true
[ -z "$bad" ] || fail "$bad"
log "mounted $ok of 25 times, always over the real ~/.Private"
[ "$ok" -gt 0 ] || log "no attempt passed the checks (the race won every time)"
:
