// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole encrypted home (see home-layout.h): the links 111 makes and the
 * move of the files already in the home into the encrypted mount. Runs as
 * the user, only through directory fds opened with O_NOFOLLOW.
 */
#include "home-layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Owner (the group may be one of the user's), mode after chown (which clears set-id bits), times. */
static int copy_meta(int fd, const struct stat *st)
{
	struct timespec t[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, st->st_uid, st->st_gid) || fchmod(fd, st->st_mode & 07777) ||
	    futimens(fd, t))
		return -errno;
	return 0;
}

static int copy_data(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			off += w;
		}
	}
	return 0;
}

static int move_file(int src, int dst, const char *name, const struct stat *st)
{
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), out = -1, r;
	struct stat now;

	if (in < 0)
		return -errno;
	/* the same file that was checked, and still a regular one */
	if (fstat(in, &now) || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino) {
		close(in);
		return -ESTALE;
	}
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	r = out < 0 ? -errno : copy_data(in, out);
	/* the data reaches the lower file first: writing it back later would touch mtime */
	if (!r && fsync(out))
		r = -errno;
	if (!r)
		r = copy_meta(out, st);
	if (!r && fsync(out))
		r = -errno;
	close(in);
	if (out >= 0 && close(out) && !r)
		r = -errno;
	if (r && out >= 0)
		unlinkat(dst, name, 0); /* the plain copy is still there */
	return r;
}

static int move_symlink(int src, int dst, const char *name, const struct stat *st)
{
	struct timespec t[2] = { st->st_atim, st->st_mtim };
	char target[4096];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (symlinkat(target, dst, name))
		return -errno;
	if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) ||
	    utimensat(dst, name, t, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

static int move_fifo(int dst, const char *name, const struct stat *st)
{
	int fd, r;

	if (mkfifoat(dst, name, 0600))
		return -errno;
	fd = openat(dst, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = copy_meta(fd, st);
	close(fd);
	return r;
}

static int move_tree(struct ect_ctx *ctx, int src, int dst, const char *path, bool top,
		     bool *moved);

static int move_dir(struct ect_ctx *ctx, int src, int dst, const char *name, const char *path,
		    const struct stat *st, bool *moved)
{
	int sfd, dfd = -1, r;

	sfd = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return -errno;
	if (mkdirat(dst, name, 0700)) {
		r = -errno;
		goto out;
	}
	dfd = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = dfd < 0 ? -errno : move_tree(ctx, sfd, dfd, path, false, moved);
	if (!r)
		r = copy_meta(dfd, st);
	if (!r && fsync(dfd))
		r = -errno;
out:
	if (dfd >= 0)
		close(dfd);
	close(sfd);
	return r;
}

/* One entry: copied in, synced, then its plain copy removed. */
static int move_entry(struct ect_ctx *ctx, int src, int dst, const char *name, const char *path,
		      bool *moved)
{
	char sub[4096];
	struct stat st;
	int r;

	snprintf(sub, sizeof(sub), "%s/%s", path, name);
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW))
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = move_dir(ctx, src, dst, name, sub, &st, moved);
	else if (S_ISREG(st.st_mode))
		r = move_file(src, dst, name, &st);
	else if (S_ISLNK(st.st_mode))
		r = move_symlink(src, dst, name, &st);
	else if (S_ISFIFO(st.st_mode))
		r = move_fifo(dst, name, &st);
	else
		r = -EINVAL;
	if (!r && unlinkat(src, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0))
		r = -errno;
	if (r == 0) {
		*moved = true;
		return 0;
	}
	if (r != -ECANCELED)
		ect_err(ctx, "cannot move %s into the encrypted home: %s", sub, strerror(-r));
	return -ECANCELED;
}

static int move_tree(struct ect_ctx *ctx, int src, int dst, const char *path, bool top, bool *moved)
{
	DIR *d = open_listing(src);
	struct dirent *e;
	int r = 0;

	if (!d) {
		ect_err(ctx, "cannot list %s: %s", path, strerror(errno));
		return -ECANCELED;
	}
	while (!r && (e = readdir(d))) {
		if (dot_or_dotdot(e->d_name) || (top && skip_top(src, e->d_name)))
			continue;
		r = move_entry(ctx, src, dst, e->d_name, path, moved);
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

int home_fill(struct ect_ctx *ctx, const struct home_layout *l, int bare, int mfd, bool fnek)
{
	bool moved = false;
	int r;

	if (home_check_movable(ctx, bare, l->home, l, fnek) || home_links_make(ctx, mfd, l))
		return HOME_NOTHING_MOVED;
	r = move_tree(ctx, bare, mfd, l->home, true, &moved) ? -1 : 0;
	if (!r && fsync(mfd))
		r = -1;
	if (!r)
		r = finish_bare(ctx, l, bare);
	if (!r)
		return 0;
	return moved ? HOME_PART_MOVED : HOME_NOTHING_MOVED;
}
