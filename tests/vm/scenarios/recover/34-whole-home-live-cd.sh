# Recovery of a whole encrypted home as a live CD sees it: the home is made
# by ecryptfs-setup-private -b (files already in it moved in), then the disk
# holding /home/.ecryptfs/USER is attached to "another system": copied onto
# a fresh ext4 disk mounted on /mnt/disk, the user's passwd entry and the
# original tree gone. ecryptfs-recover-private gets every file back (content,
# encrypted names incl. one of 143 bytes, names with spaces, symlinks) with
# the login password and with the mount passphrase: with the kernel module
# (a read-only kernel mount), and without it (module removed and modprobe
# blocked; the userspace decoder). The module is restored at the end.
# ect-vm: timeout=900 boot=home
. "$ECT_SRCDIR/tests/vm/scenarios/recover/recover.inc"
need_tool ecryptfs-setup-private ecryptfs-recover-private mkfs.ext4
W=$ECT_VM_WORK
U=$(make_user)
PW=pw-$U
H=$(getent passwd "$U" | cut -d: -f6)
MP="the mount passphrase of $U"
find "$H" -mindepth 1 -delete
make_tree "$W/plain"
cp -a "$W/plain/." "$H/"
chown -R "$U:$U" "$H"
printf '%s\n' "$PW" >"$W/pw"
printf '%s\n' "$MP" >"$W/mp"
ecryptfs-setup-private -b -u "$U" --nopwcheck --kdf-floor --password-file "$W/pw" \
	--passphrase-file "$W/mp" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
[ -z "$(find "$H" -mindepth 1 ! -type l)" ] || fail "plain files left in the bare home: $(ls -A "$H")"

# the disk, attached to another system: no passwd entry, nothing under /home
truncate -s 64M "$W/disk.img"
mkfs.ext4 -q -F "$W/disk.img"
mkdir -p /mnt/disk
mount -o loop "$W/disk.img" /mnt/disk
mkdir -p /mnt/disk/home/.ecryptfs
cp -a "/home/.ecryptfs/$U" "/mnt/disk/home/.ecryptfs/$U"
userdel "$U"
rm -rf "/home/.ecryptfs/$U" "$H"
lower=/mnt/disk/home/.ecryptfs/$U/.Private
[ -z "$(find "$lower" -mindepth 1 ! -name 'ECRYPTFS_FNEK_ENCRYPTED.*')" ] || fail "plain names in $lower"
! grep -rq KNOWN-PLAINTEXT "$lower" || fail "plain text in $lower"

# same_home WHAT DIR: DIR is the home as it was before setup (names, contents,
# modes, times, symlink targets), besides the layout's two inner links
same_home() {
	local x='^l [0-9]+ [0-9.]+ \./\.(ecryptfs|Private) -> '
	diff -r --no-dereference -x .ecryptfs -x .Private "$W/plain" "$2" >&2 || fail "$1: contents differ"
	diff <(meta "$W/plain") <(meta "$2" | grep -Ev "$x") >&2 || fail "$1: names, modes, times or links differ"
	assert_eq "/home/.ecryptfs/$U/.ecryptfs" "$(readlink "$2/.ecryptfs")" "$1: the inner .ecryptfs link"
	assert_eq "sub dir/deeper" "$(readlink "$2/relative link")" "$1: relative symlink"
	assert_eq /etc/hostname "$(readlink "$2/absolute link")" "$1: absolute symlink"
	[ -e "$2/sub dir/deeper/$(printf 'n%.0s' $(seq 1 143))" ] || fail "$1: the 143-byte name"
}

# kernel: mount, compare (names, contents, modes, times, symlinks), unmount with the printed line
kernel_recover() { # WHAT OPTION FILE
	local out mnt
	out=$(ecryptfs-recover-private --yes "$2" "$3" "$lower") || { printf '%s\n' "$out"; fail "$1: recover-private"; }
	mnt=$(printf '%s\n' "$out" | sed -n 's/.*mounted at \[\(.*\)\]\./\1/p')
	is_mounted "$mnt" || fail "$1: $mnt is not mounted"
	same_home "$1" "$mnt"
	sh -c "$(printf '%s\n' "$out" | grep '^  umount ')" || fail "$1: the printed unmount line"
	log "$1: every file back through a kernel mount"
}
kernel_recover "login password, kernel" --password-file "$W/pw"
kernel_recover "mount passphrase, kernel" --passphrase-file "$W/mp"

# no module: removed, and modprobe made to fail, as on a live CD without it
restore_module() {
	rm -f /etc/modprobe.d/ect-vm-34-no-ecryptfs.conf
	modprobe ecryptfs
}
nomodule=0
if rmmod ecryptfs 2>/dev/null; then
	echo 'install ecryptfs /bin/false' >/etc/modprobe.d/ect-vm-34-no-ecryptfs.conf
	nomodule=1
	[ ! -e /sys/fs/ecryptfs ] || fail "the module is still there"
else
	log "the module cannot be removed here; the userspace path is forced with --userspace"
fi
for secret in pw mp; do
	opt=--password-file
	[ "$secret" = pw ] || opt=--passphrase-file
	rc=0
	ecryptfs-recover-private --yes "$opt" "$W/$secret" --userspace "$W/dest.$secret" "$lower" \
		>"$W/us.log" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$W/us.log"; fail "userspace ($opt): status $rc"; }
	same_home "userspace ($opt)" "$W/dest.$secret"
	log "$opt, no kernel module: every file back through the userspace decoder"
done
if [ "$nomodule" = 1 ]; then
	[ ! -e /sys/fs/ecryptfs ] || fail "the module came back during the userspace runs"
	restore_module
fi
umount /mnt/disk
