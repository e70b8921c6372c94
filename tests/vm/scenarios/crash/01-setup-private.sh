# ecryptfs-setup-private, as the user, killed with SIGKILL at random system
# calls (tests/crash/killpoints.sh; 100 points, as issue 10 asks; the
# guest is ~10x slower than the host, so each point is cheap) and run on a full home. After every
# kill no wrapped file is half written, and the user is never stuck: either
# the setup is usable (the login password unwraps and mounts it) or the
# next ecryptfs-setup-private, without --force, succeeds. On a full home
# setup fails with one error line and leaves nothing behind.
# ect-vm: timeout=3600
need_tool ecryptfs-setup-private ecryptfs-unwrap-passphrase mount.ecryptfs_private strace
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
T=$ECT_VM_WORK
POINTS=${ECT_CRASH_POINTS:-100}
pass() { log "ok: $*"; }
. "$ECT_SRCDIR/tests/crash/killpoints.sh"
t0=$(date +%s)
printf '%s' "$PW" >"$T/pw"
chmod 644 "$T/pw"
W=$H/.ecryptfs/wrapped-passphrase

# SETUP_ARGV: ecryptfs-setup-private as $U, started by root (for strace).
SETUP_ARGV=(setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups
	env -i HOME="$H" USER="$U" LOGNAME="$U" PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C.UTF-8
	keyctl session - sh -c 'keyctl link @u @s >/dev/null && cd && exec "$@"' sh
	ecryptfs-setup-private --password-file "$T/pw" --nopwcheck --kdf-floor)

# a fresh home, as before any setup
reset_home() {
	while mounted_at "$H/Private"; do umount -l "$H/Private"; done
	chmod -R u+rwx "$H/Private" 2>/dev/null || :
	rm -rf "$H/.ecryptfs" "$H/.Private" "$H/Private"
	as_user "$U" keyctl clear @u
}
fresh_home() {
	[ ! -e "$H/.ecryptfs" ] && [ ! -e "$H/.Private" ] && [ ! -e "$H/Private" ]
}
UNTOUCHED=fresh_home

# whole: any wrapped passphrase present unwraps with the login password.
whole_setup() {
	local f

	for f in "$H"/.ecryptfs/wrapped-passphrase*; do
		case $f in
		*'*' | *.tmp-*) ;; # none, or a temp file the next run must remove
		"$W".[0-9]*) ;; # the backup a rerun keeps of an unfinished setup
		"$W") printf '%s' "$PW" | ecryptfs-unwrap-passphrase "$W" - >/dev/null ||
			{ log "$W does not unwrap with the login password"; return 1; } ;;
		*) log "stray wrapped file $f"; return 1 ;;
		esac
	done
}
# next: a usable setup mounts with the login password; otherwise setup runs again.
next_setup() {
	# a kill inside the setuid helper can leave ~/Private mounted; setup says
	# "unmount it first", and the user does
	if mounted_at "$H/Private"; then
		as_user "$U" /sbin/umount.ecryptfs_private -f >/dev/null 2>&1 || :
		mounted_at "$H/Private" && { log "~/Private stays mounted"; return 1; }
	fi
	if [ -e "$W" ] && [ -e "$H/.ecryptfs/Private.sig" ]; then
		as_user "$U" /sbin/umount.ecryptfs_private -f >/dev/null 2>&1 || :
		with_keys "/sbin/mount.ecryptfs_private && /sbin/umount.ecryptfs_private" ||
			{ log "the setup left by the kill does not mount"; return 1; }
	else
		"${SETUP_ARGV[@]}" >"$T/out" 2>&1 || { log "setup again: $(cat "$T/out")"; return 1; }
		[ -z "$(temps "$H/.ecryptfs")" ] || { log "left: $(temps "$H/.ecryptfs")"; return 1; }
	fi
}
# killed between its two files (at the rename of Private.sig): the next run
# must not refuse the half-made setup as "already set up"
reset_home
# (the writers rename through directory fds: renameat, or renameat2 in newer libcs)
R=rename,renameat,renameat2
{ strace -f -q -o /dev/null -e trace=$R -e inject=$R:signal=KILL:when=2 \
	"${SETUP_ARGV[@]}" </dev/null >/dev/null 2>&1 || :; } 2>/dev/null
[ -e "$W" ] && [ ! -e "$H/.ecryptfs/Private.sig" ] || fail "the kill at the second rename missed"
whole_setup || fail "the wrapped passphrase is not whole"
next_setup || fail "the next setup after a kill between wrapped-passphrase and Private.sig"
pass "setup-private killed between its two files: the next run replaces the half-made setup"

kill_points setup-private '^execve[(]"[^"]*/ecryptfs-setup-private"' reset_home whole_setup \
	next_setup -- "${SETUP_ARGV[@]}"
t1=$(date +%s)
log "time: setup-private kill points took $((t1 - t0)) s"

# full home: no block, no inode free
for level in blocks inodes; do
	reset_home
	mount -t tmpfs -o size=1m,nr_inodes=64,mode=755 crash-full "$H"
	chown "$U:" "$H"
	if [ "$level" = blocks ]; then
		dd if=/dev/zero of="$H/fill" bs=4096 2>/dev/null || :
	else
		mkdir "$H/inodes"
		n=0
		while { : >"$H/inodes/$n"; } 2>/dev/null; do n=$((n + 1)); done
	fi
	if "${SETUP_ARGV[@]}" >"$T/out" 2>"$T/err"; then
		fail "setup-private succeeded on a full home ($level)"
	fi
	grep -q 'No space left on device' "$T/err" || fail "no full-disk error ($level): $(cat "$T/err")"
	grep '^ecryptfs-setup-private:\|^Error' "$T/err" | grep -v 'setup failed; removing' >"$T/errs" || :
	[ "$(wc -l <"$T/errs")" = 1 ] || fail "expected one error line ($level): $(cat "$T/err")"
	left=$(ls -A "$H" | grep -v '^fill$\|^inodes$' || :)
	[ -z "$left" ] || fail "setup on a full home ($level) left: $left"
	pass "setup-private on a full home ($level): one error line, nothing left"
	umount "$H"
done
log "time: setup-private full home took $(($(date +%s) - t1)) s"
