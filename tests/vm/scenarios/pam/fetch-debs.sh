#!/bin/bash
# Host side, run once before the PAM VM scenarios (the guest has no network):
# download and unpack, WITHOUT installing on the host, the Debian 12 packages
# whose real PAM service files and daemons the scenarios use inside the guest:
# openssh-server (sshd on loopback), sshpass (password logins), lightdm and
# gdm3 (their /etc/pam.d files), sudo (the systemd area's sudo -iu; the
# host need not have it), and for systemd/08 the real lightdm daemon with
# liblightdm's GObject bindings (the scripted greeter) and Xvfb as its X
# server (with the libraries they need that a build host lacks). Installing openssh-server on the host would
# start an sshd there; unpacking does not.
# Result: /var/cache/ecryptfs-tools/pam-debs/root (override: ECT_PAM_DEBS).
set -euo pipefail
dest=${ECT_PAM_DEBS:-/var/cache/ecryptfs-tools/pam-debs}
pkgs=(openssh-server openssh-sftp-server libwrap0 sshpass lightdm gdm3 sudo
	liblightdm-gobject-1-0 gir1.2-lightdm-1 libxklavier16 xvfb xserver-common libxfont2 x11-xkb-utils)
if [ -x "$dest/root/usr/sbin/sshd" ] && [ -f "$dest/root/etc/pam.d/gdm-password" ] &&
	[ -f "$dest/root/etc/pam.d/sudo-i" ] && [ -x "$dest/root/usr/bin/Xvfb" ] &&
	[ -f "$dest/root/usr/lib/girepository-1.0/LightDM-1.typelib" ]; then
	echo "fetch-debs: $dest already unpacked"
	exit 0
fi
mkdir -p "$dest"
cd "$dest"
# apt's sandbox user cannot write to a root-only cache: download as root.
apt-get download -o APT::Sandbox::User=root "${pkgs[@]}" >/dev/null
rm -rf root.new
mkdir root.new
for f in *.deb; do
	dpkg-deb -x "$f" root.new
done
rm -rf root
mv root.new root
echo "fetch-debs: unpacked ${pkgs[*]} into $dest/root"
