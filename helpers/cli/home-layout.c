// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole encrypted home (see home-layout.h): the links 111 makes and the
 * move of the files already in the home into the encrypted mount. Runs as
 * the user, only through directory fds opened with O_NOFOLLOW.
 */
#include "home-layout.h"
#include "cmd-migrate-home.h" /* the tree walks: copy, verify, times, removal */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define HOME_NAME_MAX_FNEK 143 /* longest name eCryptfs can encrypt */

static const char *const link_names[] = { ".ecryptfs", ".Private" };

/* name -> target in dirfd, replacing an earlier entry of that name. */
static int link_at(struct ect_ctx *ctx, int dirfd, const char *name, const char *target)
{
	unlinkat(dirfd, name, 0);
	if (symlinkat(target, dirfd, name)) {
		ect_err(ctx, "cannot link %s to %s: %s", name, target, strerror(errno));
		return -1;
	}
	return 0;
}

int home_links_make(struct ect_ctx *ctx, int dirfd, const struct home_layout *l)
{
	return link_at(ctx, dirfd, link_names[0], l->cfgdir) ||
		       link_at(ctx, dirfd, link_names[1], l->lower) ? -1 : 0;
}

bool home_info_target(const char *target)
{
	return !strcmp(target, HOME_README_TARGET) || !strcmp(target, HOME_DESKTOP_TARGET);
}

/* Entries of a bare home that belong to the layout, not to the user's files. */
static bool layout_entry(const char *name)
{
	return !strcmp(name, ".ecryptfs") || !strcmp(name, ".Private") ||
	       !strcmp(name, "README.txt") || !strcmp(name, "Access-Your-Private-Data.desktop");
}

/* True for the layout's own symlinks at the top of the bare home. */
static bool skip_top(int dirfd, const char *name)
{
	struct stat st;

	return layout_entry(name) && !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	       S_ISLNK(st.st_mode);
}

/* A DIR of its own for dirfd (readdir consumes the fd it is given). */
static DIR *open_listing(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static bool dot_or_dotdot(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

static int check_entry(struct ect_ctx *ctx, int dirfd, const char *name, const char *path,
		       const struct home_layout *l, bool fnek)
{
	struct stat st;
	char sub[4096];
	int fd, r;

	snprintf(sub, sizeof(sub), "%s/%s", path, name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		ect_err(ctx, "cannot examine %s: %s", sub, strerror(errno));
		return -1;
	}
	if (st.st_uid != l->uid) {
		ect_err(ctx, "%s belongs to uid %u, not to the user; move or chown it, then run again",
			sub, (unsigned int)st.st_uid);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) &&
	    !S_ISFIFO(st.st_mode)) {
		ect_err(ctx, "%s is a device or socket, which cannot be moved into the encrypted "
			     "home; remove it, then run again", sub);
		return -1;
	}
	if (fnek && strlen(name) > HOME_NAME_MAX_FNEK) {
		ect_err(ctx, "%s: the name is longer than %d bytes, too long for encrypted file "
			     "names; rename it, then run again", sub, HOME_NAME_MAX_FNEK);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ect_err(ctx, "cannot open %s: %s", sub, strerror(errno));
		return -1;
	}
	r = home_check_movable(ctx, fd, sub, l, fnek);
	close(fd);
	return r;
}

int home_check_movable(struct ect_ctx *ctx, int dirfd, const char *path, const struct home_layout *l,
		       bool fnek)
{
	bool top = !strcmp(path, l->home);
	DIR *d = open_listing(dirfd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		ect_err(ctx, "cannot list %s: %s", path, strerror(errno));
		return -1;
	}
	while (!r && (e = readdir(d))) {
		if (dot_or_dotdot(e->d_name) || (top && skip_top(dirfd, e->d_name)))
			continue;
		r = check_entry(ctx, dirfd, e->d_name, path, l, fnek);
	}
	closedir(d);
	return r;
}

int home_open_mounted(struct ect_ctx *ctx, const struct home_layout *l, int bare, int lower, int *mfd)
{
	struct stat b, m;
	int fd;

	*mfd = -1;
	fd = open(l->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || ect_mount_is_over(fd, lower) != 1 || fstat(bare, &b) || fstat(fd, &m) ||
	    (b.st_dev == m.st_dev && b.st_ino == m.st_ino)) {
		ect_err(ctx, "%s is not the eCryptfs mount of %s after mounting; refusing to move "
			     "files", l->home, l->lower);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*mfd = fd;
	return 0;
}

/* Bare home, under the mount: what tells a user how to get at the data, and read-only. */
static int finish_bare(struct ect_ctx *ctx, const struct home_layout *l, int bare)
{
	if (link_at(ctx, bare, "README.txt", HOME_README_TARGET) ||
	    link_at(ctx, bare, "Access-Your-Private-Data.desktop", HOME_DESKTOP_TARGET))
		return -1;
	if (fchmod(bare, 0500)) {
		ect_err(ctx, "cannot make %s read-only: %s", l->home, strerror(errno));
		return -1;
	}
	return 0;
}


/* An earlier -b's README and desktop links in the bare home: the layout's, not the user's files. */
static void drop_info_links(int bare)
{
	static const char *const names[] = { "README.txt", "Access-Your-Private-Data.desktop" };
	char buf[4096];

	for (size_t i = 0; i < 2; i++) {
		ssize_t n = readlinkat(bare, names[i], buf, sizeof(buf) - 1);

		if (n > 0 && (buf[n] = '\0', home_info_target(buf)))
			unlinkat(bare, names[i], 0);
	}
}

/* A tree walk of the migrate-home family over the bare home (src) and the mounted one (dst). */
static void tree_of(struct mig_tree *t, struct ect_ctx *ctx, int bare, int mfd,
		    const struct mig_scan *scan)
{
	/* the mount's root is the lower directory (0700, as 111 leaves it), with root's attributes cached */
	*t = (struct mig_tree){ .ctx = ctx, .src_root = bare, .dst_root = mfd, .keep_root = true };
	if (scan) {
		t->total_files = scan->entries;
		t->total_bytes = scan->bytes;
	}
}

int home_copy_in(struct ect_ctx *ctx, const struct home_layout *l, int bare, int mfd, bool fnek)
{
	struct mig_scan scan;
	struct statvfs vfs;
	struct mig_tree t;
	int r;

	drop_info_links(bare);
	if (home_check_movable(ctx, bare, l->home, l, fnek) || home_links_make(ctx, mfd, l) ||
	    mig_scan_tree(ctx, bare, &scan))
		return -1;
	/* the copy comes first and the plain files go only after it is verified: room for both */
	if (!fstatvfs(mfd, &vfs) && ((uint64_t)vfs.f_bavail * vfs.f_frsize < scan.need ||
				    (uint64_t)vfs.f_favail < scan.entries + 2)) {
		ect_err(ctx, "not enough free space (or inodes) for the encrypted copy of the files in "
			     "%s (%.1f MiB needed); free some, or move them out, then run again",
			l->home, scan.need / 1048576.0);
		return -1;
	}
	tree_of(&t, ctx, bare, mfd, &scan);
	r = mig_copy_tree(&t);
	if (!r && syncfs(mfd))
		r = -1;
	mig_tree_free(&t);
	return r ? -1 : 0;
}

int home_verify_in(struct ect_ctx *ctx, const struct home_layout *l, int bare, int mfd, int lower)
{
	struct mig_tree t;
	int r;

	(void)l;
	/*
	 * lower is the fd the mount was made from, checked by the caller before
	 * the handover (the mount's root still shows root as its owner, so
	 * ect_mount_is_over no longer matches it). Reading moves access times:
	 * the exact times go onto the lower inodes last.
	 */
	tree_of(&t, ctx, bare, mfd, NULL);
	r = mig_verify_tree(&t) || mig_times_tree(&t, lower) || syncfs(lower) ? -1 : 0;
	mig_tree_free(&t);
	return r;
}

int home_clear_bare(struct ect_ctx *ctx, const struct home_layout *l, int bare)
{
	char **names;
	size_t n;
	int r = mig_list_dir(bare, &names, &n);

	for (size_t i = 0; i < n && !r; i++) {
		struct stat st;

		if (skip_top(bare, names[i]))
			continue;
		if (fstatat(bare, names[i], &st, AT_SYMLINK_NOFOLLOW))
			r = errno == ENOENT ? 0 : -errno;
		else
			r = mig_remove_entry(bare, names[i], &st);
		if (r)
			ect_err(ctx, "cannot remove the plain copy of %s/%s: %s", l->home, names[i],
				strerror(-r));
	}
	if (n == 0 && r)
		ect_err(ctx, "cannot list %s: %s", l->home, strerror(-r));
	mig_free_list(names, n);
	if (r || fsync(bare))
		return -1;
	return finish_bare(ctx, l, bare);
}
