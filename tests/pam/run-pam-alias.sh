#!/bin/sh
# Aliases with the login password (issue 16): test-pam-alias under the same
# pam_wrapper set-up as run-pam-tests.sh.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}"
ECT_PAM_TEST_PROG=test-pam-alias ECT_PAM_TEST_OWN_ETC=1 exec sh "$top_srcdir/tests/pam/run-pam-tests.sh"
