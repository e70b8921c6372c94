// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whole-file reads with type checks, and atomic replacement. The *_at forms
 * work only through directory fds (never a path resolved twice), for root
 * writing into a tree that a user may race. And closing every fd a child
 * must not pass on to the program it runs.
 */
#include "ect-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int ect__write_all(int fd, const void *data, size_t size)
{
	const unsigned char *p = data;

	while (size) {
		ssize_t w = write(fd, p, size);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO; /* no progress: do not spin */
		p += w;
		size -= (size_t)w;
	}
	return 0;
}

/* A plain name inside a directory: not empty, no '/', not "." or "..". */
static bool plain_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

#define TEMP_INFIX ".tmp-"
#define TEMP_RANDOM 6

/*
 * A writer killed between its temp file and the rename leaves
 * "NAME.tmp-XXXXXX" behind. Every writer holds an exclusive flock on its
 * temp file from creation to rename, so one whose lock can be taken belongs
 * to a dead writer: remove those of NAME before writing NAME again.
 */
static void remove_dead_temps_at(int dirfd, const char *name)
{
	size_t blen = strlen(name);
	struct dirent *e;
	int dfd;
	DIR *d;

	/* fdopendir takes the fd over: give it its own */
	dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st, now;
		int fd;

		if (strlen(e->d_name) != blen + strlen(TEMP_INFIX) + TEMP_RANDOM ||
		    strncmp(e->d_name, name, blen) || strncmp(e->d_name + blen, TEMP_INFIX, 5))
			continue;
		fd = openat(dfd, e->d_name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;
		/* unlink while holding the lock, and only the file that was locked */
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && !flock(fd, LOCK_EX | LOCK_NB) &&
		    !fstatat(dfd, e->d_name, &now, AT_SYMLINK_NOFOLLOW) &&
		    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
			(void)unlinkat(dfd, e->d_name, 0);
		close(fd);
	}
	closedir(d);
}

/*
 * Create NAME.tmp-XXXXXX in dirfd, O_EXCL and never through a symlink, and
 * lock it for its whole life (see remove_dead_temps_at).
 */
static int create_temp_at(int dirfd, const char *name, char *tmp, size_t size)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[TEMP_RANDOM];
	struct stat st;
	int fd;

	for (int tries = 0; tries < 100; tries++) {
		size_t n;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return errno ? -errno : -EIO;
		n = (size_t)snprintf(tmp, size, "%s" TEMP_INFIX, name);
		if (n + sizeof(rnd) >= size)
			return -ENAMETOOLONG;
		for (size_t i = 0; i < sizeof(rnd); i++)
			tmp[n + i] = digits[rnd[i] % (sizeof(digits) - 1)];
		tmp[n + sizeof(rnd)] = '\0';
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
		if (fstat(fd, &st)) {
			close(fd);
			unlinkat(dirfd, tmp, 0);
			return -errno;
		}
		/* a cleaner took it for dead before we locked it: take another */
		if (st.st_nlink == 0) {
			close(fd);
			continue;
		}
		/* O_EXCL made it: a fresh, singly linked regular file of ours */
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid()) {
			close(fd);
			unlinkat(dirfd, tmp, 0);
			return ECT_E_UNSAFE_PATH;
		}
		return fd;
	}
	return -EEXIST;
}

/*
 * Give the new temp file its owner and mode, changing only the ids that
 * differ. Some file systems take owners and modes from their mount options
 * and drop a mode change they cannot store without an error (FAT: a wrapped
 * passphrase on a USB stick, ecryptfs-wrapped-passphrase-locations(5)), so
 * the mode is read back. Looser bits are refused where group or others can
 * search the directory (udisks2 mounts FAT with dmask=0077 and 0644 files).
 */
static int hand_over(int dirfd, int fd, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st, dir;

	if (fstat(fd, &st))
		return -errno;
	if (uid != (uid_t)-1 && uid == st.st_uid)
		uid = (uid_t)-1;
	if (gid != (gid_t)-1 && gid == st.st_gid)
		gid = (gid_t)-1;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid))
		return -errno;
	/* after fchown, which clears set-id bits */
	if (fchmod(fd, mode) || fstat(fd, &st))
		return -errno;
	if ((st.st_mode & 07777 & ~mode) & 07077) {
		if (fstat(dirfd, &dir))
			return -errno;
		if ((st.st_mode & 07000) || (dir.st_mode & 0011))
			return ECT_E_MODE_NOT_KEPT;
	}
	return 0;
}

int ect_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t size,
			     mode_t mode, uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	int fd, ret;

	if (!plain_name(name) || (!data && size))
		return -EINVAL;
	remove_dead_temps_at(dirfd, name);
	fd = create_temp_at(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	ret = hand_over(dirfd, fd, mode, uid, gid);
	if (ret)
		goto fail;
	ret = ect__write_all(fd, data, size);
	if (ret)
		goto fail;
	if (fsync(fd)) {
		ret = -errno;
		goto fail;
	}
	/* rename before close: the lock must cover the temp name's whole life */
	if (renameat(dirfd, tmp, dirfd, name)) {
		ret = -errno;
		goto fail;
	}
	ret = close(fd) ? -errno : 0;
	if (ret)
		return ret;
	return fsync(dirfd) ? -errno : 0;
fail:
	/* unlink before close, for the same reason */
	unlinkat(dirfd, tmp, 0);
	close(fd);
	return ret;
}

int ect__dir_open_for(const char *path, uid_t uid, int *fd)
{
	struct stat st;
	int dfd;

	*fd = -1;
	if (!path || !*path)
		return -EINVAL;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/*
	 * The path may lead through names its user controls. A file handed to
	 * another owner only lands in a directory that owner owns, so it never
	 * becomes theirs in a directory they could not write (issue #10).
	 */
	if (fstat(dfd, &st) || (uid != (uid_t)-1 && uid != geteuid() && st.st_uid != uid)) {
		close(dfd);
		return ECT_E_UNSAFE_PATH;
	}
	*fd = dfd;
	return 0;
}

int ect_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode, uid_t uid,
			  gid_t gid)
{
	char dir[PATH_MAX];
	const char *slash = path ? strrchr(path, '/') : NULL;
	int dirfd, ret;

	if (!path || !*path)
		return -EINVAL;
	if (snprintf(dir, sizeof(dir), "%s", slash ? path : ".") >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (slash)
		dir[slash == path ? 1 : slash - path] = '\0';
	ret = ect__dir_open_for(dir, uid, &dirfd);
	if (ret)
		return ret;
	ret = ect_write_file_atomic_at(dirfd, slash ? slash + 1 : path, data, size, mode, uid, gid);
	close(dirfd);
	return ret;
}

int ect_dir_open_at(int dirfd, const char *name, int *fd)
{
	struct stat st;
	int dfd;

	*fd = -1;
	if (!plain_name(name))
		return -EINVAL;
	dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ELOOP || errno == ENOTDIR ? ECT_E_UNSAFE_PATH : -errno;
	if (fstat(dfd, &st) || !S_ISDIR(st.st_mode)) {
		close(dfd);
		return ECT_E_UNSAFE_PATH;
	}
	*fd = dfd;
	return 0;
}

int ect_dir_make_at(int dirfd, const char *name, mode_t mode, int *made, int *fd)
{
	struct stat st;
	int ret;

	*made = 0;
	*fd = -1;
	if (!plain_name(name))
		return -EINVAL;
	if (!mkdirat(dirfd, name, 0700))
		*made = 1;
	else if (errno != EEXIST)
		return -errno;
	ret = ect_dir_open_at(dirfd, name, fd);
	if (ret || !*made)
		goto out;
	/* what we made must still be ours: nobody swapped the name */
	if (fstat(*fd, &st) || st.st_uid != geteuid())
		ret = ECT_E_UNSAFE_PATH;
	else if (fchmod(*fd, mode))
		ret = -errno;
out:
	if (ret && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	if (ret && *made) {
		unlinkat(dirfd, name, AT_REMOVEDIR);
		*made = 0;
	}
	return ret;
}

int ect__read_full(int fd, void *buf, size_t cap, size_t *n)
{
	*n = 0;
	while (*n < cap) {
		ssize_t r = read(fd, (char *)buf + *n, cap - *n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

int ect_read_file(const char *path, size_t max, int secure, void **data, size_t *size)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t alloc = 0, n = 0;
	int fd, ret;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	alloc = (size_t)st.st_size + 1;
	buf = secure ? ect_secure_alloc(alloc) : calloc(1, alloc);
	if (!buf) {
		ret = secure ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	ret = ect__read_full(fd, buf, alloc, &n);
	if (ret)
		goto out;
	if (n == alloc) {
		/* The file grew past its stat size: refuse rather than truncate. */
		ret = -EFBIG;
		goto out;
	}
	*data = buf;
	*size = n;
	buf = NULL;
	ret = 0;
out:
	if (buf) {
		if (secure)
			ect_secure_free(buf);
		else
			free(buf);
	}
	close(fd);
	return ret;
}

/* Close lo..hi (hi ~0U: to the end), by close_range if allowed and it works. */
static void close_span(unsigned int lo, unsigned int hi, bool try_range)
{
	long max;
	unsigned int limit;

#ifdef HAVE_CLOSE_RANGE
	if (try_range && !close_range(lo, hi, 0))
		return;
#else
	(void)try_range;
#endif
	max = sysconf(_SC_OPEN_MAX);
	limit = max > 0 && max < 65536 ? (unsigned int)max : 65536;
	for (unsigned int fd = lo; fd <= hi && fd < limit; fd++)
		close((int)fd);
}

void ect__close_fds_except(int first, const int *keep, size_t n, bool try_range)
{
	unsigned int next = first > 0 ? (unsigned int)first : 0;

	/* the gaps between the kept fds, lowest first: no copy, no sort */
	for (;;) {
		unsigned int lowest = UINT_MAX;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned int)keep[i] >= next &&
			    (unsigned int)keep[i] < lowest)
				lowest = (unsigned int)keep[i];
		if (lowest == UINT_MAX)
			break;
		if (lowest > next)
			close_span(next, lowest - 1, try_range);
		next = lowest + 1;
	}
	close_span(next, ~0U, try_range);
}

void ect_close_fds_except(int first, const int *keep, size_t n)
{
	ect__close_fds_except(first, keep, n, true);
}
