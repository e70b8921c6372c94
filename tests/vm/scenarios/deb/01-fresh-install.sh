# A fresh install: `apt install ./....deb` of the three packages on a system
# without ecryptfs-utils (the guest has no network: apt resolves from what
# is installed). pam-auth-update enables the module once, the helper is
# setuid root in /usr/sbin, modules-load.d loads eCryptfs, no diversion is
# left. The autopkgtests (debian/tests) pass against the installed packages.
# Root gives a new user a whole encrypted home (setup-private -b); the
# user's login through Debian's `login` stack mounts it, logout locks it,
# and ecryptfs-verify-private finds nothing wrong.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/deb/deb.inc"
deb_need_packages
assert_eq not-installed "$(deb_status ecryptfs-utils)" "ecryptfs-utils before the install"
deb_install
log "installed: ${DEB_FILES[*]}"
deb_helper_ok
assert_file /usr/lib/x86_64-linux-gnu/security/pam_ecryptfs.so
grep -qx ecryptfs /usr/lib/modules-load.d/ecryptfs-tools.conf || fail "modules-load.d does not load ecryptfs"
deb_pam_ours
dpkg-divert --list | grep ecryptfs && fail "diversions left after a fresh install"

# The autopkgtests, by hand (autopkgtest itself needs a network or a testbed image).
for t in $(sed -n 's/^Tests: *//p' "$ECT_SRCDIR/debian/tests/control"); do
	mkdir -p "$ECT_VM_WORK/autopkgtest-$t"
	out=$(cd "$ECT_VM_WORK/autopkgtest-$t" && AUTOPKGTEST_TMP=$ECT_VM_WORK/autopkgtest-$t \
		sh "$ECT_SRCDIR/debian/tests/$t" 2>&1) || fail "debian/tests/$t: $out"
	log "debian/tests/$t: $out"
done

user=$(make_user)
pw=pw-$user
home=$(pam_home "$user")
find "$home" -mindepth 1 -delete
printf '%s\n' "$pw" | ecryptfs-setup-private -b -u "$user" --password-file - --nopwcheck --kdf-floor \
	>"$ECT_VM_WORK/setup.log" 2>&1 || { cat "$ECT_VM_WORK/setup.log"; fail "ecryptfs-setup-private -b -u $user"; }
pam_is_mounted "$home" && fail "setup left the home mounted"
out=$(deb_login "$user" "$pw" "$home" "echo packaged >$home/hello.txt && cat $home/hello.txt")
assert_match packaged "$out" "the file written during the login"
[ ! -e "$home/hello.txt" ] || fail "cleartext visible after logout"
out=$(deb_login "$user" "$pw" "$home" "cat $home/hello.txt")
assert_match packaged "$out" "the file at the second login"
out=$(ecryptfs-verify-private -u "$user" --no-system 2>&1) || fail "ecryptfs-verify-private -u $user: $out"
log "$out"
log "fresh install: login mounted the whole home, logout locked it; verify-private: ok"
