# Case 2: two overlapping sessions of one user. The second finds the directory
# mounted and is counted in; closing it leaves the first one's home mounted;
# closing the last one unmounts and unlinks the keys.
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

# Session A stays open until we create $W/a.go.
pam_hold_session "$user" "$pw" a
a_pid=$held_pid
pam_is_mounted "$home/Private" || fail "session A did not mount"

out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	grep -c ' $home/Private ecryptfs ' /proc/mounts
") || fail "session B failed: $out"
printf '%s\n' "$out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounts seen by session B (one, not stacked)"
pam_is_mounted "$home/Private" || fail "closing session B unmounted session A's home"
pam_user_has_key "$user" "$fekek" || fail "closing session B unlinked the keys session A needs"

touch "$W/a.go"
wait "$a_pid" || { cat "$W/a.out"; fail "session A failed"; }
pam_is_mounted "$home/Private" && fail "still mounted after the last session closed"
pam_user_has_key "$user" "$fekek" && fail "keys left after the last session closed"
log "two sessions: second counted in, first keeps the mount, last one unmounts"
