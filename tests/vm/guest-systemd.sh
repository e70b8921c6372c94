# shellcheck shell=bash
# Sourced by guest-main.sh (not run): the guest booted by the real systemd
# (ECT_VM_BOOT_MODE=systemd, boot groups named "systemd*", issue 12).
#
# guest-main.sh does the usual setup as PID 1 (install, setuid helpers), with
# /home on the virtio disk the host keeps for the boot group (home_on_disk),
# then systemd_exec masks the units that are useless or slow under TCG,
# installs ect-vm-scenarios.service and execs /lib/systemd/systemd as PID 1.
# That unit is ordered after multi-user.target (logind, dbus, the user
# sessions allowed: a booted system ready for logins), runs guest-main.sh
# --run-plan and powers the guest off when it ends, whatever its result.

# Units a booted host would run that the test guest must not wait for:
# the host's own services (postgresql), timers, getty on the console that
# carries the results, udev (no hardware to set up: the disk is mounted
# before systemd starts), time sync, first-boot/update jobs, and tmpfiles
# (minutes over the 9p root under TCG; the units that need a runtime
# directory declare it, and /run/nologin is then never made).
ECT_VM_SYSTEMD_MASK="
postgresql.service e2scrub_reap.service cron.service
getty@tty1.service serial-getty@ttyS0.service console-getty.service
systemd-pstore.service systemd-timesyncd.service systemd-random-seed.service
apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
fstrim.timer man-db.timer logrotate.timer systemd-tmpfiles-clean.timer
systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-hwdb-update.service
systemd-binfmt.service ldconfig.service systemd-firstboot.service
systemd-machine-id-commit.service systemd-journal-catalog-update.service
systemd-update-done.service networking.service ifupdown-wait-online.service
systemd-networkd-wait-online.service
systemd-tmpfiles-setup-dev.service systemd-tmpfiles-setup.service
pcscd.socket systemd-sysusers.service systemd-remount-fs.service
kmod-static-nodes.service systemd-modules-load.service modprobe@configfs.service
modprobe@dm_mod.service modprobe@drm.service modprobe@fuse.service modprobe@loop.service
dev-hugepages.mount sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
sys-fs-fuse-connections.mount
"
# The last lines: the users and modules the guest needs exist before systemd
# starts (the host's /etc/passwd, guest-main.sh's modprobe), the root is the
# initramfs' overlay (nothing to remount), and the kernel's pseudo file
# systems and modules no scenario of the systemd groups uses; each unit is
# one more process start, about a second under TCG on a loaded host.

# Generators systemd runs before it loads the units, each a process start:
# those with nothing to do in the guest (no encrypted or GPT disks, no
# hibernation, no SysV scripts to run: the host's would start its services,
# no debug or rc.local), and the host's postgresql one (a shell script). A
# same-named link to /dev/null in /etc/systemd/system-generators disables one.
ECT_VM_SYSTEMD_NO_GENERATORS="
postgresql-generator systemd-cryptsetup-generator systemd-debug-generator
systemd-getty-generator systemd-gpt-auto-generator systemd-hibernate-resume-generator
systemd-integritysetup-generator systemd-rc-local-generator systemd-run-generator
systemd-system-update-generator systemd-sysv-generator systemd-veritysetup-generator
"

# /home on the boot group's virtio disk (the host's $res/home.img): ext4 with
# a journal, made on the first boot and kept across reboots of the guest.
home_on_disk() {
	local disk=/dev/vda _
	modprobe virtio_blk
	for _ in $(seq 1 100); do
		[ -b "$disk" ] && break
		sleep 0.05
	done
	[ -b "$disk" ] || setup_failed "no /home disk $disk (virtio_blk)"
	if [ "$(blkid -p -s TYPE -o value "$disk" 2>/dev/null)" = ext4 ]; then
		echo "guest: /home is the ext4 on $disk from an earlier boot" >&3
		home_check "$disk"
	else
		mkfs.ext4 -q -F -L ect-home "$disk" >&3 2>&1 || setup_failed "mkfs.ext4 $disk failed"
		echo "guest: /home is a new ext4 on $disk" >&3
	fi
	fresh_mount /home "$disk" || setup_failed "cannot mount $disk on /home"
}

# home_check DISK: what a boot's fsck would do with the /home of an earlier
# boot of this guest (after vm_reboot): replay the journal if the last
# shutdown left it dirty, then a full read-only check. The result, for the
# scenario that rebooted, in /run/ect-vm/home-check: "recovery=yes|no fsck=RC".
home_check() {
	local disk=$1 recovery=no rc=0
	dumpe2fs -h "$disk" 2>/dev/null | grep '^Filesystem features:.*needs_recovery' >/dev/null && recovery=yes
	{
		echo "== $(date) home_check $disk, needs_recovery: $recovery"
		e2fsck -E journal_only -p "$disk"
		e2fsck -fn "$disk" || rc=$?
	} >>/ect-results/home-fsck.log 2>&1
	mkdir -p /run/ect-vm
	echo "recovery=$recovery fsck=$rc" >/run/ect-vm/home-check
	echo "guest: /home check: $(cat /run/ect-vm/home-check)" >&3
}

# sshd_enable: Debian's openssh-server (and sshpass) from the .debs that
# scenarios/pam/fetch-debs.sh unpacked on the host, installed into the guest
# before systemd starts and enabled, so that systemd starts ssh.service at
# boot as on any server (multi-user.target waits for it: Type=notify). The
# scenarios then need no daemon-reload and no start of their own
# (sd_start_sshd in scenarios/systemd/sshd.inc only checks). Without the
# .debs nothing happens here and the ssh scenarios skip.
sshd_enable() {
	local debs=${ECT_PAM_DEBS:-/var/cache/ecryptfs-tools/pam-debs} deb f
	for deb in openssh-server openssh-sftp-server libwrap0 sshpass; do
		set -- "$debs/${deb}"_*.deb
		[ -f "$1" ] || return 0
	done
	for deb in openssh-server openssh-sftp-server libwrap0 sshpass; do
		for f in "$debs/${deb}"_*.deb; do
			# Not dpkg-deb -x: its tar would replace the merged-/usr links.
			dpkg-deb --fsys-tarfile "$f" | tar -x -C / --keep-directory-symlink ||
				setup_failed "cannot unpack $f"
		done
	done
	[ -f /etc/ssh/sshd_config ] || cp /usr/share/openssh/sshd_config /etc/ssh/sshd_config
	# One ed25519 host key: ssh-keygen -A spends minutes on RSA under TCG.
	[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
	echo "HostKey /etc/ssh/ssh_host_ed25519_key" >/etc/ssh/sshd_config.d/ect-vm.conf
	grep '^sshd:' /etc/passwd >/dev/null || useradd -r -d /run/sshd -s /usr/sbin/nologin sshd
	mkdir -p /etc/systemd/system/multi-user.target.wants
	ln -sfn /lib/systemd/system/ssh.service /etc/systemd/system/multi-user.target.wants/ssh.service
	echo "guest: openssh-server installed, ssh.service enabled" >&3
}

systemd_exec() {
	local dir=/etc/systemd/system
	[ -x /lib/systemd/systemd ] || setup_failed "/lib/systemd/systemd missing (apt-get install systemd)"
	# The host may be a container: its marker would make systemd believe the
	# guest is one too (no real shutdown, container-only unit conditions).
	rm -f /.dockerenv /run/.containerenv
	# One process for all the links (a loop of ln took ~30 s at host load 16).
	# shellcheck disable=SC2206 # lists of names
	local -a units=($ECT_VM_SYSTEMD_MASK) gens=($ECT_VM_SYSTEMD_NO_GENERATORS)
	mkdir -p "$dir-generators"
	perl -e 'for (@ARGV) { unlink; symlink("/dev/null", $_) or die "$_: $!\n" }' \
		"${units[@]/#/$dir/}" "${gens[@]/#/$dir-generators/}" || setup_failed "cannot mask the units"
	sshd_enable
	cat >"$dir/ect-vm-scenarios.service" <<EOF
[Unit]
Description=ecryptfs-tools VM scenarios (tests/vm)
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/bash $ECT_SRCDIR/tests/vm/guest-main.sh --run-plan
ExecStopPost=/bin/systemctl --no-block poweroff
StandardInput=null
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
TimeoutStartSec=infinity
EOF
	mkdir -p "$dir/multi-user.target.wants"
	ln -sfn ../ect-vm-scenarios.service "$dir/multi-user.target.wants/ect-vm-scenarios.service"
	stamp "setup done; exec /lib/systemd/systemd"
	echo "ect-vm-status setup done at $(cut -d' ' -f1 /proc/uptime) s; booting systemd"
	exec 3>&-
	trap - EXIT
	cd / || exit 1
	exec env -i TERM=vt220 /lib/systemd/systemd --unit=multi-user.target --log-color=no
}

# First thing the unit does: say when the booted system was ready.
systemd_ready() {
	echo "ect-vm-status systemd: multi-user.target reached at $(cut -d' ' -f1 /proc/uptime) s"
	stamp "systemd: multi-user.target reached; failed units: $(systemctl --no-legend --plain --failed | awk '{printf "%s ", $1}')"
}
