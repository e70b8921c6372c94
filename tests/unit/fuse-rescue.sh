#!/bin/sh
# ecryptfs-fuse when things go wrong (issue #15), on the host:
# 1. kill -9 of the daemon in the middle of a write damages no file other
#    than the one being written: files written and closed before, and a
#    file held open for reading, read back the same after a remount. One
#    round (the kill after 700000 bytes) in make check, to keep check-all
#    short; ECT_FUSE_RESCUE_ROUNDS=N runs N rounds (3 until issue 15's
#    trim), round R killing the daemon after R * 700000 bytes of a new
#    write, over the lower directory the rounds before left.
# 2. Read-only (rescue) mode: -o ro serves a lower directory on read-only
#    media (a read-only bind mount), refuses writes with EROFS, opens no
#    lower file for writing (the daemon's fdinfo flags) and changes nothing
#    in the lower directory.
# Skips (77) where FUSE is unusable, and part 2 where it cannot make a
# read-only bind mount (not root).
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/fuse-host.inc"

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-rescue.XXXXXX")
mnt=$work/mnt
daemon=
cleanup() {
	[ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null || true
	fusermount3 -uz "$mnt" 2>/dev/null || true
	umount "$work/ro" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lower" "$mnt" "$work/ref" "$work/ro"

fuse_host_keys "fuse rescue pass" "fuse rescue fnek"

mounted() { grep " $mnt fuse" /proc/mounts >/dev/null; }
# start_daemon LOWER [MORE_OPTS]: in the foreground, so that its pid is known
start_daemon() {
	"$prog" "$1" "$mnt" -f -o "$opts${2:+,$2}" 2>"$work/err" &
	daemon=$!
	i=0
	until mounted; do
		i=$((i + 1))
		if ! kill -0 "$daemon" 2>/dev/null; then
			rc=0
			wait "$daemon" || rc=$?
			daemon=
			[ $rc -eq 4 ] && skip "the host refuses the FUSE mount: $(cat "$work/err")"
			fail "ecryptfs-fuse exited $rc: $(cat "$work/err")"
		fi
		[ $i -lt 100 ] || fail "the mount did not appear"
		sleep 0.1
	done
}
stop_daemon() {
	fusermount3 -u "$mnt"
	wait "$daemon" || fail "ecryptfs-fuse exited $? on unmount"
	daemon=
}

# Files of several sizes, written and closed, the same in the reference tree.
fill() {
	for n in 0 1 4095 4096 4097 70000 300001; do
		head -c "$n" /dev/urandom >"$work/ref/f$n"
		cp "$work/ref/f$n" "$mnt/f$n"
	done
	mkdir -p "$mnt/dir" "$work/ref/dir"
	printf 'inside\n' >"$work/ref/dir/g"
	cp "$work/ref/dir/g" "$mnt/dir/g"
}

# Part 1: kill -9 while a long write runs.
rounds=${ECT_FUSE_RESCUE_ROUNDS:-1}
case $rounds in '' | *[!0-9]* | 0) fail "ECT_FUSE_RESCUE_ROUNDS=$rounds: a whole number of at least 1" ;; esac
start_daemon "$work/lower"
fill
round=0
while [ $round -lt "$rounds" ]; do
	round=$((round + 1))
	[ -n "$daemon" ] || start_daemon "$work/lower"
	# a file held open for reading over the kill
	exec 3<"$mnt/f70000"
	# the write in progress: 64 KiB blocks until the daemon is gone
	(while :; do head -c 65536 /dev/zero; done >"$mnt/busy$round") 2>/dev/null &
	writer=$!
	target=$((round * 700000))
	i=0
	while [ "$(stat -c %s "$mnt/busy$round" 2>/dev/null || echo 0)" -lt $target ]; do
		i=$((i + 1))
		[ $i -lt $((600 * round)) ] || fail "round $round: the write did not reach $target bytes"
		sleep 0.05
	done
	kill -9 "$daemon"
	wait "$daemon" 2>/dev/null || true
	daemon=
	wait "$writer" 2>/dev/null || true
	exec 3<&-
	fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	start_daemon "$work/lower"
	diff -r -x 'busy*' "$work/ref" "$mnt" >"$work/diff" 2>&1 ||
		fail "round $round: a file other than the one being written changed after kill -9: $(head -n 3 "$work/diff")"
	# The file being written may be short or unreadable at its end; say what it is.
	size=$(stat -c %s "$mnt/busy$round" 2>/dev/null || echo missing)
	readable=yes
	cat "$mnt/busy$round" >/dev/null 2>&1 || readable=no
	echo "round $round: killed after >= $target bytes; the file being written has $size bytes, readable: $readable"
	rm -f "$mnt/busy$round"
done
stop_daemon

# Part 2: read-only rescue mode on read-only media.
if ! mount --bind "$work/lower" "$work/ro" 2>/dev/null ||
   ! mount -o remount,bind,ro "$work/ro" 2>/dev/null; then
	echo "PASS: kill -9 (part 2 skipped: no read-only bind mount here)"
	exit 0
fi
snapshot() { (cd "$work/lower" && find . -printf '%p %s %m %T@ %C@\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} +) >"$1"; }
snapshot "$work/before"
start_daemon "$work/ro" ro
diff -r "$work/ref" "$mnt" >"$work/diff" 2>&1 || fail "read-only: the tree differs: $(head -n 3 "$work/diff")"
exec 3<"$mnt/f300001"
lower_writable=0
for fd in /proc/"$daemon"/fd/*; do
	case $(readlink "$fd") in "$work"/ro/*|"$work"/lower/*) ;; *) continue ;; esac
	flags=$(awk '/^flags:/ { print $2 }' "/proc/$daemon/fdinfo/${fd##*/}")
	[ $((0$flags & 3)) -eq 0 ] || lower_writable=$((lower_writable + 1))
done
exec 3<&-
[ $lower_writable -eq 0 ] || fail "read-only: the daemon holds $lower_writable lower file(s) open for writing"
for what in "printf x >$mnt/new" "printf x >>$mnt/f0" "mkdir $mnt/newdir" "rm $mnt/f1" "mv $mnt/f1 $mnt/f2" "chmod 600 $mnt/f1" "truncate -s 0 $mnt/f4096"; do
	if sh -c "$what" 2>"$work/err"; then
		fail "read-only: '$what' succeeded"
	fi
	grep 'Read-only file system' "$work/err" >/dev/null || fail "read-only: '$what': $(cat "$work/err")"
done
stop_daemon
umount "$work/ro"
snapshot "$work/after"
cmp "$work/before" "$work/after" >/dev/null || fail "read-only: the lower directory changed"

# And -o ro over a lower directory that is writable: still nothing opened for writing.
start_daemon "$work/lower" ro
exec 3<"$mnt/f4097"
for fd in /proc/"$daemon"/fd/*; do
	case $(readlink "$fd") in "$work"/lower/?*) ;; *) continue ;; esac
	flags=$(awk '/^flags:/ { print $2 }' "/proc/$daemon/fdinfo/${fd##*/}")
	[ $((0$flags & 3)) -eq 0 ] || fail "-o ro on a writable lower: a lower file is open for writing ($(readlink "$fd"), flags $flags)"
done
exec 3<&-
cmp "$work/ref/f4097" "$mnt/f4097" || fail "-o ro: contents"
stop_daemon
echo "PASS: ecryptfs-fuse kill -9 and read-only rescue"
