#!/bin/bash
# ecryptfs-fuse against its peers, in one run on one lower file system:
# sequential write and read of one big file, and a source-tree-like load of
# many small files (untar, stat + readdir, read back, remove). Peers: the
# lower file system itself (no encryption, the ceiling), gocryptfs (Debian
# package gocryptfs) and, where the running kernel has it, the kernel's
# eCryptfs. Run as root after `make` (or `make bench-fuse`):
#   bench/fuse.sh [--size MB] [--files N] [--runs R] [--only 'plain fuse gocryptfs kernel']
# Prints the medians of R runs as a table; bench/fuse.md has the results.
# ECT_FUSE_BEFORE=PATH adds a row for another ecryptfs-fuse binary (an
# older build), run interleaved with the others under the same load.
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$PWD}
size_mb=256 files=3000 runs=3 only="plain fuse gocryptfs kernel" fuse_extra=
die() { echo "bench-fuse: $*" >&2; exit 2; }
usage() { die "usage: fuse.sh [--size MB] [--files N] [--runs R] [--only 'BACKEND ...'] [--fuse-opts OPTS]"; }
while [ $# -gt 0 ]; do
	case $1 in
	--size) size_mb=$2; shift 2 ;;
	--files) files=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--fuse-opts) fuse_extra=,$2; shift 2 ;;
	*) usage ;;
	esac
done
[ "$(id -u)" = 0 ] || die "run as root (the lower file system is a tmpfs of its own)"
prog=${ECT_FUSE:-$top_builddir/fuse/ecryptfs-fuse}
tool=$top_builddir/helpers/ecryptfs
[ -x "$prog" ] || die "no $prog: build first (configure found no libfuse3?)"
[ -x "$tool" ] || die "no $tool: build first"
command -v keyctl >/dev/null || die "keyctl is not installed (keyutils)"
command -v fusermount3 >/dev/null || die "fusermount3 is not installed (fuse3)"
if [ -z "${ECT_BENCH_FUSE_INNER:-}" ]; then
	# A throwaway session keyring: the bench's keys never reach the caller's.
	ECT_BENCH_FUSE_INNER=1 exec keyctl session - bash "$0" --size "$size_mb" --files "$files" \
		--runs "$runs" --only "$only" ${fuse_extra:+--fuse-opts "${fuse_extra#,}"}
fi

# Backends this machine can run; a missing peer is said, not silently dropped.
backends= skipped=
for b in $only; do
	case $b in
	plain | fuse) backends="$backends $b" ;;
	before) [ -n "${ECT_FUSE_BEFORE:-}" ] || die "backend before needs ECT_FUSE_BEFORE=PATH"
		backends="$backends $b" ;;
	gocryptfs)
		if command -v gocryptfs >/dev/null; then backends="$backends $b"
		else skipped="$skipped gocryptfs (not installed: apt-get install gocryptfs)"; fi ;;
	kernel)
		grep -qw ecryptfs /proc/filesystems || modprobe ecryptfs 2>/dev/null || true
		if grep -qw ecryptfs /proc/filesystems; then backends="$backends $b"
		else skipped="$skipped kernel (no eCryptfs in $(uname -r))"; fi ;;
	*) die "unknown backend '$b' (plain fuse before gocryptfs kernel)" ;;
	esac
done
case " $only " in *" before "*) ;; *) [ -z "${ECT_FUSE_BEFORE:-}" ] || backends="$backends before" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-fuse.XXXXXX")
L=$work/lower U=$work/upper
cleanup() {
	if grep -q " $U " /proc/mounts; then fusermount3 -uz "$U" 2>/dev/null || umount -l "$U"; fi
	if grep -q " $L " /proc/mounts; then umount -l "$L"; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$L" "$U" "$work/src"
# Room for the big file, its source copy and the tree, with headers and padding.
mount -t tmpfs -o "size=$((size_mb * 3 + files / 20 + 256))m,mode=0755" bench-fuse "$L"

# ---- inputs: one incompressible big file, one tree shaped like a source tree
head -c "$((size_mb * 1048576))" /dev/urandom >"$L/.src.bin"
# $files files, 50 per directory in two levels; sizes 0..16 KiB (every 97th
# 64..256 KiB), the same tree on every run.
awk -v n="$files" -v root="$work/src/tree" 'BEGIN {
	line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.;:,-+=*/\n";
	chunk = line; while (length(chunk) < 262144) chunk = chunk chunk;
	for (i = 0; i < n; i++) {
		d = sprintf("%s/d%02d/s%03d", root, int(i / 1000), int(i / 50));
		if (!(d in made)) { system("mkdir -p " d); made[d] = 1 }
		sz = (i * 7919) % 16384;
		if (i % 97 == 0) sz = 65536 + (i * 104729) % 196608;
		f = sprintf("%s/f%05d.c", d, i);
		printf "%s", sprintf("%d\n", i) substr(chunk, 1, sz) > f;
		close(f);
	}
}'
tar -C "$work/src" -cf "$work/tree.tar" tree
tree_bytes=$(du -sb --apparent-size "$work/src/tree" | cut -f1)
tree_sum=$(cd "$work/src" && find tree -type f -print0 | sort -z | xargs -0 cat | cksum)
src_sum=$(cksum <"$L/.src.bin")

# ---- keys and mounts
keyctl link @u @s >/dev/null
sig=$(printf '%s' "bench fuse pass" | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
fnek=$(printf '%s' "bench fuse fnek" | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
ecr_opts="ecryptfs_sig=$sig,ecryptfs_fnek_sig=$fnek,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
printf '%s\n' "bench fuse gocryptfs pass" >"$work/gocryptfs.pass"
# The backend's own directory on the lower tmpfs; plain writes there directly.
D=$L/store
do_mount() {
	case $1 in
	plain) ;;
	fuse) "$prog" "$D" "$U" -o "$ecr_opts$fuse_extra" ;;
	before) "$ECT_FUSE_BEFORE" "$D" "$U" -o "$ecr_opts$fuse_extra" ;;
	gocryptfs) gocryptfs -q -nosyslog -passfile "$work/gocryptfs.pass" "$D" "$U" ;;
	kernel) mount -i -t ecryptfs "$D" "$U" -o "$ecr_opts" ;;
	esac
}
do_unmount() {
	case $1 in
	plain) return 0 ;;
	kernel) umount "$U" ;;
	*) fusermount3 -u "$U" ;;
	esac
	for ((i = 0; i < 100; i++)); do grep -q " $U " /proc/mounts || break; sleep 0.1; done
	! grep -q " $U " /proc/mounts || die "cannot unmount $U"
	# A FUSE daemon still exiting would share the CPU with the next step.
	for ((i = 0; i < 50; i++)); do pgrep -f " $U( |\$)" >/dev/null || break; sleep 0.1; done
}
# Every read step starts cold: a remount forgets the upper inodes and pages.
remount() { do_unmount "$1" && do_mount "$1"; }
top() { [ "$1" = plain ] && echo "$D" || echo "$U"; }
now() { date +%s%N; }
# elapsed START: seconds since START (ns) with millisecond resolution.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }

# CPU seconds (user + system) of the backend's daemon so far: less load-bound
# than wall time on a shared host. "-" where there is none (plain, kernel).
hz=$(getconf CLK_TCK)
daemon_cpu() {
	local pid
	case $1 in plain | kernel) echo -; return ;; esac
	pid=$(pgrep -f -- "$D $U( |\$)" | head -n1) || true
	[ -n "$pid" ] || { echo -; return; }
	awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$pid/stat"
}
cpu_since() { [ "$1" = - ] && echo - || awk -v a="$1" -v b="$(daemon_cpu "$2")" 'BEGIN { printf "%.2f\n", b - a }'; }
res=$work/results
mkdir -p "$res"
# One run of every workload on backend $1; appends seconds to $res/BACKEND.STEP.
one_run() {
	local b=$1 t t0
	rm -rf "$D" && mkdir "$D"
	[ "$b" = gocryptfs ] && gocryptfs -q -init -scryptn 10 -passfile "$work/gocryptfs.pass" "$D" >/dev/null
	do_mount "$b"
	t=$(top "$b")
	t0=$(now)
	dd if="$L/.src.bin" of="$t/big" bs=1M conv=fsync status=none
	elapsed "$t0" >>"$res/$b.write"
	remount "$b"
	t0=$(now)
	dd if="$t/big" of=/dev/null bs=1M status=none
	elapsed "$t0" >>"$res/$b.read"
	[ "$(cksum <"$t/big")" = "$src_sum" ] || die "$b: the big file reads back wrong"
	rm "$t/big"
	c0=$(daemon_cpu "$b") t0=$(now)
	tar -C "$t" -xf "$work/tree.tar"
	sync -f "$t/tree"
	elapsed "$t0" >>"$res/$b.untar"
	cpu_since "$c0" "$b" >>"$res/$b.untar-cpu"
	remount "$b"
	c0=$(daemon_cpu "$b") t0=$(now)
	find "$t/tree" -printf '%s %m %T@\n' >/dev/null
	elapsed "$t0" >>"$res/$b.stat"
	cpu_since "$c0" "$b" >>"$res/$b.stat-cpu"
	remount "$b"
	c0=$(daemon_cpu "$b") t0=$(now)
	sum=$(cd "$t" && find tree -type f -print0 | sort -z | xargs -0 cat | cksum)
	elapsed "$t0" >>"$res/$b.readback"
	cpu_since "$c0" "$b" >>"$res/$b.readback-cpu"
	[ "$sum" = "$tree_sum" ] || die "$b: the tree reads back wrong"
	t0=$(now)
	rm -rf "$t/tree"
	elapsed "$t0" >>"$res/$b.rm"
	do_unmount "$b"
}

read -r load1 load5 _ </proc/loadavg
commit=$(git -C "$top_srcdir" describe --always --dirty 2>/dev/null || echo unknown)
for ((r = 1; r <= runs; r++)); do
	for b in $backends; do one_run "$b"; done
done
read -r load1e load5e _ </proc/loadavg

median() { grep -q '^-' "$1" && { printf -- -; return; }; sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
name() {
	case $1 in
	plain) echo "tmpfs itself (no encryption)" ;;
	fuse) echo "ecryptfs-fuse (ours)" ;;
	before) echo "ecryptfs-fuse (ECT_FUSE_BEFORE)" ;;
	gocryptfs) echo "gocryptfs $(gocryptfs -version | awk '{ print $2; exit }' | tr -d ';')" ;;
	kernel) echo "kernel eCryptfs" ;;
	esac
}
printf 'ecryptfs-fuse and peers, %s, commit %s, %s, %s CPUs, load %s %s (start) %s %s (end)\n' \
	"$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$(uname -r)" "$(nproc)" "$load1" "$load5" "$load1e" "$load5e"
printf 'lower: tmpfs; big file %d MiB; tree %d files, %d KiB in %d directories; median of %d runs\n' \
	"$size_mb" "$files" "$((tree_bytes / 1024))" "$(find "$work/src/tree" -type d | wc -l)" "$runs"
printf '%-30s %7s %7s %7s %8s %8s %5s | %6s %6s %6s\n' backend 'write' 'read' untar 'stat+dir' readback rm \
	untar 'stat' readbk
printf '%-30s %7s %7s %7s %8s %8s %5s | %20s\n' '' 'MB/s' 'MB/s' s s s s 'daemon CPU s'
for b in $backends; do
	w=$(median "$res/$b.write") rd=$(median "$res/$b.read")
	printf '%-30s %7.1f %7.1f %7s %8s %8s %5s | %6s %6s %6s\n' "$(name "$b")" \
		"$(awk -v s="$size_mb" -v t="$w" 'BEGIN { print s * 1.048576 / t }')" \
		"$(awk -v s="$size_mb" -v t="$rd" 'BEGIN { print s * 1.048576 / t }')" \
		"$(median "$res/$b.untar")" "$(median "$res/$b.stat")" \
		"$(median "$res/$b.readback")" "$(median "$res/$b.rm")" \
		"$(median "$res/$b.untar-cpu")" "$(median "$res/$b.stat-cpu")" \
		"$(median "$res/$b.readback-cpu")"
done
[ -z "$skipped" ] || printf 'not run:%s\n' "$skipped"
# Every run's seconds, so the spread under load can be judged.
for b in $backends; do
	printf 'runs %-9s' "$b"
	for step in write read untar stat readback rm untar-cpu stat-cpu readback-cpu; do printf ' %s=%s' "$step" "$(paste -sd/ "$res/$b.$step")"; done
	echo
done
echo "ecryptfs-fuse: $ecr_opts$fuse_extra; gocryptfs: defaults (AES-256-GCM, EME names)"
echo "write: dd bs=1M conv=fsync; read, stat+dir (find -printf), readback (cat of every file, checked) start after a remount"
