# Case 1: a password login through Debian's real `login` stack (pam-auth-update
# profile) mounts ~/Private with the right keys; logout unmounts it, unlinks
# the keys and leaves no process behind. Then the same through su(1) from
# another user, with a real setuid su on a pty.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private --calibrated "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK

out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	cp /proc/mounts $W/mounts.during
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups keyctl session - sh -c 'keyctl link @u @s >/dev/null; for s in $fekek $fnek; do keyctl search @u user \$s || echo missing \$s; done' > $W/keys.during 2>&1
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo hello from the session > $home/Private/hello.txt'
") || fail "login session failed: $out"
printf '%s\n' "$out"
grep -q " $home/Private ecryptfs " "$W/mounts.during" || fail "~/Private was not mounted during the session"
grep -q 'ecryptfs_sig='"$fekek" "$W/mounts.during" || fail "mounted with another key than Private.sig's"
grep -q missing "$W/keys.during" && fail "keys not in the user keyring during the session: $(cat "$W/keys.during")"
[ "$(grep -c '^[0-9]' "$W/keys.during")" = 2 ] || fail "expected 2 keys during the session: $(cat "$W/keys.during")"

pam_is_mounted "$home/Private" && fail "still mounted after logout"
for sig in $fekek $fnek; do
	pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring after logout"
done
[ ! -e "$home/Private/hello.txt" ] || fail "cleartext visible after logout"
lower=$(find "$home/.Private" -type f -print -quit)
[ -n "$lower" ] || fail "no lower file written"
case ${lower##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "lower name not encrypted: $lower" ;; esac
has_ecryptfs_marker "$lower" || fail "lower file has no eCryptfs header"
pgrep -u "$user" >/dev/null && fail "processes of $user left running: $(pgrep -a -u "$user")"
log "login: mounted with $fekek/$fnek, logout: unmounted, keys gone, no process left"

# su - USER from another user, through the setuid su and its PAM stack.
if command -v script >/dev/null; then
	other=$(make_user "${user}o")
	pam_typed "$W/su.out" "$pw" -- setpriv --reuid="$other" --regid="$(id -g "$other")" --init-groups \
		env -i PATH=/usr/bin:/bin HOME=/tmp TERM=dumb \
		script -qfec "su - $user -c 'cat $home/Private/hello.txt; grep -c \" $home/Private ecryptfs \" /proc/mounts'" /dev/null ||
		true
	cat "$W/su.out"
	grep -q 'hello from the session' "$W/su.out" || fail "su - $user did not see the decrypted file"
	pam_is_mounted "$home/Private" && fail "still mounted after su exited"
	log "su: mounted for the command, unmounted after"
else
	log "script(1) missing: su part skipped"
fi
