# Issue 12, cause 1: an application that holds its syslog socket on fd 3
# before pam_start, as sshd does. The module's child used to dup2 its report
# pipe onto fd 3; its first syslog() (the v2 -> v3 upgrade notice) then
# reconnected onto that number, its report records went to the system log
# ("[2B blob data]", "E"), the parent logged "internal error 0", the session
# was not counted and logout left ~/Private mounted with the keys in @u.
# Here: busybox syslogd on /dev/log, a v2 user, pam-session -L.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool busybox
user=$(make_user)
pw=pw-$user
pam_setup_private --v2 "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK

rm -f /dev/log
busybox syslogd -n -O "$W/syslog" &
syslogd_pid=$!
trap "kill $syslogd_pid 2>/dev/null || true; rm -f /dev/log" EXIT
for _ in $(seq 1 100); do [ -S /dev/log ] && break; sleep 0.05; done
[ -S /dev/log ] || fail "busybox syslogd did not create /dev/log"

out=$(printf '%s\n' "$pw" "$pw" | setsid -w "$PAM_SESSION" -D -L login "$user" auth acct open run close -- \
	grep -c " $home/Private ecryptfs " /proc/mounts) || fail "login failed: $out"
printf '%s\n' "$out"
assert_match '^pam-session: syslog socket on fd 3$' "$(printf '%s\n' "$out" | grep 'syslog socket')" \
	"the application's syslog descriptor"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted during the session"
assert_eq 3 "$(pam_wrap_version "$user")" "upgraded at login (the child logged the notice)"
sync
kill "$syslogd_pid" && wait "$syslogd_pid" || true
cat "$W/syslog"
grep -q 'upgraded from v2 to v3' "$W/syslog" || fail "the upgrade notice did not reach syslog"
grep -q 'internal error' "$W/syslog" && fail "the module reported an internal error"
grep -q 'pam-session' "$W/syslog" || fail "nothing logged under the application's identity"
pam_is_mounted "$home/Private" && fail "still mounted after logout: the session was not counted"
for sig in $fekek $fnek; do
	pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring after logout"
done
log "syslog on fd 3: session counted, logout unmounted and dropped the keys"
