#!/bin/bash
# salt= in ~/.ecryptfsrc reaches every tool that unwraps through the
# library's operations (lib/keys/unlock.c), and ecryptfs-rewrap-passphrase
# honours wrap-format-v2 as the PAM module does.
#
# The rule, as ecryptfs-utils 111: salt= opens version 1 files (wp03 of the
# 111 test suite only opens with 5a175a175a175a17) and derives the FEKEK;
# v2 and v3 files carry their own wrapping salt; the FNEK never uses it.
# Each case below fails when a tool falls back to the default salt.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

H=$T/home
F=--kdf-floor
SALT=5a175a175a175a17
a64=$(printf 'a%.0s' {1..64})
z64=$(printf 'z%.0s' {1..64})

fx=$(v1_fixtures)
[ -n "$fx" ] || skip "no ecryptfs-utils v1 fixtures (tests/fixtures or ECT_TEST_FIXTURES)"

set_rc() { # CONTENT: the user's ~/.ecryptfsrc
	printf '%s\n' "$1" >"$H/.ecryptfsrc"
	chown "$TUID:$TUID" "$H/.ecryptfsrc"
}
inserted_sig() { sed -n 's/^Inserted auth tok with sig \[\(.*\)\].*/\1/p' "$OUT"; }
version_byte() { od -An -tx1 -j1 -N1 "$1" | tr -d ' '; }

# The FEKEK signatures of a64 with the rc salt and with the default one.
set_rc "salt=$SALT"
printf '%s' "$a64" | run ecryptfs-add-passphrase -
rc_sig=$(inserted_sig)
rm -f "$H/.ecryptfsrc"
printf '%s' "$a64" | run ecryptfs-add-passphrase -
default_sig=$(inserted_sig)
[ -n "$rc_sig" ] && [ "$rc_sig" != "$default_sig" ] ||
	fail "add-passphrase: the rc salt gives no other FEKEK ($rc_sig, $default_sig)"

# --- insert-wrapped-passphrase-into-keyring ---------------------------------
clear_keys
set_rc "salt=$SALT"
user_copy "$fx/wp03" wp03
printf '%s' "$z64" | run ecryptfs-insert-wrapped-passphrase-into-keyring "$H/wp03" -
if expect_rc "insert-wrapped, v1 file with salt=" 0 && [ "$(inserted_sig)" = "$rc_sig" ]; then
	pass "insert-wrapped opens a v1 file with salt= and derives the FEKEK with it"
else
	fail "insert-wrapped with salt=: '$(cat "$OUT")', want sig $rc_sig"
fi
# a v2 file carries its own salt: salt= changes only the FEKEK
clear_keys
printf '%s\n%s' "$a64" 'login pw' | run ecryptfs-wrap-passphrase --wrap-format v2 "$H/v2" -
expect_rc "wrap v2" 0
printf '%s' 'login pw' | run ecryptfs-insert-wrapped-passphrase-into-keyring "$H/v2" -
[ "$RC" = 0 ] && [ "$(inserted_sig)" = "$rc_sig" ] &&
	pass "insert-wrapped on a v2 file derives the FEKEK with salt=" ||
	fail "insert-wrapped v2 with salt=: $RC '$(cat "$OUT")', want sig $rc_sig"
[ "$(dump_keys | wc -l)" = 2 ] && pass "insert-wrapped adds the FNEK and the FEKEK" ||
	fail "insert-wrapped added $(dump_keys | wc -l) keys, not 2"

# --- rewrap-passphrase ------------------------------------------------------
user_copy "$fx/wp03" rw03
printf '%s\n%s' "$z64" 'new pw' | run ecryptfs-rewrap-passphrase $F "$H/rw03" -
expect_rc "rewrap a v1 file with salt=" 0 && [ "$(version_byte "$H/rw03")" = 03 ] &&
	pass "rewrap opens a v1 file with salt= and writes v3" ||
	fail "rewrap v1 with salt= (version $(version_byte "$H/rw03"))"

# wrap-format-v2 in ~/.ecryptfs keeps the user's file at v2 (111 can read it)
mkdir -p "$H/.ecryptfs"
chown "$TUID:$TUID" "$H/.ecryptfs"
WP=$H/.ecryptfs/wrapped-passphrase
printf '%s\n%s' "$a64" 'old pw' | run ecryptfs-wrap-passphrase --wrap-format v2 "$WP" -
: >"$H/.ecryptfs/wrap-format-v2"
chown "$TUID:$TUID" "$H/.ecryptfs/wrap-format-v2"
printf '%s\n%s' 'old pw' 'mid pw' | run ecryptfs-rewrap-passphrase $F "$WP" -
expect_rc "rewrap with wrap-format-v2" 0 && [ "$(version_byte "$WP")" = 02 ] &&
	pass "rewrap honours wrap-format-v2" ||
	fail "rewrap with wrap-format-v2 wrote version $(version_byte "$WP"), not 02"
printf '%s\n%s' 'mid pw' 'new pw' | run ecryptfs-rewrap-passphrase $F --wrap-format v3 "$WP" -
expect_rc "rewrap --wrap-format v3 with wrap-format-v2" 0 && [ "$(version_byte "$WP")" = 03 ] &&
	pass "--wrap-format v3 wins over wrap-format-v2" ||
	fail "rewrap --wrap-format v3 wrote version $(version_byte "$WP")"
rm -f "$H/.ecryptfs/wrap-format-v2"

# --from-mount-passphrase checks the passphrase with the FEKEK of salt=
printf '%s\n' "$rc_sig" >"$H/.ecryptfs/Private.sig"
chown "$TUID:$TUID" "$H/.ecryptfs/Private.sig"
printf '%s\n%s' "$a64" 'recovered' | run ecryptfs-rewrap-passphrase --from-mount-passphrase $F "$WP" -
expect_rc "--from-mount-passphrase with salt=" 0 &&
	pass "--from-mount-passphrase accepts the passphrase whose salt= FEKEK is in Private.sig"
rm -f "$H/.ecryptfsrc"
cp -p "$WP" "$T/io/before"
printf '%s\n%s' "$a64" 'again' | run ecryptfs-rewrap-passphrase --from-mount-passphrase $F "$WP" -
if [ "$RC" = 1 ] && cmp -s "$T/io/before" "$WP" && grep -q 'does not match' "$ERR"; then
	pass "--from-mount-passphrase without salt= gives another FEKEK and changes nothing"
else
	fail "--from-mount-passphrase without salt=: $RC $(cat "$ERR")"
fi

# --- recover-private --userspace ---------------------------------------------
# A 111 ~/.Private whose wrapped passphrase is v1 under salt= of the home above it.
R=$T/io/r
mkdir -p "$R/home/.Private" "$R/home/.ecryptfs"
cp "$fx/wp03" "$R/home/.ecryptfs/wrapped-passphrase"
printf 'salt=%s\n' "$SALT" >"$R/home/.ecryptfsrc"
printf '%s\n' "$rc_sig" >"$R/home/.ecryptfs/Private.sig"
printf '%s' "$z64" >"$T/io/login"
chown -R "$TUID:$TUID" "$R" "$T/io/login"
run ecryptfs-recover-private --yes --no-progress --userspace "$R/out" \
	--password-file "$T/io/login" "$R/home/.Private"
if expect_rc "recover-private --userspace with salt=" 0 && ! grep -q 'records key' "$ERR"; then
	pass "recover-private opens the v1 wrapped passphrase with the home's salt= and its FEKEK matches"
else
	fail "recover-private with salt=: $RC $(cat "$ERR")"
fi

finish
