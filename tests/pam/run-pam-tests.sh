#!/bin/sh
# Run test-pam-ecryptfs under pam_wrapper with fake users from nss_wrapper.
# As root the fake users get a throwaway uid (real setuid, a user keyring of
# their own); otherwise uid_wrapper fakes root and the users share our uid.
# Everything runs inside a throwaway session keyring (keyctl session -).
set -eu
: "${top_builddir:?}"
# ECT_PAM_TEST_PROG (run-pam-token.sh): another test program of tests/pam.
prog=${ECT_PAM_TEST_PROG:-test-pam-ecryptfs}
bin="$top_builddir/tests/pam/$prog"
module="$top_builddir/pam/.libs/pam_ecryptfs.so"
libdir=/usr/lib/x86_64-linux-gnu
[ -e "$libdir/libpam_wrapper.so" ] || libdir=$(dirname "$(ldconfig -p | sed -n "s/.*libpam_wrapper.so.* => //p" | head -n1)" 2>/dev/null)
for lib in libpam_wrapper.so libnss_wrapper.so; do
	if [ ! -e "$libdir/$lib" ]; then
		echo "SKIP: $lib not installed (Debian: libpam-wrapper libnss-wrapper)"
		exit 77
	fi
done
command -v keyctl >/dev/null || { echo "SKIP: keyctl missing (Debian: keyutils)"; exit 77; }

# Under the build tree (not /tmp): helper_dir= needs a path no other user can change.
dir=$(mktemp -d "$top_builddir/tests/pam/run.XXXXXX")
chmod 755 "$dir"
trap 'chmod -R u+rwx "$dir" 2>/dev/null; rm -rf "$dir"' EXIT

preload="$libdir/libpam_wrapper.so:$libdir/libnss_wrapper.so"
if [ "$(id -u)" = 0 ]; then
	uid=$((42000 + $$ % 1000))
else
	uid=$(id -u)
	[ -e "$libdir/libuid_wrapper.so" ] || { echo "SKIP: not root and no libuid_wrapper.so"; exit 77; }
	preload="$preload:$libdir/libuid_wrapper.so"
	export UID_WRAPPER=1 UID_WRAPPER_ROOT=1
fi
{
	echo "root:x:0:0:root:/root:/bin/sh"
	for u in alice bob carol dave vera wendy xena; do
		echo "$u:x:$uid:$uid:$u:$dir/home/$u:/bin/sh"
	done
} > "$dir/passwd"
printf 'root:x:0:\nusers:x:%s:\n' "$uid" > "$dir/group"
# readable as /etc/passwd is: the module's child, become the user, looks names up too
chmod 644 "$dir/passwd" "$dir/group"

# pam_wrapper copies the services when it loads, so they exist before the test.
# "ect": pam_ecryptfs alone decides (PAM_IGNORE shows as PAM_PERM_DENIED);
# "ect_opt": optional after pam_permit, as the shipped profile;
# "ect_untrusted": a helper_dir= the module must refuse;
# "ect_kdf20", "ect_opt_kdf20": a 20 MiB Argon2id budget (kdf_max_mib=), alone
# and optional after pam_permit.
setitems="$libdir/pam_wrapper/pam_set_items.so"
opts="helper_dir=$dir/helpers debug"
mkdir "$dir/services"
cat > "$dir/services/ect" <<EOS
auth [default=ignore] $setitems
auth required $module $opts
session required $module $opts
password [default=ignore] $setitems
password required $module $opts
EOS
cat > "$dir/services/ect_opt" <<EOS
password [default=ignore] $setitems
password required $(dirname "$(find /usr/lib /lib -name pam_permit.so 2>/dev/null | head -n1)")/pam_permit.so
password optional $module $opts
EOS
echo "session required $module helper_dir=$dir/untrusted" > "$dir/services/ect_untrusted"
permit=$(dirname "$(find /usr/lib /lib -name pam_permit.so 2>/dev/null | head -n1)")/pam_permit.so
sed "s|$opts|$opts kdf_max_mib=20|" "$dir/services/ect" > "$dir/services/ect_kdf20"
cat > "$dir/services/ect_opt_kdf20" <<EOS
auth required $permit
auth optional $module $opts kdf_max_mib=20
session required $permit
session optional $module $opts kdf_max_mib=20
EOS
# "ect_tokpw": token_pin=password, the login password is a token's PIN.
sed "s|$opts|$opts token_pin=password|" "$dir/services/ect" > "$dir/services/ect_tokpw"
# "ect_closehook": pam_exec runs helpers/close-hook (the test writes it) just
# before the module's close_session (test-pam-alias).
cat > "$dir/services/ect_closehook" <<EOS
auth [default=ignore] $setitems
auth required $module $opts
session optional $(dirname "$permit")/pam_exec.so type=close_session $dir/helpers/close-hook
session required $module $opts
EOS
# The systemd user manager's PAM service, with the module in it (as Arch and
# Fedora include their login session stack there).
cp "$dir/services/ect" "$dir/services/systemd-user"
: > "$dir/services/other"

export PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$dir/services"
export NSS_WRAPPER_PASSWD="$dir/passwd" NSS_WRAPPER_GROUP="$dir/group"
export ECT_PAM_TEST_DIR="$dir" ECT_PAM_MODULE="$module" ECT_PAM_TEST_UID="$uid"
export LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# An ASan build (configure --enable-sanitizers): the wrappers are preloaded
# ahead of the ASan runtime, which is harmless here (they define no
# allocator), so skip ASan's link-order check rather than preload libasan
# into every shell the test starts. The wrappers must not dlopen with
# RTLD_DEEPBIND, which ASan refuses; pam_wrapper 1.1.4 reads the uid_wrapper
# name of that switch, later versions their own.
if ldd "$module" 2>/dev/null | grep -q 'libasan\.so'; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 NSS_WRAPPER_DISABLE_DEEPBIND=1
fi
# ECT_PAM_TEST_RUNNER (valgrind-pam.sh): a command to run the test under; it
# gets the real program, not libtool's wrapper script.
runner=${ECT_PAM_TEST_RUNNER:-}
if [ -n "$runner" ] && [ -x "$top_builddir/tests/pam/.libs/$prog" ]; then
	bin="$top_builddir/tests/pam/.libs/$prog"
fi
# ECT_PAM_TEST_OWN_ETC=1 (run-pam-alias.sh): as root, the test runs in a
# private mount namespace with a copy of /etc bound over /etc, which it may
# change (ECT_PAM_TEST_ETC names the copy); the host's /etc is never touched.
if [ "${ECT_PAM_TEST_OWN_ETC:-0}" = 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir "$dir/etc"
	cp -a /etc/. "$dir/etc/" 2>/dev/null || true
	rm -rf "$dir/etc/ecryptfs-tools"
	mkdir -m 755 "$dir/etc/ecryptfs-tools"
	# The fake users in that passwd, read by the real NSS: nss_wrapper keeps its
	# file open, and the module's child, which closes every inherited descriptor
	# (pam-child.c), could not look a name up through it.
	grep -v '^root:' "$dir/passwd" >> "$dir/etc/passwd"
	echo "ect-pam-test:x:$uid:" >> "$dir/etc/group"
	unset NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
	export ECT_PAM_TEST_ETC=/etc
	# shellcheck disable=SC2086 # the runner is a command line
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /etc && shift &&
		LD_PRELOAD="$0" exec keyctl session - "$@"' "$preload" "$dir/etc" $runner "$bin"
else
	# shellcheck disable=SC2086 # the runner is a command line
	LD_PRELOAD="$preload" keyctl session - $runner "$bin"
fi
