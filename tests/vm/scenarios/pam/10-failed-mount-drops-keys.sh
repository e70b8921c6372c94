# Issue 10, finding 6: when the login mount fails (here the helper refuses a
# mount point that is not a directory), the keys this login put into the user
# keyring are taken back, so nothing stays unlocked after logout. Keys that
# were there before the login (another session's) stay.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-insert-wrapped-passphrase-into-keyring
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"

# The user's own doing: ~/Private becomes a regular file.
as_user_sh "$user" 'chmod 700 ~/Private && rm -rf ~/Private && : > ~/Private'
pam_user_keys "$user" | grep -x 0 >/dev/null || fail "keys before the login: $(pam_user_keys "$user")"

out=$(pam_session login "$user" "$pw" auth acct open run close -- true) || true
printf '%s\n' "$out"
assert_match 'could not be mounted' "$out" "the user is told the mount failed"
pam_is_mounted "$home/Private" && fail "mounted over a regular file"
pam_user_has_key "$user" "$fekek" && fail "FEKEK $fekek left in the keyring after a failed mount"
pam_user_has_key "$user" "$fnek" && fail "FNEK $fnek left in the keyring after a failed mount"
pam_user_keys "$user" | grep -x 0 >/dev/null || fail "keys left after logout: $(pam_user_keys "$user")"
log "failed mount: the keys this login added are gone"

# Keys another session put there are not this login's to take.
printf '%s\0' "$pw" | as_user "$user" ecryptfs-insert-wrapped-passphrase-into-keyring \
	"$home/.ecryptfs/wrapped-passphrase" - >/dev/null || fail "inserting the keys as the user"
pam_user_has_key "$user" "$fekek" || fail "insert-wrapped-passphrase-into-keyring added no FEKEK"
out=$(pam_session login "$user" "$pw" auth acct open run close -- true) || true
printf '%s\n' "$out"
assert_match 'could not be mounted' "$out" "the user is told the mount failed"
pam_user_has_key "$user" "$fekek" || fail "a failed login took the FEKEK another session had added"
pam_user_has_key "$user" "$fnek" || fail "a failed login took the FNEK another session had added"
log "failed mount: keys that were there before the login stay"
