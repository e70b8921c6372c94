# Signatures must be exactly 16 hex digits: short, long, non-hex and
# option-injecting lines in ALIAS.sig are refused.
need_tool mount.ecryptfs_private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/mount/mount.inc"
new_user
quick_private
alias_conf badsig "$H/.Private" "$H/Private"
for bad in "${SIG%?}" "${SIG}0" "zz${SIG#??}" "$SIG,ecryptfs_passthrough" "$SIG ecryptfs_sig=0011223344556677"; do
	printf '%s\n' "$bad" >"$H/.ecryptfs/badsig.sig"
	refused_mount 'badsig.sig:1: (expected exactly 16|longer than a 16-digit)' /sbin/mount.ecryptfs_private badsig
done
