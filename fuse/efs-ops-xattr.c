// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse: extended attributes (POSIX ACLs among them) and file
 * flags pass through to the lower file, as the kernel's eCryptfs does (it
 * stores them unencrypted); the lower file system keeps the mode in step
 * with an access ACL and applies a directory's default ACL.
 * The header xattr of ecryptfs_xattr_metadata is the exception: it can be
 * read and listed, never set or removed through the mount, since that
 * would lose the file's key.
 */
#include "efs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LNAME_SIZE (NAME_MAX + 1)
#define HEADER_XATTR "user.ecryptfs"

/*
 * The lower file as a path that names it through the resolved directory
 * fd, so that the l*xattr calls act on it without following a symlink and
 * without resolving the lower path again.
 */
struct lower_ref {
	int dirfd;
	char path[64 + LNAME_SIZE];
};

static int lower_ref_get(const char *path, struct lower_ref *r)
{
	char lname[LNAME_SIZE];
	int rc;

	rc = efs_resolve(efs_get(), path, &r->dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	snprintf(r->path, sizeof(r->path), "/proc/self/fd/%d/%s", r->dirfd, lname);
	return 0;
}

enum xattr_op { XATTR_SET, XATTR_GET, XATTR_LIST, XATTR_REMOVE };

/* One xattr call on an open fd (fd >= 0), else on lpath without following it. */
static ssize_t xattr_do(int fd, const char *lpath, enum xattr_op op, const char *name,
			char *value, size_t size, int flags)
{
	switch (op) {
	case XATTR_SET:
		return fd >= 0 ? fsetxattr(fd, name, value, size, flags) :
				 lsetxattr(lpath, name, value, size, flags);
	case XATTR_GET:
		return fd >= 0 ? fgetxattr(fd, name, value, size) :
				 lgetxattr(lpath, name, value, size);
	case XATTR_LIST:
		return fd >= 0 ? flistxattr(fd, value, size) : llistxattr(lpath, value, size);
	default:
		return fd >= 0 ? fremovexattr(fd, name) : lremovexattr(lpath, name);
	}
}

/* One xattr call on the lower file; the header attribute is read-only. */
static int xattr_call(const char *path, enum xattr_op op, const char *name, char *value,
		      size_t size, int flags)
{
	struct efs *e = efs_get();
	struct efs_file *f;
	struct lower_ref r;
	ssize_t n;
	int rc;

	if ((op == XATTR_SET || op == XATTR_REMOVE) && !strcmp(name, HEADER_XATTR))
		return -EPERM;
	/* A file unlinked while open, by libfuse's hidden name (efs-hidden.c): its fd. */
	f = efs_hidden_get(e, path);
	if (f) {
		/* under the entry's lock: upgrade() may swap its fd */
		pthread_mutex_lock(&f->lock);
		n = xattr_do(f->fd, NULL, op, name, value, size, flags);
		rc = n < 0 ? -errno : (n > INT_MAX ? -E2BIG : (int)n);
		pthread_mutex_unlock(&f->lock);
		efs_file_put(e, f);
		return rc;
	}
	rc = lower_ref_get(path, &r);
	if (rc)
		return rc;
	n = xattr_do(-1, r.path, op, name, value, size, flags);
	rc = n < 0 ? -errno : (n > INT_MAX ? -E2BIG : (int)n);
	close(r.dirfd);
	return rc;
}

static int op_setxattr(const char *path, const char *name, const char *value, size_t size,
		       int flags)
{
	/* Not written through: lsetxattr only reads value. */
	return xattr_call(path, XATTR_SET, name, (char *)value, size, flags);
}

static int op_getxattr(const char *path, const char *name, char *value, size_t size)
{
	return xattr_call(path, XATTR_GET, name, value, size, 0);
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	return xattr_call(path, XATTR_LIST, "", list, size, 0);
}

static int op_removexattr(const char *path, const char *name)
{
	return xattr_call(path, XATTR_REMOVE, name, NULL, 0, 0);
}

/*
 * FS_IOC_GETFLAGS (lsattr, and the kernel's fileattr_get for FUSE): the
 * lower file's flags. Setting them is left out: flags such as
 * FS_COMPR_FL or FS_NOCOW_FL would apply to the ciphertext.
 */
static int op_ioctl(const char *path, int cmd, void *arg, struct fuse_file_info *fi,
		    unsigned int flags, void *data)
{
	struct efs_file *f = (struct efs_file *)(uintptr_t)fi->fh;
	int attr = 0;

	(void)path;
	(void)arg;
	if (flags & FUSE_IOCTL_COMPAT)
		return -ENOSYS;
	if ((unsigned int)cmd != (unsigned int)FS_IOC_GETFLAGS || (flags & FUSE_IOCTL_DIR) || !f)
		return -ENOTTY;
	if (ioctl(f->fd, FS_IOC_GETFLAGS, &attr))
		return -errno;
	/* The kernel passes a long's worth of room; the flags are an int. */
	memcpy(data, &attr, sizeof(attr));
	return 0;
}

/*
 * The mode to create a lower node with. FUSE with POSIX ACLs leaves the
 * caller's umask to us: the lower file system applies the parent's default
 * ACL, which wins over the umask, so the umask applies only without one.
 */
mode_t efs_create_mode(int dirfd, mode_t mode)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", dirfd);
	if (getxattr(dir, "system.posix_acl_default", NULL, 0) > 0)
		return mode;
	return mode & ~fuse_get_context()->umask;
}

void efs_ops_xattr(struct fuse_operations *ops)
{
	ops->setxattr = op_setxattr;
	ops->getxattr = op_getxattr;
	ops->listxattr = op_listxattr;
	ops->removexattr = op_removexattr;
	ops->ioctl = op_ioctl;
}
