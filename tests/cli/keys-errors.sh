#!/bin/bash
# Error paths of the keys commands: exit status, one-line message, nothing on
# stdout, and no file (or temp file) left behind or changed.
#
# ecryptfs-utils 111, observed (Debian 111-6):
#   wrong wrapping passphrase  exit 1, stderr "Error: Unwrapping passphrase failed [-5]"
#                              + "Info: Check the system log ..."
#   missing file               exit 1, "... failed [-2]"; corrupt/truncated: [-22]
#   65-byte passphrase         stderr "Passphrase is too long. Use at most 64 characters
#                              long passphrase.", then usage on stdout, exit 1 (wrap,
#                              add) or 0 (unwrap, rewrap)
#   wrong argument count       usage on stdout, exit 0
# Here: the same first words with the reason instead of the errno
# ("Error: Unwrapping passphrase failed: FILE: wrong password or passphrase"),
# no "Info:" line (nothing goes to the system log), the too-long line alone
# with exit 1, and usage errors on stderr with exit 2 (see ecryptfs(1)).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

H=$T/home
F=--kdf-floor

# expect_error NAME STATUS REGEX: the last run failed with STATUS, printed
# nothing on stdout and exactly one stderr line matching REGEX.
expect_error() {
	if [ "$RC" != "$2" ]; then
		fail "$1: exit status $RC, expected $2 (stderr: $(cat "$ERR"))"
	elif [ -s "$OUT" ]; then
		fail "$1: printed on stdout: $(cat "$OUT")"
	elif [ "$(wc -l <"$ERR")" != 1 ] || ! grep -Eq -- "$3" "$ERR"; then
		fail "$1: stderr is not one line matching '$3': $(cat "$ERR")"
	else
		pass "$1"
	fi
}

# no_litter NAME: only the expected files in the home (no temp files).
no_litter() {
	local extra

	extra=$(ls -A "$H" | grep -v -x -e good -e good.v2 -e .ecryptfsrc)
	[ -z "$extra" ] && pass "$1: no stray files" || fail "$1: stray files: $extra"
}

printf '%s\n%s' 'mount pass' 'right pw' | run ecryptfs-wrap-passphrase $F "$H/good" -
expect_rc "setup wrap" 0 || exit 1
printf '%s\n%s' 'mount pass' 'right pw' | run ecryptfs-wrap-passphrase --wrap-format v2 "$H/good.v2" -
cp -p "$H/good" "$T/io/good.orig"

for f in good good.v2; do
	printf 'wrong pw' | run ecryptfs-unwrap-passphrase "$H/$f" -
	expect_error "unwrap $f, wrong passphrase" 1 \
		"^Error: Unwrapping passphrase failed: .*$f: wrong password or passphrase$"
done
printf 'x' | run ecryptfs-unwrap-passphrase "$H/missing" -
expect_error "unwrap missing file" 1 "^Error: Unwrapping passphrase failed: .*missing: No such file or directory$"

head -c 30 "$H/good" >"$T/io/trunc"
printf 'garbage that is not a wrapped passphrase at all' >"$T/io/garbage"
cp "$H/good" "$T/io/flipped"
printf '\xff' | dd of="$T/io/flipped" bs=1 seek=$(($(stat -c %s "$H/good") - 1)) conv=notrunc 2>/dev/null
printf ':\x07aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' >"$T/io/future"
: >"$T/io/empty"
chown "$TUID" "$T"/io/*
for f in trunc garbage flipped future empty; do
	printf 'right pw' | run ecryptfs-unwrap-passphrase "$T/io/$f" -
	expect_error "unwrap corrupt file ($f)" 1 "^Error: Unwrapping passphrase failed: .*$f: "
done

a65=$(printf 'a%.0s' {1..65})
printf '%s\n%s' "$a65" 'pw' | run ecryptfs-wrap-passphrase $F "$H/toolong" -
expect_error "wrap a 65-byte passphrase" 1 '^Passphrase is too long. Use at most 64 characters long passphrase.$'
[ -e "$H/toolong" ] && fail "wrap a 65-byte passphrase left a file"
printf '%s' "$a65" | run ecryptfs-add-passphrase -
expect_error "add a 65-byte passphrase" 1 '^Passphrase is too long. Use at most 64 characters long passphrase.$'
printf '%s\n%s' "$a65" 'pw' | run ecryptfs-wrap-passphrase --wrap-format v2 "$H/toolong" -
expect_error "wrap v2 a 65-byte passphrase" 1 '^Passphrase is too long'
printf '%s\n%s' 'pass' "$a65" | run ecryptfs-wrap-passphrase --wrap-format v2 "$H/toolong" -
expect_error "wrap v2 under a 65-byte wrapping passphrase" 1 '^Passphrase is too long'
[ -e "$H/toolong" ] && fail "wrap v2 with a 65-byte wrapping passphrase left a file"
printf '\n%s' 'pw' | run ecryptfs-wrap-passphrase $F "$H/empty" -
expect_error "wrap an empty passphrase" 1 '^Error: Wrapping passphrase failed: .*passphrase must be 1 to 64 bytes$'
printf 'only one line' | run ecryptfs-wrap-passphrase $F "$H/oneline" -
expect_error "wrap with one stdin line" 1 'no wrapping passphrase on standard input$'
printf '' | run ecryptfs-unwrap-passphrase "$H/good" -
expect_error "unwrap with empty stdin" 1 'no wrapping passphrase on standard input$'

# rewrap with the wrong old passphrase leaves the file alone
printf '%s\n%s' 'wrong pw' 'new' | run ecryptfs-rewrap-passphrase $F "$H/good" -
expect_error "rewrap, wrong old passphrase" 1 '^Error: Unwrapping passphrase failed: .*wrong password'
cmp -s "$H/good" "$T/io/good.orig" && pass "rewrap failure leaves the file unchanged" ||
	fail "rewrap failure changed the file"
# ... and so does a new passphrase the format refuses
printf '%s\n%s' 'right pw' "$a65" | run ecryptfs-rewrap-passphrase --wrap-format v2 "$H/good" -
expect_error "rewrap to v2 under a 65-byte passphrase" 1 '^Passphrase is too long'
cmp -s "$H/good" "$T/io/good.orig" && pass "failed rewrap to v2 leaves the file unchanged" ||
	fail "failed rewrap to v2 changed the file"
# interactive mismatch (no tty: three lines of stdin)
printf 'right pw\nnew one\nnew two\n' | run ecryptfs-rewrap-passphrase $F "$H/good" 2>/dev/null
[ "$RC" = 1 ] && grep -q 'New wrapping passphrases do not match$' "$ERR" &&
	pass "rewrap: new passphrases do not match" || fail "rewrap mismatch: $RC $(cat "$ERR")"
cmp -s "$H/good" "$T/io/good.orig" || fail "rewrap mismatch changed the file"

# add/insert failures
printf '\n' | run ecryptfs-add-passphrase -
expect_error "add an empty passphrase" 1 '^Error: Inserting key into the user session keyring failed: '
printf 'wrong pw' | run ecryptfs-insert-wrapped-passphrase-into-keyring "$H/good" -
expect_error "insert-wrapped, wrong passphrase" 1 \
	'^Error: Unwrapping passphrase and inserting into the user session keyring failed: .*wrong password'
[ -z "$(dump_keys)" ] && pass "failed insert added no key" || fail "failed insert added keys"

# usage errors: exit 2, usage on stderr, nothing on stdout
usage_error() { # NAME TOOL ARGS...
	local name=$1
	shift
	run "$@" </dev/null
	# a wrong argument count shows the usage, an option error one line
	if [ "$RC" = 2 ] && [ ! -s "$OUT" ] && { grep -q '^Usage:' "$ERR" || [ "$(wc -l <"$ERR")" = 1 ]; }; then
		pass "usage error: $name"
	else
		fail "usage error: $name: status $RC, stdout '$(cat "$OUT")'"
	fi
}
usage_error "wrap without FILE" ecryptfs-wrap-passphrase
usage_error "wrap FILE X" ecryptfs-wrap-passphrase "$H/x" onlyone
usage_error "wrap too many" ecryptfs-wrap-passphrase "$H/x" a b c
usage_error "unwrap too many" ecryptfs-unwrap-passphrase "$H/good" a b
usage_error "rewrap without FILE" ecryptfs-rewrap-passphrase
usage_error "rewrap FILE X" ecryptfs-rewrap-passphrase "$H/good" x
usage_error "add with an argv passphrase" ecryptfs-add-passphrase secret
usage_error "insert too many" ecryptfs-insert-wrapped-passphrase-into-keyring "$H/good" a b
usage_error "unknown option" ecryptfs-unwrap-passphrase --bogus "$H/good"
usage_error "option without value" ecryptfs-unwrap-passphrase "$H/good" --password-file
usage_error "option twice" ecryptfs-unwrap-passphrase --password-file a --password-file b
usage_error "--password-file with -" ecryptfs-unwrap-passphrase --password-file "$T/io/x" "$H/good" -
usage_error "--passphrase-file on unwrap" ecryptfs-unwrap-passphrase --passphrase-file x "$H/good"
usage_error "--wrap-format v1" ecryptfs-wrap-passphrase --wrap-format v1 "$H/x" -
usage_error "--wrap-format bogus" ecryptfs-rewrap-passphrase --wrap-format v9 "$H/good" -
usage_error "--kdf-target-ms 0" ecryptfs-wrap-passphrase --kdf-target-ms 0 "$H/x" -
usage_error "--kdf-target-ms with v2" ecryptfs-wrap-passphrase --wrap-format v2 --kdf-target-ms 50 "$H/x" -
usage_error "unknown subcommand" ecryptfs no-such-command
run ecryptfs-unwrap-passphrase --help </dev/null
[ "$RC" = 0 ] && grep -q '^Usage:' "$OUT" && pass "--help: usage on stdout, exit 0" ||
	fail "--help: $RC"

no_litter "after all errors"
finish
