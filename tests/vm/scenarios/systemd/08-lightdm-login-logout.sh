# Issue 12 on the guest booted by systemd: a graphical login through the real
# lightdm daemon (Debian's lightdm.service, its own PAM service files, its
# session worker), with Xvfb as its X server and a greeter scripted through
# liblightdm (ect-greeter.py) that types the password. The session finds
# ~/Private mounted and the keys reachable from its session keyring, writes a
# file and has systemd --user hold a file in ~/Private open. Logging out ends
# the session; within UserStopDelaySec plus a few seconds ~/Private is
# unmounted and its keys are gone, and the greeter's own session (user
# lightdm, pam_systemd class greeter) never counted.
# ect-vm: timeout=1200
. "$ECT_SRCDIR/tests/vm/scenarios/pam/pam.inc"
. "$ECT_SRCDIR/tests/vm/scenarios/systemd/sshd.inc"
pam_need_module
pam_need_helpers
pam_enable_profile
systemctl is-system-running >/dev/null 2>&1 || [ -d /run/systemd/system ] || skip "not booted by systemd"
sd_unpack_deb lightdm liblightdm-gobject-1-0 gir1.2-lightdm-1 libxklavier16 \
	xvfb xserver-common libxfont2 x11-xkb-utils ||
	skip "lightdm/Xvfb .debs missing: run tests/vm/scenarios/pam/fetch-debs.sh on the host"

# What lightdm's maintainer scripts would do, and this test's greeter and
# session. The greeter's request and log directory belongs to lightdm.
gdir=/run/ect-greeter home=
id lightdm >/dev/null 2>&1 || useradd -r -U -d /var/lib/lightdm -s /bin/false lightdm
mkdir -p /var/lib/lightdm /var/cache/lightdm /var/log/lightdm "$gdir"
chown lightdm:lightdm /var/lib/lightdm /var/cache/lightdm "$gdir"
# lightdm starts its X server with "vtN -novtswitch" when it has VTs; Xvfb
# knows neither. It signals readiness (SIGUSR1 to lightdm) through the exec.
cat >/usr/local/sbin/ect-xvfb <<'EOF'
#!/bin/sh
for a; do
	shift
	case $a in vt[0-9]* | -novtswitch) ;; *) set -- "$@" "$a" ;; esac
done
exec /usr/bin/Xvfb "$@" -screen 0 640x480x24
EOF
mkdir -p /usr/share/xgreeters /usr/share/xsessions
cat >/usr/share/xgreeters/ect-vm-greeter.desktop <<EOF
[Desktop Entry]
Name=ect-vm scripted greeter
Type=Application
Exec=/usr/bin/python3 $ECT_SRCDIR/tests/vm/scenarios/systemd/ect-greeter.py $gdir
EOF
# The user's session: what it found, then it stays until the scenario says go.
cat >/usr/local/bin/ect-vm-session <<EOF
#!/bin/bash
out=\$HOME/lightdm-session.out
{
	echo "mounts=\$(grep -c " \$HOME/Private ecryptfs " /proc/mounts)"
	n=0
	for sig in \$(cat ~/.ecryptfs/Private.sig); do
		keyctl search @s user "\$sig" >/dev/null 2>&1 && n=\$((n + 1))
	done
	echo "keys-in-session=\$n"
	echo "DISPLAY=\$DISPLAY"
	loginctl show-session "\$XDG_SESSION_ID" -p Service -p Type -p Class
	echo "written by the lightdm session" >~/Private/from-lightdm.txt && echo wrote=yes
	systemctl --user is-system-running --wait >/dev/null 2>&1
	systemd-run --user --quiet --unit=ect-dm-holder -p WorkingDirectory=\$HOME/Private \
		sh -c 'exec 3<from-lightdm.txt; exec sleep 600'
	echo "holder=\$(systemctl --user is-active ect-dm-holder)"
} >\$out.tmp 2>&1
mv \$out.tmp \$out
while [ ! -e $ECT_VM_WORK/dm.go ]; do sleep 0.5; done
EOF
chmod 755 /usr/local/sbin/ect-xvfb /usr/local/bin/ect-vm-session
cat >/usr/share/xsessions/ect-vm.desktop <<'EOF'
[Desktop Entry]
Name=ect-vm session
Type=Application
Exec=/usr/local/bin/ect-vm-session
EOF
cat >/etc/lightdm/lightdm.conf <<'EOF'
[Seat:*]
xserver-command=/usr/local/sbin/ect-xvfb
greeter-session=ect-vm-greeter
user-session=ect-vm
session-wrapper=/usr/bin/env
EOF
# dbus reads lightdm's bus policy (org.freedesktop.DisplayManager).
systemctl reload dbus.service
systemctl daemon-reload
since=$(date '+%Y-%m-%d %H:%M:%S')
t0=$SECONDS
systemctl start lightdm.service || fail "lightdm.service did not start"

# dm_wait PATTERN SECONDS: until the greeter logged PATTERN.
dm_wait() {
	local t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$2" ]; do
		grep -q "$1" "$gdir/greeter.log" 2>/dev/null && return 0
		pgrep -x lightdm >/dev/null || break
		sleep 0.5
	done
	dm_logs
	fail "the greeter did not log '$1' within $2 s"
}

# dm_logs: what lightdm, its X server, the greeter and the session said.
dm_logs() {
	local f
	for f in "$gdir/greeter.log" /var/log/lightdm/*.log "$home/.xsession-errors"; do
		[ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }
	done
	echo "---- journal"
	journalctl --no-pager -q --since "$since" | grep -v -E 'ect-vm-|Joined session' | tail -n 60
	loginctl list-sessions --no-legend
}
dm_wait "greeter ready" 300
log "lightdm, Xvfb and the greeter up in $((SECONDS - t0)) s"

sd_private_user
stop_delay=$(sd_stop_delay)
rm -f "$W/dm.go"
t0=$SECONDS
# The request appears whole (renamed into place), readable by lightdm only.
(umask 077 && printf '%s\n%s\nect-vm\n' "$user" "$pw" >"$gdir/login.tmp")
chown lightdm "$gdir/login.tmp"
mv "$gdir/login.tmp" "$gdir/login"
# Not "session started": lightdm may stop the greeter before it says so.
dm_wait "authenticated " 300
while [ ! -e "$home/lightdm-session.out" ] && [ $((SECONDS - t0)) -lt 600 ]; do
	sleep 0.5
done
cat "$gdir/greeter.log"
[ -e "$home/lightdm-session.out" ] || { dm_logs; fail "the lightdm session did not report"; }
out=$(cat "$home/lightdm-session.out")
printf '%s\n' "$out"
log "graphical login took $((SECONDS - t0)) s"
# dm_has LINE WHAT: the session reported LINE.
dm_has() { grep -qx "$1" <<<"$out" || fail "lightdm session: $2 (no '$1')"; }
dm_has mounts=1 "Private not mounted"
dm_has keys-in-session=2 "keys not reachable from the session keyring"
dm_has Service=lightdm "not a session of the lightdm PAM service"
dm_has Type=x11 "not an x11 session"
dm_has Class=user "not a user-class session"
dm_has wrote=yes "could not write into Private"
dm_has holder=active "systemd --user does not hold a file in Private"
grep -q '^DISPLAY=:[0-9]' <<<"$out" || fail "no X display in the session"
loginctl list-sessions --no-legend

# Log out: the session ends, lightdm closes its PAM session and shows the
# greeter again; the user manager lets go within UserStopDelaySec.
: >"$gdir/greeter.log"
chown lightdm "$gdir/greeter.log"
touch "$W/dm.go"
sd_wait_locked "$user" $((stop_delay + 20))
dm_wait "greeter ready" 300
[ -z "$(cat "$home/Private/from-lightdm.txt" 2>/dev/null)" ] || fail "cleartext visible after logout"
[ ! -s "/run/ecryptfs-tools/$uid/Private.sessions" ] ||
	fail "sessions left registered: $(cat "/run/ecryptfs-tools/$uid/Private.sessions")"
journal=$(journalctl --no-pager -q --since "$since" 2>&1 | grep -E 'pam_ecryptfs|ecryptfs' || true)
printf '%s\n' "$journal"
grep -q 'internal error' <<<"$journal" && fail "the module logged an internal error"

# The data is there at the next mount.
pam_session login "$user" "$pw" auth open run close -- cat "$home/Private/from-lightdm.txt" >"$W/again.out" 2>&1 ||
	{ cat "$W/again.out"; fail "the file written in the lightdm session is not there"; }
systemctl stop lightdm.service
log "lightdm login: mounted with the keys, file written; logout locked although systemd --user held a file"
