// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: every entry of the plain home compared with the
 * encrypted one through a fresh mount: content byte for byte, type, mode,
 * owner, size, device numbers, symlink targets, times, xattrs and hard-link
 * groups; no extra entries.
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

/* ---- verify ---- */

static int read_full(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (int)got;
		got += n;
	}
	return (int)got;
}

static int same_content(struct mig_tree *t, int sdir, int ddir, const char *name, const char *path)
{
	int sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_NONBLOCK);
	int dfd = openat(ddir, name, O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
	char *a = malloc(MIG_COPY_BUF), *b = malloc(MIG_COPY_BUF);
	int r = -1;

	if (sfd < 0 || dfd < 0 || !a || !b) {
		ect_err(t->ctx, "verify: cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		int x = read_full(sfd, a, MIG_COPY_BUF), y = read_full(dfd, b, MIG_COPY_BUF);

		if (x < 0 || y < 0) {
			ect_err(t->ctx, "verify: cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (x != y || memcmp(a, b, x)) {
			ect_err(t->ctx, "verify: %s differs in the encrypted home", path);
			goto out;
		}
		t->done_bytes += x;
		if (!x)
			break;
	}
	r = 0;
out:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	free(a);
	free(b);
	return r;
}

/* The xattr names and values of s and d are the same; security.* the target refused may lack. */
static int same_xattrs(struct mig_tree *t, const struct mig_ent *s, const struct mig_ent *d, const char *path)
{
	char *sl = malloc(MIG_XATTR_LIST_MAX), *dl = malloc(MIG_XATTR_LIST_MAX);
	char *sv = malloc(MIG_XATTR_VALUE_MAX), *dv = malloc(MIG_XATTR_VALUE_MAX);
	ssize_t sn, dn;
	int r = -1;

	if (!sl || !dl || !sv || !dv)
		goto out;
	sn = mig_ent_listxattr(s, sl, MIG_XATTR_LIST_MAX);
	dn = mig_ent_listxattr(d, dl, MIG_XATTR_LIST_MAX);
	if (sn < 0)
		sn = 0;
	if (dn < 0)
		dn = 0;
	for (char *n = sl; n < sl + sn; n += strlen(n) + 1) {
		ssize_t a = mig_ent_getxattr(s, n, sv, MIG_XATTR_VALUE_MAX);
		ssize_t b = mig_ent_getxattr(d, n, dv, MIG_XATTR_VALUE_MAX);

		if (b < 0 && mig_is_security(n) && t->security_skipped)
			continue;
		if (a != b || (a > 0 && memcmp(sv, dv, a))) {
			ect_err(t->ctx, "verify: xattr %s of %s differs in the encrypted home", n, path);
			goto out;
		}
	}
	for (char *n = dl; n < dl + dn; n += strlen(n) + 1) {
		if (mig_ent_getxattr(s, n, sv, MIG_XATTR_VALUE_MAX) < 0 && errno == ENODATA) {
			ect_err(t->ctx, "verify: %s has an extra xattr %s in the encrypted home", path, n);
			goto out;
		}
	}
	r = 0;
out:
	free(sl);
	free(dl);
	free(sv);
	free(dv);
	return r;
}

/*
 * Reading through eCryptfs moves the access times of what was read (the
 * kernel reads the lower file); so the times are set again from the source
 * and then every field is compared.
 */
/* Type, mode, owner, size, device numbers and xattrs; the times are checked by mig_times_tree. */
static int same_meta(struct mig_tree *t, const struct mig_ent *s, const struct mig_ent *d,
		     const struct stat *ss, const char *path)
{
	struct stat ds;
	int r;

	r = d->fd >= 0 ? fstat(d->fd, &ds) : fstatat(d->dirfd, d->name, &ds, AT_SYMLINK_NOFOLLOW);
	if (r) {
		ect_err(t->ctx, "verify: cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (ss->st_mode != ds.st_mode || ss->st_uid != ds.st_uid || ss->st_gid != ds.st_gid ||
	    (S_ISREG(ss->st_mode) && ss->st_size != ds.st_size) ||
	    ((S_ISCHR(ss->st_mode) || S_ISBLK(ss->st_mode)) && ss->st_rdev != ds.st_rdev)) {
		ect_err(t->ctx, "verify: the metadata of %s differ in the encrypted home "
				"(mode %o/%o, owner %u:%u/%u:%u, size %lld/%lld)", path,
			ss->st_mode, ds.st_mode, ss->st_uid, ss->st_gid, ds.st_uid, ds.st_gid,
			(long long)ss->st_size, (long long)ds.st_size);
		return -1;
	}
	return same_xattrs(t, s, d, path);
}

static int verify_dir(struct mig_tree *t, int sfd, int dfd, const char *rel);

static int verify_entry(struct mig_tree *t, int sdir, int ddir, const char *name, const char *path)
{
	struct stat ss, ds;
	struct mig_ent s = { 0 }, d = { 0 };
	int sfd = -1, dfd = -1, r = -1;

	if (fstatat(sdir, name, &ss, AT_SYMLINK_NOFOLLOW) ||
	    fstatat(ddir, name, &ds, AT_SYMLINK_NOFOLLOW)) {
		ect_err(t->ctx, "verify: %s is missing in the encrypted home", path);
		return -1;
	}
	if ((ss.st_mode & S_IFMT) != (ds.st_mode & S_IFMT)) {
		ect_err(t->ctx, "verify: %s has another file type in the encrypted home", path);
		return -1;
	}
	if (!S_ISDIR(ss.st_mode) && ss.st_nlink > 1) {
		struct mig_link *l = mig_find_link(t, &ss);

		if (l && l->target_ino != ds.st_ino) {
			ect_err(t->ctx, "verify: %s is not a hard link to %s in the encrypted home",
				path, l->path);
			return -1;
		}
		if (!l && mig_add_link(t, &ss, ds.st_ino, path))
			return -1;
	}
	if (S_ISREG(ss.st_mode) && same_content(t, sdir, ddir, name, path))
		return -1;
	if (S_ISLNK(ss.st_mode)) {
		char a[PATH_MAX + 1], b[PATH_MAX + 1];
		ssize_t x = readlinkat(sdir, name, a, PATH_MAX), y = readlinkat(ddir, name, b, PATH_MAX);

		if (x < 0 || x != y || memcmp(a, b, x)) {
			ect_err(t->ctx, "verify: the symlink %s differs in the encrypted home", path);
			return -1;
		}
	}
	if (S_ISDIR(ss.st_mode)) {
		sfd = mig_open_dir_at(sdir, name, O_NOATIME);
		dfd = mig_open_dir_at(ddir, name, 0);
		if (sfd < 0 || dfd < 0) {
			ect_err(t->ctx, "verify: cannot open %s: %s", path, strerror(errno));
			goto out;
		}
		if (verify_dir(t, sfd, dfd, path))
			goto out;
	}
	if (mig_ent_init(&s, sdir, name, sfd) || mig_ent_init(&d, ddir, name, dfd))
		goto out;
	r = same_meta(t, &s, &d, &ss, path);
	t->done_files++;
	mig_progress(t, false);
out:
	mig_ent_free(&s);
	mig_ent_free(&d);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int verify_dir(struct mig_tree *t, int sfd, int dfd, const char *rel)
{
	char **names, **dnames;
	size_t n, dn;
	int r = mig_list_dir(sfd, &names, &n);

	if (r) {
		ect_err(t->ctx, "verify: cannot read %s: %s", *rel ? rel : "the home", strerror(-r));
		return -1;
	}
	r = mig_list_dir(dfd, &dnames, &dn);
	if (r) {
		ect_err(t->ctx, "verify: cannot read %s in the encrypted home: %s", *rel ? rel : "the home",
			strerror(-r));
		mig_free_list(names, n);
		return -1;
	}
	for (size_t i = 0, j = 0; !r && (i < n || j < dn);) {
		int c = i == n ? 1 : j == dn ? -1 : strcmp(names[i], dnames[j]);
		char *path = mig_join(rel, c <= 0 ? names[i] : dnames[j]);

		if (!path)
			r = -1;
		else if (c > 0 && !*rel && mig_is_layout_link(dnames[j]))
			r = 0;
		else if (c > 0)
			ect_err(t->ctx, "verify: %s is in the encrypted home only", path), r = -1;
		else
			r = verify_entry(t, sfd, dfd, names[i], path);
		free(path);
		i += c <= 0;
		j += c >= 0;
	}
	mig_free_list(names, n);
	mig_free_list(dnames, dn);
	return r;
}

int mig_verify_tree(struct mig_tree *t)
{
	struct stat st;
	struct mig_ent s, d;
	int r;

	t->what = "verifying";
	t->done_files = t->done_bytes = 0;
	for (size_t i = 0; i < t->nlinks; i++)
		free(t->links[i].path);
	t->nlinks = 0;
	r = verify_dir(t, t->src_root, t->dst_root, "");
	if (r || t->keep_root)
		return r;
	if (fstat(t->src_root, &st))
		return -1;
	mig_ent_init(&s, -1, ".", t->src_root);
	mig_ent_init(&d, -1, ".", t->dst_root);
	r = same_meta(t, &s, &d, &st, "the home directory");
	mig_progress(t, true);
	return r;
}

