#!/bin/sh
# The random-operation tester (regress-tool fsx) through ecryptfs-fuse in
# `make check`: 10^5 operations (ECT_FSX_OPS for more) on a mount whose
# lower directory is a private tmpfs, with encrypted names, keys in a
# throwaway session keyring; then a remount, and the file must read as the
# tester's shadow copy. The seed is printed first; ECT_FSX_SEED replays a
# run. Skips (77) when not root (the tmpfs), without /dev/fuse, fusermount3
# or keyctl, or where the host refuses the FUSE mount.
set -eu
prog=${top_builddir:-.}/fuse/ecryptfs-fuse
tool=${top_builddir:-.}/helpers/ecryptfs
fsx=${top_builddir:-.}/tests/regress/regress-tool
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "not root (the lower directory is a private tmpfs)"
[ -x "$prog" ] || skip "ecryptfs-fuse is not built (no libfuse3)"
[ -x "$fsx" ] || skip "tests/regress/regress-tool is not built"
[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
command -v fusermount3 >/dev/null 2>&1 || skip "fusermount3 is not installed"
command -v keyctl >/dev/null 2>&1 || skip "keyctl is not installed"

if [ -z "${ECT_FSX_INNER:-}" ]; then
	# A throwaway session keyring: the test's keys never reach the caller's.
	ECT_FSX_INNER=1 exec keyctl session - sh "$0" "$@"
fi

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

keyctl link @u @s >/dev/null
# Passphrases of this run only: the keys land in @u, and another run's
# ecryptfs_unlink_sigs must not take them away in the middle of this one.
sig=$(printf '%s' "fsx fuse pass $work" | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
fnek=$(printf '%s' "fsx fuse fnek $work" | "$tool" add-passphrase - | grep -o '\[[0-9a-f]*\]' | tr -d '[]')
opts="ecryptfs_sig=$sig,ecryptfs_fnek_sig=$fnek,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"

mount_it() {
	rc=0
	"$prog" "$lower" "$mnt" -o "$opts$1" 2>"$work/err" || rc=$?
	[ $rc -eq 4 ] && skip "the host refuses the FUSE mount: $(cat "$work/err")"
	[ $rc -eq 0 ] || fail "ecryptfs-fuse exited $rc: $(cat "$work/err")"
}
unmount_it() {
	fusermount3 -u "$mnt"
	i=0
	while grep -q " $mnt " /proc/mounts; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "no unmount"
		sleep 0.1
	done
}

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
