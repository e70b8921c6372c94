# Shared machinery of the crash tests (sourced by tests/crash/*.sh, bash).
#
# Kill points: the operation is traced once (strace -f) to list its system
# calls. Half the points (ECT_CRASH_POINTS, default 100) are drawn at random
# over the whole list, one in each stretch of equal length; the other half
# the same way over the write phase, from the creation of the first temp
# file (*.tmp-*) to the end, where a kill can leave a file half made
# (ECT_CRASH_SEED reruns a draw). For a drawn call, the k-th invocation of
# that call name by its process, strace delivers SIGKILL on entry
# (-e inject=NAME:signal=KILL:when=k): the program dies there as under
# kill -9, before the call runs. strace counts per
# process and call name, so when another process of the tree reaches its
# k-th NAME first, that one dies: still a real kill point.
#
# Full disk: a small tmpfs in this test's private mount namespace, filled
# by root to the level under test.
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

SEED=${ECT_CRASH_SEED:-$(( $(date +%s) % 100000 ))}
POINTS=${ECT_CRASH_POINTS:-100}
RANDOM=$SEED
echo "kill points: $POINTS per operation, seed $SEED (rerun: ECT_CRASH_SEED=$SEED)"

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

# wrap_version FILE: 2 or 3 (v2 and v3 files start with ':' and the version byte).
wrap_version() {
	case $(head -c 2 "$1" | od -An -tx1 | tr -d ' ') in
	3a02) echo 2 ;;
	3a03) echo 3 ;;
	*) echo "?" ;;
	esac
}

# temps DIR: names of atomic-write temp files left in DIR.
temps() {
	find "$1" -maxdepth 1 -name '*.tmp-*' -printf '%f\n'
}

# kill_points NAME MARKER RESTORE CHECK NEXT -- CMD...
# Trace CMD once after RESTORE; then for each drawn point: RESTORE, run CMD
# killed at that point, CHECK (the state is whole), NEXT (the next run
# succeeds and leaves no temp file). MARKER: a regex for the execve after
# which calls count (the operation's own program, not its launchers).
# When the directory $STATE_DIR is still exactly $STATE_PRISTINE (the kill
# came before the first write), CHECK and NEXT are skipped: that state is
# the one the measured run started from.
kill_points() {
	local name=$1 marker=$2 restore=$3 check=$4 next=$5
	local trace=$T/trace.$name list=$T/points.$name
	local total wstart i j half lo hi from n pick point killed=0 bad=0 untouched=0

	shift 6
	$restore
	strace -f -q -o "$trace" "$@" </dev/null >/dev/null 2>&1
	# "PID name(" lines, resumed halves skipped; k = the invocation count of
	# name in PID, counted from the process's start; a third field "w" from
	# the first temp file on.
	awk -v marker="$marker" '
		/ resumed>/ || / \+\+\+ / || / --- / { next }
		{
			pid = $1; line = $0; sub(/^[0-9]+ +/, "", line)
			if (!match(line, /^[a-z0-9_]+\(/)) next
			call = substr(line, 1, RLENGTH - 1)
			k = ++count[pid SUBSEP call]
			if (!started && call == "execve" && line ~ marker) { started = 1; next }
			if (started && line ~ /\.tmp-/) writing = 1
			if (started) print call, k, (writing ? "w" : "")
		}' "$trace" >"$list"
	total=$(wc -l <"$list")
	wstart=$(awk '$3 == "w" { print NR; exit }' "$list")
	if [ "$total" -lt 10 ]; then
		fail "$name: only $total system calls traced (marker $marker not found?)"
		return
	fi
	if [ -z "$wstart" ]; then
		fail "$name: the measured run wrote no temp file"
		return
	fi
	echo "$name: $total system calls after exec, the write phase from #$wstart;" \
		"killing at $POINTS of them"
	for ((i = 0; i < POINTS; i++)); do
		# first half: stretch i of the whole run; second half: of the write phase
		from=0 n=$total j=$i half=$(((POINTS + 1) / 2))
		if [ "$i" -ge "$half" ]; then
			from=$((wstart - 1)) n=$((total - wstart + 1)) j=$((i - half))
			half=$((POINTS - half))
		fi
		lo=$((from + j * n / half))
		hi=$((from + (j + 1) * n / half))
		[ "$hi" -gt "$lo" ] || hi=$((lo + 1))
		pick=$((lo + RANDOM % (hi - lo) + 1))
		point=$(sed -n "${pick}p" "$list")
		point=${point% w}
		point=${point% }
		$restore
		{ strace -f -q -o "$T/kill.out" -e trace="${point% *}" \
			-e inject="${point% *}:signal=KILL:when=${point#* }" "$@" </dev/null >/dev/null; } 2>/dev/null
		CHECK_ALL=
		[ $((i % 10)) -ne 0 ] || CHECK_ALL=1
		grep -q 'killed by SIGKILL' "$T/kill.out" && killed=$((killed + 1))
		if diff -r -q "$STATE_DIR" "$STATE_PRISTINE" >/dev/null 2>&1; then
			untouched=$((untouched + 1))
		elif ! $check; then
			fail "$name: state broken after a kill at call #$pick ($point)"
			bad=$((bad + 1))
		elif ! $next; then
			fail "$name: the next run after a kill at call #$pick ($point) did not succeed cleanly"
			bad=$((bad + 1))
		fi
		[ "$bad" -lt 5 ] || { echo "$name: giving up after 5 failures"; break; }
	done
	[ "$bad" -eq 0 ] && pass "$name: $POINTS kill points ($killed killed a process;" \
		"$((POINTS - untouched)) changed the files, each left them whole and the next run clean)"
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
