# lightdm and gdm3's real PAM service files (from their Debian packages):
# authenticate + open_session mounts, close_session unmounts; the greeter's
# lock screen path (auth only) does not count.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
pam_use_dm_services
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
for service in lightdm gdm-password; do
	out=$(pam_session "$service" "$user" "$pw" auth acct open run close -- \
		grep -c " $home/Private ecryptfs " /proc/mounts) || fail "$service session failed: $out"
	assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted through $service"
	pam_is_mounted "$home/Private" && fail "$service: still mounted after close_session"
	pam_session "$service" "$user" "$pw" auth >/dev/null || fail "$service auth failed"
	pam_is_mounted "$home/Private" && fail "$service: auth alone mounted"
	log "$service: mounted for the session, unmounted after, auth alone does nothing"
done
