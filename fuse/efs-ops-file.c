// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse: file contents. Reads decrypt whole extents through the
 * codec and clip at the header size; writes re-encrypt every extent they
 * touch (partial ones read, merged and rewritten) and store the new size
 * in the header, as the kernel does, so either can read what the other
 * wrote. I/O on one file is serialised by its entry's lock.
 */
#include "efs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#define LNAME_SIZE (NAME_MAX + 1)

static struct efs_file *fh(const struct fuse_file_info *fi)
{
	return (struct efs_file *)(uintptr_t)fi->fh;
}

static int want_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY;
}

/*
 * The shared entry of the lower file behind path: opened (want_write asks
 * for O_RDWR) or, with create, made with a fresh header.
 */
static int lower_file(const char *path, int create, mode_t mode, int want_write,
		      struct efs_file **out)
{
	struct efs *e = efs_get();
	char lname[LNAME_SIZE];
	int dirfd, rc;

	/* An open file unlinked (efs-hidden.c): its entry, as it is opened. */
	*out = create ? NULL : efs_hidden_get(e, path);
	if (*out) {
		if (!want_write || (*out)->writable)
			return 0;
		efs_file_put(e, *out);
		*out = NULL;
		return e->read_only ? -EROFS : -EACCES;
	}
	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	if (create)
		rc = efs_file_create(e, dirfd, lname, efs_create_mode(dirfd, mode), out);
	else
		rc = efs_file_get(e, dirfd, lname, want_write, out);
	close(dirfd);
	return rc;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct efs_file *f;
	int rc;

	rc = lower_file(path, 0, 0, want_write(fi->flags), &f);
	if (rc)
		return rc;
	if ((fi->flags & O_TRUNC) && want_write(fi->flags)) {
		rc = efs_file_truncate(f, 0);
		if (rc) {
			efs_file_put(efs_get(), f);
			return rc;
		}
	}
	fi->fh = (uint64_t)(uintptr_t)f;
	return 0;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct efs_file *f;
	int rc;

	rc = lower_file(path, 1, mode, 1, &f);
	if (!rc)
		fi->fh = (uint64_t)(uintptr_t)f;
	return rc;
}

/*
 * One read or write under the file's lock: the codec (big requests on the
 * pool, in a batch of their own), or the plain fd under passthrough.
 */
static int file_io(struct efs_file *f, char *buf, size_t size, off_t off, int write)
{
	struct efs *e = efs_get();
	struct ect_codec_pool *pool = size >= EFS_POOL_MIN ? e->pool : NULL;
	ssize_t n;

	if (write && !e->pool_writes)
		pool = NULL;
	if (off < 0)
		return -EINVAL;
	if (write && !f->writable)
		return -EBADF;
	if (size > INT_MAX)
		size = INT_MAX;
	pthread_mutex_lock(&f->lock);
	if (f->cf && write)
		n = ect_codec_pwrite_parallel(f->cf, pool, buf, size, (uint64_t)off);
	else if (f->cf)
		n = ect_codec_pread_parallel(f->cf, pool, buf, size, (uint64_t)off);
	else
		n = write ? pwrite(f->fd, buf, size, off) : pread(f->fd, buf, size, off);
	if (!f->cf && n < 0)
		n = -errno;
	pthread_mutex_unlock(&f->lock);
	return n < 0 ? efs_errno((int)n) : (int)n;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	return file_io(fh(fi), buf, size, off, 0);
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	/* Not written through: file_io only reads buf when write is 1. */
	return file_io(fh(fi), (char *)buf, size, off, 1);
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct efs_file *f;
	int rc;

	if (fi && fi->fh)
		return efs_file_truncate(fh(fi), size);
	rc = lower_file(path, 0, 0, 1, &f);
	if (rc)
		return rc;
	rc = efs_file_truncate(f, size);
	efs_file_put(efs_get(), f);
	return rc;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	efs_file_put(efs_get(), fh(fi));
	return 0;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct efs_file *f = fh(fi);
	int rc;

	/* The header size sits in the file (or its xattr): fsync covers both. */
	rc = datasync ? fdatasync(f->fd) : fsync(f->fd);
	return rc ? -errno : 0;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/*
	 * Lower inode numbers (hard links show as such). No hard_remove: libfuse
	 * then renames a file unlinked while open to a hidden name and asks
	 * for that path, also for a stat without handle (efs-hidden.c).
	 */
	cfg->use_ino = 1;
	cfg->hard_remove = 0;
	/*
	 * The kernel caches and enforces ACLs and hands us the caller's umask
	 * unapplied, so that a default ACL can win over it (efs_create_mode).
	 */
	if ((conn->capable & FUSE_CAP_POSIX_ACL) && (conn->capable & FUSE_CAP_DONT_MASK))
		conn->want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
	/*
	 * The kernel clears setuid/setgid on write, truncate and chown: only
	 * it knows whether the caller has CAP_FSETID, and our writes, as
	 * root, would keep the bits. libfuse documents HANDLE_KILLPRIV as on
	 * by default, so it is turned off here; 3.14 offers no KILLPRIV_V2
	 * (whose write flag would carry that knowledge) to take up instead.
	 */
	conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
	return efs_get();
}

void efs_ops_file(struct fuse_operations *ops)
{
	ops->init = op_init;
	ops->open = op_open;
	ops->create = op_create;
	ops->read = op_read;
	ops->write = op_write;
	ops->truncate = op_truncate;
	ops->release = op_release;
	ops->fsync = op_fsync;
}
