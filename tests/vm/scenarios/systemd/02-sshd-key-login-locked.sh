# Issue 12 on the guest booted by systemd: an ssh key login (no password
# reaches PAM) with the home locked works, tells the user how to unlock, adds
# no key and leaves nothing mounted or registered.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
systemctl is-active --quiet ssh.service || sd_start_sshd
user=$(make_user)
pw=pw-$user
uid=$(id -u "$user")
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
as_user_sh "$user" 'mkdir -p -m 700 ~/.ssh && ssh-keygen -q -t ed25519 -N "" -f ~/.ssh/id_ed25519 && cp ~/.ssh/id_ed25519.pub ~/.ssh/authorized_keys'

# Interactive (sshd shows PAM's session messages with the login banner).
out=$(printf '%s\n' "grep -c ' $home/Private ecryptfs ' /proc/mounts" "exit 0" |
	as_user "$user" ssh "${SD_SSH_OPTS[@]}" -tt -o BatchMode=yes "$user@127.0.0.1" 2>&1) ||
	fail "key login failed: $out"
printf '%s\n' "$out"
assert_match '^0' "$(printf '%s\n' "$out" | tr -d '\r' | grep -x '[0-9]*')" "mounts seen by the key login"
printf '%s\n' "$out" | grep 'ecryptfs-mount-private' >/dev/null || fail "the key login did not say how to unlock"
pam_user_has_key "$user" "$fekek" && fail "a key login added keys"
pam_is_mounted "$home/Private" && fail "a key login mounted"
[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] || fail "a key login registered a session"
log "key login with the home locked: shell given, nothing mounted, told to run ecryptfs-mount-private"
