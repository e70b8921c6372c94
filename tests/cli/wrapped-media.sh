#!/bin/bash
# The wrapped passphrase on removable media (ecryptfs-wrapped-passphrase-locations(5)),
# through the library path PAM uses too (ect_unwrap_user, ect_rewrap_user),
# run as the throwaway uid: a link declared by the root-owned policy opens,
# the medium pulled gives one clear line, an unsafe policy and an undeclared
# link are refused, a rewrap replaces the file on the medium and keeps the
# link. The policy lives in a copy of /etc bound over /etc in the tools'
# private mount namespace, so the host's /etc is never touched.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

H=$T/home
PASS=0123456789abcdef0123456789abcdef
M=$T/media/ecttest
mkdir -p "$T/etc" "$M/KEY"
cp -a /etc/. "$T/etc/" 2>/dev/null
cp "$T/passwd" "$T/etc/passwd"
mkdir -m 755 -p "$T/etc/ecryptfs-tools"
POLICY=$T/etc/ecryptfs-tools/wrapped-passphrase-locations
printf '# test\n%s/media/%%u/*\n' "$T" >"$POLICY"
chmod 644 "$POLICY"
chown "$TUID:$TUID" "$M/KEY"
AS_USER_SETUP="mount --bind '$T/etc' /etc"

printf 'login password\n' >"$T/io/login"
printf 'new password\n' >"$T/io/new"
chown "$TUID:$TUID" "$T/io"/*
mkdir -m 700 "$H/.ecryptfs"
chown "$TUID:$TUID" "$H/.ecryptfs"
printf '%s\n%s' "$PASS" "login password" | run ecryptfs-wrap-passphrase --kdf-floor \
	"$M/KEY/wrapped-passphrase" -
expect_rc "wrap onto the medium" 0
ln -s "$M/KEY/wrapped-passphrase" "$H/.ecryptfs/wrapped-passphrase"
chown -h "$TUID:$TUID" "$H/.ecryptfs/wrapped-passphrase"
W=$H/.ecryptfs/wrapped-passphrase

# one_line NAME REGEX: exit 1 and one stderr line matching REGEX
one_line() {
	if [ "$RC" = 1 ] && [ "$(wc -l <"$ERR")" = 1 ] && grep -Eq -- "$2" "$ERR"; then
		pass "$1"
	else
		fail "$1: rc $RC: $(cat "$ERR")"
	fi
}

run ecryptfs-unwrap-passphrase --password-file "$T/io/login" "$W"
expect_rc "declared link" 0 && [ "$(cat "$OUT")" = "$PASS" ] &&
	pass "a declared link to the medium opens" || fail "declared: $(cat "$OUT" "$ERR")"

# ecryptfs-token counts a declared link as the password protector
run ecryptfs-token list
expect_rc "token list" 0 && grep -q '^password  wrapped-passphrase' "$OUT" &&
	pass "token list shows the declared link as the password" ||
	fail "token list: $(cat "$OUT" "$ERR")"

# the medium pulled (its mount point gone), then another medium
mv "$M/KEY" "$T/away"
run ecryptfs-unwrap-passphrase --password-file "$T/io/login" "$W"
one_line "medium absent" "removable medium .* not present"
run ecryptfs-token list
grep -q '^password  wrapped-passphrase' "$OUT" &&
	pass "token list: the medium absent still counts as the password" ||
	fail "token list, medium absent: $(cat "$OUT" "$ERR")"
mkdir "$M/KEY" && chown "$TUID:$TUID" "$M/KEY"
run ecryptfs-unwrap-passphrase --password-file "$T/io/login" "$W"
one_line "another medium" "removable medium .* not present"
rmdir "$M/KEY" && mv "$T/away" "$M/KEY"

# an unsafe policy is ignored: the link is refused
chmod 664 "$POLICY"
run ecryptfs-unwrap-passphrase --password-file "$T/io/login" "$W"
one_line "group-writable policy ignored" "unsafe path"
chmod 644 "$POLICY"

# undeclared: the policy names another place
printf '%s/elsewhere/%%u/*\n' "$T" >"$POLICY"
run ecryptfs-unwrap-passphrase --password-file "$T/io/login" "$W"
one_line "undeclared link refused" "unsafe path"
printf '%s/media/%%u/*\n' "$T" >"$POLICY"

# a rewrap writes the file on the medium; the link stays a link
before=$(stat -c %i "$M/KEY/wrapped-passphrase")
EXTRA_ENV="ECRYPTFS_TOOLS_KDF_FLOOR=1" run ecryptfs-rewrap-passphrase --password-file "$T/io/login" \
	--new-password-file "$T/io/new" "$W"
expect_rc "rewrap through the link" 0
if [ -L "$W" ] && [ "$(stat -c %i "$M/KEY/wrapped-passphrase")" != "$before" ]; then
	pass "rewrap replaced the file on the medium, the link stays"
else
	fail "rewrap: link $([ -L "$W" ] && echo kept || echo replaced)"
fi
run ecryptfs-unwrap-passphrase --password-file "$T/io/new" "$W"
expect_rc "unwrap after rewrap" 0 && [ "$(cat "$OUT")" = "$PASS" ] &&
	pass "the new password opens the medium's file"

# A FAT medium: the owner, group and modes come from the mount options, and
# a mode the file system cannot store is dropped without an error. Wrap and
# rewrap write there when only the user can read the file or enter its
# directory (udisks2: dmask=0077); a mount that lets others read it is
# refused (ECT_E_MODE_NOT_KEPT).
fat_medium() {
	AS_USER_SETUP="mount --bind '$T/etc' /etc && mount -o loop,uid=$TUID,gid=0,$1 '$T/fat.img' '$M/FAT'"
}
if ! command -v mkfs.vfat >/dev/null; then
	echo "# SKIP: the FAT medium cases need mkfs.vfat (dosfstools)"
elif ! { truncate -s 8M "$T/fat.img" && mkfs.vfat "$T/fat.img" >/dev/null && mkdir "$M/FAT" &&
	unshare -m sh -c "mount -o loop '$T/fat.img' '$M/FAT'" 2>/dev/null; }; then
	echo "# SKIP: the FAT medium cases need a loop mount"
else
	FW=$W
	ln -sfn "$M/FAT/wrapped-passphrase" "$FW"
	chown -h "$TUID:$TUID" "$FW"
	fat_medium fmask=0077,dmask=0077
	printf '%s\n%s' "$PASS" "login password" | run ecryptfs-wrap-passphrase --kdf-floor \
		"$M/FAT/wrapped-passphrase" -
	expect_rc "wrap onto a FAT medium" 0
	EXTRA_ENV="ECRYPTFS_TOOLS_KDF_FLOOR=1" run ecryptfs-rewrap-passphrase \
		--password-file "$T/io/login" --new-password-file "$T/io/new" "$FW"
	expect_rc "rewrap on a FAT medium" 0
	run ecryptfs-unwrap-passphrase --password-file "$T/io/new" "$FW"
	expect_rc "unwrap on a FAT medium" 0 && [ "$(cat "$OUT")" = "$PASS" ] &&
		pass "the FAT medium's file opens with the new password" ||
		fail "FAT unwrap: $(cat "$OUT" "$ERR")"
	# udisks2's way: files 0644, but directories only the user can enter
	fat_medium fmask=0022,dmask=0077
	EXTRA_ENV="ECRYPTFS_TOOLS_KDF_FLOOR=1" run ecryptfs-rewrap-passphrase \
		--password-file "$T/io/new" --new-password-file "$T/io/login" "$FW"
	expect_rc "rewrap on a FAT medium mounted with dmask=0077" 0
	fat_medium fmask=0022,dmask=0022
	EXTRA_ENV="ECRYPTFS_TOOLS_KDF_FLOOR=1" run ecryptfs-rewrap-passphrase \
		--password-file "$T/io/login" --new-password-file "$T/io/new" "$FW"
	[ "$RC" != 0 ] && grep -q "ignores file modes" "$ERR" &&
		pass "a FAT mount that lets others read the file is refused" ||
		fail "FAT fmask=0022: rc $RC: $(cat "$ERR")"
	AS_USER_SETUP="mount --bind '$T/etc' /etc"
fi
finish
