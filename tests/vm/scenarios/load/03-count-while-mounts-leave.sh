# The load scenarios' own mount count (load_count_on, load.inc) must see a
# mount that stays while another one leaves the table. load/02 failed once
# (seed 60279): a session of l2u13 counted its ~/Private as not mounted at
# the end of its hold, with no logout of that user in between. Its count was
# a `read` loop over /proc/mounts, which lseeks back after every row; the
# kernel regenerates the table for each lseek, so when another user's mount
# left above the reader between its read and that lseek, the offset fell one
# row down and the reader skipped the row after the one it had just read.
# Forced here, without users or PAM: mounts A, B and T in that order; the
# reader is held by strace at the first syscall it makes on the table after
# it was handed B's row for the last time, A is unmounted, and the reader
# must still count T once.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/load/load.inc"
need_tool strace
base=$W/table
mkdir -p "$base"
mount -t tmpfs lr-base "$base" || fail "cannot mount a tmpfs on $base"
for m in a b t; do
	mkdir "$base/$m"
	mount -t tmpfs "lr-$m" "$base/$m" || fail "cannot mount a tmpfs on $base/$m"
done
# the rows in the order mounted, B right above T; T's offset in the table
read -r rows start_t < <(awk -v a="$base/a" -v b="$base/b" -v t="$base/t" '
	$2 == a { ia = NR } $2 == b { ib = NR }
	$2 == t { printf "%s %d\n", (ia && ib == ia + 1 && NR == ib + 1) ? "ok" : "bad", off; exit }
	{ off += length($0) + 1 }' /proc/mounts)
[ "$rows" = ok ] || { cat /proc/mounts; fail "the rows of A, B and T do not follow each other"; }

# reader [STRACE-OPTION...]: load_count_on of T under strace (read and lseek
# of every fd traced; the count to $W/count, the trace to $W/reader.strace)
reader() {
	strace -qq -s 0 -o "$W/reader.strace" -e trace=read,lseek "$@" \
		bash -c "$LOAD_COUNT_FN"$'\n''load_count_on "$1" tmpfs' count "$base/t" \
		</dev/null >"$W/count"
}

# 1. Untouched: which syscall the reader makes on the table (fd 0) after the
# last read that handed it the end of B's row (offset start_t - 1), and the
# how-manieth of its name it is (strace's inject counts per syscall).
reader || fail "the reader failed"
assert_eq 1 "$(cat "$W/count")" "mounts counted on T with the table unchanged"
read -r name nth < <(awk -v end="$start_t" '
	{ sc = $0; sub(/\(.*/, "", sc); fd = $0; sub(/^[a-z0-9_]+\(/, "", fd); sub(/,.*/, "", fd)
	  ret = $0; sub(/.*\) += /, "", ret); sub(/ .*/, "", ret); seen[sc]++ }
	fd != "0" { next }
	want && !target { target = sc " " seen[sc] }
	sc == "read" && ret > 0 { if (pos < end && pos + ret >= end) { want = 1; target = "" } pos += ret }
	sc == "lseek" && ret >= 0 { pos = ret }
	END { print target }' "$W/reader.strace")
[ -n "$name" ] || { cat "$W/reader.strace"; fail "the reader made no syscall on the table after B's row"; }
case $name in
read) nr=0 ;;
lseek) nr=8 ;;
*) fail "unexpected syscall $name" ;;
esac
log "the reader's next syscall on the table after B's row: $name number $nth"

# 2. The same reader, held there for $delay_s s (tracing stop) while A
# leaves. The polls are builtins: a fork costs seconds in a busy guest.
delay_s=90
mkfifo -m 600 "$W/tick"
exec {LOAD_TICK}<>"$W/tick"
reader -e "inject=$name:delay_enter=${delay_s}000000:when=$nth" &
spid=$!
# find_reader: reader_pid = the one bash in the guest that is being traced
find_reader() {
	local f key val comm tracer
	for f in /proc/[0-9]*/status; do
		comm= tracer=0
		while read -r key val; do
			case $key in
			Name:) comm=$val ;;
			TracerPid:) tracer=$val && break ;;
			esac
		done 2>/dev/null <"$f" || continue
		[ "$comm" = bash ] && [ "$tracer" != 0 ] || continue
		reader_pid=${f#/proc/}
		reader_pid=${reader_pid%/status}
		return 0
	done
	return 1
}
# held: the reader is in tracing stop at the entry of that syscall on fd 0
held() {
	local stat sc
	read -r stat <"/proc/$reader_pid/stat" 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" = t ] || return 1
	read -r sc <"/proc/$reader_pid/syscall" 2>/dev/null || return 1
	[[ $sc == "$nr 0x0 "* ]]
}
reader_pid=
seen=0
for ((k = 0; k < 600 && seen < 2; k++)); do
	kill -0 "$spid" 2>/dev/null || break
	if [ -n "$reader_pid" ] || find_reader; then
		if held; then seen=$((seen + 1)); else seen=0; fi
	fi
	load_nap 0.3
done
[ "$seen" -ge 2 ] || fail "the reader was never held at its $name number $nth"
umount "$base/a" || fail "cannot unmount A"
held || fail "A left after the reader went on: raise delay_s ($delay_s s)"
log "A unmounted while the reader was held at its $name number $nth"
wait "$spid" || fail "the reader failed"
assert_eq 1 "$(cat "$W/count")" "mounts counted on T while A left the table"
umount "$base/b" "$base/t" "$base" || fail "cannot unmount the tmpfs mounts"
log "a mount leaving above the reader does not hide the next row from load_count_on"
