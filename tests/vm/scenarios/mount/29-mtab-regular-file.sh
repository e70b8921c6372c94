# Issue #4 finding 3: where /etc/mtab is a regular file the helper updates
# it as root. A user who limits the file size (ulimit -f 0), or stops or
# kills the helper while it holds the /etc/mtab~ lock, must not truncate
# /etc/mtab nor leave a lock that blocks every later update.
# Debian links /etc/mtab to /proc/self/mounts: this scenario makes it a
# regular file and restores the link afterwards (the guest is shared by
# the scenarios of one boot).
# ect-vm: timeout=600
need_tool mount.ecryptfs_private ecryptfs-add-passphrase python3
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
saved=$PWD/mtab.saved
cp -a /etc/mtab "$saved" 2>/dev/null || true
orig_link=$(readlink /etc/mtab || true)
restore_mtab() {
	pkill -KILL -f mtab-holder 2>/dev/null || true
	rm -f /etc/mtab /etc/mtab~ /etc/mtab.tmp
	if [ -n "$orig_link" ]; then ln -s "$orig_link" /etc/mtab; else cp -a "$saved" /etc/mtab; fi
}
trap restore_mtab EXIT
grep -v ' ecryptfs ' /proc/mounts >/etc/mtab.new
mv -f /etc/mtab.new /etc/mtab
[ -f /etc/mtab ] && [ ! -L /etc/mtab ] || fail "/etc/mtab is not a regular file"
base=$(wc -l </etc/mtab)
new_user
quick_private
in_mtab() { grep -q "^$H/.Private $H/Private ecryptfs " /etc/mtab; }
mtab_whole() {
	local n
	n=$(wc -l </etc/mtab)
	[ "$n" -ge "$base" ] || fail "/etc/mtab lost lines ($n < $base): $1"
	grep -q '^[^ ]* / ' /etc/mtab || fail "/etc/mtab has no root line: $1"
	[ -e /etc/mtab~ ] && fail "/etc/mtab~ left behind: $1"
	:
}
cycle() { # mount and unmount as the user; the mtab line comes and goes
	as_user_keys "$1 /sbin/mount.ecryptfs_private" || fail "mount failed ($2)"
	in_mtab || fail "no /etc/mtab line after mount ($2)"
	mtab_whole "after mount ($2)"
	as_user "$U" sh -c "$1 /sbin/umount.ecryptfs_private" || fail "umount failed ($2)"
	in_mtab && fail "/etc/mtab line left after umount ($2)"
	mtab_whole "after umount ($2)"
}
cycle "" plain
cycle "ulimit -f 0;" "ulimit -f 0"
# a lock left by a helper killed while holding it: no owner, so stale
touch -d '-1 min' /etc/mtab~
cycle "" "stale lock"
# a live owner (a stopped helper) is waited for a while, then mtab is left alone
python3 -c 'import fcntl, sys, time
sys.argv[0] = "mtab-holder"
f = open("/etc/mtab~", "w"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(60)' &
holder=$!
sleep 1
start=$(date +%s)
as_user_keys /sbin/mount.ecryptfs_private || fail "mount failed while /etc/mtab~ is held"
took=$(( $(date +%s) - start ))
log "mount took ${took}s with a live /etc/mtab~ owner"
[ "$took" -lt 40 ] || fail "waited ${took}s for the mtab lock"
kill -KILL "$holder"; wait "$holder" 2>/dev/null || true
as_user "$U" /sbin/umount.ecryptfs_private
mtab_whole "after the live owner died"
# stop and kill real helpers at random points
for i in 1 2 3 4 5 6; do
	as_user_keys /sbin/mount.ecryptfs_private >/dev/null 2>&1 &
	sleep "0.$((RANDOM % 9))"
	# by real uid (-U): the setuid helper switches its effective uid
	# between root and the user, and a helper stopped while root would
	# escape an effective-uid match (-u) and be waited for forever
	pkill -STOP -U "$U" -f '/sbin/mount.ecryptfs_private' 2>/dev/null || true
	sleep 0.3
	pkill -KILL -U "$U" -f '/sbin/mount.ecryptfs_private' 2>/dev/null || true
	wait 2>/dev/null || true
	umount -l "$H/Private" 2>/dev/null || true
	# what a killed helper left must not block the next one
	sleep 2
	grep -v "^$H/.Private " /etc/mtab >/etc/mtab.fix && cat /etc/mtab.fix >/etc/mtab && rm -f /etc/mtab.fix
	cycle "" "after kill $i"
done
:
