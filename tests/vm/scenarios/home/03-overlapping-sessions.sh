# Two overlapping login sessions of a user with a whole encrypted home made
# by ecryptfs-setup-private -b: the second is counted in, closing it leaves
# the first one's home mounted and its keys loaded; closing the last one
# unmounts the home and unlinks the keys.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool ecryptfs-setup-private
W=$ECT_VM_WORK
user=$(make_user)
pw=pw-$user
home=$(pam_home "$user")
home_setup_ours "$user" "$pw" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
fekek=$(sed -n 1p "/home/.ecryptfs/$user/.ecryptfs/Private.sig")

# Session A stays open until we create $W/a.go.
pam_session login "$user" "$pw" auth open run close -- bash -c "
	touch $W/a.ready
	while [ ! -e $W/a.go ]; do sleep 0.2; done
" >"$W/a.out" 2>&1 &
a_pid=$!
for _ in $(seq 1 300); do [ -e "$W/a.ready" ] && break; sleep 0.2; done
[ -e "$W/a.ready" ] || { cat "$W/a.out"; fail "session A did not open"; }
pam_is_mounted "$home" || fail "session A did not mount the home"

out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	grep -c ' $home ecryptfs ' /proc/mounts
") || fail "session B failed: $out"
printf '%s\n' "$out"
assert_match '^1$' "$(printf '%s\n' "$out" | grep -x '[0-9]*')" "mounts seen by session B (one, not stacked)"
pam_is_mounted "$home" || fail "closing session B unmounted session A's home"
pam_user_has_key "$user" "$fekek" || fail "closing session B unlinked the keys session A needs"

touch "$W/a.go"
wait "$a_pid" || { cat "$W/a.out"; fail "session A failed"; }
pam_is_mounted "$home" && fail "still mounted after the last session closed"
pam_user_has_key "$user" "$fekek" && fail "keys left after the last session closed"
log "two sessions of a whole home: second counted in, first keeps the mount, last one unmounts"
