# The PAM child reads the ~/.ecryptfs its parent looked into, never the name
# again (issue 10's rule: check and act through the same fd). The parent
# peeks at ~/.ecryptfs (auto-mount is there), forks the child, and the child
# is held by strace at its setuid to the user. Meanwhile ~/.ecryptfs is
# swapped for a copy without auto-mount. A child that reopened the name would
# read the copy, find no auto-mount and leave ~/Private locked; reading
# through the parent's fd it mounts.
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
gid=$(id -g "$user")
W=$ECT_VM_WORK
delay_s=90

[ -d "$home/.ecryptfs" ] && [ ! -L "$home/.ecryptfs" ] || fail "~/.ecryptfs is not a directory"
cp -a "$home/.ecryptfs" "$home/.ecryptfs.other"
rm "$home/.ecryptfs.other/auto-mount"

# Every process's first setuid (x86_64 syscall 105) waits $delay_s s at its
# entry; the PAM child's is its switch to the user, after the parent's peek.
# A process is let go at its execve (-b execve): the setuid helper the child
# runs, and the child it forks to open ~/.ecryptfs as the user (whose reply
# the helper waits for 10 s only), are not held.
strace_opts=(-f -qq -b execve -o "$W/s.strace" -e trace=setuid
	-e "inject=setuid:delay_enter=${delay_s}000000:when=1")
printf '%s\n%s\n%s\n%s\n' "$pw" "$pw" "$pw" "$pw" |
	setsid -w strace "${strace_opts[@]}" "$PAM_SESSION" -D login "$user" auth open run close -- \
	bash -c "grep -c ' $home/Private ecryptfs ' /proc/mounts || :" >"$W/s.out" 2>&1 &
s_pid=$!

# child_held: a pam-session process that already took the user's group
# (setgid is done) is stopped at the entry of setuid.
child_held() {
	local pid
	for pid in $(pgrep -x pam-session); do
		awk -v g="$gid" '/^Gid:/ {exit !($2 == g)}' "/proc/$pid/status" 2>/dev/null &&
			held_at_syscall 105 "$pid" && return 0
	done
	return 1
}
wait_held "$s_pid" child_held ||
	{ cat "$W/s.out"; fail "the PAM child was never seen held at its setuid"; }

# the swap, while the child has not yet read a thing
mv "$home/.ecryptfs" "$home/.ecryptfs.checked"
mv "$home/.ecryptfs.other" "$home/.ecryptfs"
held_at_syscall 105 "$HELD_PID" || fail "the child was not held through the swap: raise delay_s ($delay_s s)"
log "~/.ecryptfs swapped for a copy without auto-mount while the PAM child was held"

wait "$s_pid" || { cat "$W/s.out"; fail "the login failed"; }
out=$(cat "$W/s.out")
printf '%s\n' "$out"
assert_match '^1$' "$(grep -x '[0-9]*' <<<"$out")" \
	"~/Private mounted from the ~/.ecryptfs the parent checked (0: the child reopened the name)"
pam_is_mounted "$home/Private" && fail "still mounted after the logout"
log "the PAM child read the checked tree, not the swapped name"
