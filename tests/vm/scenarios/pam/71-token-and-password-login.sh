# Issue 16 on the real kernel: a token AND password record (SoftHSM2
# through NSS) opens ~/Private at a login through Debian's `login` stack,
# the PIN asked through the conversation after the password; logout
# unmounts and the keys leave. The same again with an EC key (an ECDH
# record, as PIV and OpenPGP cards need). (The token pulled: pam/73, opt-in.)
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/pam/token.inc"
pam_need_module
pam_need_helpers
tok_need
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
t0=$SECONDS
tok_make "$user" ect-vm
tok_enrol_and "$user" "$pw"
log "token made and enrolled (AND) in $((SECONDS - t0)) s"

t0=$SECONDS
out=$(tok_login "$user" "$pw" "$TOK_PIN" auth acct open run close -- bash -c "
	grep -c ' $home/Private ecryptfs ' /proc/mounts
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo token login > $home/Private/t.txt'
") || fail "token AND password login failed: $out"
printf '%s\n' "$out"
assert_match 'PIN for token ect-vm' "$out" "the PIN asked through the conversation"
assert_eq 1 "$(tok_mounts "$out")" "mounts of ~/Private during the session"
pam_is_mounted "$home/Private" && fail "still mounted after logout"
for sig in $fekek $fnek; do
	pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring after logout"
done
[ -n "$(find "$home/.Private" -type f -print -quit)" ] || fail "nothing written through the mount"
log "token AND password login mounted, logout unmounted and dropped the keys ($((SECONDS - t0)) s)"

# The EC key: an ECDH token AND password record, enrolled through the RSA one
# (its PIN and the password), which is then removed.
t0=$SECONDS
tok_token "$user" enrol --policy and --password-file fd:3 --pin-file fd:4 "$TOK_URI_EC" \
	3< <(printf '%s\n' "$pw") 4< <(printf '%s\n' "$TOK_PIN") ||
	fail "ecryptfs-token enrol --policy and (EC key)"
tok_token "$user" remove 0 || fail "ecryptfs-token remove 0 (the RSA record)"
list=$(tok_token "$user" list) || fail "ecryptfs-token list"
printf '%s\n' "$list"
assert_match '^0 +token\+password +ecdh-p256 +id=02 ' "$list" "the one record left is ECDH P-256"
out=$(tok_login "$user" "$pw" "$TOK_PIN" auth acct open run close -- bash -c "
	grep -c ' $home/Private ecryptfs ' /proc/mounts
	cat $home/Private/t.txt
") || fail "EC token AND password login failed: $out"
printf '%s\n' "$out"
assert_eq 1 "$(tok_mounts "$out")" "mounts of ~/Private during the EC session"
assert_match 'token login' "$out" "the file written in the first session read back"
pam_is_mounted "$home/Private" && fail "still mounted after the EC logout"
log "EC (ECDH) token AND password login mounted and read back ($((SECONDS - t0)) s)"
