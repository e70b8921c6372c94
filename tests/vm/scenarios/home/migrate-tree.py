#!/usr/bin/python3
# Used by the migrate-home scenarios (not a scenario itself).
#   migrate-tree.py populate DIR UID GID OTHER_UID  a home with every file kind
#   migrate-tree.py manifest DIR                    one line per entry, sorted
# The manifest has, per entry: path, type, mode, owner, size, device numbers,
# atime and mtime in nanoseconds, symlink target, sha256 of the content, every
# xattr (ACLs are system.posix_acl_*), the hard-link group (first path of the
# inode) and, for regular files, whether the file has holes (data extents by
# SEEK_DATA/SEEK_HOLE). Each entry is stat'ed before it is read, and files
# and directories are opened with O_NOATIME: making the manifest changes no
# time it records. .ecryptfs and .Private at the top (the encrypted home's
# layout links) are left out.
import hashlib
import os
import stat
import struct
import sys


def acl(entries):
    # POSIX ACL xattr: version 2, then (tag u16, perm u16, id u32) per entry
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)


USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 1, 2, 4, 8, 0x10, 0x20
NOID = 0xFFFFFFFF


def populate(top, uid, gid, other):
    def mk(path, data=b"", mode=0o644, owner=(uid, gid), times=None):
        p = os.path.join(top, path)
        with open(p, "wb") as f:
            f.write(data)
        os.chown(p, *(owner or (uid, gid)))
        os.chmod(p, mode)
        if times:
            os.utime(p, ns=times)
        return p

    os.makedirs(os.path.join(top, "docs/deep/deeper"), exist_ok=True)
    os.makedirs(os.path.join(top, "empty dir"), exist_ok=True)
    os.makedirs(os.path.join(top, "acl-dir"), exist_ok=True)
    os.makedirs(os.path.join(top, "sticky"), exist_ok=True)
    mk("plain.txt", b"hello plain text\n")
    mk("empty", b"")
    mk("exact-4096", os.urandom(4096), 0o600)
    mk("odd-4097", os.urandom(4097), 0o640, (uid, other))
    mk("docs/deep/secret.txt", b"the secret word is swordfish\n", 0o600)
    mk("docs/deep/deeper/big.bin", os.urandom(300000), 0o644)
    mk("docs/unicode-\u00e9\u00e8-\u2603.txt", "unicode name\n".encode())
    mk("name with spaces and 'quotes'", b"spaces\n")
    mk("x" * 143, b"a name of exactly 143 bytes\n")
    mk("setuid-prog", b"#!/bin/sh\n", 0o4755)
    mk("setgid-prog", b"#!/bin/sh\n", 0o2750)
    mk("root-owned", b"root's file in the home\n", 0o644, (0, 0))
    mk("nanotimes", b"times\n", 0o644, None, (1000000000123456789, 1234567890987654321))
    mk("old-times", b"old\n", 0o444, None, (315532800000000001, 315532800999999999))
    os.chmod(os.path.join(top, "sticky"), 0o1777)
    # hard links: three names, one in another directory
    h = mk("hard-a", b"one inode, three names\n")
    os.link(h, os.path.join(top, "hard-b"))
    os.link(h, os.path.join(top, "docs/hard-c"))
    # sparse: holes at the start, in the middle and at the end
    s = os.path.join(top, "sparse.img")
    with open(s, "wb") as f:
        f.truncate(2 << 20)
        f.seek(1 << 20)
        f.write(b"data in the middle" * 100)
        f.seek(1536 << 10)
        f.write(os.urandom(5000))
    os.chown(s, uid, gid)
    # symlinks: relative, absolute out of the home (never followed), dangling
    for name, target in (("link-rel", "docs/deep/secret.txt"), ("link-abs", "/etc/passwd"),
                         ("link-dangling", "no/such/file"), ("docs/link-up", "../plain.txt")):
        p = os.path.join(top, name)
        os.symlink(target, p)
        os.lchown(p, uid, gid)
        os.utime(p, ns=(1111111111111111111, 1222222222222222222), follow_symlinks=False)
    # special files
    os.mkfifo(os.path.join(top, "a-fifo"), 0o620)
    os.mknod(os.path.join(top, "a-socket"), 0o755 | stat.S_IFSOCK)
    os.mknod(os.path.join(top, "null-dev"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(os.path.join(top, "loop-dev"), 0o660 | stat.S_IFBLK, os.makedev(7, 99))
    for n in ("a-fifo", "a-socket", "null-dev", "loop-dev"):
        os.chown(os.path.join(top, n), uid, gid)
    # xattrs: user.* on a file, a directory and a special file; security.capability
    os.setxattr(os.path.join(top, "plain.txt"), "user.comment", b"a user xattr")
    os.setxattr(os.path.join(top, "plain.txt"), "user.binary", bytes(range(256)))
    os.setxattr(os.path.join(top, "docs"), "user.dir-attr", b"on a directory")
    cap = struct.pack("<IIIII", 0x02000001, 1 << 10, 0, 0, 0)  # cap_net_bind_service+ep
    os.setxattr(os.path.join(top, "setgid-prog"), "security.capability", cap)
    # POSIX ACLs: an access ACL on a file, access and default ACLs on a directory
    f = mk("acl-file", b"acl\n", 0o640)
    os.setxattr(f, "system.posix_acl_access",
                acl([(USER_OBJ, 6, NOID), (USER, 4, other), (GROUP_OBJ, 4, NOID), (MASK, 4, NOID),
                     (OTHER, 0, NOID)]))
    d = os.path.join(top, "acl-dir")
    a = acl([(USER_OBJ, 7, NOID), (USER, 5, other), (GROUP_OBJ, 5, NOID), (GROUP, 5, other),
             (MASK, 5, NOID), (OTHER, 0, NOID)])
    os.setxattr(d, "system.posix_acl_access", a)
    os.setxattr(d, "system.posix_acl_default", a)
    # directories: owners, modes, and times last (making entries moved them)
    for dp, dirs, files in os.walk(top):
        for n in dirs:
            os.chown(os.path.join(dp, n), uid, gid)
    os.chmod(os.path.join(top, "docs/deep"), 0o750)
    os.utime(os.path.join(top, "docs/deep"), ns=(1300000000000000001, 1300000000000000002))
    os.utime(os.path.join(top, "empty dir"), ns=(1400000000000000003, 1400000000000000004))


def sha(fd):
    h = hashlib.sha256()
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            return h.hexdigest()
        h.update(b)


def holes(fd, size):
    # "holes" when the data extents do not cover the whole size
    try:
        pos, data = 0, 0
        while pos < size:
            d = os.lseek(fd, pos, os.SEEK_DATA)
            e = os.lseek(fd, d, os.SEEK_HOLE)
            data += e - d
            pos = e
        return "holes" if data < size else "dense"
    except OSError:
        return "holes" if size else "dense"


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return ""
    return ",".join("%s=%s" % (n, os.getxattr(path, n, follow_symlinks=False).hex())
                    for n in sorted(names))


def entry(top, rel, st, groups):
    path = os.path.join(top, rel) if rel != "." else top
    kind = stat.S_IFMT(st.st_mode)
    extra = ""
    if stat.S_ISREG(kind):
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NOATIME)
        extra = "%s %s" % (sha(fd), holes(fd, st.st_size))
        os.close(fd)
    elif stat.S_ISLNK(kind):
        extra = "-> " + os.readlink(path)
    if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        extra += " dev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
    group = ""
    if not stat.S_ISDIR(kind) and st.st_nlink > 1:
        group = " link-group=" + groups.setdefault(st.st_ino, rel)
    size = st.st_size if not stat.S_ISDIR(kind) else "-"
    return "%s %o %d:%d size=%s atime=%d mtime=%d %s xattrs[%s]%s" % (
        rel, st.st_mode, st.st_uid, st.st_gid, size, st.st_atime_ns, st.st_mtime_ns, extra,
        xattrs(path), group)


def manifest(top):
    out, groups = [], {}
    st = os.lstat(top)
    pending = [(".", st)]
    while pending:
        rel, st = pending.pop()
        out.append(entry(top, rel, st, groups))
        if stat.S_ISDIR(st.st_mode):
            path = os.path.join(top, rel) if rel != "." else top
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NOATIME)
            names = sorted(os.listdir(fd))
            os.close(fd)
            for n in names:
                if rel == "." and n in (".ecryptfs", ".Private"):
                    continue
                r = n if rel == "." else rel + "/" + n
                pending.append((r, os.lstat(os.path.join(top, r))))
    # link groups named by the smallest path, so the walk order does not matter
    first = {}
    for line in out:
        if " link-group=" in line:
            g = line.rsplit(" link-group=", 1)[1]
            first[g] = min(first.get(g, line.split(" ", 1)[0]), line.split(" ", 1)[0])
    res = []
    for line in out:
        if " link-group=" in line:
            head, g = line.rsplit(" link-group=", 1)
            members = sorted(l.split(" ", 1)[0] for l in out if l.endswith(" link-group=" + g))
            line = head + " link-group=" + members[0]
        res.append(line)
    print("\n".join(sorted(res)))


if __name__ == "__main__":
    if sys.argv[1] == "populate":
        populate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "manifest":
        manifest(sys.argv[2])
    else:
        sys.exit("usage: migrate-tree.py populate DIR UID GID OTHER | manifest DIR")
