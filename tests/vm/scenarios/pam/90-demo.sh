# The README demo (scripts/demo runs just this scenario and prints its
# output): a user with an encrypted ~/Private logs in through Debian's real
# `login` PAM stack, sees a file in clear, we show the same file's ciphertext
# and encrypted name below, the user logs out and the data is locked again.
# Also a test: every claim it prints is checked.
# ect-vm: timeout=900
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
set +x
say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
proves() { printf '   => %s\n' "$*"; }
indent() { sed 's/^/   | /'; }

pam_need_module
pam_need_helpers
pam_enable_profile

step "1. A user sets up an encrypted ~/Private with this project's ecryptfs-setup-private"
pw="correct horse battery"
user=alice
id "$user" >/dev/null 2>&1 && user=alice$$
make_user "$user" "$pw" >/dev/null
say "   as $user: ecryptfs-setup-private --password-file - --kdf-floor   (login password on stdin)"
t0=$(date +%s%N)
pam_setup_private "$user" "$pw"
t1=$(date +%s%N)
grep -v -e '^Joined session keyring' -e '^$' -e '^\*\*\*' "$ECT_VM_WORK/setup-$user.log" | indent
home=$(pam_home "$user")
say "   ~/.ecryptfs now holds:"
ls -l "$home/.ecryptfs" | tail -n +2 | awk '{print $1, $NF}' | indent
say "   the pam-auth-update profile put pam_ecryptfs into the common stacks:"
grep -h pam_ecryptfs /etc/pam.d/common-auth /etc/pam.d/common-session /etc/pam.d/common-password | indent
pam_is_mounted "$home/Private" && fail "mounted before login"
pam_user_keys "$user" | grep -qx 0 || fail "keys of $user in the keyring before login"
proves "setup wrapped a random mount passphrase under the login password (v3 file: Argon2id, at the"
proves "cheapest cost to keep this demo short; a real setup calibrates to ~0.5 s) and proved a"
proves "mount/write/umount/read round trip ($(((t1 - t0) / 1000000)) ms); now nothing is mounted, no key is loaded"

step "2. $user logs in through /etc/pam.d/login (pam_unix, pam_keyinit, pam_ecryptfs...)"
W=$ECT_VM_WORK
t0=$(date +%s%N)
out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	set -e
	as() { setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups \"\$@\"; }
	echo '   mount:'
	grep ' $home/Private ecryptfs ' /proc/mounts | sed 's/,/ /g' | cut -c1-160 | sed 's/^/   | /'
	echo '   keys in $user'\''s keyring:'
	as keyctl session - sh -c 'keyctl link @u @s >/dev/null; keyctl show @u' | grep -v '^Joined' | tail -n +2 | sed 's/^/   | /'
	as sh -c 'echo \"Dear diary, eCryptfs works.\" > $home/Private/diary.txt'
	echo '   $user writes ~/Private/diary.txt and reads it back:'
	as cat $home/Private/diary.txt | sed 's/^/   | /'
	touch $W/was-mounted
") || fail "login failed: $out"
t1=$(date +%s%N)
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|run\)' | sed 's/^pam-session: /   pam: /'
[ -e "$W/was-mounted" ] || fail "the session command did not run"
proves "the login password unwrapped the mount passphrase, the keys went into the keyring, ~/Private was mounted ($(((t1 - t0) / 1000000)) ms for the whole login+logout)"

step "3. The same file on disk, below the mount (what a thief would see)"
lower=$(find "$home/.Private" -type f | head -n1)
say "   name:  ${lower#"$home"/}" | cut -c1-110
say "   bytes: (first 64 of $(stat -c %s "$lower"))"
od -An -tx1 -N64 "$lower" | indent
has_ecryptfs_marker "$lower" || fail "no eCryptfs header"
grep -q "Dear diary" "$lower" && fail "cleartext in the lower file"
case ${lower##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "name not encrypted" ;; esac
proves "contents and file name are encrypted on disk (eCryptfs header present, no 'Dear diary', no 'diary.txt')"

step "4. After logout"
pam_is_mounted "$home/Private" && fail "still mounted after logout"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
pam_user_has_key "$user" "$fekek" && fail "key left after logout"
say "   ~/Private now: $(ls -A "$home/Private" | tr '\n' ' ')"
say "   keys of $user: $(pam_user_keys "$user")"
say "   processes of $user: $(pgrep -c -u "$user" || true)"
proves "logout unmounted ~/Private and removed the keys; the module left no process behind"

step "5. A wrong password gets nothing"
out=$(pam_session login "$user" "wrong password" auth open close 2>&1) && fail "wrong password accepted"
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|fail delay\)' | sed 's/^pam-session: /   pam: /'
pam_is_mounted "$home/Private" && fail "wrong password mounted"
proves "pam_unix refused the login; no key was added, nothing mounted"
say ""
say "Demo complete."
