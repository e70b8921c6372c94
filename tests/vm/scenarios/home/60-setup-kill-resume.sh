# ecryptfs-setup-private -b killed with SIGKILL at random points
# (ECT_SETUP_KILLS, default 12) while it moves the files already in the home
# into the new encrypted home. After each kill no eCryptfs mount is left, and
# nothing is lost: either the plain home is untouched (same manifest as
# before) or, once the state file says the copy is verified, the encrypted
# home at login holds every file, and no key is left in root's user keyring.
# Rerunning the same command then finishes:
# every file is in the encrypted home, identical (content, modes, times,
# xattrs, hard links still links), the lower files are encrypted, and
# nothing is left in plain text underneath.
# ect-vm: timeout=3000 optin=ECT_VM_SETUP_KILLS
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
mig_need
need_tool ecryptfs-setup-private
W=$ECT_VM_WORK
POINTS=${ECT_SETUP_KILLS:-12}
MU=$(make_user)
MPW=pw-$MU
MH=$(pam_home "$MU")
MW=$W/pw-$MU
printf '%s\n' "$MPW" >"$MW"
word="plain-marker-$MU-$RANDOM"
# every kind setup -b moves (all the user's: it refuses other owners and devices)
as_user_sh "$MU" "
	set -e
	mkdir -p ~/docs/deep ~/'with space' && echo '$word' >~/docs/deep/secret.txt
	head -c 3000000 /dev/urandom >~/docs/big.bin && head -c 200000 /dev/urandom >~/small.bin
	for i in \$(seq 40); do echo \"$word \$i\" >~/docs/note-\$i.txt; done
	echo spaced >~/'with space'/'a b.txt'
	ln ~/docs/deep/secret.txt ~/docs/hard-1 && ln ~/docs/deep/secret.txt ~/hard-2
	ln ~/small.bin ~/docs/small-link
	ln -s docs/deep/secret.txt ~/sym && mkfifo -m 620 ~/fifo
	truncate -s 1M ~/sparse && echo tail >>~/sparse
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], \"user.note\", sys.argv[2].encode())' ~/docs/note-1.txt '$word'
	chmod 640 ~/docs/note-2.txt && chmod 750 ~/docs
	touch -d '2001-02-03 04:05:06.123456789' ~/docs/deep/secret.txt
"
# the home directory's own line is left out: adding the layout's links changes its times.
# Access times are left out too (see mig_dense): reading the home to check it may move them.
manifest() { mig_manifest "$1" | grep -v '^\. ' >"$W/m.raw"; mig_dense "$W/m.raw"; }
manifest "$MH" >"$W/before"
grep -q 'hard-2 .*link-group=docs/deep/secret.txt' "$W/before" || fail "the manifest lacks the hard link"
tar -C "$MH" --xattrs --acls -S -cpf "$W/home.tar" .
mode=$(stat -c %a "$MH")

# -b refuses while the user has a process: the killed run's child, a test login's
user_gone() {
	for _ in $(seq 50); do pgrep -u "$MU" >/dev/null || return 0; sleep 0.1; done
	fail "$MU still has processes: $(pgrep -a -u "$MU")"
}
setup_cmd() {
	user_gone
	ecryptfs-setup-private -b -u "$MU" --password-file "$MW" --nopwcheck --kdf-floor
}
no_mount_left() {
	! grep -q ' ecryptfs ' /proc/mounts || fail "$1: an eCryptfs mount was left: $(grep ' ecryptfs ' /proc/mounts)"
	# the mount's keys lived in the setup's own session keyring, gone with it
	[ -z "$(keyctl rlist @u 2>/dev/null)" ] || fail "$1: keys left in root's user keyring: $(keyctl list @u)"
}
state=/home/.ecryptfs/.setup-$MU
phase() { sed -n "s/^phase=//p" "$state" 2>/dev/null || true; }
finished() { [ -L "$MH/README.txt" ] && [ ! -e "$state" ] && [ "$(stat -c %a "$MH")" = 500 ]; }
# the end state: only the layout's links in the bare home, all files encrypted below, same at login
done_right() {
	local bare
	no_mount_left "$1"
	bare=$(find "$MH" -mindepth 1 -printf '%P ' | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')
	assert_eq ".Private .ecryptfs Access-Your-Private-Data.desktop README.txt " "$bare" "$1: the bare home"
	[ ! -e "$state" ] || fail "$1: the state file was left"
	home_lower_encrypted "$MU"
	home_plain_nowhere "$MU" "$word"
	mig_login_manifest "$W/during.raw"
	keyctl clear @u >/dev/null # whatever the login left: only the setup's keys count
	grep -v '^\. ' "$W/during.raw" >"$W/during"
	diff -u "$W/before" "$W/during" || fail "$1: the encrypted home differs (- before, + at login)"
}
# back to the plain home for the next point
reset_home() {
	rm -rf "/home/.ecryptfs/$MU" "$state" "/dev/shm/.ecryptfs-$MU"
	chmod 700 "$MH"
	find "$MH" -mindepth 1 -delete
	tar -C "$MH" --xattrs --acls -xpf "$W/home.tar"
	chmod "$mode" "$MH"
	manifest "$MH" | diff -u "$W/before" - || fail "could not restore the plain home"
}

# root's user keyring starts empty: a key left in it afterwards is the setup's
keyctl clear @u >/dev/null
# one whole run: its length spreads the kill points
t0=$(date +%s%N)
setup_cmd >"$W/out" 2>&1 </dev/null || { cat "$W/out"; fail "a whole run"; }
span=$((($(date +%s%N) - t0) / 1000000))
done_right "whole run"
reset_home
log "a whole run takes $span ms; killing at $POINTS random points in it"

for i in $(seq "$POINTS"); do
	at=$(((RANDOM * 32768 + RANDOM) % (span + 1)))
	user_gone
	setsid ecryptfs-setup-private -b -u "$MU" --password-file "$MW" --nopwcheck --kdf-floor \
		</dev/null >"$W/out.$i" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL -- "-$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	# the user's child dies with the setup; give the kernel a moment to reap it
	user_gone
	no_mount_left "kill $i at $at ms"
	p=$(phase)
	if finished; then
		what=finished
	elif [ "$p" = 2 ]; then
		# the copy is verified: the encrypted home holds every file already
		mig_login_manifest "$W/during.raw"
		keyctl clear @u >/dev/null # whatever the login left: only the setup's keys count
		grep -v '^\. ' "$W/during.raw" | diff -u "$W/before" - ||
			fail "kill $i at $at ms (phase 2): the encrypted home is incomplete"
		what="copied, removing the plain files"
	else
		manifest "$MH" | diff -u "$W/before" - || fail "kill $i at $at ms (phase '${p:-none}'): the plain home changed"
		what="plain home untouched (phase ${p:-none})"
	fi
	if ! finished; then
		setup_cmd >"$W/rerun.$i" 2>&1 </dev/null ||
			{ cat "$W/out.$i" "$W/rerun.$i"; fail "kill $i at $at ms ($what): the rerun failed"; }
	fi
	log "kill $i at $at ms: $what; $(grep -h '^INFO: \(undoing\|finishing\)' "$W/rerun.$i" 2>/dev/null | cut -c1-40)"
	done_right "kill $i at $at ms ($what), rerun"
	[ "$i" = "$POINTS" ] || reset_home
done
