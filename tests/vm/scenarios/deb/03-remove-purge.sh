# Remove and purge after 02's upgrade, then back to ecryptfs-utils 111.
# Before that, user A takes the way back that ecryptfs-rewrap-passphrase
# offers: --wrap-format v2 (111 reads v1/v2 only). User B does not: the
# packaged module's login upgraded B's file to v3, which 111 cannot unwrap.
# - remove: the PAM stacks hold no pam_ecryptfs line and the profile is
#   gone; prerm names an eCryptfs directory still mounted (and leaves it
#   mounted), and B's v3 file and the way back; purge: /run/ecryptfs-tools (this package's state) is gone; the
#   homes, ~/.ecryptfs and the lower directories are untouched by both.
# - with 111 reinstalled: A's v2 file unwraps with 111's
#   ecryptfs-unwrap-passphrase to the mount passphrase, and 111's
#   insert-wrapped-passphrase and mount.ecryptfs_private mount ~/Private
#   with the files intact. B's v3 file: 111's unwrap fails (so would its
#   login's); 111's ecryptfs-recover-private with the mount passphrase
#   mounts the home with the files intact, and 111's
#   ecryptfs-wrap-passphrase writes a v2 file that 111 unwraps again.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/deb/deb.inc"
deb_need_packages
need_peer
W=$ECT_VM_WORK
a=$(deb_state_get a)
b=$(deb_state_get b)
[ -n "$a" ] && [ -n "$b" ] && [ "$(deb_status ecryptfs-tools)" = installed ] ||
	skip "needs deb/02's users and packages in the same boot (VM_SCENARIOS='deb/02 deb/03')"
ha=$(pam_home "$a")
hb=$(pam_home "$b")
mp_a=$(deb_state_get mp_a)
mp_b=$(deb_state_get mp_b)
files_cmd() { echo "cd $1 && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum"; }
sums_of() { printf '%s\n' "$1" | grep '^[0-9a-f]\{64\}  ' || true; }

# A's way back, before the package goes: rewrap to v2 with the same password.
printf '%s\n%s\n' "pw-$a" "pw-$a" | as_user "$a" ecryptfs-rewrap-passphrase --wrap-format v2 \
	"$ha/.ecryptfs/wrapped-passphrase" - || fail "ecryptfs-rewrap-passphrase --wrap-format v2"
assert_eq 2 "$(pam_wrap_version "$a")" "A's wrapped passphrase after the rewrap"
assert_eq 3 "$(pam_wrap_version "$b")" "B's wrapped passphrase"

# lower_sums: both users' homes as they are on disk (nothing mounted).
lower_sums() { tree_sums /home/.ecryptfs/"$b"; tree_sums "$ha"; }
before=$(lower_sums)
mkdir -p /run/ecryptfs-tools
# An eCryptfs directory in use while the package goes: prerm names it.
mkdir -p "$W/inuse-lower" "$W/inuse"
# shellcheck disable=SC2046
set -- $(insert_passphrase "inuse-$$" ecryptfs-add-passphrase)
ecryptfs_mount "$W/inuse-lower" "$W/inuse" "$1" "$2" || fail "cannot mount the in-use directory"
dpkg -r ecryptfs-tools >"$W/dpkg.log" 2>&1 || fail "dpkg -r: $(tail "$W/dpkg.log")"
grep -F "WARNING:   $W/inuse (from $W/inuse-lower)" "$W/dpkg.log" >/dev/null ||
	fail "prerm did not name the mounted $W/inuse: $(cat "$W/dpkg.log")"
is_mounted "$W/inuse" || fail "remove unmounted $W/inuse"
umount "$W/inuse"
keyctl clear @u >/dev/null
deb_pam_clean
grep -q "NOTE: $hb/.ecryptfs/wrapped-passphrase is a v3" "$W/dpkg.log" ||
	fail "prerm did not name B's v3 file: $(cat "$W/dpkg.log")"
grep -q "NOTE: $ha/" "$W/dpkg.log" && fail "prerm named A's v2 file: $(cat "$W/dpkg.log")"
[ -e /usr/sbin/mount.ecryptfs ] && fail "/usr/sbin/mount.ecryptfs left after remove"
assert_eq "$before" "$(lower_sums)" "the homes after remove"
[ -d /run/ecryptfs-tools ] || fail "remove took /run/ecryptfs-tools (only purge may)"
# shellcheck disable=SC2086
dpkg -P $DEB_PKGS >>"$W/dpkg.log" 2>&1 || fail "dpkg -P: $(tail "$W/dpkg.log")"
[ -e /run/ecryptfs-tools ] && fail "purge left /run/ecryptfs-tools"
assert_eq not-installed "$(deb_status ecryptfs-tools)" "ecryptfs-tools after purge"
deb_pam_clean
assert_eq "$before" "$(lower_sums)" "the homes after purge"
dpkg-divert --list | grep ecryptfs && fail "diversions left after purge"
log "remove and purge: PAM clean, homes untouched"

# Back to 111.
peer_install
assert_eq "$mp_a" "$(printf '%s' "pw-$a" | ecryptfs-unwrap-passphrase "$ha/.ecryptfs/wrapped-passphrase" - | tail -n1)" \
	"A's mount passphrase unwrapped by 111"
out=$(printf '%s' "pw-$a" | deb_111_private "$a" "$(files_cmd "$ha/Private")")
assert_eq "$(cat /run/ect-vm/deb-sums-a)" "$(sums_of "$out")" "A's files through 111's tools"

out=$(printf '%s' "pw-$b" | ecryptfs-unwrap-passphrase "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase" - 2>&1) &&
	fail "111 unwrapped a v3 file: $out"
log "111 on B's v3 file, as expected: $out"
# 111's recovery: its recover-private with the mount passphrase. It reads
# its answers with head -n1 and turns echo off with stty under `sh -e`, so
# it needs a terminal: script(1) gives it one (in canonical mode each
# head -n1 gets one line), fed the answers from a file.
printf 'y\nn\n%s\n' "$mp_b" >"$W/answers"
script -qec "ecryptfs-recover-private /home/.ecryptfs/$b/.Private" /dev/null <"$W/answers" >"$W/recover.log" 2>&1 ||
	fail "111's ecryptfs-recover-private: $(tr -d '\r' <"$W/recover.log")"
out=$(tr -d '\r' <"$W/recover.log")
tmpdir=$(printf '%s\n' "$out" | sed -n 's/.*Private data mounted at \[\(.*\)\].*/\1/p')
[ -n "$tmpdir" ] && pam_is_mounted "$tmpdir" || fail "111's recover-private did not mount: $out"
assert_eq "$(cat /run/ect-vm/deb-sums-b)" "$(tree_sums "$tmpdir")" "B's files through 111's recover-private"
umount "$tmpdir"
keyctl clear @u >/dev/null
# and a v2 file for 111's logins, from the mount passphrase
printf '%s\n%s' "$mp_b" "pw-$b" | ecryptfs-wrap-passphrase "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase.111" - ||
	fail "111's ecryptfs-wrap-passphrase"
chown "$b:$b" "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase.111"
mv "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase.111" "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase"
assert_eq "$mp_b" "$(printf '%s' "pw-$b" | ecryptfs-unwrap-passphrase "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase" - | tail -n1)" \
	"B's mount passphrase unwrapped by 111 after its rewrap"
log "111 again: A (rewrapped to v2) unwraps and mounts; B (v3) recovered with the mount passphrase and rewrapped by 111"
