# Issue 12 on the guest booted by systemd, mixed sessions:
# - `su - USER` and `sudo -iu USER` from root (no password reaches PAM): the
#   home stays locked and su says how to unlock it; with a password (su from
#   another user) it mounts, and the last logout locks it again;
# - su and sudo into a user whose ssh session holds the home: usable, and
#   ending them leaves it mounted;
# - `loginctl terminate-user`: unmounted, keys gone, no process left;
# - `loginctl enable-linger`: the lingering user manager is no session;
#   logout still locks while it runs.
# ect-vm: timeout=1800
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool script
systemctl is-active --quiet ssh.service || sd_start_sshd
have_sudo=1
command -v sudo >/dev/null || sd_unpack_deb sudo || have_sudo=0
sd_private_user
other=$(make_user "${user}o")
count="grep -c ' $home/Private ecryptfs ' /proc/mounts || true"

# locked USER WHAT: not mounted, no key, nothing registered.
locked() {
	pam_is_mounted "$home/Private" && fail "$1: mounted"
	pam_user_has_key "$user" "$fekek" && fail "$1: keys added"
	[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] ||
		fail "$1: registered: $(cat "/run/ecryptfs-tools/$uid/Private.sessions")"
	return 0
}

# 1. From root, no password. Interactive: su -c hides PAM's info messages
# (util-linux su sets suppress_pam_info for a command or no login shell).
out=$(printf '%s\nexit\n' "$count" | script -qfec "su - $user" /dev/null 2>&1 | tr -d '\r') ||
	fail "su - $user from root failed: $out"
printf '%s\n' "$out"
assert_eq 0 "$(printf '%s\n' "$out" | grep -x '[0-9][0-9]*')" "mounts seen by su - from root"
printf '%s\n' "$out" | grep 'ecryptfs-mount-private' >/dev/null || fail "su - from root did not say how to unlock"
locked "su - from root"
if [ "$have_sudo" = 1 ]; then
	out=$(sudo -iu "$user" sh -c "$count" 2>&1) || fail "sudo -iu $user failed: $out"
	printf '%s\n' "$out"
	assert_eq 0 "$(printf '%s\n' "$out" | grep -x '[0-9][0-9]*')" "mounts seen by sudo -iu from root"
	locked "sudo -iu from root"
else
	log "no sudo .deb (tests/vm/scenarios/pam/fetch-debs.sh): sudo parts skipped"
fi
log "su - / sudo -iu from root: home stays locked"

# 2. su - USER with the password, from another user on a terminal.
pam_typed "$W/su.out" "$pw" -- setpriv --reuid="$other" --regid="$(id -g "$other")" --init-groups \
	env -i PATH=/usr/bin:/bin HOME=/tmp TERM=dumb \
	script -qfec "su - $user -c \"$count; echo from su >~/Private/su.txt\"" /dev/null ||
	{ cat "$W/su.out"; fail "su - $user with the password failed"; }
cat "$W/su.out"
assert_eq 1 "$(tr -d '\r' <"$W/su.out" | grep -x '[0-9][0-9]*')" "mounts seen by su - with the password"
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
locked "after su - with the password"
log "su - with the password: mounted, locked after"

# 3. su and sudo while an ssh session holds the home.
sd_hold_pw "$user" "$pw" held
assert_eq 1 "$(head -n1 "$W/held.out")" "mounts seen by the ssh session"
out=$(su - "$user" -c "$count; cat ~/Private/su.txt" 2>&1) || fail "su - into the held home failed: $out"
printf '%s\n' "$out" | grep -x 'from su' >/dev/null || fail "su - did not read the held home: $out"
if [ "$have_sudo" = 1 ]; then
	out=$(sudo -iu "$user" sh -c "cat ~/Private/su.txt" 2>&1) || fail "sudo -iu into the held home failed: $out"
	printf '%s\n' "$out" | grep -x 'from su' >/dev/null || fail "sudo -iu did not read the held home: $out"
fi
sleep 2
pam_is_mounted "$home/Private" || fail "ending su/sudo unmounted the ssh session's home"
pam_user_has_key "$user" "$fekek" || fail "ending su/sudo unlinked the ssh session's keys"
log "su/sudo into a held home: usable; still mounted after"

# 4. loginctl terminate-user while the ssh session holds it.
loginctl terminate-user "$user"
wait "$sd_held_pid" || true
sd_wait_locked "$user" 30
for _ in $(seq 1 100); do pgrep -u "$user" >/dev/null || break; sleep 0.3; done
pgrep -u "$user" >/dev/null && fail "processes of $user left after terminate-user: $(pgrep -a -u "$user")"
locked "after terminate-user"
log "loginctl terminate-user: unmounted, keys gone, no process left"

# 5. Lingering: user@ runs without a session and stays after logout.
loginctl enable-linger "$user"
for _ in $(seq 1 300); do systemctl is-active --quiet "user@$uid.service" && break; sleep 0.3; done
systemctl is-active --quiet "user@$uid.service" || fail "user@$uid.service did not start with linger"
locked "lingering user manager alone"
out=$(sd_ssh_pw "$user" "$pw" "$count") || fail "ssh login with linger failed: $out"
assert_eq 1 "$out" "mounts seen by the ssh login with linger"
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
systemctl is-active --quiet "user@$uid.service" || fail "the lingering user manager stopped"
locked "after logout with linger"
loginctl disable-linger "$user"
log "linger: the user manager stays, logout still locks"
