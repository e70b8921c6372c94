#!/bin/bash
# Login cost of pam_ecryptfs vs ecryptfs-utils 111's module, measured in the
# VM test bed (real kernel, real PAM stacks): boots the guest with the
# scenario pam/95-bench-login and prints its table. Run after `make`:
#   bench/login.sh      (or: make bench-login)
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$PWD}
export top_srcdir top_builddir
flag=$top_builddir/bench/login-bench.requested
mkdir -p "$top_builddir/bench"
touch "$flag"
trap 'rm -f "$flag"' EXIT
log=$(VM_SCENARIOS=pam/95-bench-login bash "$top_srcdir/tests/vm/run.sh" 2>&1) || true
run=$(printf '%s\n' "$log" | sed -n 's/^check-vm: results in //p' | tail -n1)
out=$run/main/scenarios/pam/95-bench-login/output.log
if [ -z "$run" ] || [ ! -f "$out" ]; then
	printf '%s\n' "$log"
	exit 1
fi
sed -e '/^+/d' -e '/^# /d' "$out"
