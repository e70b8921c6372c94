# The library codec against the kernel, both ways: kernel-written trees
# decrypt bit-exactly with the codec, codec-written trees read correctly
# through a kernel mount (and take kernel appends). AES key sizes 16/24/32,
# header in the file or the xattr, filename encryption on or off: four
# mount setups that cover every (header place, filename encryption) pair
# and every key size, to stay within the suite's time budget under TCG
# (the full 12-setup product passed once with the same checks).
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/codec/codec.inc"
codec_setup
codec_case 16 0 1
codec_case 16 1 0
codec_case 24 1 1
codec_case 32 0 0
codec_done
