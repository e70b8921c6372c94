# tests/cli/wrapped-media.sh inside the guest: the Debian kernel has vfat,
# which the host that runs `make check` may lack (its FAT cases then SKIP).
# The wrapped passphrase lives on a FAT medium (ecryptfs-wrapped-passphrase-
# locations(5)), where owners and modes come from the mount options: wrap
# and rewrap must write there when the mount gives the file to the user
# alone (the kernel refuses the chown to the user's group), and must refuse
# a mount that lets others read it.
# ect-vm: timeout=600
need_tool mkfs.vfat
modprobe vfat 2>/dev/null || grep -w vfat /proc/filesystems >/dev/null || skip "this kernel has no vfat"
out=$(cd "$ECT_BUILDDIR" && top_srcdir=$ECT_SRCDIR top_builddir=$ECT_BUILDDIR \
	bash "$ECT_SRCDIR/tests/cli/wrapped-media.sh" 2>&1) || fail "tests/cli/wrapped-media.sh: $out"
log "$out"
case $out in
*"# SKIP"*) fail "the FAT cases did not run: $out" ;;
esac
printf '%s\n' "$out" | grep -F "ok: a FAT mount that lets others read the file is refused" >/dev/null ||
	fail "no FAT result in: $out"
