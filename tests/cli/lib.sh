# Shared setup of the CLI tests (sourced by tests/cli/*.sh, bash).
#
# Every command runs as a throwaway uid (home $T/home) inside a throwaway session keyring, so no
# key lands in the keyrings of the user running make check. The built
# program is copied with its library into a world-readable temp dir (the
# build tree may sit under a 0700 home) and linked there under its
# ecryptfs-utils names. ecryptfs-utils 111 (the peer) is the unpacked Debian
# package from scripts/fetch-ecryptfs-utils.
set -u
# "printf ... | run TOOL": run must set RC in this shell, not a subshell
shopt -s lastpipe

skip() {
	echo "SKIP: $*"
	exit 77
}

FAILS=0
PASSES=0
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
pass() {
	echo "ok: $*"
	PASSES=$((PASSES + 1))
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

: "${top_builddir:?run through make check}"
[ "$(id -u)" = 0 ] || skip "needs root to run the tools as a throwaway uid"
for tool in setpriv keyctl; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done

PEER=${ECT_PEER:-/var/cache/ecryptfs-tools/ecryptfs-utils-111}
PEER_BIN=$PEER/usr/bin
PEER_LIB=$PEER/usr/lib/x86_64-linux-gnu
have_peer() { [ -x "$PEER_BIN/ecryptfs-add-passphrase" ]; }

T=$(mktemp -d /tmp/ect-cli.XXXXXXXX)
chmod 755 "$T"
# A uid no account uses; its user keyring is cleared on exit.
TUID=$((3000000 + $$ % 1000000))
mkdir "$T/bin" "$T/lib" "$T/home" "$T/io"
chown "$TUID:$TUID" "$T/home" "$T/io"

if [ -x "$top_builddir/helpers/.libs/ecryptfs" ]; then
	cp "$top_builddir/helpers/.libs/ecryptfs" "$T/bin/ecryptfs"
	cp -P "$top_builddir"/lib/.libs/libecryptfs-tools.so* "$T/lib/"
else
	cp "$top_builddir/helpers/ecryptfs" "$T/bin/ecryptfs"
fi
chmod -R a+rX "$T/bin" "$T/lib"
for n in $(LD_LIBRARY_PATH=$T/lib "$T/bin/ecryptfs" --list-compat-names); do
	ln -s ecryptfs "$T/bin/$n"
done

# The throwaway user gets a passwd entry (home $T/home) through a copy of
# /etc/passwd bind-mounted in a private mount namespace: both ecryptfs-utils
# and these tools find the home (and ~/.ecryptfsrc) through getpwuid().
cp /etc/passwd "$T/passwd"
echo "ecttest:x:$TUID:$TUID::$T/home:/bin/sh" >>"$T/passwd"
chmod 644 "$T/passwd"
unshare -m sh -c "mount --bind '$T/passwd' /etc/passwd" 2>/dev/null ||
	skip "cannot bind-mount in a private mount namespace (unshare -m)"

# ecryptfs-fuse where the tools look for it (configure: $bindir/ecryptfs-fuse)
FUSE_PROGRAM=$(sed -n 's/^#define ECT_FUSE_PROGRAM "\(.*\)"$/\1/p' "$top_builddir/config.h")

# The kernel and ecryptfs-fuse the tools see inside the namespace (as root):
# FAKE_KVERSION=N: /sys/fs/ecryptfs/version reads N; =none: no eCryptfs (the
# user cannot modprobe). FAKE_FUSE=yes: FUSE_PROGRAM is an executable stub
# (overlaid on its directory); =no: it is not executable.
fake_system() {
	case ${FAKE_KVERSION:-} in
	'') ;;
	none) echo 'mount -t tmpfs none /sys/fs &&' ;;
	*) echo "mount -t tmpfs none /sys/fs && mkdir /sys/fs/ecryptfs &&
		echo $FAKE_KVERSION >/sys/fs/ecryptfs/version &&" ;;
	esac
	case ${FAKE_FUSE:-} in
	yes) [ -x "$FUSE_PROGRAM" ] ||
		echo "mount -t overlay none -o 'lowerdir=$T/fuse-yes:${FUSE_PROGRAM%/*}' '${FUSE_PROGRAM%/*}' &&" ;;
	no) [ ! -e "$FUSE_PROGRAM" ] || echo "mount --bind '$T/fuse-no/x' '$FUSE_PROGRAM' &&" ;;
	esac
}
mkdir "$T/fuse-yes" "$T/fuse-no"
printf '#!/bin/sh\nexit 1\n' >"$T/fuse-yes/${FUSE_PROGRAM##*/}"
chmod 755 "$T/fuse-yes/${FUSE_PROGRAM##*/}"
: >"$T/fuse-no/x"
# can_fake_system: FAKE_KVERSION and FAKE_FUSE work here (tmpfs and overlayfs in a namespace).
can_fake_system() {
	[ -n "$FUSE_PROGRAM" ] && FAKE_KVERSION=none FAKE_FUSE=yes as_user test -x "$FUSE_PROGRAM" &&
		FAKE_KVERSION=none FAKE_FUSE=yes as_user test ! -e /sys/fs/ecryptfs
}

# as_user CMD...: run as the throwaway uid in a new session keyring, without a
# controlling terminal (prompts then read standard input). AS_USER_SETUP, a
# shell command, runs first as root inside the private mount namespace. With FAKE_FNEK=1
# and no eCryptfs module, /sys/fs/ecryptfs/version claims filename
# encryption (0x100) inside the namespace; FAKE_KVERSION and FAKE_FUSE: fake_system.
as_user() {
	local fake=:

	if [ -n "${FAKE_FNEK:-}" ] && [ -z "${FAKE_KVERSION:-}" ] && [ ! -r /sys/fs/ecryptfs/version ]; then
		fake='mount -t tmpfs none /sys/fs && mkdir /sys/fs/ecryptfs && echo 309 >/sys/fs/ecryptfs/version'
	fi
	fake="$(fake_system) $fake"
	unshare -m sh -c "mount --bind '$T/passwd' /etc/passwd && $fake && ${AS_USER_SETUP:-:} &&
		exec \"\$@\"" sh \
		env -i HOME="$T/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin ${RUN_ENV:-} \
		setsid -w setpriv --reuid="$TUID" --regid="$TUID" --clear-groups \
		keyctl session - "$@" 2>/dev/null
}
can_fake_fnek_kernel() {
	[ -r /sys/fs/ecryptfs/version ] || unshare -m sh -c 'mount -t tmpfs none /sys/fs' 2>/dev/null
}

# At exit: empty @u, then invalidate the uid's user and user-session keyrings
# so nothing of the run stays in the kernel.
cleanup() {
	as_user keyctl clear @u >/dev/null 2>&1
	setpriv --reuid="$TUID" --regid="$TUID" --clear-groups sh -c '
		for h in $(awk -v u="$1" "\$6 == u && / keyring +_uid/ { print \$1 }" /proc/keys); do
			keyctl invalidate "$(printf %d "0x$h")"
		done' sh "$TUID" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# run [--peer] TOOL ARGS... < input: stdout in $OUT, stderr in $ERR, status in $RC.
OUT=$T/io/out
ERR=$T/io/err
run() {
	local bin=$T/bin lib=$T/lib

	if [ "$1" = --peer ]; then
		shift
		bin=$PEER_BIN
		lib=$PEER_LIB
	fi
	local tool=$1
	shift
	# Sanitizer options (configure --enable-sanitizers) survive env -i.
	RUN_ENV="LD_LIBRARY_PATH=$lib ${EXTRA_ENV:-} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
${LSAN_OPTIONS:+LSAN_OPTIONS=$LSAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS}" as_user \
		sh -c 'out=$1 err=$2; shift 2; exec "$@" >"$out" 2>"$err"' sh "$OUT" "$ERR" \
		"$bin/$tool" "$@"
	RC=$?
}

# expect_rc WHAT N: the last run's status was N.
expect_rc() {
	if [ "$RC" -eq "$2" ]; then
		return 0
	fi
	fail "$1: exit status $RC, expected $2 (stderr: $(head -c 300 "$ERR"))"
	return 1
}

# dump_keys: every user key in @u as "SIG HEXPAYLOAD", sorted.
dump_keys() {
	as_user sh -c 'keyctl link @u @s >/dev/null
		for id in $(keyctl rlist @u); do
			desc=$(keyctl rdescribe "$id" | sed "s/.*;//")
			printf "%s " "$desc"
			keyctl pipe "$id" | od -An -v -tx1 | tr -d " \n"
			echo
		done | sort'
}

clear_keys() { as_user keyctl clear @u >/dev/null; }

# A random passphrase of $1 printable bytes (no newline).
random_pass() {
	head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9 !#$%&()*+,./:;<=>?@[]^_{|}~-' | head -c "$1"
}

# user_file NAME CONTENT-FILE: copy into the user's home, owned by the uid.
user_copy() {
	cp "$1" "$T/home/$2"
	chown "$TUID:$TUID" "$T/home/$2"
	chmod 600 "$T/home/$2"
}

# Directory of the ecryptfs-utils v1 fixtures (wp01..wp05), or "".
v1_fixtures() {
	local d

	for d in "${ECT_TEST_FIXTURES:-}" "${top_srcdir:-.}/tests/fixtures" /work/shared/fixtures; do
		[ -n "$d" ] && [ -d "$d" ] || continue
		d=$(find "$d" -name wp01 -print -quit 2>/dev/null)
		if [ -n "$d" ]; then
			dirname "$d"
			return
		fi
	done
}

# hsm_setup LABEL: a SoftHSM2 token LABEL (SO PIN 87654321, user PIN 1234) in
# $T/hsm, owned by the user, with an RSA key pair (id 01, label rsa), an EC
# P-256 one (id 02, label ec) and an EC P-521 one (id 03, label ec521: a curve
# token records do not support). Sets MODULE, SOFTHSM2_CONF and EXTRA_ENV (which
# carries SOFTHSM2_CONF to the tools). Skips without SoftHSM2 or pkcs11-tool.
hsm_setup() {
	MODULE=/usr/lib/softhsm/libsofthsm2.so
	{ [ -r "$MODULE" ] && command -v softhsm2-util >/dev/null; } ||
		skip "SoftHSM2 is not installed (Debian: softhsm2)"
	command -v pkcs11-tool >/dev/null || skip "pkcs11-tool not found (Debian: opensc)"
	mkdir "$T/hsm" "$T/hsm/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T/hsm/tokens" >"$T/hsm/softhsm2.conf"
	export SOFTHSM2_CONF=$T/hsm/softhsm2.conf
	EXTRA_ENV="SOFTHSM2_CONF=$SOFTHSM2_CONF"
	softhsm2-util --init-token --free --label "$1" --so-pin 87654321 --pin 1234 >/dev/null
	local k
	for k in "rsa:2048 01 rsa" "EC:prime256v1 02 ec" "EC:secp521r1 03 ec521"; do
		set -- "$1" $k
		pkcs11-tool --module "$MODULE" --token-label "$1" --login --pin 1234 \
			--keypairgen --key-type "$2" --id "$3" --label "$4" >/dev/null 2>&1 ||
			fail "keypairgen $2"
	done
	chown -R "$TUID:$TUID" "$T/hsm"
}
