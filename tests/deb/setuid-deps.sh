#!/bin/sh
# The setuid helper loads only what it needs: libc, libgcrypt and libkeyutils.
# It is built with the library compiled in and the token side that opens no
# token (lib/keys/keys.am), so NSS, NSPR and the shared library never run
# with its privileges, whatever the shared library links.
helper=${top_builddir:-.}/helpers/mount.ecryptfs
command -v readelf >/dev/null 2>&1 || { echo "SKIP: no readelf"; exit 77; }
[ -f "$helper" ] || { echo "FAIL: $helper not built"; exit 1; }
# a libtool wrapper script here means the helper links the shared library
if ! dyn=$(readelf -d "$helper" 2>&1); then
	echo "FAIL: $helper is not an ELF program (a libtool wrapper links the shared library)"
	exit 1
fi
needed=$(printf '%s\n' "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "FAIL: no NEEDED entries read from $helper"; exit 1; }
bad=0
for lib in $needed; do
	case $lib in
	libc.so.*|libgcrypt.so.*|libkeyutils.so.*) ;;
	# check-all's sanitizer build only; never in a package
	libasan.so.*|libubsan.so.*) ;;
	*) echo "FAIL: the setuid helper needs $lib"; bad=1 ;;
	esac
done
[ "$bad" = 0 ] && echo "ok: $(basename "$helper") needs only:" $needed
exit $bad
