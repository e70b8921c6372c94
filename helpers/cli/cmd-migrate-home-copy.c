// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: the copy into the mounted encrypted home, through
 * directory fds (see cmd-migrate-home-tree.c). It can be run again after a
 * kill: an entry whose type, size, owner, mode and mtime (set last) already
 * match is kept, anything else is replaced, leftovers are removed.
 */
#include "cmd-migrate-home.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- copy ---- */

/* Content of sfd into dfd, holes skipped (SEEK_DATA/SEEK_HOLE), then the exact size. */
static int copy_data(struct mig_tree *t, int sfd, int dfd, off_t size)
{
	char *buf = malloc(MIG_COPY_BUF);
	off_t pos = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (pos < size && !r) {
		off_t data = lseek(sfd, pos, SEEK_DATA), hole;

		if (data < 0) {
			if (errno != ENXIO)
				r = -errno;
			break;
		}
		hole = lseek(sfd, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		for (pos = data; pos < hole && !r;) {
			size_t want = hole - pos < MIG_COPY_BUF ? (size_t)(hole - pos) : MIG_COPY_BUF;
			ssize_t got = pread(sfd, buf, want, pos), put;

			if (got <= 0) {
				r = got < 0 ? -errno : -EIO;
				break;
			}
			for (ssize_t off = 0; off < got; off += put) {
				put = pwrite(dfd, buf + off, got - off, pos + off);
				if (put < 0) {
					r = -errno;
					break;
				}
			}
			pos += got;
			t->done_bytes += got;
		}
	}
	if (!r && ftruncate(dfd, size))
		r = -errno;
	free(buf);
	return r;
}

static bool already_done(const struct stat *s, const struct stat *d)
{
	if ((s->st_mode & S_IFMT) != (d->st_mode & S_IFMT) || S_ISDIR(s->st_mode))
		return false;
	if (S_ISREG(s->st_mode) && s->st_size != d->st_size)
		return false;
	return s->st_mtim.tv_sec == d->st_mtim.tv_sec &&
	       s->st_uid == d->st_uid && (s->st_mode & 07777) == (d->st_mode & 07777);
}

static int copy_dir(struct mig_tree *t, int sfd, int dfd, const char *rel);

static int copy_reg(struct mig_tree *t, int sdir, int ddir, const char *name, const struct stat *st,
		    const char *path)
{
	int sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_NONBLOCK);
	int dfd = -1, r = -1;
	struct stat cur;
	struct mig_ent s, d;

	if (sfd < 0 || fstat(sfd, &cur) || cur.st_ino != st->st_ino || !S_ISREG(cur.st_mode)) {
		ect_err(t->ctx, "cannot open %s: %s", path, sfd < 0 ? strerror(errno) : "it changed");
		goto out;
	}
	dfd = openat(ddir, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0) {
		ect_err(t->ctx, "cannot create %s in the encrypted home: %s", path, strerror(errno));
		goto out;
	}
	r = copy_data(t, sfd, dfd, st->st_size);
	if (r) {
		ect_err(t->ctx, "cannot copy %s: %s", path, strerror(-r));
		r = -1;
		goto out;
	}
	mig_ent_init(&s, sdir, name, sfd);
	mig_ent_init(&d, ddir, name, dfd);
	r = mig_apply_meta(t, &s, &d, st, path);
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int make_node(struct mig_tree *t, int sdir, int ddir, const char *name, const struct stat *st,
		     const char *path)
{
	struct mig_ent s, d;
	int r;

	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(sdir, name, target, PATH_MAX);

		if (n < 0) {
			ect_err(t->ctx, "cannot read the symlink %s: %s", path, strerror(errno));
			return -1;
		}
		target[n] = '\0';
		r = symlinkat(target, ddir, name);
	} else {
		r = mknodat(ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev);
	}
	if (r) {
		ect_err(t->ctx, "cannot create %s in the encrypted home: %s", path, strerror(errno));
		return -1;
	}
	if (mig_ent_init(&s, sdir, name, -1) || mig_ent_init(&d, ddir, name, -1)) {
		mig_ent_free(&s);
		return -1;
	}
	r = mig_apply_meta(t, &s, &d, st, path);
	mig_ent_free(&s);
	mig_ent_free(&d);
	return r;
}

static int copy_subdir(struct mig_tree *t, int sdir, int ddir, const char *name, const struct stat *st,
		       const char *path, bool exists)
{
	int sfd = mig_open_dir_at(sdir, name, O_NOATIME), dfd = -1, r = -1;
	struct mig_ent s, d;

	if (sfd < 0) {
		ect_err(t->ctx, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!exists && mkdirat(ddir, name, 0700)) {
		ect_err(t->ctx, "cannot create %s in the encrypted home: %s", path, strerror(errno));
		goto out;
	}
	dfd = mig_open_dir_at(ddir, name, 0);
	if (dfd < 0) {
		ect_err(t->ctx, "cannot open %s in the encrypted home: %s", path, strerror(errno));
		goto out;
	}
	r = copy_dir(t, sfd, dfd, path);
	if (!r) {
		mig_ent_init(&s, sdir, name, sfd);
		mig_ent_init(&d, ddir, name, dfd);
		r = mig_apply_meta(t, &s, &d, st, path);
	}
out:
	close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int copy_entry(struct mig_tree *t, int sdir, int ddir, const char *name, const char *path)
{
	struct stat st, cur;
	bool exists, done;
	struct mig_link *l = NULL;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW)) {
		ect_err(t->ctx, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	exists = !fstatat(ddir, name, &cur, AT_SYMLINK_NOFOLLOW);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && (l = mig_find_link(t, &st))) {
		/* a further name of a hard-link group: link it to the group's first copy */
		t->done_files++;
		if (exists && cur.st_ino == l->target_ino)
			return 0;
		if (exists && mig_remove_entry(ddir, name, &cur))
			goto fail_rm;
		if (linkat(t->dst_root, l->path, ddir, name, 0)) {
			ect_err(t->ctx, "cannot link %s to %s: %s", path, l->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (exists && S_ISDIR(st.st_mode) && S_ISDIR(cur.st_mode))
		return copy_subdir(t, sdir, ddir, name, &st, path, true);
	done = exists && already_done(&st, &cur);
	if (exists && !done && mig_remove_entry(ddir, name, &cur))
		goto fail_rm;
	if (done) {
		t->done_files++;
		t->done_bytes += S_ISREG(st.st_mode) ? st.st_size : 0;
	} else if (S_ISDIR(st.st_mode)) {
		return copy_subdir(t, sdir, ddir, name, &st, path, false);
	} else {
		int r = S_ISREG(st.st_mode) ? copy_reg(t, sdir, ddir, name, &st, path) :
					      make_node(t, sdir, ddir, name, &st, path);
		if (r)
			return r;
		t->done_files++;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		if (fstatat(ddir, name, &cur, AT_SYMLINK_NOFOLLOW) || mig_add_link(t, &st, cur.st_ino, path))
			return -1;
	}
	mig_progress(t, false);
	return 0;
fail_rm:
	ect_err(t->ctx, "cannot replace the unfinished copy of %s: %s", path, strerror(errno));
	return -1;
}

static int copy_dir(struct mig_tree *t, int sfd, int dfd, const char *rel)
{
	char **names, **dnames;
	size_t n, dn;
	int r = mig_list_dir(sfd, &names, &n);

	if (r) {
		ect_err(t->ctx, "cannot read %s: %s", *rel ? rel : "the home", strerror(-r));
		return -1;
	}
	/* leftovers of an earlier run that are no longer in the plain home */
	if (!mig_list_dir(dfd, &dnames, &dn)) {
		for (size_t i = 0; i < dn; i++) {
			struct stat st;

			if (!*rel && mig_is_layout_link(dnames[i]))
				continue;
			if (fstatat(sfd, dnames[i], &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT &&
			    !fstatat(dfd, dnames[i], &st, AT_SYMLINK_NOFOLLOW))
				mig_remove_entry(dfd, dnames[i], &st);
		}
		mig_free_list(dnames, dn);
	}
	for (size_t i = 0; i < n && !r; i++) {
		char *path = mig_join(rel, names[i]);

		r = path ? copy_entry(t, sfd, dfd, names[i], path) : -1;
		free(path);
	}
	mig_free_list(names, n);
	return r;
}

int mig_copy_tree(struct mig_tree *t)
{
	struct stat st;
	struct mig_ent s, d;
	int r;

	t->what = "copying";
	t->done_files = t->done_bytes = 0;
	r = copy_dir(t, t->src_root, t->dst_root, "");
	if (r || t->keep_root)
		return r;
	/* the home directory itself: its owner, mode, xattrs and times */
	if (fstat(t->src_root, &st))
		return -1;
	mig_ent_init(&s, -1, ".", t->src_root);
	mig_ent_init(&d, -1, ".", t->dst_root);
	r = mig_apply_meta(t, &s, &d, &st, "the home directory");
	mig_progress(t, true);
	return r;
}

