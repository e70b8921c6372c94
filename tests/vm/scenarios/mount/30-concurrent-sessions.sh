# Two sessions mount the same alias at the same time and later unmount
# concurrently (-d, as PAM's close_session): the lock serialises them, the
# directory is mounted once, sessions that died stop counting, the last
# unmount really unmounts, and mount table and registry end consistent.
# ect-vm: timeout=300
need_tool mount.ecryptfs_private ecryptfs-add-passphrase setsid
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
# two long-lived sessions (their leaders are the registry entries), started together
for s in a b; do
	as_user_keys "setsid bash -c 'echo \$\$ > /tmp/$U-$s.pid; /sbin/mount.ecryptfs_private; echo \$? > /tmp/$U-$s.rc; exec sleep 300'" &
done
for i in $(seq 1 150); do
	[ -f /tmp/$U-a.rc ] && [ -f /tmp/$U-b.rc ] && break
	sleep 0.2
done
assert_eq 0 "$(cat /tmp/$U-a.rc)" "mount by session a"
assert_eq 0 "$(cat /tmp/$U-b.rc)" "mount by session b"
assert_eq 1 "$(count_mounts "$H/Private")" "mounts on ~/Private"
assert_eq 2 "$(sessions_of "$UID_" Private)" "registered sessions"
# a session that never mounted closes: the others still count
assert_ok as_user "$U" setsid -w /sbin/umount.ecryptfs_private -d
assert_eq 1 "$(count_mounts "$H/Private")" "after an unrelated -d"
# session a crashes (no close): its entry stops counting
kill -KILL "$(cat /tmp/$U-a.pid)"
sleep 0.3
out=$(as_user "$U" /sbin/umount.ecryptfs_private 2>&1) && fail "unmounted while session b is open: $out"
assert_match 'sessions still open \(1\)' "$out" "message without -d"
assert_eq 1 "$(count_mounts "$H/Private")" "still mounted for session b"
assert_eq 1 "$(sessions_of "$UID_" Private)" "registry after the crash"
# session b dies too; two closers race
kill -KILL "$(cat /tmp/$U-b.pid)"
sleep 0.3
as_user "$U" /sbin/umount.ecryptfs_private -d &
p1=$!
as_user "$U" /sbin/umount.ecryptfs_private -d &
p2=$!
wait $p1 || true
wait $p2 || true
assert_eq 0 "$(count_mounts "$H/Private")" "mounts after every session ended"
assert_eq 0 "$(sessions_of "$UID_" Private)" "registry after every session ended"
# a double mount from one session counts once (setsid: a session of its own,
# as a login has; the scenario itself runs in init's session)
as_user_keys "setsid -w bash -c '/sbin/mount.ecryptfs_private && /sbin/mount.ecryptfs_private && /sbin/umount.ecryptfs_private'"
assert_eq 0 "$(count_mounts "$H/Private")" "after mount, mount, umount in one session"
