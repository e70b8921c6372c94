# Swap: an unencrypted swap file is a failure (status 1, fix
# ecryptfs-setup-swap); swap on dm-crypt with a throwaway key is fine.
# ect-vm: timeout=300
. "$ECT_SRCDIR/tests/vm/scenarios/recover/verify.inc"
need_tool mkswap swapon swapoff dmsetup losetup
make_setup
swapoff -a 2>/dev/null || true
dd if=/dev/zero of=swap.img bs=1M count=16 2>/dev/null
chmod 600 swap.img
mkswap swap.img >/dev/null
swapon swap.img || skip "swapon of a file is not possible here"
verify_expect swap fail 1 --sample=8
swapoff swap.img
modprobe dm-crypt || skip "no dm-crypt"
loop=$(losetup -f --show swap.img)
key=$(head -c 64 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
dmsetup create ect-vm-cryptswap --uuid CRYPT-PLAIN-ect-vm-cryptswap \
	--table "0 $(blockdev --getsz "$loop") crypt aes-xts-plain64 $key 0 $loop 0"
mkswap /dev/mapper/ect-vm-cryptswap >/dev/null
swapon /dev/mapper/ect-vm-cryptswap
verify_expect swap ok 0 --sample=8
swapoff /dev/mapper/ect-vm-cryptswap
dmsetup remove ect-vm-cryptswap
losetup -d "$loop"
