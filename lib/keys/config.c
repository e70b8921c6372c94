// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration files, the careful part: error detail, alias names, the
 * ~/.ecryptfs directory and a bounded, no-symlink, owner-checked read of one
 * file from a directory fd. Everything here is [privileged-safe] (see the
 * header): no libgcrypt, no path walking beyond one plain name.
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct ect_config_flag_file ect__config_flag_files[ECT_CONFIG_NFLAGS] = {
	{ "auto-mount", ECT_FLAG_AUTO_MOUNT },
	{ "auto-umount", ECT_FLAG_AUTO_UMOUNT },
	{ "wrapping-independent", ECT_FLAG_WRAPPING_INDEPENDENT },
};

int ect__config_fail(struct ect_config_error *err, int ret, const char *file, unsigned int line,
		     const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return ret;
}

const char *ect_config_error_format(const struct ect_config_error *err, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (!err || !err->file[0])
		snprintf(buf, size, "%s", err ? err->reason : "");
	else if (err->line)
		snprintf(buf, size, "%s:%u: %s", err->file, err->line, err->reason);
	else
		snprintf(buf, size, "%s: %s", err->file, err->reason);
	return buf;
}

bool ect__config_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int ect_alias_check(const char *alias)
{
	size_t len;

	if (!alias)
		return ECT_E_CONFIG;
	len = strnlen(alias, ECT_ALIAS_MAX + 1);
	if (len == 0 || len > ECT_ALIAS_MAX)
		return ECT_E_CONFIG;
	/* '/' and ".." would leave ~/.ecryptfs; ',' could smuggle mount options. */
	if (strchr(alias, '/') || strstr(alias, "..") || strchr(alias, ','))
		return ECT_E_CONFIG;
	if (!ect__config_printable(alias, len))
		return ECT_E_CONFIG;
	return 0;
}

int ect_config_dir_open(const char *home, uid_t uid, int *dirfd)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, ret;

	*dirfd = -1;
	if (!home || home[0] != '/')
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%s", home, ECT_CONFIG_DIR_NAME) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* The last name may be a symlink (encrypted home); O_DIRECTORY still refuses FIFOs etc. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto fail;
	}
	if (st.st_uid != uid || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		ret = ECT_E_UNSAFE_PATH;
		goto fail;
	}
	*dirfd = fd;
	return 0;
fail:
	close(fd);
	return ret;
}

int ect__config_read_at(int dirfd, const char *name, uid_t uid, enum ect_config_open mode,
			size_t max, char **data, size_t *size, struct ect_config_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, ret;

	*data = NULL;
	*size = 0;
	if (strchr(name, '/'))
		return ect__config_fail(err, -EINVAL, name, 0, "not a plain file name");
	/* O_NONBLOCK: a FIFO planted under the name must not hang the reader. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
						"is a symbolic link (refused)");
		if (ret == -ENOENT)
			return ect__config_fail(err, ret, name, 0, "does not exist");
		return ect__config_fail(err, ret, name, 0, "cannot open: %s", ect_strerror(ret));
	}
	if (fstat(fd, &st)) {
		ret = ect__config_fail(err, -errno, name, 0, "cannot stat");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0, "is not a regular file");
		goto out;
	}
	if (uid != (uid_t)-1 && st.st_uid != uid) {
		ret = ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
				       "is owned by uid %u, not by uid %u", (unsigned int)st.st_uid,
				       (unsigned int)uid);
		goto out;
	}
	if (!(mode & ECT_CONFIG_ANY_MODE) && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		ret = ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
				       "is writable by group or others (chmod go-w)");
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		ret = ect__config_fail(err, ECT_E_CONFIG, name, 0, "is larger than %zu bytes", max);
		goto out;
	}
	buf = malloc(max + 2);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	/* Read one byte past the cap so a file that grew since fstat is caught. */
	ret = ect__read_full(fd, buf, max + 1, &n);
	if (ret) {
		ect__config_fail(err, ret, name, 0, "cannot read: %s", ect_strerror(ret));
		goto out;
	}
	if (n > max) {
		ret = ect__config_fail(err, ECT_E_CONFIG, name, 0, "is larger than %zu bytes", max);
		goto out;
	}
	if (!(mode & ECT_CONFIG_BINARY) && memchr(buf, '\0', n)) {
		ret = ect__config_fail(err, ECT_E_CONFIG, name, 0, "contains a NUL byte");
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*size = n;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
