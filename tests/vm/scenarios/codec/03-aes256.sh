# Library codec vs the kernel with AES-256 (ecryptfs_key_bytes=32): kernel-written
# trees decrypt bit-exactly with the codec and codec-written trees read
# through a kernel mount; header in file and xattr, names encrypted or not.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/codec/codec.inc"
codec_run 32
