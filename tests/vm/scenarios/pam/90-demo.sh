# The README's quick demo on the harness guest (scripts/demo --quick runs
# just this scenario and prints its output; plain scripts/demo runs
# systemd/90-demo, the same story over sshd on the guest booted by systemd):
# root gives a new user a whole encrypted home with
# ecryptfs-setup-private -b; the user logs in through Debian's real `login`
# PAM stack and finds the files that were in the home before, we show the
# same file's ciphertext and encrypted name below, the user logs out and the
# home is locked again. Also a test: every claim it prints is checked.
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

step "1. root creates alice (useradd -m) and gives her a whole encrypted home"
pw="correct horse battery"
user=alice
id "$user" >/dev/null 2>&1 && user=alice$$
make_user "$user" "$pw" >/dev/null
home=$(pam_home "$user")
W=$ECT_VM_WORK
printf 'Welcome, %s. This note was here before the home was encrypted.\n' "$user" >"$home/welcome.txt"
chown "$user:" "$home/welcome.txt"
say "   her home before: $(ls -A "$home" | tr '\n' ' ')"
say "   as root: ecryptfs-setup-private -b -u $user --password-file - --kdf-floor   (her password on stdin)"
t0=$(date +%s%N)
printf '%s\n' "$pw" | ecryptfs-setup-private -b -u "$user" --password-file - --nopwcheck --kdf-floor \
	>"$W/setup.log" 2>&1 || { cat "$W/setup.log"; fail "ecryptfs-setup-private -b"; }
t1=$(date +%s%N)
grep -v -e '^Joined session keyring' -e '^$' -e '^\*\*\*' -e 'RECOVERY\|safe:\|recovered\|shows it again' \
	-e '^    [0-9a-f]\{32\}$' "$W/setup.log" | indent
say "   the bare $home now (what anyone sees while she is logged out):"
ls -lA "$home" | tail -n +2 | awk '{print $1, $3, $(NF-2), $(NF-1), $NF}' | indent
say "   the pam-auth-update profile put pam_ecryptfs into the common stacks:"
grep -h pam_ecryptfs /etc/pam.d/common-auth /etc/pam.d/common-session /etc/pam.d/common-password | indent
pam_is_mounted "$home" && fail "mounted before login"
[ ! -e "$home/welcome.txt" ] || fail "welcome.txt still in plain text in the bare home"
grep -rqs "This note was here" "$home" "/home/.ecryptfs/$user" && fail "plain text left underneath"
proves "a random mount passphrase, wrapped under her password (v3 file: Argon2id, at the cheapest"
proves "cost to keep this demo short); her files were moved into the encrypted home ($(((t1 - t0) / 1000000)) ms);"
proves "nothing is mounted, no key is loaded, no plain text is left underneath"

step "2. $user logs in through /etc/pam.d/login (pam_unix, pam_keyinit, pam_ecryptfs...)"
t0=$(date +%s%N)
out=$(pam_session login "$user" "$pw" auth acct open run close -- bash -c "
	set -e
	as() { setpriv --reuid=$user --regid=\$(id -g $user) --clear-groups \"\$@\"; }
	echo '   mount:'
	grep ' $home ecryptfs ' /proc/mounts | sed 's/,/ /g' | cut -c1-160 | sed 's/^/   | /'
	echo '   her home:'
	as ls -A $home | tr '\n' ' ' | sed 's/^/   | /'; echo
	as cat $home/welcome.txt | sed 's/^/   | /'
	as sh -c 'echo \"Dear diary, eCryptfs works.\" > $home/diary.txt'
	echo '   $user writes ~/diary.txt and reads it back:'
	as cat $home/diary.txt | sed 's/^/   | /'
	touch $W/was-mounted
") || fail "login failed: $out"
t1=$(date +%s%N)
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|run\)' | sed 's/^pam-session: /   pam: /'
[ -e "$W/was-mounted" ] || fail "the session command did not run"
printf '%s\n' "$out" | grep 'This note was here' >/dev/null || fail "welcome.txt not found at login"
proves "her password unwrapped the mount passphrase, the keys went into the keyring, her home was"
proves "mounted with the files from before ($(((t1 - t0) / 1000000)) ms for the whole login+logout)"

step "3. The same home on disk, below the mount (what a thief would see)"
lower=/home/.ecryptfs/$user/.Private
say "   $lower holds $(find "$lower" -type f | wc -l) files, e.g.:"
f=$(find "$lower" -type f -size -20k -print -quit)
say "   name:  ${f#"$lower"/}" | cut -c1-110
say "   bytes: (first 64 of $(stat -c %s "$f"))"
od -An -tx1 -N64 "$f" | indent
while IFS= read -r -d '' f; do
	has_ecryptfs_marker "$f" || fail "$f: no eCryptfs header"
	case ${f##*/} in ECRYPTFS_FNEK_ENCRYPTED.*) ;; *) fail "$f: name not encrypted" ;; esac
done < <(find "$lower" -type f -print0)
grep -rqs -e "Dear diary" -e "This note was here" "$lower" && fail "cleartext in the lower files"
proves "contents and names are encrypted on disk (eCryptfs headers, no 'Dear diary', no 'diary.txt')"

step "4. After logout"
pam_is_mounted "$home" && fail "still mounted after logout"
read -r fekek fnek <<<"$(pam_sigs "$user" | tr "\n" " ")"
pam_user_has_key "$user" "$fekek" && fail "key left after logout"
say "   $home now: $(ls -A "$home" | tr '\n' ' ')"
say "   README.txt: $(head -n1 "$home/README.txt" 2>/dev/null || readlink "$home/README.txt")"
say "   keys of $user: $(pam_user_keys "$user")"
say "   processes of $user: $(pgrep -c -u "$user" || true)"
proves "logout unmounted her home and removed the keys; the home is locked again"

step "5. A wrong password gets nothing"
out=$(pam_session login "$user" "wrong password" auth open close 2>&1) && fail "wrong password accepted"
printf '%s\n' "$out" | grep -v '^pam-session: \(prompt\|fail delay\)' | sed 's/^pam-session: /   pam: /'
pam_is_mounted "$home" && fail "wrong password mounted"
proves "pam_unix refused the login; no key was added, nothing mounted"
say ""
say "Demo complete."
