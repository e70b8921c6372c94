# The built packages (dpkg-buildpackage -us -uc -b writes them next to the
# source tree) installed with dpkg: pam-auth-update enables the module once,
# the helper is setuid root in /usr/sbin, a user's password login mounts
# ~/Private and logout locks it. Remove keeps the home and ~/.ecryptfs and
# cleans PAM; purge removes only /run/ecryptfs-tools; reinstall works again.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
debdir=$(dirname "$ECT_SRCDIR")
tools=$(ls -t "$debdir"/ecryptfs-tools_*_amd64.deb 2>/dev/null | head -n1)
lib=$(ls -t "$debdir"/libecryptfs-tools0_*_amd64.deb 2>/dev/null | head -n1)
dev=$(ls -t "$debdir"/libecryptfs-tools-dev_*_amd64.deb 2>/dev/null | head -n1)
[ -n "$tools" ] && [ -n "$lib" ] && [ -n "$dev" ] ||
	skip "no built ecryptfs-tools/libecryptfs-tools0/-dev .deb in $debdir (build them: cd $ECT_SRCDIR && dpkg-buildpackage -us -uc -b)"
[ -x "$PAM_SESSION" ] || skip "tests/pam/pam-session is not built"
log "packages: $tools $lib"

common="/etc/pam.d/common-auth /etc/pam.d/common-session /etc/pam.d/common-password"
# dpkg_do ARGS...: dpkg without the man-db trigger (minutes under TCG).
dpkg_do() { DEBIAN_FRONTEND=noninteractive dpkg --no-triggers "$@" >"$ECT_VM_WORK/dpkg.log" 2>&1 || fail "dpkg $* failed: $(tail -n 20 "$ECT_VM_WORK/dpkg.log")"; }
# module_lines: how many pam_ecryptfs lines the common stacks hold.
module_lines() { cat $common | grep -c 'pam_ecryptfs\.so' || true; }

# The guest has the staged build installed by hand; the packages take its
# place, as they would on a machine where `make install` ran before.
dpkg_do -i "$lib" "$dev" "$tools"
assert_eq "root 4755" "$(stat -c '%U %a' /usr/sbin/mount.ecryptfs)" "owner and mode of /usr/sbin/mount.ecryptfs"
assert_eq "/usr/sbin/mount.ecryptfs" "$(readlink -f /usr/sbin/mount.ecryptfs_private)" "mount.ecryptfs_private"
assert_file /usr/lib/x86_64-linux-gnu/security/pam_ecryptfs.so
grep -qx ecryptfs /usr/lib/modules-load.d/ecryptfs-tools.conf || fail "modules-load.d does not load ecryptfs"
assert_eq 3 "$(module_lines)" "pam_ecryptfs lines in common-auth/session/password after install"
grep -q 'optional.*pam_ecryptfs\.so unwrap' /etc/pam.d/common-auth || fail "common-auth: $(grep ecryptfs /etc/pam.d/common-auth)"
dpkg-divert --list | grep -q ecryptfs-tools && fail "diversions left: $(dpkg-divert --list | grep ecryptfs-tools)"
# The autopkgtests (debian/tests) against the installed packages.
for t in installed-layout private-mount; do
	out=$(AUTOPKGTEST_TMP=$ECT_VM_WORK sh "$ECT_SRCDIR/debian/tests/$t" 2>&1) || fail "debian/tests/$t: $out"
	log "$out"
done

user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	cp /proc/mounts $ECT_VM_WORK/mounts.during
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo packaged > $home/Private/hello.txt'
") || fail "login session failed: $out"
grep -q " $home/Private ecryptfs " "$ECT_VM_WORK/mounts.during" || fail "~/Private was not mounted during the login"
pam_is_mounted "$home/Private" && fail "~/Private still mounted after logout"
[ ! -e "$home/Private/hello.txt" ] || fail "cleartext visible after logout"
out=$(ecryptfs-verify-private -u "$user" --no-system 2>&1) || fail "ecryptfs-verify-private -u $user: $out"
log "login mounted ~/Private, logout locked it; verify-private: ok"

sums_before=$(tree_sums "$home")
dpkg_do -r ecryptfs-tools
assert_eq 0 "$(module_lines)" "pam_ecryptfs lines after remove"
[ -e /usr/share/pam-configs/ecryptfs-tools ] && fail "profile left after remove"
assert_eq "$sums_before" "$(tree_sums "$home")" "the home (with ~/.ecryptfs and ~/.Private) after remove"
mkdir -p /run/ecryptfs-tools
dpkg_do -P ecryptfs-tools
[ -e /run/ecryptfs-tools ] && fail "purge left /run/ecryptfs-tools"
assert_eq "$sums_before" "$(tree_sums "$home")" "the home after purge"

dpkg_do -i "$tools"
assert_eq 3 "$(module_lines)" "pam_ecryptfs lines after reinstall"
out=$(pam_session login "$user" "$pw" auth acct open run close -- \
	cat "$home/Private/hello.txt") || fail "login after reinstall failed: $out"
case $out in *packaged*) ;; *) fail "file not readable after reinstall: $out" ;; esac
log "remove: PAM clean, home untouched; purge: /run/ecryptfs-tools gone; reinstall: login reads the file"
