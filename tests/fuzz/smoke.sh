#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check: a short libFuzzer run of each target over its committed corpus
# (every input once, then FUZZ_SMOKE_SECONDS of new ones; default 5). New
# inputs go to a scratch directory, never into the source tree.
# Exit 77 (SKIP) with the reason when configure found no usable clang.
set -u
if [ -n "${FUZZ_SKIP_REASON:-}" ]; then
	echo "SKIP: libFuzzer targets not built: $FUZZ_SKIP_REASON"
	exit 77
fi
src=${top_srcdir:-.}/tests/fuzz
bin=${top_builddir:-.}/tests/fuzz
secs=${FUZZ_SMOKE_SECONDS:-5}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ect-fuzz-smoke.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
status=0
for t in ${FUZZ_TARGETS:-codec config mount mtab wrap argv}; do
	dict=
	[ -f "$src/dict/$t.dict" ] && dict="-dict=$src/dict/$t.dict"
	mkdir -p "$scratch/$t"
	start=$(date +%s)
	# -close_fd_mask=1: the helper's usage text on stdout is noise here
	if "$bin/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -close_fd_mask=1 \
		-print_final_stats=1 -artifact_prefix="$scratch/" $dict "$scratch/$t" "$src/corpus/$t" >"$scratch/$t.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
		echo "PASS: fuzz-$t: ${runs:-?} runs in $(( $(date +%s) - start )) s"
	else
		echo "FAIL: fuzz-$t (log follows; the crashing input is named in it)"
		tail -n 60 "$scratch/$t.log"
		mkdir -p fuzz-artifacts && cp "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* fuzz-artifacts/ 2>/dev/null
		status=1
	fi
done
exit $status
