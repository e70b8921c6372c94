#!/bin/sh
# The system calls each FUSE daemon makes to read back small files: N files
# of 4 KiB written through ecryptfs-fuse and through gocryptfs, both
# remounted (cold caches in the daemons), then one `cat` of all of them
# while `strace -f -c` counts the daemon's calls; also the daemon's CPU
# ticks (utime stime, /proc/PID/stat) before and after. As root, from a
# build tree: make bench-fuse-syscalls [BENCH_SYSCALL_FILES=500].
# Explains per-file costs the wall times of bench/fuse.sh cannot separate
# (bench/fuse.md). strace slows both daemons: compare counts, not times.
set -eu
files=${1:-500}
builddir=${top_builddir:-.}
prog=$builddir/fuse/ecryptfs-fuse
tool=$builddir/helpers/ecryptfs
for t in strace gocryptfs fusermount3 keyctl; do
	command -v "$t" >/dev/null || { echo "fuse-syscalls: $t is not installed" >&2; exit 2; }
done
[ -x "$prog" ] || { echo "fuse-syscalls: $prog is not built" >&2; exit 2; }
if [ -z "${ECT_BENCH_INNER:-}" ]; then
	ECT_BENCH_INNER=1 exec keyctl session - sh "$0" "$@"
fi
w=$(mktemp -d "${TMPDIR:-/tmp}/fuse-syscalls.XXXXXX")
trap 'fusermount3 -uz "$w/mnt" 2>/dev/null || true; fusermount3 -uz "$w/gm" 2>/dev/null || true; rm -rf "$w"' EXIT
mkdir "$w/lower" "$w/mnt" "$w/gl" "$w/gm"

# fill DIR: the files, written through the mount
fill() {
	i=0
	while [ $i -lt "$files" ]; do
		i=$((i + 1))
		head -c 4096 /dev/urandom >"$1/f$i"
	done
}
# count NAME PID DIR: strace the daemon during one cat of every file
count() {
	strace -f -c -o "$w/$1.strace" -p "$2" 2>/dev/null &
	sp=$!
	sleep 1
	t0=$(cut -d' ' -f14,15 "/proc/$2/stat")
	cat "$3"/f* >/dev/null
	t1=$(cut -d' ' -f14,15 "/proc/$2/stat")
	kill -INT "$sp"
	wait "$sp" || true
	echo "== $1: $files files of 4 KiB read back; daemon CPU ticks (user sys) $t0 -> $t1"
	sed -n '1,22p' "$w/$1.strace"
}

keyctl link @u @s >/dev/null
sig=$(printf 'bench pass' | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
fnek=$(printf 'bench fnek' | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
opts="ecryptfs_sig=$sig,ecryptfs_fnek_sig=$fnek,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
"$prog" "$w/lower" "$w/mnt" -o "$opts"
fill "$w/mnt"
fusermount3 -u "$w/mnt"
sleep 1
"$prog" "$w/lower" "$w/mnt" -o "$opts"
sleep 1
count ecryptfs-fuse "$(pgrep -n -f "ecryptfs-fuse $w/lower")" "$w/mnt"
fusermount3 -u "$w/mnt"

printf 'bench pass' >"$w/pw"
gocryptfs -q -init -passfile "$w/pw" "$w/gl" >/dev/null 2>&1
gocryptfs -q -passfile "$w/pw" "$w/gl" "$w/gm" 2>/dev/null
fill "$w/gm"
fusermount3 -u "$w/gm"
sleep 1
gocryptfs -q -passfile "$w/pw" "$w/gl" "$w/gm" 2>/dev/null
sleep 1
count gocryptfs "$(pgrep -n -f "gocryptfs.*$w/gl")" "$w/gm"
fusermount3 -u "$w/gm"
