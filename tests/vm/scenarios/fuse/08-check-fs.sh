# make check-fs in the guest (tests/regress/check-fs.sh starts it): the
# regression suite once per lower file system, each on a fresh one: ext4,
# xfs and btrfs on a new loop image, tmpfs on a new mount. The target is
# ECT_CHECKFS_TARGET (kernel: Debian's or the developer's module; fuse:
# ecryptfs-fuse with the eCryptfs module removed from the guest kernel).
# Per lower FS: check-fs-FS.tap (run.sh's TAP) and check-fs-FS.rc (its exit
# status, or "setup: why" when that file system could not be made) in the
# result folder; check-fs.sh on the host turns them into the report.
# Opt-in: ~8-15 min per lower file system under TCG.
# ect-vm: timeout=14400
# ect-vm: boot=checkfs
# ect-vm: optin=ECT_VM_CHECK_FS
need_tool ecryptfs-add-passphrase
[ -x "$ECT_BUILDDIR/tests/regress/regress-tool" ] || skip "regress-tool is not built"
target=${ECT_CHECKFS_TARGET:-kernel}
lowers=${ECT_CHECKFS_LOWER:-ext4 xfs btrfs tmpfs}
res=$ECT_VM_RESULT_DIR

if [ "$target" = fuse ]; then
	need_tool ecryptfs-fuse fusermount3
	# FUSE alone: nothing may reach the kernel's eCryptfs.
	if grep -w ecryptfs /proc/filesystems >/dev/null; then
		modprobe -r ecryptfs || skip "cannot remove the ecryptfs module (built in?)"
	fi
	! grep -w ecryptfs /proc/filesystems >/dev/null || skip "eCryptfs still registered after modprobe -r"
	# A mount -t ecryptfs would load it again: make that fail loudly instead.
	echo "install ecryptfs /bin/false" >/etc/modprobe.d/ect-check-fs.conf
else
	grep -w ecryptfs /proc/filesystems >/dev/null || modprobe ecryptfs ||
		skip "kernel $(uname -r) has no eCryptfs (try FS=fuse)"
fi

# The suite is copied so that edits to the source tree during a run do not
# reach the running scripts.
suite=$ECT_VM_WORK/suite
mkdir -p "$suite"
cp "$ECT_SRCDIR"/tests/regress/*.sh "$ECT_BUILDDIR/tests/regress/regress-tool" "$suite/"
cases=()
[ -n "${ECT_CHECKFS_CASES:-}" ] && cases=(--cases "$ECT_CHECKFS_CASES")

# The loop images live on a tmpfs of their own, in guest RAM.
mkdir -p /run/check-fs/img /run/check-fs/mnt
mount -t tmpfs -o size=1300m,mode=0700 check-fs-img /run/check-fs/img

# make_lower FS DIR: a fresh FS mounted on DIR; prints why not on failure.
make_lower() {
	local fs=$1 dir=$2 img=/run/check-fs/img/$1.img
	if [ "$fs" = tmpfs ]; then
		mount -t tmpfs -o size=1g,mode=0755 check-fs "$dir" 2>&1
		return
	fi
	modprobe "$fs" 2>&1 || { echo "modprobe $fs failed: kernel $(uname -r) has no $fs module"; return 1; }
	grep -w "$fs" /proc/filesystems >/dev/null || { echo "kernel $(uname -r) does not list $fs in /proc/filesystems"; return 1; }
	command -v "mkfs.$fs" >/dev/null || { echo "mkfs.$fs not installed (scripts/deps/vm.txt)"; return 1; }
	rm -f "$img" && truncate -s 1G "$img"
	case $fs in
	ext4) mkfs.ext4 -q -F "$img" 2>&1 ;;
	xfs) mkfs.xfs -q -f "$img" 2>&1 ;;
	btrfs) mkfs.btrfs -q -f "$img" 2>&1 ;;
	esac || { echo "mkfs.$fs failed"; return 1; }
	mount -o loop "$img" "$dir" 2>&1 || { echo "mount of the $fs image failed"; return 1; }
}

bad=
for fs in $lowers; do
	dir=/run/check-fs/mnt/$fs
	mkdir -p "$dir"
	echo "ect-vm-status check-fs: $target on $fs: starting" >/dev/console
	if ! why=$(make_lower "$fs" "$dir"); then
		why=$(printf '%s' "$why" | tr '\n' ' ')
		echo "setup: $why" >"$res/check-fs-$fs.rc"
		echo "ect-vm-status check-fs: $target on $fs: not set up: $why" >/dev/console
		bad="$bad $fs"
		umount "$dir" 2>/dev/null || true
		continue
	fi
	echo "# lower $fs: $(awk -v d="$dir" '$2 == d {print $1 " " $3 " " $4}' /proc/mounts)" >"$res/check-fs-$fs.tap"
	rc=0
	# 600 s a case, as fuse/03 and 04 (regress.inc): TCG on a loaded host
	RG_SECONDS=${ECT_REGRESS_SECONDS:-4} RG_CASE_TIMEOUT=600 \
		bash "$suite/run.sh" --target "$target" "${cases[@]}" "$dir/regress" \
		>>"$res/check-fs-$fs.tap" 2>&1 || rc=$?
	echo "$rc" >"$res/check-fs-$fs.rc"
	summary=$(tail -n 1 "$res/check-fs-$fs.tap")
	echo "ect-vm-status check-fs: $target on $fs: $summary (exit $rc)" >/dev/console
	[ "$rc" = 0 ] || bad="$bad $fs"
	# A failed case keeps its directory; its log is in the TAP already.
	umount "$dir" || umount -l "$dir"
	rm -f "/run/check-fs/img/$fs.img"
done
umount /run/check-fs/img
rm -f /etc/modprobe.d/ect-check-fs.conf
[ -z "$bad" ] || fail "check-fs: not all passed on:$bad"
