# ecryptfs-setup-private -b moves the files of the home, then removes their
# plain copies: a process of the user (a login, a cron job) would write into
# the plain home meanwhile, or keep a file open there. So -b refuses while
# the user has a process (or a logind or registered session): exit status 1,
# one line naming it, nothing made (no tree, no state or lock file, no
# links, the plain files where they were). Once the process is gone the
# same command sets the home up.
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
need_tool ecryptfs-setup-private
W=$ECT_VM_WORK
U=$(make_user)
H=$(pam_home "$U")
word="plain-marker-$U"
as_user_sh "$U" "echo '$word' >~/keep.txt"
before=$(find "$H" -printf '%P %y %m %u\n' | LC_ALL=C sort)
setup() {
	home_setup_ours "$U" "pw-$U" >"$W/out" 2>&1 </dev/null
}

as_user "$U" sleep 600 >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do pgrep -u "$U" -x sleep >/dev/null && break; sleep 0.1; done
pid=$(pgrep -u "$U" -x sleep) || fail "the user's process did not start"
rc=0
setup || rc=$?
cat "$W/out"
assert_eq 1 "$rc" "with a process of $U: exit status"
err=$(grep '^ecryptfs-setup-private: ' "$W/out" || true)
[ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] || fail "not one error line: $(cat "$W/out")"
assert_match "$U is logged in or has processes \\(process $pid\\)" "$err" "the error line"
[ ! -e "/home/.ecryptfs/$U" ] || fail "a refused setup made /home/.ecryptfs/$U"
[ ! -e "/home/.ecryptfs/.setup-$U" ] && [ ! -e "/home/.ecryptfs/.setup-$U.lock" ] ||
	fail "a refused setup left its state or lock file: $(ls -A /home/.ecryptfs)"
assert_eq "$before" "$(find "$H" -printf '%P %y %m %u\n' | LC_ALL=C sort)" "the plain home"

kill -KILL "$pid"
wait "$holder" 2>/dev/null || :
for _ in $(seq 50); do pgrep -u "$U" >/dev/null || break; sleep 0.1; done
setup || { cat "$W/out"; fail "the setup once $U has no process"; }
[ -L "$H/README.txt" ] && [ ! -e "$H/keep.txt" ] || fail "the home was not set up: $(ls -A "$H")"
home_plain_nowhere "$U" "$word"
log "refused while $U had process $pid (one line, nothing made); set up once it was gone"
