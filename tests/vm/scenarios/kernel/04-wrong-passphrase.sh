# A wrong passphrase cannot open the files: the right keys are missing, so
# mounting with their signatures fails; mounting with the wrong keys gives a
# mount whose files cannot be read or opened for writing (EIO/ENOKEY). The
# lower directory is unchanged afterwards and still opens with the right
# passphrase.
# ect-vm: timeout=240
need_tool ecryptfs-add-passphrase
. "$ECT_SRCDIR/tests/vm/scenarios/kernel/files.inc"
mkdir lower upper plain
make_plain_files plain
right=$(insert_passphrase "kernel 04 right passphrase" ecryptfs-add-passphrase)
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" ${right% *} ${right#* }
cp -a plain/. upper/
umount upper

lower_state() {
	tree_sums lower
	(cd lower && find . -printf '%p %y %s %m\n' | LC_ALL=C sort)
}
before=$(lower_state)

fresh_keyring
wrong=$(insert_passphrase "kernel 04 wrong passphrase" ecryptfs-add-passphrase)
assert_ne "$right" "$wrong" "signatures of right and wrong passphrase"

# The right keys are not in the keyring: the kernel refuses the mount.
if ecryptfs_mount "$PWD/lower" "$PWD/upper" ${right% *} ${right#* } 2>mount.err; then
	umount upper
	fail "mounted without the right keys"
fi
log "mount with the right signatures but without their keys: $(cat mount.err)"

# Wrong keys for contents and names: no plaintext name is reachable.
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" ${wrong% *} ${wrong#* }
log "listing with the wrong name key: $(ls -A upper 2>&1 | head -n 5 | tr '\n' ' ')"
[ -e upper/known.txt ] && fail "plaintext name visible with the wrong key"
if cat upper/known.txt >/dev/null 2>&1; then fail "read known.txt with the wrong key"; fi
umount upper

# Wrong contents key, names left encrypted: every file is visible under its
# lower name, and neither reads nor opening for writing may succeed.
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" ${wrong% *} ""
n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	if cat "$f" >/dev/null 2>read.err; then
		fail "read $f with the wrong key"
	fi
	grep -Eq 'Input/output error|Required key not available' read.err ||
		fail "unexpected error reading $f: $(cat read.err)"
	if (exec 5<>"$f") 2>/dev/null; then
		fail "opened $f for writing with the wrong key"
	fi
done < <(find upper -type f -print0)
assert_eq "$(find plain -type f | wc -l)" "$n" "files seen through the wrong-key mount"
log "wrong key: $n files, reads fail with: $(sort -u read.err | head -n1)"
umount upper

after=$(lower_state)
[ "$before" = "$after" ] || {
	diff <(echo "$before") <(echo "$after") >&2 || true
	fail "the lower directory changed"
}

fresh_keyring
right2=$(insert_passphrase "kernel 04 right passphrase" ecryptfs-add-passphrase)
assert_ok ecryptfs_mount "$PWD/lower" "$PWD/upper" ${right2% *} ${right2#* }
compare_trees plain upper
umount upper
