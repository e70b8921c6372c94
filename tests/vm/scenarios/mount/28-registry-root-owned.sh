# Issue #4 finding 2: the session registry under /run/ecryptfs-tools may
# not let a user fill the /run tmpfs. A user without an eCryptfs
# configuration creates nothing there; the per-user directory and its
# files belong to root and are not writable by the user; a flood of
# sessions and aliases stays bounded.
# ect-vm: timeout=600
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
state=/run/ecryptfs-tools/$UID_
# no configuration at all, then a broken one: nothing under /run
for i in 1 2 3; do
	as_user "$U" /sbin/mount.ecryptfs_private >/dev/null 2>&1 && fail "mounted without a configuration"
	as_user "$U" /sbin/umount.ecryptfs_private >/dev/null 2>&1 || true
	as_user "$U" /sbin/mount.ecryptfs_private "alias$i" >/dev/null 2>&1 || true
done
install -d -o "$U" -g "$U" -m 700 "$H/.ecryptfs"
as_user "$U" sh -c 'echo notasig >~/.ecryptfs/Private.sig'
as_user "$U" /sbin/mount.ecryptfs_private >/dev/null 2>&1 && fail "mounted with a bad signature file"
[ -e "$state" ] && fail "$state was created for a user without a valid configuration"
rm -rf "$H/.ecryptfs"
# a valid configuration: root-owned directory and files
quick_private
as_user_keys 'setsid -w /sbin/mount.ecryptfs_private'
mounted_at "$H/Private" || fail "not mounted"
assert_eq "root 700" "$(stat -c '%U %a' "$state")" "owner and mode of $state"
for f in "$state"/* "$state"/.[!.]*; do
	[ -e "$f" ] || continue
	assert_eq root "$(stat -c %U "$f")" "owner of $f"
done
as_user "$U" sh -c "echo x >>$state/lock" 2>/dev/null && fail "the user can write the lock file"
as_user "$U" touch "$state/new" 2>/dev/null && fail "the user can create files in $state"
# sessions: one live entry per live session, dead ones pruned
as_user_keys 'for i in $(seq 1 30); do setsid -w /sbin/mount.ecryptfs_private >/dev/null 2>&1; done'
n=$(sessions_of "$UID_" Private)
log "registry entries after 30 short sessions: $n"
[ "$n" -le 1 ] || fail "dead sessions were kept ($n entries)"
# aliases: 24 aliases, each held by a live session; the files stay bounded
for i in $(seq 1 24); do alias_conf "a$i" "$H/.Private" "$H/Private"; done
as_user_keys 'for i in $(seq 1 24); do setsid sh -c "/sbin/mount.ecryptfs_private a$i >/dev/null 2>&1; exec sleep 300" & done; sleep 2'
for i in $(seq 1 120); do
	pgrep -u "$U" -f '^/sbin/mount.ecryptfs_private' >/dev/null || break
	sleep 0.5
done
nfiles=$(find "$state" -mindepth 1 | wc -l)
log "files in $state with 24 aliases in use: $nfiles"
ls -la "$state"
[ "$nfiles" -le 20 ] || fail "$nfiles files in $state: not bounded"
# a blocked tmp file or a registry cannot be planted by the user
as_user "$U" ln -s /etc/shadow "$state/Private.sessions" 2>/dev/null && fail "the user can plant a symlink"
pkill -u "$U" sleep || true
as_user "$U" /sbin/umount.ecryptfs_private -f >/dev/null 2>&1 || umount -l "$H/Private" || true
:
