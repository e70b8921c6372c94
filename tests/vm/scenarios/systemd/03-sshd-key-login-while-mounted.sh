# Issue 12 on the guest booted by systemd: a key login (no password reaches
# PAM) while the user's password login holds the home finds it mounted and
# usable; ending the key session leaves it mounted with the keys in @u;
# ending the password session, the last, locks it (unmounted, keys gone).
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
systemctl is-active --quiet ssh.service || sd_start_sshd
sd_private_user
as_user_sh "$user" 'mkdir -p -m 700 ~/.ssh && ssh-keygen -q -t ed25519 -N "" -f ~/.ssh/id_ed25519 && cp ~/.ssh/id_ed25519.pub ~/.ssh/authorized_keys'

# The password session stays open until $W/pw.go exists.
sd_hold_pw "$user" "$pw" pw
pw_ssh=$sd_held_pid
assert_eq 1 "$(head -n1 "$W/pw.out")" "mounts seen by the password session"
as_user_sh "$user" "echo from the password session >~/Private/pw.txt"

out=$(as_user "$user" ssh "${SD_SSH_OPTS[@]}" -o BatchMode=yes "$user@127.0.0.1" "
	grep -c ' $home/Private ecryptfs ' /proc/mounts
	cat ~/Private/pw.txt
	echo from the key session >~/Private/key.txt && cat ~/Private/key.txt") ||
	fail "key login failed: $out"
printf '%s\n' "$out"
assert_eq 1 "$(printf '%s\n' "$out" | sed -n 1p)" "mounts seen by the key login (one, not stacked)"
assert_eq "from the password session" "$(printf '%s\n' "$out" | sed -n 2p)" "the key login reads the home"
assert_eq "from the key session" "$(printf '%s\n' "$out" | sed -n 3p)" "the key login writes the home"
# sshd's session close runs after the client has gone: give it a moment.
sleep 3
pam_is_mounted "$home/Private" || fail "ending the key session unmounted the password session's home"
pam_user_has_key "$user" "$fekek" || fail "ending the key session unlinked the keys"
kill -0 "$pw_ssh" || fail "the password session ended with the key session"
log "key login while the password session holds the home: mounted and usable; still mounted after it"

touch "$W/pw.go"
wait "$pw_ssh" || { cat "$W/pw.out"; fail "the password session failed"; }
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] ||
	fail "sessions left registered: $(cat "/run/ecryptfs-tools/$uid/Private.sessions")"
log "the password session's logout locked the home"
