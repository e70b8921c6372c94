# Load: 50 real PAM logins and logouts of one user, overlapping at random
# (see load.inc): the home is mounted once while any session is open, the
# registry counts exactly the open sessions, and once all have closed no
# mount, key, registry entry or process is left. Prints each phase's time.
# ect-vm: timeout=2400
. "$ECT_SRCDIR/tests/vm/scenarios/load/load.inc"
load_init
load_users l1u 1
load_run 30 10 10
