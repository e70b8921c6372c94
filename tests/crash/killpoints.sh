# kill_points and friends, shared by tests/crash/*.sh (host) and
# tests/vm/scenarios/crash/ (guest); bash. The caller defines T (a scratch
# directory), POINTS, fail MSG and pass MSG.
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
SEED=${ECT_CRASH_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "kill points: $POINTS per operation, seed $SEED (rerun: ECT_CRASH_SEED=$SEED)"

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

same_as_pristine() {
	diff -r -q "$STATE_DIR" "$STATE_PRISTINE" >/dev/null 2>&1
}

# kill_points NAME MARKER RESTORE CHECK NEXT -- CMD...
# Trace CMD once after RESTORE; then for each drawn point: RESTORE, run CMD
# killed at that point, CHECK (the state is whole), NEXT (the next run
# succeeds and leaves no temp file). MARKER: a regex for the execve after
# which calls count (the operation's own program, not its launchers).
# When the kill came before the first write (${UNTOUCHED:-same_as_pristine}
# succeeds: by default the directory $STATE_DIR is still exactly
# $STATE_PRISTINE), CHECK and NEXT are skipped: that state is the one the
# measured run started from.
kill_points() {
	local name=$1 marker=$2 restore=$3 check=$4 next=$5
	local trace=$T/trace.$name list=$T/points.$name
	local total wstart i j half lo hi from n pick point killed=0 bad=0 untouched=0

	shift 6
	$restore
	strace -f -q -o "$trace" "$@" </dev/null >/dev/null 2>&1 || :
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
			-e inject="${point% *}:signal=KILL:when=${point#* }" "$@" </dev/null >/dev/null || :; } 2>/dev/null
		CHECK_ALL=
		[ $((i % 10)) -ne 0 ] || CHECK_ALL=1
		grep -q 'killed by SIGKILL' "$T/kill.out" && killed=$((killed + 1))
		if ${UNTOUCHED:-same_as_pristine}; then
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

