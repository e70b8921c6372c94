# ecryptfs-setup-private -b -u USER with a password leaves the whole-home
# layout that ecryptfs-utils 111's leaves, entry by entry: owners, modes,
# symlinks (.ecryptfs, .Private, README.txt, the desktop file) in the bare
# home, the tree in /home/.ecryptfs/USER, Private.mnt, auto-mount and
# auto-umount, and the .ecryptfs/.Private links inside the mounted home. The
# mounted home then unmounts with ecryptfs-umount-private, which finds
# ~/.ecryptfs through the inner link. The README and desktop links of both
# bare homes lead to files this package installs.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
need_peer
need_tool ecryptfs-setup-private ecryptfs-mount-private ecryptfs-umount-private
pam_need_helpers
W=$ECT_VM_WORK
peer_user=$(make_user)
our_user=$(make_user "${peer_user}o")
home_empty "$peer_user"
home_empty "$our_user"

# 111: leaves the home mounted (for adduser to copy /etc/skel in), with root's keys
peer_env sh "$ECT_PEER/usr/bin/ecryptfs-setup-private" -b -u "$peer_user" -l "pw-$peer_user" \
	</dev/null >"$W/peer-setup.log" 2>&1 || { cat "$W/peer-setup.log"; fail "111's setup-private -b"; }
pam_is_mounted "$(pam_home "$peer_user")" || fail "111 did not leave the home mounted"
{
	echo "== HOME (mounted)"
	home_list "$peer_user" "$(pam_home "$peer_user")"
} >"$W/peer.mounted"
umount "$(pam_home "$peer_user")"
keyctl clear @u
home_bare_layout "$peer_user" >"$W/peer.bare"

# ours: unmounted when done (the files it finds are moved in, see 02)
home_setup_ours "$our_user" "pw-$our_user" >"$W/our-setup.log" 2>&1 ||
	{ cat "$W/our-setup.log"; fail "our setup-private -b"; }
cat "$W/our-setup.log"
pam_is_mounted "$(pam_home "$our_user")" && fail "our setup left the home mounted"
home_bare_layout "$our_user" >"$W/our.bare"
# the user mounts it (keys from the wrapped passphrase), lists it, and
# unmounts while ~ is the mounted home: ~/.ecryptfs must resolve there
printf '%s\n' "pw-$our_user" | as_user_sh "$our_user" "
	ecryptfs-mount-private --password-file - >&2 || exit 10
	echo '== HOME (mounted)'
	stat -c '. %F %a %U:%G' ~/
	find ~/ -mindepth 1 -maxdepth 1 -printf '%P %y %m %u:%g %l\n' | LC_ALL=C sort
	ls ~/.ecryptfs/Private.sig >/dev/null || exit 11
	ecryptfs-umount-private >&2 || exit 12
" >"$W/our.mounted.raw" 2>"$W/our-mount.log" || {
	rc=$? # 10: mount-private, 11: no ~/.ecryptfs while mounted, 12: umount-private
	cat "$W/our-mount.log"
	fail "mount, list, umount-private as the user (status $rc)"
}
cat "$W/our-mount.log"
pam_is_mounted "$(pam_home "$our_user")" && fail "ecryptfs-umount-private left the home mounted"
sed "s#$(pam_home "$our_user")#HOME#g; s#/home/.ecryptfs/$our_user/#/home/.ecryptfs/USER/#g; s#\\b$our_user\\b#USER#g" \
	"$W/our.mounted.raw" >"$W/our.mounted"
cp "$W"/peer.* "$W"/our.* "$ECT_VM_RESULT_DIR/" 2>/dev/null || true

# Deliberate differences, each stricter than 111 (doc/architecture.md):
# the wrapped passphrase is v3 and 0600 (111: v2, 0400 from umask 377), the
# flag files 0600 (111's touch as root: 0644).
normalize() {
	sed -E 's#^(wrapped-passphrase f) [0-7]+ #\1 MODE #; s#^(auto-u?mount f) [0-7]+ #\1 MODE #' "$1"
}
for view in bare mounted; do
	if ! diff -u <(normalize "$W/peer.$view") <(normalize "$W/our.$view") >"$W/diff.$view"; then
		cat "$W/diff.$view"
		fail "the $view whole home differs from 111's (- 111, + ours)"
	fi
	log "$view view as 111:"
	cat "$W/our.$view"
done

# The README and desktop links of a bare home lead to files this package
# installs at 111's path (ecryptfs-utils, which it replaces, is not
# installed here): in the home 111 made as in ours.
for u in "$peer_user" "$our_user"; do
	for l in README.txt Access-Your-Private-Data.desktop; do
		[ -f "$(pam_home "$u")/$l" ] ||
			fail "$u's $l leads nowhere: $(readlink "$(pam_home "$u")/$l") is not installed"
	done
done
grep -q '^ ecryptfs-mount-private$' "$(pam_home "$our_user")/README.txt" || fail "README.txt: no ecryptfs-mount-private"
assert_eq /usr/bin/ecryptfs-mount-private \
	"$(sed -n 's/^Exec=//p' "$(pam_home "$our_user")/Access-Your-Private-Data.desktop")" "the desktop file's Exec"
[ -x /usr/bin/ecryptfs-mount-private ] || fail "the desktop file's Exec is not installed"
