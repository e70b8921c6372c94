# Issue 12 on the guest booted by systemd: a whole encrypted home made by
# ecryptfs-setup-private -b, logged into over the real sshd with a password.
# systemd --user runs a service holding a file in $HOME open; the user writes
# data and logs out. The last logout unmounts the home and takes the keys out
# of the user keyring at once (the mount is detached, nobody reaches it by
# path); the detached mount, still pinned by the user manager's service, and
# with it the last reference to the keys, goes when user@.service stops after
# UserStopDelaySec. The times are logged. The data is there at the next
# login, and the bare home underneath shows no plain text. Two overlapping ssh
# logins: the second one's logout keeps the home mounted with its keys, the
# last one's unmounts it.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
home_begin
systemctl is-active --quiet ssh.service || sd_start_sshd
uid=$(id -u "$user")
word="plain-marker-$user-$RANDOM"
home_setup_ours "$user" "$pw" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
pam_is_mounted "$home" && fail "setup left the home mounted"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr '\n' ' ')"
reg=/run/ecryptfs-tools/$uid/Private.sessions
stop_delay=$(sd_stop_delay)
since=$(date '+%Y-%m-%d %H:%M:%S')

# ---- one login: data written, systemd --user holding a file in $HOME
grep -h -E 'pam_(systemd|ecryptfs)' /etc/pam.d/common-session
sd_watch "$user" "$fekek" "$home"
t0=$SECONDS
out=$(sd_ssh_pw "$user" "$pw" "
	grep -c ' $home ecryptfs ' /proc/mounts
	pwd
	systemctl --user is-system-running --wait >/dev/null 2>&1; systemctl --user is-active default.target
	echo '$word' >~/secret.txt
	head -c 300000 /dev/urandom >~/data.bin && sha256sum <~/data.bin | cut -d' ' -f1
	sync
	systemd-run --user --quiet --unit=ect-home-holder -p WorkingDirectory=$home \
		sh -c 'exec 3<secret.txt; exec sleep 600'
	systemctl --user is-active ect-home-holder
	systemctl --user show -p MainPID --value ect-home-holder
	manager=\$(systemctl show -p MainPID --value user@$uid.service)
	[ \"\$(stat -L -c %d /proc/\$manager/cwd)\" = \"\$(stat -c %d ~)\" ] &&
		echo manager-cwd=mounted-home || echo manager-cwd=\$(readlink /proc/\$manager/cwd)") ||
	fail "ssh password login failed: $out"
printf '%s\n' "$out"
line() { printf '%s\n' "$out" | sed -n "${1}p"; }
assert_eq 1 "$(line 1)" "mounts of the home during the session"
assert_eq "$home" "$(line 2)" "the session's working directory"
assert_eq active "$(line 3)" "systemd --user ran"
sum=$(line 4)
assert_match '^[0-9a-f]{64}$' "$sum" "sum of the data written"
assert_eq active "$(line 5)" "user service holding a file in the home"
holder=$(line 6)
log "login and session took $((SECONDS - t0)) s; systemd --user: $(line 7)"

# Logout. The last session's close unmounts (detaches) the home and unlinks
# the keys; the user manager stays for UserStopDelaySec, its service holding
# the file and its cwd through the detached mount, which keeps the keys alive
# in the kernel until that service is stopped with the user manager.
# The holder still works in the detached home: root reaches it through
# /proc/PID/cwd (nothing reaches it by path), while the user manager stays.
until [ -n "$(sd_watch_at unmounted)" ]; do
	[ "$SECONDS" -lt "$((t0 + 900))" ] || fail "never unmounted: $(cat "$W/watch.log")"
	sleep 0.2
done
seen=$(cat "/proc/$holder/cwd/secret.txt" 2>&1) || true
if [ "$seen" = "$word" ]; then
	log "after the unmount, root still reads the detached home through /proc/$holder/cwd"
else
	log "after the unmount, /proc/$holder/cwd/secret.txt: $seen; cwd $(readlink "/proc/$holder/cwd" 2>&1)"
fi
sd_wait_locked "$user" $((stop_delay + 20)) "$home"
deadline=$((SECONDS + stop_delay + 60))
while [ -z "$(sd_watch_at key-freed)" ] || systemctl is-active --quiet "user@$uid.service"; do
	[ "$SECONDS" -lt "$deadline" ] ||
		fail "user@$uid.service active or the keys alive $((stop_delay + 60)) s after logout: $(cat "$W/watch.log")"
	sleep 0.5
done
sd_watch_stop
cat "$W/watch.log"
closed=$(sd_journal_at "$since" "session closed for user $user" -t sshd)
manager="(user@$uid[.]service|User Manager for UID $uid)"
stopping=$(sd_journal_at "$since" "Stopping $manager" _PID=1)
stopped=$(sd_journal_at "$since" "Stopped $manager" _PID=1)
unmounted=$(sd_watch_at unmounted) freed=$(sd_watch_at key-freed)
for t in closed stopping stopped; do
	assert_match '^[0-9.]+$' "${!t}" "the journal's time of: $t"
done
# since: seconds from the ssh session's close to a time
since_close() { awk -v a="$closed" -v b="$1" 'BEGIN {printf "%.1f", b - a}'; }
log "after the ssh session closed: unmounted at +$(since_close "$unmounted") s;" \
	"user@$uid.service stopping at +$(since_close "$stopping") s, stopped at +$(since_close "$stopped") s" \
	"(UserStopDelaySec=$stop_delay); keys freed in the kernel at +$(since_close "$freed") s"
# at_least A B WHAT: time A is not before time B
at_least() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}' || fail "$3 ($1 < $2)"; }
assert_match '^[0-9.]+$' "$unmounted" "time of the unmount"
at_least "$stopping" "$unmounted" "the unmount waited for the user manager to stop"
at_least "$freed" "$stopping" "the keys were freed while the user manager's service still held the home"
at_least "$(awk -v t="$stopped" 'BEGIN {print t + 10}')" "$freed" "keys still alive 10 s after the user manager stopped"
[ ! -s "$reg" ] || fail "sessions left registered: $(cat "$reg")"
pgrep -u "$user" >/dev/null && fail "processes of $user left: $(pgrep -a -u "$user")"

# Underneath: the bare home's layout links and ciphertext only.
bare=$(find "$home" -mindepth 1 -printf '%P %y\n' | LC_ALL=C sort | tr '\n' ' ')
assert_eq ". .Private l .ecryptfs l Access-Your-Private-Data.desktop l README.txt l " ". $bare" "bare home after logout"
home_plain_nowhere "$user" "$word"
home_lower_encrypted "$user"

# ---- two overlapping logins; the last logout unmounts
sd_hold_pw "$user" "$pw" first "$home"
assert_eq 1 "$(head -n1 "$W/first.out")" "mounts seen by the first session"
out=$(sd_ssh_pw "$user" "$pw" "
	grep -c ' $home ecryptfs ' /proc/mounts
	cat ~/secret.txt
	sha256sum <~/data.bin | cut -d' ' -f1
	echo second-$word >~/second.txt") || fail "the second ssh login failed: $out"
printf '%s\n' "$out"
assert_eq 1 "$(line 1)" "mounts seen by the second session (one, not stacked)"
assert_eq "$word" "$(line 2)" "the file written in the first login"
assert_eq "$sum" "$(line 3)" "the data written in the first login"
# sshd closes the PAM session after the client saw the exit: wait for the
# registry to count the second session out.
deadline=$((SECONDS + 120))
until [ "$(wc -l <"$reg")" = 1 ]; do
	[ "$SECONDS" -lt "$deadline" ] || fail "registry after the second logout: $(cat "$reg")"
	sleep 0.2
done
pam_is_mounted "$home" || fail "the second session's logout unmounted the first one's home"
pam_user_has_key "$user" "$fekek" || fail "the second session's logout unlinked the keys the first needs"
touch "$W/first.go"
wait "$sd_held_pid" || { cat "$W/first.out"; fail "the first ssh session failed"; }
sd_wait_locked "$user" $((stop_delay + 20)) "$home"
[ ! -s "$reg" ] || fail "sessions left registered: $(cat "$reg")"
home_plain_nowhere "$user" "$word"
home_plain_nowhere "$user" "second-$word"

journal=$(journalctl --no-pager -q --since "$since" 2>&1 | grep -E 'pam_ecryptfs|ecryptfs_private' || true)
printf '%s\n' "$journal"
grep -q 'internal error' <<<"$journal" && fail "the module logged an internal error"
log "whole home over sshd: mounted, locked at the last logout, freed with the user manager"
