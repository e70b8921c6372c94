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
 *
 * The name handed back is never trusted from the components alone (a ".."
 * goes to the real parent of the fd, which a concurrent rename can move:
 * issue #10): it is the kernel's name of the final fd, verified by opening
 * it again, and it must be the path as written (symlinks and ".." applied);
 * when a rename made the two differ, the walk is refused.
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
/* Tries to name the final fd while a rename races the check. */
#define ECT_CANON_TRIES 3

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool under_kernel_dirs(const char *path)
{
	return under(path, "/proc") || under(path, "/sys") || under(path, "/dev");
}

/*
 * One walk. "named" is the path as the user wrote it, component by
 * component: after a ".." it may name something else than cur (issue #10),
 * so it is only compared with the verified name of the final fd.
 */
struct walk {
	struct ect_ctx *ctx;
	const char *path;
	uid_t owner;
	unsigned int flags;
	char *work; /* the components still to open */
	char *named;
	int cur;    /* O_PATH fd of what was opened so far */
	int links;
};

static void named_up(char *named)
{
	char *slash = strrchr(named, '/');

	if (slash)
		*slash = '\0';
}

static int named_add(struct walk *w, const char *comp)
{
	if (strlen(w->named) + 1 + strlen(comp) > PATH_MAX)
		return -ENAMETOOLONG;
	strcat(w->named, "/");
	strcat(w->named, comp);
	return 0;
}

static int reopen_root(struct walk *w)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
	w->named[0] = '\0';
	return 0;
}

/* nfd is a symlink named comp: check its owner and splice its target before *rest. */
static int walk_symlink(struct walk *w, int nfd, const struct stat *st, const char *comp,
			char **rest)
{
	char target[PATH_MAX + 1];
	size_t restlen = strlen(*rest);
	ssize_t n;

	if (w->flags & ECT_PATH_NO_SYMLINKS) {
		ect_err(w->ctx, "refusing '%s': '%s/%s' is a symlink", w->path, w->named, comp);
		return ECT_E_UNSAFE_PATH;
	}
	if (st->st_uid != 0 && st->st_uid != w->owner) {
		ect_err(w->ctx, "refusing '%s': symlink '%s/%s' belongs to uid %u, not to you or root",
			w->path, w->named, comp, (unsigned int)st->st_uid);
		return ECT_E_UNSAFE_PATH;
	}
	if (++w->links > ECT_SYMLINK_MAX) {
		ect_err(w->ctx, "refusing '%s': too many symlinks", w->path);
		return -ELOOP;
	}
	n = readlinkat(nfd, "", target, sizeof(target) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	target[n] = '\0';
	/* new work = target + "/" + rest */
	if ((size_t)n + 1 + restlen > PATH_MAX)
		return -ENAMETOOLONG;
	memmove(w->work + n + 1, *rest, restlen + 1);
	memcpy(w->work, target, (size_t)n);
	w->work[n] = '/';
	*rest = w->work;
	return target[0] == '/' ? reopen_root(w) : 0;
}

/* Open one component comp below w->cur; *rest is what follows it. */
static int walk_step(struct walk *w, const char *comp, char **rest)
{
	struct stat st;
	int nfd, ret;

	if (!strcmp(comp, "."))
		return 0;
	/* the kernel's ".." (the real parent); the name is only for messages */
	nfd = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0) {
		ret = -errno;
		ect_err(w->ctx, "refusing '%s': cannot open '%s/%s': %s", w->path, w->named, comp,
			strerror(errno));
		return ret;
	}
	if (fstat(nfd, &st)) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = walk_symlink(w, nfd, &st, comp, rest);
		goto out;
	}
	if (**rest && !S_ISDIR(st.st_mode)) {
		ect_err(w->ctx, "refusing '%s': '%s/%s' is not a directory", w->path, w->named, comp);
		ret = -ENOTDIR;
		goto out;
	}
	if (!strcmp(comp, ".."))
		named_up(w->named);
	else if ((ret = named_add(w, comp)))
		goto out;
	close(w->cur);
	w->cur = nfd;
	nfd = -1;
	ret = 0;
out:
	if (nfd >= 0)
		close(nfd);
	return ret;
}

static int walk_all(struct walk *w)
{
	char *rest = w->work;
	int ret;

	while (*rest) {
		char *comp;
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
		/* walk_symlink rewrites work: keep comp's bytes until it is done */
		{
			char name[NAME_MAX + 1];

			if (len > NAME_MAX)
				return -ENAMETOOLONG;
			memcpy(name, comp, len + 1);
			ret = walk_step(w, name, &rest);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Open an absolute path that must hold no symlink, "." or ".." (a canonical one). */
static int open_plain(const char *path, int *fd)
{
	char *copy = strdup(path), *save = NULL, *c;
	int cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), nfd, ret = 0;

	*fd = -1;
	if (!copy || cur < 0) {
		ret = copy ? -errno : -ENOMEM;
		goto out;
	}
	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, ".") || !strcmp(c, "..")) {
			ret = ECT_E_UNSAFE_PATH;
			goto out;
		}
		nfd = openat(cur, c, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0) {
			ret = -errno;
			goto out;
		}
		close(cur);
		cur = nfd;
	}
	*fd = cur;
	cur = -1;
out:
	if (cur >= 0)
		close(cur);
	free(copy);
	return ret;
}

/* 1 when a and b are the same directory on the same mount. */
static bool same_object(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
	       ect_mount_id_of(a) == ect_mount_id_of(b) && ect_mount_id_of(a) >= 0;
}

/*
 * The path of fd as the kernel names it, accepted only when opening that
 * string again, with no symlink and no "..", leads to the same object on
 * the same mount. A rename in between makes it retry, then refuse.
 */
static int canonical_of(struct walk *w, int fd, char **canon)
{
	char link[64];
	int ret = ECT_E_UNSAFE_PATH;

	*canon = NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	for (int i = 0; i < ECT_CANON_TRIES; i++) {
		char *name = malloc(PATH_MAX + 1);
		ssize_t n;
		int again = -1;

		if (!name)
			return -ENOMEM;
		n = readlink(link, name, PATH_MAX);
		if (n <= 0 || n >= PATH_MAX) {
			ret = n < 0 ? -errno : -ENAMETOOLONG;
			free(name);
			break;
		}
		name[n] = '\0';
		if (name[0] == '/' && !open_plain(name, &again) && same_object(fd, again)) {
			close(again);
			*canon = name;
			return 0;
		}
		if (again >= 0)
			close(again);
		free(name);
	}
	ect_err(w->ctx, "refusing '%s': it cannot be named by a path without symlinks or '..' "
			"(moved while being checked?)", w->path);
	return ret;
}

/*
 * CVE-2016-1572 by identity: the file system of fd is one mounted on or
 * below /proc, /sys or /dev (e.g. the tmpfs of /dev/shm), wherever else it
 * may also be reachable.
 */
static int on_kernel_fs(int fd)
{
	char *line = NULL;
	size_t cap = 0;
	struct stat st;
	int found = 0;
	FILE *f;

	if (fstat(fd, &st))
		return -errno;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (!found && getline(&line, &cap, f) > 0) {
		struct ect_mountinfo_entry e;

		if (!ect_mountinfo_parse_line(line, &e) && e.dev == st.st_dev &&
		    under_kernel_dirs(e.target))
			found = 1;
	}
	free(line);
	fclose(f);
	return found;
}

/* The checks on the final directory (fd) and its verified name. */
static int check_final(struct walk *w, int fd, const char *canon)
{
	struct stat st;
	struct statfs sfs;
	int r;

	if (fstat(fd, &st) || fstatfs(fd, &sfs))
		return -errno;
	r = on_kernel_fs(fd);
	if (r < 0)
		return r;
	if (r || under_kernel_dirs(canon)) {
		ect_err(w->ctx, "refusing '%s': '%s' is under /proc, /sys or /dev", w->path, canon);
		return ECT_E_UNSAFE_PATH;
	}
	if ((w->flags & ECT_PATH_CHECK_OWNER) && st.st_uid != w->owner) {
		ect_err(w->ctx, "refusing '%s': '%s' belongs to uid %u, not to you (uid %u)", w->path,
			canon, (unsigned int)st.st_uid, (unsigned int)w->owner);
		return ECT_E_UNSAFE_PATH;
	}
	if ((w->flags & ECT_PATH_CHECK_FSTYPE) && !ect_fstype_allowed((unsigned long)sfs.f_type)) {
		ect_err(w->ctx, "refusing '%s': '%s' is on an unapproved filesystem type (%s, 0x%lx)",
			w->path, canon, ect_fstype_name((unsigned long)sfs.f_type),
			(unsigned long)sfs.f_type & 0xffffffffUL);
		return ECT_E_UNSAFE_PATH;
	}
	return 0;
}

/*
 * The walk's end: open the fd the caller will use, name it (verified), and
 * run every check on that fd. On success *fd and *canon are the caller's.
 */
static int open_final(struct walk *w, int *fd, char **canon)
{
	const char *named = w->named[0] ? w->named : "/";
	int nfd, ret;

	nfd = openat(w->cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (nfd < 0) {
		ret = -errno;
		ect_err(w->ctx, "refusing '%s': not a usable directory: %s", w->path,
			strerror(errno));
		return ret;
	}
	ret = canonical_of(w, nfd, canon);
	if (!ret && strcmp(*canon, named)) {
		/* the path as written no longer names what was opened: a rename raced the walk */
		ect_err(w->ctx, "refusing '%s': it led to '%s', which is not '%s' (moved while "
				"being checked?)", w->path, *canon, named);
		ret = ECT_E_UNSAFE_PATH;
	}
	if (!ret)
		ret = check_final(w, nfd, *canon);
	if (ret) {
		close(nfd);
		free(*canon);
		*canon = NULL;
		return ret;
	}
	*fd = nfd;
	return 0;
}

int ect_path_open_dir(struct ect_ctx *ctx, const char *path, uid_t owner, unsigned int flags,
		      int *fd, char **canonical)
{
	struct walk w = { .ctx = ctx, .path = path, .owner = owner, .flags = flags, .cur = -1 };
	char *canon = NULL;
	int ret;

	*fd = -1;
	if (canonical)
		*canonical = NULL;
	if (!path || path[0] != '/') {
		ect_err(ctx, "refusing '%s': not an absolute path", path ? path : "(null)");
		return ECT_E_UNSAFE_PATH;
	}
	if (strlen(path) > PATH_MAX)
		return -ENAMETOOLONG;
	w.work = malloc(PATH_MAX + 1);
	w.named = calloc(1, PATH_MAX + 1);
	if (!w.work || !w.named) {
		ret = -ENOMEM;
		goto out;
	}
	strcpy(w.work, path);
	/* from "/", one component at a time; then the final fd and its checks */
	ret = reopen_root(&w);
	if (!ret)
		ret = walk_all(&w);
	if (!ret)
		ret = open_final(&w, fd, &canon);
	if (!ret && canonical) {
		*canonical = canon;
		canon = NULL;
	}
out:
	if (w.cur >= 0)
		close(w.cur);
	free(w.work);
	free(w.named);
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
