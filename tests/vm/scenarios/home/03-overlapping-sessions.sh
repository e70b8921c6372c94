# Two overlapping login sessions of a user with a whole encrypted home made
# by ecryptfs-setup-private -b: the second is counted in, closing it leaves
# the first one's home mounted and its keys loaded; closing the last one
# unmounts the home and unlinks the keys.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
home_begin
home_setup_ours "$user" "$pw" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
fekek=$(sed -n 1p "/home/.ecryptfs/$user/.ecryptfs/Private.sig")

pam_two_sessions "$user" "$pw" "$home" "$fekek"
log "two sessions of a whole home: second counted in, first keeps the mount, last one unmounts"
