# A state file /home/.ecryptfs/.setup-USER in phase "clear" makes a rerun of
# ecryptfs-setup-private -b remove the plain files of the home. One left
# behind (a killed inner run of migrate-home, a tree removed since) must not
# make a later setup delete a real plain home: the rerun refuses, removing
# nothing, unless the home and .Private are the directories the copy was
# verified for AND a copy of the mount passphrase exists. With both, it
# finishes the clear. And a second run while one holds the lock
# /home/.ecryptfs/.setup-USER.lock does nothing.
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
need_tool ecryptfs-setup-private
W=$ECT_VM_WORK
U=$(make_user)
H=$(pam_home "$U")
uid=$(id -u "$U")
word="plain-marker-$U"
as_user_sh "$U" "echo '$word' >~/keep.txt"
state=/home/.ecryptfs/.setup-$U
mkdir -p -m 0755 /home/.ecryptfs
chmod 0755 /home/.ecryptfs

put_state() {
	printf '# left behind\nuid=%s\nphase=2\nmade_top=0\nmade_cfg=0\nmade_lower=0\nbackup=-\n%s' \
		"$uid" "$1" >"$state"
	chmod 600 "$state"
}
# the password from a here-string, not a pipe: a run that never reads it (the
# clear needs none) may exit before printf writes, and pipefail would then
# report printf's SIGPIPE as the run's status
rerun() {
	ecryptfs-setup-private -b -u "$U" --password-file - --nopwcheck --kdf-floor \
		>"$W/out" 2>&1 <<<"pw-$U"
}
must_refuse() {
	local rc=0
	rerun || rc=$?
	cat "$W/out"
	assert_eq 1 "$rc" "$1: exit status"
	grep -q 'nothing removed' "$W/out" || fail "$1: no line says why"
	assert_eq "$word" "$(cat "$H/keep.txt" 2>/dev/null)" "$1: the plain file"
	[ -e "$state" ] || fail "$1: the state file was removed"
}

# 0. another run for the same user holds the lock: this one does nothing
put_state ""
lock=/home/.ecryptfs/.setup-$U.lock
install -m 0600 /dev/null "$lock"
# the subshell becomes the sleep that holds the lock: killing it lets go
(exec 9<>"$lock" && flock -n 9 && exec sleep 60) &
holder=$!
sleep 1
rc=0
rerun || rc=$?
kill "$holder" 2>/dev/null || :
wait "$holder" 2>/dev/null || :
cat "$W/out"
assert_eq 1 "$rc" "while locked: exit status"
grep -q 'is running' "$W/out" || fail "while locked: no line says another run holds it"
assert_eq "$word" "$(cat "$H/keep.txt" 2>/dev/null)" "while locked: the plain file"

# 1. an old-style state file that describes no directory
put_state ""
must_refuse "a state file without the home's identity"
[ ! -e "$lock" ] || fail "the lock file was left"

# 2. the right directories, but no copy of the mount passphrase
mkdir -p -m 0755 "/home/.ecryptfs/$U"
install -d -o "$U" -g "$U" -m 0700 "/home/.ecryptfs/$U/.Private" "/home/.ecryptfs/$U/.ecryptfs"
ids="home=$(stat -c %d:%i "$H")
lower=$(stat -c %d:%i "/home/.ecryptfs/$U/.Private")
"
put_state "$ids"
must_refuse "no wrapped-passphrase, no /dev/shm file"

# 3. another home (same name, new directory) with the passphrase there
install -o "$U" -g "$U" -m 0600 /dev/null "/home/.ecryptfs/$U/.ecryptfs/wrapped-passphrase"
echo x >"/home/.ecryptfs/$U/.ecryptfs/wrapped-passphrase"
# everything moves over, useradd's skel files too, so that the old directory can go
mv "$H" "$H.old" && install -d -o "$U" -g "$U" -m 0700 "$H" &&
	find "$H.old" -mindepth 1 -maxdepth 1 -exec mv -t "$H" {} + && rmdir "$H.old" ||
	fail "could not replace $H"
must_refuse "a home that is not the one the state file was written for"

# 4. the state file matches and the passphrase is kept: the clear finishes
put_state "home=$(stat -c %d:%i "$H")
lower=$(stat -c %d:%i "/home/.ecryptfs/$U/.Private")
"
rc=0
rerun || rc=$?
cat "$W/out"
assert_eq 0 "$rc" "the matching rerun: exit status"
[ ! -e "$H/keep.txt" ] || fail "the matching rerun left the plain file"
[ ! -e "$state" ] || fail "the matching rerun left the state file"
log "stale, keyless and replaced-home state files refused; a matching one finished"
