# ecryptfs-utils 111's bootstrap: root's `setup-private -b` without a password
# leaves the mount passphrase in /dev/shm/.ecryptfs-USER until the first
# password change or login wraps it. verify-private reports it, and its
# advice never leads to losing that only copy: it says how to wrap it, never
# to remove it; following the advice by hand gives a wrapped passphrase that
# unwraps to the same mount passphrase, and the copy is still there.
# ect-vm: timeout=600
# ect-vm: boot=verify-home
. "$ECT_SRCDIR/tests/vm/scenarios/recover/whole-home.inc"
empty_home_user
peer_setup_b
SHM=/dev/shm/.ecryptfs-$U
W=/home/.ecryptfs/$U/.ecryptfs/wrapped-passphrase
assert_file "$SHM"
[ ! -e "$W" ] || fail "111 wrapped the passphrase although no password was given"
cp "$SHM" shm.saved
verify_expect bootstrap-passphrase warn 3
byhand=$(python3 - v.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fs = [f for u in d["users"] for f in u["findings"]]
for f in fs:
    for bad in ("rm ", "shred", "unlink", "delete"):
        if bad in f["fix"] or bad in f["message"]:
            sys.exit("advice that loses the passphrase: %s / %s" % (f["message"], f["fix"]))
f = [f for f in fs if f["check"] == "bootstrap-passphrase"][0]
assert "only copy" in f["message"], f["message"]
assert f["fix"].startswith("passwd "), f["fix"]
print(f["fix"].split("by hand: ", 1)[1])
PY
) || fail "bootstrap advice: $byhand"
log "following the advice by hand: $byhand"
printf '%s\n' "$PW" | ECRYPTFS_TOOLS_KDF_FLOOR=1 sh -c "$byhand" || fail "the advised command failed"
assert_eq "$U" "$(stat -c %U "$W")" "owner of the wrapped passphrase"
assert_eq "$(cat shm.saved)" "$(printf '%s\n' "$PW" | ecryptfs-unwrap-passphrase "$W" - | tail -n1)" \
	"the wrapped mount passphrase"
assert_file "$SHM"
# wrapped now, the copy still there: still no removal advice
verify_expect bootstrap-passphrase warn 3
grep -q '"fix": ""' v.json || fail "a fix is offered for the redundant copy"
