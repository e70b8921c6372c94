# ~/Private through ecryptfs-fuse (issue #15). Case 1: a kernel without
# eCryptfs (module removed, loading it refused): a login through the PAM
# stack mounts ~/Private as fuse.ecryptfs-fuse, files written there are in
# the eCryptfs format underneath, logout unmounts it, drops the keys and
# leaves no process; ecryptfs-mount-private / -umount-private do the same by
# hand. Case 2: the module back, ~/.ecryptfs/Private.fuse asks for FUSE:
# two overlapping logins share one mount, the last logout ends it. Case 3:
# the flag gone, the kernel mounts the same home and reads every file
# written through FUSE.
# ect-vm: boot=fuse-private timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/fuse/private.inc"
fuse_private_setup ecryptfs-mount-private ecryptfs-umount-private
user=$(make_user)
pw=pw-$user
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
W=$ECT_VM_WORK
mnt=$home/Private

fuse_mounted() {
	awk -v m="$1" '$2 == m && $3 == "fuse.ecryptfs-fuse" {n++} END {exit n != 1}' /proc/mounts
}
no_keys() {
	for sig in $fekek $fnek; do
		pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring ($1)"
	done
	return 0
}
user_sh() {
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups sh -c "$1"
}
# login_failed MESSAGE: fail with the helper's lines from syslog
login_failed() {
	grep -a 'ecryptfs' "$W/syslog" | tail -n 15 >&2 || true
	printf '%s\n' "$pw" | as_user "$user" ecryptfs-mount-private --password-file - >&2 || true
	fail "$1"
}

# ---- case 1: no eCryptfs in the kernel -----------------------------------
remove_module

out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	cp /proc/mounts $W/mounts.during
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo hello through fuse > $mnt/hello.txt'
") || login_failed "login session failed: $out"
printf '%s\n' "$out"
grep -q " $mnt fuse.ecryptfs-fuse " "$W/mounts.during" ||
	fail "~/Private was not an ecryptfs-fuse mount during the session: $(grep " $mnt " "$W/mounts.during")"
gone "$user" "$mnt"
no_keys "after logout"
lower=$(find "$home/.Private" -type f | head -n1)
[ -n "$lower" ] || fail "no lower file written"
case ${lower##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "lower name not encrypted: $lower" ;; esac
has_ecryptfs_marker "$lower" || fail "lower file has no eCryptfs header"
log "no kernel eCryptfs: login mounted ecryptfs-fuse, logout unmounted it, keys gone"

# Under the user's own file size limit (ulimit -f): the
# setuid helper lifts it for its writes, the user's daemon must get it back.
printf '%s\n' "$pw" | as_user "$user" sh -c 'ulimit -f 20480 && exec ecryptfs-mount-private --password-file -' ||
	login_failed "ecryptfs-mount-private failed"
fuse_mounted "$mnt" || fail "ecryptfs-mount-private did not mount ecryptfs-fuse on $mnt"
daemon=$(pgrep -u "$user" -x ecryptfs-fuse || true)
[ -n "$daemon" ] || fail "no ecryptfs-fuse process of $user"
fsize=$(awk '/^Max file size/ {print $4 " " $5}' "/proc/${daemon%%$'\n'*}/limits")
# What the same ulimit gives a plain child (sh counts blocks of 512 or 1024 bytes).
want=$(sh -c 'ulimit -f 20480 && exec awk "/^Max file size/ {print \$4 \" \" \$5}" /proc/self/limits')
assert_eq "$want" "$fsize" "the daemon's file size limit (soft hard)"
assert_eq "hello through fuse" "$(user_sh "cat $mnt/hello.txt")" "file written at login, read by hand"
user_sh "printf 'by hand' > $mnt/by-hand.txt" || fail "write through the mount made by hand"
as_user "$user" ecryptfs-umount-private || fail "ecryptfs-umount-private failed"
gone "$user" "$mnt"
no_keys "after ecryptfs-umount-private"
log "ecryptfs-mount-private / ecryptfs-umount-private: ecryptfs-fuse mounted and unmounted"

# ---- case 2: the module is there, Private.fuse asks for FUSE -------------
restore_module
grep -qw ecryptfs /proc/filesystems || fail "eCryptfs not back in /proc/filesystems"
as_user "$user" touch "$home/.ecryptfs/Private.fuse"
pam_hold_session "$user" "$pw" a
fuse_mounted "$mnt" || fail "session A did not mount ecryptfs-fuse although Private.fuse is set"
out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	awk -v m=$mnt '\$2 == m' /proc/mounts | wc -l
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'echo second session > $mnt/second.txt'
") || login_failed "session B failed: $out"
printf '%s\n' "$out"
assert_eq 1 "$(printf '%s\n' "$out" | grep -x '[0-9][0-9]*')" "mounts on $mnt seen by session B (one, not stacked)"
fuse_mounted "$mnt" || fail "closing session B unmounted session A's $mnt"
pam_user_has_key "$user" "$fekek" || fail "closing session B unlinked the keys session A needs"
touch "$W/a.go"
wait "$held_pid" || { cat "$W/a.out"; fail "session A failed"; }
gone "$user" "$mnt"
no_keys "after the last logout"
log "Private.fuse: two sessions share one ecryptfs-fuse mount, the last logout ends it"

# ---- case 3: the kernel reads what FUSE wrote ----------------------------
rm "$home/.ecryptfs/Private.fuse"
out=$(pam_session login "$user" "$pw" auth open run close -- bash -c "
	cp /proc/mounts $W/mounts.kernel
	setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups sh -c 'cat $mnt/hello.txt $mnt/by-hand.txt; echo; cat $mnt/second.txt'
") || login_failed "kernel login failed: $out"
printf '%s\n' "$out"
grep -q " $mnt ecryptfs " "$W/mounts.kernel" || fail "the kernel did not mount $mnt without Private.fuse"
printf '%s\n' "$out" | grep -x 'hello through fuse' >/dev/null || fail "kernel: hello.txt differs"
printf '%s\n' "$out" | grep -x 'by hand' >/dev/null || fail "kernel: by-hand.txt differs"
printf '%s\n' "$out" | grep -x 'second session' >/dev/null || fail "kernel: second.txt differs"
gone "$user" "$mnt"
log "the kernel mount reads every file written through ecryptfs-fuse"
