#!/bin/bash
# ecryptfs-recover-private with a token protector (issue 16), against a real
# SoftHSM2 token, run as the throwaway uid with --userspace (no module, no
# root inside): the token record beside .Private opens it with the PIN from
# --pin-file or from the prompt; with the token pulled or a wrong PIN it
# falls back to the login password, or fails in one line; a token AND
# password record needs both, with an RSA key or an EC one.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"
hsm_setup ect-rec

H=$T/home
PASS=0123456789abcdef0123456789abcdef
URI="pkcs11:token=ect-rec;id=%01?module-path=$MODULE"
MKTREE=$top_builddir/tests/cli-recover/mktree

printf '%s\n' "login password" >"$T/io/login"
printf '1234\n' >"$T/io/pin"
printf '9999\n' >"$T/io/badpin"
chown "$TUID:$TUID" "$T/io"/*
L="--password-file $T/io/login"
P="--pin-file $T/io/pin"

# The user's ~/.Private: a small tree written by the library's writer.
mkdir -p "$T/plain/sub"
printf 'hello\n' >"$T/plain/a"
head -c 9000 /dev/urandom >"$T/plain/sub/b"
"$MKTREE" "$PASS" "$T/plain" "$H/.Private" >/dev/null || { fail "mktree"; finish; exit; }
mkdir -m 700 "$H/.ecryptfs"
chown -R "$TUID:$TUID" "$H/.Private" "$H/.ecryptfs"
printf '%s\n%s' "$PASS" "login password" | run ecryptfs-wrap-passphrase --kdf-floor \
	"$H/.ecryptfs/wrapped-passphrase" -
expect_rc "wrap the mount passphrase" 0
run ecryptfs-token enrol $L "$URI"
expect_rc "enrol (or)" 0

# recovered NAME: the tree in $T/io/NAME is the plain one.
recovered() { diff -r "$T/plain" "$T/io/$1" >/dev/null; }
n=0
recover() {
	n=$((n + 1))
	run ecryptfs-recover-private --userspace "$T/io/d$n" --yes --no-progress "$@" "$H/.Private"
}

recover $P
expect_rc "--pin-file" 0 && recovered d$n && grep -q "Token record 0 opened" "$OUT" &&
	pass "the token record opens .Private with --pin-file" || fail "--pin-file: $(cat "$OUT")"

# Interactive: use the token (y), then the PIN, both from standard input.
printf 'y\n1234\n' | recover
expect_rc "PIN asked" 0 && recovered d$n && grep -q "PIN for token ect-rec" "$OUT" "$ERR" &&
	pass "asked whether to use the token, then for its PIN" || fail "interactive: $(cat "$ERR")"

# Interactive, declined: the login password as before.
printf 'n\ny\nlogin password\n' | recover
expect_rc "token declined" 0 && recovered d$n && pass "token declined: the login password" ||
	fail "declined: $(cat "$OUT" "$ERR")"

# A wrong PIN: one line, exit 1, nothing written; with --password-file, the fallback.
recover --pin-file "$T/io/badpin"
[ "$RC" = 1 ] && [ "$(wc -l <"$ERR")" = 1 ] && grep -q "wrong PIN" "$ERR" && [ ! -e "$T/io/d$n" ] &&
	pass "wrong PIN: one line, exit 1" || fail "wrong PIN: rc $RC: $(cat "$ERR")"
recover --pin-file "$T/io/badpin" $L
expect_rc "wrong PIN, then the password" 0 && recovered d$n &&
	pass "wrong PIN: falls back to --password-file" || fail "fallback after wrong PIN"

# The token pulled: the login password, interactive and with files.
mv "$T/hsm/tokens" "$T/hsm/away" && mkdir "$T/hsm/tokens" && chown "$TUID:$TUID" "$T/hsm/tokens"
printf 'y\ny\nlogin password\n' | recover
expect_rc "token pulled (interactive)" 0 && recovered d$n && grep -q "no token matching" "$ERR" &&
	pass "token pulled: says so, then the login password" || fail "pulled: $(cat "$ERR")"
recover $P $L
expect_rc "token pulled (files)" 0 && recovered d$n &&
	pass "token pulled: --password-file as the fallback" || fail "pulled, files: $(cat "$ERR")"
recover $P
[ "$RC" = 1 ] && [ "$(wc -l <"$ERR")" = 1 ] && grep -q "no token matching" "$ERR" &&
	pass "token pulled, no fallback: one line, exit 1" || fail "pulled alone: $(cat "$ERR")"
rmdir "$T/hsm/tokens" && mv "$T/hsm/away" "$T/hsm/tokens"

# Token AND password: wrapped-passphrase gone, the record needs both.
run ecryptfs-token enrol --policy and $L $P "$URI"
expect_rc "enrol (and)" 0
run ecryptfs-token remove 0
expect_rc "remove the token-alone record" 0
[ ! -e "$H/.ecryptfs/wrapped-passphrase" ] || fail "wrapped-passphrase still there"
recover $P $L
expect_rc "token and password" 0 && recovered d$n && pass "token AND password record opens" ||
	fail "and: $(cat "$ERR")"
printf 'y\nlogin password\n1234\n' | recover
expect_rc "token and password (interactive)" 0 && recovered d$n &&
	pass "token AND password, both asked" || fail "and, interactive: $(cat "$ERR")"

# An EC key (an ECDH record): enrolled through the AND record, which then goes.
run ecryptfs-token enrol --policy and $L $P "pkcs11:token=ect-rec;id=%02?module-path=$MODULE"
expect_rc "enrol an EC key (and)" 0
run ecryptfs-token remove 0
expect_rc "remove the RSA record" 0
recover $P $L
expect_rc "ECDH token and password" 0 && recovered d$n && pass "ECDH token AND password record opens" ||
	fail "ecdh: $(cat "$ERR")"
finish
