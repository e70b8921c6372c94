// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse: names and metadata. Each operation resolves the upper
 * path to (lower directory fd, lower name) and acts on the lower file
 * system through that fd; owners, modes and times pass through unchanged
 * (new objects are the caller's: efs-creds.c), sizes of regular files
 * come from the eCryptfs header.
 */
#include "efs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Lower names may be 255 bytes; PATH_MAX holds an encrypted symlink target. */
#define LNAME_SIZE (NAME_MAX + 1)

/* Resolve path and run act(dirfd, lname, arg) on the lower side. */
static int at_lower(const char *path, int (*act)(int, const char *, const void *), const void *arg)
{
	struct efs *e = efs_get();
	char lname[LNAME_SIZE];
	int dirfd, rc;

	/* No path: libfuse lost it (the directory of a hidden file removed). */
	if (!path)
		return -ESTALE;
	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	rc = act(dirfd, lname, arg);
	close(dirfd);
	return rc;
}

/* The upper attributes of lname in dirfd: the lower ones with the upper size. */
static int lower_stat(struct efs *e, int dirfd, const char *lname, struct stat *st)
{
	if (fstatat(dirfd, lname, st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISREG(st->st_mode))
		return efs_file_size(e, dirfd, lname, st, &st->st_size);
	if (S_ISLNK(st->st_mode) && e->fnek) {
		char target[PATH_MAX], plain[PATH_MAX];
		ssize_t n = readlinkat(dirfd, lname, target, sizeof(target) - 1);

		/* The upper size of a symlink is its decrypted target's length. */
		if (n >= 0) {
			target[n] = '\0';
			if (!efs_target_decrypt(e, target, plain, sizeof(plain)))
				st->st_size = (off_t)strlen(plain);
		}
	}
	return 0;
}

static int do_getattr(int dirfd, const char *lname, const void *arg)
{
	return lower_stat(efs_get(), dirfd, lname, (struct stat *)arg);
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct efs *e = efs_get();
	struct efs_file *f;
	int rc;

	/* libfuse's name for an open file it unlinked (efs-hidden.c). */
	f = efs_hidden_get(e, path);
	if (f) {
		rc = efs_hidden_stat(f, st);
		efs_file_put(e, f);
		return rc;
	}
	/*
	 * No path, but a handle (lseek's GETATTR): libfuse lost the path of a
	 * hidden file whose directory was removed too.
	 */
	if (!path && fi && fi->fh)
		return efs_hidden_stat((struct efs_file *)(uintptr_t)fi->fh, st);
	return at_lower(path, do_getattr, st);
}

/* An open upper directory: its lower DIR stream, kept from opendir to releasedir. */
static DIR *dir_stream(const struct fuse_file_info *fi)
{
	return (DIR *)(uintptr_t)fi->fh;
}

static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct efs *e = efs_get();
	char lname[LNAME_SIZE];
	int dirfd, fd, rc;
	DIR *d;

	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	fd = openat(dirfd, lname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = fd < 0 ? -errno : 0;
	close(dirfd);
	if (rc)
		return rc;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	closedir(dir_stream(fi));
	return 0;
}

/*
 * Entries carry the lower d_off as their offset, so the listing resumes
 * where the last reply ended (seekdir). With offsets, libfuse passes the
 * attributes of a READDIRPLUS on to the kernel: ls -l or find then need
 * no LOOKUP round trip per entry. Without offsets it would drop them.
 */
static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct efs *e = efs_get();
	char name[LNAME_SIZE];
	DIR *d = dir_stream(fi);
	struct dirent *de;
	int rc = 0;

	if (off)
		seekdir(d, (long)off);
	else
		rewinddir(d);
	for (errno = 0; (de = readdir(d)); errno = 0) {
		struct stat st = { .st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type) };
		enum fuse_fill_dir_flags plus = 0;

		rc = efs_name_decrypt(e, de->d_name, name, sizeof(name));
		if (rc > 0) {
			rc = 0;
			continue; /* not ours: hidden, as the kernel hides it */
		}
		if (rc < 0)
			break;
		/* An entry gone meanwhile is listed bare; the kernel looks it up. */
		if ((flags & FUSE_READDIR_PLUS) && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, "..") && !lower_stat(e, dirfd(d), de->d_name, &st))
			plus = FUSE_FILL_DIR_PLUS;
		else
			st = (struct stat){ .st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type) };
		/* Full: the next call starts at the last offset that went in. */
		if (fill(buf, name, &st, (off_t)de->d_off, plus))
			return 0;
	}
	if (!rc && errno)
		rc = -errno;
	return rc;
}

static int do_mkdir(int dirfd, const char *lname, const void *arg)
{
	/* The directory's default ACL is read as the daemon: the caller may not read it. */
	mode_t mode = efs_create_mode(dirfd, *(const mode_t *)arg);
	struct efs *e = efs_get();
	struct efs_creds creds;
	int rc;

	rc = efs_as_caller(e, &creds);
	if (rc)
		return rc;
	rc = mkdirat(dirfd, lname, mode) ? -errno : 0;
	efs_as_daemon(e, &creds);
	return rc;
}

static int op_mkdir(const char *path, mode_t mode)
{
	return at_lower(path, do_mkdir, &mode);
}

static int do_unlink(int dirfd, const char *lname, const void *arg)
{
	return unlinkat(dirfd, lname, *(const int *)arg) ? -errno : 0;
}

static int op_unlink(const char *path)
{
	int flags = 0, rc;

	if (!efs_hidden_is(path))
		return at_lower(path, do_unlink, &flags);
	/*
	 * libfuse unlinks its hidden name after the last release, when the
	 * entry and its names are gone with it: nothing left to do then. A
	 * lower file of that name (a plain rename made it) goes as any other.
	 */
	if (efs_hidden_drop(efs_get(), path))
		return 0;
	rc = at_lower(path, do_unlink, &flags);
	return rc == -ENOENT ? 0 : rc;
}

static int op_rmdir(const char *path)
{
	int flags = AT_REMOVEDIR, rc;

	rc = at_lower(path, do_unlink, &flags);
	efs_dirs_forget(efs_get());
	return rc;
}

static int do_mknod(int dirfd, const char *lname, const void *arg)
{
	const struct stat *st = arg;
	struct efs *e = efs_get();
	struct efs_creds creds;
	mode_t mode;
	int rc;

	/* Regular files go through create (they need a header). */
	if (S_ISREG(st->st_mode))
		return -EPERM;
	mode = efs_create_mode(dirfd, st->st_mode);
	rc = efs_as_caller(e, &creds);
	if (rc)
		return rc;
	rc = mknodat(dirfd, lname, mode, st->st_rdev) ? -errno : 0;
	efs_as_daemon(e, &creds);
	return rc;
}

static int op_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct stat st = { .st_mode = mode, .st_rdev = rdev };

	return at_lower(path, do_mknod, &st);
}

static int op_symlink(const char *target, const char *path)
{
	struct efs *e = efs_get();
	char *lower = malloc(PATH_MAX);
	int rc;

	if (!lower)
		return -ENOMEM;
	rc = efs_target_encrypt(e, target, lower, PATH_MAX);
	if (!rc) {
		char lname[LNAME_SIZE];
		int dirfd;

		rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
		if (!rc) {
			struct efs_creds creds;

			rc = efs_as_caller(e, &creds);
			if (!rc) {
				rc = symlinkat(lower, dirfd, lname) ? -errno : 0;
				efs_as_daemon(e, &creds);
			}
			close(dirfd);
		}
	}
	free(lower);
	return rc;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct efs *e = efs_get();
	char lname[LNAME_SIZE], target[PATH_MAX];
	ssize_t n;
	int dirfd, rc;

	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	n = readlinkat(dirfd, lname, target, sizeof(target) - 1);
	close(dirfd);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	/* FUSE wants a NUL-terminated string, truncated to size. */
	rc = efs_target_decrypt(e, target, buf, size);
	if (rc == -ENAMETOOLONG && size) {
		char plain[PATH_MAX];

		rc = efs_target_decrypt(e, target, plain, sizeof(plain));
		if (!rc)
			snprintf(buf, size, "%s", plain);
	}
	return rc;
}

/* Two paths resolved, for rename and link. */
static int two_paths(const char *from, const char *to, int *fd1, char *n1, int *fd2, char *n2)
{
	struct efs *e = efs_get();
	int rc;

	rc = efs_resolve(e, from, fd1, n1, LNAME_SIZE);
	if (rc)
		return rc;
	rc = efs_resolve(e, to, fd2, n2, LNAME_SIZE);
	if (rc)
		close(*fd1);
	return rc;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	char n1[LNAME_SIZE], n2[LNAME_SIZE];
	int fd1, fd2, rc;

	/* libfuse hiding an open file that is unlinked or renamed over. */
	rc = flags ? 0 : efs_hidden_hide(efs_get(), from, to);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = two_paths(from, to, &fd1, n1, &fd2, n2);
	if (rc)
		return rc;
	rc = renameat2(fd1, n1, fd2, n2, flags) ? -errno : 0;
	close(fd1);
	close(fd2);
	/* A directory may have moved: paths cached below it are wrong now. */
	efs_dirs_forget(efs_get());
	return rc;
}

static int op_link(const char *from, const char *to)
{
	char n1[LNAME_SIZE], n2[LNAME_SIZE];
	struct efs_creds creds;
	int fd1, fd2, rc;

	rc = two_paths(from, to, &fd1, n1, &fd2, n2);
	if (rc)
		return rc;
	/* As the caller, as the kernel links: the same checks on the lower side. */
	rc = efs_as_caller(efs_get(), &creds);
	if (!rc) {
		rc = linkat(fd1, n1, fd2, n2, 0) ? -errno : 0;
		efs_as_daemon(efs_get(), &creds);
	}
	close(fd1);
	close(fd2);
	return rc;
}

/*
 * fchmod, fchown and futimens of a file unlinked while open reach us by
 * its hidden name (efs-hidden.c): act on the open entry's fd. 1: it was
 * one, *rc the result.
 */
static int on_hidden(const char *path, int (*act)(int, const void *), const void *arg, int *rc)
{
	struct efs *e = efs_get();
	struct efs_file *f = efs_hidden_get(e, path);

	if (!f)
		return 0;
	/* under the entry's lock: upgrade() may swap its fd (review finding F1) */
	pthread_mutex_lock(&f->lock);
	*rc = act(f->fd, arg) ? -errno : 0;
	pthread_mutex_unlock(&f->lock);
	efs_file_put(e, f);
	return 1;
}

static int fd_chmod(int fd, const void *arg)
{
	return fchmod(fd, *(const mode_t *)arg);
}

static int fd_chown(int fd, const void *arg)
{
	const uid_t *ids = arg;

	return fchown(fd, ids[0], (gid_t)ids[1]);
}

static int fd_utimens(int fd, const void *arg)
{
	return futimens(fd, arg);
}

/*
 * chmod and chown act on the object itself, opened O_PATH without following
 * a symlink (a symlink's mode cannot change: EOPNOTSUPP, as on Linux).
 */
static int do_chmod(int dirfd, const char *lname, const void *arg)
{
	char proc[32];
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, lname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		rc = -errno;
	else if (S_ISLNK(st.st_mode))
		rc = -EOPNOTSUPP;
	else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		rc = chmod(proc, *(const mode_t *)arg) ? -errno : 0;
	}
	close(fd);
	return rc;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int rc;

	if (on_hidden(path, fd_chmod, &mode, &rc))
		return rc;
	return at_lower(path, do_chmod, &mode);
}

static int do_chown(int dirfd, const char *lname, const void *arg)
{
	const uid_t *ids = arg;

	return fchownat(dirfd, lname, ids[0], (gid_t)ids[1], AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	uid_t ids[2] = { uid, (uid_t)gid };
	int rc;

	if (on_hidden(path, fd_chown, ids, &rc))
		return rc;
	return at_lower(path, do_chown, ids);
}

static int do_utimens(int dirfd, const char *lname, const void *arg)
{
	return utimensat(dirfd, lname, arg, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	int rc;

	if (on_hidden(path, fd_utimens, tv, &rc))
		return rc;
	return at_lower(path, do_utimens, tv);
}

static int op_statfs(const char *path, struct statvfs *sv)
{
	struct efs *e = efs_get();

	if (fstatvfs(e->lower_fd, sv))
		return -errno;
	/* 143 with filename encryption: the longest name whose lower name fits. */
	if (sv->f_namemax > (unsigned long)e->name_max)
		sv->f_namemax = (unsigned long)e->name_max;
	return 0;
}

void efs_ops_dir(struct fuse_operations *ops)
{
	ops->getattr = op_getattr;
	ops->opendir = op_opendir;
	ops->readdir = op_readdir;
	ops->releasedir = op_releasedir;
	ops->mkdir = op_mkdir;
	ops->unlink = op_unlink;
	ops->rmdir = op_rmdir;
	ops->mknod = op_mknod;
	ops->symlink = op_symlink;
	ops->readlink = op_readlink;
	ops->rename = op_rename;
	ops->link = op_link;
	ops->chmod = op_chmod;
	ops->chown = op_chown;
	ops->utimens = op_utimens;
	ops->statfs = op_statfs;
}
