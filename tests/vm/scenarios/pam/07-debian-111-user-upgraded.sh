# Case 7: a user set up by Debian's ecryptfs-setup-private (111: v2 wrapped
# passphrase, FNEK) logs in with this module: mounted, and the file is now v3
# and still opens with the login password. With ~/.ecryptfs/wrap-format-v2
# another such user keeps v2 (for 111 on other machines).
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private --111 "$user" "$pw"
home=$(pam_home "$user")
assert_eq 2 "$(pam_wrap_version "$user")" "111 setup writes v2"
assert_eq 2 "$(wc -l <"$home/.ecryptfs/Private.sig")" "111 setup writes FEKEK and FNEK signatures"

out=$(pam_session login "$user" "$pw" auth open run close -- grep -c " $home/Private ecryptfs " /proc/mounts) ||
	fail "login failed: $out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted at the first login"
assert_eq 3 "$(pam_wrap_version "$user")" "upgraded at login"
out=$(pam_session login "$user" "$pw" auth open run close -- grep -c " $home/Private ecryptfs " /proc/mounts) ||
	fail "second login failed: $out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted from the v3 file"
log "111 user: mounted, v2 upgraded to v3, v3 mounts again"

kept=$(make_user "${user}k")
pam_setup_private --v2 "$kept" "pw-$kept"
as_user "$kept" touch "$(pam_home "$kept")/.ecryptfs/wrap-format-v2"
pam_session login "$kept" "pw-$kept" auth open close >/dev/null || fail "login of $kept failed"
assert_eq 2 "$(pam_wrap_version "$kept")" "wrap-format-v2 keeps v2"
log "wrap-format-v2: v2 kept"
