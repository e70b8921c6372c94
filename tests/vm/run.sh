#!/bin/bash
# Host side of the real-kernel test bed: picks the scenarios, builds the
# initramfs, boots Debian's kernel under QEMU (one boot per boot group) and
# reports each scenario. The guest sees the host's root copy-on-write, so the
# build tree, pamtester and the peer tools are there at their host paths.
#
# Environment (all optional):
#   VM_SCENARIOS   space separated: ids (kernel/01-add-passphrase), areas
#                  (kernel) or globs (kernel/0*); default every scenario
#   ECT_VM_KVM=1   use KVM (-cpu host) instead of TCG software emulation
#   ECT_VM_MEM     guest memory in MB (default 1536)
#   ECT_VM_SMP     guest CPUs (default: the host's CPUs shared out among the
#                  guests running at once, 1 or 2)
#   ECT_VM_JOBS    guests booted at the same time (default: host CPUs, at
#                  most 4, fewer if memory is short)
#   ECT_VM_KERNEL  kernel image (default: newest /boot/vmlinuz-*)
#   ECT_VM_MODULES its modules folder (lib/modules/VERSION; default
#                  /lib/modules/VERSION from the image's name); the guest
#                  sees it as /lib/modules/VERSION (make check-fs)
#   ECT_VM_TIMEOUT default per-scenario time limit in seconds (default 180)
#   ECT_VM_LOAD=0    leave out load/01 and 02 (50 concurrent logins each, ~2.5 min on a quiet host)
#   ECT_VM_REBOOT=1  run the scenarios that reboot or power off a guest
#                  (systemd/05, 06, fuse/06: "# ect-vm: optin=ECT_VM_REBOOT")
#   ECT_VM_SETUP_KILLS=1  run home/60 (setup-private -b killed at 12 points)
#   ECT_VM_BENCH=1 run the benchmarks (bench/01: bench/fuse-vm.sh sets it;
#                  ECT_BENCH_FUSE_ARGS, ECT_FUSE_BEFORE reach the guest)
#   ECT_LOAD_SEED  the load scenarios' random seed (replays a logged interleaving)
#   ECT_VM_PEER    unpacked ecryptfs-utils 111 (default: the fetch script's)
#   ECT_VM_INSTALL stage (default): `make install DESTDIR=` on the host with
#                  the system read-only, copied into the guest's root;
#                  guest: `make install` inside the guest; 0: no install
#   top_srcdir, top_builddir  (set by make) the source and build trees
# Prints one "PASS|FAIL|SKIP: id (time)" line per scenario and ends with
# "check-vm: N passed, N failed, N skipped ...". Exit 0, 1 on failure, 77
# when the test bed cannot run here.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/../..}" && pwd)
builddir=$(cd "${top_builddir:-$srcdir}" && pwd)
t_start=$(date +%s)

say() { printf '%s\n' "$*"; }
cannot_run() {
	say "check-vm: cannot run here: $*"
	say "check-vm: 0 passed, 0 failed, 0 skipped (test bed unavailable)"
	exit 77
}

# ---- prerequisites ----------------------------------------------------------
qemu=${QEMU:-$(command -v qemu-system-x86_64 || true)}
[ -x "$qemu" ] || cannot_run "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
kernel=${ECT_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1)}
[ -r "$kernel" ] || cannot_run "no readable kernel in /boot (apt-get install linux-image-amd64)"
if [ -n "${ECT_VM_MODULES:-}" ]; then
	moddir=$(cd "$ECT_VM_MODULES" 2>/dev/null && pwd) || cannot_run "ECT_VM_MODULES=$ECT_VM_MODULES is not a folder"
	kver=${moddir##*/}
else
	kver=${kernel##*/vmlinuz-}
	moddir=/lib/modules/$kver
fi
[ -d "$moddir" ] || cannot_run "$moddir missing for $kernel"
[ -f "$builddir/Makefile" ] || cannot_run "$builddir is not a configured build tree"

# ---- scenarios ----------------------------------------------------------------
# header_value FILE KEY: value of KEY in a "# ect-vm: key=value ..." line.
header_value() {
	sed -n 's/^# ect-vm:\(.*\)$/\1/p' "$1" | tr ' \t' '\n\n' |
		sed -n "s/^$2=//p" | head -n1
}

selected() {
	local id=$1 pat
	[ -z "${VM_SCENARIOS:-}" ] && return 0
	for pat in $VM_SCENARIOS; do
		pat=${pat%.sh}
		pat=${pat#tests/vm/scenarios/}
		# shellcheck disable=SC2053
		[[ $id == "$pat" || $id == "$pat"/* || $id == "$pat"-* || $id == $pat ]] && return 0
	done
	return 1
}

# A scenario's boot group: its own "boot=" header, else its area's default
# (scenarios/<area>/defaults holds a "# ect-vm: boot=NAME" line), else main.
area_boot() {
	local f=$here/scenarios/$1/defaults
	[ -f "$f" ] && header_value "$f" boot
}

ids=() groups=() limits=() optout=()
while IFS= read -r f; do
	id=${f#"$here/scenarios/"}
	id=${id%.sh}
	selected "$id" || continue
	# "# ect-vm: optin=VAR": run only with VAR=1 in the environment (not yet
	# proven stable, or too slow for every run); named in the summary.
	optin=$(header_value "$f" optin)
	if [ -n "$optin" ] && [ "${!optin:-0}" != 1 ]; then
		optout+=("$id ($optin=1)")
		continue
	fi
	ids+=("$id")
	g=$(header_value "$f" boot)
	[ -n "$g" ] || g=$(area_boot "${id%%/*}")
	groups+=("${g:-main}")
	l=$(header_value "$f" timeout)
	limits+=("${l:-${ECT_VM_TIMEOUT:-180}}")
done < <(find "$here/scenarios" -mindepth 2 -maxdepth 2 -name '[0-9][0-9]-*.sh' 2>/dev/null | LC_ALL=C sort)
[ ${#optout[@]} -eq 0 ] || say "check-vm: opt-in, not run: ${optout[*]}"
[ ${#ids[@]} -gt 0 ] || {
	say "check-vm: no scenario matches VM_SCENARIOS='${VM_SCENARIOS:-}'"
	say "check-vm: 0 passed, 1 failed, 0 skipped"
	exit 1
}

# ---- run folder, initramfs, peer ----------------------------------------------
out=$builddir/tests/vm/out
mkdir -p "$out"
run=$out/run-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$run"
ln -sfn "${run##*/}" "$out/latest"
# Keep the last few run folders.
ls -1dt "$out"/run-* 2>/dev/null | tail -n +6 | while read -r old; do rm -rf "$old"; done

stamp=$(cat "$here/initramfs-init" "$here/mkinitramfs.sh" | md5sum | cut -c1-12)
initrd=$out/initramfs-$kver-$stamp.cpio
if [ ! -s "$initrd" ]; then
	rm -f "$out"/initramfs-*.cpio
	bash "$here/mkinitramfs.sh" "$kver" "$initrd" "$moddir" || cannot_run "initramfs build failed"
fi

peer=${ECT_VM_PEER:-/var/cache/ecryptfs-tools/ecryptfs-utils-111}
if [ ! -x "$peer/usr/bin/ecryptfs-add-passphrase" ] && [ -z "${ECT_VM_PEER:-}" ]; then
	bash "$srcdir/scripts/fetch-ecryptfs-utils" "$peer" >/dev/null 2>&1 ||
		say "check-vm: note: Debian's ecryptfs-utils not available; peer scenarios will skip"
fi
peer_debs=$(dirname "$peer")/debs

# The deb scenarios install this tree's Debian packages: built on the host
# once per tree content (scripts/build-debs keeps them), seen by the guest
# through the host root.
project_debs=
for id in "${ids[@]}"; do
	case $id in deb/*) ;; *) continue ;; esac
	say "check-vm: building the Debian packages (scripts/build-debs)"
	project_debs=$(bash "$srcdir/scripts/build-debs") ||
		say "check-vm: note: the Debian packages did not build; the deb scenarios will skip"
	break
done

# The guest installs the build with the layout of a Debian package, whatever
# prefix this tree was configured with.
pamdir=/lib/x86_64-linux-gnu/security
rootsbindir=/sbin
install_args="prefix=/usr sysconfdir=/etc localstatedir=/var pamdir=$pamdir rootsbindir=$rootsbindir"
config=$("$builddir/config.status" --config 2>/dev/null || true)
for want in "--prefix=/usr" "--sysconfdir=/etc" "--with-rootsbindir=/sbin"; do
	case $config in
	*"'$want'"* | *" $want"* | "$want "* | "$want") ;;
	*) case $want in
		--with-rootsbindir=/sbin) ;; # configure's default
		*) say "check-vm: note: build tree not configured with $want; paths compiled into the programs may differ from the installed layout" ;;
		esac ;;
	esac
done

# Stage the install on the host (native speed) in a mount namespace where the
# system directories are read-only, so an install rule that ignores DESTDIR
# fails instead of touching this machine; the guest copies the staged tree
# into its root. ECT_VM_INSTALL=guest runs `make install` inside the guest.
install_mode=${ECT_VM_INSTALL:-stage}
stage=
if [ "$install_mode" = stage ]; then
	stage=$run/stage
	protect='for d in /usr /etc /var /opt /boot /root /bin /sbin /lib /lib64; do
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		case "$B/" in "$d"/*) continue ;; esac
		mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || exit 1
	done; exec "$@"'
	wrap=(unshare --mount --propagation private sh -c "$protect" sh)
	# Only root could write to the system directories in the first place.
	[ "$(id -u)" -eq 0 ] || wrap=()
	# shellcheck disable=SC2086
	if B=$builddir "${wrap[@]}" \
		make -C "$builddir" install DESTDIR="$stage" $install_args >"$run/install.log" 2>&1; then
		say "check-vm: staged make install DESTDIR=$stage $install_args"
	else
		say "check-vm: make install DESTDIR=$stage failed:"
		tail -n 30 "$run/install.log"
		say "check-vm: 0 passed, 1 failed, 0 skipped (install failed)"
		exit 1
	fi
fi

# ---- boot -------------------------------------------------------------------------
if [ "${ECT_VM_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg -cpu max)
fi
mem=${ECT_VM_MEM:-1536}

boot_group() {
	local group=$1 total=240 i res mode=harness
	local -a disk=()
	res=$run/$group
	mkdir -p "$res"
	# Groups named systemd* boot the real systemd (guest-systemd.sh), with
	# /home on a disk image of their own that survives a reboot of the guest;
	# groups named *-reboot boot the plain guest with such a disk (vm_reboot).
	case $group in
	systemd*) mode=systemd total=$((total + 180)) ;;
	esac
	case $group in
	systemd* | *-reboot)
		truncate -s 2G "$res/home.img"
		disk=(-drive "file=$res/home.img,if=virtio,format=raw")
		;;
	esac
	: >"$res/plan"
	for i in "${!ids[@]}"; do
		[ "${groups[$i]}" = "$group" ] || continue
		printf '%s %s\n' "${ids[$i]}" "${limits[$i]}" >>"$res/plan"
		total=$((total + limits[i] + 15))
	done
	{
		printf 'export ECT_SRCDIR=%q\n' "$srcdir"
		printf 'export ECT_BUILDDIR=%q\n' "$builddir"
		printf 'export ECT_PEER=%q\n' "$([ -d "$peer" ] && echo "$peer")"
		printf 'export ECT_PEER_DEBS=%q\n' "$peer_debs"
		printf 'export ECT_VM_DEBS=%q\n' "$project_debs"
		printf 'export ECT_VM_PAMDIR=%q\n' "$pamdir"
		printf 'export ECT_VM_ROOTSBINDIR=%q\n' "$rootsbindir"
		printf 'export ECT_VM_INSTALL=%q\n' "$install_mode"
		printf 'export ECT_VM_STAGE=%q\n' "$stage"
		printf 'export ECT_VM_INSTALL_ARGS=%q\n' "$install_args"
		printf 'export ECT_VM_BOOT=%q\n' "$group"
		printf 'export ECT_VM_BOOT_MODE=%q\n' "$mode"
		printf 'export ECT_VM_HOME_DISK=%q\n' "$([ "${#disk[@]}" -gt 0 ] && echo 1)"
		printf 'export ECT_VM_LOAD=%q\n' "${ECT_VM_LOAD:-1}"
		printf 'export ECT_LOAD_SEED=%q\n' "${ECT_LOAD_SEED:-}"
		printf 'export ECT_MIGRATE_KILLS=%q\n' "${ECT_MIGRATE_KILLS:-}"
		printf 'export ECT_VM_MODULES=%q\n' "$moddir"
		printf 'export ECT_VM_ECRYPTFS=%q\n' "${ECT_VM_ECRYPTFS:-}"
		printf 'export ECT_CHECKFS_TARGET=%q\n' "${ECT_CHECKFS_TARGET:-kernel}"
		printf 'export ECT_CHECKFS_LOWER=%q\n' "${ECT_CHECKFS_LOWER:-}"
		printf 'export ECT_CHECKFS_CASES=%q\n' "${ECT_CHECKFS_CASES:-}"
		printf 'export ECT_REGRESS_SECONDS=%q\n' "${ECT_REGRESS_SECONDS:-}"
		printf 'export ECT_BENCH_FUSE_ARGS=%q\n' "${ECT_BENCH_FUSE_ARGS:-}"
		printf 'export ECT_FUSE_BEFORE=%q\n' "${ECT_FUSE_BEFORE:-}"
	} >"$res/run.env"
	say "check-vm: boot '$group': $(wc -l <"$res/plan") scenario(s), kernel $kver, ${accel[*]}, $mode"
	# A scenario may reboot a guest with a /home disk (vm_reboot in lib.sh): it
	# leaves $res/reboot and QEMU exits (-no-reboot); boot the same disk again
	# and the plan goes on where it stopped. At most 8 boots per group.
	local nboot=1 t_req
	rm -f "$res/reboot"
	while :; do
		qemu_boot "$group" "$res" "$total" "${disk[@]}"
		[ "${#disk[@]}" -gt 0 ] && [ -f "$res/reboot" ] && [ "$nboot" -lt 8 ] || break
		t_req=$(stat -c %Y "$res/reboot")
		echo "$(($(date +%s) - t_req))" >"$res/last-shutdown"
		say "check-vm: boot '$group': $(cat "$res/reboot") rebooted the guest (shut down in $(cat "$res/last-shutdown") s); booting again"
		rm -f "$res/reboot"
		nboot=$((nboot + 1))
	done
	say "check-vm: boot '$group' finished after $(($(date +%s) - t_start)) s"
	rm -f "$res/home.img"
}

# qemu_boot GROUP RESULTS TIMEOUT [DISK ARGS...]: one boot of the guest;
# the console is appended to RESULTS/console.log.
qemu_boot() {
	local group=$1 res=$2 total=$3
	shift 3
	local -a disk=("$@")
	timeout -k 10 "$total" "$qemu" "${accel[@]}" -m "$mem" -smp "$smp" \
		-nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" "${disk[@]}" \
		-append "console=ttyS0 panic=-1 loglevel=4 no_timer_check ect.main=$here/guest-main.sh" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$res,mount_tag=results,security_model=none,multidevs=remap" \
		</dev/null 2>&1 | sed -u 's/\r$//' | tee -a "$res/console.log" |
		grep --line-buffered -E '^ect-vm-(start|status|setup-failed|done)' |
		sed -u "s/^ect-vm-/  vm $group: /"
}

# Unique groups, the costliest first (sum of time limits as the estimate), so
# that the small boots fill in behind the long ones.
boots=()
for g in "${groups[@]}"; do
	case " ${boots[*]} " in *" $g "*) ;; *) boots+=("$g") ;; esac
done
boot_cost() {
	local i sum=0
	for i in "${!ids[@]}"; do
		[ "${groups[$i]}" = "$1" ] && sum=$((sum + limits[i]))
	done
	echo "$sum"
}
mapfile -t boots < <(for g in "${boots[@]}"; do printf '%s %s\n' "$(boot_cost "$g")" "$g"; done |
	sort -k1,1nr -k2,2 | cut -d' ' -f2)

# Boots run side by side: TCG runs one guest mostly on one host core (the
# scenarios are sequential shell), so two guests on two cores nearly halve
# the wall time. Each guest takes ECT_VM_MEM of RAM.
ncpu=$(nproc 2>/dev/null || echo 1)
jobs=${ECT_VM_JOBS:-}
if [ -z "$jobs" ]; then
	jobs=$ncpu
	avail_mb=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null)
	by_mem=$(( ${avail_mb:-0} / (mem + 512) ))
	[ "$by_mem" -lt "$jobs" ] && jobs=$by_mem
	[ "$jobs" -gt 4 ] && jobs=4
	[ "$jobs" -lt 1 ] && jobs=1
fi
# Guest CPUs: the host cores shared out among the guests running at once.
# Two vCPU threads of one guest taking turns on one host core run the guest
# at about half speed (a vCPU waits on the other, descheduled, in IPIs and
# spinlocks), so never give guests more vCPUs than they have cores.
at_once=$jobs
[ "${#boots[@]}" -lt "$at_once" ] && at_once=${#boots[@]}
smp=${ECT_VM_SMP:-$(( ncpu / at_once > 2 ? 2 : (ncpu / at_once < 1 ? 1 : ncpu / at_once) ))}
say "check-vm: ${#boots[@]} boot(s) (${boots[*]}), up to $jobs at a time, $smp CPU(s) each"
running=0
for g in "${boots[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	boot_group "$g" &
	running=$((running + 1))
done
wait

# ---- report -------------------------------------------------------------------------
passed=0 failed=0 skipped=0
show_tail() {
	local title=$1 file=$2 n=$3
	[ -s "$file" ] || return 0
	say "---- $title (last $n lines of $file)"
	tail -n "$n" "$file"
}
for i in "${!ids[@]}"; do
	id=${ids[$i]}
	res=$run/${groups[$i]}
	sres=$res/scenarios/$id
	if [ -f "$sres/status" ]; then
		read -r status rc ms <"$sres/status"
	else
		status=FAIL rc=none ms=0
	fi
	case $status in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	extra=
	[ "$status" = SKIP ] && extra=" - $(grep -m1 '^SKIP:' "$sres/output.log" 2>/dev/null | cut -c7-)"
	say "$status: $id ($((ms / 1000)).$(printf '%03d' $((ms % 1000))) s)$extra"
	[ "$status" = FAIL ] || continue
	say "==== $id failed (exit status $rc)"
	if [ ! -f "$sres/status" ]; then
		say "no result: the guest did not finish this scenario (hang, crash or setup failure)"
		show_tail "guest setup" "$res/setup.log" 20
		show_tail "make install" "$res/install.log" 20
		show_tail "serial console" "$res/console.log" 40
	fi
	show_tail "scenario output" "$sres/output.log" 80
	show_tail "shell trace" "$sres/trace.log" 25
	show_tail "guest dmesg" "$sres/dmesg.log" 30
	say "---- rerun just this scenario: make check-vm VM_SCENARIOS=$id"
done
wall=$(($(date +%s) - t_start))
say "check-vm: results in $run"
say "check-vm: $passed passed, $failed failed, $skipped skipped in $wall s (${#boots[@]} boot(s))"
[ "$failed" -eq 0 ]
