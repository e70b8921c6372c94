# The regression suite (tests/regress: every test class of ecryptfs-utils'
# tests/kernel, our own code) against the kernel module of the guest.
# ect-vm: timeout=900
need_tool ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/regress.inc"
regress_run kernel
