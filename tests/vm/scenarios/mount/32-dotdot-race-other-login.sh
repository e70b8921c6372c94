# Issue #10 finding 1: user B's ALIAS.conf source is ~/X/ + "y/.." x 700 +
# "../../../home/A/.Private" while B moves X between ~/X and ~/p/q/r/X.
# The kernel's ".." follows the real parent, so a walk that succeeds ends in
# B's own ~/p/home/A/.Private; a811726 named it by popping one name per "..",
# so /proc/mounts showed A's lower directory as the source of B's mount, and
# A's login (pam_ecryptfs and the helper decided "already mounted" by
# matching the source string) skipped A's mount. Now the name is the fd's,
# and "mounted" is decided by identity: A's login must mount A's real lower
# directory, whatever B managed.
# ect-vm: timeout=900
need_tool mount.ecryptfs_private ecryptfs-add-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
A=$(make_user)
pam_setup_private "$A" "pw-$A"
HA=$(pam_home "$A")
pam_service ect-race <<EOP
auth required pam_unix.so
auth optional pam_ecryptfs.so
session required pam_permit.so
session optional pam_ecryptfs.so
EOP
# a marker written through A's normal login tells A's real lower directory apart
out=$(pam_session ect-race "$A" "pw-$A" auth open run close -- \
	setpriv --reuid="$A" --regid="$(id -g "$A")" --clear-groups sh -c "echo real >$HA/Private/marker") ||
	fail "A's first login failed: $out"

new_user # B
quick_private
as_user "$U" mkdir -p "$H/p$HA/.Private" "$H/mnt"
alias_conf evil "$(dotdot_path "$H" "../../..$HA/.Private")" "$H/mnt"
tries=$(dotdot_race "$H" evil)
line=$(awk -v m="$H/mnt" '$2 == m && $3 == "ecryptfs"' /proc/mounts)
log "B: $tries attempts; B's mount: ${line:-none}"
# B's mount may exist, but its source must name what it really is
case $line in
"$HA/.Private "*) log "B's mount claims A's lower directory as its source" ;;
"" | "$H/"*) ;;
*) fail "unexpected source of B's mount: $line" ;;
esac

# A logs in: ~/Private must be A's real lower directory
out=$(pam_session ect-race "$A" "pw-$A" auth open run close -- sh -c \
	"cp /proc/mounts $ECT_VM_WORK/mounts.A; cat $HA/Private/marker >$ECT_VM_WORK/marker.A 2>&1 || true") ||
	fail "A's login failed: $out"
printf '%s\n' "$out"
grep -q "^$HA/.Private $HA/Private ecryptfs " "$ECT_VM_WORK/mounts.A" ||
	fail "A's login did not mount $HA/Private (B's mount: ${line:-none})"
assert_eq real "$(cat "$ECT_VM_WORK/marker.A")" "A's file through A's login mount"
pam_is_mounted "$HA/Private" && fail "A's logout left $HA/Private mounted"
# and the helper itself, without PAM
marker=$(printf '%s\n' "pw-$A" | as_user_sh "$A" \
	"ecryptfs-insert-wrapped-passphrase-into-keyring ~/.ecryptfs/wrapped-passphrase - >/dev/null && /sbin/mount.ecryptfs_private && cat ~/Private/marker") ||
	fail "A's mount.ecryptfs_private failed"
mounted_at "$HA/Private" || fail "mount.ecryptfs_private said OK but did not mount $HA/Private"
assert_eq real "$(printf '%s\n' "$marker" | tail -n1)" "A's file through the helper"
as_user "$A" /sbin/umount.ecryptfs_private || fail "A's unmount failed"
mounted_at "$HA/Private" && fail "A's unmount left $HA/Private mounted"
:
