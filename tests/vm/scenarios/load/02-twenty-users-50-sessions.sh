# Load: 50 real PAM logins and logouts spread over 20 users (two each, ten
# more at random), overlapping at random (see load.inc): per user one mount
# while any of their sessions is open, registry = their open sessions, and
# afterwards no mount, key, registry entry or process of any of them.
# Prints each phase's time.
# ect-vm: timeout=3600
. "$ECT_SRCDIR/tests/vm/scenarios/load/load.inc"
load_init
load_users l2u 20
load_run 30 10 10
