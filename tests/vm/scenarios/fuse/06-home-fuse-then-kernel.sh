# A whole encrypted home through ecryptfs-fuse, then through the kernel
# after a reboot (issue #15). Boot 1: setup-private -b (which needs the
# kernel's eCryptfs, fuse/05), then the module removed and loading it
# refused; a login through the PAM stack mounts the home as
# fuse.ecryptfs-fuse, the user finds the files from before the setup and
# writes new ones (names and contents encrypted underneath), the logout
# unmounts it, leaves no process and drops the keys; so does the logout of a
# second login whose FUSE daemon was killed meanwhile (ENOTCONN in the
# whole home, ~/.ecryptfs included). The guest reboots
# with the same /home disk (boot group *-reboot, vm_reboot in lib.sh).
# Boot 2: the module is there again; the same home logs in through the
# kernel (type ecryptfs), every file written through FUSE reads back, new
# files are written, the logout locks it again. Opt-in (ECT_VM_REBOOT=1):
# a boot group of its own with two boots.
# ect-vm: timeout=900 boot=fuse-reboot optin=ECT_VM_REBOOT
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/private.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
fuse_private_setup ecryptfs-setup-private
W=$ECT_VM_WORK

# home_type: the file system type of the mount on $home in $W/mountinfo
# (as the session saw it), one a line.
home_type() {
	awk -v m="$home" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); break } }' \
		"$W/mountinfo"
}
# home_session 'shell code': a PAM login (Debian's login stack) whose session
# notes the mount table in $W/mountinfo and runs the code as the user in
# the home (root may not enter the user's FUSE mount), output to stdout.
home_session() {
	install -m 666 /dev/null "$W/mountinfo"
	pam_session login "$user" "$pw" auth acct open run close -- bash -c "
		cp /proc/self/mountinfo $W/mountinfo
		setpriv --reuid=$user --regid=\$(id -g $user) --init-groups sh -c 'cd $home && { $1 }'
	" >"$W/session.out" 2>&1 || {
		cat "$W/session.out" >&2
		grep -a 'ecryptfs' "$W/syslog" | tail -n 15 >&2 || true
		fail "login of $user failed"
	}
	cat "$W/session.out"
}
# locked WHEN: the home unmounted, no process of the user, the keys gone
locked() {
	gone "$user" "$home"
	for sig in $fekek $fnek; do
		pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring $1"
	done
	return 0
}

if [ "$(vm_phase)" = 0 ]; then
	user=$(make_user)
	echo "$user" >"$W/home-user"
	pw=pw-$user
	home=$(pam_home "$user")
	as_user_sh "$user" 'echo from before the setup >~/before.txt'
	home_setup_ours "$user" "$pw" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
	pam_is_mounted "$home" && fail "setup left the home mounted"
	read -r fekek fnek <<<"$(tr '\n' ' ' <"/home/.ecryptfs/$user/.ecryptfs/Private.sig")"
	[ -n "$fnek" ] || fail "setup-private -b did not enable filename encryption"

	remove_module
	out=$(home_session '
		cat before.txt
		echo written through fuse >fuse.txt
		mkdir -p fuse-dir/deep && head -c 300000 /dev/urandom >fuse-dir/deep/data
		ln -s fuse-dir/deep/data fuse-link
		sha256sum fuse-dir/deep/data
	')
	printf '%s\n' "$out"
	assert_eq fuse.ecryptfs-fuse "$(home_type)" "the home's mount type during the login without the module"
	printf '%s\n' "$out" | grep -x 'from before the setup' >/dev/null || fail "before.txt differs through FUSE: $out"
	printf '%s\n' "$out" | awk '$2 == "fuse-dir/deep/data" {print $1}' >"$W/data.sum"
	[ -s "$W/data.sum" ] || fail "no checksum of the data written through FUSE: $out"
	locked "after the FUSE logout"
	# its daemon killed during the session: every name in the home is
	# ENOTCONN, ~/.ecryptfs too; the logout still unmounts it and drops the keys
	out=$(home_session 'kill -KILL $(pgrep -u $(id -u) -x ecryptfs-fuse); sleep 0.2; ls -d . 2>&1 || true;')
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep 'Transport endpoint is not connected' >/dev/null ||
		fail "the daemon was not killed during the session: $out"
	locked "after the logout of a home whose FUSE daemon died"
	grep -qw ecryptfs /proc/filesystems && fail "eCryptfs was loaded although it is refused"
	home_lower_encrypted "$user"
	log "no eCryptfs in the kernel: the whole home logged in through ecryptfs-fuse, logout locked it"
	vm_reboot
fi

# ---- after the reboot: the kernel's eCryptfs ---------------------------------
[ "$(vm_phase)" = 1 ] || fail "rebooted $(vm_phase) times"
user=$(cat "$W/home-user")
pw=pw-$user
home=$(pam_home "$user")
read -r fekek fnek <<<"$(tr '\n' ' ' <"/home/.ecryptfs/$user/.ecryptfs/Private.sig")"
assert_eq "recovery=no fsck=0" "$(cat /run/ect-vm/home-check)" "/home after the clean reboot"
grep -qw ecryptfs /proc/filesystems || fail "eCryptfs is not in the kernel after the reboot"
is_mounted "$home" && fail "the home is mounted after the reboot, before any login"
out=$(home_session '
	cat before.txt fuse.txt
	sha256sum fuse-dir/deep/data
	readlink fuse-link
	echo written through the kernel >kernel.txt && cat kernel.txt
')
printf '%s\n' "$out"
assert_eq ecryptfs "$(home_type)" "the home's mount type at the login after the reboot"
for line in 'from before the setup' 'written through fuse' 'fuse-dir/deep/data' \
	"$(cat "$W/data.sum")  fuse-dir/deep/data" 'written through the kernel'; do
	printf '%s\n' "$out" | grep -x -F "$line" >/dev/null || fail "through the kernel: no line '$line' in: $out"
done
locked "after the kernel logout"
home_lower_encrypted "$user"
log "after the reboot the kernel mounted the same home: FUSE's files intact, new ones written, logout locked it"
