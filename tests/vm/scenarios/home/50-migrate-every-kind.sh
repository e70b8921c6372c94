# ecryptfs-migrate-home -u USER of a home with every file kind (regular,
# empty, sparse, hard links across directories, symlinks relative, absolute
# and dangling, a fifo, a socket, character and block devices, set-id bits,
# a sticky directory, a root-owned file, nanosecond times, user xattrs,
# security.capability, access and default POSIX ACLs, a 143-byte name):
# bad input first (a long name, the user logged in, a full disk, an existing
# .Private), each refused with one line and nothing changed; then the
# migration, and a login through Debian's login stack sees the same manifest
# (content hashes, stat fields, xattrs, ACLs, hard-link groups) as before.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
mig_need
W=$ECT_VM_WORK
mig_make_user
mig_manifest "$MH" >"$W/before"
grep -q '^sparse.img .* holes ' "$W/before" || fail "the test home has no sparse file"

# refuse: one line on stderr, exit 1, nothing changed
refused() { # WHAT PATTERN [REF]: REF the manifest the home must still have
	local rc=0 ref=${3:-$W/before}
	mig_run >"$W/out" 2>"$W/err" </dev/null || rc=$?
	assert_eq 1 "$rc" "exit status with $1"
	grep -Eq "$2" "$W/err" || { cat "$W/err"; fail "no clear error for $1"; }
	mig_manifest "$MH" | diff -u "$ref" - || fail "$1: the home changed"
	[ ! -e "/home/.ecryptfs/$MU" ] || fail "$1: /home/.ecryptfs/$MU was made"
	ls -d "$MH".* 2>/dev/null && fail "$1: a stage was left"
	return 0
}
restore_mtime() { # PATH: its mtime back as the manifest before has it (ns)
	local t
	t=$(awk -v p="$1" '$1 == p { for (i = 2; i <= NF; i++) if ($i ~ /^mtime=/) print substr($i, 7) }' "$W/before")
	touch -m -d "@${t%?????????}.${t: -9}" "$MH/$1"
}
long=$(printf 'L%.0s' $(seq 150))
touch "$MH/docs/$long"
mig_manifest "$MH" >"$W/with-long"
refused "a 150-byte name" "longer than 143 bytes" "$W/with-long"
grep -q "docs/$long (150 bytes)" "$W/err" || fail "the long name is not listed"
rm "$MH/docs/$long"
restore_mtime docs

as_user "$MU" sleep 600 &
sleeper=$!
for _ in $(seq 100); do pgrep -u "$MU" -x sleep >/dev/null && break; sleep 0.2; done
pgrep -u "$MU" -x sleep >/dev/null || fail "the user's process did not start"
refused "the user logged in" "is logged in or has processes"
kill "$sleeper"
wait "$sleeper" 2>/dev/null || :
pkill -u "$MU" || :

avail=$(df -B1 --output=avail /home | tail -n1)
fallocate -l $((avail - 2 * 1048576)) /home/fill || fail "cannot fill /home"
refused "a full disk" "not enough free disk space"
rm /home/fill

mkdir "$MH/.Private"
mig_manifest "$MH" >"$W/with-private"
refused "an existing .Private" "already has .ecryptfs or .Private" "$W/with-private"
rmdir "$MH/.Private"
restore_mtime .
mig_manifest "$MH" | diff -u "$W/before" - || fail "the home changed during the refusals"
log "refused: long name, logged in, full disk, existing .Private; nothing changed"

mig_run >"$W/out" 2>"$W/err" </dev/null || { cat "$W/out" "$W/err"; fail "ecryptfs-migrate-home"; }
cat "$W/out" "$W/err"
grep -q 'mv -T' "$W/out" || fail "no rollback command printed"
grep -q 'disk blocks' "$W/out" || fail "no word about plain text left on the disk blocks"
mig_is_encrypted || fail "$MH is not the encrypted home's layout"
[ ! -e "$MH/plain.txt" ] || fail "plain text in the bare home"
aside=$(mig_aside) || fail "no plain copy kept"
[ "$(stat -c %a "$aside")" = 700 ] || fail "the plain copy $aside is open to others"
ls -a "$MH"/.. | grep "^.ecryptfs-migrate-$MU" >/dev/null && fail "the state file was left"
if grep -rq 'swordfish' "/home/.ecryptfs/$MU/.Private"; then
	fail "plain text in the encrypted lower directory"
fi

mig_login_manifest "$W/during"
mig_dense "$W/before" >"$W/before.dense"
diff -u "$W/before.dense" "$W/during" || fail "the encrypted home differs from the plain one (- before, + at login)"
log "login sees $(wc -l <"$W/during") entries exactly as before (holes stored as encrypted zeros)"
