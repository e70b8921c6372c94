# ecryptfs-setup-swap on a GPT swap partition and a swap file, both in use:
# it refuses a partition that is not swap, asks before turning swap off,
# writes crypttab and fstab (every other line kept byte for byte), marks the
# partition "no auto" for systemd's GPT generator (CVE-2016-6224), a rerun
# changes nothing, and the crypttab lines work as systemd runs them at boot.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/swap/swap.inc"
trap swap_cleanup EXIT
make_swaps

# Not swap: refused, nothing written, the data intact.
rc=0
ecryptfs-setup-swap -f "$DATA" >out 2>err || rc=$?
cat out err
assert_eq 1 "$rc" "exit status for a partition that is not swap"
assert_match "$DATA.*not swap" "$(cat err)"
[ ! -e /etc/crypttab ] || fail "crypttab written for a non-swap partition"
mount -o ro "$DATA" data
sha256sum -c data.sum
umount data

# In use, no -f: it asks; "n" changes nothing.
rc=0
echo n | ecryptfs-setup-swap >out 2>err || rc=$?
cat out err
assert_eq 0 "$rc" "exit status after answering no"
assert_match "in use" "$(cat out)"
assert_match "Aborting" "$(cat out)"
[ ! -e /etc/crypttab ] || fail "crypttab written after answering no"
cmp /etc/fstab fstab.before || fail "fstab changed after answering no"
assert_eq "$(printf '%s\n' "$PART" "$SWAPFILE" | sort)" "$(active_swaps | sort)" "swaps after no"

# -f: done without asking.
ecryptfs-setup-swap -f </dev/null
cat /etc/crypttab /etc/fstab
assert_eq 2 "$(grep -c . /etc/crypttab)" "crypttab lines"
grep -qxE "cryptswap[0-9]+ PARTUUID=$PARTUUID /dev/urandom $CRYPT_OPTS" /etc/crypttab ||
	fail "no crypttab line for the partition"
grep -qxE "cryptswap[0-9]+ $SWAPFILE /dev/urandom $CRYPT_OPTS" /etc/crypttab ||
	fail "no crypttab line for the swap file"
# fstab: the two plain lines commented out, everything else byte for byte,
# one /dev/mapper line per crypttab name.
python3 - fstab.before /etc/fstab /etc/crypttab <<'PY' || fail "fstab not as expected"
import sys
before = open(sys.argv[1], "rb").read().split(b"\n")
after = open(sys.argv[2], "rb").read().split(b"\n")
names = [l.split()[0] for l in open(sys.argv[3], "rb").read().split(b"\n") if l.strip()]
want = [b"#" + l if l.endswith(b" swap sw 0 0") else l for l in before]
want = want[:-1] + [b"/dev/mapper/" + n + b" none swap sw 0 0" for n in names] + [b""]
print(after, want)
sys.exit(0 if after == want else 1)
PY
[ -e /etc/fstab.before-setup-swap ] && cmp /etc/fstab.before-setup-swap fstab.before
# The partition: still of the swap type, GPT attribute 63 ("no auto") set.
assert_eq "$SWAP_GUID" "$(blkid -p -o value -s PART_ENTRY_TYPE "$PART")" "partition type"
flags=$(blkid -p -o value -s PART_ENTRY_FLAGS "$PART")
assert_eq 1 "$(( (flags >> 63) & 1 ))" "GPT no-auto bit of $PART ($flags)"
assert_swaps_encrypted 2

# A rerun recognises the encrypted swap and changes nothing.
sum=$(state_sum)
ecryptfs-setup-swap -f </dev/null >out
cat out
assert_match "already encrypted" "$(cat out)"
assert_eq "$sum" "$(state_sum)" "state after a rerun"
assert_swaps_encrypted 2

# Boot: what systemd-cryptsetup-generator makes of crypttab, run by hand
# (the guest has no systemd as PID 1, and no udev for the by-partuuid link).
swapoff -a
for m in /dev/mapper/cryptswap*; do cryptsetup close "${m##*/}"; done
gen=/lib/systemd/system-generators/systemd-cryptsetup-generator
[ -x "$gen" ] || skip "no systemd-cryptsetup-generator"
mkdir -p units /dev/disk/by-partuuid
ln -sf "$PART" "/dev/disk/by-partuuid/$PARTUUID"
SYSTEMD_CRYPTTAB=/etc/crypttab "$gen" units units units
for unit in units/systemd-cryptsetup@cryptswap*.service; do
	sed -n 's/^ExecStart=//p; s/^ExecStartPost=//p' "$unit" >cmds
	cat cmds
	grep -q "systemd-makefs swap" cmds || fail "$unit makes no swap"
	while read -r cmd; do eval "$cmd" </dev/null; done <cmds
done
sed -n 's|^\(/dev/mapper/cryptswap[0-9]*\) none swap sw 0 0$|\1|p' /etc/fstab >mapped
assert_eq 2 "$(wc -l <mapped)" "fstab swap lines"
while read -r dev; do swapon "$dev"; done <mapped
assert_swaps_encrypted 2
rm -f "/dev/disk/by-partuuid/$PARTUUID"
