# Helpers for VM scenarios; sourced by the guest runner before each scenario
# (see tests/vm/README.md for the contract). Runs inside the guest as root.
# Scenarios run under `set -eu -o pipefail`: helpers that test something
# return a status, helpers named assert_* or need_* end the scenario.

ECT_VM_USERS_FILE=/run/ect-vm/users

# ---- results --------------------------------------------------------------
log() { printf '%s\n' "# $*"; }

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# Mark the scenario skipped (exit status 77, like automake).
skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# ---- requirements ---------------------------------------------------------
# need_tool NAME...: skip unless every NAME is an installed program.
need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (the build does not provide it yet)"
	done
}

# need_peer: skip unless Debian's ecryptfs-utils 111 is available.
need_peer() {
	[ -n "${ECT_PEER:-}" ] && [ -x "$ECT_PEER/usr/bin/ecryptfs-add-passphrase" ] ||
		skip "Debian's ecryptfs-utils 111 is not available (scripts/fetch-ecryptfs-utils)"
}

# ---- assertions -----------------------------------------------------------
# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_ne() {
	[ "$1" != "$2" ] || fail "${3:-value}: expected something other than '$1'"
}

# assert_ok CMD...: CMD must succeed (its output is shown).
assert_ok() {
	"$@" || fail "command failed (status $?): $*"
}

# assert_fail CMD...: CMD must fail.
assert_fail() {
	if "$@"; then
		fail "command unexpectedly succeeded: $*"
	fi
	return 0
}

# assert_same_file A B: byte-identical files.
assert_same_file() {
	cmp -s "$1" "$2" || fail "files differ: $1 $2"
}

assert_file() {
	[ -f "$1" ] || fail "missing file: $1"
}

# assert_match REGEX STRING [WHAT]: extended regular expression match.
assert_match() {
	printf '%s\n' "$2" | grep -E -- "$1" >/dev/null || fail "${3:-output} does not match /$1/: $2"
}

# ---- users and keyrings ---------------------------------------------------
# make_user [NAME] [PASSWORD]: a fresh local user with a home directory.
# Prints the name. Default NAME is derived from the scenario, PASSWORD is
# "pw-NAME". The runner kills the user's processes after the scenario.
make_user() {
	local name=${1:-} pw
	if [ -z "$name" ]; then
		name=u$(printf '%s' "$ECT_VM_ID" | md5sum | cut -c1-8)
		while id "$name" >/dev/null 2>&1; do
			name=${name}x
		done
	fi
	pw=${2:-pw-$name}
	useradd -m -s /bin/bash "$name" || fail "useradd $name"
	printf '%s:%s\n' "$name" "$pw" | chpasswd || fail "chpasswd $name"
	echo "$name" >>"$ECT_VM_USERS_FILE"
	printf '%s\n' "$name"
}

# as_user USER CMD...: run CMD as USER (setpriv, no PAM) with the user's
# environment and a fresh session keyring that links the user keyring,
# as a login would give. stdin is passed through.
as_user() {
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
		env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash \
		PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C.UTF-8 \
		keyctl session - sh -c 'keyctl link @u @s >/dev/null && cd && exec "$@"' sh "$@"
}

# as_user_sh USER SCRIPT: as_user with a shell command line.
as_user_sh() {
	local user=$1
	shift
	as_user "$user" bash -c "$*"
}

# su_user USER CMD: through su(1) and its PAM stack (a login shell).
su_user() {
	local user=$1
	shift
	su - "$user" -s /bin/bash -c "$*"
}

# fresh_keyring: give the calling shell a new, empty session keyring that
# links root's (cleared) user keyring.
fresh_keyring() {
	keyctl clear @u >/dev/null
	keyctl new_session >/dev/null
	keyctl link @u @s >/dev/null
}

# key_exists DESCRIPTION: a "user" key with that description is reachable
# from the session keyring (the eCryptfs auth tokens are "user" keys whose
# description is the 16 hex digit signature).
key_exists() {
	keyctl search @s user "$1" >/dev/null 2>&1
}

# ---- PAM ------------------------------------------------------------------
# pam_service NAME: write /etc/pam.d/NAME from stdin (only inside the guest).
pam_service() {
	cat >"/etc/pam.d/$1"
}

# pam_run SERVICE USER PASSWORD OPERATION...: drive a real PAM stack with
# pamtester; PASSWORD answers every prompt.
pam_run() {
	local service=$1 user=$2 pw=$3
	shift 3
	need_tool pamtester
	printf '%s\n%s\n%s\n' "$pw" "$pw" "$pw" | pamtester -v "$service" "$user" "$@"
}

# ---- the peer: Debian's ecryptfs-utils 111 --------------------------------
# peer TOOL ARGS...: run an ecryptfs-utils 111 program from its unpacked
# package (found in usr/bin, sbin or usr/sbin).
peer() {
	local tool=$1 d
	shift
	need_peer
	for d in usr/bin sbin usr/sbin; do
		if [ -x "$ECT_PEER/$d/$tool" ]; then
			LD_LIBRARY_PATH=$ECT_PEER/usr/lib/x86_64-linux-gnu "$ECT_PEER/$d/$tool" "$@"
			return
		fi
	done
	fail "peer tool $tool not found in $ECT_PEER"
}

# peer_install: dpkg -i Debian's ecryptfs-utils 111 into the guest (its PAM
# profile lands in the guest's /etc/pam.d/common-*, its mount helpers in
# /sbin). Changes the guest for every later scenario of the same boot: put
# scenarios that need it in their own boot group (`# ect-vm: boot=peer`).
peer_install() {
	need_peer
	[ -n "${ECT_PEER_DEBS:-}" ] && ls "$ECT_PEER_DEBS"/*.deb >/dev/null 2>&1 ||
		skip "no ecryptfs-utils .debs in ${ECT_PEER_DEBS:-<unset>}"
	dpkg-query -W -f='${Status}' ecryptfs-utils 2>/dev/null | grep 'install ok installed' >/dev/null &&
		return 0
	# --force-depends: the gpg and TPM key modules' libraries are not needed.
	# --no-triggers: man-db's trigger alone takes minutes under TCG.
	DEBIAN_FRONTEND=noninteractive dpkg -i --force-depends --no-triggers \
		"$ECT_PEER_DEBS"/*.deb >/dev/null ||
		fail "dpkg -i of ecryptfs-utils failed"
}

# ---- eCryptfs -------------------------------------------------------------
# sigs_from_output TEXT: the 16 hex digit signatures in ecryptfs-add-passphrase
# output ("... sig [0123456789abcdef] ..."), one a line, in order.
sigs_from_output() {
	printf '%s\n' "$1" | grep -o '\[[0-9a-f]\{16\}\]' | tr -d '[]'
}

# insert_passphrase PASSPHRASE CMD...: feed PASSPHRASE on stdin to
# `CMD --fnek -` (ecryptfs-add-passphrase or a compatible program) and print
# "SIG FNEK_SIG" from its "Inserted auth tok with sig [...]" lines.
insert_passphrase() {
	local pass=$1 out
	shift
	out=$(printf '%s\n' "$pass" | "$@" --fnek -) || fail "$* --fnek - failed: $out"
	printf '%s\n' "$out" >&2
	set -- $(sigs_from_output "$out")
	[ $# -eq 2 ] || fail "expected 2 signatures, got: $out"
	printf '%s %s\n' "$1" "$2"
}

# ecryptfs_mount LOWER UPPER SIG FNEK_SIG [MORE_OPTIONS]: the kernel mount
# with AES-128 and filename encryption, without any mount helper (-i).
ecryptfs_mount() {
	local opts="ecryptfs_sig=$3,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
	[ -n "$4" ] && opts="$opts,ecryptfs_fnek_sig=$4"
	[ -n "${5:-}" ] && opts="$opts,$5"
	mount -i -t ecryptfs "$1" "$2" -o "$opts"
}

is_mounted() {
	awk -v m="$1" '$2 == m {found = 1} END {exit !found}' /proc/mounts
}

# has_ecryptfs_marker FILE: bytes 8..15 of an eCryptfs lower file hold m1 and
# m2 = m1 XOR 0x3c81b7f5 (big endian), see doc/ecryptfs-format.md.
has_ecryptfs_marker() {
	local hex m1 m2
	hex=$(od -An -tx1 -j8 -N8 "$1" | tr -d ' \n')
	[ ${#hex} -eq 16 ] || return 1
	m1=$((16#${hex:0:8}))
	m2=$((16#${hex:8:8}))
	[ $((m1 ^ 0x3c81b7f5)) -eq "$m2" ]
}

# tree_sums DIR: sha256 of every file below DIR with its relative path,
# sorted, to compare a tree before and after.
tree_sums() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
}

# random_file PATH SIZE: SIZE bytes of random data.
random_file() {
	head -c "$2" /dev/urandom >"$1"
}

# held_at_syscall NR PID...: true when one of the PIDs is in a ptrace stop
# ('t') at the entry of x86_64 syscall NR, as strace's
# inject=SYSCALL:delay_enter=US holds a process to widen a race window; that
# PID is left in $HELD_PID (check it again after the race with
# held_at_syscall NR "$HELD_PID": no pgrep, which takes seconds in a loaded guest).
held_at_syscall() {
	local nr=$1 pid st
	shift
	for pid in "$@"; do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || continue
		if [ "$st" = t ] && grep -q "^$nr " "/proc/$pid/syscall" 2>/dev/null; then
			HELD_PID=$pid
			return 0
		fi
	done
	return 1
}

# wait_held BG_PID CMD...: run CMD every 0.1 s, up to 60 s, until it is true;
# false when BG_PID (the traced run) ends first or time runs out.
wait_held() {
	local bg=$1
	shift
	for _ in $(seq 1 600); do
		"$@" && return 0
		kill -0 "$bg" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- reboots (boot groups named systemd*) ---------------------------------
# A scenario reboots the guest with vm_reboot; the host boots it again with
# the same /home disk and runs the scenario again from its start, with
# vm_phase one higher. The root file system is a fresh copy-on-write view at
# every boot: /etc (users, PAM profile, sshd) is new, /home is kept. The
# runner re-creates the scenario's users (same uid, password) before it runs.

# vm_phase: how many times this scenario has rebooted the guest (0 at first).
vm_phase() {
	cat "$ECT_VM_RESULT_DIR/phase" 2>/dev/null || echo 0
}

# vm_reboot [--crash]: reboot the guest with `systemctl reboot` (a clean
# shutdown; the host notes how long it took in /ect-results/last-shutdown),
# or with --crash by sysrq 'b': no sync, no unmount, like a power loss (what
# the guest had not written to the disk is lost). The plain guest of a
# *-reboot group has no init to shut down: there a clean reboot is what the
# end of a shutdown does to /home (sync, remount read-only: sysrq 'u'), then
# the reset. Does not return.
vm_reboot() {
	local user db
	[ "${ECT_VM_HOME_DISK:-}" = 1 ] || fail "vm_reboot needs a boot group named systemd* or *-reboot"
	for db in passwd shadow group gshadow; do
		while read -r user; do
			[ -n "$user" ] && getent "$db" "$user"
		done <"$ECT_VM_USERS_FILE" >"$ECT_VM_RESULT_DIR/users.$db" || true
	done
	echo $(($(vm_phase) + 1)) >"$ECT_VM_RESULT_DIR/phase"
	# The time run so far, added to the scenario's time after the last boot.
	echo $(($(cat "$ECT_VM_RESULT_DIR/ms-before-reboot" 2>/dev/null || echo 0) +
		($(date +%s%N) - ECT_VM_T0) / 1000000)) >"$ECT_VM_RESULT_DIR/ms-before-reboot"
	echo "$ECT_VM_ID" >/ect-results/reboot
	sync -f /ect-results/reboot
	log "rebooting the guest ${1:-}"
	if [ "${1:-}" = --crash ]; then
		echo 1 >/proc/sys/kernel/sysrq
		echo b >/proc/sysrq-trigger
	elif [ "${ECT_VM_BOOT_MODE:-}" = systemd ]; then
		systemctl reboot
	else
		sync
		echo 1 >/proc/sys/kernel/sysrq
		echo u >/proc/sysrq-trigger
		# the remount runs in a kernel worker: wait until /home is read-only
		for _ in $(seq 100); do
			awk '$2 == "/home" && $4 ~ /^ro(,|$)/ {f = 1} END {exit !f}' /proc/mounts && break
			sleep 0.1
		done
		echo b >/proc/sysrq-trigger
	fi
	sleep infinity
}

# vm_restore_users: after vm_reboot, the scenario's users as they were
# (called by run-scenario.sh).
vm_restore_users() {
	local db
	[ -f "$ECT_VM_RESULT_DIR/users.passwd" ] || return 0
	for db in group gshadow passwd shadow; do
		if [ -s "$ECT_VM_RESULT_DIR/users.$db" ]; then
			cat "$ECT_VM_RESULT_DIR/users.$db" >>"/etc/$db"
		fi
	done
	cut -d: -f1 "$ECT_VM_RESULT_DIR/users.passwd" >>"$ECT_VM_USERS_FILE"
}
