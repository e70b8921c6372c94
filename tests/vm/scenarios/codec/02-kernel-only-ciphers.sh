# The two eCryptfs ciphers libgcrypt lacks, CAST-256 (cast6) and CAST5 with
# 8-byte keys, which the library runs on the kernel's crypto API through
# AF_ALG (lib/core/crypto-afalg.c). In this guest the kernel offers both:
# the backend's known-answer and CBC test (tests/unit/test-crypto-kernel,
# which skips on hosts without AF_ALG) must pass here, not skip; then the
# codec and the kernel module read each other's trees for cast6-32 (names
# encrypted, header in the file) and cast5-8 (header in the xattr). The
# other sizes and both ways through ecryptfs-fuse are in fuse/07 (opt-in).
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/codec/codec.inc"
modprobe -a cast5 cast6 algif_skcipher 2>/dev/null || true
unit=$ECT_BUILDDIR/tests/unit/test-crypto-kernel
[ -x "$unit" ] || skip "tests/unit/test-crypto-kernel is not built"
rc=0
"$unit" >unit.log 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat unit.log >&2; fail "test-crypto-kernel failed or skipped (status $rc)"; }
log "test-crypto-kernel: $(grep -c '^\[       OK' unit.log) cases passed"
codec_setup
codec_case 32 0 1 cast6
codec_case 8 1 0 cast5
codec_done
