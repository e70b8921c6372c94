# Reinstalling loses and duplicates nothing: after `apt install ./....deb`
# (over 111 again when 03 left it installed), `apt install --reinstall` and
# a remove followed by an install leave the PAM stacks, the diversions, the
# helper's owner and setuid bit, modules-load.d and every packaged file as
# they were; a user's login still mounts and finds the files.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/deb/deb.inc"
deb_need_packages
W=$ECT_VM_WORK
deb_install
deb_pam_ours
deb_helper_ok
first=$(deb_snapshot)
log "after install: $first"
assert_match '^diversions: 0$' "$(printf '%s\n' "$first" | grep '^diversions:')" "diversions"
printf '%s\n' "$first" | grep -E '^(missing|twice):' && fail "files missing or listed twice after the install"

deb_install --reinstall
assert_eq "$first" "$(deb_snapshot)" "the system after apt install --reinstall"
dpkg -r ecryptfs-tools >>"$W/apt.log" 2>&1 || fail "dpkg -r ecryptfs-tools"
deb_pam_clean
deb_install
assert_eq "$first" "$(deb_snapshot)" "the system after remove and install"
deb_install
assert_eq "$first" "$(deb_snapshot)" "the system after installing the same version again"

# A user: 02's ~/Private user if this boot ran it, else a new one.
a=$(deb_state_get a)
if [ -n "$a" ]; then
	ha=$(pam_home "$a")
	want=$(cat /run/ect-vm/deb-sums-a)
else
	a=$(make_user)
	ha=$(pam_home "$a")
	pam_setup_private "$a" "pw-$a"
	out=$(deb_login "$a" "pw-$a" "$ha/Private" "echo r >$ha/Private/r.txt")
	want=$(cd "$W" && echo r >r.txt && sha256sum r.txt | sed 's#  r.txt#  ./r.txt#')
fi
out=$(deb_login "$a" "pw-$a" "$ha/Private" \
	"cd $ha/Private && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum")
assert_eq "$want" "$(printf '%s\n' "$out" | grep '^[0-9a-f]\{64\}  ')" "the files after the reinstalls"
log "reinstall: nothing lost or duplicated; the login finds the files"
