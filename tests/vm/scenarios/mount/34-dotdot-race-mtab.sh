# Issue #10 finding 4: where /etc/mtab is a regular file the helper writes
# it as root. With the race of finding 1 on the mount point (~/X/ + "y/.."
# x 700 + "../../../home/A/Private"), a811726 wrote the string it had built,
# so B's line named A's mount point; A's own unmount then removed the first
# line with that target (B's) and left A's stale line behind. Now the line
# added is the kernel's row of the new mount and an unmount removes the
# last line of exactly that source and target.
# ect-vm: timeout=600
need_tool mount.ecryptfs_private ecryptfs-add-passphrase perl
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
orig_link=$(readlink /etc/mtab || true)
cp -a /etc/mtab "$PWD/mtab.saved" 2>/dev/null || true
restore_mtab() {
	rm -f /etc/mtab /etc/mtab~ /etc/mtab.tmp
	if [ -n "$orig_link" ]; then ln -s "$orig_link" /etc/mtab; else cp -a "$PWD/mtab.saved" /etc/mtab; fi
}
trap restore_mtab EXIT
grep -v ' ecryptfs ' /proc/mounts >/etc/mtab.new
mv -f /etc/mtab.new /etc/mtab
# every eCryptfs line of /etc/mtab is a mount the kernel lists with that source and target
mtab_true() {
	local src dst rest
	while read -r src dst rest; do
		awk -v s="$src" -v d="$dst" '$1 == s && $2 == d && $3 == "ecryptfs" {f = 1} END {exit !f}' /proc/mounts ||
			fail "/etc/mtab line '$src $dst' is no mount ($1); /etc/mtab: $(grep ecryptfs /etc/mtab)"
	done < <(awk '$3 == "ecryptfs"' /etc/mtab)
}

new_user # A
quick_private
A=$U HA=$H
new_user # B
quick_private
as_user "$U" mkdir -p "$H/p$HA/Private"
alias_conf evil "$H/.Private" "$(dotdot_path "$H" "../../..$HA/Private")"
tries=$(dotdot_race "$H" evil)
log "B: $tries attempts; /etc/mtab: $(grep ecryptfs /etc/mtab || echo none)"
mtab_true "after B's race"

# A mounts and unmounts: A's line comes and goes, B's (if any) stays
U=$A H=$HA
as_user_keys /sbin/mount.ecryptfs_private || fail "A's mount failed"
grep -q "^$HA/.Private $HA/Private ecryptfs " /etc/mtab || fail "no /etc/mtab line for A's mount"
mtab_true "after A's mount"
as_user "$A" /sbin/umount.ecryptfs_private || fail "A's unmount failed"
grep -q "^$HA/.Private $HA/Private ecryptfs " /etc/mtab && fail "A's /etc/mtab line left after A's unmount"
mtab_true "after A's unmount"
:
