#!/bin/bash
# recover-private --userspace, stat and find on lower trees written by the
# library's writer (tests/cli-recover/mktree): every file, name, symlink,
# mode and time comes back; a wrong passphrase, a damaged file and bad
# arguments give their documented exit status. Needs no root and no module.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
: "${top_builddir:?run through make check}"
E=$top_builddir/helpers/ecryptfs
MKTREE=$top_builddir/tests/cli-recover/mktree
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
T=$(mktemp -d /tmp/ect-recover.XXXXXXXX)
trap 'rm -rf "$T"' EXIT
PASS=0123456789abcdef0123456789abcdef
printf '%s\n' "$PASS" >"$T/pass"

# The plain tree: edge sizes (0, 1, one extent, one past, more than ten
# extents, one over the big-file threshold), a 143-byte name, spaces, a
# subdirectory, symlinks, modes and fixed times.
P=$T/plain
mkdir -p "$P/sub dir/deeper"
: >"$P/empty"
printf x >"$P/one"
head -c 4096 /dev/urandom >"$P/extent"
head -c 4097 /dev/urandom >"$P/extent plus one"
head -c 50000 /dev/urandom >"$P/sub dir/eleven extents"
head -c $((64 * 1048576 + 5)) /dev/zero >"$P/sub dir/big"
printf 'deep\n' >"$P/sub dir/deeper/$(printf 'n%.0s' $(seq 143))"
ln -s "sub dir/eleven extents" "$P/relative link"
ln "$P/extent" "$P/sub dir/hard link to extent"
ln -s /etc/hostname "$P/absolute link"
chmod 640 "$P/one"
chmod 755 "$P/extent"
chmod 750 "$P/sub dir"
find "$P" -mindepth 1 -exec touch -h -d '2021-03-04 05:06:07' {} +

# meta DIR: mode, mtime, size (not for symlinks) and name of every entry.
meta() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %TY-%Tm-%Td %TT %s %p -> %l\n' |
		sed 's/ [0-9]* \(\.[^ ]*\) -> \(.\)/ L \1 -> \2/' | sort)
}

L=$T/lower
if ! "$MKTREE" "$PASS" "$P" "$L" >"$T/sigs"; then
	fail "mktree could not build the lower tree"
	exit 1
fi
[ "$(wc -l <"$T/sigs")" = 2 ] || fail "mktree did not print two signatures"

# 1. a full recovery
D=$T/dest
"$E" recover-private --userspace "$D" --passphrase-file "$T/pass" --yes --no-progress "$L" \
	>"$T/out" 2>"$T/err"
rc=$?
if [ $rc -ne 0 ]; then
	fail "recovery exit $rc: $(cat "$T/err")"
elif ! diff -r --no-dereference "$P" "$D" >"$T/diff"; then
	fail "recovered tree differs: $(head -5 "$T/diff")"
elif ! diff <(meta "$P") <(meta "$D") >"$T/diff"; then
	fail "modes or times differ: $(head -6 "$T/diff")"
elif [ "$(stat -c %i "$D/extent")" != "$(stat -c %i "$D/sub dir/hard link to extent")" ]; then
	fail "hard link became a copy"
else
	pass "userspace recovery restores contents, names, links, hard links, modes and times"
fi
grep -q 'Private data decrypted into' "$T/out" || fail "no summary line: $(cat "$T/out")"

# 2. the lower tree is untouched (read-only use)
before=$(cd "$L" && find . -printf '%p %s %T@\n' | sort | md5sum)
"$E" recover-private --userspace "$T/dest2" --passphrase-file "$T/pass" --yes --no-progress \
	"$L" >/dev/null 2>&1
after=$(cd "$L" && find . -printf '%p %s %T@\n' | sort | md5sum)
[ "$before" = "$after" ] && pass "lower tree unchanged" || fail "lower tree changed"

# 3. a wrong passphrase: exit 1, a clear message, no destination made
printf 'not the passphrase\n' >"$T/wrong"
"$E" recover-private --userspace "$T/dest3" --passphrase-file "$T/wrong" --yes --no-progress \
	"$L" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'wrong passphrase' "$T/err" && [ ! -e "$T/dest3" ]; then
	pass "wrong passphrase refused before writing"
else
	fail "wrong passphrase: exit $rc, dest3 $([ -e "$T/dest3" ] && echo exists), $(cat "$T/err")"
fi

# 4. a damaged file: the rest is recovered, the file is listed, exit 3
victim=$(cd "$L" && find . -type f -size +8k -links 1 | head -1)
cp -a "$L" "$T/lower-damaged"
printf '\xff' | dd of="$T/lower-damaged/$victim" bs=1 seek=9 conv=notrunc 2>/dev/null
"$E" recover-private --userspace "$T/dest4" --passphrase-file "$T/pass" --yes --no-progress \
	"$T/lower-damaged" >/dev/null 2>"$T/err"
rc=$?
n=$(find "$T/dest4" -type f | wc -l)
want=$(($(find "$P" -type f | wc -l) - 1))
if [ $rc -eq 3 ] && grep -q 'could not be recovered' "$T/err" && [ "$n" -eq "$want" ]; then
	pass "damaged file listed, the others recovered (exit 3)"
else
	fail "damaged file: exit $rc, $n files (want $want), $(cat "$T/err")"
fi

# 5. names not encrypted (Private.sig with one line)
"$MKTREE" --no-fne "$PASS" "$P" "$T/lower-plain" >/dev/null || fail "mktree --no-fne"
"$E" recover-private --userspace "$T/dest5" --passphrase-file "$T/pass" --yes --no-progress \
	"$T/lower-plain" >/dev/null 2>"$T/err" && diff -r --no-dereference "$P" "$T/dest5" >/dev/null &&
	pass "tree without filename encryption" || fail "no-FNE tree: $(cat "$T/err")"

# 6. the login password through a wrapped passphrase next to the directory
mkdir -p "$T/home/.ecryptfs"
cp -a "$L" "$T/home/.Private"
printf '%s\n%s' "$PASS" 'login pw' | ECRYPTFS_TOOLS_KDF_FLOOR=1 \
	"$E" wrap-passphrase "$T/home/.ecryptfs/wrapped-passphrase" - 2>"$T/err" ||
	fail "wrap-passphrase: $(cat "$T/err")"
printf 'login pw\n' >"$T/pw"
"$E" recover-private --userspace "$T/dest6" --password-file "$T/pw" --yes --no-progress \
	"$T/home/.Private" >/dev/null 2>"$T/err" && diff -r --no-dereference "$P" "$T/dest6" >/dev/null &&
	pass "login password unwraps ../.ecryptfs/wrapped-passphrase" ||
	fail "password-file: $(cat "$T/err")"

# 7. usage errors
"$E" recover-private --userspace "$T/d7" --password-file a --passphrase-file b "$L" 2>/dev/null
[ $? -eq 2 ] && pass "both secret sources: usage error" || fail "both secret sources"
"$E" recover-private --userspace "$T/d7" --passphrase-file "$T/pass" "$T/pass" 2>/dev/null
[ $? -eq 2 ] && pass "DIR not a directory: usage error" || fail "DIR not a directory"
mkdir -p "$T/full" && touch "$T/full/x"
"$E" recover-private --userspace "$T/full" --passphrase-file "$T/pass" --yes "$L" >/dev/null 2>&1
[ $? -eq 1 ] && pass "non-empty destination refused" || fail "non-empty destination"
mkdir "$T/lower-copy" && cp -a "$L/." "$T/lower-copy/"
"$E" recover-private --userspace "$T/lower-copy/inside" --passphrase-file "$T/pass" --yes \
	"$T/lower-copy" >/dev/null 2>&1
[ $? -eq 1 ] && [ ! -e "$T/lower-copy/inside" ] && pass "destination inside the lower tree refused" ||
	fail "destination inside the lower tree"

# 8. the search finds .Private directories, with spaces, not through symlinks
mkdir -p "$T/root/home/a b/.Private" "$T/root/home/.ecryptfs/c/.Private" "$T/root/srv"
ln -s "../home/a b/.Private" "$T/root/srv/.Private"
"$E" recover-private --search-root "$T/root" --userspace "$T/d8" --passphrase-file "$T/pass" \
	--yes 2>"$T/err" >/dev/null
if [ $? -eq 2 ] && grep -qF "$T/root/home/a b/.Private" "$T/err" &&
	grep -qF "$T/root/home/.ecryptfs/c/.Private" "$T/err" && ! grep -q srv "$T/err"; then
	pass "search finds both .Private directories, not the symlink"
else
	fail "search: $(cat "$T/err")"
fi

# 9. stat: 111's lines, then details; exit 1 for non-eCryptfs files
f=$(find "$L" -type f -size +8k | head -1)
"$E" stat "$f" >"$T/out" 2>"$T/err"
if [ $? -eq 0 ] && [ "$(sed -n 1p "$T/out")" = "File version: [3]" ] &&
	grep -q '^Number of header bytes at front of file: \[8192\]$' "$T/out" &&
	grep -q "signature \[$(head -1 "$T/sigs")\]" "$T/out"; then
	pass "stat prints the header"
else
	fail "stat: $(cat "$T/out" "$T/err")"
fi
"$E" stat "$P/one" >"$T/out" 2>/dev/null
[ $? -eq 1 ] && grep -q 'Valid eCryptfs metadata information not found' "$T/out" &&
	pass "stat: plain file" || fail "stat: plain file"
PEER=/var/cache/ecryptfs-tools/ecryptfs-utils-111
if [ -x "$PEER/usr/bin/ecryptfs-stat" ]; then
	LD_LIBRARY_PATH=$PEER/usr/lib/x86_64-linux-gnu "$PEER/usr/bin/ecryptfs-stat" "$f" >"$T/peer"
	"$E" stat "$f" | head -6 >"$T/ours"
	cmp -s "$T/peer" "$T/ours" && pass "stat: first six lines equal ecryptfs-utils 111's" ||
		fail "stat differs from 111: $(diff "$T/peer" "$T/ours")"
fi

# 10. find with keys maps both ways, per component
want=$(cd "$L" && ls -d ECRYPTFS_FNEK_ENCRYPTED.*/ECRYPTFS_FNEK_ENCRYPTED.* | while read -r x; do
	[ "$("$E" find --passphrase-file "$T/pass" "$x")" = "sub dir/deeper" ] && echo "$x"; done)
if [ -n "$want" ] && [ "$("$E" find --passphrase-file "$T/pass" "sub dir/deeper")" = "$want" ]; then
	pass "find translates paths both ways"
else
	fail "find: '$want'"
fi

# 11. ecryptfs-verify: 111 looped forever on unknown options
timeout 5 "$E" verify --bogus >/dev/null 2>&1
[ $? -eq 2 ] && pass "verify: unknown option is a usage error" || fail "verify --bogus"

[ $FAILS -eq 0 ]
