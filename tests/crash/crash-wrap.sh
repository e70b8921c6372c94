#!/bin/bash
# Crash safety of every writer of ~/.ecryptfs/wrapped-passphrase on the host:
# ecryptfs-rewrap-passphrase (as the user), pam_ecryptfs's chauthtok (the
# password change) and its v2 -> v3 upgrade at login (open_session,
# pam/pam-work.c unlock_keys), each killed with SIGKILL at 100 random points
# and run on a full disk (no byte free, one page free, no inode free).
#
# After every kill: the wrapped passphrase unwraps with the old or the new
# password (never neither), it parses whole, and the next run of the same
# operation succeeds and leaves no temp file behind. On a full disk: the
# operation fails with one clear line, the file is byte for byte the old one
# and no temp file is left; with room it succeeds.
# ecryptfs-setup-private needs the kernel and the setuid helper: see
# tests/vm/scenarios/crash/.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-.}/tests/crash/lib.sh"

MP='crash test mount passphrase 0123456789'
OLD=old-password
NEW=new-password
NEWER=newer-password
for p in OLD NEW NEWER; do
	printf '%s' "${!p}" >"$T/pw.$p"
done
chmod 644 "$T"/pw.*

# ---- ecryptfs-rewrap-passphrase ------------------------------------------

# make_home DIR: an empty home with ~/.ecryptfs, owned by the test uid.
make_home() {
	mkdir -p "$1/.ecryptfs"
	chown -R "$TUID:$TUID" "$1"
	chmod 700 "$1/.ecryptfs"
}

# restore_from PRISTINE HOME: ~/.ecryptfs as PRISTINE holds it, nothing else.
restore_from() {
	rm -rf "$2/.ecryptfs"
	cp -a "$1" "$2/.ecryptfs"
}

# whole W PW...: W is the only wrapped-passphrase file, owned by the user,
# 0600, and unwraps with one of PW...; prints that password's name.
whole() {
	local w=$1 f p

	shift
	for f in "${w%/*}"/wrapped-passphrase*; do
		case $f in
		"$w" | *.stale) ;;
		*.tmp-*) ;; # a temp file: must be gone after the next run
		*) echo "stray wrapped file $f" >&2; return 1 ;;
		esac
	done
	[ -f "$w" ] && [ "$(stat -c %u:%a "$w")" = "$TUID:600" ] || {
		echo "$w missing or not $TUID:600: $(stat -c %u:%a "$w" 2>&1)" >&2
		return 1
	}
	for p in "$@"; do
		unwraps "$w" "${!p}" && { echo "$p"; return 0; }
	done
	echo "$w unwraps with none of: $*" >&2
	return 1
}

RW=$T/home/rw
make_home "$RW"
W=$RW/.ecryptfs/wrapped-passphrase
as_user "$T/bin/ecryptfs-wrap-passphrase" --kdf-floor --passphrase-file fd:3 \
	--password-file "$T/pw.OLD" "$W" 3<<<"$MP" || fail "cannot make the rewrap test file"
cp -a "$RW/.ecryptfs" "$T/pristine.rw"

rewrap_cmd() {
	setpriv --reuid="$TUID" --regid="$TUID" --clear-groups env HOME="$RW" \
		"$T/bin/ecryptfs-rewrap-passphrase" --kdf-floor --password-file "$T/pw.$1" \
		--new-password-file "$T/pw.$2" "$3"
}
rw_restore() { restore_from "$T/pristine.rw" "$RW"; }
rw_check() { whole "$W" OLD NEW >"$T/which"; }
rw_next() {
	local cur

	cur=$(cat "$T/which")
	rewrap_cmd "$cur" NEWER "$W" 2>"$T/err" || { cat "$T/err"; return 1; }
	[ -z "$(temps "$RW/.ecryptfs")" ] || { echo "left: $(temps "$RW/.ecryptfs")"; return 1; }
	[ -z "$CHECK_ALL" ] || whole "$W" NEWER >/dev/null
}
STATE_DIR=$RW/.ecryptfs STATE_PRISTINE=$T/pristine.rw
kill_points rewrap '^execve[(]"[^"]*/ecryptfs-rewrap-passphrase"' rw_restore rw_check rw_next -- \
	setpriv --reuid="$TUID" --regid="$TUID" --clear-groups env HOME="$RW" \
	"$T/bin/ecryptfs-rewrap-passphrase" --kdf-floor --password-file "$T/pw.OLD" \
	--new-password-file "$T/pw.NEW" "$W"
part_done "rewrap kill points"

# full_disk NAME SETUP RUN EXPECT: for each fill level, SETUP a home on a
# fresh small tmpfs, fill it, RUN; EXPECT LEVEL checks the outcome.
full_disk() {
	local name=$1 setup=$2 run=$3 expect=$4 level

	for level in blocks inodes page; do
		fresh_small_fs 1m 64
		$setup
		fill "$level"
		cp -a "$FW" "$T/before"
		$run >"$T/out" 2>"$T/err"
		echo $? >"$T/rc"
		if $expect "$level"; then
			pass "$name on a full disk ($level)"
		else
			fail "$name on a full disk ($level)"
		fi
		unfill
	done
}

# unchanged_and_clean: the full disk left the old file and no temp file.
unchanged_and_clean() {
	cmp -s "$FW" "$T/before" || { echo "$FW changed" >&2; return 1; }
	[ -z "$(temps "${FW%/*}")" ] || { echo "temp left: $(temps "${FW%/*}")" >&2; return 1; }
}

FH=$T/full/home
FW=$FH/.ecryptfs/wrapped-passphrase
rw_full_setup() {
	make_home "$FH"
	restore_from "$T/pristine.rw" "$FH"
}
rw_full_expect() {
	local rc

	rc=$(cat "$T/rc")
	if [ "$1" = page ]; then
		[ "$rc" = 0 ] && whole "$FW" NEW >/dev/null && [ -z "$(temps "$FH/.ecryptfs")" ]
		return
	fi
	[ "$rc" = 1 ] || { echo "exit status $rc, expected 1" >&2; return 1; }
	one_line_error "$T/err" "rewrap ($1)" && unchanged_and_clean
}
full_disk rewrap rw_full_setup "rewrap_cmd OLD NEW $FW" rw_full_expect
part_done "rewrap full disk"

# ---- pam_ecryptfs: chauthtok and the v2 -> v3 upgrade at login -----------

libdir=/usr/lib/x86_64-linux-gnu
module=$top_builddir/pam/.libs/pam_ecryptfs.so
session=$top_builddir/tests/pam/pam-session
have_pam=yes
for lib in libpam_wrapper.so libnss_wrapper.so pam_wrapper/pam_set_items.so; do
	[ -e "$libdir/$lib" ] || { echo "SKIP pam parts: $libdir/$lib missing (Debian: libpam-wrapper libnss-wrapper)"; have_pam=; }
done
[ -x "$session" ] && [ -e "$module" ] || { echo "SKIP pam parts: build pam_ecryptfs.so and tests/pam/pam-session"; have_pam=; }

if [ -n "$have_pam" ]; then
	mkdir -m 755 "$T/helpers" "$T/services"
	for h in mount.ecryptfs_private umount.ecryptfs_private; do
		printf '#!/bin/sh\nexit 0\n' >"$T/helpers/$h"
		chmod 755 "$T/helpers/$h"
	done
	{
		echo "root:x:0:0:root:/root:/bin/sh"
		echo "ch:x:$TUID:$TUID:ch:$T/home/ch:/bin/sh"
		echo "up:x:$TUID:$TUID:up:$T/home/up:/bin/sh"
		echo "fch:x:$TUID:$TUID:fch:$FH:/bin/sh"
		echo "fup:x:$TUID:$TUID:fup:$FH:/bin/sh"
	} >"$T/passwd"
	printf 'root:x:0:\nusers:x:%s:\n' "$TUID" >"$T/group"
	opts="helper_dir=$T/helpers"
	PAM_MARKER='^execve[(]"[^"]*/pam-session"'
	cat >"$T/services/ect" <<-EOS
		auth [default=ignore] $libdir/pam_wrapper/pam_set_items.so
		auth required $module $opts
		session required $module $opts
		password [default=ignore] $libdir/pam_wrapper/pam_set_items.so
		password required $module $opts
	EOS
	# a login: pam_ecryptfs's auth only keeps the password (PAM_IGNORE)
	permit=$(find /usr/lib /lib -name pam_permit.so 2>/dev/null | head -n1)
	cat >"$T/services/ect_login" <<-EOS
		auth [default=ignore] $libdir/pam_wrapper/pam_set_items.so
		auth optional $module $opts
		auth required $permit
		session required $module $opts
	EOS
	: >"$T/services/other"

	# pam_argv USER OLDPW NEWPW OP...: PAM_ARGV runs pam-session under
	# pam_wrapper, as root (the module's child becomes the test uid), with
	# PAM_OLDAUTHTOK and PAM_AUTHTOK (auth: the login password) set when not
	# empty; pam ARGS...: run it.
	pam_argv() {
		local user=$1 oldpw=$2 newpw=$3

		shift 3
		PAM_ARGV=(env LD_PRELOAD="$libdir/libpam_wrapper.so:$libdir/libnss_wrapper.so"
			PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/services"
			NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group")
		[ -z "$oldpw" ] || PAM_ARGV+=(PAM_OLDAUTHTOK="$oldpw")
		[ -z "$newpw" ] || PAM_ARGV+=(PAM_AUTHTOK="$newpw")
		local service=ect
		[ "$1" != auth ] || service=ect_login
		PAM_ARGV+=(keyctl session - "$session" -q "$service" "$user" "$@")
	}
	pam() {
		pam_argv "$@"
		"${PAM_ARGV[@]}" </dev/null
	}

	# the signatures of $MP for Private.sig, from the tool itself
	sigs=$(printf '%s' "$MP" | as_user "$T/bin/ecryptfs-add-passphrase" - 2>/dev/null |
		sed -n 's/.*sig \[\([0-9a-f]*\)\].*/\1/p')
	# pam_home DIR VERSION PW: a ~/Private setup that mounts at login.
	pam_home() {
		make_home "$1"
		mkdir -p "$1/.Private" "$1/Private"
		printf '%s\n' $sigs >"$1/.ecryptfs/Private.sig"
		echo "$1/Private" >"$1/.ecryptfs/Private.mnt"
		: >"$1/.ecryptfs/auto-mount"
		: >"$1/.ecryptfs/auto-umount"
		chown -R "$TUID:$TUID" "$1"
		local floor=
		[ "$2" = 2 ] || floor=--kdf-floor
		as_user "$T/bin/ecryptfs-wrap-passphrase" --wrap-format "v$2" $floor \
			--passphrase-file fd:3 --password-file "$T/pw.$3" \
			"$1/.ecryptfs/wrapped-passphrase" 3<<<"$MP"
		chmod 600 "$1"/.ecryptfs/*
	}
	[ "$(echo $sigs | wc -w)" = 1 ] || fail "no signatures from ecryptfs-add-passphrase: $sigs"
	part_done "pam setup"

	# chauthtok ---------------------------------------------------------------
	CH=$T/home/ch
	CW=$CH/.ecryptfs/wrapped-passphrase
	pam_home "$CH" 3 OLD
	cp -a "$CH/.ecryptfs" "$T/pristine.ch"
	ch_restore() { restore_from "$T/pristine.ch" "$CH"; }
	ch_check() { whole "$CW" OLD NEW >"$T/which"; }
	ch_next() {
		local cur

		cur=$(cat "$T/which")
		pam ch "${!cur}" "$NEWER" chauthtok >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
		[ -z "$(temps "$CH/.ecryptfs")" ] || { echo "left: $(temps "$CH/.ecryptfs")"; return 1; }
		[ -z "$CHECK_ALL" ] || whole "$CW" NEWER >/dev/null
	}
	pam_argv ch "$OLD" "$NEW" chauthtok
	STATE_DIR=$CH/.ecryptfs STATE_PRISTINE=$T/pristine.ch
	kill_points chauthtok "$PAM_MARKER" ch_restore ch_check ch_next -- "${PAM_ARGV[@]}"
	part_done "chauthtok kill points"

	ch_full_setup() { pam_home "$FH" 3 OLD; }
	ch_full_run() { pam fch "$OLD" "$NEW" chauthtok; }
	ch_full_expect() {
		local rc

		rc=$(cat "$T/rc")
		if [ "$1" = page ]; then
			[ "$rc" = 0 ] && whole "$FW" NEW >/dev/null && [ -z "$(temps "$FH/.ecryptfs")" ]
			return
		fi
		# PAM_AUTHTOK_ERR with the module's one-line explanation
		[ "$rc" = 20 ] || { echo "PAM code $rc, expected 20: $(cat "$T/out")" >&2; return 1; }
		[ "$(grep -c '^pam-session: error:' "$T/out")" = 1 ] || {
			echo "expected one error line: $(cat "$T/out")" >&2
			return 1
		}
		unchanged_and_clean
	}
	full_disk chauthtok ch_full_setup ch_full_run ch_full_expect
	part_done "chauthtok full disk"

	# the v2 -> v3 upgrade at login ---------------------------------------------
	UP=$T/home/up
	UW=$UP/.ecryptfs/wrapped-passphrase
	pam_home "$UP" 2 OLD
	cp -a "$UP/.ecryptfs" "$T/pristine.up"
	[ "$(wrap_version "$UW")" = 2 ] || fail "the upgrade test file is not v2"
	up_restore() { restore_from "$T/pristine.up" "$UP"; }
	up_check() { whole "$UW" OLD >/dev/null; }
	up_next() {
		pam up '' "$OLD" auth open >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
		[ -z "$(temps "$UP/.ecryptfs")" ] || { echo "left: $(temps "$UP/.ecryptfs")"; return 1; }
		[ "$(wrap_version "$UW")" = 3 ] || { echo "not upgraded to v3: $(cat "$T/out")"; return 1; }
		[ -z "$CHECK_ALL" ] || whole "$UW" OLD >/dev/null
	}
	# the login must upgrade when nothing kills it
	up_restore
	if CHECK_ALL=1 up_next; then
		pass "a login upgrades the v2 file to v3"
	else
		fail "a login did not upgrade the v2 file to v3"
	fi
	pam_argv up '' "$OLD" auth open
	STATE_DIR=$UP/.ecryptfs STATE_PRISTINE=$T/pristine.up
	kill_points upgrade "$PAM_MARKER" up_restore up_check up_next -- "${PAM_ARGV[@]}"
	part_done "upgrade kill points"

	up_full_setup() { pam_home "$FH" 2 OLD; }
	up_full_run() { pam fup '' "$OLD" auth open; }
	up_full_expect() {
		local rc

		rc=$(cat "$T/rc")
		# the login goes on either way; only the upgrade may fail
		[ "$rc" = 0 ] || { echo "login failed ($rc): $(cat "$T/out")" >&2; return 1; }
		if [ "$1" = page ]; then
			[ "$(wrap_version "$FW")" = 3 ] && whole "$FW" OLD >/dev/null &&
				[ -z "$(temps "$FH/.ecryptfs")" ]
			return
		fi
		unchanged_and_clean
	}
	full_disk upgrade up_full_setup up_full_run up_full_expect
	part_done "upgrade full disk"
fi

T1=$(now_ms)
printf 'time: crash-wrap total %d.%03d s\n' $(((T1 - T0) / 1000)) $(((T1 - T0) % 1000))
finish
