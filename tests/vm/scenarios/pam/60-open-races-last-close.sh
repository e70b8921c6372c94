# A login opening while the user's last other session closes (found by the
# load test). Session B finds ~/Private mounted with the keys in @u, so its
# PAM child skips the unwrap and runs mount.ecryptfs_private; before that
# helper takes the per-user lock, session A's logout unmounts and drops the
# keys. The helper then refuses ("key ... is not in your keyring"), and as
# pam_ecryptfs is optional the login went on without ~/Private. The window is
# made deterministic with strace holding B's execve of the helper until A has
# closed. B must end up mounted and counted once, and its logout must unmount
# and remove the keys.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
need_tool strace
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
uid=$(id -u "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK
helper=/sbin/mount.ecryptfs_private
delay_s=20

# Session A stays open until we create $W/a.go.
pam_hold_session "$user" "$pw" a
a_pid=$held_pid
pam_is_mounted "$home/Private" || fail "session A did not mount"
pam_user_has_key "$user" "$fekek" || fail "session A left no FEKEK in the keyring"

# Session B: every execve of the mount helper waits $delay_s s at its entry,
# the tracee in tracing stop. (Not --seccomp-bpf: it sets no_new_privs, and
# the helper would run without its setuid bit.)
strace_opts=(-f -qq -o "$W/b.strace" -P "$helper" -e trace=execve
	-e "inject=execve:delay_enter=${delay_s}000000")
printf '%s\n%s\n%s\n%s\n' "$pw" "$pw" "$pw" "$pw" |
	setsid -w strace "${strace_opts[@]}" "$PAM_SESSION" -D login "$user" auth open run close -- bash -c "
		grep -c ' $home/Private ecryptfs ' /proc/mounts
		echo registry=\$(cat /run/ecryptfs-tools/$uid/*.sessions 2>/dev/null | wc -l)
	" >"$W/b.out" 2>&1 &
b_pid=$!

# b_waiting: B's PAM child (the user's "pam-session") is stopped at the
# entry of an execve (x86_64 syscall 59), which only the helper's is.
b_waiting() {
	local pid st
	for pid in $(pgrep -u "$user" -x pam-session); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
		[ "$st" = t ] && grep -q '^59 ' "/proc/$pid/syscall" 2>/dev/null && return 0
	done
	return 1
}
seen=0
for _ in $(seq 1 600); do
	if b_waiting; then
		seen=$((seen + 1))
		[ "$seen" -ge 3 ] && break
	else
		seen=0
	fi
	kill -0 "$b_pid" 2>/dev/null || break
	sleep 0.2
done
[ "$seen" -ge 3 ] || { cat "$W/b.out"; fail "session B never reached the mount helper's execve"; }

# A logs out now: the last counted session, so it unmounts and drops the keys.
touch "$W/a.go"
wait "$a_pid" || { cat "$W/a.out"; fail "session A failed"; }
b_waiting || fail "session B's execve was not held until A had closed: raise delay_s ($delay_s s)"
pam_is_mounted "$home/Private" && fail "session A's logout did not unmount (the window was not hit)"
pam_user_has_key "$user" "$fekek" && fail "session A's logout left the FEKEK (the window was not hit)"
log "session A closed while session B's mount helper was held at its execve"

wait "$b_pid" || { cat "$W/b.out"; fail "session B failed"; }
out=$(cat "$W/b.out")
printf '%s\n' "$out"
if grep -q 'not in your keyring' <<<"$out"; then
	fail "session B's mount helper refused: $(grep -m1 'not in your keyring' <<<"$out")"
fi
assert_match '^1$' "$(grep -x '[0-9]*' <<<"$out")" "~/Private mounted in session B"
assert_match '^registry=1$' "$(grep '^registry=' <<<"$out")" "session B counted once in the registry"
pam_is_mounted "$home/Private" && fail "still mounted after session B closed"
pam_user_has_key "$user" "$fekek" && fail "FEKEK left after session B closed"
pam_user_has_key "$user" "$fnek" && fail "FNEK left after session B closed"
log "open racing the last close: B retried, mounted, was counted, and its logout unmounted"
