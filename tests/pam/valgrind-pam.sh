#!/bin/sh
# The pam_wrapper tests (run-pam-tests.sh, run-pam-token.sh, run-pam-alias.sh) with the test programs, and so
# pam_ecryptfs.so, under valgrind memcheck: no error and no definite or
# indirect leak, in the program or in any process it forks (the module's
# child that becomes the user). Programs the children exec (the stand-in
# helpers, sh) are not traced: they are not ours.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}"
# ECT_PAM_VALGRIND=0 skips the run (the longest of the host tests):
# scripts/check-all's distcheck, whose build tree has just passed it. What
# the run needs must still be there (in a dist tarball: EXTRA_DIST).
if [ "${ECT_PAM_VALGRIND:-1}" = 0 ]; then
	for f in tests/pam/run-pam-tests.sh tests/pam/run-pam-token.sh tests/sanitizers/valgrind.supp; do
		[ -r "$top_srcdir/$f" ] || { echo "FAIL: $top_srcdir/$f is missing"; exit 1; }
	done
	echo "SKIP: ECT_PAM_VALGRIND=0: the PAM tests under valgrind were turned off"
	exit 77
fi
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed (Debian: valgrind)"; exit 77; }
module="$top_builddir/pam/.libs/pam_ecryptfs.so"
if ldd "$module" 2>/dev/null | grep -q 'libasan\.so'; then
	echo "SKIP: an ASan build (configure --enable-sanitizers) cannot run under valgrind"
	exit 77
fi

logs=$(mktemp -d "$top_builddir/tests/pam/valgrind.XXXXXX")
trap 'rm -rf "$logs"' EXIT
ECT_PAM_TEST_RUNNER="valgrind --tool=memcheck --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
--error-exitcode=99 --trace-children=no --child-silent-after-fork=no --num-callers=40 \
--suppressions=$top_srcdir/tests/sanitizers/valgrind.supp --log-file=$logs/vg.%p"
export ECT_PAM_TEST_RUNNER

# Both programs: the token one runs NSS and SoftHSM2 in the module's child.
status=0
sh "$top_srcdir/tests/pam/run-pam-tests.sh" || status=$?
rc=0
sh "$top_srcdir/tests/pam/run-pam-token.sh" || rc=$?
[ "$rc" -eq 77 ] || [ "$rc" -eq 0 ] || status=$rc
rc=0
sh "$top_srcdir/tests/pam/run-pam-alias.sh" || rc=$?
[ "$rc" -eq 77 ] || [ "$rc" -eq 0 ] || status=$rc
# One log per process valgrind ran; a forked child's errors do not reach
# our exit status, so read every log. A child that exec'd something else
# (sh, a stand-in helper) leaves a log without a summary: not ours.
bad=0 checked=0
for log in "$logs"/vg.*; do
	grep -q 'ERROR SUMMARY:' "$log" 2>/dev/null || continue
	checked=$((checked + 1))
	if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
		echo "==== $log"
		cat "$log"
		bad=1
	fi
done
echo "valgrind: $checked processes checked"
[ "$checked" -gt 0 ] || { echo "FAIL: valgrind checked no process"; exit 1; }
[ "$status" -eq 0 ] || { echo "FAIL: the PAM tests under valgrind exited $status"; exit 1; }
[ "$bad" -eq 0 ] || { echo "FAIL: valgrind found errors or leaks (logs above)"; exit 1; }
