# Root runs ecryptfs-verify-private without arguments: every account is
# looked at. A ~/Private (as setup-private lays it out), a whole home made by
# this project's setup -b, a user without eCryptfs and root itself: the two
# set up are checked and pass, the others are "not set up" and no failure,
# so the fleet's status is 0.
# ect-vm: timeout=600
# ect-vm: boot=verify-home
. "$ECT_SRCDIR/tests/vm/scenarios/recover/whole-home.inc"
need_tool ecryptfs-setup-private
make_setup
PRIV=$U
empty_home_user
WHOLE=$U
printf '%s\n' "$PW" | ecryptfs-setup-private -b -u "$U" --nopwcheck --kdf-floor \
	--password-file - --passphrase-file fd:3 3< <(printf 'mount passphrase of %s\n' "$U") ||
	fail "our setup-private -b failed"
if is_mounted "$H"; then umount "$H"; fi
keyctl clear @u >/dev/null
NONE=$(make_user)

rc=0
ecryptfs-verify-private --json --no-system >v.json 2>v.err || rc=$?
cat v.err
python3 - v.json "$PRIV" "$WHOLE" "$NONE" <<'PY' || fail "the fleet report is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
users = {u["user"]: u for u in d["users"]}
def complaints(name):
    return ["%s %s %s" % (f["severity"], f["check"], f["message"])
            for f in users[name]["findings"] if f["severity"] in ("warn", "fail")]
ok = True
for name in sys.argv[2:4]:
    print(name, users[name]["status"], complaints(name))
    ok &= users[name]["status"] == "checked" and not complaints(name)
for name in (sys.argv[4], "root"):
    u = users[name]
    print(name, u["status"], [f["check"] for f in u["findings"]])
    ok &= u["status"] == "not set up" and [f["check"] for f in u["findings"]] == ["setup"]
ok &= d["failures"] == 0 and d["warnings"] == 0 and d["checked"] >= 2
sys.exit(0 if ok else 1)
PY
assert_eq 0 "$rc" "status of root's verify-private over every account"
# the text form says the same
out=$(ecryptfs-verify-private --no-system) || fail "text form: status $?"
printf '%s\n' "$out"
assert_match "user $WHOLE " "$out"
assert_match "not set up" "$out"
# one account asked about by name without a setup: its own status, not a failure
rc=0
ecryptfs-verify-private -u "$NONE" --no-system || rc=$?
assert_eq 4 "$rc" "status for one account without eCryptfs"
