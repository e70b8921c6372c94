# A ~/Private set up by this project with --wrap-format v2 mounts with
# ecryptfs-utils 111's ecryptfs-mount-private (its tools, its setuid helper).
# ect-vm: timeout=300
need_peer
need_tool ecryptfs-setup-private mount.ecryptfs_private script
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
out=$(setup_private --wrap-format v2) || fail "setup failed: $out"
assert_eq ":" "$(head -c1 "$H/.ecryptfs/wrapped-passphrase")" "v2 marker"
assert_eq 02 "$(od -An -tx1 -j1 -N1 "$H/.ecryptfs/wrapped-passphrase" | tr -d ' ')" "v2 version byte"
printf '%s\n' "$PW" | as_user "$U" ecryptfs-mount-private --password-file - || fail "our mount"
as_user_sh "$U" 'echo "written by ours" > ~/Private/from-ours'
as_user "$U" ecryptfs-umount-private || fail "our umount"
trap peer_helper_off EXIT
peer_helper_on
# 111's script wants a terminal for its password prompt: give it one
out=$( (sleep 2; printf '%s\n' "$PW"; sleep 8) | as_user_peer "$U" script -qefc ecryptfs-mount-private /dev/null 2>&1) ||
	fail "111 ecryptfs-mount-private failed: $out"
printf '%s\n' "$out"
mounted_at "$H/Private" || fail "111 did not mount it"
assert_eq "written by ours" "$(cat "$H/Private/from-ours")" "file written under ours, read under 111"
as_user_peer "$U" /sbin/umount.ecryptfs_private || fail "111 umount"
peer_helper_off
trap - EXIT
:
