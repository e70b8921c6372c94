# Aliases with '/', '..', ',', or a newline are refused before any path is
# built from them.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
for bad in ../../etc/x a/b .. 'a,b' "$(printf 'a\nb')" ''; do
	refused_mount 'refusing alias|ALIAS|alias' /sbin/mount.ecryptfs_private "'$bad'"
done
