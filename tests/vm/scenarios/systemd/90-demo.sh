# The README demo on the guest booted by systemd (scripts/demo runs just
# this scenario and prints its output; scripts/demo --quick runs pam/90-demo
# on the harness guest instead): root gives alice a whole encrypted home
# with ecryptfs-setup-private -b; she logs in with her password through the
# real sshd (ssh.service, started by systemd; logind and pam_systemd make
# the session, systemd --user starts), finds the files that were in the
# home before and writes one; we show the ciphertext and encrypted names
# underneath; she logs out and the home is locked at once: unmounted, the
# keys out of her keyring, and freed in the kernel once systemd stops her
# user manager (UserStopDelaySec later). Also a test: every claim it prints
# is checked.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/pam/demo.inc"
set +x
# ms_since T0: milliseconds since T0 (date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-setup-private

step "0. The guest was booted by systemd; sshd runs as its ssh.service"
sd_start_sshd
read -r booted _ </proc/uptime
say "   PID 1: $(cat /proc/1/comm); ssh.service: $(systemctl is-active ssh.service)," \
	"started at boot by systemd ($(systemctl show -p ActiveEnterTimestampMonotonic --value ssh.service |
		awk '{printf "%.0f", $1 / 1e6}') s after the kernel; now ${booted%.*} s)"
say "   the pam-auth-update profile put pam_ecryptfs into the common stacks sshd uses:"
grep -h -E 'pam_(ecryptfs|systemd)' /etc/pam.d/common-auth /etc/pam.d/common-session | indent
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is not systemd"

demo_give_home 1
uid=$(id -u "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr '\n' ' ')"

step "2. $user logs in over ssh with her password (sshd's PAM: pam_unix, pam_systemd, pam_ecryptfs...)"
say "   \$ ssh $user@127.0.0.1      (the password typed by sshpass)"
since=$(date '+%Y-%m-%d %H:%M:%S')
t0=$(date +%s%N)
out=$(sd_ssh_pw "$user" "$pw" '
	echo "session: $(loginctl show-session "$XDG_SESSION_ID" -p Service -p Class | sort | paste -sd" ")"
	echo "cwd: $PWD"
	echo "mount: $(grep " $HOME ecryptfs " /proc/mounts | cut -d" " -f1-3)"
	echo "keys in her keyring: $(keyctl rlist @u 2>/dev/null | wc -w)"
	systemctl --user is-system-running --wait >/dev/null 2>&1
	echo "systemd --user: $(systemctl --user is-active default.target)"
	echo "her home: $(ls -A | paste -sd" ")"
	echo "welcome.txt: $(cat welcome.txt)"
	echo "Dear diary, eCryptfs works." >diary.txt && sync
	echo "diary.txt: $(cat diary.txt)"' 2>&1) || fail "ssh login failed: $out"
took=$(ms_since "$t0")
printf '%s\n' "$out" | indent
has() { grep -x -e "$1" <<<"$out" >/dev/null || fail "the ssh session: $2 (no line '$1')"; }
has 'session: Class=user Service=sshd' "not a logind user session of sshd"
has "cwd: $home" "not in her home"
has "mount: /home/.ecryptfs/$user/.Private $home ecryptfs" "home not mounted"
has 'keys in her keyring: [1-9][0-9]*' "no key in her keyring"
has 'systemd --user: active' "systemd --user did not run"
has 'welcome.txt: Welcome, .*before the home was encrypted.' "welcome.txt not found"
has 'diary.txt: Dear diary, eCryptfs works.' "diary.txt not written"
proves "sshd ran the PAM stack: her password unwrapped the mount passphrase, the keys went into her"
proves "keyring, logind made the session, her home was mounted with the files from before"
proves "(login, commands and logout: $took ms)"

step "3. After logout: the home is locked"
# sshd closes the PAM session after the client has seen the exit. The
# helper unlinks the keys before it detaches the mount; the loop uses
# builtins only (a process start costs about a second on a loaded host).
deadline=$((SECONDS + 300))
mkfifo "$W/nap"
exec {nap}<>"$W/nap"
while :; do
	mapfile -t rows </proc/mounts
	[[ " ${rows[*]} " == *" $home ecryptfs "* ]] || break
	[ "$SECONDS" -lt "$deadline" ] || fail "still mounted 300 s after logout"
	read -r -t 0.1 -u "$nap" _ || true
done
read -r unmounted_at _ </proc/uptime
exec {nap}>&-
say "   $home now:"
ls -A "$home" | paste -sd' ' | indent
keys=$(pam_user_keys "$user")
say "   keys in her keyring: $keys"
[ "$keys" = 0 ] || fail "keys left in her keyring after the unmount"
[ ! -e "$home/diary.txt" ] || fail "diary.txt visible after logout"
proves "the last logout unmounted her home and unlinked the keys at once: no path leads into it"
# systemd stops her user manager UserStopDelaySec after the last session;
# what its services held in the detached home, and the keys, go with it.
stop_delay=$(sd_stop_delay)
deadline=$((SECONDS + stop_delay + 300))
while systemctl is-active --quiet "user@$uid.service" || sd_key_alive "$user" "$fekek" ||
	sd_key_alive "$user" "$fnek"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "user@$uid.service or the keys still alive $((stop_delay + 300)) s after logout"
	sleep 0.5
done
read -r freed_at _ </proc/uptime
left=$(pgrep -c -u "$user" || true)
[ "$left" = 0 ] || fail "processes of $user left: $(pgrep -a -u "$user")"
say "   the journal (sshd, its PAM session; systemd, her user manager):"
journalctl -q --no-pager -o short-monotonic --since "$since" -t sshd -t systemd |
	grep -E "Accepted password|session (opened|closed)|(Started|Stopped) (user@${uid}[.]service|User Manager for UID $uid)" |
	sed 's/^\[ *\([0-9]*\.[0-9]\)[0-9]*\] [^ ]* [^:]*: /\1 s  /' | indent
closed=$(sd_journal_at "$since" "session closed for user $user" -t sshd)
stopped=$(sd_journal_at "$since" "Stopped (user@${uid}[.]service|User Manager for UID $uid)" _PID=1)
assert_match '^[0-9.]+$' "$closed" "the journal's time of the session's close"
assert_match '^[0-9.]+$' "$stopped" "the journal's time of user@$uid.service's stop"
# after T: seconds from sshd's close of the session to T
after() { awk -v a="$closed" -v b="$1" 'BEGIN {printf "%+.1f s", b - a}'; }
say "   from sshd closing her session (guest clock): home unmounted by $(after "$unmounted_at")," \
	"user@$uid.service stopped at $(after "$stopped") (UserStopDelaySec=$stop_delay)," \
	"keys freed in the kernel by $(after "$freed_at"); processes of $user left: $left"
proves "the home locked at logout, without waiting for systemd --user; when systemd stopped it,"
proves "the kernel freed the keys"

demo_thief_view 4

step "5. A wrong password gets nothing"
rc=0
sd_ssh_pw "$user" "wrong password" true >"$W/wrong.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "wrong password accepted"
say "   \$ ssh $user@127.0.0.1      (a wrong password): refused, exit status $rc"
pam_is_mounted "$home" && fail "wrong password mounted"
[ "$(pam_user_keys "$user")" = 0 ] || fail "wrong password loaded keys"
proves "sshd refused the login; no key was added, nothing mounted"
say ""
say "Demo complete."
