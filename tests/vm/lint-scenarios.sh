#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenarios run under `set -eu -o pipefail`. There, `CMD | grep -q PAT` fails
# at random: grep -q exits at the first match, CMD's next write gets SIGPIPE,
# and the pipeline's status becomes 141 although the text matched. That made
# harness/02 fail in CI (ldd writes its lines one by one). Write
# `CMD | grep PAT >/dev/null` instead, which reads all of CMD's output.
# Usage: lint-scenarios.sh [DIR...] (default: the VM test bed's shell files).
set -eu
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
[ $# -gt 0 ] || set -- "$src/tests/vm"
hits=$(grep -rnE --include='*.sh' --include='*.inc' '\|[[:space:]]*grep[[:space:]]+-[A-Za-z]*q' "$@" |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' || true)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/^/lint-scenarios: grep -q after a pipe (SIGPIPE under pipefail): /' >&2
	exit 1
fi
exit 0
