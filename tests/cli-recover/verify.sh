#!/bin/bash
# verify-private and verify against a real setup of a throwaway account
# (a passwd entry bind-mounted in a private mount namespace): a correct
# setup is clean, each broken variant gives its finding and exit status,
# and ecryptfs-verify prints what ecryptfs-utils 111's script prints.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
: "${top_builddir:?run through make check}"
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for the throwaway account"
unshare -m true 2>/dev/null || skip "no mount namespaces"
E=$top_builddir/helpers/ecryptfs
MKTREE=$top_builddir/tests/cli-recover/mktree
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
T=$(mktemp -d /tmp/ect-verify.XXXXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
TUID=$((3000000 + $$ % 1000000))
H=$T/home
cp /etc/passwd "$T/passwd"
echo "ectverify:x:$TUID:$TUID::$H:/bin/sh" >>"$T/passwd"

# in_ns CMD...: run with the throwaway account visible; stdout to $T/out,
# stderr to $T/err, status in RC. On a host whose kernel has no eCryptfs
# loaded, /sys/fs/ecryptfs/version is faked inside the namespace: these
# cases check a setup on a system that can mount it (verify-private warns
# otherwise, see the fuse check and test-verify-fuse).
# (a tmpfs of its own: a bind mount from /tmp would put /tmp's device under
# /sys, which the path walker rightly refuses.)
FAKE_SYS=:
[ -r /sys/fs/ecryptfs/version ] ||
	FAKE_SYS="mount -t tmpfs ect-sysfs /sys/fs && mkdir /sys/fs/ecryptfs && echo 511 >/sys/fs/ecryptfs/version"

in_ns() {
	unshare -m sh -c 'mount --bind "$0" /etc/passwd && eval "$1" && shift && exec "$@"' \
		"$T/passwd" "$FAKE_SYS" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

PASS=0123456789abcdef0123456789abcdef
mkdir -p "$T/plain/docs" "$H/.ecryptfs" "$H/Private"
echo hello >"$T/plain/docs/a"
"$MKTREE" "$PASS" "$T/plain" "$H/.Private" >"$H/.ecryptfs/Private.sig" || fail "mktree"
echo "$H/Private" >"$H/.ecryptfs/Private.mnt"
touch "$H/.ecryptfs/auto-mount" "$H/.ecryptfs/auto-umount"
printf '%s\n%s' "$PASS" 'login pw' | ECRYPTFS_TOOLS_KDF_FLOOR=1 \
	"$E" wrap-passphrase "$H/.ecryptfs/wrapped-passphrase" - || fail "wrap-passphrase"
chown -R "$TUID:$TUID" "$H"
chmod 700 "$H" "$H/.ecryptfs" "$H/.Private"
chmod 500 "$H/Private"
chmod 600 "$H"/.ecryptfs/*

# findings SEVERITY CHECK: the JSON output has that finding
has() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(0 if any(f["severity"]==sys.argv[2] and f["check"]==sys.argv[3]
	for u in d["users"] for f in u["findings"]) else 1)' "$T/out" "$1" "$2"
}

in_ns "$E" verify-private -u ectverify --json --no-system
if [ $RC -eq 0 ] && python3 -m json.tool "$T/out" >/dev/null; then
	pass "a correct setup is clean (exit 0, valid JSON)"
else
	fail "correct setup: exit $RC: $(cat "$T/out" "$T/err")"
fi

# broken CHECK SEVERITY STATUS: after breaking (the caller's commands), the
# finding is there and the status is as documented; restore afterwards.
expect() {
	in_ns "$E" verify-private -u ectverify --json --no-system
	if [ $RC -eq "$3" ] && has "$2" "$1"; then
		pass "$4: $2 $1 (exit $RC)"
	else
		fail "$4: exit $RC, want $2 $1 / $3: $(cat "$T/out")"
	fi
}
chmod 777 "$H/.ecryptfs"; expect dotecryptfs fail 1 "world-writable ~/.ecryptfs"
chmod 700 "$H/.ecryptfs"
chmod 644 "$H/.ecryptfs/wrapped-passphrase"; expect wrapped-passphrase warn 3 "readable wrapped passphrase"
chmod 600 "$H/.ecryptfs/wrapped-passphrase"
cp -a "$H/.ecryptfs/Private.sig" "$T/sig"
echo 3515CCA9BAAEA1F4 >"$H/.ecryptfs/Private.sig"; expect private-sig fail 1 "upper-case Private.sig"
echo 0011223344556677 >"$H/.ecryptfs/Private.sig"; expect lower-keys fail 1 "files under another key"
cp -a "$T/sig" "$H/.ecryptfs/Private.sig"
echo "secret" >"$H/.Private/plain.txt"; expect lower-plaintext fail 1 "plaintext in the lower directory"
rm "$H/.Private/plain.txt"
echo "$H" >"$H/.ecryptfs/Private.mnt"; rm "$H/.ecryptfs/auto-mount"
expect auto-mount warn 3 "encrypted home without auto-mount"
echo "$H/Private" >"$H/.ecryptfs/Private.mnt"; touch "$H/.ecryptfs/auto-mount"
chmod 777 "$H"; expect home fail 1 "world-writable home"
chmod 700 "$H"

# A hostile home (quotes, spaces, $(...), deeper than the old 320-byte fix
# buffer): the printed fix, run by a real shell, repairs exactly that
# directory and runs nothing else. A newline in a lower name gets no command.
H2="$T/it's a \"home\" \$(touch pwned) \`touch pwned\`/$(printf 'x%.0s' $(seq 1 250))"
echo "ectverify2:x:$((TUID + 1)):$((TUID + 1))::$H2:/bin/sh" >>"$T/passwd"
mkdir -p "$H2"
cp -a "$H/." "$H2/"
chown -R "$((TUID + 1)):$((TUID + 1))" "$T/it's a \"home\" \$(touch pwned) \`touch pwned\`"
chmod 777 "$H2/.ecryptfs"
in_ns "$E" verify-private -u ectverify2 --json --no-system
fix=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(next(f["fix"] for u in d["users"] for f in u["findings"] if f["check"]=="dotecryptfs"))' \
	"$T/out" 2>&1)
(cd "$T" && sh -c "$fix") >/dev/null 2>&1
if [ "$(stat -c %a "$H2/.ecryptfs")" = 700 ] && [ ! -e "$T/pwned" ]; then
	pass "hostile home: the printed fix repairs it ($fix)"
else
	fail "hostile home: fix '$fix' left mode $(stat -c %a "$H2/.ecryptfs")$([ -e "$T/pwned" ] && echo ', ran $(...)')"
fi
nl_name="$H2/.Private/a
b"
echo "secret" >"$nl_name"
chown "$((TUID + 1)):$((TUID + 1))" "$nl_name"
in_ns "$E" verify-private -u ectverify2 --no-system
if grep -F "fix: none printed: a name holds a control character" "$T/out" >/dev/null &&
	! grep -F "mv -i" "$T/out" >/dev/null; then
	pass "a newline in a lower name: no command printed"
else
	fail "a newline in a lower name: $(cat "$T/out")"
fi
rm -f "$nl_name"

# An alias (issue 16) with its own key files: one info line naming it, its
# mount point, lower directory, PAM flag and protectors; its wrapped
# passphrase gets Private's mode check.
has_msg() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(0 if any(f["severity"]==sys.argv[2] and f["check"]==sys.argv[3] and sys.argv[4] in f["message"]
	for u in d["users"] for f in u["findings"]) else 1)' "$T/out" "$@"
}
echo "$H/.Work $H/Work ecryptfs" >"$H/.ecryptfs/Work.conf"
cp -a "$H/.ecryptfs/Private.sig" "$H/.ecryptfs/Work.sig"
cp -a "$H/.ecryptfs/wrapped-passphrase" "$H/.ecryptfs/Work.wrapped-passphrase"
touch "$H/.ecryptfs/Work.auto-mount"
chown "$TUID:$TUID" "$H/.ecryptfs"/Work.*
chmod 600 "$H/.ecryptfs"/Work.*
in_ns "$E" verify-private -u ectverify --json --no-system
want="alias Work: mount point $H/Work, lower directory $H/.Work; PAM mounts it at login (Work.auto-mount); protectors: password (v3)"
if [ $RC -eq 0 ] && has_msg info alias "$want"; then
	pass "an alias: its line, exit 0"
else
	fail "an alias: exit $RC, want info alias '$want': $(cat "$T/out")"
fi
chmod 640 "$H/.ecryptfs/Work.wrapped-passphrase"
in_ns "$E" verify-private -u ectverify --json --no-system
if [ $RC -eq 3 ] && has_msg warn wrapped-passphrase "Work.wrapped-passphrase is readable by other"; then
	pass "an alias's readable wrapped passphrase: warn (exit 3)"
else
	fail "an alias's readable wrapped passphrase: exit $RC: $(cat "$T/out")"
fi
rm -f "$H/.ecryptfs"/Work.*

# ecryptfs-verify: same lines as ecryptfs-utils 111's script
PEER=/var/cache/ecryptfs-tools/ecryptfs-utils-111/usr/bin/ecryptfs-verify
for flags in "-p" "-e" "-n" "-h" "-p -e"; do
	# shellcheck disable=SC2086
	in_ns "$E" verify $flags -u ectverify
	ours_rc=$RC
	cp "$T/out" "$T/ours.out"
	cp "$T/err" "$T/ours.err"
	if [ -r "$PEER" ]; then
		# shellcheck disable=SC2086
		in_ns sh "$PEER" $flags -u ectverify
		if [ "$RC" = "$ours_rc" ] && cmp -s "$T/out" "$T/ours.out" &&
			cmp -s "$T/err" "$T/ours.err"; then
			pass "verify $flags: same output and status as 111 ($RC)"
		else
			fail "verify $flags: 111 exit $RC, ours $ours_rc: $(diff "$T/out" "$T/ours.out"; diff "$T/err" "$T/ours.err")"
		fi
	fi
done
in_ns "$E" verify -x
[ $RC -eq 2 ] && pass "verify: unknown option is a usage error" || fail "verify -x: $RC"

[ $FAILS -eq 0 ]
