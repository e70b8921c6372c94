#!/bin/bash
# The key commands against the committed ecryptfs-utils 111 fixtures, so the
# comparison holds even where the peer is not unpacked:
#  - tests/fixtures/ecryptfs-utils-111/v2-*: unwrap-passphrase prints the
#    recorded mount passphrase, byte for byte, for each recorded password;
#  - tests/fixtures/keyring: add-passphrase --fnek prints the recorded
#    signatures and inserts byte-identical 740-byte payloads, with and
#    without the recorded ~/.ecryptfsrc files.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

FX=${top_srcdir:-.}/tests/fixtures
H=$T/home
unhex() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

v2=$FX/ecryptfs-utils-111
if [ -r "$v2/manifest.txt" ]; then
	while read -r name pass_hex pw_hex; do
		case $name in '#'* | '') continue ;; esac
		user_copy "$v2/$name" "$name"
		unhex "$pw_hex" >"$T/io/pw"
		unhex "$pass_hex" >"$T/io/want"
		echo >>"$T/io/want"
		run ecryptfs-unwrap-passphrase "$H/$name" - <"$T/io/pw"
		if [ "$RC" = 0 ] && cmp -s "$OUT" "$T/io/want"; then
			pass "unwrap 111 fixture $name"
		else
			fail "unwrap 111 fixture $name: status $RC $(cat "$ERR")"
		fi
	done <"$v2/manifest.txt"
else
	fail "no v2 fixtures in $v2"
fi

kr=$FX/keyring
if [ -r "$kr/manifest.tsv" ] && can_fake_fnek_kernel; then
	export FAKE_FNEK=1
	while IFS=$'\t' read -r name pass_hex rc fekek fnek; do
		case $name in '#'* | '') continue ;; esac
		rm -f "$H/.ecryptfsrc"
		if [ "$rc" != - ]; then
			cp "$kr/$rc" "$H/.ecryptfsrc"
			chown "$TUID:$TUID" "$H/.ecryptfsrc"
		fi
		clear_keys
		unhex "$pass_hex" >"$T/io/pp"
		run ecryptfs-add-passphrase --fnek - <"$T/io/pp"
		want="Inserted auth tok with sig [$fekek] into the user session keyring
Inserted auth tok with sig [$fnek] into the user session keyring"
		if [ "$RC" != 0 ] || [ "$(cat "$OUT")" != "$want" ]; then
			fail "add-passphrase --fnek fixture $name: status $RC, '$(cat "$OUT")' $(cat "$ERR")"
			continue
		fi
		keys=$(dump_keys)
		ok=1
		for k in "$fekek:$name.fekek" "$fnek:$name.fnek"; do
			hex=$(od -An -v -tx1 "$kr/${k#*:}" | tr -d ' \n')
			grep -qx "${k%%:*} $hex" <<<"$keys" || ok=0
		done
		[ $ok = 1 ] && pass "add-passphrase --fnek fixture $name: payloads identical" ||
			fail "add-passphrase --fnek fixture $name: payloads differ"
	done <"$kr/manifest.tsv"
	rm -f "$H/.ecryptfsrc"
else
	fail "keyring fixtures missing or /sys/fs/ecryptfs/version cannot be faked"
fi

finish
