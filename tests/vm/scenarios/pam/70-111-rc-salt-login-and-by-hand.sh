# Case 70: a user with salt= in ~/.ecryptfsrc, set up by ecryptfs-utils 111's
# ecryptfs-setup-private (its FEKEK, the file key, is derived with that salt),
# logs in through this module and also mounts by hand with this project's
# ecryptfs-mount-private; each reads what the other wrote. Both unlock
# through the library's ect_unlock_user_keys. Before it, PAM derived the FEKEK
# with the default salt: the keys did not match Private.sig, no mount.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-mount-private ecryptfs-umount-private ecryptfs-add-passphrase
W=$ECT_VM_WORK
user=$(make_user)
pw=pw-$user
home=$(pam_home "$user")
as_user_sh "$user" "printf 'salt=a1b2c3d4e5f60718\n' >~/.ecryptfsrc"
pam_setup_private --111 "$user" "$pw"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
[ -n "$fnek" ] || fail "111 setup wrote no FNEK signature"

# The salt matters: without it the same mount passphrase gives another FEKEK.
other=$(make_user "${user}d")
default_sig=$(as_user "$other" ecryptfs-add-passphrase - <"$W/mountpass-$user" |
	sed -n 's/^Inserted auth tok with sig \[\([0-9a-f]*\)\].*/\1/p')
[ -n "$default_sig" ] || fail "no default-salt signature"
[ "$default_sig" != "$fekek" ] || fail "111 did not use the salt= of ~/.ecryptfsrc ($fekek)"
log "111 setup: FEKEK $fekek with the rc salt (default salt would give $default_sig)"

out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	grep -c ' $home/Private ecryptfs ' /proc/mounts
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo written at login >$home/Private/login.txt'
") || fail "login failed: $out"
printf '%s\n' "$out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted at login"
pam_is_mounted "$home/Private" && fail "still mounted after logout"
pam_user_has_key "$user" "$fekek" && fail "key $fekek left after logout"
log "login: mounted with the rc salt's FEKEK, file written"

printf '%s\n' "$pw" | as_user_sh "$user" "
	ecryptfs-mount-private --password-file - >&2 || exit 10
	cat ~/Private/login.txt || exit 11
	echo written by hand >~/Private/hand.txt || exit 12
	ecryptfs-umount-private >&2 || exit 13
" >"$W/hand.out" 2>"$W/hand.log" || {
	rc=$? # 10: mount-private, 11: read, 12: write, 13: umount-private
	cat "$W/hand.log"
	fail "mount by hand as the user (status $rc)"
}
cat "$W/hand.log"
assert_eq "written at login" "$(cat "$W/hand.out")" "the login's file read by hand"
pam_is_mounted "$home/Private" && fail "ecryptfs-umount-private left ~/Private mounted"
log "by hand: mounted, read the login's file, wrote one"

out=$(pam_session login "$user" "$pw" auth open run close -- cat "$home/Private/hand.txt") ||
	fail "second login failed: $out"
printf '%s\n' "$out" | grep -x 'written by hand' >/dev/null || fail "second login did not read the file written by hand: $out"
pam_is_mounted "$home/Private" && fail "still mounted after the second logout"
log "second login read the file written by hand"
