#!/bin/sh
# ecryptfs-fuse and files unlinked while open (issue #15, fuse/efs-hidden.c):
# the name is gone at once (stat, readdir, the lower directory), the open
# descriptor still reads, writes, stats (the new size, 0 links), reopens
# through /dev/fd, changes mode, times, size and xattrs; the directory can be
# removed; nothing is left on the lower side, also after the daemon is
# killed (kill -9) while such a file is open. A file a user names like
# libfuse's hidden names (.fuse_hidden and 16 hex digits) is an ordinary
# file. Encrypted names (FNEK) on. Skips (77) where FUSE is unusable.
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/fuse-host.inc"

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-unlink-open.XXXXXX")
lower=$work/lower m=$work/mnt
cleanup() {
	exec 3>&- 4<&- 5>&-
	fusermount3 -uz "$m" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$lower" "$m"
fuse_host_keys "fuse unlink-open pass $work" "fuse unlink-open fnek $work"

# lower_names: every name under the lower directory, sorted, on one line.
lower_names() { (cd "$lower" && find . -mindepth 1 | sort | tr '\n' ' '); }

fuse_host_mount "$lower" "$m" "$opts"
mkdir "$m/d"
printf 'four' >"$m/d/file"
exec 3>>"$m/d/file" 4<"$m/d/file"
rm "$m/d/file"
[ ! -e "$m/d/file" ] || fail "the name is still there after unlink"
[ -z "$(ls -A "$m/d")" ] || fail "readdir after unlink: $(ls -A "$m/d")"
[ "$(find "$lower" -mindepth 2 | wc -l)" = 0 ] || fail "lower names after unlink: $(lower_names)"
printf 5 >&3
got=$(stat -L -c %s:%h /dev/fd/3 2>&1) || true
[ "$got" = 5:0 ] || fail "fstat after a write: $got (5:0 expected)"
IFS= read -r line <&4 || true
[ "$line" = four5 ] || fail "the descriptor reads '$line'"
[ "$(cat /dev/fd/3)" = four5 ] || fail "reopened through /dev/fd: '$(cat /dev/fd/3 2>&1)'"
chmod 600 /dev/fd/3 || fail "fchmod"
truncate -s 2 /dev/fd/3 || fail "truncate through /dev/fd"
touch -d @1000000000 /dev/fd/3 || fail "futimens"
got=$(stat -L -c %a:%s:%Y:%h /dev/fd/3 2>&1) || true
[ "$got" = 600:2:1000000000:0 ] || fail "after chmod, truncate, touch: $got"
# Extended attributes through the descriptor (regress-tool: set, get, list,
# remove), where the lower file system has user.* xattrs.
rgtool=${top_builddir:-.}/tests/regress/regress-tool
if [ -x "$rgtool" ] && "$rgtool" xattr "$m/d" >/dev/null 2>&1; then
	"$rgtool" xattr /dev/fd/3 || fail "xattrs through the descriptor"
fi
rmdir "$m/d" || fail "the directory of an unlinked open file cannot be removed"
printf 'xy' >&3
exec 3>&- 4<&-
[ -z "$(lower_names)" ] || fail "lower names after the last close: $(lower_names)"

# Rename over an open file: the replaced one lives on behind its descriptor.
printf old >"$m/t"
printf new >"$m/n"
exec 4<"$m/t"
mv "$m/n" "$m/t"
[ "$(cat <&4)" = old ] || fail "the replaced file reads '$(cat /dev/fd/4 2>&1)'"
[ "$(stat -L -c %s:%h /dev/fd/4)" = 3:0 ] || fail "fstat of the replaced file: $(stat -L -c %s:%h /dev/fd/4 2>&1)"
[ "$(cat "$m/t")" = new ] && [ "$(ls -A "$m")" = t ] || fail "after rename over: $(ls -A "$m")"
exec 4<&-
[ "$(find "$lower" -mindepth 1 | wc -l)" = 1 ] || fail "lower names after rename over: $(lower_names)"

# A user's file with a hidden-looking name: created, listed, read, renamed, removed.
h=.fuse_hidden0000000100000001
printf mine >"$m/$h"
[ "$(cat "$m/$h")" = mine ] && [ "$(ls -A "$m" | tr '\n' ' ')" = "$h t " ] ||
	fail "a user file named $h: $(ls -A "$m")"
mv "$m/$h" "$m/plain" && mv "$m/plain" "$m/$h" || fail "renames of $h"
# An open file renamed over it: refused (EEXIST), both kept (review finding
# F2: it was taken for libfuse's hide, the open file unlinked, $h left).
printf open >"$m/o"
exec 4<"$m/o"
mv -T "$m/o" "$m/$h" 2>/dev/null && fail "an open file renamed over $h"
exec 4<&-
[ "$(cat "$m/o" 2>&1)" = open ] && [ "$(cat "$m/$h")" = mine ] ||
	fail "after a refused rename over $h: $(ls -A "$m" | tr '\n' ' ')"
rm "$m/o"
fuse_host_unmount "$m"
fuse_host_mount "$lower" "$m" "$opts"
[ "$(cat "$m/$h")" = mine ] || fail "$h after a remount: '$(cat "$m/$h" 2>&1)'"
rm "$m/$h" "$m/t"
fuse_host_unmount "$m"
[ -z "$(lower_names)" ] || fail "lower names left: $(lower_names)"

# kill -9 while an unlinked file is open: nothing is left behind.
"$prog" "$lower" "$m" -f -o "$opts" 2>"$work/err" &
pid=$!
i=0
until grep -q " $m " /proc/mounts; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 $pid 2>/dev/null || fail "no mount in the foreground: $(cat "$work/err")"
	sleep 0.1
done
printf kept >"$m/kept"
head -c 100000 /dev/urandom >"$m/gone"
exec 5>>"$m/gone"
rm "$m/gone"
printf more >&5
kill -9 $pid
wait $pid 2>/dev/null || true
exec 5>&-
fusermount3 -uz "$m"
[ "$(find "$lower" -mindepth 1 | wc -l)" = 1 ] || fail "lower names after kill -9: $(lower_names)"
fuse_host_mount "$lower" "$m" "$opts"
[ "$(ls -A "$m")" = kept ] && [ "$(cat "$m/kept")" = kept ] ||
	fail "after kill -9 and a remount: $(ls -A "$m")"
fuse_host_unmount "$m"
echo "PASS: files unlinked while open through ecryptfs-fuse"
