# An authorized_keys inside a whole encrypted home: sshd cannot read it while
# the home is locked, so key logins fail. verify-private reports it with the
# fix (AuthorizedKeysFile outside the home, /etc/ssh/authorized_keys/%u).
# ect-vm: timeout=600
# ect-vm: boot=verify-home
. "$ECT_SRCDIR/tests/vm/scenarios/recover/whole-home.inc"
need_tool ecryptfs-setup-private
empty_home_user
printf '%s\n' "$PW" | ecryptfs-setup-private -b -u "$U" --nopwcheck --kdf-floor \
	--password-file - --passphrase-file fd:3 3< <(printf 'mount passphrase of %s\n' "$U") ||
	fail "our setup-private -b failed"
if is_mounted "$H"; then umount "$H"; fi
keyctl clear @u >/dev/null
mount_home
# the links inside the mounted home, as 111's -b makes them (issue 11: ours
# does not yet; verify-private names that, see 31-verify-whole-home-111)
ln -sfn "/home/.ecryptfs/$U/.ecryptfs" "$H/.ecryptfs"
ln -sfn "/home/.ecryptfs/$U/.Private" "$H/.Private"
install -d -m 700 -o "$U" -g "$U" "$H/.ssh"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0000000000000000000000000000000000000000000 $U" >"$H/.ssh/authorized_keys"
chown "$U:" "$H/.ssh/authorized_keys"
verify_expect ssh-keys warn 3
grep -q '/etc/ssh/authorized_keys/%u' v.json || fail "the fix does not move the keys out of the home"
grep -q "$H/.ssh/authorized_keys is inside the encrypted" v.json || fail "the finding does not name the file"
umount "$H"
keyctl clear @u >/dev/null
# locked: the file cannot be seen; sshd's default still points into the home
verify_expect ssh-keys info 0
