#!/bin/bash
# Build the test initramfs: static busybox, the modules needed to reach the
# host root over virtio-9p plus overlayfs (none of them is built into Debian's
# kernel), and initramfs-init as /init.
# Usage: mkinitramfs.sh KERNEL_VERSION OUTPUT.cpio [MODULES_DIR]
# MODULES_DIR (default /lib/modules/KERNEL_VERSION) is that kernel's modules
# folder, e.g. one unpacked from another kernel package (check-fs).
set -euo pipefail
kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=${3:-/lib/modules/$kver}
# What the initramfs needs; their dependencies come from modules.dep (they
# differ between kernels: 6.1 has fscache.ko, 6.12 folds it into netfs), and
# a module the kernel has built in (modules.builtin) is left out.
wanted="virtio_pci 9pnet_virtio 9p overlay"

[ -f "$moddir/modules.dep" ] || { echo "mkinitramfs: $moddir/modules.dep missing (install linux-image-$kver, or run depmod)" >&2; exit 1; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep 'statically linked' >/dev/null ||
	busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: static busybox missing (apt-get install busybox-static)" >&2; exit 1; }

# load_order MODULE: the module's path after its dependencies' (each once).
declare -A seen=()
order=()
load_order() {
	local name=$1 line path dep i
	local -a deps
	line=$(grep -E "(^|/)$name\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | head -n1) || true
	if [ -z "$line" ]; then
		grep -E "(^|/)$name\.ko\$" "$moddir/modules.builtin" >/dev/null 2>&1 && return 0
		echo "mkinitramfs: module $name not found under $moddir (neither a module nor built in)" >&2
		exit 1
	fi
	path=${line%%:*}
	[ -n "${seen[$path]:-}" ] && return 0
	read -r -a deps <<<"${line#*:}"
	# modules.dep lists a module's dependencies the last one first to load.
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		dep=${deps[$i]##*/}
		load_order "${dep%%.ko*}"
	done
	seen[$path]=1
	order+=("$path")
}
for m in $wanted; do load_order "$m"; done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,modules}
cp "$busybox" "$stage/bin/busybox"
: >"$stage/modules.order"
for f in "${order[@]}"; do
	m=${f##*/}
	m=${m%%.ko*}
	f=$moddir/$f
	case $f in
	*.xz) xz -dc "$f" >"$stage/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$stage/modules/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$stage/modules/$m.ko" ;;
	*) cp "$f" "$stage/modules/$m.ko" ;;
	esac
	echo "$m" >>"$stage/modules.order"
done
cp "$here/initramfs-init" "$stage/init"
# The kernel opens /dev/console before /init runs.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
chmod 0755 "$stage/init" "$stage/bin/busybox"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc --owner=0:0) >"$out.tmp"
mv "$out.tmp" "$out"
