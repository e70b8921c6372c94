# Issue 12 on the guest booted by systemd: `systemctl reboot` while the user
# is logged in over ssh with the home mounted and a file written. The
# shutdown waits for no timeout, unmounts /home and leaves it clean (no
# journal to replay, fsck clean); after the boot nothing says the home is mounted, the password
# login mounts it with the data intact, and the logout locks it again.
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
	sd_private_user
	sd_hold_pw "$user" "$pw" held
	assert_eq 1 "$(head -n1 "$W/held.out")" "mounts seen by the ssh session"
	as_user_sh "$user" 'head -c 300000 /dev/urandom >~/Private/data.bin && sha256sum <~/Private/data.bin >~/sum'
	vm_reboot
fi

# After the reboot.
sd_private_user_again
cat /ect-results/home-fsck.log
assert_eq "recovery=no fsck=0" "$(cat /run/ect-vm/home-check)" "/home after systemctl reboot"
shutdown=$(cat /ect-results/last-shutdown)
log "the shutdown took $shutdown s"
# What systemd printed while shutting down (the console of the first boot
# from this scenario's start to the reset): nothing waited for a timeout,
# /home and ~/Private were unmounted.
console=$(awk -v id="$ECT_VM_ID" 'index($0, "ect-vm-start " id) == 1 {f = 1} f; f && /reboot: Restarting system/ {exit}' \
	/ect-results/console.log)
printf '%s\n' "$console" | grep -a -E 'Unmount|stop job|timed out|Failed' || true
grep -a -Eq 'A stop job is running|timed out|Failed unmounting|Failed to unmount' <<<"$console" &&
	fail "the shutdown waited for a timeout or failed to unmount"
grep -a -q 'Unmounted home.mount' <<<"$console" || fail "the shutdown did not unmount /home"
[ "$shutdown" -le 300 ] || fail "the shutdown with a user logged in took $shutdown s"
locked_now() {
	pam_is_mounted "$home/Private" && fail "$1: mounted"
	[ ! -e "/run/ecryptfs-tools/$uid" ] || fail "$1: session state left: $(ls -l "/run/ecryptfs-tools/$uid")"
	return 0
}
locked_now "after the boot"
out=$(sd_ssh_pw "$user" "$pw" "$count; sha256sum <~/Private/data.bin | cmp - ~/sum && echo intact") ||
	fail "login after the reboot failed: $out"
printf '%s\n' "$out"
assert_eq "1 intact" "$(printf '%s\n' "$out" | tr '\n' ' ' | sed 's/ $//')" "login after the reboot"
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
ecryptfs-verify-private -u "$user" || fail "verify-private after the reboot"
log "reboot while logged in: clean /home, login mounts with the data intact, logout locks"
