# Case 2: two overlapping sessions of one user. The second finds the directory
# mounted and is counted in; closing it leaves the first one's home mounted;
# closing the last one unmounts and unlinks the keys.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
pam_two_sessions "$user" "$pw" "$home/Private" "$fekek"
log "two sessions: second counted in, first keeps the mount, last one unmounts"
