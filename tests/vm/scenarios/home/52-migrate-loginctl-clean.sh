# ecryptfs-migrate-home runs as root with the caller's environment: the
# logind check must run loginctl by absolute path with a fixed environment,
# stdin from /dev/null and no inherited fd, never through a shell, whatever
# PATH, LD_PRELOAD or SYSTEMD_PAGER say. A recording loginctl is bind-mounted
# over the real one in a mount namespace of its own. Its session line for the
# user refuses the migration; its failure is warned about and the other
# checks still run (a long name then refuses); an answer too long to read
# refuses.
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/home/migrate.inc"
pam_need_module
need_tool ecryptfs-migrate-home python3 unshare
mig_small_user

mkdir -p "$W/evil"
cat >"$W/evil/loginctl" <<EOS
#!/bin/sh
echo "c66 $uid $user seat0 tty6"
EOS
cp "$W/evil/loginctl" "$W/evil/pager"
chmod 755 "$W/evil" "$W/evil/loginctl" "$W/evil/pager"
cat >"$W/fake-loginctl" <<EOS
#!/usr/bin/python3 -I
import os, sys
def is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False
fds = [str(fd) for fd in range(3, 1024) if is_open(fd)]
env = open("/proc/self/environ", "rb").read().split(b"\0")
with open("$W/seen", "w") as f:
    for e in sorted(x.decode() for x in env if x):
        f.write("env %s\n" % e)
    f.write("args %s\n" % " ".join(sys.argv[1:]))
    f.write("stdin %s\n" % os.readlink("/proc/self/fd/0"))
    f.write("fds %s\n" % " ".join(fds))
mode = open("$W/mode").read().strip()
if mode == "fail":
    sys.exit(1)
if mode == "flood":
    sys.stdout.write("c1 99999 nobody seat0 tty1\n" * 5000)
else:
    print("c99 $uid $user seat0 tty9")
EOS
chmod 755 "$W/fake-loginctl"

# migrate MODE: the migration with the recording loginctl and a hostile environment
migrate() {
	echo "$1" >"$W/mode"
	rm -f "$W/seen"
	local rc=0
	mig_with_loginctl "$W/fake-loginctl" env PATH="$W/evil:$PATH" LD_PRELOAD="$W/evil/none.so" \
		SYSTEMD_PAGER="$W/evil/pager" PAGER="$W/evil/pager" SYSTEMD_LOG_LEVEL=debug \
		ECRYPTFS_TOOLS_KDF_FLOOR=1 ecryptfs-migrate-home -u "$user" --password-file "$W/pw" \
		</dev/null >"$W/out" 2>"$W/err" || rc=$?
	cat "$W/err"
	assert_eq 1 "$rc" "exit status with loginctl mode $1"
	[ -f "$W/seen" ] || fail "loginctl was not run (mode $1)"
	cat "$W/seen"
	assert_eq "env LC_ALL=C
env PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$(grep '^env ' "$W/seen")" "loginctl's environment"
	assert_eq "args list-sessions --no-legend --no-pager" "$(grep '^args ' "$W/seen")" "loginctl's argv"
	assert_eq "stdin /dev/null" "$(grep '^stdin ' "$W/seen")" "loginctl's stdin"
	assert_eq "fds " "$(grep '^fds ' "$W/seen")" "fds loginctl inherited"
	[ ! -e "/home/.ecryptfs/$user" ] || fail "mode $1: /home/.ecryptfs/$user was made"
	[ ! -L "$home/.ecryptfs" ] || fail "mode $1: the home was migrated"
}

migrate session
grep -q "is logged in or has processes (logind session c99)" "$W/err" ||
	fail "the session loginctl listed did not refuse the migration"

long=$(printf 'L%.0s' $(seq 150))
touch "$home/$long"
migrate fail
grep -q "loginctl list-sessions failed (status 1)" "$W/err" || fail "loginctl's failure was not warned about"
grep -q "longer than 143 bytes" "$W/err" || fail "the checks after logind's did not run"
rm "$home/$long"

migrate flood
grep -q "list-sessions printed more than" "$W/err" || fail "an unreadable session list did not refuse"
log "loginctl: absolute path, fixed environment, stdin /dev/null, no fds; status and size checked"
