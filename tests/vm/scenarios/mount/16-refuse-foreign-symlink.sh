# CVE-2011-1831/1832: symlinks. ~/Private swapped for a link to a root
# directory is refused (the target is checked, not the name), and a link
# planted by another user on the way is refused even when it points to the
# user's own directory.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
rmdir "$H/Private"
as_user "$U" ln -s /etc "$H/Private"
refused_mount 'belongs to uid 0, not to you' /sbin/mount.ecryptfs_private
rm "$H/Private"
install -d -o "$U" -m 700 "$H/Private"
# another user's symlink in a sticky world-writable directory
other=$(make_user)
as_user "$other" ln -s "$H/Private" "/tmp/link-$U"
alias_conf viaforeign "$H/.Private" "/tmp/link-$U"
refused_mount "symlink '/tmp/link-$U' belongs to uid" /sbin/mount.ecryptfs_private viaforeign
