# Case 5: a wrong password adds no keys and mounts nothing, whether pam_unix
# stops the stack (real login) or the password passes the stack but does not
# unwrap (pam_unix optional, pam_permit deciding).
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

out=$(pam_session login "$user" "not-$pw" auth open close) && fail "login with a wrong password succeeded: $out"
printf '%s\n' "$out"
pam_is_mounted "$home/Private" && fail "wrong password mounted"
pam_user_keys "$user" | grep -x 0 >/dev/null || fail "wrong password left keys: $(pam_user_keys "$user")"

# pam_unix (optional) still hands the typed password on as PAM_AUTHTOK.
pam_service ect-permit <<EOP
auth optional pam_unix.so
auth required pam_permit.so
auth optional pam_ecryptfs.so
session required pam_permit.so
session optional pam_ecryptfs.so
EOP
out=$(pam_session ect-permit "$user" "not-$pw" auth open close) || fail "optional module blocked the stack: $out"
printf '%s\n' "$out"
assert_match 'does not unlock' "$out" "message to the user"
pam_is_mounted "$home/Private" && fail "wrong password mounted"
pam_user_has_key "$user" "$fekek" && fail "wrong password added the FEKEK"
pam_user_has_key "$user" "$fnek" && fail "wrong password added the FNEK"
log "wrong password: no keys, no mount, a message, and an optional line does not block"
