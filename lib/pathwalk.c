// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Path walking for the setuid helper (CVE-2011-1831/1832/1837, CVE-2016-1572).
 *
 * A path is opened one component at a time with O_PATH|O_NOFOLLOW from "/",
 * so nothing is ever re-resolved after it was checked: the checks run with
 * fstat/fstatfs on the very fd that the caller then mounts on or reads from.
 * Symlinks are followed only when root or the user owns them (the user can
 * only redirect to objects that must then pass the same checks); a link
 * planted by anyone else is refused.
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define ECT_SYMLINK_MAX 40

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Drop the last component of the canonical path being built. */
static void canon_up(char *canon)
{
	char *slash = strrchr(canon, '/');

	if (slash)
		*slash = '\0';
}

int ect_path_open_dir(struct ect_ctx *ctx, const char *path, uid_t owner, unsigned int flags,
		      int *fd, char **canonical)
{
	char *work = NULL, *canon = NULL, *rest, *comp;
	int cur = -1, nfd = -1, links = 0, ret;
	struct stat st;
	struct statfs sfs;

	*fd = -1;
	if (canonical)
		*canonical = NULL;
	if (!path || path[0] != '/') {
		ect_err(ctx, "refusing '%s': not an absolute path", path ? path : "(null)");
		return ECT_E_UNSAFE_PATH;
	}
	work = malloc(PATH_MAX + 1);
	canon = calloc(1, PATH_MAX + 1);
	if (!work || !canon) {
		ret = -ENOMEM;
		goto out;
	}
	if (strlen(path) > PATH_MAX) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(work, path);
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0) {
		ret = -errno;
		goto out;
	}
	rest = work;
	while (*rest) {
		size_t len;

		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		comp = rest;
		len = strcspn(rest, "/");
		rest += len;
		if (*rest)
			*rest++ = '\0';
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			nfd = openat(cur, "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0) {
				ret = -errno;
				goto out;
			}
			close(cur);
			cur = nfd;
			nfd = -1;
			canon_up(canon);
			continue;
		}
		nfd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			ret = -errno;
			ect_err(ctx, "refusing '%s': cannot open '%s%s%s': %s", path, canon, "/", comp,
				strerror(errno));
			goto out;
		}
		if (fstat(nfd, &st)) {
			ret = -errno;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX + 1];
			ssize_t n;

			if (flags & ECT_PATH_NO_SYMLINKS) {
				ect_err(ctx, "refusing '%s': '%s/%s' is a symlink", path, canon, comp);
				ret = ECT_E_UNSAFE_PATH;
				goto out;
			}
			if (st.st_uid != 0 && st.st_uid != owner) {
				ect_err(ctx, "refusing '%s': symlink '%s/%s' belongs to uid %u, not to you or root",
					path, canon, comp, (unsigned int)st.st_uid);
				ret = ECT_E_UNSAFE_PATH;
				goto out;
			}
			if (++links > ECT_SYMLINK_MAX) {
				ect_err(ctx, "refusing '%s': too many symlinks", path);
				ret = -ELOOP;
				goto out;
			}
			n = readlinkat(nfd, "", target, sizeof(target) - 1);
			if (n <= 0) {
				ret = n < 0 ? -errno : -ENOENT;
				goto out;
			}
			target[n] = '\0';
			close(nfd);
			nfd = -1;
			/* new work = target + "/" + rest */
			if ((size_t)n + 1 + strlen(rest) > PATH_MAX) {
				ret = -ENAMETOOLONG;
				goto out;
			}
			memmove(work + n + 1, rest, strlen(rest) + 1);
			memcpy(work, target, (size_t)n);
			work[n] = '/';
			rest = work;
			if (target[0] == '/') {
				close(cur);
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0) {
					ret = -errno;
					goto out;
				}
				canon[0] = '\0';
			}
			continue;
		}
		if (*rest && !S_ISDIR(st.st_mode)) {
			ect_err(ctx, "refusing '%s': '%s/%s' is not a directory", path, canon, comp);
			ret = -ENOTDIR;
			goto out;
		}
		if (strlen(canon) + 1 + len > PATH_MAX) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		strcat(canon, "/");
		strcat(canon, comp);
		close(cur);
		cur = nfd;
		nfd = -1;
	}
	if (!canon[0])
		strcpy(canon, "/");
	/* The fd the caller will use, and every check on it. */
	nfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (nfd < 0) {
		ret = -errno;
		ect_err(ctx, "refusing '%s': '%s' is not a usable directory: %s", path, canon,
			strerror(errno));
		goto out;
	}
	if (fstat(nfd, &st) || fstatfs(nfd, &sfs)) {
		ret = -errno;
		goto out;
	}
	if (under(canon, "/proc") || under(canon, "/sys") || under(canon, "/dev")) {
		ect_err(ctx, "refusing '%s': '%s' is under /proc, /sys or /dev", path, canon);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if ((flags & ECT_PATH_CHECK_OWNER) && st.st_uid != owner) {
		ect_err(ctx, "refusing '%s': '%s' belongs to uid %u, not to you (uid %u)", path, canon,
			(unsigned int)st.st_uid, (unsigned int)owner);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if ((flags & ECT_PATH_CHECK_FSTYPE) && !ect_fstype_allowed((unsigned long)sfs.f_type)) {
		ect_err(ctx, "refusing '%s': '%s' is on an unapproved filesystem type (%s, 0x%lx)", path,
			canon, ect_fstype_name((unsigned long)sfs.f_type),
			(unsigned long)sfs.f_type & 0xffffffffUL);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	*fd = nfd;
	nfd = -1;
	if (canonical) {
		*canonical = canon;
		canon = NULL;
	}
	ret = 0;
out:
	if (nfd >= 0)
		close(nfd);
	if (cur >= 0)
		close(cur);
	free(work);
	free(canon);
	return ret;
}

int ect_path_read_file(struct ect_ctx *ctx, int dirfd, const char *name, uid_t owner, size_t max,
		       char **data, size_t *size)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, ret;

	*data = NULL;
	*size = 0;
	if (!*name || strchr(name, '/'))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		if (errno == ELOOP)
			ect_err(ctx, "refusing '%s': it is a symlink", name);
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ect_err(ctx, "refusing '%s': not a regular file", name);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if (st.st_uid != owner) {
		ect_err(ctx, "refusing '%s': it belongs to uid %u, not to you (uid %u)", name,
			(unsigned int)st.st_uid, (unsigned int)owner);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		ect_err(ctx, "refusing '%s': larger than %zu bytes", name, max);
		ret = -EFBIG;
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ect__read_full(fd, buf, max, &got);
	if (ret)
		goto out;
	buf[got] = '\0';
	*data = buf;
	*size = got;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
