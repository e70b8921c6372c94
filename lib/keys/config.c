// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration files, the careful part: error detail, alias names, the
 * ~/.ecryptfs directory and a bounded, no-symlink, owner-checked read of one
 * file from a directory fd; the places a wrapped passphrase may live outside
 * ~/.ecryptfs (a root-owned policy) and the opening of a declared link's
 * target. Everything here is [privileged-safe] (see the header): no
 * libgcrypt, and no path walking but ect_path_open_dir's, without symlinks.
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
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
	/*
	 * '/' and ".." would leave ~/.ecryptfs; ',' could smuggle mount
	 * options; a leading '-' would reach the helpers' argv as an option.
	 */
	if (alias[0] == '-' || strchr(alias, '/') || strstr(alias, "..") || strchr(alias, ','))
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

/* ---- the wrapped passphrase on removable media (issue 16) ---- */

/* pat with %u, %U and %% expanded into out; ECT_E_CONFIG on another '%'. */
static int expand_pattern(const char *pat, const char *user, uid_t uid, char *out, size_t size)
{
	size_t w = 0;
	int n;

	for (; *pat; pat++) {
		const char *add = NULL;
		char num[16];

		if (*pat != '%') {
			if (w + 1 >= size)
				return -ENAMETOOLONG;
			out[w++] = *pat;
			continue;
		}
		pat++;
		if (*pat == 'u') {
			add = user;
		} else if (*pat == 'U') {
			snprintf(num, sizeof(num), "%u", (unsigned int)uid);
			add = num;
		} else if (*pat == '%') {
			add = "%";
		} else {
			return ECT_E_CONFIG;
		}
		n = snprintf(out + w, size - w, "%s", add);
		if (n < 0 || (size_t)n >= size - w)
			return -ENAMETOOLONG;
		w += (size_t)n;
	}
	out[w] = '\0';
	return 0;
}

/* An absolute path without "//", "." or ".." components and no trailing '/'. */
static bool is_normal_abs(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *c = p; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '/' || (c[1] == '\0' && c != p))
			return false;
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0' ||
				    (c[2] == '.' && (c[3] == '/' || c[3] == '\0'))))
			return false;
	}
	return true;
}

/* One policy line (blank and comment lines are 1: no match, no fault). */
static int match_line(char *line, const char *name, unsigned int lineno, const char *user,
		      uid_t uid, const char *dir, struct ect_config_error *err)
{
	char pattern[PATH_MAX];
	size_t len;
	int ret;

	line += strspn(line, " \t");
	len = strlen(line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	if (!len || line[0] == '#')
		return 1;
	if (!ect__config_printable(line, len) || strpbrk(line, " \t"))
		return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					"one pattern a line, without blanks or control characters");
	ret = expand_pattern(line, user, uid, pattern, sizeof(pattern));
	if (ret == ECT_E_CONFIG)
		return ect__config_fail(err, ret, name, lineno,
					"unknown %% escape (only %%u, %%U and %%%%)");
	if (ret)
		return ect__config_fail(err, ret, name, lineno, "pattern too long");
	if (!is_normal_abs(pattern) || !strcmp(pattern, "/"))
		return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					"not an absolute path below / without '.', '..' or '//'");
	return fnmatch(pattern, dir, FNM_PATHNAME | FNM_PERIOD) ? 1 : 0;
}

/* The policy file's directory: root's and writable by nobody else. */
static int open_policy_dir(const char *policy, char *base, size_t size,
			   struct ect_config_error *err)
{
	const char *slash = strrchr(policy, '/');
	char dir[PATH_MAX];
	struct stat st;
	int fd;

	if (policy[0] != '/' || !slash[1] || (size_t)snprintf(base, size, "%s", slash + 1) >= size)
		return ect__config_fail(err, -EINVAL, policy, 0, "not an absolute file name");
	snprintf(dir, sizeof(dir), "%.*s", slash == policy ? 1 : (int)(slash - policy), policy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ect__config_fail(err, -errno, policy, 0, "%s", strerror(errno));
	if (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, policy, 0,
					"ignored: its directory %s is not root's, or others can "
					"write it", dir);
	}
	return fd;
}

int ect_wrapped_locations_allow(const char *policy, uid_t uid, const char *dir,
				struct ect_config_error *err)
{
	char base[ECT_WRAPPED_BASE_SIZE], pwbuf[1024], *data = NULL, *line, *next;
	struct passwd pw, *found = NULL;
	unsigned int lineno = 0, matched = 0;
	size_t size = 0;
	int dfd, ret, verdict = ECT_E_UNSAFE_PATH;

	if (!policy)
		policy = ECT_WRAPPED_LOCATIONS_FILE;
	if (!dir || !is_normal_abs(dir))
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, dir ? dir : "", 0,
					"not a normalised absolute path");
	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &found) || !found)
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, policy, 0,
					"uid %u has no user name", (unsigned int)uid);
	dfd = open_policy_dir(policy, base, sizeof(base), err);
	if (dfd < 0)
		return dfd;
	/* uid 0, no group/other write: the checks of every root-owned config */
	ret = ect__config_read_at(dfd, base, 0, ECT_CONFIG_CONTENT, ECT_CONFIG_FILE_MAX, &data,
				  &size, err);
	close(dfd);
	if (ret && ret != -ENOENT && err) {
		char reason[sizeof(err->reason)];

		snprintf(reason, sizeof(reason), "%s", err->reason);
		ect__config_fail(err, ret, policy, 0, "ignored: %s", reason);
	}
	if (ret)
		return ret;
	for (line = data; !ret && line < data + size; line = next) {
		char *nl = strchr(line, '\n');

		next = nl ? nl + 1 : data + size;
		if (nl)
			*nl = '\0';
		ret = match_line(line, policy, ++lineno, found->pw_name, uid, dir, err);
		if (!ret && !matched)
			matched = lineno;
		if (!ret)
			verdict = 0; /* keep going: a bad later line voids the file */
		if (ret == 1)
			ret = 0;
	}
	free(data);
	if (ret)
		return ret;
	if (verdict)
		return ect__config_fail(err, verdict, policy, 0, "lists no place matching %s for %s",
					dir, found->pw_name);
	/* verify-private names the line that allows it */
	return ect__config_fail(err, 0, policy, matched, "declares %s for %s", dir, found->pw_name);
}

/* A declared link: its target's directory, opened with no symlink on the way. */
static int open_declared(const char *target, uid_t uid, const char *policy, int *dirfd,
			 char base[ECT_WRAPPED_BASE_SIZE], struct ect_config_error *err)
{
	const char *slash = strrchr(target, '/');
	char dir[PATH_MAX];
	struct stat st;
	int ret;

	if (!is_normal_abs(target) || slash == target ||
	    (size_t)snprintf(base, ECT_WRAPPED_BASE_SIZE, "%s", slash + 1) >= ECT_WRAPPED_BASE_SIZE)
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, target, 0,
					"a symbolic link's target must be a normalised absolute "
					"file name (refused)");
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - target), target);
	ret = ect_wrapped_locations_allow(policy, uid, dir, err);
	if (ret == -ENOENT)
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, target, 0,
					"is the target of a symbolic link and no policy file "
					"declares places (refused)");
	if (ret)
		return ret == ECT_E_CONFIG ? ECT_E_UNSAFE_PATH : ret;
	ret = ect_path_open_dir(NULL, dir, uid, ECT_PATH_NO_SYMLINKS, dirfd, NULL);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return ect__config_fail(err, ECT_E_MEDIUM_ABSENT, dir, 0,
					"does not exist: plug in the medium");
	if (ret)
		return ect__config_fail(err, ret, dir, 0, "cannot open: %s", ect_strerror(ret));
	if (fstatat(*dirfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		ret = errno == ENOENT ? ECT_E_MEDIUM_ABSENT : -errno;
		close(*dirfd);
		*dirfd = -1;
		return ect__config_fail(err, ret, target, 0, "%s", ret == ECT_E_MEDIUM_ABSENT ?
					"does not exist: is the right medium plugged in?" :
					strerror(-ret));
	}
	return 0;
}

int ect_wrapped_locate_at(int config_fd, const char *name, uid_t uid, const char *policy,
			  int *dirfd, char base[ECT_WRAPPED_BASE_SIZE],
			  struct ect_config_error *err)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	*dirfd = -1;
	if (!name || !*name || strchr(name, '/') || strlen(name) >= ECT_WRAPPED_BASE_SIZE)
		return ect__config_fail(err, -EINVAL, name ? name : "", 0, "not a plain file name");
	if (fstatat(config_fd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISLNK(st.st_mode)) {
		/* not a link: the file itself, checked as always by its reader */
		*dirfd = fcntl(config_fd, F_DUPFD_CLOEXEC, 3);
		if (*dirfd < 0)
			return -errno;
		snprintf(base, ECT_WRAPPED_BASE_SIZE, "%s", name);
		return 0;
	}
	if (uid != (uid_t)-1 && st.st_uid != uid)
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
					"is a symbolic link owned by uid %u (refused)",
					(unsigned int)st.st_uid);
	n = readlinkat(config_fd, name, target, sizeof(target));
	if (n < 0)
		return ect__config_fail(err, -errno, name, 0, "%s", strerror(errno));
	if ((size_t)n >= sizeof(target))
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0, "link target too long");
	target[n] = '\0';
	return open_declared(target, uid == (uid_t)-1 ? getuid() : uid, policy, dirfd, base, err);
}
