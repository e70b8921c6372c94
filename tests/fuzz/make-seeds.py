#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed inputs of the fuzz targets (before minimization) into OUTDIR/<target>/.

Seeds come from real files: ecryptfs-utils 111 fixtures (tests/fixtures,
/work/shared/fixtures), kernel-written headers and names (the vectors in
tests/unit/test-codec-vectors.c), this machine's /proc/self/mountinfo, and
the formats 111 writes (~/.ecryptfs, mtab). The first byte of every seed is
the target's selector (see the comment at the top of each fuzz-*.c).
Usage: make-seeds.py SRCDIR OUTDIR
"""
import os
import re
import sys

src, out = sys.argv[1], sys.argv[2]
n = 0


def seed(target, sel, data):
    """sel None: the target takes no selector byte."""
    global n
    if isinstance(data, str):
        data = data.encode()
    if sel is not None:
        data = bytes([sel]) + data
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    n += 1
    with open(os.path.join(d, "seed-%04d" % n), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


fix = os.path.join(src, "tests/fixtures")

# ---- codec: kernel-written header (pecryptfs aes-16.raw) and names (iqb)
vec = read(os.path.join(src, "tests/unit/test-codec-vectors.c")).decode()
m = re.search(r'pec_aes16_header\[\] =\s*((?:"[^"]*"\s*)+);', vec)
hdr = bytes.fromhex("".join(re.findall(r'"([^"]*)"', m.group(1))).replace(" ", ""))
page = hdr + bytes(8192 - len(hdr))
for sel in (0, 1, 2, 6):
    seed("codec", sel, page)
seed("codec", 0, hdr)
for name in re.findall(r'"(ECRYPTFS_FNEK_ENCRYPTED\.[A-Za-z0-9._-]+)"', vec):
    seed("codec", 3, name)
    seed("codec", 4, name)
    seed("codec", 5, name[len("ECRYPTFS_FNEK_ENCRYPTED."):])

# ---- config: ~/.ecryptfs as ecryptfs-setup-private (111) writes it, ~/.ecryptfsrc fixtures
seed("config", 0, "a216278e6e397a04\n")
seed("config", 0, "a216278e6e397a04\n8bcce699f729bdd1\n")
seed("config", 1, "/home/alice/Private")
seed("config", 1, "/home/alice/Private\n")
seed("config", 2, "/home/alice/.Secret /home/alice/Secret ecryptfs none 0 0\n")
seed("config", 2, "# ALIAS.conf\n/home/a\\040b/.S /home/a\\134b/S ecryptfs\n")
seed("config", 3, "Private\n/home/fuzz/Private\n")
seed("config", 3, "Secret\n/home/fuzz/.Secret /home/fuzz/Secret ecryptfs none 0 0\n")
kr = os.path.join(fix, "keyring")
for f in sorted(os.listdir(kr)):
    if f.endswith(".ecryptfsrc"):
        seed("config", 4, read(os.path.join(kr, f)))

# ---- mount: option strings, mountinfo; mtab
seed("mount", 0, "\x00key=passphrase:passphrase_passwd=secret,ecryptfs_cipher=aes,"
     "ecryptfs_key_bytes=16,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=y,"
     "ecryptfs_fnek_sig=8bcce699f729bdd1,no_sig_cache")
seed("mount", 0, "\x00ecryptfs_sig=a216278e6e397a04,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
     "ecryptfs_unlink_sigs,ecryptfs_check_dev_ruid,ro,noexec\nverbosity=0,passphrase_salt=0011223344556677")
seed("mount", 1, "\x01a216278e6e397a04\n8bcce699f729bdd1")
seed("mount", 1, "\x40a216278e6e397a04")
ecr = ("95 30 0:45 / /home/a/Private rw,nosuid,nodev,relatime shared:50 - ecryptfs "
       "/home/a/.Private rw,ecryptfs_fnek_sig=8bcce699f729bdd1,ecryptfs_sig=a216278e6e397a04,"
       "ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_unlink_sigs\n")
mi = read("/proc/self/mountinfo").decode(errors="replace").splitlines(True)
for line in mi[:6] + [ecr, ecr.replace("/home/a/Private", "/home/a/My\\040Private")]:
    seed("mount", 2, "\x00" + line)
seed("mount", 3, "\x00" + "".join(mi[:8]) + ecr)
mtab = ("/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n"
        "/home/a/.Private /home/a/Private ecryptfs rw,ecryptfs_sig=a216278e6e397a04,"
        "ecryptfs_cipher=aes,ecryptfs_key_bytes=16 0 0\n")
seed("mtab", None, "/home/a/Private\n" + mtab)
seed("mtab", None, "/home/a/My Private\n" + mtab.replace("/home/a/Private", "/home/a/My\\040Private"))

# ---- wrap: 111's wrapped-passphrase files (v1, v2) and auth tokens
for d in (os.path.join(fix, "ecryptfs-utils-111"), os.path.join(fix, "ecryptfs-utils-111-v1"),
          "/work/shared/fixtures/ecryptfs-utils-111-v1"):
    if not os.path.isdir(d):
        continue
    for f in sorted(os.listdir(d)):
        if f.startswith(("v2-", "wp")):
            seed("wrap", 0, read(os.path.join(d, f)))
            pw = b"fuzz"
            seed("wrap", 1, bytes([len(pw)]) + pw + read(os.path.join(d, f)))
for f in sorted(os.listdir(kr)):
    if f.endswith((".fekek", ".fnek")):
        tok = read(os.path.join(kr, f))
        if len(tok) == 740:
            # key (648..711), salt (729..736), signature text (712..727)
            seed("wrap", 2, tok[648:712] + tok[729:737] + tok[712:728])

# ---- argv: the helper's and the PAM module's arguments
for sel, args in ((0, ["Private"]), (0, []), (1, ["-f", "-d", "Private"]), (1, ["-fd"]),
                  (2, ["/srv/lower", "/srv/upper", "-o",
                       "key=passphrase,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
                       "ecryptfs_sig=a216278e6e397a04", "-n", "-t", "ecryptfs"]),
                  (3, ["/srv/upper", "-l", "-t", "ecryptfs"]),
                  (4, ["debug", "unwrap", "helper_dir=/sbin", "wrap_v2", "quiet"])):
    seed("argv", sel, "\0".join(args))
print("%d seeds in %s" % (n, out))
