# Shared machinery of the crash tests (sourced by tests/crash/*.sh, bash).
#
# Kill points: see killpoints.sh. Full disk: a small tmpfs in this test's
# private mount namespace, filled by root to the level under test.
set -u

skip() {
	echo "SKIP: $*"
	exit 77
}

: "${top_builddir:?run through make check}"
[ "$(id -u)" = 0 ] || skip "needs root (strace of a program run as a throwaway uid, tmpfs mounts)"
for tool in strace setpriv keyctl unshare; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (Debian: strace util-linux keyutils)"
done
# Every mount of the test is private: re-run inside a mount namespace.
if [ -z "${ECT_CRASH_NS:-}" ]; then
	ECT_CRASH_NS=1 exec unshare -m --propagation private "$BASH" "$0" "$@" ||
		skip "cannot make a private mount namespace (unshare -m)"
fi
strace -f -qq -o /dev/null -e inject=getpid:signal=KILL:when=2 true 2>/dev/null ||
	skip "strace cannot trace here (ptrace refused)"

FAILS=0
PASSES=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
pass() {
	echo "ok: $*"
	PASSES=$((PASSES + 1))
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

POINTS=${ECT_CRASH_POINTS:-100}
. "${top_srcdir:-.}/tests/crash/killpoints.sh"

# Under the build tree, on a tmpfs of our own: the PAM module's helper_dir=
# must be a path no other user can change (not /tmp).
mkdir -p "$top_builddir/tests/crash"
T=$(mktemp -d "$top_builddir/tests/crash/run.XXXXXX")
mount -t tmpfs -o mode=755 crash-work "$T" || skip "cannot mount a tmpfs"
TUID=$((3500000 + $$ % 100000))
mkdir "$T/bin" "$T/lib" "$T/full"
if [ -x "$top_builddir/helpers/.libs/ecryptfs" ]; then
	cp "$top_builddir/helpers/.libs/ecryptfs" "$T/bin/ecryptfs"
	cp -P "$top_builddir"/lib/.libs/libecryptfs-tools.so* "$T/lib/"
else
	cp "$top_builddir/helpers/ecryptfs" "$T/bin/ecryptfs"
fi
for n in wrap-passphrase unwrap-passphrase rewrap-passphrase add-passphrase; do
	ln -s ecryptfs "$T/bin/ecryptfs-$n"
done
chmod -R a+rX "$T"
export LD_LIBRARY_PATH="$T/lib"

cleanup() {
	setpriv --reuid="$TUID" --regid="$TUID" --clear-groups sh -c '
		for h in $(awk -v u="$1" "\$6 == u && / keyring +_uid/ { print \$1 }" /proc/keys); do
			keyctl invalidate "$(printf %d "0x$h")"
		done' sh "$TUID" >/dev/null 2>&1
	umount -l "$T/full" 2>/dev/null
	umount -l "$T" 2>/dev/null
	rmdir "$T"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
T0=$(now_ms)
PART_T0=$T0
part_done() {
	local t=$(now_ms)

	printf 'time: %s took %d.%03d s\n' "$1" $(((t - PART_T0) / 1000)) $(((t - PART_T0) % 1000))
	PART_T0=$t
}

# as_user CMD...: CMD as the throwaway uid, its own session keyring.
as_user() {
	setpriv --reuid="$TUID" --regid="$TUID" --clear-groups \
		keyctl session - "$@" 2> >(grep -v '^Joined session keyring' >&2)
}

# unwraps FILE PW: FILE unwraps with PW to $MP.
unwraps() {
	local out

	out=$(printf '%s' "$2" | "$T/bin/ecryptfs-unwrap-passphrase" "$1" - 2>/dev/null) &&
		[ "$out" = "$MP" ]
}

# fresh_small_fs SIZE INODES: a fresh tmpfs on $T/full.
fresh_small_fs() {
	umount "$T/full" 2>/dev/null
	mount -t tmpfs -o "size=$1,nr_inodes=$2,mode=755" crash-full "$T/full"
}

# fill LEVEL: fill $T/full: "blocks" (no byte free), "page" (one page
# free), "inodes" (no inode free).
fill() {
	case $1 in
	blocks | page)
		dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null
		[ "$1" = blocks ] || truncate -s -4096 "$T/full/fill"
		;;
	inodes)
		local n=0
		mkdir -p "$T/full/inodes" 2>/dev/null
		while { : >"$T/full/inodes/$n"; } 2>/dev/null; do n=$((n + 1)); done
		;;
	esac
}
unfill() {
	rm -rf "$T/full/fill" "$T/full/inodes"
}

# one_line_error FILE WHAT: FILE holds exactly one line, mentioning the full disk.
one_line_error() {
	local n

	n=$(grep -c . "$1")
	if [ "$n" -eq 1 ] && grep -q 'No space left on device' "$1"; then
		return 0
	fi
	fail "$2: expected one line naming 'No space left on device', got: $(head -c 400 "$1")"
	return 1
}
