#!/bin/sh
# ecryptfs-fuse and setuid/setgid bits: a write or truncate by the owner
# (no CAP_FSETID) clears them, as does a chown; root's write keeps them.
# ecryptfs-fuse leaves this to the kernel (it does not negotiate
# FUSE_HANDLE_KILLPRIV, and Debian 12's libfuse 3.14 cannot ask for
# KILLPRIV_V2), so the daemon, writing as root, must not be told otherwise.
# Needs root (a second user through allow_other); skips (77) without it.
set -eu
# prog, tool, skip, fail, the skips, a throwaway session keyring
. "$(dirname "$0")/fuse-host.inc"
[ "$(id -u)" = 0 ] || skip "needs root (writes as another user)"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/fuse-killpriv.XXXXXX")
chmod 755 "$work"
m=$work/mnt
cleanup() {
	fusermount3 -uz "$m" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/lower" "$m"
keyctl link @u @s >/dev/null
sig=$(fuse_host_add_key "fuse killpriv pass")
fuse_host_mount "$work/lower" "$m" "ecryptfs_sig=$sig,allow_other"

u=65534
as_owner() { setpriv --reuid=$u --regid=$u --clear-groups "$@"; }
# mode FILE: setuid and setgid with group execute, owned by $u
prep() { chmod 6755 "$m/f"; [ "$(stat -c %a "$m/f")" = 6755 ] || fail "chmod 6755"; }
printf 'abc' >"$m/f"
chown $u:$u "$m/f"
prep
as_owner sh -c "printf x >>'$m/f'"
[ "$(stat -c %a "$m/f")" = 755 ] || fail "the owner's write left mode $(stat -c %a "$m/f")"
prep
as_owner truncate -s 1 "$m/f"
[ "$(stat -c %a "$m/f")" = 755 ] || fail "the owner's truncate left mode $(stat -c %a "$m/f")"
prep
printf y >>"$m/f"
[ "$(stat -c %a "$m/f")" = 6755 ] || fail "root's write (CAP_FSETID) changed mode to $(stat -c %a "$m/f")"
chown $u:0 "$m/f"
[ "$(stat -c %a "$m/f")" = 755 ] || fail "chown left mode $(stat -c %a "$m/f")"
[ "$(cat "$m/f")" = ay ] || fail "contents: $(cat "$m/f")"
echo "PASS: ecryptfs-fuse clears setuid/setgid as the kernel does"
