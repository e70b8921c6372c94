# Issue 12 on the guest booted by systemd: a graphical login through the real
# lightdm daemon (Debian's lightdm.service, its own PAM service files, its
# session worker), with Xvfb as its X server and a greeter scripted through
# liblightdm (ect-greeter.py) that types the password. The session finds
# ~/Private mounted and the keys reachable from its session keyring, writes a
# file and has systemd --user hold a file in ~/Private open. Logging out ends
# the session; within UserStopDelaySec plus a few seconds ~/Private is
# unmounted and its keys are gone, and the greeter's own session (user
# lightdm, pam_systemd class greeter) never counted.
# ect-vm: timeout=1200
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/lightdm.inc"
dm_begin
dm_login "$user" "$pw"
dm_check_session
loginctl list-sessions --no-legend

# Log out: the session ends, lightdm closes its PAM session and shows the
# greeter again; the user manager lets go within UserStopDelaySec.
dm_greeter_log_reset
touch "$W/dm.go"
sd_wait_locked "$user" $((stop_delay + 20))
dm_wait "greeter ready" 300
[ -z "$(cat "$home/Private/from-lightdm.txt" 2>/dev/null)" ] || fail "cleartext visible after logout"
[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] ||
	fail "sessions left registered: $(cat "/run/ecryptfs-tools/$uid/Private.sessions")"
journal=$(journalctl --no-pager -q --since "$since" 2>&1 | grep -E 'pam_ecryptfs|ecryptfs' || true)
printf '%s\n' "$journal"
grep -q 'internal error' <<<"$journal" && fail "the module logged an internal error"

# The data is there at the next mount.
pam_session login "$user" "$pw" auth open run close -- cat "$home/Private/from-lightdm.txt" >"$W/again.out" 2>&1 ||
	{ cat "$W/again.out"; fail "the file written in the lightdm session is not there"; }
systemctl stop lightdm.service
log "lightdm login: mounted with the keys, file written; logout locked although systemd --user held a file"
