# ecryptfs-setup-private -b killed with SIGKILL at each boundary of its
# phases, held there by strace (home/60 kills at random times and has never
# hit the removal of the plain copies). The run records its phase in
# /home/.ecryptfs/.setup-USER (cmd-private-setup-home.c): 1 (copy) until the
# encrypted copy is verified, then 2 (clear) while the plain copies are
# removed; the file goes when all is done. The points, each on a fresh plain
# home:
#   commit   phase 2 written to the state's temp file, not yet renamed in
#            (the root process at the entry of its 3rd renameat in
#            /home/.ecryptfs): the rerun undoes and sets up afresh;
#   cleared  phase 2 renamed in, no plain file removed yet (the same
#            renameat, at its exit);
#   midway   some plain files removed, others not (the user's child at the
#            entry of its 6th unlinkat in HOME/docs): the encrypted home is
#            complete at login already;
#   done     all done but the state file (the root process at the entry of
#            its first unlinkat in /home/.ecryptfs).
# A kill at the entry of a syscall means the syscall never ran. After each
# kill: no mount and no key left, and the plain home or the encrypted one
# holds every file; the rerun of the same command finishes, and then every
# file of the original home is in the encrypted home at login (content
# checksums, modes, times, xattrs, hard links), nothing is in plain text
# underneath, the login password (the wrapped passphrase) opens it, and
# ecryptfs-verify-private finds nothing wrong.
# Opt-in with home/60 (ECT_VM_SETUP_KILLS=1): its kill step raced strace's
# delay in the 2026-12-05 full run, fixed after that run.
# ect-vm: timeout=2400 optin=ECT_VM_SETUP_KILLS
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
mig_need
need_tool ecryptfs-setup-private ecryptfs-verify-private strace
W=$ECT_VM_WORK
MU=$(make_user)
MPW=pw-$MU
MH=$(pam_home "$MU")
MW=$W/pw-$MU
printf '%s\n' "$MPW" >"$MW"
word="plain-marker-$MU-$RANDOM"
# docs/ sorts big.bin, deep (removed after its contents), hard-1, note-01.txt...:
# its 6th unlinkat is note-03.txt's
as_user_sh "$MU" "
	set -e
	mkdir -p ~/docs/deep ~/'with space' && echo '$word' >~/docs/deep/secret.txt
	head -c 200000 /dev/urandom >~/docs/big.bin && head -c 50000 /dev/urandom >~/small.bin
	for i in \$(seq -w 12); do echo \"$word \$i\" >~/docs/note-\$i.txt; done
	echo spaced >~/'with space'/'a b.txt'
	ln ~/docs/deep/secret.txt ~/docs/hard-1 && ln ~/docs/deep/secret.txt ~/hard-2
	ln ~/small.bin ~/docs/small-link
	ln -s docs/deep/secret.txt ~/sym && mkfifo -m 620 ~/fifo
	truncate -s 1M ~/sparse && echo tail >>~/sparse
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], \"user.note\", sys.argv[2].encode())' ~/docs/note-01.txt '$word'
	chmod 640 ~/docs/note-02.txt && chmod 750 ~/docs
	touch -d '2001-02-03 04:05:06.123456789' ~/docs/deep/secret.txt
"
# as home/60: the home's own line is left out (the layout's links change its times)
manifest() { mig_manifest "$1" | grep -v '^\. ' >"$W/m.raw"; mig_dense "$W/m.raw"; }
manifest "$MH" >"$W/before"
[ -e "$MH/docs/note-03.txt" ] && grep -q 'hard-2 .*link-group=docs/deep/secret.txt' "$W/before" ||
	fail "the home was not filled as the points expect"
tar -C "$MH" --xattrs --acls -S -cpf "$W/home.tar" .
mode=$(stat -c %a "$MH")
ec=/home/.ecryptfs
state=$ec/.setup-$MU
phase() { sed -n "s/^phase=//p" "$state" 2>/dev/null || true; }

user_gone() {
	for _ in $(seq 100); do pgrep -u "$MU" >/dev/null || return 0; sleep 0.1; done
	fail "$MU still has processes: $(pgrep -a -u "$MU")"
}
setup_cmd() {
	user_gone
	ecryptfs-setup-private -b -u "$MU" --password-file "$MW" --nopwcheck --kdf-floor "$@"
}
no_mount_left() {
	! grep -q ' ecryptfs ' /proc/mounts || fail "$1: an eCryptfs mount was left: $(grep ' ecryptfs ' /proc/mounts)"
	[ -z "$(keyctl rlist @u 2>/dev/null)" ] || fail "$1: keys left in root's user keyring: $(keyctl list @u)"
}
bare_list() { find "$MH" -mindepth 1 -printf '%P\n' | LC_ALL=C sort | tr '\n' ' '; }
layout_only=".Private .ecryptfs Access-Your-Private-Data.desktop README.txt "
# the encrypted home at login holds every file of the original home, identical
login_complete() {
	mig_login_manifest "$W/during.raw"
	keyctl clear @u >/dev/null # whatever the login left: only the setup's keys count
	grep -v '^\. ' "$W/during.raw" >"$W/during"
	diff -u "$W/before" "$W/during" || fail "$1: the encrypted home differs (- before, + at login)"
}
done_right() {
	local out
	no_mount_left "$1"
	assert_eq "$layout_only" "$(bare_list)" "$1: the bare home"
	assert_eq 500 "$(stat -c %a "$MH")" "$1: the bare home's mode"
	[ -z "$(find "$ec" -maxdepth 1 -name ".setup-$MU*")" ] ||
		fail "$1: left in $ec: $(find "$ec" -maxdepth 1 -name ".setup-$MU*")"
	home_plain_nowhere "$MU" "$word"
	login_complete "$1"
	out=$(ecryptfs-verify-private -u "$MU" --no-system 2>&1) || fail "$1: verify-private: $out"
}
reset_home() {
	rm -rf "$ec/$MU" "$state" "$state".tmp-* "/dev/shm/.ecryptfs-$MU"
	chmod 700 "$MH"
	find "$MH" -mindepth 1 -delete
	tar -C "$MH" --xattrs --acls -xpf "$W/home.tar"
	chmod "$mode" "$MH"
	manifest "$MH" | diff -u "$W/before" - || fail "could not restore the plain home"
}

# every pid of the process tree under $1, $1 first
tree_pids() {
	local p c
	for p in "$@"; do
		echo "$p"
		c=$(cat "/proc/$p/task/$p/children" 2>/dev/null) || continue
		[ -z "$c" ] || tree_pids $c
	done
}
# up to 300 s (a loaded TCG guest): a process of the traced run held at syscall $1
wait_for_hold() {
	for _ in $(seq 3000); do
		held_at_syscall "$1" $(tree_pids "$s_pid") && return 0
		kill -0 "$s_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# every process of the traced run killed with SIGKILL, then strace. A killed
# tracee that strace still holds (its 150 s delay running) waits in a trace
# stop ('t'), and strace deals with it only when the delay ends; so each one
# must be a zombie, gone or in such a stop, and then strace goes too. Its
# tracees are let go with SIGKILL pending, and the kernel skips a syscall
# whose entry stop ends with a fatal signal pending: the held syscall never
# runs.
kill_run() {
	local root pids
	read -r root _ <"/proc/$s_pid/task/$s_pid/children" || :
	if [ -n "$root" ]; then
		pids=$(tree_pids "$root")
		kill -KILL $pids 2>/dev/null || :
		run_states_in "Z t" $pids || fail "process $alive of the killed run is still alive"
	fi
	kill -KILL "$s_pid" 2>/dev/null || :
	wait "$s_pid" 2>/dev/null || :
	[ -z "$root" ] || run_states_in "Z" $pids ||
		fail "process $alive of the killed run is still alive after strace went"
}
# run_states_in STATES PID...: within 30 s every PID is gone or in one of
# STATES (/proc/PID/stat field 3); else 1, with the first other one in $alive.
run_states_in() {
	local states=$1 p st
	shift
	for _ in $(seq 300); do
		alive=
		for p in "$@"; do
			st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
			case " $states " in *" $st "*) ;; *) alive=$p ;; esac
		done
		[ -n "$alive" ] || return 0
		sleep 0.1
	done
	return 1
}
give_up() {
	kill_run
	fail "$1"
}
held_uid() { awk '/^Uid:/ {print $2}' "/proc/$HELD_PID/status"; }

# kill_at NAME PATH SYSCALL NR N enter|exit WHO CHECK: the setup run under strace, held
# at the entry or exit of its Nth SYSCALL (x86_64 number NR) on PATH, by a
# process of WHO (root: the setup itself; user: a child that became the
# user); CHECK (a shell condition) must hold there; then every process of
# the run is killed with SIGKILL.
kill_at() {
	local name=$1 path=$2 sc=$3 nr=$4 n=$5 at=$6 who=$7 check=$8 root
	user_gone
	strace -f -qq -e signal=none --seccomp-bpf -o "$W/strace.$name" -P "$path" -e "trace=$sc" \
		-e "inject=$sc:delay_$at=150000000:when=$n" \
		ecryptfs-setup-private -b -u "$MU" --password-file "$MW" --nopwcheck --kdf-floor \
		</dev/null >"$W/out.$name" 2>&1 &
	s_pid=$!
	wait_for_hold "$nr" || { cat "$W/out.$name" "$W/strace.$name"; give_up "$name: never held at $sc #$n on $path"; }
	read -r root _ <"/proc/$s_pid/task/$s_pid/children" || :
	case $who in
	root) [ "$root" = "$HELD_PID" ] || give_up "$name: held process $HELD_PID, not the setup ($root)" ;;
	user) [ "$(id -u "$MU")" = "$(held_uid)" ] || give_up "$name: held process $HELD_PID is not $MU's" ;;
	esac
	eval "$check" || { cat "$W/out.$name"; give_up "$name: held at $sc #$n, but not where expected ($check)"; }
	held_at_syscall "$nr" "$HELD_PID" || give_up "$name: let go before the kill: raise the delay"
	kill_run
	user_gone
	no_mount_left "$name"
	eval "$check" || fail "$name: after the kill, no longer as held ($check)"
	log "$name: killed held at $sc #$n ($at) on $path: phase $(phase); bare home: $(ls -A "$MH" | tr "\n" " ")"
}
# rerun NAME WORD: the same command finishes the job, saying WORD (undoing|finishing)
rerun() {
	setup_cmd >"$W/rerun.$1" 2>&1 </dev/null || { cat "$W/out.$1" "$W/rerun.$1"; fail "$1: the rerun failed"; }
	grep -q "^INFO: $2 the interrupted setup" "$W/rerun.$1" ||
		{ cat "$W/rerun.$1"; fail "$1: the rerun did not say it was $2 the killed run"; }
	done_right "$1, rerun"
	log "$1: the rerun was $2 the killed run; all files in the encrypted home, none underneath"
}
tmp_says_clear() { grep -qx 'phase=2' "$state".tmp-* 2>/dev/null; }
untouched() { manifest "$MH" | diff -u "$W/before" - >/dev/null; }

# root's user keyring starts empty: a key left in it afterwards is the setup's
keyctl clear @u >/dev/null

kill_at commit "$ec" renameat 264 3 enter root '[ "$(phase)" = 1 ] && tmp_says_clear && untouched'
rerun commit undoing
reset_home

kill_at cleared "$ec" renameat 264 3 exit root '[ "$(phase)" = 2 ] && untouched'
rerun cleared finishing
reset_home

kill_at midway "$MH/docs" unlinkat 263 6 enter user \
	'[ "$(phase)" = 2 ] && [ ! -e "$MH/docs/note-02.txt" ] && [ -e "$MH/docs/note-03.txt" ] && [ -e "$MH/small.bin" ]'
# half the plain copies gone: the encrypted home holds them all already
login_complete "midway, before the rerun"
rerun midway finishing
reset_home

kill_at done "$ec" unlinkat 263 1 enter root \
	'[ "$(phase)" = 2 ] && [ "$(bare_list)" = "$layout_only" ] && [ "$(stat -c %a "$MH")" = 500 ]'
rerun done finishing
# once (slow under TCG: a few processes per file): every lower file is encrypted
home_lower_encrypted "$MU"
