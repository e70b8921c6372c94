#!/bin/sh
# The setuid helper holds no key derivation, wrapping, codec or secret input
# (passphrase prompting) code and inserts no keys (issue 14): root mode's
# passphrase step runs in ecryptfs-mount-keys, a program the helper executes.
# Checked with nm on the built, unstripped helper: it may neither define nor
# reference any of these names.
#
# The names are read from the library's headers, so that a function added
# there later is covered without editing this test:
#   - lib/ecryptfs-tools.h: every function declared in the sections
#     "core: secret input", "kdf:", "wrap:" and "codec:", in the keys
#     section's part before its first "----" subsection (auth tokens, key
#     insertion, the keyring, mount passphrases) and in its subsections
#     "unlocking and rewrapping" and "token protectors";
#   - every function declared in lib/kdf/*.h and lib/codec/*.h;
#   - libgcrypt's key derivation and cipher calls (gcry_kdf_*, gcry_cipher_*).
# Allowed from those parts, because the helper needs them and they hold no
# key material:
#   ect_sig_check                 a signature's format (kdf section)
#   ect_keyring_find[_in]         private mode: are Private.sig's keys in @u
#   ect_keyring_unlink[_in]       umount.ecryptfs: ecryptfs_unlink_sigs
#   ect_keyring_link_user_session private mode: link @u into @s
helper=${top_builddir:-.}/helpers/mount.ecryptfs
srcdir=${top_srcdir:-.}
header=$srcdir/lib/ecryptfs-tools.h
allowed="ect_sig_check ect_keyring_find ect_keyring_find_in ect_keyring_unlink
	ect_keyring_unlink_in ect_keyring_link_user_session"
command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }
[ -f "$helper" ] || { echo "FAIL: $helper not built"; exit 1; }
[ -f "$header" ] || { echo "FAIL: $header not found"; exit 1; }

# Functions declared (a prototype starts in column 0) in the parts named above.
forbidden=$(awk '
	function take(line) {
		while (match(line, /ect_[A-Za-z0-9_]+\(/)) {
			print substr(line, RSTART, RLENGTH - 1)
			line = substr(line, RSTART + RLENGTH)
		}
	}
	/^\/\* =+/ { banner = 1; on = 0; next }
	banner && /^ \* [a-z]/ {
		banner = 0
		title = substr($0, 4)
		keys = title ~ /^keys:/
		on = keys || title ~ /^(core: secret input|kdf:|wrap:|codec:)/
		next
	}
	{ banner = 0 }
	keys && /^\/\* ---- / { on = $0 ~ /^\/\* ---- (unlocking and rewrapping|token protectors)/; next }
	on && /^[A-Za-z]/ { take($0) }
' "$header"
for h in "$srcdir"/lib/kdf/*.h "$srcdir"/lib/codec/*.h; do
	[ -f "$h" ] && grep -E '^[A-Za-z]' "$h" | grep -oE 'ect_[A-Za-z0-9_]+\(' | tr -d '('
done | sort -u)
# the header parsing must have found the sections at all
for anchor in ect_derive_key ect_unwrap ect_prompt_secret ect_keyring_add_passphrase ect_codec_open_fd; do
	printf '%s\n' "$forbidden" | grep -x "$anchor" >/dev/null ||
		{ echo "FAIL: $anchor not read from $header (has its layout changed?)"; exit 1; }
done
for a in $allowed; do
	forbidden=$(printf '%s\n' "$forbidden" | grep -vx "$a")
done

if ! syms=$(nm "$helper" 2>&1); then
	echo "FAIL: nm $helper: $syms"
	exit 1
fi
case $syms in
*"no symbols"*) echo "SKIP: $helper is stripped"; exit 77 ;;
esac
names=$(printf '%s\n' "$syms" | awk '{ sub(/@.*/, "", $NF); print $NF }' | sort -u)
printf '%s\n' "$names" | grep -x 'mh_priv_init' >/dev/null ||
	{ echo "FAIL: no mh_priv_init in nm $helper: not the mount helper?"; exit 1; }
bad=0
for f in $(printf '%s\n' "$names" | grep -xF "$forbidden"; printf '%s\n' "$names" |
	grep -E '^gcry_(kdf|cipher)_'); do
	echo "FAIL: the setuid helper has $f"
	bad=1
done
[ "$bad" = 0 ] && echo "ok: $(basename "$helper") has none of $(printf '%s\n' "$forbidden" | wc -l) functions" \
	"of key derivation, wrapping, codec, secret input and key insertion"
exit $bad
