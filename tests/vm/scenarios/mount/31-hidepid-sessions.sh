# Issue #4 finding 5a: with /proc mounted hidepid=2 a user cannot see a
# root-owned session leader (login, sshd): the session registry must still
# count that session, and an unmount from another session (-d, as PAM's
# close does) must not unmount the home under it.
# ect-vm: timeout=300
need_tool mount.ecryptfs_private ecryptfs-add-passphrase setsid
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
restore_proc() { mount -o remount,hidepid=0 /proc 2>/dev/null || mount -o remount,hidepid=off /proc; }
trap restore_proc EXIT
mount -o remount,hidepid=2 /proc
grep -E '^proc /proc .*hidepid' /proc/mounts || fail "hidepid not in effect"
# session a: its leader is root's (as login's), the mount runs as the user
export U H
setsid bash -c ". \"$ECT_SRCDIR/tests/vm/lib.sh\"; . \"$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc\";
	echo \$\$ >/tmp/$U-a.pid; as_user_keys /sbin/mount.ecryptfs_private; echo \$? >/tmp/$U-a.rc; exec sleep 300" &
for i in $(seq 1 150); do
	[ -f "/tmp/$U-a.rc" ] && break
	sleep 0.2
done
assert_eq 0 "$(cat "/tmp/$U-a.rc")" "mount by session a"
as_user "$U" sh -c "cat /proc/$(cat "/tmp/$U-a.pid")/stat" >/dev/null 2>&1 &&
	log "note: the user can read the leader of session a"
assert_eq 1 "$(sessions_of "$UID_" Private)" "session a registered"
# another session closes: session a still uses the directory
out=$(as_user "$U" setsid -w /sbin/umount.ecryptfs_private -d 2>&1) || fail "umount -d failed: $out"
printf '%s\n' "$out"
mounted_at "$H/Private" || fail "unmounted under the live session a"
# session a ends: the next close unmounts
kill -KILL "$(cat "/tmp/$U-a.pid")"
sleep 0.3
as_user "$U" setsid -w /sbin/umount.ecryptfs_private -d
mounted_at "$H/Private" && fail "still mounted after every session ended"
:
