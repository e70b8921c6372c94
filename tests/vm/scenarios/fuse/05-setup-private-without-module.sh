# ecryptfs-setup-private on a machine whose kernel has no eCryptfs (issue
# #15): the module removed and loading it refused, setup succeeds because
# ecryptfs-fuse is installed, its self-test mounts through FUSE, it writes
# no Private.fuse (the helper falls back to FUSE on ENODEV by itself, and
# the same home mounts through the kernel once the module is back). A PAM
# login then mounts ~/Private through ecryptfs-fuse, logout unmounts it and
# drops the keys, and ecryptfs-verify-private passes and says FUSE. setup
# -b refuses in one line on such a machine. With the module back, --fuse
# writes Private.fuse and login mounts through FUSE although the kernel
# could. Fails on a setup-private that refuses without the module.
# ect-vm: boot=fuse-private timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/private.inc"
fuse_private_setup ecryptfs-setup-private ecryptfs-verify-private
W=$ECT_VM_WORK

# login_write USER PW TAG: a PAM login writes TAG into ~/Private/TAG.txt and
# notes the mount table during the session in $W/mounts.TAG
login_write() {
	local user=$1 pw=$2 tag=$3 mnt out
	mnt=$(pam_home "$user")/Private
	out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
		cp /proc/mounts $W/mounts.$tag
		setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo $tag > $mnt/$tag.txt'
	") || {
		grep -a 'ecryptfs' "$W/syslog" | tail -n 15 >&2 || true
		fail "login of $user ($tag) failed: $out"
	}
}
# verify_ok USER WORD: ecryptfs-verify-private -u USER exits 0, reports no
# WARN or FAIL, and its output matches WORD
verify_ok() {
	local out
	out=$(ecryptfs-verify-private -v -u "$1" --no-system 2>&1) ||
		fail "ecryptfs-verify-private -u $1 failed: $out"
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -E '^ *(warn|fail) ' >/dev/null && fail "verify-private -u $1 warns: $out"
	printf '%s\n' "$out" | grep -E "$2" >/dev/null || fail "verify-private -u $1 does not say '$2': $out"
	return 0
}

# ---- case 1: no eCryptfs in the kernel: setup, login, logout, verify ------
remove_module

user=$(make_user)
pw=pw-$user
home=$(pam_home "$user")
mnt=$home/Private
pam_setup_private "$user" "$pw"
grep 'Testing succeeded' "$W/setup-$user.log" >/dev/null ||
	{ cat "$W/setup-$user.log"; fail "setup-private did not run its self-test"; }
[ ! -e "$home/.ecryptfs/Private.fuse" ] ||
	fail "setup-private wrote Private.fuse without --fuse (the ENODEV fallback needs none)"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
[ -n "$fnek" ] || fail "setup-private without the module did not enable filename encryption"
# the self-test mounted with eCryptfs still absent and unloadable: through FUSE
grep -qw ecryptfs /proc/filesystems && fail "setup-private loaded eCryptfs although it is refused"
grep 'mounted through ecryptfs-fuse' "$W/setup-$user.log" >/dev/null ||
	{ cat "$W/setup-$user.log"; fail "setup-private did not say it uses ecryptfs-fuse"; }
log "setup-private without the module: done through ecryptfs-fuse, no Private.fuse written"

login_write "$user" "$pw" nomod
grep " $mnt fuse.ecryptfs-fuse " "$W/mounts.nomod" >/dev/null ||
	fail "~/Private was not an ecryptfs-fuse mount during the login: $(grep " $mnt " "$W/mounts.nomod")"
gone "$user" "$mnt"
for sig in $fekek $fnek; do
	pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring after logout"
done
lower=$(find "$home/.Private" -type f | head -n1)
case ${lower##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "lower name not encrypted: $lower" ;; esac
has_ecryptfs_marker "$lower" || fail "lower file has no eCryptfs header"
log "login mounted ~/Private through ecryptfs-fuse, logout unmounted it, keys gone"
verify_ok "$user" 'no eCryptfs.*ecryptfs-fuse'

# mounted: verify-private names the FUSE mount
pam_hold_session "$user" "$pw" held
out=$(ecryptfs-verify-private -v -u "$user" --no-system 2>&1) || fail "verify-private while mounted: $out"
printf '%s\n' "$out" | grep -E 'mounted .*ecryptfs-fuse' >/dev/null ||
	fail "verify-private does not say ~/Private is mounted through ecryptfs-fuse: $out"
touch "$W/held.go"
wait "$held_pid" || { cat "$W/held.out"; fail "held session failed"; }
gone "$user" "$mnt"
log "verify-private: all pass, names the ecryptfs-fuse mount"

# ---- case 2: setup -b needs the kernel's eCryptfs --------------------------
buser=$(make_user)
out=$(printf 'x\n' | ecryptfs-setup-private -b -u "$buser" --password-file - --nopwcheck --kdf-floor 2>&1) &&
	fail "setup-private -b succeeded without eCryptfs in the kernel: $out"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep 'kernel' >/dev/null || fail "setup -b refusal does not name the kernel: $out"
[ ! -e "/home/.ecryptfs/$buser" ] || fail "setup -b left /home/.ecryptfs/$buser behind"
log "setup-private -b without the module: refused in one line, nothing created"

# ---- case 3: the module back; the kernel mounts the same home ---------------
restore_module
grep -qw ecryptfs /proc/filesystems || fail "eCryptfs not back in /proc/filesystems"
out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	cp /proc/mounts $W/mounts.kernel
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups cat $mnt/nomod.txt
") || fail "kernel login failed: $out"
grep " $mnt ecryptfs " "$W/mounts.kernel" >/dev/null || fail "the kernel did not mount $mnt"
printf '%s\n' "$out" | grep -x nomod >/dev/null || fail "kernel: nomod.txt differs: $out"
gone "$user" "$mnt"
verify_ok "$user" 'kernel'
log "module back: the kernel mounts the home set up through FUSE"

# ---- case 4: --fuse with the module present ---------------------------------
fuser=$(make_user)
fpw=pw-$fuser
printf '%s\n' "$fpw" | as_user "$fuser" ecryptfs-setup-private --fuse --nopwcheck --kdf-floor \
	--password-file - >"$W/setup-fuse.log" 2>&1 ||
	{ cat "$W/setup-fuse.log"; fail "ecryptfs-setup-private --fuse"; }
fhome=$(pam_home "$fuser")
[ -f "$fhome/.ecryptfs/Private.fuse" ] || fail "--fuse wrote no Private.fuse"
as_user "$fuser" keyctl clear @u
login_write "$fuser" "$fpw" flag
grep " $fhome/Private fuse.ecryptfs-fuse " "$W/mounts.flag" >/dev/null ||
	fail "--fuse: login did not mount through ecryptfs-fuse: $(grep " $fhome/Private " "$W/mounts.flag")"
gone "$fuser" "$fhome/Private"
verify_ok "$fuser" 'Private.fuse is set'
log "--fuse: Private.fuse written, login mounts through ecryptfs-fuse with the module loaded"
