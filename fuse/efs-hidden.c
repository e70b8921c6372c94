// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse: files unlinked while open (issue #15).
 *
 * libfuse's high-level API answers the kernel's stat of an open file by
 * path, also after an unlink (the kernel's GETATTR carries no file handle
 * then). So that such a file keeps a path, libfuse (without hard_remove)
 * does not unlink it: it renames it in its directory to a name of its own,
 * ".fuse_hidden" and 16 hex digits (3.14's hidden_name(): the node id and a
 * counter, "%08x%08x", after a getattr of the name said ENOENT), keeps
 * asking for that path, and unlinks it after the last release.
 *
 * A name on the lower side would show in readdir, keep the directory from
 * being removed and outlive a crash. So that rename is not done: the lower
 * name is unlinked (the open entry's fd keeps the data) and the new name
 * is only remembered here, on the open entry, with the lower directory's
 * dev and inode (stable when the directory is renamed). Operations on that
 * path then act on the entry's fd, and the name goes with the entry at the
 * last release. Nothing lands on the lower file system; a crash leaves
 * nothing behind, as the lower file system frees the unlinked inode when
 * the daemon's fd closes.
 *
 * A rename to such a name is taken for libfuse's only when the source is a
 * regular file open through the mount, in the same directory (libfuse
 * hides in place). Otherwise it is a plain rename, and a file of that name
 * is an ordinary one (man/ecryptfs-fuse.1, "Files unlinked while open").
 */
#include "efs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HIDDEN_PREFIX ".fuse_hidden"
#define HIDDEN_DIGITS 16

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int efs_hidden_is(const char *path)
{
	const char *name;
	size_t plen = sizeof(HIDDEN_PREFIX) - 1;

	if (!path)
		return 0;
	name = base_name(path);
	if (strncmp(name, HIDDEN_PREFIX, plen) || strlen(name) != plen + HIDDEN_DIGITS)
		return 0;
	for (const char *p = name + plen; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* Same directory part (libfuse renames within the directory it hides in). */
static int same_dir(const char *a, const char *b)
{
	size_t la = (size_t)(base_name(a) - a), lb = (size_t)(base_name(b) - b);

	return la == lb && !memcmp(a, b, la);
}

/* 1 when path names a lower entry, 0 when none, negative errno. */
static int target_exists(struct efs *e, const char *path)
{
	char lname[NAME_MAX + 1];
	struct stat st;
	int dirfd, rc;

	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	if (fstatat(dirfd, lname, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = 1;
	else
		rc = errno == ENOENT ? 0 : -errno;
	close(dirfd);
	return rc;
}

int efs_hidden_hide(struct efs *e, const char *from, const char *to)
{
	char lname[NAME_MAX + 1];
	struct efs_hidden *h;
	struct efs_file *f = NULL;
	struct stat st, dir;
	int dirfd, rc;

	if (!efs_hidden_is(to) || !same_dir(from, to))
		return 0;
	rc = efs_resolve(e, from, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	if (fstat(dirfd, &dir) || fstatat(dirfd, lname, &st, AT_SYMLINK_NOFOLLOW)) {
		rc = -errno;
		goto out;
	}
	/* Not open (closed meanwhile; libfuse unlinks the new name next): a plain rename. */
	if (!S_ISREG(st.st_mode) || !(f = efs_file_find(e, st.st_dev, st.st_ino)))
		goto out;
	/*
	 * libfuse picks a name nothing answers to (its getattr probe); a real
	 * file of that name means a user's own rename over it, which hiding
	 * would turn into an unlink that leaves the target: refused instead.
	 */
	rc = target_exists(e, to);
	if (rc) {
		rc = rc > 0 ? -EEXIST : rc;
		goto out;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		rc = -ENOMEM;
		goto out;
	}
	h->dir_dev = dir.st_dev;
	h->dir_ino = dir.st_ino;
	strcpy(h->name, base_name(to)); /* efs_hidden_is checked its length */
	if (unlinkat(dirfd, lname, 0)) {
		rc = -errno;
		free(h);
		goto out;
	}
	pthread_mutex_lock(&e->files_lock);
	h->next = f->hidden;
	f->hidden = h;
	pthread_mutex_unlock(&e->files_lock);
	rc = 1;
out:
	if (f)
		efs_file_put(e, f);
	close(dirfd);
	return rc;
}

/*
 * The hidden name in directory dir: the link to it in its entry's list
 * (NULL: none) and the entry in *out. Caller holds files_lock.
 */
static struct efs_hidden **find_locked(struct efs *e, const struct stat *dir,
				       const char *name, struct efs_file **out)
{
	for (struct efs_file *f = e->files; f; f = f->next) {
		for (struct efs_hidden **pp = &f->hidden; *pp; pp = &(*pp)->next) {
			struct efs_hidden *h = *pp;

			if (h->dir_ino == dir->st_ino && h->dir_dev == dir->st_dev &&
			    !strcmp(h->name, name)) {
				*out = f;
				return pp;
			}
		}
	}
	return NULL;
}

/* The stat of path's lower directory, when path has a hidden name. */
static int hidden_dir(struct efs *e, const char *path, struct stat *dir)
{
	char lname[NAME_MAX + 1];
	int dirfd, rc;

	if (!efs_hidden_is(path))
		return -ENOENT;
	rc = efs_resolve(e, path, &dirfd, lname, sizeof(lname));
	if (rc)
		return rc;
	rc = fstat(dirfd, dir) ? -errno : 0;
	close(dirfd);
	return rc;
}

struct efs_file *efs_hidden_get(struct efs *e, const char *path)
{
	struct efs_file *f = NULL;
	struct stat dir;

	if (hidden_dir(e, path, &dir))
		return NULL;
	pthread_mutex_lock(&e->files_lock);
	if (find_locked(e, &dir, base_name(path), &f))
		f->refs++;
	else
		f = NULL;
	pthread_mutex_unlock(&e->files_lock);
	return f;
}

int efs_hidden_drop(struct efs *e, const char *path)
{
	struct efs_hidden **pp, *h = NULL;
	struct efs_file *f;
	struct stat dir;

	if (hidden_dir(e, path, &dir))
		return 0;
	pthread_mutex_lock(&e->files_lock);
	pp = find_locked(e, &dir, base_name(path), &f);
	if (pp) {
		h = *pp;
		*pp = h->next;
	}
	pthread_mutex_unlock(&e->files_lock);
	free(h);
	return h != NULL;
}

void efs_hidden_free(struct efs_file *f)
{
	while (f->hidden) {
		struct efs_hidden *h = f->hidden;

		f->hidden = h->next;
		free(h);
	}
}

int efs_hidden_stat(struct efs_file *f, struct stat *st)
{
	int rc = 0;

	/* under the entry's lock: upgrade() may swap its fd */
	pthread_mutex_lock(&f->lock);
	if (fstat(f->fd, st))
		rc = -errno;
	else if (f->cf)
		st->st_size = (off_t)ect_codec_size(f->cf);
	pthread_mutex_unlock(&f->lock);
	if (rc)
		return rc;
	/*
	 * st_nlink is the lower inode's: 0 once unlinked. libfuse takes one
	 * off a hidden file's getattr (its model counts the hidden name) but
	 * not off setattr's or lookup's, so nothing is added for it here: a
	 * file with a second link left shows one link too few on fstat only.
	 */
	return 0;
}
