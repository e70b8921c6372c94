# ecryptfs-migrate-home killed with SIGKILL at random points (ECT_MIGRATE_KILLS,
# default 20), spread over the length of one whole run: after each kill the
# user can log in to either the untouched plain home (same manifest as
# before) or the complete encrypted one (same manifest at login), never
# neither, and no eCryptfs mount is left behind; a rerun then finishes with
# a verified result, and the printed rollback command brings the plain home
# back for the next point.
# ect-vm: timeout=1800
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
mig_need
W=$ECT_VM_WORK
POINTS=${ECT_MIGRATE_KILLS:-20}
mig_make_user
mig_manifest "$MH" >"$W/before"
mig_dense "$W/before" >"$W/before.dense"
mode=$(stat -c %a "$MH")

no_mount_left() {
	! grep -q ' ecryptfs ' /proc/mounts || fail "an eCryptfs mount was left: $(grep ' ecryptfs ' /proc/mounts)"
}
# done_right: the encrypted home at login is the plain one; the plain copy is kept whole
done_right() {
	local aside
	mig_is_encrypted || fail "$1: $MH is not the encrypted home"
	[ ! -e "$MH/plain.txt" ] || fail "$1: plain text in the bare home"
	mig_login_manifest "$W/during"
	diff -u "$W/before.dense" "$W/during" || fail "$1: the encrypted home differs (- before, + at login)"
	aside=$(mig_aside) || fail "$1: no plain copy kept"
	# the kept copy is the plain home itself, only closed to others
	mig_manifest "$aside" | sed "1s/^\. 40[0-7]*/. DIR/" | diff -u <(sed "1s/^\. 40[0-7]*/. DIR/" "$W/before") - ||
		fail "$1: the kept plain copy differs"
}
rollback_fast() {
	local aside
	aside=$(mig_aside) || fail "rollback: no plain copy"
	mv -T "$MH" "$MH.encrypted" && mv -T "$aside" "$MH" && chmod "$mode" "$MH" || fail "rollback"
	rm -rf "$MH.encrypted" "/home/.ecryptfs/$MU"
}

# rollback: as the printed command says (checked on the first run)
rollback() { # and check the plain home is back
	rollback_fast
	mig_manifest "$MH" | diff -u "$W/before" - || fail "the rollback did not bring the plain home back"
}

# one whole run: its length spreads the kill points; its rollback line is the one above
t0=$(date +%s%N)
mig_run >"$W/out" 2>"$W/err" </dev/null || { cat "$W/out" "$W/err"; fail "a whole run"; }
span=$((($(date +%s%N) - t0) / 1000000))
done_right "whole run"
aside=$(mig_aside)
assert_eq "mv -T $MH $MH.encrypted && mv -T $aside $MH && chmod $mode $MH" \
	"$(grep -m1 'mv -T' "$W/out" | sed 's/^ *//')" "printed rollback command"
rollback
log "a whole run takes $span ms; killing at $POINTS random points in it"

for i in $(seq "$POINTS"); do
	at=$(((RANDOM * 32768 + RANDOM) % (span + 1)))
	setsid env ECRYPTFS_TOOLS_KDF_FLOOR=1 ecryptfs-migrate-home -u "$MU" --password-file "$MW" \
		</dev/null >"$W/out.$i" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
	kill -KILL -- "-$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	no_mount_left
	if mig_is_encrypted; then
		mig_login_manifest "$W/during"
		diff -u "$W/before.dense" "$W/during" || fail "kill $i at $at ms: the encrypted home is incomplete"
		state=encrypted
	else
		mig_manifest "$MH" | diff -u "$W/before" - || fail "kill $i at $at ms: the plain home changed"
		mig_plain_login
		state=plain
	fi
	if [ -e "/home/.ecryptfs-migrate-$MU" ] || ! mig_is_encrypted; then
		mig_run >"$W/out" 2>"$W/err" </dev/null ||
			{ cat "$W/out.$i" "$W/out" "$W/err"; fail "kill $i at $at ms: the rerun failed"; }
	fi
	no_mount_left
	# the rerun verified every file itself; the test checks the result in full at the last point
	mig_is_encrypted || fail "kill $i at $at ms: the rerun did not leave the encrypted home"
	[ ! -e "/home/.ecryptfs-migrate-$MU" ] || fail "kill $i at $at ms: the state file was left"
	log "kill $i at $at ms: left the $state home, the rerun finished"
	[ "$i" = "$POINTS" ] && done_right "kill $i at $at ms, resumed"
	# back to the plain home for the next point (checked by the next point's manifest)
	rollback_fast
done
