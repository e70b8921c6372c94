#!/bin/bash
# bench/fuse.sh inside the VM test bed's guest (Debian's kernel, which has
# eCryptfs), so the kernel module is a row of the same run as tmpfs,
# ecryptfs-fuse and gocryptfs. Boots one guest with the opt-in scenario
# bench/01-fuse-kernel and prints its table. As root, after `make`
# (gocryptfs: apt-get install gocryptfs on the host; the guest sees the
# host's root):
#   bench/fuse-vm.sh [fuse.sh arguments]   (or: make bench-fuse-vm BENCH_FUSE_ARGS='...')
# e.g. --size 32 --files 500 --runs 3 (TCG emulates the CPU: keep it small).
# ECT_FUSE_BEFORE=PATH (a path the guest sees: any host path) adds fuse.sh's
# before row; ECT_VM_KVM=1, ECT_VM_SMP, ECT_VM_MEM as for check-vm.
# Exit status: 0 the table was printed, 1 the benchmark failed in the guest,
# 2 the test bed could not run it.
set -uo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$PWD}
die() { printf 'bench-fuse-vm: %s\n' "$*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (the test bed's guest install)"
[ -x "$top_builddir/fuse/ecryptfs-fuse" ] || die "no $top_builddir/fuse/ecryptfs-fuse: build first"
command -v gocryptfs >/dev/null || echo "bench-fuse-vm: gocryptfs is not installed (apt-get install gocryptfs): no gocryptfs row" >&2
log=$(mktemp) || die "mktemp failed"
trap 'rm -f "$log"' EXIT
# One guest, alone: a second one would share the CPUs being measured.
env VM_SCENARIOS=bench/01-fuse-kernel ECT_VM_BENCH=1 ECT_VM_JOBS=1 \
	ECT_BENCH_FUSE_ARGS="$*" ECT_FUSE_BEFORE="${ECT_FUSE_BEFORE:-}" \
	top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
	bash "$top_srcdir/tests/vm/run.sh" >"$log" 2>&1
rc=$?
[ "$rc" = 77 ] && die "the test bed cannot run here: $(grep -m1 'cannot run here' "$log")"
run=$(sed -n 's/^check-vm: results in //p' "$log" | tail -n1)
res=$run/bench/scenarios/bench/01-fuse-kernel
if [ -z "$run" ] || [ ! -s "$res/bench-fuse.txt" ]; then
	tail -n 30 "$log"
	[ -n "$run" ] && [ -f "$res/output.log" ] && tail -n 30 "$res/output.log"
	echo "bench-fuse-vm: no table from the guest (see above${run:+ and $run})" >&2
	exit 1
fi
cat "$res/bench-fuse.txt"
echo "host: $(uname -r), $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), QEMU $(sed -n 's/^check-vm: boot .*kernel [^,]*, \([^,]*\),.*$/\1/p' "$log" | head -n1)"
echo "bench-fuse-vm: results in $res"
[ "$rc" = 0 ] || { echo "bench-fuse-vm: the test bed exited $rc" >&2; exit 1; }
