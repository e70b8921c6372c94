#!/bin/bash
# ecryptfs-token against a real SoftHSM2 token, run as the throwaway uid:
# each policy (or, token, and), list, test, remove, the last protector kept,
# a wrong PIN, a missing token, a key of the wrong type and a corrupt record
# file, each failure with one line on stderr and exit 1.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"
hsm_setup ect-cli

H=$T/home
PASS=0123456789abcdef0123456789abcdef
URI="pkcs11:token=ect-cli;id=%01?module-path=$MODULE"

# Secrets in files of the user's: never on argv.
printf '%s\n' "login password" >"$T/io/login"
printf '%s\n' "wrong password" >"$T/io/badlogin"
printf '1234\n' >"$T/io/pin"
printf '9999\n' >"$T/io/badpin"
chown "$TUID:$TUID" "$T/io"/*
L="--password-file $T/io/login"
P="--pin-file $T/io/pin"

mkdir -m 700 "$H/.ecryptfs"
chown "$TUID:$TUID" "$H/.ecryptfs"
printf '%s\n%s' "$PASS" "login password" | run ecryptfs-wrap-passphrase --kdf-floor \
	"$H/.ecryptfs/wrapped-passphrase" -
expect_rc "wrap the mount passphrase" 0
# Private.sig: the FEKEK signature, so enrol and test check what they open.
printf '%s' "$PASS" | run ecryptfs-add-passphrase -
sig=$(sed -n 's/.*\[\([0-9a-f]\{16\}\)\].*/\1/p' "$OUT")
printf '%s\n' "$sig" >"$H/.ecryptfs/Private.sig"
chown "$TUID:$TUID" "$H/.ecryptfs/Private.sig"

# expect_fail NAME REGEX: exit 1 with exactly one stderr line matching REGEX.
expect_fail() {
	if [ "$RC" != 1 ]; then
		fail "$1: exit status $RC, expected 1 (stderr: $(cat "$ERR"))"
	elif [ "$(wc -l <"$ERR")" != 1 ] || ! grep -Eq -- "$2" "$ERR"; then
		fail "$1: stderr is not one line matching '$2': $(cat "$ERR")"
	else
		pass "$1"
	fi
}

# ---- token OR password ----
run ecryptfs-token enrol $L "$URI"
expect_rc "enrol (or)" 0 && pass "enrol (or)"
run ecryptfs-token list
grep -q '^password' "$OUT" && grep -Eq '^0 +token +rsa-oaep +id=01 ' "$OUT" &&
	pass "list: password and token record 0" || fail "list: $(cat "$OUT")"
run ecryptfs-token test $P 0
expect_rc "test 0" 0 && grep -q "opens the mount passphrase" "$OUT" && pass "test 0 opens"
run ecryptfs-token test --pin-file "$T/io/badpin" 0
expect_fail "test 0 with a wrong PIN" "wrong PIN"
run ecryptfs-token enrol $L "pkcs11:token=no-such;id=%01?module-path=$MODULE"
expect_fail "enrol a missing token" "no token matching"
run ecryptfs-token enrol $L "pkcs11:token=ect-cli;id=%03?module-path=$MODULE"
expect_fail "enrol an EC P-521 key" "no RSA or EC P-256/P-384 key"

# ---- an EC key (ECDH): enrol, list, test, remove ----
ECURI="pkcs11:token=ect-cli;id=%02?module-path=$MODULE"
run ecryptfs-token enrol $L "$ECURI"
expect_rc "enrol an EC P-256 key (or)" 0 && pass "enrol an EC P-256 key (or)"
run ecryptfs-token list
grep -Eq '^1 +token +ecdh-p256 +id=02 ' "$OUT" && pass "list: record 1 is ECDH P-256" ||
	fail "list: $(cat "$OUT")"
run ecryptfs-token test $P 1
expect_rc "test 1 (ECDH)" 0 && grep -q "opens the mount passphrase" "$OUT" && pass "test 1 opens"
run ecryptfs-token test --pin-file "$T/io/badpin" 1
expect_fail "test 1 (ECDH) with a wrong PIN" "wrong PIN"
run ecryptfs-token remove 1
expect_rc "remove 1" 0 && pass "remove the ECDH record"
run ecryptfs-token enrol $L "pkcs11:token=ect-cli;id=%01"
expect_fail "enrol a URI without module-path" "malformed PKCS#11 URI"
run ecryptfs-token enrol --password-file "$T/io/badlogin" "$URI"
expect_fail "enrol with a wrong login passphrase" "wrong password"
run ecryptfs-token enrol --policy maybe $L "$URI"
expect_rc "unknown policy" 2 && pass "unknown policy: usage error"

# ---- token alone: the new record opens, then wrapped-passphrase goes ----
run ecryptfs-token remove 0
expect_rc "remove 0" 0 && pass "remove 0"
run ecryptfs-token remove password
expect_fail "remove the only protector" "last protector"
[ -s "$H/.ecryptfs/wrapped-passphrase" ] && pass "wrapped-passphrase kept" ||
	fail "wrapped-passphrase lost"
run ecryptfs-token enrol --policy token $L $P "$URI"
expect_rc "enrol (token)" 0 && [ ! -e "$H/.ecryptfs/wrapped-passphrase" ] &&
	pass "enrol (token) removed wrapped-passphrase"
run ecryptfs-token remove 0
expect_fail "remove the last token record" "last protector"

# ---- token AND password: enrolled through the token-alone record ----
run ecryptfs-token enrol --policy and $L $P "$URI"
expect_rc "enrol (and) through the token" 0 && pass "enrol (and) through the token"
run ecryptfs-token remove 0
expect_rc "remove the token-alone record" 0
run ecryptfs-token test $L $P 0
expect_rc "test and" 0 && pass "test 0 (and) with PIN and password"
run ecryptfs-token test --password-file "$T/io/badlogin" $P 0
expect_fail "test 0 (and) with a wrong password" "wrong password"

clear_keys
run ecryptfs-token unlock $L $P
expect_rc "unlock (and)" 0 && dump_keys | grep -q "^$sig " && pass "unlock added the FEKEK $sig" ||
	fail "unlock: no key $sig in @u"
clear_keys

# ---- the token pulled ----
mv "$T/hsm/tokens" "$T/hsm/away" && mkdir "$T/hsm/tokens" && chown "$TUID:$TUID" "$T/hsm/tokens"
run ecryptfs-token test $L $P 0
expect_fail "test with the token pulled" "no token matching"
run ecryptfs-token unlock $L $P
expect_fail "unlock with the token pulled" "no token matching"
rmdir "$T/hsm/tokens" && mv "$T/hsm/away" "$T/hsm/tokens"

# ---- a corrupt record file loses nothing ----
cp "$H/.ecryptfs/wrapped-passphrase.token" "$T/io/keep"
printf 'XXXX' | dd of="$H/.ecryptfs/wrapped-passphrase.token" conv=notrunc status=none
run ecryptfs-token list
expect_fail "list a corrupt record file" "wrapped-passphrase.token: malformed"
cmp -s <(printf 'XXXX'; tail -c +5 "$T/io/keep") "$H/.ecryptfs/wrapped-passphrase.token" &&
	pass "corrupt file left as it was" || fail "corrupt file changed"
finish
