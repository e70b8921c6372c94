# A user made with useradd -m, then ecryptfs-setup-private -b with the
# password: the /etc/skel files and anything else already in the home are
# moved into the encrypted home with owners, modes and times kept; nothing
# stays in plain text underneath. The first login (Debian's login stack with
# the pam-auth-update profile) mounts the home and finds them; logout
# unmounts it and the keys are gone.
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/home.inc"
home_begin
word="plain-marker-$user-$RANDOM"
[ -e "$home/.bashrc" ] || fail "useradd -m copied no /etc/skel files"
# more than skel: a nested file with its own mode and times, a symlink, a FIFO
as_user_sh "$user" "
	mkdir -p ~/docs/deep && echo '$word' >~/docs/deep/secret.txt && chmod 640 ~/docs/deep/secret.txt
	touch -d '2001-02-03 04:05:06' ~/docs/deep/secret.txt && chmod 750 ~/docs
	ln -s docs/deep/secret.txt ~/link-to-secret && mkfifo -m 620 ~/a-fifo
	echo '$word' >~/.profile-extra
"
# eCryptfs keeps times to the second (it leaves the superblock's default granularity)
listing() { # the tree as the user sees it: name, type, mode, owner, mtime, link target
	find "$1" -mindepth 1 -path "$1/.ecryptfs" -prune -o -path "$1/.Private" -prune -o \
		-printf '%P %y %m %u:%g %T@ %l\n' | LC_ALL=C sort
}
listing "$home" >"$W/before"
sums_before=$(tree_sums "$home")

home_setup_ours "$user" "$pw" >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "setup-private -b"; }
cat "$W/setup.log"
pam_is_mounted "$home" && fail "setup left the home mounted"
# underneath: only the layout's links in the bare home, only ciphertext below
bare=$(find "$home" -mindepth 1 -printf '%P %y\n' | LC_ALL=C sort | tr '\n' ' ')
assert_eq ". .Private l .ecryptfs l Access-Your-Private-Data.desktop l README.txt l " ". $bare" "bare home"
home_lower_encrypted "$user"
home_plain_nowhere "$user" "$word"
fekek=$(sed -n 1p "/home/.ecryptfs/$user/.ecryptfs/Private.sig")
fnek=$(sed -n 2p "/home/.ecryptfs/$user/.ecryptfs/Private.sig")

# the session's user writes its findings into files root made for it
for f in mounts.during during sums.during inner-links; do
	install -m 666 /dev/null "$W/$f"
done
out=$(pam_session login "$user" "$pw" auth acct open run close -- \
	setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups bash -c "
	cp /proc/mounts $W/mounts.during
	cd $home && { find $home -mindepth 1 -path $home/.ecryptfs -prune -o -path $home/.Private -prune -o \
		-printf '%P %y %m %u:%g %T@ %l\n' | LC_ALL=C sort >$W/during; }
	cd $home && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum >$W/sums.during
	readlink $home/.ecryptfs $home/.Private >$W/inner-links
") || fail "first login failed: $out"
printf '%s\n' "$out"
grep -q " $home ecryptfs " "$W/mounts.during" || fail "the login did not mount the home"
secs() { sed -E 's/ ([0-9]+)\.[0-9]+ / \1 /' "$1"; }
diff -u <(secs "$W/before") <(secs "$W/during") || fail "the files in the mounted home differ from those before setup (- before, + at login)"
assert_eq "$sums_before" "$(cat "$W/sums.during")" "file contents at the first login"
assert_eq "/home/.ecryptfs/$user/.ecryptfs /home/.ecryptfs/$user/.Private" \
	"$(tr '\n' ' ' <"$W/inner-links" | sed 's/ $//')" "links inside the mounted home"

pam_is_mounted "$home" && fail "still mounted after logout"
for sig in $fekek $fnek; do
	pam_user_has_key "$user" "$sig" && fail "key $sig still in the keyring after logout"
done
home_plain_nowhere "$user" "$word"
log "skel and other files moved in encrypted, found at the first login; logout locks the home"
