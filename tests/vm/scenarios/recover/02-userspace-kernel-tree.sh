# ecryptfs-recover-private --userspace on a tree the kernel wrote: names,
# contents, symlinks, modes and times come back without mounting, also for
# a tree without filename encryption; a damaged file is listed (status 3)
# and does not stop the others.
# ect-vm: timeout=300
need_tool ecryptfs-recover-private ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/recover/recover.inc"

cached_tree fne plain lower >/dev/null
printf '%s\n' "$PASS_MOUNT" >pass
assert_ok ecryptfs-recover-private --userspace dest --passphrase-file pass --yes lower
same_tree plain dest
awk '$3 == "ecryptfs"' /proc/mounts | grep . >/dev/null && fail "--userspace mounted something"

cached_tree nofne plain2 lower-plain-names >/dev/null
assert_ok ecryptfs-recover-private --userspace dest2 --passphrase-file pass --yes lower-plain-names
same_tree plain2 dest2

cp -a lower lower-damaged
victim=$(find lower-damaged -type f -size +12k -print -quit)
printf '\377' | dd of="$victim" bs=1 seek=9 conv=notrunc 2>/dev/null
rc=0
ecryptfs-recover-private --userspace dest3 --passphrase-file pass --yes lower-damaged 2>err || rc=$?
cat err
assert_eq 3 "$rc" "exit status with a damaged file"
grep -q 'could not be recovered' err || fail "damaged file not listed"
assert_eq "$(($(find plain -type f | wc -l) - 1))" "$(find dest3 -type f | wc -l)" \
	"files recovered next to the damaged one"
