#!/bin/bash
# Host side, run once before the PAM VM scenarios (the guest has no network):
# download and unpack, WITHOUT installing on the host, the Debian 12 packages
# whose real PAM service files and daemons the scenarios use inside the guest:
# openssh-server (sshd on loopback), sshpass (password logins), lightdm and
# gdm3 (their /etc/pam.d files), sudo (the systemd area's sudo -iu; the
# host need not have it). Installing openssh-server on the host would
# start an sshd there; unpacking does not.
# Result: /var/cache/ecryptfs-tools/pam-debs/root (override: ECT_PAM_DEBS).
set -euo pipefail
dest=${ECT_PAM_DEBS:-/var/cache/ecryptfs-tools/pam-debs}
pkgs=(openssh-server openssh-sftp-server libwrap0 sshpass lightdm gdm3 sudo)
if [ -x "$dest/root/usr/sbin/sshd" ] && [ -f "$dest/root/etc/pam.d/gdm-password" ] &&
	[ -f "$dest/root/etc/pam.d/sudo-i" ]; then
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
