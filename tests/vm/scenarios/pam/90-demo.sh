# The README's quick demo on the harness guest (scripts/demo --quick runs
# just this scenario and prints its output; plain scripts/demo runs
# systemd/90-demo, the same story over sshd on the guest booted by systemd):
# root gives a new user a whole encrypted home with
# ecryptfs-setup-private -b; the user logs in through Debian's real `login`
# PAM stack and finds the files that were in the home before, we show the
# same file's ciphertext and encrypted name below, the user logs out and the
# home is locked again. Also a test: every claim it prints is checked.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/pam/demo.inc"
set +x

pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-setup-private

demo_give_home 1

step "2. $user logs in through /etc/pam.d/login (pam_unix, pam_keyinit, pam_ecryptfs...)"
say "   the pam-auth-update profile put pam_ecryptfs into the common stacks:"
grep -h pam_ecryptfs /etc/pam.d/common-auth /etc/pam.d/common-session /etc/pam.d/common-password | indent
t0=$(date +%s%N)
out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	set -e
	as() { setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups \"\$@\"; }
	echo '   mount:'
	grep ' $home ecryptfs ' /proc/mounts | sed 's/,/ /g' | cut -c1-160 | sed 's/^/   | /'
	echo '   her home:'
	as ls -A $home | tr '\n' ' ' | sed 's/^/   | /'; echo
	as cat $home/welcome.txt | sed 's/^/   | /'
	as sh -c 'echo \"Dear diary, eCryptfs works.\" > $home/diary.txt'
	echo '   $user writes ~/diary.txt and reads it back:'
	as cat $home/diary.txt | sed 's/^/   | /'
	touch $W/was-mounted
") || fail "login failed: $out"
t1=$(date +%s%N)
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|run\)' | sed 's/^pam-session: /   pam: /'
[ -e "$W/was-mounted" ] || fail "the session command did not run"
printf '%s\n' "$out" | grep 'This note was here' >/dev/null || fail "welcome.txt not found at login"
proves "her password unwrapped the mount passphrase, the keys went into the keyring, her home was"
proves "mounted with the files from before ($(((t1 - t0) / 1000000)) ms for the whole login+logout)"

demo_thief_view 3

step "4. After logout"
pam_is_mounted "$home" && fail "still mounted after logout"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
pam_user_has_key "$user" "$fekek" && fail "key left after logout"
say "   $home now: $(ls -A "$home" | tr '\n' ' ')"
say "   README.txt: $(head -n1 "$home/README.txt" 2>/dev/null || readlink "$home/README.txt")"
say "   keys of $user: $(pam_user_keys "$user")"
say "   processes of $user: $(pgrep -c -u "$user" || true)"
proves "logout unmounted her home and removed the keys; the home is locked again"

step "5. A wrong password gets nothing"
out=$(pam_session login "$user" "wrong password" auth open close 2>&1) && fail "wrong password accepted"
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|fail delay\)' | sed 's/^pam-session: /   pam: /'
pam_is_mounted "$home" && fail "wrong password mounted"
proves "pam_unix refused the login; no key was added, nothing mounted"
say ""
say "Demo complete."
