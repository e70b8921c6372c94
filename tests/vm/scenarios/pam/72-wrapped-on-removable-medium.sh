# Issue 16 on the real kernel: the wrapped passphrase on a removable medium
# (ecryptfs-wrapped-passphrase-locations(5)), an ext4 image loop-mounted at
# /media/USER/KEY as udisks2 would, ~/.ecryptfs/wrapped-passphrase a link
# to it. A login through Debian's `login` stack mounts ~/Private while the
# medium is mounted; with the medium unmounted (and its mount point gone,
# as udisks2 leaves it) the login refuses and the log says the medium is not
# present; remounted, the login works again. Opt-in for the time budget.
# ect-vm: timeout=600
# ect-vm: optin=ECT_VM_TOKEN
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
need_tool mkfs.ext4 losetup
pam_enable_profile
W=$ECT_VM_WORK
pam_start_syslog "$W/syslog"
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek _ <<<"$(pam_sigs "$user" | tr "\n" " ")"
t0=$SECONDS

mkdir -p /etc/ecryptfs-tools
printf '# pam/72\n/media/%%u/*\n' >/etc/ecryptfs-tools/wrapped-passphrase-locations
chmod 644 /etc/ecryptfs-tools/wrapped-passphrase-locations
truncate -s 4M "$W/key.img"
mkfs.ext4 -q -F "$W/key.img" || fail "mkfs.ext4"
medium=/media/$user/KEY
plug() {
	install -d -m 755 "/media/$user"
	install -d -m 700 "$medium"
	mount -o loop,nodev,nosuid "$W/key.img" "$medium" || fail "mounting the medium"
}
unplug() {
	umount "$medium" || fail "unmounting the medium"
	rmdir "$medium"
}
plug
chown "$user:$(id -g "$user")" "$medium"
chmod 700 "$medium"
mv "$home/.ecryptfs/wrapped-passphrase" "$medium/wrapped-passphrase"
as_user "$user" ln -s "$medium/wrapped-passphrase" "$home/.ecryptfs/wrapped-passphrase"

login_mounts() {
	local out
	out=$(pam_session login "$user" "$pw" auth acct open run close -- \
		grep -c " $home/Private ecryptfs " /proc/mounts) || fail "$1: login failed: $out"
	printf '%s\n' "$out"
	assert_eq 1 "$(printf '%s\n' "$out" | grep -x '[0-9][0-9]*')" "$1: mounts during the session"
	pam_is_mounted "$home/Private" && fail "$1: still mounted after logout"
	pam_user_has_key "$user" "$fekek" && fail "$1: keys left after logout"
	return 0
}

login_mounts "medium plugged"
unplug
# Debian's profile has the session line optional (as 111): the login goes on, locked.
out=$(pam_session login "$user" "$pw" auth acct open close 2>&1) ||
	fail "the login itself failed (the session line is optional): $out"
printf '%s\n' "$out"
assert_match 'encrypted data stays locked' "$out" "the refusal told"
cp "$W/syslog" "$ECT_VM_RESULT_DIR/" 2>/dev/null || true
pam_is_mounted "$home/Private" && fail "mounted without the medium"
pam_user_has_key "$user" "$fekek" && fail "keys added without the medium"
grep -E "user $user: cannot read ~/.ecryptfs/wrapped-passphrase: the removable medium that holds the wrapped passphrase is not present" \
	"$W/syslog" >/dev/null || fail "no 'not present' log line: $(tail -5 "$W/syslog")"
plug
login_mounts "medium plugged again"
unplug
log "removable medium: login with it, refused without it (logged), with it again ($((SECONDS - t0)) s)"
