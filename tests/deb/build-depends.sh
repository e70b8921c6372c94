#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# debian/control's Build-Depends and scripts/deps/build.txt name the same
# packages (scripts/deps stays the one list of build dependencies).
# build-essential is implied by Debian policy and debhelper-compat is the
# packaging's own tool, so neither needs a line in the other file; version
# constraints, architecture lists and build profiles are ignored.
# Usage: build-depends.sh [CONTROL [BUILD_TXT]] (defaults: the source tree's).
set -eu
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
control=${1:-$src/debian/control}
deps=${2:-$src/scripts/deps/build.txt}
for f in "$control" "$deps"; do
	[ -r "$f" ] || { echo "build-depends: cannot read $f" >&2; exit 99; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Build-Depends and Build-Depends-Indep/-Arch of the source stanza, folded
# continuation lines included, one package name a line.
awk '
	/^$/ { exit }
	/^Build-Depends(-Indep|-Arch)?:/ { on = 1; sub(/^[^:]*:/, ""); print; next }
	/^[ \t]/ && on { print; next }
	{ on = 0 }
' "$control" | grep -v '^[[:space:]]*#' | tr ',|' '\n\n' |
	sed -e 's/([^)]*)//g' -e 's/\[[^]]*\]//g' -e 's/<[^>]*>//g' -e 's/:[a-z]*//' |
	tr -d ' \t' | grep -v '^$' | grep -vx 'debhelper-compat' | sort -u >"$tmp/control"
sed -e 's/#.*//' "$deps" | tr -d ' \t' | grep -v '^$' |
	grep -vx 'build-essential' | sort -u >"$tmp/deps"

status=0
for p in $(comm -23 "$tmp/deps" "$tmp/control"); do
	echo "build-depends: $p is in $deps but not in Build-Depends of $control" >&2
	status=1
done
for p in $(comm -13 "$tmp/deps" "$tmp/control"); do
	echo "build-depends: $p is in Build-Depends of $control but not in $deps" >&2
	status=1
done
[ "$status" = 0 ] && echo "build-depends: $(wc -l <"$tmp/deps") packages agree"
exit $status
