# Self-test of lib.sh: users, per-user keyrings, su, a real PAM stack through
# pamtester, the assertion helpers and the peer. Other areas rely on these.
u=$(make_user)
v=$(make_user)
assert_ne "$u" "$v" "two generated user names"
assert_eq "$u" "$(as_user "$u" id -un)" "as_user identity"
assert_eq "/home/$u" "$(as_user "$u" sh -c 'echo $HOME')" "as_user HOME"

# as_user gives each call a fresh session keyring linked to the user's own
# user keyring: a key added by one call is seen by the next, not by others.
as_user "$u" keyctl add user ect-vm-selftest secret @u >/dev/null
as_user "$u" keyctl search @s user ect-vm-selftest >/dev/null ||
	fail "user keyring not linked into the session keyring"
if as_user "$v" keyctl search @s user ect-vm-selftest >/dev/null 2>&1; then
	fail "another user sees $u's key"
fi
if key_exists ect-vm-selftest; then fail "root sees $u's key"; fi

assert_eq "$u" "$(su_user "$u" id -un)" "su identity"

need_tool pamtester
pam_service ect-vm-selftest <<'PAM'
auth     required pam_unix.so
account  required pam_unix.so
session  required pam_keyinit.so force revoke
session  required pam_unix.so
PAM
assert_ok pam_run ect-vm-selftest "$u" "pw-$u" authenticate acct_mgmt open_session close_session
if pam_run ect-vm-selftest "$u" "not the password" authenticate 2>/dev/null; then
	fail "pam_unix accepted a wrong password"
fi

assert_fail false
if (assert_eq a b) 2>/dev/null; then fail "assert_eq accepted different values"; fi
if (assert_ok false) 2>/dev/null; then fail "assert_ok accepted a failure"; fi

need_peer
assert_match '^Usage|ecryptfs-add-passphrase' "$(peer ecryptfs-add-passphrase --help 2>&1 || true)" "peer usage"
