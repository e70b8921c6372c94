# Case 8: a user without an encrypted directory: login, su-less session and
# password change go through the same stack untouched (no message, no helper,
# no key, no process), and quickly.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_enable_profile
need_tool script
user=$(make_user)
pw=pw-$user
out=$(pam_session login "$user" "$pw" auth acct open run close -- true) || fail "plain user login failed: $out"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -iE 'pam-session: (info|error):.*(encrypt|ecryptfs)' && fail "the module talked to a plain user"
pam_user_keys "$user" | grep -x 0 >/dev/null || fail "keys added for a plain user"
pgrep -u "$user" >/dev/null && fail "processes left for a plain user"
new="N3w-$user-phrase"
pam_typed "$ECT_VM_WORK/passwd.out" "$pw" "$new" "$new" -- as_user "$user" script -qfec passwd /dev/null ||
	{ cat "$ECT_VM_WORK/passwd.out"; fail "passwd for a plain user failed"; }
pam_session login "$user" "$new" auth >/dev/null || fail "new password of a plain user refused"
grep -q pam_ecryptfs /var/log/auth.log 2>/dev/null && grep pam_ecryptfs /var/log/auth.log | grep "$user" >/dev/null &&
	fail "pam_ecryptfs logged about a plain user"
log "plain user: login, session and passwd unaffected"
