# Issue 12 on the guest booted by systemd: lock and unlock through the real
# lightdm daemon. With a graphical session logged in (as in systemd/08), the
# session runs `dm-tool lock` with its own environment; lightdm switches to a
# new greeter (lock-screen hint, on a display server of its own). A wrong
# password there changes nothing. The greeter then authenticates the same
# user again and lightdm returns to the existing session: its session worker
# runs authenticate, acct_mgmt and setcred(PAM_REINITIALIZE_CRED) only, no
# open_session. The home stays mounted, the same mount (its record in the
# helper's state is unchanged), the keys stay, the session registry is as it
# was, and no mount or unmount helper runs. The logout afterwards, the last
# session, still unmounts ~/Private and the keys go.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/lightdm.inc"
dm_begin
state=/run/ecryptfs-tools/$uid
dm_login "$user" "$pw"
dm_check_session
dm_has "XDG_SEAT_PATH=/org/freedesktop/DisplayManager/Seat0" "lightdm gave the session no seat path for dm-tool"
reg_before=$(cat "$state/Private.sessions")
mount_before=$(cat "$state/Private.mount")
log "registered: $reg_before; mount record: $mount_before"

# Lock: the session asks lightdm for the lock screen.
t0=$SECONDS
lock_since=$(date '+%Y-%m-%d %H:%M:%S')
dm_greeter_log_reset
touch "$W/dm.lock"
while [ ! -e "$home/lightdm-lock.out" ] && [ $((SECONDS - t0)) -lt 120 ]; do sleep 0.5; done
[ -e "$home/lightdm-lock.out" ] || { dm_logs; fail "dm-tool lock did not return within 120 s"; }
cat "$home/lightdm-lock.out"
grep -qx 'rc=0' "$home/lightdm-lock.out" || { dm_logs; fail "dm-tool lock failed"; }
dm_wait "greeter ready lock-screen" 300
log "locked: lightdm showed the lock-screen greeter after $((SECONDS - t0)) s"
grep -F "select-user=$user" "$DM_GREETER_DIR/greeter.log" || log "(no select-user hint)"

# A wrong password at the lock screen.
dm_type "$user" "wrong-$pw"
dm_wait "authentication failed for $user" 300
# Unlock.
t0=$SECONDS
dm_type "$user" "$pw"
dm_wait "authenticated $user" 300
deadline=$((SECONDS + 300))
until grep -q "Returning to existing user session $user" /var/log/lightdm/lightdm.log; do
	[ "$SECONDS" -lt "$deadline" ] || { dm_logs; fail "lightdm did not return to the session"; }
	sleep 0.5
done
# The greeter's authentication session ends (its worker exits) before the
# state is compared.
while pgrep -u lightdm -f ect-greeter.py >/dev/null; do
	[ "$SECONDS" -lt "$deadline" ] || { dm_logs; fail "the lock-screen greeter did not stop"; }
	sleep 0.5
done
cat "$DM_GREETER_DIR/greeter.log"
log "unlocked: back in the session after $((SECONDS - t0)) s"
assert_eq 1 "$(grep -c " $home/Private ecryptfs " /proc/mounts)" "mounts of ~/Private after the unlock"
assert_eq "$mount_before" "$(cat "$state/Private.mount")" "the helper's record of the mount (same mount id)"
assert_eq "$reg_before" "$(cat "$state/Private.sessions")" "session registry after the unlock"
pam_user_has_key "$user" "$fekek" || fail "the unlock unlinked the keys"
pam_user_has_key "$user" "$fnek" || fail "the unlock unlinked the filename key"
[ "$(cat "$home/Private/from-lightdm.txt")" = "written by the lightdm session" ] ||
	fail "the session's file is not readable after the unlock"
journal=$(journalctl --no-pager -q --since "$lock_since" 2>&1)
printf '%s\n' "$journal" | grep -E 'pam_ecryptfs|ecryptfs_private|lightdm' | grep -v 'ect-vm-' || true
grep -qE '(u|)mount\.ecryptfs_private' <<<"$journal" && fail "a mount helper ran during lock and unlock"
grep -q 'internal error' <<<"$journal" && fail "the module logged an internal error"
# the session itself is still there and running
[ -e "$home/lightdm-session.out" ] && pgrep -u "$user" -f ect-vm-session >/dev/null ||
	fail "the user's session did not survive the lock"

# Log out: the last session; the home is locked.
dm_greeter_log_reset
touch "$W/dm.go"
sd_wait_locked "$user" $((stop_delay + 20))
dm_wait "greeter ready" 300
[ ! -s "$state/Private.sessions" ] || fail "sessions left registered: $(cat "$state/Private.sessions")"
systemctl stop lightdm.service
log "lightdm lock and unlock: no remount, no session counted, keys kept; the logout locked the home"
