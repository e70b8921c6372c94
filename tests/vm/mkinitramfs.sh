#!/bin/bash
# Build the test initramfs: static busybox, the modules needed to reach the
# host root over virtio-9p plus overlayfs (none of them is built into Debian's
# kernel), and initramfs-init as /init.
# Usage: mkinitramfs.sh KERNEL_VERSION OUTPUT.cpio
set -euo pipefail
kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
moddir=/lib/modules/$kver
# Load order matters: each module after the ones it depends on.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
netfs fscache 9pnet 9pnet_virtio 9p overlay"

[ -d "$moddir" ] || { echo "mkinitramfs: $moddir missing (install linux-image-$kver)" >&2; exit 1; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep 'statically linked' >/dev/null ||
	busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: static busybox missing (apt-get install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,modules}
cp "$busybox" "$stage/bin/busybox"
: >"$stage/modules.order"
for m in $modules; do
	f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
	[ -n "$f" ] || { echo "mkinitramfs: module $m not found under $moddir" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" >"$stage/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$stage/modules/$m.ko" ;;
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
