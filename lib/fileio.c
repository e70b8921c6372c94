// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole-file reads with type checks, and atomic replacement. */
#include "ect-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_SUFFIX ".tmp-XXXXXX"
#define TEMP_TRIES 4

static int write_all(int fd, const void *data, size_t size)
{
	const unsigned char *p = data;

	while (size) {
		ssize_t w = write(fd, p, size);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		size -= (size_t)w;
	}
	return 0;
}

static int fsync_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd, ret = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * A writer killed between its temp file and the rename leaves
 * "NAME.tmp-XXXXXX" behind. Every writer holds an exclusive flock on its
 * temp file from creation to rename, so one whose lock can be taken belongs
 * to a dead writer: remove those of NAME before writing NAME again.
 */
static void remove_dead_temps(const char *path)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	const char *slash = strrchr(path, '/');
	size_t blen;
	struct dirent *e;
	DIR *d;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (snprintf(base, sizeof(base), "%s", slash ? slash + 1 : path) >= (int)sizeof(base))
		return;
	blen = strlen(base);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st, now;
		int fd;

		if (strlen(e->d_name) != blen + strlen(TEMP_SUFFIX) ||
		    strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".tmp-", 5))
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;
		/* unlink while holding the lock, and only the file that was locked */
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && !flock(fd, LOCK_EX | LOCK_NB) &&
		    !fstatat(dirfd(d), e->d_name, &now, AT_SYMLINK_NOFOLLOW) &&
		    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
			(void)unlinkat(dirfd(d), e->d_name, 0);
		close(fd);
	}
	closedir(d);
}

/* A fresh temp file beside path, locked (see remove_dead_temps). */
static int make_temp(const char *path, char *tmp, size_t size)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		struct stat st;
		int fd;

		if (snprintf(tmp, size, "%s" TEMP_SUFFIX, path) >= (int)size)
			return -ENAMETOOLONG;
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
		/* a cleaner took it for dead before we locked it: take another */
		if (!fstat(fd, &st) && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

int ect_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode, uid_t uid,
			  gid_t gid)
{
	char tmp[PATH_MAX];
	int fd = -1, ret;

	remove_dead_temps(path);
	fd = make_temp(path, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	if (fchmod(fd, mode)) {
		ret = -errno;
		goto fail;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid)) {
		ret = -errno;
		goto fail;
	}
	ret = write_all(fd, data, size);
	if (ret)
		goto fail;
	if (fsync(fd)) {
		ret = -errno;
		goto fail;
	}
	/* rename before close: the lock must cover the temp name's whole life */
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	ret = close(fd) ? -errno : 0;
	fd = -1;
	if (ret)
		return ret;
	return fsync_parent_dir(path);
fail:
	/* unlink before close, for the same reason */
	unlink(tmp);
	if (fd >= 0)
		close(fd);
	return ret;
}

int ect__read_full(int fd, void *buf, size_t cap, size_t *n)
{
	*n = 0;
	while (*n < cap) {
		ssize_t r = read(fd, (char *)buf + *n, cap - *n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

int ect_read_file(const char *path, size_t max, int secure, void **data, size_t *size)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t alloc = 0, n = 0;
	int fd, ret;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	alloc = (size_t)st.st_size + 1;
	buf = secure ? ect_secure_alloc(alloc) : calloc(1, alloc);
	if (!buf) {
		ret = secure ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	ret = ect__read_full(fd, buf, alloc, &n);
	if (ret)
		goto out;
	if (n == alloc) {
		/* The file grew past its stat size: refuse rather than truncate. */
		ret = -EFBIG;
		goto out;
	}
	*data = buf;
	*size = n;
	buf = NULL;
	ret = 0;
out:
	if (buf) {
		if (secure)
			ect_secure_free(buf, alloc);
		else
			free(buf);
	}
	close(fd);
	return ret;
}
