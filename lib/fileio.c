// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole-file reads with type checks, and atomic replacement. */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int ect_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode, uid_t uid,
			  gid_t gid)
{
	char tmp[PATH_MAX];
	int fd = -1, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
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
	if (close(fd)) {
		fd = -1;
		ret = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	return fsync_parent_dir(path);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
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
