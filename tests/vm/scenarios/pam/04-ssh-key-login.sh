# Case 4: sshd on loopback. A key login (no password reaches PAM) succeeds
# with the home left locked and a message saying how to unlock; a key login
# while a password session has it mounted sees the files and does not
# unmount them when it leaves; a password login mounts and unmounts.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK
pam_start_sshd
trap pam_stop_sshd EXIT
as_user_sh "$user" 'mkdir -p -m 700 ~/.ssh && ssh-keygen -q -t ed25519 -N "" -f ~/.ssh/id_ed25519 && cp ~/.ssh/id_ed25519.pub ~/.ssh/authorized_keys'

# 1. Key login, home locked. An interactive login (sshd shows PAM's session
# messages with the login banner, not for a remote command).
out=$(printf '%s\n' "grep -c ' $home/Private ecryptfs ' /proc/mounts" "exit 0" |
	pam_ssh "$user" -tt -o BatchMode=yes "$user@127.0.0.1" 2>&1) || fail "key login failed: $out"
printf '%s\n' "$out"
assert_match '^0' "$(printf '%s\n' "$out" | tr -d '\r' | grep -x '[0-9]*')" "mounts seen by the key login"
printf '%s\n' "$out" | grep 'ecryptfs-mount-private' >/dev/null || fail "the key login did not say how to unlock"
pam_user_has_key "$user" "$fekek" && fail "a key login added keys"
log "key login with the home locked: shell given, nothing mounted, told to run ecryptfs-mount-private"

# 2. Key login while a password session has it mounted.
pam_session login "$user" "$pw" auth open run close -- bash -c "
	echo visible > $home/Private/during.txt; chown $user: $home/Private/during.txt
	touch $W/ready; while [ ! -e $W/go ]; do sleep 0.2; done" >"$W/s.out" 2>&1 &
s_pid=$!
for _ in $(seq 1 300); do [ -e "$W/ready" ] && break; sleep 0.2; done
[ -e "$W/ready" ] || { cat "$W/s.out"; fail "password session did not open"; }
out=$(pam_ssh "$user" -o BatchMode=yes "$user@127.0.0.1" "cat ~/Private/during.txt" 2>&1) || fail "key login failed: $out"
assert_match 'visible' "$out" "file read over the key login"
pam_is_mounted "$home/Private" || fail "the key login's logout unmounted the other session's home"
touch "$W/go"
wait "$s_pid" || { cat "$W/s.out"; fail "password session failed"; }
pam_is_mounted "$home/Private" && fail "still mounted after both sessions ended"
log "key login into a mounted home: works, and leaving it keeps the other session's mount"

# 3. Password login over ssh mounts for the session and unmounts after.
if [ -x "$PAM_DEBS/usr/bin/sshpass" ]; then
	# as_user clears the environment: pass the password through sshpass -f.
	printf '%s\n' "$pw" >"$W/pw" && chmod 644 "$W/pw"
	out=$(as_user "$user" "$PAM_DEBS/usr/bin/sshpass" -f "$W/pw" ssh -p "$PAM_SSH_PORT" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o PubkeyAuthentication=no -o PreferredAuthentications=password \
		"$user@127.0.0.1" "cat ~/Private/during.txt" 2>&1) || fail "password ssh login failed: $out"
	assert_match 'visible' "$out" "file read over the password login"
	# sshd closes the PAM session after the client has its output: wait for it.
	for _ in $(seq 1 150); do pam_is_mounted "$home/Private" || break; sleep 0.2; done
	pam_is_mounted "$home/Private" && fail "still mounted 30 s after the ssh password session"
	log "password login over ssh: mounted for the session, unmounted after"
fi
