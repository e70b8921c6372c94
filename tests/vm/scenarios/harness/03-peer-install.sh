# peer_install puts Debian's ecryptfs-utils 111 into the guest the way dpkg
# does (its own boot group, since it changes the guest's PAM stack and
# /sbin for every later scenario of the boot).
# ect-vm: boot=peer timeout=420
peer_install
dpkg-query -W -f='${Status}\n' ecryptfs-utils | grep 'install ok installed' >/dev/null ||
	fail "ecryptfs-utils not installed: $(dpkg-query -W -f='${Status}' ecryptfs-utils 2>&1)"
assert_eq "root 4755" "$(stat -c '%U %a' /sbin/mount.ecryptfs_private)" "mount.ecryptfs_private owner and mode"
grep -q pam_ecryptfs /etc/pam.d/common-auth || fail "pam-auth-update did not add pam_ecryptfs to common-auth"
assert_file /lib/x86_64-linux-gnu/security/pam_ecryptfs.so
sigs=$(insert_passphrase "harness 03 passphrase" ecryptfs-add-passphrase)
key_exists "${sigs% *}" || fail "the installed ecryptfs-add-passphrase did not add its key"
