#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The eCryptfs regression suite (issue #15): every test class of
# ecryptfs-utils' tests/kernel, written anew, run against the kernel
# module or ecryptfs-fuse on a fresh lower directory per case.
#
#   tests/regress/run.sh [--target kernel|fuse] [--options OPTS]
#                        [--cases 'NAME ...'] [--seconds N] [--seed N] WORKDIR
#
# Run as root. WORKDIR holds each case's lower and upper directories (its
# file system is the lower one, except for the cases that need a tiny one:
# they mount their own tmpfs and remove it again). Output is TAP, one line
# per case, then "regress: N passed, N failed, N skipped". Exit status:
# 0 no case failed (known failures of the target, listed in cases.sh with
# their reason, are reported as TODO and do not count), 1 a case failed,
# 2 the suite could not start (not root, no eCryptfs, no key tool, bad
# arguments). See tests/regress/README.md.
set -u

here=$(cd "$(dirname "$0")" && pwd)
target=kernel extra_opts= only= secs=${RG_SECONDS:-5} seed=${RG_SEED:-} case_timeout=${RG_CASE_TIMEOUT:-300}

die() { printf 'regress: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '8,10p' "$0" | sed 's/^# *//' >&2; exit 2; }

while [ $# -gt 1 ]; do
	case $1 in
	--target) target=$2; shift 2 ;;
	--options) extra_opts=$2; shift 2 ;;
	--cases) only=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ $# -eq 1 ] || usage
case $target in kernel | fuse) ;; *) die "--target must be kernel or fuse, not '$target'" ;; esac
[ "$(id -u)" = 0 ] || die "run as root (mounts, drop_caches, device nodes)"
mkdir -p "$1" || die "cannot make $1"
work=$(cd "$1" && pwd)
# The lower file system's type and the kernel's major.minor, for rg_known.
lower_fs=$(stat -f -c %T "$work")
[ "$lower_fs" = ext2/ext3 ] && lower_fs=ext4
kernel_mm=$(uname -r | cut -d. -f1,2)
[ -n "$seed" ] || seed=$(( (RANDOM << 15) | RANDOM ))

# regress-tool: next to this script in a build tree, ECT_BUILDDIR's, or built here.
tool=${RG_TOOL:-}
for t in "$here/regress-tool" "${ECT_BUILDDIR:-/nonexistent}/tests/regress/regress-tool"; do
	[ -z "$tool" ] && [ -x "$t" ] && tool=$t
done
if [ -z "$tool" ]; then
	tool=$work/regress-tool
	${CC:-cc} -std=c11 -O2 -Wall -o "$tool" "$here/regress-tool.c" "$here/regress-stress.c" "$here/regress-fsx.c" ||
		die "cannot build regress-tool (set CC, or RG_TOOL to a built one)"
fi

# The key: ecryptfs-add-passphrase (ours or ecryptfs-utils') into @u.
add_pass=$(command -v ecryptfs-add-passphrase) || die "ecryptfs-add-passphrase not on PATH"
# Without filename encryption only where the tool refuses --fnek (111's
# does when the running kernel has no eCryptfs, as for FUSE alone).
fnek_note=
if ! out=$(printf '%s\n' "regress suite passphrase" | "$add_pass" --fnek - 2>&1); then
	fnek_note=" (no FNEK: $(printf '%s' "$out" | head -n 1))"
	out=$(printf '%s\n' "regress suite passphrase" | "$add_pass" - 2>&1) ||
		die "ecryptfs-add-passphrase failed: $out"
fi
sigs=$(printf '%s\n' "$out" | grep -o '\[[0-9a-f]\{16\}\]' | tr -d '[]' | tr '\n' ' ')
set -- $sigs
[ $# -ge 1 ] || die "no signature in ecryptfs-add-passphrase's output: $out"
opts="ecryptfs_sig=$1,ecryptfs_cipher=aes,ecryptfs_key_bytes=16"
[ $# -ge 2 ] && opts="$opts,ecryptfs_fnek_sig=$2"
[ -n "$extra_opts" ] && opts="$opts,$extra_opts"

if [ "$target" = kernel ]; then
	grep -qw ecryptfs /proc/filesystems || modprobe ecryptfs 2>/dev/null
	grep -qw ecryptfs /proc/filesystems || die "this kernel has no eCryptfs (try --target fuse)"
else
	fuse_bin=${RG_FUSE:-$(command -v ecryptfs-fuse)} || die "ecryptfs-fuse not on PATH"
	unmount_bin=$(command -v fusermount3 || command -v fusermount) || die "no fusermount3"
	modprobe fuse 2>/dev/null
	[ -c /dev/fuse ] || die "no /dev/fuse"
fi

# ---- what the cases use ------------------------------------------------------
# rg_mount / rg_unmount: the upper $U over the lower $L, through the target.
rg_mount() {
	if [ "$target" = kernel ]; then
		mount -i -t ecryptfs "$L" "$U" -o "$opts"
	else
		"$fuse_bin" "$L" "$U" -o "$opts"
	fi
}
# is_mount_point DIR: in mountinfo (one read, no process: forks are dear under emulation).
is_mount_point() {
	local line rows
	mapfile -t rows </proc/self/mountinfo
	for line in "${rows[@]}"; do
		line=${line#* * * * }
		[ "${line%% *}" = "$1" ] && return 0
	done
	return 1
}
rg_is_mounted() { is_mount_point "$U"; }
rg_unmount() {
	local i
	if [ "$target" = kernel ]; then
		umount -i "$U" || umount -l "$U"
	else
		"$unmount_bin" -u "$U" || "$unmount_bin" -uz "$U"
	fi
	for ((i = 0; i < 100; i++)); do rg_is_mounted || return 0; sleep 0.1; done
	echo "cannot unmount $U"
	return 1
}
# A remount forgets every cached inode and page of the mount (and, unlike
# drop_caches, not the rest of the system's: slow on a VM's 9p root).
rg_remount() { rg_unmount && rg_mount; }
# rg_small_lower MB: the case's lower on a tmpfs of that size (ENOSPC cases).
rg_small_lower() {
	rg_unmount || return 1
	rm -rf "$L" && mkdir "$L" && mount -t tmpfs -o "size=${1}m,mode=0755" regress "$L" &&
		rg_mount
}
# rg_lower_of FILE: the lower file behind an upper one (same inode number).
rg_lower_of() { find "$L" -xdev -inum "$(stat -c %i "$1")" -print -quit; }
rg_skip() { echo "$*" >"$C/skip"; exit 77; }
rg_fail() { echo "FAIL: $*"; exit 1; }
# rg_tool CASE ARGS: regress-tool, its 77 passed on as a skip with its reason.
rg_tool() {
	local rc=0
	"$tool" "$@" 2>"$C/tool.err" || rc=$?
	cat "$C/tool.err"
	[ $rc = 77 ] && rg_skip "$(tail -n 1 "$C/tool.err")"
	return $rc
}

. "$here/cases.sh"

# ---- the run -----------------------------------------------------------------
list=${only:-$rg_cases}
set -- $list
echo "1..$#"
echo "# target $target, options $opts$fnek_note (keys from $add_pass), seed $seed, $secs s per stress case, lower $lower_fs, kernel $(uname -r)"
n=0 passed=0 failed=0 skipped=0 known=0
for name in $list; do
	n=$((n + 1))
	fn=case_${name//-/_}
	if ! declare -F "$fn" >/dev/null; then
		echo "not ok $n - $name # no such case"
		failed=$((failed + 1))
		continue
	fi
	C=$work/$name L=$C/lower U=$C/upper
	rm -rf "$C" && mkdir -p "$L" "$U" || die "cannot make $C"
	start=$SECONDS
	rc=0
	if rg_mount >"$C/mount.log" 2>&1; then
		# A subshell per case, cut off after case_timeout seconds.
		( cd "$C" && set -e && "$fn" ) >"$C/log" 2>&1 &
		pid=$!
		sleep "$case_timeout" &
		watchdog=$!
		finished=
		wait -n -p finished "$pid" "$watchdog" || rc=$?
		if [ "$finished" = "$watchdog" ]; then
			echo "timed out after $case_timeout s" >>"$C/log"
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			rc=124
		else
			kill "$watchdog" 2>/dev/null
			wait "$watchdog" 2>/dev/null
		fi
		rg_unmount >>"$C/log" 2>&1 || rc=1
	else
		echo "mount failed: $(cat "$C/mount.log")" >"$C/log"
		rc=1
	fi
	# A case's own lower file system (rg_small_lower) goes with it.
	is_mount_point "$L" && umount -l "$L"
	took=$((SECONDS - start))
	# Known failures may be scoped to a lower file system and a kernel
	# (cases.sh: "target:case:lowerfs:major.minor", "target:case:lowerfs").
	why=${rg_known[$target:$name:$lower_fs:$kernel_mm]:-${rg_known[$target:$name:$lower_fs]:-${rg_known[$target:$name]:-}}}
	if [ $rc = 0 ]; then
		echo "ok $n - $name (${took}s)"
		passed=$((passed + 1))
	elif [ $rc = 77 ]; then
		echo "ok $n - $name # SKIP $(cat "$C/skip" 2>/dev/null)"
		skipped=$((skipped + 1))
	elif [ -n "$why" ]; then
		echo "not ok $n - $name # TODO known $target failure: $why"
		known=$((known + 1))
	else
		echo "not ok $n - $name (${took}s)"
		sed 's/^/#   /' "$C/log" | tail -n 20
		failed=$((failed + 1))
	fi
	[ $rc = 0 ] && [ -z "${RG_KEEP:-}" ] && rm -rf "$C"
done
[ $known -gt 0 ] && echo "# $known known failure(s) of the $target target (TODO above)"
echo "regress: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
