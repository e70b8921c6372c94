# The regression suite (tests/regress: every test class of ecryptfs-utils'
# tests/kernel, our own code) against the kernel module of the guest.
# Opt-in (ECT_VM_REGRESS=1): ~450 s under TCG on a loaded 2-core host,
# each of fuse/03 and 04, too long for the default run.
# ect-vm: timeout=2400
# ect-vm: boot=regress
# ect-vm: optin=ECT_VM_REGRESS
need_tool ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/regress.inc"
regress_run kernel
