# ecryptfs-fuse against the kernel module on one lower directory, both
# ways (issue #15): a tree written through the kernel reads the same
# through ecryptfs-fuse; then files created, overwritten, truncated down
# and up, renamed, linked and removed through FUSE read the same through
# the kernel, which then appends to a FUSE-written file that FUSE reads
# back. Names of 1..143 bytes (144: ENAMETOOLONG through both), a file of
# several 256 KiB batches written with odd block sizes, symlinks short and
# long (encrypted targets). Two setups: AES-128 with the header in the
# file, AES-256 with the header in the user.ecryptfs xattr. Then AES-192
# with a small tree each way (cipher_both_ways in both-ways.inc; every
# other cipher the kernel offers, blowfish's 8-byte blocks among them, is
# fuse/07's, opt-in with ECT_VM_REGRESS=1).
# ect-vm: timeout=1500
need_tool ecryptfs-fuse fusermount3 ecryptfs-add-passphrase
modprobe fuse 2>/dev/null || true
[ -c /dev/fuse ] || skip "no /dev/fuse in the guest (fuse module missing)"

. "$ECT_SRCDIR/tests/vm/scenarios/fuse/both-ways.inc"

set -- $(insert_passphrase "fuse scenario passphrase" ecryptfs-add-passphrase)
sig=$1 fnek=$2

# The plain reference tree; every change below is made to it as well.
mkdir -p ref/dir/sub
for n in 0 1 4095 4096 4097 270001; do
	random_file "ref/size-$n" "$n"
done
for len in 1 16 17 143; do
	printf '%s' "$len" >"ref/dir/$(printf '%*s' "$len" '' | tr ' ' 'n')"
done
printf 'deep' >ref/dir/sub/file
ln -s size-4096 ref/short-link
ln -s "$(printf '%200s' '' | tr ' ' 'd')/x" ref/long-link
long144=$(printf '%144s' '' | tr ' ' 'm')

fuse_case() {
	local kb=$1 xattr=$2 tag opts d
	tag="aes-$kb xattr=$xattr"
	opts="ecryptfs_sig=$sig,ecryptfs_fnek_sig=$fnek,ecryptfs_cipher=aes,ecryptfs_key_bytes=$kb"
	[ "$xattr" = 1 ] && opts="$opts,ecryptfs_xattr_metadata"
	d=$PWD/$kb-$xattr
	mkdir -p "$d/lower" "$d/kernel" "$d/fuse"
	rm -rf exp && cp -a ref exp

	# kernel -> FUSE
	mount -i -t ecryptfs "$d/lower" "$d/kernel" -o "$opts" || fail "kernel mount $tag"
	cp -a ref/. "$d/kernel/"
	umount -i "$d/kernel"
	ecryptfs-fuse "$d/lower" "$d/fuse" -o "$opts" || fail "ecryptfs-fuse mount $tag"
	check "kernel->fuse same tree $tag" same_tree exp "$d/fuse"
	check "fuse statfs name max 143 $tag" test "$(stat -f -c %l "$d/fuse")" = 143
	check "fuse refuses a 144-byte name $tag" sh -c "! touch '$d/fuse/$long144' 2>err && grep -q 'too long' err"

	# FUSE -> kernel: the same changes to exp and through FUSE
	for t in exp "$d/fuse"; do
		head -c 1000003 /dev/zero | tr '\0' 'q' >big.src
		dd if=big.src of="$t/big" bs=7001 status=none
		printf 'over' | dd of="$t/size-4097" bs=1 seek=4094 conv=notrunc status=none
		truncate -s 5000 "$t/size-270001"
		truncate -s 70000 "$t/size-4095"
		mv "$t/size-1" "$t/dir/moved"
		mv "$t/dir/sub" "$t/sub-moved"
		rm "$t/size-0"
		mkdir "$t/newdir"
		printf 'new' >"$t/newdir/$(printf '%143s' '' | tr ' ' 'z')"
		ln -s newdir/missing "$t/new-link"
		ln -s "$(printf '%300s' '' | tr ' ' 'e')" "$t/new-long-link"
		mkdir "$t/empty" && rmdir "$t/empty"
		ln "$t/size-4096" "$t/dir/hard-link"
	done
	check "fuse reads its own writes $tag" same_tree exp "$d/fuse"
	fuse_unmount "$d/fuse"
	mount -i -t ecryptfs "$d/lower" "$d/kernel" -o "$opts" || fail "kernel remount $tag"
	check "fuse->kernel same tree $tag" same_tree exp "$d/kernel"
	check "kernel refuses a 144-byte name $tag" sh -c "! touch '$d/kernel/$long144' 2>/dev/null"
	printf 'kernel tail' >>"$d/kernel/big"
	printf 'kernel tail' >>exp/big
	umount -i "$d/kernel"

	# and back: the kernel's append through FUSE
	ecryptfs-fuse "$d/lower" "$d/fuse" -o "$opts" || fail "ecryptfs-fuse remount $tag"
	check "kernel append -> fuse $tag" cmp exp/big "$d/fuse/big"
	check "fuse tree after the kernel's append $tag" same_tree exp "$d/fuse"
	fuse_unmount "$d/fuse"
}

fuse_case 16 0
fuse_case 32 1

# The third AES key size, a small tree both ways with encrypted names:
# AES-192 (its 24-byte key wrapped as 32), 107 s at host load ~24. The
# other ciphers are fuse/07's (opt-in, every one the kernel offers):
# blowfish-448 (an 8-byte block: other IVs, padding and longest name;
# 159 s at load ~24) left the default run to keep check-all under its
# hour, as twofish-256 (90 s) had before it.
cipher_both_ways "$sig" "$fnek" aes 24

# Clear errors: a key that is not in the keyring, a refused option.
mkdir -p errcase/lower errcase/mnt
check "missing key exits 2" sh -c \
	"ecryptfs-fuse errcase/lower errcase/mnt -o ecryptfs_sig=0123456789abcdef 2>err.log; test \$? = 2"
check "mount helper key option refused" sh -c \
	"ecryptfs-fuse errcase/lower errcase/mnt -o ecryptfs_sig=$sig,key=passphrase:passphrase_passwd=secret 2>err.log; test \$? = 1 && ! grep -q secret err.log"
[ "$fuse_fails" -eq 0 ] || fail "$fuse_fails fuse check(s) failed"
