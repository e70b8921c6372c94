# The upgrade from Debian's ecryptfs-utils 111: with 111 installed (its PAM
# profile enabled, auth required) and two users it set up, one ~/Private
# (ecryptfs-setup-private) and one whole home (setup-private -b), each with
# files written through 111's tools, `apt install ./....deb` replaces it (Conflicts/Replaces). The PAM
# stacks then hold this project's module once and 111's profile not at all;
# /sbin/mount.ecryptfs_private, which 111 shipped under the aliased /sbin,
# is this package's setuid helper (the protective diversions did their job
# and are gone). Both users log in through Debian's `login` stack and find
# their files; the logins upgrade their wrapped passphrases to v3.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/deb/deb.inc"
deb_need_packages
need_peer
W=$ECT_VM_WORK
# Back to a system without these packages (01 installed them).
# --no-triggers: libc-bin's ldconfig waits for the upgrade's apt run, which
# runs the pending triggers (one ldconfig instead of three); 111's tools
# meanwhile find libecryptfs.so.1 in the default library path.
if [ "$(deb_status ecryptfs-tools)" != not-installed ]; then
	# shellcheck disable=SC2086
	dpkg --purge --no-triggers $DEB_PKGS >>"$W/apt.log" 2>&1 || fail "dpkg --purge: $(tail -n 20 "$W/apt.log")"
fi
deb_pam_clean
peer_install
assert_eq installed "$(deb_status ecryptfs-utils)" "ecryptfs-utils"
grep -Eq '^auth[[:space:]]+required[[:space:]]+pam_ecryptfs\.so unwrap' /etc/pam.d/common-auth ||
	fail "111's profile is not in common-auth: $(grep pam_ecryptfs /etc/pam.d/common-auth)"

# files_cmd DIR: shell code printing the sums of DIR's files (as tree_sums).
files_cmd() { echo "cd $1 && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum"; }

# A: ~/Private by 111's ecryptfs-setup-private; A writes files in it with
# 111's tools (its keys from the wrapped passphrase, its mount helper).
a=$(make_user)
ha=$(pam_home "$a")
pam_setup_private --111 "$a" "pw-$a"
out=$(printf '%s' "pw-$a" | deb_111_private "$a" "mkdir -p $ha/Private/d && echo private-$a >$ha/Private/d/f.txt &&
	head -c 200000 /dev/urandom >$ha/Private/big && $(files_cmd "$ha/Private")")
sums_a=$(printf '%s\n' "$out" | grep '^[0-9a-f]\{64\}  ')
[ "$(printf '%s\n' "$sums_a" | wc -l)" = 2 ] || fail "A's files under 111: $out"

# B: a whole home by 111's setup-private -b, run by root with the password;
# it leaves the home mounted with root's keys: skel and files go in there.
b=$(make_user)
hb=$(pam_home "$b")
find "$hb" -mindepth 1 -delete
ecryptfs-setup-private -b -u "$b" -l "pw-$b" --nopwcheck </dev/null >"$W/setup-b.log" 2>&1 ||
	{ cat "$W/setup-b.log"; fail "111's setup-private -b"; }
pam_is_mounted "$hb" || fail "111's -b did not leave $hb mounted"
cp -a /etc/skel/. "$hb/"
mkdir "$hb/docs" && echo "home-$b" >"$hb/docs/g.txt" && head -c 300000 /dev/urandom >"$hb/docs/big"
chown -R "$b:$b" "$hb" && chmod 700 "$hb"
sums_b=$(tree_sums "$hb")
umount "$hb"
keyctl clear @u >/dev/null
# B's v2 file, for its mount passphrase later (this project's unwrap is
# several times faster than 111's under TCG).
cp "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase" "$W/wrapped-b.v2"
assert_eq 2 "$(pam_wrap_version "$a")" "A's wrapped passphrase version under 111"
assert_eq 2 "$(pam_wrap_version "$b")" "B's wrapped passphrase version under 111"

# The upgrade.
deb_install
log "apt: $(grep -E '^(The following|  )' "$W/apt.log" | tr -s ' ' | tr '\n' ' ')"
case $(deb_status ecryptfs-utils) in
not-installed | config-files) ;;
*) fail "ecryptfs-utils is still $(deb_status ecryptfs-utils)" ;;
esac
deb_pam_ours
deb_helper_ok
dpkg-divert --list | grep ecryptfs && fail "diversions left after the upgrade"

out=$(deb_login "$a" "pw-$a" "$ha/Private" "$(files_cmd "$ha/Private")")
assert_eq "$sums_a" "$(printf '%s\n' "$out" | grep '^[0-9a-f]\{64\}  ')" "A's files after the upgrade"
out=$(deb_login "$b" "pw-$b" "$hb" "$(files_cmd "$hb")")
assert_eq "$sums_b" "$(printf '%s\n' "$out" | grep '^[0-9a-f]\{64\}  ')" "B's files after the upgrade"
assert_eq 3 "$(pam_wrap_version "$a")" "A's wrapped passphrase after a login with this package"
assert_eq 3 "$(pam_wrap_version "$b")" "B's wrapped passphrase after a login with this package"

deb_state_set a "$a"
deb_state_set b "$b"
deb_state_set mp_a "$(cat "$W/mountpass-$a")"
mp_b=$(printf '%s' "pw-$b" | ecryptfs-unwrap-passphrase "$W/wrapped-b.v2" - | tail -n1)
assert_match '^[0-9a-f]{32}$' "$mp_b" "B's mount passphrase"
deb_state_set mp_b "$mp_b"
printf '%s\n' "$sums_a" >/run/ect-vm/deb-sums-a
printf '%s\n' "$sums_b" >/run/ect-vm/deb-sums-b
log "111 replaced; both users' files intact after logins through the packaged module; wrapped passphrases now v3"
