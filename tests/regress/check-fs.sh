#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check-fs: the regression suite (tests/regress) in the QEMU test bed
# (tests/vm), once per lower file system, against any kernel image.
#
#   check-fs.sh [--fs kernel|fuse] [--kernel BZIMAGE --modules DIR]
#               [--lower 'ext4 xfs btrfs tmpfs'] [--cases 'NAME ...']
#
# --fs kernel (default) mounts with the kernel's eCryptfs module; --fs fuse
# mounts with ecryptfs-fuse in the same guest, the module removed first.
# --kernel boots that image instead of Debian's newest /boot/vmlinuz-*;
# --modules is its modules folder: DIR of `make modules_install
# INSTALL_MOD_PATH=DIR`, or DIR/lib/modules/VERSION (modules.dep is made
# with depmod when missing). Each lower file system is new: ext4, xfs and
# btrfs on a loop image in guest RAM, tmpfs a mount of its own.
#
# Output: TAP, one line per case per lower file system ("ok 7 - xfs/llseek"),
# a line "check-fs FS: P passed, F failed, S skipped" per lower file system
# and "check-fs: total ..." at the end. Exit status: 0 every case passed,
# skipped or is a known failure (rg_known in cases.sh); 1 a case failed or
# a lower file system could not be set up; 2 check-fs could not start (bad
# arguments, no such kernel or modules, no test bed, the guest has no
# eCryptfs for --fs kernel). See tests/regress/README.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/../..}" && pwd)
builddir=$(cd "${top_builddir:-$srcdir}" && pwd)

die() { printf 'check-fs: %s\n' "$*" >&2; exit 2; }
usage() {
	echo "check-fs: usage: check-fs.sh [--fs kernel|fuse] [--kernel BZIMAGE --modules DIR] [--lower 'ext4 xfs btrfs tmpfs'] [--cases 'NAME ...']" >&2
	exit 2
}

target=kernel kernel= modules= lowers= cases=
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--fs) target=$2 ;;
	--kernel) kernel=$2 ;;
	--modules) modules=$2 ;;
	--lower) lowers=$2 ;;
	--cases) cases=$2 ;;
	*) usage ;;
	esac
	shift 2
done
# Empty means the default (make passes every variable, set or not).
target=${target:-kernel}
lowers=${lowers:-ext4 xfs btrfs tmpfs}
case $target in kernel | fuse) ;; *) die "FS must be kernel or fuse, not '$target'" ;; esac
for fs in $lowers; do
	case $fs in ext4 | xfs | btrfs | tmpfs) ;; *) die "LOWER: '$fs' is not one of ext4 xfs btrfs tmpfs" ;; esac
done
for c in $cases; do
	grep -E "(^|[\" ])$c([\" ]|\$)" "$here/cases.sh" >/dev/null || die "CASES: no case '$c' in cases.sh"
done

# image_version BZIMAGE: the release string in a bzImage's header (empty if
# the image has none that file(1) can read).
image_version() {
	file -bL "$1" 2>/dev/null | sed -n 's/.*, version \([^ ]*\) .*/\1/p'
}

# The kernel image and its modules folder (lib/modules/VERSION).
moddir=
if [ -n "$modules" ]; then
	[ -n "$kernel" ] || die "MODULES=$modules needs KERNEL= too"
	[ -d "$modules" ] || die "MODULES=$modules is not a folder"
	modules=$(cd "$modules" && pwd)
	if [ -f "$modules/modules.order" ] || [ -d "$modules/kernel" ]; then
		moddir=$modules
	else
		found=()
		for d in "$modules"/lib/modules/*/ "$modules"/usr/lib/modules/*/; do
			[ -d "$d" ] && found+=("${d%/}")
		done
		[ ${#found[@]} -eq 1 ] ||
			die "MODULES=$modules: expected one lib/modules/VERSION in it (make modules_install INSTALL_MOD_PATH=DIR), found ${#found[@]}"
		moddir=${found[0]}
	fi
fi
if [ -n "$kernel" ]; then
	[ -f "$kernel" ] && [ -r "$kernel" ] || die "KERNEL=$kernel: no such readable file"
	kernel=$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")
	ver=$(image_version "$kernel")
	case $(file -bL "$kernel") in
	*"Linux kernel"*) ;;
	*) die "KERNEL=$kernel is not a Linux kernel image (file says: $(file -bL "$kernel"))" ;;
	esac
	if [ -z "$moddir" ]; then
		[ -n "$ver" ] && [ -d "/lib/modules/$ver" ] ||
			die "KERNEL=$kernel needs MODULES=DIR (no /lib/modules/${ver:-VERSION} here)"
		moddir=/lib/modules/$ver
	fi
	[ -z "$ver" ] || [ "$ver" = "${moddir##*/}" ] ||
		die "KERNEL is version $ver but MODULES holds ${moddir##*/}"
fi
if [ -n "$moddir" ] && [ ! -f "$moddir/modules.dep" ]; then
	# A kernel package unpacked with dpkg-deb -x has none (its postinst
	# runs depmod); make it beside the modules, through a link tree.
	[ -w "$moddir" ] || die "$moddir has no modules.dep and is not writable: run depmod -b on it"
	base=$(mktemp -d) || die "mktemp failed"
	mkdir -p "$base/lib/modules" && ln -s "$moddir" "$base/lib/modules/${moddir##*/}" &&
		depmod -b "$base" "${moddir##*/}" || { rm -rf "$base"; die "depmod on $moddir failed"; }
	rm -rf "$base"
fi

[ "$(id -u)" = 0 ] || die "run as root (the test bed's guest install and loop devices)"
[ -x "$builddir/tests/regress/regress-tool" ] || die "$builddir/tests/regress/regress-tool is not built (make first)"

# ---- the guest -----------------------------------------------------------------
t0=$(date +%s)
log=$(mktemp) || die "mktemp failed"
trap 'rm -f "$log"' EXIT
shown=${kernel:-the newest /boot/vmlinuz-*}
echo "check-fs: target $target, lower ${lowers// /, }, kernel $shown${moddir:+ (modules $moddir)}"
rc=0
env VM_SCENARIOS=fuse/08-check-fs ECT_VM_CHECK_FS=1 ECT_VM_JOBS=1 \
	ECT_VM_MEM="${ECT_VM_MEM:-2048}" \
	ECT_VM_KERNEL="${kernel:-${ECT_VM_KERNEL:-}}" ECT_VM_MODULES="$moddir" \
	ECT_VM_ECRYPTFS="$([ "$target" = fuse ] && echo optional)" \
	ECT_CHECKFS_TARGET="$target" ECT_CHECKFS_LOWER="$lowers" ECT_CHECKFS_CASES="$cases" \
	top_srcdir="$srcdir" top_builddir="$builddir" \
	bash "$srcdir/tests/vm/run.sh" 2>&1 | tee "$log" | grep --line-buffered -E '^(  vm |check-vm: (boot|cannot))'
rc=${PIPESTATUS[0]}
[ "$rc" = 77 ] && die "the test bed cannot run here: $(grep -m1 'cannot run here' "$log")"
run=$(sed -n 's/^check-vm: results in //p' "$log" | tail -n1)
res=$run/checkfs/scenarios/fuse/08-check-fs
[ -n "$run" ] && [ -d "$res" ] || {
	tail -n 40 "$log"
	die "no result folder from the test bed (see above)"
}
if grep '^SKIP: fuse/08-check-fs' "$log" >/dev/null; then
	die "could not start in the guest: $(grep -m1 '^SKIP:' "$res/output.log" | cut -c7-)"
fi

# ---- the report: one TAP stream over every lower file system -------------------
n=0 t_pass=0 t_fail=0 t_skip=0 t_known=0 bad=
for fs in $lowers; do
	tap=$res/check-fs-$fs.tap
	frc=$(cat "$res/check-fs-$fs.rc" 2>/dev/null || echo "no result (the guest stopped; see $run/checkfs/console.log)")
	p=0 f=0 s=0 k=0
	case $frc in
	0 | 1)
		while IFS= read -r line; do
			case $line in
			"ok "* | "not ok "*)
				n=$((n + 1))
				state=${line%% [0-9]*}
				rest=${line#"$state "}
				rest=${rest#* - }
				echo "$state $n - $fs/$rest"
				case $line in
				*"# SKIP"*) s=$((s + 1)) ;;
				*"# TODO"*) k=$((k + 1)) ;;
				ok*) p=$((p + 1)) ;;
				*) f=$((f + 1)) ;;
				esac ;;
			"#"*) echo "# $fs: ${line#\# }" ;;
			esac
		done <"$tap"
		;;
	*)
		n=$((n + 1))
		echo "not ok $n - $fs # lower file system not set up or suite did not run: $frc"
		[ -f "$tap" ] && sed "s/^/# $fs: /" "$tap" | tail -n 20
		f=$((f + 1))
		;;
	esac
	[ "$frc" = 0 ] && [ $f -eq 0 ] || bad="$bad $fs"
	echo "check-fs $fs: $p passed, $f failed, $s skipped, $k known"
	t_pass=$((t_pass + p)) t_fail=$((t_fail + f)) t_skip=$((t_skip + s)) t_known=$((t_known + k))
done
echo "1..$n"
echo "check-fs: total $t_pass passed, $t_fail failed, $t_skip skipped, $t_known known on ${lowers// /, } ($target, kernel $(sed -n 's/^guest: kernel \([^,]*\),.*/\1/p' "$run/checkfs/setup.log" | head -n1)) in $(($(date +%s) - t0)) s"
echo "check-fs: results in $res"
if [ -n "$bad" ]; then
	echo "check-fs: failed on:$bad"
	exit 1
fi
[ "$rc" = 0 ] || { echo "check-fs: the test bed exited $rc"; tail -n 30 "$log"; exit 1; }
exit 0
