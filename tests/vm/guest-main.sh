#!/bin/bash
# PID 1 of the test guest, started by initramfs-init after switch_root into a
# copy-on-write view of the host's root. Mounts the usual pseudo filesystems,
# installs the project's build the way a distribution would, runs the planned
# scenarios one by one and powers the guest off. Results go to the host
# through the read-write 9p export "results" (mounted on /ect-results) and,
# as one-line markers, to the serial console.
#
# Boot groups booted by systemd (ECT_VM_BOOT_MODE=systemd, see run.sh): after
# the same setup, with /home on the virtio disk the host keeps for the group
# (guest-systemd.sh), the real /lib/systemd/systemd replaces this script as
# PID 1; its unit ect-vm-scenarios.service, ordered after multi-user.target,
# runs this script again with --run-plan: the scenarios, then poweroff.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8 HOME=/root TERM=dumb
here=$(dirname "$0")

poweroff_now() {
	sync
	umount /ect-results 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 30
}

stamp() { echo "guest: $(cut -d' ' -f1 /proc/uptime) s: $*" >&3; }

if [ "${1:-}" = --run-plan ]; then
	# Started by systemd (ect-vm-scenarios.service): run the plan, power off.
	exec </dev/null >/dev/console 2>&1
	# shellcheck source=/dev/null
	. /ect-results/run.env || { echo "ect-vm-setup-failed: no run.env in the results share"; exit 1; }
	exec 3>>/ect-results/setup.log
	# shellcheck source=tests/vm/guest-systemd.sh
	. "$here/guest-systemd.sh"
	systemd_ready
fi

setup_failed() {
	echo "ect-vm-setup-failed: $*"
	echo "ect-vm-setup-failed: $*" >>/ect-results/setup.log 2>/dev/null
	exit 1
}

# Mount a fresh filesystem on DIR (mount arguments follow) but keep the
# project's source and build trees visible when they live below DIR: CI may
# clone the project into /tmp or /home, which the guest covers.
fresh_mount() {
	local dir=$1 t n=0
	shift
	local -a kept=()
	for t in "$ECT_SRCDIR" "$ECT_BUILDDIR"; do
		[ -n "$t" ] || continue
		case "$t/" in "$dir"/*) kept+=("$t") ;; esac
	done
	for t in "${kept[@]}"; do
		mkdir -p "/run/ect-keep/$n" && mount --bind "$t" "/run/ect-keep/$n" || return 1
		n=$((n + 1))
	done
	mount "$@" "$dir" || return 1
	n=0
	for t in "${kept[@]}"; do
		mkdir -p "$t" && mount --bind "/run/ect-keep/$n" "$t" || return 1
		n=$((n + 1))
	done
}

# /home on ext4 like a real machine (eCryptfs lower dirs live there); the
# image sits in guest RAM. tmpfs if ext4 cannot be made.
home_in_ram() {
	truncate -s 2G /run/home.img
	if mkfs.ext4 -q -F -O ^has_journal /run/home.img >&3 2>&1 &&
		fresh_mount /home -o loop /run/home.img; then
		echo "guest: /home is ext4 on a RAM-backed loop device" >&3
	else
		rm -f /run/home.img
		fresh_mount /home -t tmpfs -o mode=0755 tmpfs || setup_failed "cannot mount /home"
		echo "guest: /home is tmpfs (ext4 setup failed)" >&3
	fi
}

# The guest as PID 1: pseudo filesystems, results share, /tmp, /home, the install.
guest_setup() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	exec </dev/null >/dev/console 2>&1
	echo
	mkdir -p /dev/pts /dev/shm
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	mount -t tmpfs -o mode=0755 tmpfs /run
	mkdir -p /run/lock /run/ect-vm
	hostname ect-vm
	ip link set lo up 2>/dev/null

	mkdir -p /ect-results
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 results /ect-results ||
		setup_failed "cannot mount the results share (9p tag results)"
	echo "guest: $(cut -d' ' -f1 /proc/uptime) s: guest-main started" >>/ect-results/setup.log
	# shellcheck source=/dev/null
	. /ect-results/run.env || setup_failed "no run.env in the results share"
	exec 3>>/ect-results/setup.log
	echo "guest: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)" >&3

	fresh_mount /tmp -t tmpfs -o mode=1777 tmpfs || setup_failed "cannot mount /tmp"
	fresh_mount /var/tmp -t tmpfs -o mode=1777 tmpfs || setup_failed "cannot mount /var/tmp"

	# Another kernel's modules (check-fs: ECT_VM_MODULES) where modprobe looks.
	local kmods=/lib/modules/$(uname -r)
	if [ -n "${ECT_VM_MODULES:-}" ] && [ "$ECT_VM_MODULES" != "$kmods" ]; then
		[ -d "$kmods" ] && ! [ -L "$kmods" ] && rm -rf "$kmods"
		ln -sfn "$ECT_VM_MODULES" "$kmods" || setup_failed "cannot link $kmods to $ECT_VM_MODULES"
		echo "guest: $kmods is $ECT_VM_MODULES" >&3
	fi

	stamp "setting up /home"
	modprobe -a loop ext4
	if [ "${ECT_VM_HOME_DISK:-}" = 1 ]; then
		home_on_disk
	else
		home_in_ram
	fi

	stamp "/home ready"
	# check-fs's fuse target may run on a kernel without eCryptfs.
	if ! modprobe ecryptfs; then
		[ "${ECT_VM_ECRYPTFS:-}" = optional ] || setup_failed "modprobe ecryptfs failed"
		echo "guest: this kernel has no eCryptfs (ECT_VM_ECRYPTFS=optional)" >&3
	fi
	# Ciphers an eCryptfs mount asks for; loading them now saves autoload time.
	modprobe -a ecb cbc aes_generic sha256_generic md5 2>/dev/null
	echo "guest: ecryptfs $(cat /sys/fs/ecryptfs/version 2>/dev/null) loaded" >&3

	# The guest's dpkg database and /etc are the host's: ecryptfs-utils or this
	# project's packages installed on the host would leave their PAM profile in
	# common-* and dpkg records that hide the build. Purge them in the guest only
	# (before the install, whose files share their paths), so every scenario
	# starts from the same system whatever the host has installed.
	host_pkgs=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' ecryptfs-utils libecryptfs1 \
		ecryptfs-tools libecryptfs-tools0 libecryptfs-tools-dev 2>/dev/null | awk '$1 != "not-installed" {print $2}')
	if [ -n "$host_pkgs" ]; then
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive dpkg --purge --force-depends --no-triggers $host_pkgs >&3 2>&1 ||
			setup_failed "cannot purge the host's packages $host_pkgs in the guest"
		echo "guest: purged the host's $(echo $host_pkgs) in the guest" >&3
	fi

	t0=$(date +%s)
	case ${ECT_VM_INSTALL:-stage} in
	stage)
		# Unpack the host-staged `make install DESTDIR=...` as root-owned files,
		# the way dpkg unpacks a package; existing directories keep their modes.
		(cd "$ECT_VM_STAGE" && find . -mindepth 1 -type d -printf '%m %P\n') |
			while read -r mode d; do
				[ -e "/$d" ] || install -d -m "$mode" "/$d"
			done
		(cd "$ECT_VM_STAGE" && find . ! -type d -print0 |
			tar --null -T - --owner=0 --group=0 -cf -) | tar -C / -xpf - ||
			setup_failed "cannot unpack the staged install $ECT_VM_STAGE"
		(cd "$ECT_VM_STAGE" && find . ! -type d -printf '/%P\n') >/ect-results/installed-files
		;;
	guest)
		echo "ect-vm-status installing the build"
		# shellcheck disable=SC2086
		(cd "$ECT_BUILDDIR" && make install $ECT_VM_INSTALL_ARGS) \
			>/ect-results/install.log 2>&1 ||
			setup_failed "make install in $ECT_BUILDDIR failed (see install.log)"
		;;
	esac
	if [ "${ECT_VM_INSTALL:-stage}" != 0 ]; then
		for helper in mount.ecryptfs mount.ecryptfs_private; do
			f=$ECT_VM_ROOTSBINDIR/$helper
			if [ -f "$f" ] && [ ! -L "$f" ]; then
				chown root:root "$f" && chmod 4755 "$f"
				echo "guest: $f is setuid root" >&3
			fi
		done
	fi
	stamp "install took $(($(date +%s) - t0)) s"

	# Root's own user keyring is shared by all scenarios: empty it between them.
	keyctl clear @u >/dev/null 2>&1
	dmesg -c >>/ect-results/dmesg.log
}

passed=0 failed=0 skipped=0
run_scenario() {
	local id=$1 limit=$2
	local script=$ECT_SRCDIR/tests/vm/scenarios/$id.sh
	local res=/ect-results/scenarios/$id
	local work=/home/ect-vm/$id
	local start end rc status
	local append=
	mkdir -p "$res" "$work"
	chmod 0755 /home/ect-vm "$work"
	: >"/run/ect-vm/users"
	# Run again after a reboot it asked for (vm_reboot): keep its logs.
	[ -f "$res/phase" ] && append=1
	echo "ect-vm-start $id${append:+ (after reboot $(cat "$res/phase"))}"
	start=$(date +%s%N)
	(
		cd "$work" || exit 1
		export ECT_VM_ID=$id ECT_VM_WORK=$work ECT_VM_RESULT_DIR=$res ECT_VM_T0=$start
		export ECT_VM_SCRIPT=$script
		if [ -n "$append" ]; then
			exec 9>>"$res/trace.log" >>"$res/output.log" 2>&1
		else
			exec 9>"$res/trace.log" >"$res/output.log" 2>&1
		fi
		exec timeout -k 10 "$limit" keyctl session - \
			bash "$ECT_SRCDIR/tests/vm/run-scenario.sh"
	) </dev/null
	rc=$?
	end=$(date +%s%N)
	# It is rebooting the guest: no result yet, nothing more to run here.
	if [ -f /ect-results/reboot ]; then
		sleep infinity
	fi
	# Its time is that of every boot it ran in (not the reboots themselves).
	if [ -f "$res/ms-before-reboot" ]; then
		start=$((start - $(cat "$res/ms-before-reboot") * 1000000))
	fi
	if [ $rc -eq 0 ] && [ ! -f "$res/completed" ]; then
		echo "ect-vm: the scenario exited 0 before its end (use return, not exit 0)" >>"$res/output.log"
		rc=1
	fi
	case $rc in
	0) status=PASS passed=$((passed + 1)) ;;
	77) status=SKIP skipped=$((skipped + 1)) ;;
	124 | 137) status=FAIL failed=$((failed + 1))
		echo "ect-vm: scenario killed after its time limit of ${limit}s" >>"$res/output.log" ;;
	*) status=FAIL failed=$((failed + 1)) ;;
	esac
	# Leave nothing behind for the next scenario: its users' processes,
	# eCryptfs mounts, root's keys.
	while read -r user; do
		[ -n "$user" ] && pkill -KILL -u "$user" 2>/dev/null
	done <"/run/ect-vm/users"
	awk '$3 == "ecryptfs" {print $2}' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	keyctl clear @u >/dev/null 2>&1
	dmesg -c | tee -a /ect-results/dmesg.log >"$res/dmesg.log"
	echo "$status $rc $(((end - start) / 1000000))" >"$res/status"
	sync
	echo "ect-vm-result $id $status $(((end - start) / 1000000))ms"
}

run_plan() {
	while read -r id limit; do
		# After a reboot: what ran in an earlier boot has its status.
		[ -n "$id" ] && [ ! -f "/ect-results/scenarios/$id/status" ] &&
			run_scenario "$id" "$limit"
	done </ect-results/plan
	echo "ect-vm-done $passed passed, $failed failed, $skipped skipped"
}

if [ "${1:-}" = --run-plan ]; then
	run_plan
	exit 0 # the unit's ExecStopPost powers off
fi
trap poweroff_now EXIT
# shellcheck source=tests/vm/guest-systemd.sh
. "$here/guest-systemd.sh"
guest_setup
# Hands PID 1 to systemd (does not return).
[ "${ECT_VM_BOOT_MODE:-}" = systemd ] && systemd_exec
run_plan
