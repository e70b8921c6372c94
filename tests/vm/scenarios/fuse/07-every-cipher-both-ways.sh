# Every cipher and key size the guest kernel offers to eCryptfs, both ways
# between the kernel module and ecryptfs-fuse (issue #15). The list comes
# from the running kernel: for each cipher of the kernel's eCryptfs table
# (aes, blowfish, des3_ede, cast5, cast6, twofish; ecryptfs_cipher_code_str_map)
# every key size in its /proc/crypto range is tried, and offered are those
# with which `mount -t ecryptfs` succeeds and a file is written and read
# back. For each: a small tree with encrypted names through the kernel read
# through ecryptfs-fuse and the reverse, the same longest name on both, the
# lower headers naming that cipher and size (cipher_both_ways). What the
# kernel offers and the codec lacks is listed in codec_gaps below: for
# those, ecryptfs-fuse must refuse the mount in one line naming the cipher;
# any other refusal fails. Opt-in (ECT_VM_REGRESS=1): each combination costs
# 90-160 s under TCG at host load ~24 and each probed size ~4 s; fuse/01
# runs the AES ones (128, 192, 256) in the default run, and only this
# scenario the others (blowfish's 8-byte blocks among them).
# ect-vm: timeout=1500
# ect-vm: boot=regress
# ect-vm: optin=ECT_VM_REGRESS
need_tool ecryptfs-fuse fusermount3 ecryptfs-add-passphrase
modprobe fuse 2>/dev/null || true
[ -c /dev/fuse ] || skip "no /dev/fuse in the guest (fuse module missing)"
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/both-ways.inc"

# Offered by the kernel, not by the codec: none. libgcrypt has no CAST-256
# and no 12-round CAST5 of short keys (RFC 2144); the library runs those on
# the kernel's crypto API (AF_ALG), which this guest has. A size listed here
# must be refused by ecryptfs-fuse in one line.
codec_gaps=" "

set -- $(insert_passphrase "every cipher passphrase" ecryptfs-add-passphrase)
sig=$1 fnek=$2
modprobe -a aes blowfish des3_ede cast5 cast6 twofish algif_skcipher 2>/dev/null || true
ran=() gaps=() offered=0
for c in aes blowfish des3_ede cast5 cast6 twofish; do
	range=$(crypto_key_range "$c")
	sizes=$(kernel_key_sizes "$sig" "$c" | tr '\n' ' ')
	log "kernel: $c: /proc/crypto key sizes ${range:-none}, eCryptfs files with: ${sizes:-none}"
	for kb in $sizes; do
		offered=$((offered + 1))
		case $codec_gaps in
		*" $c:$kb "*)
			mkdir -p "gap-$c-$kb/lower" "gap-$c-$kb/mnt"
			check "ecryptfs-fuse refuses $c-$kb (a known codec gap) in one line" sh -c "
				! ecryptfs-fuse gap-$c-$kb/lower gap-$c-$kb/mnt \
					-o ecryptfs_sig=$sig,ecryptfs_cipher=$c,ecryptfs_key_bytes=$kb 2>err &&
				test \$(wc -l <err) = 1 && grep -F '$c with $kb key bytes is not supported' err"
			gaps+=("$c-$kb")
			;;
		*)
			cipher_both_ways "$sig" "$fnek" "$c" "$kb"
			ran+=("$c-$kb")
			;;
		esac
	done
done
[ "$offered" -gt 0 ] || fail "the kernel offered no cipher at all"
log "both ways: ${ran[*]}"
log "offered by the kernel, not by the codec: ${gaps[*]:-none}"
[ "$fuse_fails" -eq 0 ] || fail "$fuse_fails check(s) failed"
