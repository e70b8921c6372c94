# Issue 11, the bootstrap against ecryptfs-utils 111 (unpacked peer):
#  a. our `-b` without a password, the password set outside PAM (usermod -p):
#     the first login wraps the waiting passphrase, removes it and mounts;
#  b. our /dev/shm file is taken by 111's own pam_ecryptfs at the first
#     password change (its chauthtok wraps it, v2), and our login then mounts;
#  c. 111's `ecryptfs-setup-private -b` without a password writes the same
#     file as ours (name, owner, mode, bare 32 hex digits), and our PAM
#     module wraps it at the first password change; the login mounts.
# ect-vm: timeout=1500
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_peer
need_tool ecryptfs-setup-private openssl
W=$ECT_VM_WORK

# login_mounts USER PASSWORD: a login mounts the home (then the runner's or our unmount)
login_mounts() {
	local out home
	home=$(pam_home "$1")
	out=$(pam_session login "$1" "$2" auth open run close -- grep -c " $home ecryptfs " /proc/mounts) ||
		fail "login of $1 failed: $out"
	assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "$1's home mounted at login"
	# The -b layout without 111's links in the mounted home may stay mounted (issue 11, item 1).
	pam_is_mounted "$home" && umount -l "$home"
	return 0
}
shm_attrs() { # the attributes 111 gives /dev/shm/.ecryptfs-USER, USER replaced by "U"
	stat -c '%U %a %F %s' "/dev/shm/.ecryptfs-$1" | sed "s/^$1 /U /"
	grep -qE '^[0-9a-f]{32}$' "/dev/shm/.ecryptfs-$1" && echo hex
}

# a. first login
a=$(make_user "$(printf '%s' "$ECT_VM_ID" | md5sum | cut -c1-7)a")
ecryptfs-setup-private -b -u "$a" </dev/null >"$W/setup-a.out" 2>&1 ||
	{ cat "$W/setup-a.out"; fail "our -b -u $a without a password"; }
ours=$(shm_attrs "$a")
usermod -p "$(openssl passwd -6 "first-$a")" "$a"
login_mounts "$a" "first-$a"
[ ! -e "/dev/shm/.ecryptfs-$a" ] || fail "first login left /dev/shm/.ecryptfs-$a"
assert_eq "$a 600" "$(stat -c '%U %a' "/home/.ecryptfs/$a/.ecryptfs/wrapped-passphrase")" "wrapped at first login"
login_mounts "$a" "first-$a"
log "a: the first login wrapped the bootstrap passphrase and mounts; so does the next"

# b. 111's pam_ecryptfs takes our file
b=$(make_user "$(printf '%s' "$ECT_VM_ID" | md5sum | cut -c1-7)b")
ecryptfs-setup-private -b -u "$b" </dev/null >"$W/setup-b.out" 2>&1 ||
	{ cat "$W/setup-b.out"; fail "our -b -u $b without a password"; }
lib=/usr/lib/x86_64-linux-gnu
[ -e "$lib/libecryptfs.so.1" ] || { cp -a "$ECT_PEER$lib"/libecryptfs.so.1* "$lib/" && ldconfig; }
pam_service ect-passwd-111 <<EOF
password [success=1 default=ignore] pam_unix.so yescrypt
password requisite pam_deny.so
password required pam_permit.so
password optional $ECT_PEER/lib/x86_64-linux-gnu/security/pam_ecryptfs.so
EOF
pam_session ect-passwd-111 "$b" "by111-$b" chauthtok || fail "chauthtok through 111's module"
[ ! -e "/dev/shm/.ecryptfs-$b" ] || fail "111's chauthtok did not take our /dev/shm/.ecryptfs-$b"
assert_eq 2 "$(od -An -tu1 -j1 -N1 "/home/.ecryptfs/$b/.ecryptfs/wrapped-passphrase" | tr -d ' ')" \
	"111 wrote a v2 file"
login_mounts "$b" "by111-$b"
log "b: 111's pam_ecryptfs wrapped our bootstrap file; our login mounts"

# c. 111's -b file, taken by our module
c=$(make_user "$(printf '%s' "$ECT_VM_ID" | md5sum | cut -c1-7)c")
hc=$(pam_home "$c")
find "$hc" -mindepth 1 -delete # 111 wants an empty home
peer_env ecryptfs-setup-private -b -u "$c" </dev/null >"$W/setup-c.out" 2>&1 ||
	{ cat "$W/setup-c.out"; fail "111's -b -u $c without a password"; }
pam_is_mounted "$hc" && umount -l "$hc" # 111 leaves it mounted for adduser's skel copy
keyctl clear @u
assert_eq "$ours" "$(shm_attrs "$c")" "our /dev/shm file and 111's"
[ ! -e "/home/.ecryptfs/$c/.ecryptfs/wrapped-passphrase" ] || fail "111 wrapped without a password?"
printf '%s:%s\n' "$c" "ours-$c" | chpasswd || fail "chpasswd $c"
[ ! -e "/dev/shm/.ecryptfs-$c" ] || fail "our chauthtok did not take 111's /dev/shm/.ecryptfs-$c"
login_mounts "$c" "ours-$c"
log "c: 111's -b writes the file as ours does; our chauthtok wrapped it; login mounts"
