#!/bin/bash
# wrap/unwrap/rewrap-passphrase: reading v1 (ecryptfs-utils fixtures) and v2
# (written by ecryptfs-utils 111 at test time), writing v3 (default) and v2
# (--wrap-format v2, read back by 111), the weak-stretching hint, the secret
# sources and the --from-mount-passphrase recovery form.
#
# Observed ecryptfs-utils 111 behaviour kept here:
#   printf %s PW | ecryptfs-unwrap-passphrase FILE -   prints "PASSPHRASE\n", exit 0
#   ecryptfs-unwrap-passphrase FILE PW                 the same (argv form)
#   printf "%s\n%s" PASS WPW | ecryptfs-wrap-passphrase FILE -   writes FILE, no output
#   ecryptfs-wrap-passphrase FILE PASS WPW             the same (argv form)
#   printf "%s\n%s" OLD NEW | ecryptfs-rewrap-passphrase FILE -  no output, exit 0
#   ecryptfs-rewrap-passphrase FILE OLD NEW            the same (argv form)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

H=$T/home
F=--kdf-floor

# unwrap_is NAME EXPECTED [--peer] FILE PW: unwrapping FILE with PW prints EXPECTED.
unwrap_is() {
	local name=$1 want=$2
	shift 2
	local peer=
	if [ "$1" = --peer ]; then
		peer=--peer
		shift
	fi
	printf '%s' "$2" | run $peer ecryptfs-unwrap-passphrase "$1" -
	if expect_rc "$name" 0 && [ "$(cat "$OUT")" = "$want" ] &&
		[ "$(wc -l <"$OUT")" = 1 ]; then
		pass "$name"
	else
		fail "$name: printed '$(cat "$OUT")'"
	fi
}

version_byte() { od -An -tx1 -j1 -N1 "$1" | tr -d ' '; }

# --- v1 fixtures from the ecryptfs-utils test suite ----------------------
fx=$(v1_fixtures)
if [ -n "$fx" ]; then
	a64=$(printf 'a%.0s' {1..64})
	z64=$(printf 'z%.0s' {1..64})
	check_v1() { # FILE SALT MOUNTPASS WRAPPW
		user_copy "$fx/$1" "$1"
		if [ "$2" != 0011223344556677 ]; then
			echo "salt=$2" >"$H/.ecryptfsrc"
			chown "$TUID:$TUID" "$H/.ecryptfsrc"
		fi
		unwrap_is "unwrap v1 $1" "$3" "$H/$1" "$4"
		if grep -q 'weak key stretching.*ecryptfs-rewrap-passphrase' "$ERR"; then
			pass "unwrap v1 $1 hints at rewrap"
		else
			fail "unwrap v1 $1: no upgrade hint on stderr: $(cat "$ERR")"
		fi
		# the wrong salt must not open it
		echo "salt=ffeeddccbbaa9988" >"$H/.ecryptfsrc"
		chown "$TUID:$TUID" "$H/.ecryptfsrc"
		printf '%s' "$4" | run ecryptfs-unwrap-passphrase "$H/$1" -
		if [ "$RC" = 1 ] && [ ! -s "$OUT" ]; then
			pass "unwrap v1 $1 with a wrong rc salt fails"
		else
			fail "unwrap v1 $1 with a wrong rc salt: status $RC, '$(cat "$OUT")'"
		fi
		rm -f "$H/.ecryptfsrc"
	}
	check_v1 wp01 0011223344556677 'This is test #1' 'Wrapping pass'
	check_v1 wp02 0011223344556677 "$a64" "$z64"
	check_v1 wp03 5a175a175a175a17 "$a64" "$z64"
	check_v1 wp04 0011223344556677 '!' '*'
	check_v1 wp05 0123456789abcdef '!' '*'
	# rewrap upgrades v1 to v3, which opens with the new passphrase only
	user_copy "$fx/wp01" v1up
	printf '%s\n%s' 'Wrapping pass' 'new pass' | run ecryptfs-rewrap-passphrase $F "$H/v1up" -
	expect_rc "rewrap v1" 0 && [ "$(version_byte "$H/v1up")" = 03 ] &&
		pass "rewrap v1 writes v3" || fail "rewrap v1 writes v3 (version $(version_byte "$H/v1up"))"
	unwrap_is "rewrapped v1 opens with the new passphrase" 'This is test #1' "$H/v1up" 'new pass'
else
	fail "no ecryptfs-utils v1 fixtures found (tests/fixtures or ECT_TEST_FIXTURES)"
fi

# --- v2 written by ecryptfs-utils 111 -------------------------------------
if have_peer; then
	for i in 1 2 3; do
		mp=$(random_pass $((RANDOM % 64 + 1)))
		wp=$(random_pass $((RANDOM % 64 + 1)))
		rm -f "$H/v2-$i"
		printf '%s\n%s' "$mp" "$wp" | run --peer ecryptfs-wrap-passphrase "$H/v2-$i" -
		expect_rc "peer wrap $i" 0 || continue
		unwrap_is "unwrap 111 v2 file $i (stdin form)" "$mp" "$H/v2-$i" "$wp"
		grep -q 'version 2 file with weak key stretching' "$ERR" &&
			pass "unwrap v2 $i hints at rewrap" || fail "unwrap v2 $i: no hint: $(cat "$ERR")"
	done
	mp3=$mp
	# argv compat form
	run ecryptfs-unwrap-passphrase "$H/v2-3" "$wp"
	[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "unwrap FILE PW (argv form)" ||
		fail "unwrap FILE PW (argv form): $RC '$(cat "$OUT")'"

	# --wrap-format v2 opens with 111's unwrap; the default is v3
	mp=$(random_pass 32)
	printf '%s\n%s' "$mp" 'wrap pw' | run ecryptfs-wrap-passphrase --wrap-format v2 "$H/ours-v2" -
	expect_rc "wrap --wrap-format v2" 0 && [ "$(version_byte "$H/ours-v2")" = 02 ] &&
		pass "wrap --wrap-format v2 writes v2" || fail "wrap --wrap-format v2 writes v2"
	unwrap_is "111 unwraps our v2 file" "$mp" --peer "$H/ours-v2" 'wrap pw'
	printf '%s\n%s' 'wrap pw' 'v2 again' |
		run ecryptfs-rewrap-passphrase --wrap-format v2 "$H/ours-v2" -
	unwrap_is "111 unwraps our rewrap --wrap-format v2" "$mp" --peer "$H/ours-v2" 'v2 again'

	# rewrap of a 111 v2 file: v3 by default, new passphrase opens, old does not
	cp -p "$H/v2-3" "$H/up"
	printf '%s\n%s' "$wp" 'brand new' | run ecryptfs-rewrap-passphrase $F "$H/up" -
	expect_rc "rewrap v2 -> v3" 0 && [ "$(version_byte "$H/up")" = 03 ] &&
		pass "rewrap upgrades v2 to v3" || fail "rewrap upgrades v2 to v3"
	unwrap_is "v3 opens with the new passphrase" "$mp3" "$H/up" 'brand new'
	if [ -s "$ERR" ]; then
		fail "unwrap of v3 printed on stderr: $(cat "$ERR")"
	fi
	printf '%s' "$wp" | run ecryptfs-unwrap-passphrase "$H/up" -
	[ "$RC" = 1 ] && [ ! -s "$OUT" ] && pass "v3 does not open with the old passphrase" ||
		fail "v3 with the old passphrase: $RC '$(cat "$OUT")'"
	printf '%s' 'brand new' | run --peer ecryptfs-unwrap-passphrase "$H/up" -
	[ "$RC" != 0 ] && pass "111 cannot read v3 (expected)" || fail "111 read a v3 file?"
else
	echo "note: ecryptfs-utils 111 not unpacked; v2 interoperability not checked"
fi

# --- v3 round trips, all secret sources -----------------------------------
mp=$(random_pass 40)
printf '%s\n%s' "$mp" 'pw one' | run ecryptfs-wrap-passphrase $F "$H/v3" -
expect_rc "wrap default" 0 && [ "$(version_byte "$H/v3")" = 03 ] &&
	pass "wrap writes v3 by default" || fail "wrap writes v3 by default"
[ "$(stat -c %a "$H/v3")" = 600 ] && pass "wrapped file mode 0600" ||
	fail "wrapped file mode $(stat -c %a "$H/v3")"
unwrap_is "unwrap v3" "$mp" "$H/v3" 'pw one'

run ecryptfs-wrap-passphrase $F "$H/v3argv" "$mp" 'pw argv'
unwrap_is "wrap FILE PASS WPW (argv form)" "$mp" "$H/v3argv" 'pw argv'

printf '%s\n' "$mp" >"$T/io/pp"
printf '%s\n' 'pw file' >"$T/io/pw"
printf '%s\n' 'pw new' >"$T/io/npw"
chown "$TUID" "$T/io/pp" "$T/io/pw" "$T/io/npw"
run ecryptfs-wrap-passphrase $F --passphrase-file "$T/io/pp" --password-file "$T/io/pw" "$H/v3f"
expect_rc "wrap with --passphrase-file/--password-file" 0
run ecryptfs-unwrap-passphrase --password-file "$T/io/pw" "$H/v3f"
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "--passphrase-file / --password-file" ||
	fail "--passphrase-file / --password-file: $RC '$(cat "$OUT")' $(cat "$ERR")"
printf 'pw file\n' | run ecryptfs-unwrap-passphrase --password-file - "$H/v3f"
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "--password-file -" ||
	fail "--password-file -: $RC $(cat "$ERR")"
run ecryptfs-unwrap-passphrase --password-file fd:0 "$H/v3f" <"$T/io/pw"
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "--password-file fd:0" ||
	fail "--password-file fd:0: $RC $(cat "$ERR")"
run ecryptfs-rewrap-passphrase --password-file "$T/io/pw" --new-password-file "$T/io/npw" "$H/v3f"
expect_rc "rewrap with --password-file/--new-password-file" 0
unwrap_is "rewrap --new-password-file opens with the new one" "$mp" "$H/v3f" 'pw new'
# prompt form without a terminal reads standard input (as 111)
printf 'pw new\n' | run ecryptfs-unwrap-passphrase "$H/v3f"
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && grep -q 'Passphrase: ' "$ERR" &&
	pass "unwrap FILE prompts (no tty: stdin, prompt on stderr)" ||
	fail "unwrap FILE prompt form: $RC '$(cat "$OUT")' $(cat "$ERR")"
# the subcommand name works like the compat name
printf '%s' 'pw new' | run ecryptfs unwrap-passphrase "$H/v3f" -
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "ecryptfs unwrap-passphrase" ||
	fail "ecryptfs unwrap-passphrase: $RC $(cat "$ERR")"

# default file ~/.ecryptfs/wrapped-passphrase
mkdir -p "$H/.ecryptfs"
cp -p "$H/v3f" "$H/.ecryptfs/wrapped-passphrase"
chown -R "$TUID:$TUID" "$H/.ecryptfs"
printf '%s' 'pw new' | run ecryptfs-unwrap-passphrase -
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$mp" ] && pass "unwrap - (default file)" ||
	fail "unwrap - (default file): $RC $(cat "$ERR")"

# --kdf-target-ms calibrates a v3 cost that still opens
printf '%s\n%s' "$mp" 'pw cal' | run ecryptfs-wrap-passphrase --kdf-target-ms 20 "$H/cal" -
expect_rc "wrap --kdf-target-ms 20" 0
unwrap_is "file wrapped with --kdf-target-ms opens" "$mp" "$H/cal" 'pw cal'

# root rewrapping a user's file leaves it owned by the user
printf '%s\n%s' 'pw cal' 'pw root' |
	LD_LIBRARY_PATH=$T/lib HOME=$T/home setsid -w "$T/bin/ecryptfs-rewrap-passphrase" $F "$H/cal" - \
		>/dev/null 2>"$ERR"
[ "$(stat -c %u:%a "$H/cal")" = "$TUID:600" ] && pass "rewrap by root keeps the owner" ||
	fail "rewrap by root: owner/mode now $(stat -c %u:%a "$H/cal") $(cat "$ERR")"
unwrap_is "file rewrapped by root opens for the user" "$mp" "$H/cal" 'pw root'

# --- how the ecryptfs-utils 111 scripts call the tools --------------------
# ecryptfs-mount-private: printf "%s\0" "$LOGINPASS" | ecryptfs-unwrap-passphrase FILE - |
# ecryptfs-add-passphrase -   (a NUL ends the secret)
printf '%s' "$mp" | run ecryptfs-add-passphrase -
want=$(cat "$OUT")
printf '%s\0' 'pw root' >"$T/io/nul"
RUN_ENV="LD_LIBRARY_PATH=$T/lib" as_user sh -c '"$1/ecryptfs-unwrap-passphrase" "$2" - <"$3" |
	"$1/ecryptfs-add-passphrase" - >"$4" 2>&1' sh "$T/bin" "$H/cal" "$T/io/nul" "$OUT"
[ "$(cat "$OUT")" = "$want" ] && pass "unwrap - | add-passphrase - with a NUL-terminated password" ||
	fail "unwrap | add-passphrase (mount-private): '$(cat "$OUT")'"
run ecryptfs-insert-wrapped-passphrase-into-keyring "$H/cal" - <"$T/io/nul"
[ "$RC" = 0 ] && [ "$(cat "$OUT")" = "$want" ] && pass "insert-wrapped with a NUL-terminated password" ||
	fail "insert-wrapped with a NUL-terminated password: $RC $(cat "$ERR")"
# ecryptfs-recover-private: printf "%s\0" "$passphrase" | ecryptfs-add-passphrase, without
# "-", from a terminal: the prompt form reads the pipe, not the terminal.
cat >"$T/io/rp.sh" <<'EOS'
printf '%s\0' "$1" | "$2/ecryptfs-add-passphrase" >"$3" 2>/dev/null
EOS
chmod 755 "$T/io/rp.sh"
printf '%s' 'recover me' | run ecryptfs-add-passphrase -
want=$(cat "$OUT")
RUN_ENV="LD_LIBRARY_PATH=$T/lib" as_user timeout 20 script -qec \
	"sh $T/io/rp.sh 'recover me' $T/bin $OUT" /dev/null >/dev/null
[ "$(cat "$OUT")" = "$want" ] && pass "prompt form reads a piped stdin under a terminal" ||
	fail "prompt form under a terminal (recover-private): '$(cat "$OUT")'"

# --- recovery: rewrap from the mount passphrase ---------------------------
# Private.sig holds the FEKEK signature of the mount passphrase.
printf '%s' "$mp" | run ecryptfs-add-passphrase -
sig=$(sed -n 's/^Inserted auth tok with sig \[\(.*\)\].*/\1/p' "$OUT")
printf '%s\n' "$sig" >"$H/.ecryptfs/Private.sig"
chown "$TUID:$TUID" "$H/.ecryptfs/Private.sig"
cp -p "$H/.ecryptfs/wrapped-passphrase" "$T/io/before"
printf '%s\n%s' 'not the mount passphrase' 'recovered' |
	run ecryptfs-rewrap-passphrase --from-mount-passphrase $F "$H/.ecryptfs/wrapped-passphrase" -
if [ "$RC" = 1 ] && cmp -s "$T/io/before" "$H/.ecryptfs/wrapped-passphrase" &&
	grep -q 'does not match' "$ERR"; then
	pass "--from-mount-passphrase refuses a passphrase that does not match Private.sig"
else
	fail "--from-mount-passphrase with a wrong passphrase: $RC $(cat "$ERR")"
fi
printf '%s\n%s' "$mp" 'recovered' |
	run ecryptfs-rewrap-passphrase --from-mount-passphrase $F "$H/.ecryptfs/wrapped-passphrase" -
expect_rc "--from-mount-passphrase" 0
unwrap_is "recovered file opens with the new passphrase" "$mp" "$H/.ecryptfs/wrapped-passphrase" recovered
rm "$H/.ecryptfs/wrapped-passphrase"
run ecryptfs-rewrap-passphrase --from-mount-passphrase $F --passphrase-file "$T/io/pp" \
	--new-password-file "$T/io/npw" "$H/.ecryptfs/wrapped-passphrase"
expect_rc "--from-mount-passphrase with files, file lost" 0
unwrap_is "recreated file opens" "$mp" "$H/.ecryptfs/wrapped-passphrase" 'pw new'

# insert-wrapped reads v3 too (default file, "-" form) and reports the FEKEK
clear_keys
printf '%s' 'pw new' | run ecryptfs-insert-wrapped-passphrase-into-keyring -
if [ "$RC" = 0 ] && [ "$(cat "$OUT")" = "Inserted auth tok with sig [$sig] into the user session keyring" ] &&
	[ "$(dump_keys | wc -l)" = 2 ]; then
	pass "insert-wrapped on a v3 file"
else
	fail "insert-wrapped on a v3 file: $RC '$(cat "$OUT")' $(cat "$ERR")"
fi

finish
