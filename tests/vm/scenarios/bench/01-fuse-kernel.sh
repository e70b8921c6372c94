# bench/fuse.sh in the guest, where the kernel has eCryptfs: tmpfs itself,
# ecryptfs-fuse, gocryptfs (the host's Debian package, seen through the
# read-only host root) and the kernel module, every row in the same run on
# the same lower tmpfs. bench/fuse-vm.sh (make bench-fuse-vm) starts it and
# prints the table; its arguments come in ECT_BENCH_FUSE_ARGS, an older
# ecryptfs-fuse for a before/after row in ECT_FUSE_BEFORE. A benchmark, not
# a test: opt-in (ECT_VM_BENCH=1), it fails only when the script cannot run
# or a backend reads back wrong (fuse.sh checks every read).
# ect-vm: timeout=7200
# ect-vm: optin=ECT_VM_BENCH
need_tool keyctl fusermount3
[ -x "$ECT_BUILDDIR/fuse/ecryptfs-fuse" ] || skip "ecryptfs-fuse is not built (configure found no libfuse3?)"
modprobe fuse 2>/dev/null || true
[ -c /dev/fuse ] || skip "no /dev/fuse in the guest (fuse module missing)"
grep -w ecryptfs /proc/filesystems >/dev/null || modprobe ecryptfs ||
	skip "kernel $(uname -r) has no eCryptfs: the kernel row is the point of this benchmark"
command -v gocryptfs >/dev/null || log "gocryptfs is not installed on the host: its row will be missing"
set +x
# Without the trace, say where set -e stopped the benchmark.
trap 'printf "FAIL: bench-fuse stopped at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
# The script, copied: edits to the source tree during a run do not reach it.
cp "$ECT_SRCDIR/bench/fuse.sh" "$ECT_VM_WORK/fuse.sh"
echo "ect-vm-status bench-fuse: ${ECT_BENCH_FUSE_ARGS:-defaults}: starting" >/dev/console
# shellcheck disable=SC2086 # the arguments are words
top_srcdir=$ECT_SRCDIR top_builddir=$ECT_BUILDDIR TMPDIR=/tmp ECT_FUSE_BEFORE=${ECT_FUSE_BEFORE:-} \
	bash "$ECT_VM_WORK/fuse.sh" ${ECT_BENCH_FUSE_ARGS:-} >"$ECT_VM_RESULT_DIR/bench-fuse.txt"
# Where the guest runs, for the table's heading (TCG or KVM, CPUs, memory).
{
	printf 'guest: %s, %s CPUs, %s MiB RAM, %s\n' "$(uname -r)" "$(nproc)" \
		"$(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
		"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	printf 'gocryptfs: %s\n' "$(gocryptfs -version 2>/dev/null | head -n1 || echo 'not installed')"
} >>"$ECT_VM_RESULT_DIR/bench-fuse.txt"
cat "$ECT_VM_RESULT_DIR/bench-fuse.txt"
