#!/bin/sh
# Issue 14: every libgcrypt call of the library goes through one file,
# lib/core/crypto-backend.c. No other source of lib/ may name libgcrypt
# (gcry_*, GCRY_*, <gcrypt.h>), and no other object of the library may have
# an undefined gcry_ symbol (a macro expanding to a call counts too). Any
# offender fails, named with its line or symbol.
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
backend=lib/core/crypto-backend
LC_ALL=C
export LC_ALL

fail=0
hits=$(cd "$srcdir" && grep -rnE 'gcry_|GCRY_|<gcrypt\.h>' lib --include='*.c' --include='*.h' |
	grep -v "^$backend\.c:")
if [ -n "$hits" ]; then
	echo "FAIL: libgcrypt named outside $backend.c:"
	printf '%s\n' "$hits" | sed 's/^/  /'
	fail=1
fi

command -v nm >/dev/null 2>&1 || { echo "SKIP: no nm for the object check"; exit $fail; }
objs=$(find "$builddir/lib" -path '*/.libs/*.o' -name 'lib*_la-*.o' | sort)
[ -n "$objs" ] || { echo "FAIL: no library objects under $builddir/lib"; exit 1; }
for o in $objs; do
	case $o in
	*/libect_core_la-crypto-backend.o) continue ;;
	esac
	syms=$(nm -u "$o" | sed -n 's/^ *U \(gcry_[A-Za-z0-9_]*\).*/\1/p' | sort -u | tr '\n' ' ')
	if [ -n "$syms" ]; then
		echo "FAIL: ${o#"$builddir"/} calls libgcrypt: $syms"
		fail=1
	fi
done
[ $fail = 0 ] && echo "PASS: libgcrypt only in $backend.c"
exit $fail
