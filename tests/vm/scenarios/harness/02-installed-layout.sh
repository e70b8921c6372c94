# The build is installed like a distribution package: programs in /usr/bin,
# the library found by the dynamic linker, the mount helper setuid root in
# /sbin and the PAM module in the system PAM directory, whichever of them the
# build provides.
assert_file /usr/bin/ecryptfs
assert_ok /usr/bin/ecryptfs --help >/dev/null
ldd /usr/bin/ecryptfs | grep -E 'libecryptfs-tools.so.0 => (/usr)?/lib/libecryptfs-tools' >/dev/null ||
	fail "libecryptfs-tools not resolved from /usr/lib: $(ldd /usr/bin/ecryptfs)"
for helper in mount.ecryptfs mount.ecryptfs_private; do
	f=$ECT_VM_ROOTSBINDIR/$helper
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	assert_eq "root 4755" "$(stat -c '%U %a' "$f")" "owner and mode of $f"
done
for f in $(grep -E '\.so$' /ect-results/installed-files 2>/dev/null | grep -i pam || true); do
	case $f in
	"$ECT_VM_PAMDIR"/*) ;;
	*) fail "PAM module $f not in $ECT_VM_PAMDIR" ;;
	esac
done
log "installed: $(tr '\n' ' ' </ect-results/installed-files 2>/dev/null)"
