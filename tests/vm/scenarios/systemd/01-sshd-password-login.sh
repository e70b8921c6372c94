# Issue 12 on a guest booted by systemd: the real sshd (ssh.service), logind,
# pam_systemd and the user manager, pam-auth-update's profile enabled.
# A v2 user (so the child logs the upgrade notice through sshd's syslog fd):
# an ssh password login mounts ~/Private while systemd --user runs a service
# holding a file in it open; at logout the home is unmounted and the keys are
# gone within UserStopDelaySec plus a few seconds, and no process of another
# session is killed. The second login and logout do the same (the user
# manager of the first is still there: it must not count as a session).
# Before the fixes: the first session was never counted ("internal error 0",
# the report records in the journal) and the user manager was, so the home
# stayed mounted with the keys in @u after every logout.
# ect-vm: timeout=1200
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
sd_start_sshd
user=$(make_user)
pw=pw-$user
uid=$(id -u "$user")
pam_setup_private --v2 "$user" "$pw"
home=$(pam_home "$user")
stop_delay=$(sed -n 's/^UserStopDelaySec=//p' /etc/systemd/logind.conf | tail -n1)
stop_delay=${stop_delay:-10}
since=$(date '+%Y-%m-%d %H:%M:%S')
other=$(make_user "${user}b")

# Another user's session that must survive everything below.
sd_ssh_pw "$other" "pw-$other" 'sleep 600' >/dev/null 2>&1 &
other_ssh=$!

for round in 1 2; do
	t0=$SECONDS
	out=$(sd_ssh_pw "$user" "$pw" "
		grep -c ' $home/Private ecryptfs ' /proc/mounts
		systemctl --user is-system-running --wait >/dev/null 2>&1; systemctl --user is-active default.target
		echo round $round > ~/Private/round$round.txt
		systemd-run --user --quiet --unit=ect-holder-$round -p WorkingDirectory=$home/Private \
			sh -c 'exec 3<round$round.txt; exec sleep 600'
		systemctl --user is-active ect-holder-$round") || fail "ssh password login $round failed: $out"
	printf '%s\n' "$out"
	assert_match '^1$' "$(printf '%s\n' "$out" | sed -n 1p)" "round $round: mounted during the session"
	assert_eq active "$(printf '%s\n' "$out" | sed -n 2p)" "round $round: systemd --user ran"
	assert_eq active "$(printf '%s\n' "$out" | sed -n 3p)" "round $round: user service holding a file in ~/Private"
	log "round $round: login took $((SECONDS - t0)) s"
	sd_wait_locked "$user" $((stop_delay + 20))
	kill -0 "$other_ssh" 2>/dev/null || fail "round $round: the other user's ssh session was killed"
done
[ "$(cat "$home/Private/round1.txt" 2>/dev/null)" = "" ] || fail "cleartext visible after logout"

# The user manager goes within UserStopDelaySec; nothing is left registered.
deadline=$((SECONDS + stop_delay + 40))
while systemctl is-active --quiet "user@$uid.service"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "user@$uid.service still active $((stop_delay + 40)) s after logout"
	sleep 0.5
done
[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] ||
	fail "sessions left registered: $(cat "/run/ecryptfs-tools/$uid/Private.sessions")"
kill -0 "$other_ssh" 2>/dev/null || fail "the other user's ssh session was killed"
kill "$other_ssh" 2>/dev/null || true

journal=$(journalctl --no-pager -q --since "$since" -t sshd 2>&1 || true)
printf '%s\n' "$journal" | grep -E 'pam_ecryptfs|blob' || true
printf '%s\n' "$journal" | grep 'internal error' >/dev/null && fail "the module logged an internal error"
printf '%s\n' "$journal" | grep 'blob data' >/dev/null && fail "the child's report records leaked into the journal"
printf '%s\n' "$journal" | grep 'upgraded from v2 to v3' >/dev/null || fail "no upgrade notice in the journal"
assert_eq 3 "$(pam_wrap_version "$user")" "upgraded at the first login"
log "two ssh password logins: mounted, then unmounted with the keys gone although systemd --user ran"
grep -q pam_ecryptfs /etc/pam.d/common-session-noninteractive &&
	fail "the profile put pam_ecryptfs into common-session-noninteractive (systemd-user, cron)"
log "pam_ecryptfs is not in common-session-noninteractive"
