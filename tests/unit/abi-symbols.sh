#!/bin/sh
# The ABI rule (doc/architecture.md, "Adding a public function"): the symbols
# libecryptfs-tools.so exports, the global list of lib/libecryptfs-tools.sym
# and the functions and data declared in lib/ecryptfs-tools.h are the same
# set, each exported one carries the .sym's version node, and the .sym list
# is sorted. With debian/ at hand (not in a dist tarball), the package's
# symbols file names the same set too. Any difference fails, named.
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
sym=$srcdir/lib/libecryptfs-tools.sym
header=$srcdir/lib/ecryptfs-tools.h
debsyms=$srcdir/debian/libecryptfs-tools0.symbols
so=$builddir/lib/.libs/libecryptfs-tools.so
LC_ALL=C
export LC_ALL

command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm"; exit 77; }
[ -f "$so" ] || { echo "FAIL: $so not built"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# the version node: the one "NAME {" line of the .sym
node=$(sed -n 's/^\([A-Za-z0-9_.]*\) *{.*/\1/p' "$sym")
[ "$(printf '%s\n' "$node" | grep -c .)" = 1 ] ||
	{ echo "FAIL: $sym: expected one version node, found: $node"; exit 1; }

# the .sym's global list, in file order
sed -n '/^[[:space:]]*global:/,/^[[:space:]]*local:/p' "$sym" |
	sed '1d;$d; s/[[:space:]]//g; s/;$//; /^$/d' >"$tmp/sym.order"
sort -u "$tmp/sym.order" >"$tmp/sym"
if ! cmp -s "$tmp/sym.order" "$tmp/sym"; then
	echo "FAIL: $sym: the global list is not sorted and unique (LC_ALL=C sort -u):"
	diff "$tmp/sym.order" "$tmp/sym" | sed -n 's/^[<>] /  /p' | sort -u
	exit 1
fi

# what the header declares: functions, and extern data, after the preprocessor
# (so macros such as ect_err() are not counted)
if ! ${CC:-cc} -E -P "$header" >"$tmp/header.i" 2>"$tmp/cc.err"; then
	echo "FAIL: ${CC:-cc} -E $header:"; cat "$tmp/cc.err"; exit 1
fi
tr '\n' ' ' <"$tmp/header.i" |
	grep -oE '\bect_[a-z0-9_]+ *\(|extern [^;]*\bect_[a-z0-9_]+ *\[' |
	grep -oE 'ect_[a-z0-9_]+' | sort -u >"$tmp/header"

# what the .so exports: every defined dynamic symbol but the node itself must
# be NAME@@node
nm -D --defined-only "$so" | awk '{ print $NF }' >"$tmp/nm" ||
	{ echo "FAIL: nm -D $so"; exit 1; }
bad=0
grep -v -x -e "$node" -e "$node@@$node" "$tmp/nm" | grep -v "@@$node\$" >"$tmp/unversioned"
if [ -s "$tmp/unversioned" ]; then
	echo "FAIL: exported without the version $node:"
	sed 's/^/  /' "$tmp/unversioned"
	bad=1
fi
grep "@@$node\$" "$tmp/nm" | sed "s/@@$node\$//" | grep -v -x "$node" | sort -u >"$tmp/exported"

# name A, name B: report what one has and the other lacks, both ways
compare() {
	only=$(comm -23 "$tmp/$1" "$tmp/$3")
	[ -z "$only" ] || { echo "FAIL: in $2, not in $4:"; printf '  %s\n' $only; bad=1; }
	only=$(comm -13 "$tmp/$1" "$tmp/$3")
	[ -z "$only" ] || { echo "FAIL: in $4, not in $2:"; printf '  %s\n' $only; bad=1; }
}
compare exported "the exports of $so" sym "$sym"
compare header "$header" sym "$sym"

also=
if [ -f "$debsyms" ]; then
	also=", debian symbols"
	sed -n "s/^ \(ect_[a-z0-9_]*\)@\([A-Za-z0-9_.]*\) .*/\1 \2/p" "$debsyms" >"$tmp/deb.v"
	awk -v n="$node" '$2 != n { print "  " $1 "@" $2 }' "$tmp/deb.v" >"$tmp/deb.bad"
	if [ -s "$tmp/deb.bad" ]; then
		echo "FAIL: $debsyms: symbols not of version $node:"; cat "$tmp/deb.bad"; bad=1
	fi
	grep -q "^ $node@$node " "$debsyms" ||
		{ echo "FAIL: $debsyms: no line for the version node $node@$node"; bad=1; }
	awk '{ print $1 }' "$tmp/deb.v" | sort -u >"$tmp/deb"
	compare deb "$debsyms" sym "$sym"
fi

[ "$bad" = 0 ] && echo "ok: $(wc -l <"$tmp/sym") symbols of $node agree (exports, .sym, header$also)"
exit $bad
