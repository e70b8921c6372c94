# Issue 12 on the guest booted by systemd: a lock screen's unlock while the
# user's ssh session holds the home. A locker (light-locker through lightdm,
# a screensaver) runs the display manager's PAM stack for authenticate and
# pam_setcred(PAM_REINITIALIZE_CRED) only, no session; here pamtester does
# that with Debian's /etc/pam.d/lightdm. It must neither remount nor count a
# session: the home stays mounted once, with the session registry as it was,
# and the ssh logout, the last, still locks it. A wrong password at the lock
# screen changes nothing either.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool pamtester
pam_use_dm_services
systemctl is-active --quiet ssh.service || sd_start_sshd
sd_private_user
reg=/run/ecryptfs-tools/$uid/Private.sessions

sd_hold_pw "$user" "$pw" held
assert_eq 1 "$(head -n1 "$W/held.out")" "mounts seen by the ssh session"
before=$(cat "$reg")
pam_run lightdm "$user" "$pw" authenticate acct_mgmt 'setcred(PAM_REINITIALIZE_CRED)' ||
	fail "unlock through lightdm's stack failed"
pam_run lightdm "$user" wrong-password authenticate && fail "a wrong password unlocked"
assert_eq 1 "$(grep -c " $home/Private ecryptfs " /proc/mounts)" "mounts after the unlock (not stacked)"
assert_eq "$before" "$(cat "$reg")" "session registry after the unlock"
pam_user_has_key "$user" "$fekek" || fail "the unlock unlinked the keys"
log "unlock: authenticated, no remount, no session counted"

touch "$W/held.go"
wait "$sd_held_pid" || { cat "$W/held.out"; fail "the ssh session failed"; }
sd_wait_locked "$user" $(($(sd_stop_delay) + 20))
[ ! -s "$reg" ] || fail "sessions left registered: $(cat "$reg")"
log "the ssh logout after the unlock locked the home"
