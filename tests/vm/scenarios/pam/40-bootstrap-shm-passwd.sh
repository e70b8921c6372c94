# Issue 11, the bootstrap of installers: `ecryptfs-setup-private -b -u USER`
# run by root without a password records the mount passphrase in
# /dev/shm/.ecryptfs-USER as ecryptfs-utils 111 does (owner USER, mode 0400,
# the bare passphrase); the first password set through PAM (an installer's
# chpasswd) wraps it into wrapped-passphrase and removes it, and a login with
# that password mounts the home. A stale file (another user's, open to
# others, a symlink, another passphrase) is refused with one log line and
# never used; `-b` by a non-root user and a leftover file at setup are
# refused with one line, nothing created.
# ect-vm: timeout=1200
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-setup-private ecryptfs-unwrap-passphrase ecryptfs-add-passphrase
W=$ECT_VM_WORK

# A syslog to read what the module logged (the guest runs none).
pam_start_syslog "$W/syslog"

user=$(make_user)
other=$(make_user "${user}o")
home=$(pam_home "$user")
shm=/dev/shm/.ecryptfs-$user
cfg=/home/.ecryptfs/$user/.ecryptfs

# -b by a non-root user: one line, nothing made.
as_user "$other" ecryptfs-setup-private -b </dev/null >"$W/nonroot.out" 2>&1 &&
	fail "-b as $other succeeded: $(cat "$W/nonroot.out")"
out=$(grep -v '^Joined session keyring' "$W/nonroot.out")
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "not one line: $out"
assert_match 'root' "$out" "-b refused to a non-root user"
[ ! -e "/home/.ecryptfs/$other" ] && [ ! -e "/dev/shm/.ecryptfs-$other" ] || fail "-b as $other made files"

# A file of that name that is not this run's: refused, untouched, nothing made.
printf 'not-yours' >"$shm"
chown "$other" "$shm"
out=$(ecryptfs-setup-private -b -u "$user" </dev/null 2>&1) && fail "setup over a foreign $shm: $out"
assert_match "$shm already exists" "$out" "leftover bootstrap file at setup"
[ ! -e "/home/.ecryptfs/$user" ] || fail "setup went on over a foreign $shm"
assert_eq "$other not-yours" "$(stat -c %U "$shm") $(cat "$shm")" "the foreign file"
rm -f "$shm"

# The hand-off, as 111 writes it.
ecryptfs-setup-private -b -u "$user" </dev/null >"$W/setup.out" 2>&1 ||
	{ cat "$W/setup.out"; fail "ecryptfs-setup-private -b -u $user without a password"; }
cat "$W/setup.out"
assert_eq "$user $(id -gn "$user") 400 regular file 32" "$(stat -c '%U %G %a %F %s' "$shm")" "$shm"
mp=$(cat "$shm")
assert_match '^[0-9a-f]{32}$' "$mp" "the bare passphrase, no newline"
[ ! -e "$cfg/wrapped-passphrase" ] || fail "wrapped-passphrase written without a password"
fresh_keyring
sigs=$(insert_passphrase "$mp" ecryptfs-add-passphrase)
keyctl clear @u
assert_eq "$sigs" "$(tr '\n' ' ' <"$cfg/Private.sig" | sed 's/ $//')" "Private.sig names the passphrase's keys"
cp "$shm" "$W/good"

# Stale files: each refused by the password change with one line, never used.
syslog_has() {
	sleep 0.5
	grep "pam_ecryptfs.*$shm refused: $1" "$W/syslog" >/dev/null ||
		{ cat "$W/syslog" 2>/dev/null | grep pam_ecryptfs; fail "no syslog line '$shm refused: $1'"; }
}
stale_case() { # WHAT REASON: change the password; nothing may be wrapped or removed
	local before
	before=$(stat -c '%i %U %a' "$shm")
	printf '%s:%s\n' "$user" "stale-$1" | chpasswd || fail "chpasswd with a stale $shm ($1)"
	[ ! -e "$cfg/wrapped-passphrase" ] || fail "wrapped from a stale $shm ($1)"
	assert_eq "$before" "$(stat -c '%i %U %a' "$shm")" "the stale $shm ($1) is left as it was"
	syslog_has "$2"
	log "stale $shm ($1): refused, left in place"
}
chown "$other" "$shm"
stale_case other-owner 'it is owned by uid'
chown "$user" "$shm"
chmod 644 "$shm"
stale_case mode-644 'its mode 0644 opens it to others'
chmod 400 "$shm"
mv "$shm" "/dev/shm/real-$user"
ln -s "/dev/shm/real-$user" "$shm"
stale_case symlink 'it is a symlink'
rm "$shm"
mv "/dev/shm/real-$user" "$shm"
printf '%s' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$shm.new"
chown "$user:" "$shm.new"
chmod 400 "$shm.new"
mv "$shm" "$W/good.moved"
mv "$shm.new" "$shm"
stale_case other-passphrase 'its passphrase does not give the keys named in Private.sig'
rm "$shm"
install -m 400 -o "$user" -g "$(id -g "$user")" "$W/good" "$shm"

# The installer sets the first password through PAM: wrapped, then removed.
new="N3w-$user-pw"
printf '%s:%s\n' "$user" "$new" | chpasswd || fail "chpasswd $user"
[ ! -e "$shm" ] || fail "$shm left after the first password change"
assert_eq "$user 600" "$(stat -c '%U %a' "$cfg/wrapped-passphrase")" "wrapped-passphrase"
got=$(printf '%s\n' "$new" | as_user "$user" ecryptfs-unwrap-passphrase "$cfg/wrapped-passphrase" - |
	tail -n1) || fail "the new password does not unwrap wrapped-passphrase"
assert_eq "$mp" "$got" "the wrapped passphrase is the bootstrap one"
grep -q "pam_ecryptfs.*bootstrap passphrase wrapped" "$W/syslog" || fail "no syslog line for the wrap"

out=$(pam_session login "$user" "$new" auth open run close -- grep -c " $home ecryptfs " /proc/mounts) ||
	fail "login with the first password failed: $out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "the home mounted at login"
log "-b without a password: /dev/shm hand-off as 111, stale files refused, chpasswd wrapped it, login mounts"
