# Case 6: passwd(1) as the user rewraps: the new password logs in and mounts,
# the old one no longer does, and the v2 file the user started with is
# upgraded to v3 on the way (the upgrade-at-password-change path). Then root's `passwd USER`
# (no old password): a marker is left, the next login is told how to
# recover, and the recovery with the mount passphrase makes logins work again.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool script
user=$(make_user)
pw=pw-$user
pam_setup_private --v2 "$user" "$pw"
home=$(pam_home "$user")
mp=$(cat "$ECT_VM_WORK/mountpass-$user")
new="N3w-$user-phrase"
assert_eq 2 "$(pam_wrap_version "$user")" "wrapped-passphrase version before passwd"
newer="N3wer-$user-phrase"

pam_typed "$ECT_VM_WORK/passwd.out" "$pw" "$new" "$new" -- as_user "$user" script -qfec passwd /dev/null ||
	{ cat "$ECT_VM_WORK/passwd.out"; fail "passwd as the user failed"; }
assert_eq 3 "$(pam_wrap_version "$user")" "wrapped-passphrase version after passwd"
out=$(pam_session login "$user" "$new" auth open run close -- grep -c " $home/Private ecryptfs " /proc/mounts) ||
	fail "login with the new password failed: $out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted with the new password"
pam_session login "$user" "$pw" auth >/dev/null && fail "the old password still logs in"
log "passwd as the user: rewrapped (v3), new password mounts, old one refused"

pam_typed "$ECT_VM_WORK/rootpasswd.out" "$newer" "$newer" -- script -qfec "passwd $user" /dev/null ||
	{ cat "$ECT_VM_WORK/rootpasswd.out"; fail "root's passwd $user failed"; }
cat "$ECT_VM_WORK/rootpasswd.out"
assert_file "$home/.ecryptfs/wrapped-passphrase.stale"
grep -q 'from-mount-passphrase' "$ECT_VM_WORK/rootpasswd.out" || fail "root was not told about the recovery"
out=$(pam_session login "$user" "$newer" auth open close) || true
printf '%s\n' "$out"
assert_match 'changed without your old one' "$out" "message at the next login"
assert_match 'from-mount-passphrase' "$out" "recovery hint at the next login"
pam_is_mounted "$home/Private" && fail "mounted although the password does not unwrap"

# Recovery with the mount (recovery) passphrase (floor cost: the calibrated
# one was proven above, by the upgrade at passwd).
if ecryptfs-rewrap-passphrase --help 2>&1 | grep -- --from-mount-passphrase >/dev/null; then
	printf '%s\n%s\n' "$mp" "$newer" |
		as_user "$user" ecryptfs-rewrap-passphrase --from-mount-passphrase --kdf-floor \
		"$home/.ecryptfs/wrapped-passphrase" - \
		>"$ECT_VM_WORK/recover.out" 2>&1 ||
		{ cat "$ECT_VM_WORK/recover.out"; fail "ecryptfs-rewrap-passphrase --from-mount-passphrase failed"; }
else
	log "project's ecryptfs-rewrap-passphrase --from-mount-passphrase not installed: 111's wrap stands in"
	rm "$home/.ecryptfs/wrapped-passphrase"
	printf '%s\n%s' "$mp" "$newer" | as_user "$user" env LD_LIBRARY_PATH="$ECT_PEER/usr/lib/x86_64-linux-gnu" \
		"$ECT_PEER/usr/bin/ecryptfs-wrap-passphrase" "$home/.ecryptfs/wrapped-passphrase" - ||
		fail "111 wrap failed"
fi
out=$(pam_session login "$user" "$newer" auth open run close -- grep -c " $home/Private ecryptfs " /proc/mounts) ||
	fail "login after recovery failed: $out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounted after recovery"
[ ! -e "$home/.ecryptfs/wrapped-passphrase.stale" ] || fail "marker left after a login that unlocked"
log "root's passwd: marked, explained at login, recovered with the mount passphrase"
