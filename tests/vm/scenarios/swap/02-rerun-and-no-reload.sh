# ecryptfs-setup-swap -n writes the configuration but leaves the running
# swap alone; a rerun then recognises the crypttab entries and changes
# nothing; a swap area given by name that is not in use needs no question.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/swap/swap.inc"
trap swap_cleanup EXIT
make_swaps

ecryptfs-setup-swap -n </dev/null >out
cat out /etc/crypttab
assert_eq 2 "$(grep -c . /etc/crypttab)" "crypttab lines"
assert_eq "$(printf '%s\n' "$PART" "$SWAPFILE" | sort)" "$(active_swaps | sort)" "swaps after -n"
flags=$(blkid -p -o value -s PART_ENTRY_FLAGS "$PART")
assert_eq 1 "$(( (flags >> 63) & 1 ))" "GPT no-auto bit of $PART ($flags)"

sum=$(state_sum)
ecryptfs-setup-swap -n </dev/null >out
cat out
assert_match "already in /etc/crypttab" "$(cat out)"
assert_eq "$sum" "$(state_sum)" "state after a rerun"

# Not in use and named: set up and turned on without a question.
swapoff -a
rm /etc/crypttab
cp fstab.before /etc/fstab
ecryptfs-setup-swap "$SWAPFILE" </dev/null >out
cat out
assert_eq 1 "$(grep -c . /etc/crypttab)" "crypttab lines"
assert_swaps_encrypted 1
