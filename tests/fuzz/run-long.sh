#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The long runs recorded in tests/fuzz/README.md: one target, one job, nice 19.
#   tests/fuzz/run-long.sh BUILDDIR TARGET [RUNS] [WORKDIR]
# FUZZ_MAX_TIME=SECONDS stops earlier (libFuzzer -max_total_time; 0: no limit).
# Fuzzes from a copy of the committed corpus in WORKDIR/TARGET (default
# /tmp/ect-fuzz-work), writes crashes as WORKDIR/TARGET-crash-*, and prints
# libFuzzer's final stats (runs, exec/s). Merge new inputs back with
#   BUILDDIR/tests/fuzz/fuzz-TARGET -merge=1 tests/fuzz/corpus/TARGET WORKDIR/TARGET
set -eu
build=$1 t=$2 runs=${3:-10000000} work=${4:-/tmp/ect-fuzz-work}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/$t"
cp -n "$src/corpus/$t"/* "$work/$t/" 2>/dev/null || true
dict=
[ -f "$src/dict/$t.dict" ] && dict="-dict=$src/dict/$t.dict"
exec nice -n 19 "$build/tests/fuzz/fuzz-$t" -runs="$runs" -max_total_time="${FUZZ_MAX_TIME:-0}" -timeout=30 -rss_limit_mb=2048 \
	-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$work/$t-" $dict "$work/$t"
