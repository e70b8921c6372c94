#!/bin/sh
# Token protectors at login (issue 16): the test-pam-token programs under the same
# pam_wrapper set-up as run-pam-tests.sh, against a SoftHSM2 token the test
# makes in its own directory (SOFTHSM2_CONF, which the module's child keeps).
set -eu
: "${top_builddir:?}" "${top_srcdir:?}"
if [ ! -r /usr/lib/softhsm/libsofthsm2.so ] || ! command -v softhsm2-util >/dev/null; then
	echo "SKIP: SoftHSM2 is not installed (Debian: softhsm2)"
	exit 77
fi
command -v pkcs11-tool >/dev/null || { echo "SKIP: pkcs11-tool not found (Debian: opensc)"; exit 77; }
# A build without NSS has no token side at all (the library's, not only the module's).
ldd "$top_builddir/lib/.libs/libecryptfs-tools.so" 2>/dev/null | grep 'libnss3' >/dev/null ||
	{ echo "SKIP: built without NSS (configure found no libnss3)"; exit 77; }
# test-pam-token: the policies, chauthtok, aliases; test-pam-token-pin: EC keys and the
# token's PIN retry counter (p11-retry.so). Each in its own pam_wrapper set-up.
rc=0
for prog in test-pam-token test-pam-token-pin; do
	ECT_PAM_TEST_PROG=$prog sh "$top_srcdir/tests/pam/run-pam-tests.sh" || { r=$?; [ $rc != 0 ] || rc=$r; }
done
exit $rc
