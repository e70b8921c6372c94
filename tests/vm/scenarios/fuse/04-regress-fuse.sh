# The regression suite (tests/regress) against ecryptfs-fuse: the same
# cases as fuse/03, each on a fresh lower directory mounted through FUSE.
# ect-vm: timeout=2400
# ect-vm: boot=regress
# ect-vm: optin=ECT_VM_REGRESS
need_tool ecryptfs-add-passphrase ecryptfs-fuse fusermount3
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/regress.inc"
regress_run fuse
