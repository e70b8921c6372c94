#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-fs's argument checks (tests/regress/check-fs.sh), no guest:
# each bad argument exits 2 with a one-line message naming it.
set -u
cf=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/regress/check-fs.sh
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
# expect2 WHAT-IN-MESSAGE ARGS...: exit status 2 and WHAT in its message.
expect2() {
	local what=$1 rc=0 msg
	shift
	msg=$(bash "$cf" "$@" 2>&1 </dev/null) || rc=$?
	if [ "$rc" = 2 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] && [[ $msg == *"$what"* ]]; then
		echo "ok: $* -> 2: $msg"
	else
		echo "FAIL: $* -> exit $rc, wanted 2 and '$what': $msg"
		fails=$((fails + 1))
	fi
}
echo notakernel >"$tmp/bzImage"
mkdir -p "$tmp/mods/lib/modules/1.0" "$tmp/mods/lib/modules/2.0"
expect2 "FS must be kernel or fuse" --fs ext4
expect2 "LOWER: 'zfs'" --lower 'ext4 zfs'
expect2 "CASES: no case 'nosuch'" --cases 'llseek nosuch'
expect2 "KERNEL=$tmp/none: no such readable file" --kernel "$tmp/none"
expect2 "is not a Linux kernel image" --kernel "$tmp/bzImage"
expect2 "needs KERNEL= too" --modules "$tmp/mods"
expect2 "is not a folder" --kernel "$tmp/bzImage" --modules "$tmp/none"
expect2 "expected one lib/modules/VERSION" --kernel "$tmp/bzImage" --modules "$tmp/mods"
expect2 "check-fs.sh" --bogus x
[ $fails -eq 0 ]
