# A whole home made by ecryptfs-utils 111's `setup-private -b` (adduser
# --encrypt-home's way: empty home, skel copied into the mounted home) gets
# the depth of checks a ~/Private gets, and passes them, unmounted and
# mounted; then each deliberately broken part is named.
# ect-vm: timeout=600
# ect-vm: boot=verify-home
. "$ECT_SRCDIR/tests/vm/scenarios/recover/whole-home.inc"
empty_home_user
peer_setup_b -l "$PW"
B=/home/.ecryptfs/$U

# 111 writes a v2 wrapped passphrase: the one warning; everything else passes
verify_expect wrapped-passphrase warn 3
only_warning wrapped-passphrase
verify_expect links ok 3
verify_expect plain-underneath ok 3
verify_expect lower-headers ok 3
verify_expect lower-names ok 3
verify_expect auto-mount ok 3
verify_expect auto-umount ok 3
verify_expect ssh-keys info 3
python3 - v.json "$H" <<'PY' || fail "Private.mnt is not reported as the encrypted home"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for u in d["users"] for f in u["findings"] if f["check"] == "private-mnt"]
sys.exit(0 if any("(encrypted home)" in x["message"] for x in f) else 1)
PY
printf '%s\n%s\n' "$PW" "$PW" | ecryptfs-rewrap-passphrase --kdf-floor "$B/.ecryptfs/wrapped-passphrase" - ||
	fail "rewrap to v3"
chown "$U:$U" "$B/.ecryptfs/wrapped-passphrase"
verify_expect wrapped-passphrase ok 0

# mounted: the links inside the mounted home, the bare home seen underneath
mount_home
verify_expect mounted info 0
verify_expect links ok 0
verify_expect plain-underneath ok 0
umount "$H"
keyctl clear @u >/dev/null

# each broken part, named, then put back
chmod 500 "$H"
mv "$H/.Private" "$H/.Private.away"
verify_expect links fail 1
mv "$H/.Private.away" "$H/.Private"
ln -sfn /etc "$H/.ecryptfs"
verify_expect links fail 1
ln -sfn "$B/.ecryptfs" "$H/.ecryptfs"
echo 'left in clear' >"$H/notes.txt"
verify_expect plain-underneath fail 1
rm "$H/notes.txt"
cp "$B/.ecryptfs/Private.mnt" mnt.saved
echo "$H/Private" >"$B/.ecryptfs/Private.mnt"
mkdir -m 700 "$H/Private" && chown "$U:" "$H/Private"
verify_expect private-mnt fail 1
rmdir "$H/Private"
cp mnt.saved "$B/.ecryptfs/Private.mnt"
chmod 777 "$B"
verify_expect base fail 1
chmod 755 "$B"
chmod 644 "$B/.ecryptfs/wrapped-passphrase"
verify_expect wrapped-passphrase warn 3
chmod 600 "$B/.ecryptfs/wrapped-passphrase"
rm "$B/.ecryptfs/auto-mount"
verify_expect auto-mount warn 3
touch "$B/.ecryptfs/auto-mount" && chown "$U:" "$B/.ecryptfs/auto-mount"
mv "$B/.ecryptfs" "$B/.ecryptfs.real"
ln -s "$B/.ecryptfs.real" "$B/.ecryptfs"
verify_expect dotecryptfs fail 1
rm "$B/.ecryptfs"
mv "$B/.ecryptfs.real" "$B/.ecryptfs"
# mounted with another key than Private.sig's (the links inside cannot be
# read with it either: a failure besides the warning)
sigs=$(insert_passphrase "other mount passphrase" ecryptfs-add-passphrase)
ecryptfs_mount "$B/.Private" "$H" "${sigs% *}" "${sigs#* }"
verify_expect mounted warn 1
umount "$H"
keyctl clear @u >/dev/null
# and whole again
verify_expect links ok 0
