# Issue 12 on the guest booted by systemd: power loss. A v2 user logs in over
# ssh (the login upgrades the wrapped passphrase to v3), writes and fsyncs a
# file, and keeps writing another one when the guest is reset without a sync
# (sysrq 'b'). After the boot: the journal of /home is replayed and fsck
# finds it clean, nothing says the home is mounted, the password login works
# and finds the fsynced file intact, the logout locks, verify-private passes.
# ect-vm: timeout=900 boot=systemd-reboot optin=ECT_VM_REBOOT
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
# /etc is new at every boot: the profile and sshd again.
pam_enable_profile
systemctl is-active --quiet ssh.service || sd_start_sshd
W=$ECT_VM_WORK
count='grep -c " $HOME/Private ecryptfs " /proc/mounts || true'

if [ "$(vm_phase)" = 0 ]; then
	sd_private_user --v2
	sd_hold_pw "$user" "$pw" held
	assert_eq 1 "$(head -n1 "$W/held.out")" "mounts seen by the ssh session"
	# The fsynced file (sync FILE: fsync; ext4 also commits a new file's
	# directory entry), its sum outside the encrypted directory; then an
	# unsynced writer that runs until the reset.
	as_user_sh "$user" 'head -c 300000 /dev/urandom >~/Private/synced.bin && sync ~/Private/synced.bin &&
		sha256sum <~/Private/synced.bin >~/sum && sync ~/sum'
	as_user_sh "$user" 'while :; do head -c 65536 /dev/urandom >>~/Private/unsynced.bin; done' &
	for _ in $(seq 1 50); do [ -s "$home/Private/unsynced.bin" ] && break; sleep 0.2; done
	sleep 1
	vm_reboot --crash
fi

# After the reset.
sd_private_user_again
cat /ect-results/home-fsck.log
assert_match '^recovery=(yes|no) fsck=0$' "$(cat /run/ect-vm/home-check)" "/home after the power loss"
log "/home after the power loss: $(cat /run/ect-vm/home-check)"
pam_is_mounted "$home/Private" && fail "mounted after the boot"
[ ! -e "/run/ecryptfs-tools/$uid" ] || fail "session state left: $(ls -l "/run/ecryptfs-tools/$uid")"
out=$(sd_ssh_pw "$user" "$pw" "$count; sha256sum <~/Private/synced.bin | cmp - ~/sum && echo intact") ||
	fail "login after the power loss failed: $out"
printf '%s\n' "$out"
assert_eq "1 intact" "$(printf '%s\n' "$out" | tr '\n' ' ' | sed 's/ $//')" "login after the power loss"
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
ecryptfs-verify-private -u "$user" || fail "verify-private after the power loss"
log "power loss: login works, the fsynced file is intact, logout locks, verify-private passes"
