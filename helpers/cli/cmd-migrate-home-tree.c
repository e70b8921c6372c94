// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: the tree work. Everything runs as root through
 * directory fds: entries are looked at with fstatat(AT_SYMLINK_NOFOLLOW),
 * opened with O_NOFOLLOW and checked with fstat, and symlinks and special
 * files are handled through their directory fd ("/proc/self/fd/D/NAME" with
 * the l* calls for xattrs), so a user's symlink never leads root elsewhere.
 * Source files and directories are read with O_NOATIME: the plain home
 * keeps its access times.
 */
#include "cmd-migrate-home.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>


static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dirfd, sorted (a stable order: resumed runs pick the same link leaders). */
int mig_list_dir(int dirfd, char ***names, size_t *n)
{
	int fd = dup(dirfd);
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **p = realloc(*names, (cap = cap ? cap * 2 : 32) * sizeof(*p));

			if (!p)
				goto nomem;
			*names = p;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_names);
	return 0;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
	*n = 0;
	return -ENOMEM;
}

void mig_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int mig_open_dir_at(int dirfd, const char *name, int extra)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | extra);
}

char *mig_join(const char *rel, const char *name)
{
	char *p;

	if (!*rel)
		return strdup(name);
	return asprintf(&p, "%s/%s", rel, name) < 0 ? NULL : p;
}

/* .ecryptfs and .Private: links the encrypted home has at its top (111's layout), the plain one not. */
bool mig_is_layout_link(const char *name)
{
	return !strcmp(name, ".ecryptfs") || !strcmp(name, ".Private");
}

/* ---- scan ---- */

static int scan_dir(struct ect_ctx *ctx, int dirfd, const char *rel, struct mig_scan *s)
{
	char **names;
	size_t n;
	int r = mig_list_dir(dirfd, &names, &n);

	if (r) {
		ect_err(ctx, "cannot read %s: %s", *rel ? rel : ".", strerror(-r));
		return -1;
	}
	for (size_t i = 0; i < n && !r; i++) {
		struct stat st;
		char *path = mig_join(rel, names[i]);

		if (!path || fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			ect_err(ctx, "cannot stat %s: %s", path ? path : names[i], strerror(errno));
			r = -1;
		} else {
			s->entries++;
			if (strlen(names[i]) > MIG_NAME_MAX) {
				if (!s->long_names++)
					fprintf(stderr, "Names longer than %d bytes, which eCryptfs "
							"cannot encrypt:\n", MIG_NAME_MAX);
				fprintf(stderr, "  %s (%zu bytes)\n", path, strlen(names[i]));
			}
			if (S_ISREG(st.st_mode)) {
				s->files++;
				s->bytes += st.st_size;
				/* whole 4 KiB extents, an 8 KiB header; holes are stored encrypted */
				s->need += ((uint64_t)st.st_size + 4095) / 4096 * 4096 + 8192;
			} else {
				s->need += 4096;
			}
			if (S_ISDIR(st.st_mode)) {
				int fd = mig_open_dir_at(dirfd, names[i], O_NOATIME);

				if (fd < 0) {
					ect_err(ctx, "cannot open %s: %s", path, strerror(errno));
					r = -1;
				} else {
					r = scan_dir(ctx, fd, path, s);
					close(fd);
				}
			}
		}
		free(path);
	}
	mig_free_list(names, n);
	return r;
}

int mig_scan_tree(struct ect_ctx *ctx, int home_fd, struct mig_scan *scan)
{
	memset(scan, 0, sizeof(*scan));
	return scan_dir(ctx, home_fd, "", scan);
}

/* ---- removal ---- */

int mig_remove_contents(int dirfd)
{
	char **names;
	size_t n;
	int r = mig_list_dir(dirfd, &names, &n);

	for (size_t i = 0; i < n && !r; i++) {
		struct stat st;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			r = errno == ENOENT ? 0 : -errno;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int fd = mig_open_dir_at(dirfd, names[i], 0);

			if (fd < 0) {
				r = -errno;
				continue;
			}
			r = mig_remove_contents(fd);
			close(fd);
			if (!r && unlinkat(dirfd, names[i], AT_REMOVEDIR))
				r = -errno;
		} else if (unlinkat(dirfd, names[i], 0) && errno != ENOENT) {
			r = -errno;
		}
	}
	mig_free_list(names, n);
	return r;
}

int mig_remove_entry(int dirfd, const char *name, const struct stat *st)
{
	if (S_ISDIR(st->st_mode)) {
		int fd = mig_open_dir_at(dirfd, name, 0), r;

		if (fd < 0)
			return -errno;
		r = mig_remove_contents(fd);
		close(fd);
		if (r)
			return r;
		return unlinkat(dirfd, name, AT_REMOVEDIR) ? -errno : 0;
	}
	return unlinkat(dirfd, name, 0) ? -errno : 0;
}

/* ---- metadata ---- */


int mig_ent_init(struct mig_ent *e, int dirfd, const char *name, int fd)
{
	e->dirfd = dirfd;
	e->name = name;
	e->fd = fd;
	e->lpath = NULL;
	if (fd >= 0)
		return 0;
	snprintf(e->proc, sizeof(e->proc), "/proc/self/fd/%d/", dirfd);
	return asprintf(&e->lpath, "%s%s", e->proc, name) < 0 ? -ENOMEM : 0;
}

void mig_ent_free(struct mig_ent *e)
{
	free(e->lpath);
}

ssize_t mig_ent_listxattr(const struct mig_ent *e, char *buf, size_t size)
{
	return e->fd >= 0 ? flistxattr(e->fd, buf, size) : llistxattr(e->lpath, buf, size);
}

ssize_t mig_ent_getxattr(const struct mig_ent *e, const char *n, void *buf, size_t size)
{
	return e->fd >= 0 ? fgetxattr(e->fd, n, buf, size) : lgetxattr(e->lpath, n, buf, size);
}

int mig_ent_setxattr(const struct mig_ent *e, const char *n, const void *v, size_t size)
{
	return e->fd >= 0 ? fsetxattr(e->fd, n, v, size, 0) : lsetxattr(e->lpath, n, v, size, 0);
}

bool mig_is_security(const char *n)
{
	return !strncmp(n, "security.", 9);
}

/* Copy every xattr (user.*, trusted.*, system.posix_acl_*, security.* where the target takes it). */
static int copy_xattrs(struct mig_tree *t, const struct mig_ent *s, const struct mig_ent *d, const char *path)
{
	char *list = malloc(MIG_XATTR_LIST_MAX), *val = malloc(MIG_XATTR_VALUE_MAX);
	ssize_t len;
	int r = 0;

	if (!list || !val) {
		r = -ENOMEM;
		goto out;
	}
	len = mig_ent_listxattr(s, list, MIG_XATTR_LIST_MAX);
	if (len < 0) {
		r = errno == ENOTSUP ? 0 : -errno;
		goto out;
	}
	for (char *n = list; n < list + len && !r; n += strlen(n) + 1) {
		ssize_t vl = mig_ent_getxattr(s, n, val, MIG_XATTR_VALUE_MAX);

		if (vl < 0) {
			r = errno == ENODATA ? 0 : -errno;
			continue;
		}
		if (mig_ent_setxattr(d, n, val, vl)) {
			if (mig_is_security(n)) {
				t->security_skipped++;
				ect_warn(t->ctx, "%s: the encrypted home does not take %s (%s); left out",
					 path, n, strerror(errno));
				continue;
			}
			r = -errno;
			ect_err(t->ctx, "cannot set %s on %s: %s", n, path, strerror(errno));
			r = -1;
		}
	}
out:
	free(list);
	free(val);
	return r;
}

/* Owner, xattrs (ACLs among them), mode, times; in this order (chown clears set-id bits). */
int mig_apply_meta(struct mig_tree *t, const struct mig_ent *s, const struct mig_ent *d,
		      const struct stat *st, const char *path)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int r;

	r = d->fd >= 0 ? fchown(d->fd, st->st_uid, st->st_gid) :
			 fchownat(d->dirfd, d->name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
	if (r) {
		ect_err(t->ctx, "cannot set the owner of %s: %s", path, strerror(errno));
		return -1;
	}
	r = copy_xattrs(t, s, d, path);
	if (r) {
		if (r != -1)
			ect_err(t->ctx, "cannot copy the xattrs of %s: %s", path, strerror(-r));
		return -1;
	}
	if (!S_ISLNK(st->st_mode)) {
		r = d->fd >= 0 ? fchmod(d->fd, st->st_mode & 07777) :
				 fchmodat(d->dirfd, d->name, st->st_mode & 07777,
					  AT_SYMLINK_NOFOLLOW);
		if (r) {
			ect_err(t->ctx, "cannot set the mode of %s: %s", path, strerror(errno));
			return -1;
		}
	}
	r = d->fd >= 0 ? futimens(d->fd, ts) : utimensat(d->dirfd, d->name, ts, AT_SYMLINK_NOFOLLOW);
	if (r) {
		ect_err(t->ctx, "cannot set the times of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int mig_tree_root(struct mig_tree *t, mig_meta_fn *meta)
{
	struct stat st;
	struct mig_ent s, d;
	int r;

	if (t->keep_root) {
		mig_progress(t, true);
		return 0;
	}
	if (fstat(t->src_root, &st)) {
		ect_err(t->ctx, "cannot examine the home directory: %s", strerror(errno));
		return -1;
	}
	/* with their fds, so no lpath is allocated */
	mig_ent_init(&s, -1, ".", t->src_root);
	mig_ent_init(&d, -1, ".", t->dst_root);
	r = meta(t, &s, &d, &st, "the home directory");
	mig_progress(t, true);
	return r;
}

/* ---- progress ---- */

void mig_progress(struct mig_tree *t, bool last)
{
	time_t now = time(NULL);

	if (!last && now == t->last_report)
		return;
	t->last_report = now;
	fprintf(stderr, "%s: %llu/%llu files, %llu/%llu MiB\n", t->what,
		(unsigned long long)t->done_files, (unsigned long long)t->total_files,
		(unsigned long long)(t->done_bytes >> 20), (unsigned long long)(t->total_bytes >> 20));
}

struct mig_link *mig_find_link(struct mig_tree *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nlinks; i++)
		if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
			return &t->links[i];
	return NULL;
}

int mig_add_link(struct mig_tree *t, const struct stat *st, ino_t target_ino, const char *path)
{
	if (t->nlinks == t->links_cap) {
		size_t cap = t->links_cap ? t->links_cap * 2 : 64;
		struct mig_link *p = realloc(t->links, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->links = p;
		t->links_cap = cap;
	}
	t->links[t->nlinks] = (struct mig_link){ st->st_dev, st->st_ino, target_ino, strdup(path) };
	if (!t->links[t->nlinks].path)
		return -ENOMEM;
	t->nlinks++;
	return 0;
}

/* A finished earlier copy of this entry: same type and size, and its times (set last) match. */
void mig_tree_free(struct mig_tree *t)
{
	for (size_t i = 0; i < t->nlinks; i++)
		free(t->links[i].path);
	free(t->links);
	t->links = NULL;
	t->nlinks = t->links_cap = 0;
}

