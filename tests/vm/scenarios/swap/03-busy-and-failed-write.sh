# ecryptfs-setup-swap runs once at a time: while another run holds its lock
# it stops with one line and exit status 3, changing nothing. When the
# tables cannot be written after the swap in use was turned off (here /etc
# is read-only in a mount namespace of its own), the swap that was on is
# turned on again, as it was, and it says so.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/swap/swap.inc"
need_tool flock unshare
trap swap_cleanup EXIT
make_swaps
lock=/run/ecryptfs-setup-swap.lock
was_on=$(printf '%s\n' "$PART" "$SWAPFILE" | sort)

# another run holds the lock (-o: flock alone holds it, so killing flock frees it)
flock -o "$lock" sleep 300 &
holder=$!
for _ in $(seq 100); do flock -n "$lock" true || break; sleep 0.1; done
flock -n "$lock" true && fail "the stand-in run did not take the lock"
sum=$(state_sum)
rc=0
ecryptfs-setup-swap -f </dev/null >out 2>err || rc=$?
cat out err
kill "$holder"
wait "$holder" 2>/dev/null || :
flock -n "$lock" true || fail "the lock is still held after the stand-in run ended"
assert_eq 3 "$rc" "exit status while another run holds the lock"
assert_eq 1 "$(wc -l <err)" "error lines"
grep -q "another ecryptfs-setup-swap is running" err || fail "no clear error for a run under way"
assert_eq "$sum" "$(state_sum)" "tables and partition table while locked out"
assert_eq "$was_on" "$(active_swaps | sort)" "swap while locked out"
[ ! -e /etc/crypttab ] || fail "crypttab was written while locked out"

# the tables cannot be written once swap is off
rc=0
unshare -m sh -c 'mount --bind /etc /etc && mount -o remount,bind,ro /etc &&
	exec ecryptfs-setup-swap -f' </dev/null >out 2>err || rc=$?
cat out err
assert_eq 1 "$rc" "exit status when /etc is read-only"
grep -q "cannot write /etc/crypttab" err || fail "no clear error for the table write"
# turned on from its mount namespace, which is gone now: /proc/swaps names them
# relative to their mounts there, so count them and see that none is on dm-crypt
assert_eq 2 "$(active_swaps | wc -l)" "swap areas on after the failed write"
active_swaps | grep mapper >/dev/null && fail "a swap area on dm-crypt after the failed write"
grep -q "$PART is on again, unencrypted as before" err || fail "it did not say $PART is on again"
grep -q "$SWAPFILE is on again, unencrypted as before" err ||
	fail "it did not say $SWAPFILE is on again"
cmp fstab.before /etc/fstab || fail "fstab changed"
[ ! -e /etc/crypttab ] || fail "crypttab was written"

# off again by their own names: /proc/swaps no longer gives usable ones
swapoff "$PART"
swapoff "$SWAPFILE"
log "one run at a time (exit 3); a failed table write turns the plain swap on again"
