#!/bin/sh
# The random-operation tester (regress-tool fsx) through ecryptfs-fuse in
# `make check`: 10^5 operations (ECT_FSX_OPS for more) on a mount whose
# lower directory is a private tmpfs, with encrypted names, keys in a
# throwaway session keyring; then a remount, and the file must read as the
# tester's shadow copy. The seed is printed first; ECT_FSX_SEED replays a
# run. Skips (77) when not root (the tmpfs), without /dev/fuse, fusermount3
# or keyctl, or where the host refuses the FUSE mount.
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/../unit/fuse-host.inc"
fsx=${top_builddir:-.}/tests/regress/regress-tool
[ "$(id -u)" = 0 ] || skip "not root (the lower directory is a private tmpfs)"
[ -x "$fsx" ] || skip "tests/regress/regress-tool is not built"

work=$(mktemp -d "${TMPDIR:-/tmp}/fsx-fuse.XXXXXX")
lower=$work/lower mnt=$work/mnt
cleanup() {
	fusermount3 -uz "$mnt" 2>/dev/null || true
	umount -l "$lower" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$lower" "$mnt"
mount -t tmpfs -o size=64m,mode=0700 fsx-fuse "$lower" || skip "cannot mount a tmpfs"

# Passphrases of this run only: the keys land in @u, and another run's
# ecryptfs_unlink_sigs must not take them away in the middle of this one.
fuse_host_keys "fsx fuse pass $work" "fsx fuse fnek $work"
mount_it() { fuse_host_mount "$lower" "$mnt" "$opts$1"; }
unmount_it() { fuse_host_unmount "$mnt"; }

seed=${ECT_FSX_SEED:-}
mount_it ""
start=$(date +%s)
# A cheaper mix than the regress case's: a full compare every 1000
# operations (reads check their bytes anyway) and operations of up to
# 16 KiB (4 extents): ~25 s of CPU per 10^5 operations instead of ~35.
"$fsx" fsx ${seed:+--seed "$seed"} --ops "${ECT_FSX_OPS:-100000}" \
	--compare-every "${ECT_FSX_COMPARE:-1000}" --max-op "${ECT_FSX_MAX_OP:-16384}" \
	--save "$work/shadow" "$mnt" ||
	fail "fsx found a difference (above; replay with ECT_FSX_SEED)"
echo "fsx: $(($(date +%s) - start)) s"
unmount_it
# The last mount takes the keys with it (ecryptfs_unlink_sigs).
mount_it ",ecryptfs_unlink_sigs"
set -- "$mnt"/fsx-?
[ $# = 1 ] || fail "after a remount: $* (one file expected)"
cmp "$work/shadow" "$1" || fail "after a remount $1 does not read as the shadow copy"
unmount_it
echo "PASS: ${ECT_FSX_OPS:-100000} random operations through ecryptfs-fuse"
