#!/bin/bash
# ecryptfs-add-passphrase --fnek and ecryptfs-insert-wrapped-passphrase-into-keyring
# against ecryptfs-utils 111: same stdout lines and byte-identical keyring
# payloads (keyctl pipe) for random passphrases, with the default salt and
# with a salt= in ~/.ecryptfsrc.
#
# Observed behaviour of the 111 binaries (Debian 111-6) that this follows:
#   printf %s PASS | ecryptfs-add-passphrase --fnek -   prints, exit 0:
#     Inserted auth tok with sig [FEKEK] into the user session keyring
#     Inserted auth tok with sig [FNEK] into the user session keyring
#   (a key already present is left alone and still reported, exit 0);
#   without 0x100 in /sys/fs/ecryptfs/version, --fnek fails (exit 1) with
#     Error: Your kernel does not support filename encryption
#   (ours too, except with no eCryptfs at all and ecryptfs-fuse installed:
#   private mode then mounts through FUSE, so ours adds both keys).
#   insert-wrapped adds FNEK then FEKEK and prints only the FEKEK line.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/cli/lib.sh"

have_peer || skip "ecryptfs-utils 111 not unpacked (scripts/fetch-ecryptfs-utils)"
can_fake_fnek_kernel || skip "cannot fake /sys/fs/ecryptfs/version (needs unshare -m)"
export FAKE_FNEK=1

# compare_add NAME PASS: ours and the peer add the same keys, say the same.
compare_add() {
	local name=$1 pw=$2 ours_out ours_keys

	clear_keys
	printf '%s' "$pw" | run ecryptfs-add-passphrase --fnek -
	expect_rc "$name: ours" 0 || return
	ours_out=$(cat "$OUT")
	ours_keys=$(dump_keys)
	clear_keys
	printf '%s' "$pw" | run --peer ecryptfs-add-passphrase --fnek -
	expect_rc "$name: peer" 0 || return
	if [ "$ours_out" != "$(cat "$OUT")" ]; then
		fail "$name: output differs: ours '$ours_out' peer '$(cat "$OUT")'"
	elif [ "$(echo "$ours_out" | grep -c '^Inserted auth tok with sig \[[0-9a-f]\{16\}\] into the user session keyring$')" != 2 ]; then
		fail "$name: expected two 'Inserted auth tok' lines, got '$ours_out'"
	elif [ "$ours_keys" != "$(dump_keys)" ]; then
		fail "$name: keyring payloads differ"
	elif [ "$(echo "$ours_keys" | wc -l)" != 2 ] ||
		[ "$(echo "$ours_keys" | awk '{print length($2)}' | sort -u)" != 1480 ]; then
		fail "$name: expected two 740-byte keys, got: $ours_keys"
	else
		pass "$name"
	fi
}

for len in 1 64 $((RANDOM % 62 + 2)) $((RANDOM % 62 + 2)) $((RANDOM % 62 + 2)); do
	compare_add "add-passphrase --fnek, random $len-byte passphrase" "$(random_pass "$len")"
done
compare_add "add-passphrase --fnek, 32 hex like setup-private" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# A key already present: reported again, exit 0, payload untouched.
pw=$(random_pass 20)
clear_keys
printf '%s' "$pw" | run ecryptfs-add-passphrase -
first=$(cat "$OUT")
printf '%s' "$pw" | run ecryptfs-add-passphrase -
if expect_rc "add-passphrase twice" 0 && [ "$first" = "$(cat "$OUT")" ]; then
	pass "add-passphrase of a key already present"
else
	fail "add-passphrase of a key already present: '$first' then '$(cat "$OUT")'"
fi

# salt= in the real user's ~/.ecryptfsrc changes the FEKEK for both tools.
echo "salt=5a175a175a175a17" >"$T/home/.ecryptfsrc"
chown "$TUID:$TUID" "$T/home/.ecryptfsrc"
pw=$(random_pass 24)
compare_add "add-passphrase --fnek with ~/.ecryptfsrc salt" "$pw"
with_rc=$(head -n1 "$OUT")
rm -f "$T/home/.ecryptfsrc"
printf '%s' "$pw" | run ecryptfs-add-passphrase -
[ "$with_rc" != "$(cat "$OUT")" ] && pass "the rc salt changes the FEKEK" ||
	fail "the rc salt did not change the FEKEK"
rm -f "$T/home/.ecryptfsrc"

# refuse_same NAME: ours and 111 refuse add-passphrase --fnek alike (exit 1).
refuse_same() {
	local ours peer

	printf 'x' | run ecryptfs-add-passphrase --fnek -
	ours="$RC $(cat "$OUT" "$ERR")"
	printf 'x' | run --peer ecryptfs-add-passphrase --fnek -
	peer="$RC $(cat "$OUT" "$ERR")"
	if [ "$ours" = "$peer" ] && [ "$RC" = 1 ]; then
		pass "$1"
	else
		fail "$1: ours '$ours' peer '$peer'"
	fi
}

FAKE_FNEK=
if can_fake_system; then
	# A kernel whose eCryptfs predates filename encryption (0x35): refused, ecryptfs-fuse or not.
	FAKE_KVERSION=53 FAKE_FUSE=yes refuse_same "add-passphrase --fnek, kernel without FNEK"
	FAKE_KVERSION=none FAKE_FUSE=no refuse_same "add-passphrase --fnek, no eCryptfs, no ecryptfs-fuse"
	# No eCryptfs but ecryptfs-fuse: private mode mounts through it, names encrypted, so
	# ours adds the keys a kernel with FNEK gets (111, which knew no FUSE, refused).
	pw=$(random_pass 30)
	clear_keys
	printf '%s' "$pw" | FAKE_KVERSION=375 run --peer ecryptfs-add-passphrase --fnek -
	peer_out="$RC $(cat "$OUT")"
	peer_keys=$(dump_keys)
	clear_keys
	printf '%s' "$pw" | FAKE_KVERSION=none FAKE_FUSE=yes run ecryptfs-add-passphrase --fnek -
	if [ "$RC $(cat "$OUT")" != "$peer_out" ] || [ "$RC" != 0 ]; then
		fail "add-passphrase --fnek with only ecryptfs-fuse: ours '$RC $(cat "$OUT" "$ERR")', 111 with a kernel '$peer_out'"
	elif [ "$(dump_keys)" != "$peer_keys" ] || [ "$(echo "$peer_keys" | wc -l)" != 2 ]; then
		fail "add-passphrase --fnek with only ecryptfs-fuse: keys differ from 111's with a kernel"
	else
		pass "add-passphrase --fnek with only ecryptfs-fuse adds both keys"
	fi
elif [ ! -r /sys/fs/ecryptfs/version ] && [ ! -x "$FUSE_PROGRAM" ]; then
	refuse_same "add-passphrase --fnek without kernel support"
fi
FAKE_FNEK=1

# insert-wrapped on a v2 file written by 111: same line, same two keys.
for i in 1 2; do
	mp=$(random_pass $((RANDOM % 64 + 1)))
	wp=$(random_pass $((RANDOM % 64 + 1)))
	rm -f "$T/home/wp"
	printf '%s\n%s' "$mp" "$wp" | run --peer ecryptfs-wrap-passphrase "$T/home/wp" -
	expect_rc "peer wrap $i" 0 || continue
	clear_keys
	printf '%s' "$wp" | run ecryptfs-insert-wrapped-passphrase-into-keyring "$T/home/wp" -
	expect_rc "insert-wrapped $i: ours" 0 || continue
	ours_out=$(cat "$OUT")
	ours_keys=$(dump_keys)
	clear_keys
	printf '%s' "$wp" | run --peer ecryptfs-insert-wrapped-passphrase-into-keyring "$T/home/wp" -
	expect_rc "insert-wrapped $i: peer" 0 || continue
	if [ "$ours_out" != "$(cat "$OUT")" ]; then
		fail "insert-wrapped $i: output differs: '$ours_out' vs '$(cat "$OUT")'"
	elif [ "$ours_keys" != "$(dump_keys)" ] || [ "$(echo "$ours_keys" | wc -l)" != 2 ]; then
		fail "insert-wrapped $i: keyring payloads differ"
	else
		pass "insert-wrapped-passphrase-into-keyring on a 111 v2 file ($i)"
	fi
done

# insert-wrapped links @u into the session keyring (111 did not).
clear_keys
printf '%s' "$wp" | RUN_ENV="LD_LIBRARY_PATH=$T/lib" as_user sh -c '"$1" "$2" - >/dev/null 2>&1 && keyctl show @s' sh \
	"$T/bin/ecryptfs-insert-wrapped-passphrase-into-keyring" "$T/home/wp" >"$T/io/show" 2>&1
if grep -q '_uid\.' "$T/io/show"; then
	pass "insert-wrapped links @u into @s"
else
	fail "insert-wrapped links @u into @s: $(cat "$T/io/show")"
fi

finish
