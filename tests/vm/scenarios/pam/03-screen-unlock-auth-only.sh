# Case 3: a screen unlocker calls only pam_authenticate, as the user. It must
# not mount, not count a session, not add keys and start no process, whether
# the home is locked or mounted by a running session.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK

unlock() {
	printf '%s\n' "$pw" | as_user "$user" "$PAM_SESSION" login "$user" auth
}

# Locked home: unlocking the screen must not mount it.
out=$(unlock) || fail "auth as the user failed: $out"
printf '%s\n' "$out"
pam_is_mounted "$home/Private" && fail "auth alone mounted the home"
pam_user_has_key "$user" "$fekek" && fail "auth alone added keys"
[ -z "$(pam_counter "$user")" ] || [ "$(pam_counter "$user")" = 0 ] || fail "auth alone counted a session"

# Mounted by a running session: unlocking changes nothing.
pam_session login "$user" "$pw" auth open run close -- bash -c "
	touch $W/ready; while [ ! -e $W/go ]; do sleep 0.2; done" >"$W/s.out" 2>&1 &
s_pid=$!
for _ in $(seq 1 300); do [ -e "$W/ready" ] && break; sleep 0.2; done
[ -e "$W/ready" ] || { cat "$W/s.out"; fail "session did not open"; }
before_count=$(pam_counter "$user")
before_procs=$(pgrep -c -u "$user" || true)
for _ in 1 2 3; do
	unlock >/dev/null || fail "screen unlock failed"
done
assert_eq "$before_count" "$(pam_counter "$user")" "session counter after three unlocks"
assert_eq "$before_procs" "$(pgrep -c -u "$user" || true)" "processes of $user after unlocks"
touch "$W/go"
wait "$s_pid" || { cat "$W/s.out"; fail "session failed"; }
pam_is_mounted "$home/Private" && fail "unlocks kept the home mounted after logout (they were counted)"
log "auth-only unlocks: no mount, no key, no count, no process"
