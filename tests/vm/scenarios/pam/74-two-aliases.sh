# Issue 16 on the real kernel: besides ~/Private (login password), two
# aliases, each with its own key and protector (ecryptfs-setup-alias):
# ~/Work wrapped with the login password and marked --at-login, ~/Notes
# wrapped with a passphrase of its own, mounted by hand. A login through
# Debian's `login` stack mounts ~/Private and ~/Work, not ~/Notes; in the
# session the user mounts ~/Notes with its commands
# (ecryptfs-insert-wrapped-passphrase-into-keyring, mount.ecryptfs_private
# Notes). Files written in each read back; each lower directory holds only
# ciphertext, its headers naming its own key. The logout unmounts ~/Private
# and ~/Work and drops their keys (mountinfo, keyring); ~/Notes, mounted by
# hand, stays until umount.ecryptfs_private Notes, which unmounts it and
# drops its keys (ecryptfs-setup-alias(1), pam_ecryptfs(8)).
# ect-vm: timeout=600
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
pam_need_module
pam_need_helpers
need_tool ecryptfs-setup-alias ecryptfs-insert-wrapped-passphrase-into-keyring
pam_enable_profile
W=$ECT_VM_WORK
user=$(make_user)
pw=pw-$user
notes_pw="notes passphrase of $user"
pam_setup_private "$user" "$pw"
home=$(pam_home "$user")
read -r pfekek pfnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
t0=$SECONDS

# the floor Argon2id cost (ECRYPTFS_TOOLS_KDF_FLOOR), as pam_setup_private's
# --kdf-floor: no calibration, and the login's unwraps cost ~nothing
floor="env ECRYPTFS_TOOLS_KDF_FLOOR=1"
printf '%s\n' "$pw" | as_user "$user" $floor ecryptfs-setup-alias --at-login --password-file - \
	Work "$home/Work" || fail "ecryptfs-setup-alias --at-login Work"
printf '%s\n' "$notes_pw" | as_user "$user" $floor ecryptfs-setup-alias --password-file - \
	Notes "$home/Notes" || fail "ecryptfs-setup-alias Notes"
read -r wfekek wfnek <<<"$(tr "\n" " " <"$home/.ecryptfs/Work.sig")"
read -r nfekek nfnek <<<"$(tr "\n" " " <"$home/.ecryptfs/Notes.sig")"
[ -n "$wfekek" ] && [ -n "$nfekek" ] || fail "no signatures in Work.sig or Notes.sig"
[ "$wfekek" != "$pfekek" ] && [ "$nfekek" != "$pfekek" ] && [ "$wfekek" != "$nfekek" ] ||
	fail "the aliases share a key: $pfekek $wfekek $nfekek"
[ -e "$home/.ecryptfs/Work.auto-mount" ] || fail "--at-login wrote no Work.auto-mount"
[ ! -e "$home/.ecryptfs/Notes.auto-mount" ] || fail "Notes is marked for login"
log "aliases Work ($wfekek, at login) and Notes ($nfekek, by hand) set up in $((SECONDS - t0)) s"

# mi_ecryptfs FILE MOUNTPOINT: the eCryptfs line of MOUNTPOINT in a mountinfo copy
mi_ecryptfs() {
	awk -v m="$2" '{ for (i = 7; i <= NF; i++) if ($i == "-") break }
		$5 == m && $(i + 1) == "ecryptfs" { print; found = 1 } END { exit !found }' "$1"
}

t0=$SECONDS
as="setpriv --reuid=$user --regid=$(id -g "$user") --clear-groups"
out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	cp /proc/self/mountinfo $W/mi.login
	$as sh -c 'echo private-secret > $home/Private/p.txt && echo work-secret > $home/Work/w.txt'
	$as keyctl session - sh -c 'keyctl link @u @s >/dev/null &&
		echo \"$notes_pw\" | ecryptfs-insert-wrapped-passphrase-into-keyring \
			--password-file - $home/.ecryptfs/Notes.wrapped-passphrase >/dev/null &&
		/sbin/mount.ecryptfs_private Notes && echo notes-secret > $home/Notes/n.txt' ||
		echo 'by-hand mount of Notes failed'
	cp /proc/self/mountinfo $W/mi.session
	$as cat $home/Private/p.txt $home/Work/w.txt $home/Notes/n.txt
") || fail "login session failed: $out"
printf '%s\n' "$out"
assert_match 'private-secret' "$out" "~/Private read back"
assert_match 'work-secret' "$out" "~/Work read back"
assert_match 'notes-secret' "$out" "~/Notes read back"
mi_ecryptfs "$W/mi.login" "$home/Private" | grep "ecryptfs_sig=$pfekek" >/dev/null ||
	fail "~/Private not mounted at login with its key: $(mi_ecryptfs "$W/mi.login" "$home/Private")"
mi_ecryptfs "$W/mi.login" "$home/Work" | grep "ecryptfs_sig=$wfekek" >/dev/null ||
	fail "~/Work not mounted at login with its key: $(mi_ecryptfs "$W/mi.login" "$home/Work")"
mi_ecryptfs "$W/mi.login" "$home/Notes" && fail "~/Notes (by hand) mounted by the login"
mi_ecryptfs "$W/mi.session" "$home/Notes" | grep "ecryptfs_sig=$nfekek" >/dev/null ||
	fail "~/Notes not mounted by hand with its key"
log "login mounted Private and Work, not Notes; Notes mounted by hand ($((SECONDS - t0)) s)"

# keys_in SIG...: those of SIG... in the user's keyring, then "end" (so that
# an empty answer is no failed grep, and a failed check shows): one line
keys_in() {
	pam_as_possessor "$user" sh -c 'for s; do keyctl search @u user "$s" >/dev/null 2>&1 &&
		echo "$s"; done; echo end' sh "$@" | tr '\n' ' '
}

# After the last logout: what PAM mounted is gone with its keys; Notes stays.
grep -E " $home/(Private|Work) " /proc/self/mountinfo && fail "Private or Work still mounted after logout"
left=$(keys_in $pfekek $pfnek $wfekek $wfnek $nfekek)
[ "$left" = "$nfekek end " ] || fail "keys after logout: '$left' (want only Notes' $nfekek)"
mi_ecryptfs /proc/self/mountinfo "$home/Notes" >/dev/null ||
	fail "~/Notes, mounted by hand, was unmounted by the logout"

# Each lower directory: ciphertext only, its headers naming its own key.
# lower_check DIR CLEARTEXT SIG OTHER_SIG...
lower_check() {
	local dir=$1 clear=$2 sig=$3 f hex
	shift 3
	f=$(find "$dir" -type f -print -quit)
	[ -n "$f" ] || fail "$dir: no lower file"
	case ${f##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "$dir: name not encrypted: $f" ;; esac
	has_ecryptfs_marker "$f" || fail "$f: no eCryptfs header"
	grep -r "$clear" "$dir" >/dev/null && fail "$dir: cleartext '$clear' in the lower files"
	hex=$(od -An -tx1 -N8192 "$f" | tr -d ' \n')
	case $hex in *"$sig"*) ;; *) fail "$f: header does not name key $sig" ;; esac
	for other in "$@"; do
		case $hex in *"$other"*) fail "$f: header names another alias's key $other" ;; esac
	done
	return 0
}
lower_check "$home/.Private" private-secret "$pfekek" "$wfekek" "$nfekek"
lower_check "$home/.Work" work-secret "$wfekek" "$pfekek" "$nfekek"
lower_check "$home/.Notes" notes-secret "$nfekek" "$pfekek" "$wfekek"

# By hand, undone by hand: umount.ecryptfs_private Notes unmounts and drops its keys.
as_user "$user" /sbin/umount.ecryptfs_private Notes || fail "umount.ecryptfs_private Notes"
mi_ecryptfs /proc/self/mountinfo "$home/Notes" && fail "~/Notes still mounted after its umount"
left=$(keys_in $nfekek $nfnek)
[ "$left" = "end " ] || fail "Notes' keys left after its umount: '$left'"
[ ! -e "$home/Notes/n.txt" ] || fail "cleartext of Notes visible after its umount"
log "logout: Private and Work unmounted, their keys gone; Notes by hand until its umount ($((SECONDS - t0)) s)"
