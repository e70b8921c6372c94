// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse open files. Every open of one lower inode shares one
 * entry: one codec handle, so the plaintext size a write grows is the size
 * the next read clips at, as the kernel's one inode per file gives. Sizes
 * of files not open come from the header, remembered while the lower
 * file's change time says it is unchanged.
 */
#include "efs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/xattr.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Caller holds files_lock. */
static struct efs_file *find_open(struct efs *e, dev_t dev, ino_t ino)
{
	for (struct efs_file *f = e->files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

/* Codec open flags the mount implies: the xattr header only with ecryptfs_xattr_metadata. */
static unsigned int codec_flags(const struct efs *e, int writable)
{
	unsigned int flags = writable ? ECT_CODEC_WRITE : 0;

	if (!(e->opts.flags & ECT_MOPT_XATTR_METADATA))
		flags |= ECT_CODEC_NO_XATTR;
	return flags;
}

static int open_codec(struct efs *e, int fd, int writable, struct ect_codec_file **cf)
{
	int rc = ect_codec_open_fd(fd, codec_flags(e, writable), e->keys, e->nkeys, cf);

	*cf = rc ? NULL : *cf;
	/* Not an eCryptfs file: plain I/O under passthrough, EIO otherwise (the kernel's). */
	if ((rc == ECT_E_NOT_ECRYPTFS || rc == ECT_E_TRUNCATED) &&
	    (e->opts.flags & ECT_MOPT_PASSTHROUGH))
		return 0;
	return efs_errno(rc);
}

static int add_entry(struct efs *e, int fd, int writable, struct ect_codec_file *cf,
		     const struct stat *st, struct efs_file **out)
{
	struct efs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->refs = 1;
	f->fd = fd;
	f->writable = writable;
	f->cf = cf;
	f->next = e->files;
	e->files = f;
	*out = f;
	return 0;
}

/* A shared read-only entry asked for writing: reopen the codec on the new fd. */
static int upgrade(struct efs *e, struct efs_file *f, int fd)
{
	struct ect_codec_file *cf = NULL;
	int rc;

	pthread_mutex_lock(&f->lock);
	rc = f->cf ? open_codec(e, fd, 1, &cf) : 0;
	if (!rc) {
		ect_codec_close(f->cf);
		close(f->fd);
		f->cf = cf;
		f->fd = fd;
		f->writable = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/*
 * A 0-byte lower file with no header (a crash between create and the
 * header write, or a truncate behind the mount's back) opens as an empty
 * file with a fresh header, as the kernel does since its LP#911507 fix.
 */
static int init_empty(struct efs *e, int fd, struct ect_codec_file **cf)
{
	struct ect_codec_file *fresh = NULL;
	int rc = efs_errno(ect_codec_create(fd, &e->create, &fresh));

	*cf = rc ? NULL : fresh;
	return rc;
}

int efs_file_get(struct efs *e, int dirfd, const char *name, int want_write,
		 struct efs_file **out)
{
	struct ect_codec_file *cf = NULL;
	struct efs_file *f;
	struct stat st;
	int fd, writable = 1, rc;

	/* Read-only (rescue) mounts never open the lower file for writing. */
	if (e->read_only && want_write)
		return -EROFS;
	fd = -1;
	if (!e->read_only)
		fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && !want_write && (e->read_only || errno == EACCES || errno == EROFS)) {
		writable = 0;
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto fail;
	}
	pthread_mutex_lock(&e->files_lock);
	f = find_open(e, st.st_dev, st.st_ino);
	if (f) {
		f->refs++;
		rc = (want_write && !f->writable) ? upgrade(e, f, fd) : 0;
		if (rc || f->fd != fd)
			close(fd);
		if (rc)
			f->refs--;
		pthread_mutex_unlock(&e->files_lock);
		*out = rc ? NULL : f;
		return rc;
	}
	rc = open_codec(e, fd, writable, &cf);
	if (rc == -EIO && writable && st.st_size == 0) {
		rc = init_empty(e, fd, &cf);
		if (!rc)
			efs_log(e, LOG_NOTICE, "lower inode %llu: empty, without a header; "
				"wrote a new one", (unsigned long long)st.st_ino);
	}
	if (rc == -EIO)
		efs_log(e, LOG_WARNING, "lower inode %llu: not a valid eCryptfs file "
			"(or not for these keys)", (unsigned long long)st.st_ino);
	if (!rc)
		rc = add_entry(e, fd, writable, cf, &st, out);
	pthread_mutex_unlock(&e->files_lock);
	if (rc) {
		ect_codec_close(cf);
		close(fd);
	}
	return rc;
fail:
	close(fd);
	return rc;
}

int efs_file_create(struct efs *e, int dirfd, const char *name, mode_t mode,
		    struct efs_file **out)
{
	struct ect_codec_file *cf = NULL;
	struct efs_creds creds;
	struct stat st;
	int fd, rc;

	/*
	 * Made as the caller; the header is then written as the daemon, as the
	 * kernel writes its xattr whatever the mode (a 0444 file's too).
	 */
	rc = efs_as_caller(e, &creds);
	if (rc)
		return rc;
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	rc = fd < 0 ? -errno : 0;
	efs_as_daemon(e, &creds);
	if (rc)
		return rc;
	rc = fstat(fd, &st) ? -errno : 0;
	if (!rc)
		rc = efs_errno(ect_codec_create(fd, &e->create, &cf));
	if (!rc) {
		pthread_mutex_lock(&e->files_lock);
		rc = add_entry(e, fd, 1, cf, &st, out);
		pthread_mutex_unlock(&e->files_lock);
	}
	if (rc) {
		/* No half-made file: the name was ours alone (O_EXCL). */
		ect_codec_close(cf);
		close(fd);
		unlinkat(dirfd, name, 0);
	}
	return rc;
}

struct efs_file *efs_file_find(struct efs *e, dev_t dev, ino_t ino)
{
	struct efs_file *f;

	pthread_mutex_lock(&e->files_lock);
	f = find_open(e, dev, ino);
	if (f)
		f->refs++;
	pthread_mutex_unlock(&e->files_lock);
	return f;
}

void efs_file_put(struct efs *e, struct efs_file *f)
{
	struct efs_file **pp;

	pthread_mutex_lock(&e->files_lock);
	if (--f->refs) {
		pthread_mutex_unlock(&e->files_lock);
		return;
	}
	for (pp = &e->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	pthread_mutex_unlock(&e->files_lock);
	efs_hidden_free(f);
	ect_codec_close(f->cf);
	close(f->fd);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* Plaintext size from a header: bytes 0..7 once the marker checks out. */
static int header_size(const uint8_t *buf, size_t len, off_t *size)
{
	uint64_t v = 0;

	if (len < 16 || !ect_header_is_ecryptfs(buf, len))
		return 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | buf[i];
	if (v > INT64_MAX)
		return 0;
	*size = (off_t)v;
	return 1;
}

/*
 * The size cache. A slot is trusted while the lower file's dev, ino,
 * ctime, mtime and size are what they were, so a change made behind the
 * daemon's back (another mount, the kernel module, a restore) is seen:
 * every write, truncate or xattr change moves ctime, and nobody can set
 * ctime. A change in the same clock tick as the header read could keep
 * ctime equal, so a size is only stored once ctime is EFS_SIZES_SETTLE_S
 * older than the clock read before the file was opened (git's "racily
 * clean" rule; 2 s also covers lower file systems with 1-2 s timestamps):
 * any later change then gets a newer ctime. Files open through the mount
 * never use it (their size is the codec's).
 */
#define EFS_SIZES_SETTLE_S 2

static struct efs_size_slot *size_slot(struct efs *e, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)ino;

	return &e->sizes[(h ^ h >> 29) % EFS_SIZES_SLOTS];
}

static int same_ts(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Caller holds files_lock. */
static int size_cached(struct efs *e, const struct stat *st, off_t *size)
{
	struct efs_size_slot *s = size_slot(e, st->st_dev, st->st_ino);

	if (s->ino != st->st_ino || s->dev != st->st_dev || s->lower_size != st->st_size ||
	    !same_ts(&s->ctime, &st->st_ctim) || !same_ts(&s->mtime, &st->st_mtim))
		return 0;
	*size = s->size;
	return 1;
}

/* st: the opened file's fstat; before: CLOCK_REALTIME_COARSE before the open. */
static void size_store(struct efs *e, const struct stat *st, const struct timespec *before,
		       off_t size)
{
	struct efs_size_slot *s;

	if (st->st_ctim.tv_sec > before->tv_sec - EFS_SIZES_SETTLE_S)
		return;
	pthread_mutex_lock(&e->files_lock);
	s = size_slot(e, st->st_dev, st->st_ino);
	*s = (struct efs_size_slot){ .dev = st->st_dev, .ino = st->st_ino,
				     .ctime = st->st_ctim, .mtime = st->st_mtim,
				     .lower_size = st->st_size, .size = size };
	pthread_mutex_unlock(&e->files_lock);
}

int efs_file_size(struct efs *e, int dirfd, const char *name, const struct stat *lower,
		  off_t *size)
{
	uint8_t buf[ECT_HEADER_PARSE_MAX];
	struct timespec before;
	struct efs_file *f;
	struct stat st;
	int fd, found = 0, cached;
	ssize_t n;

	*size = lower->st_size;
	pthread_mutex_lock(&e->files_lock);
	f = find_open(e, lower->st_dev, lower->st_ino);
	if (f && f->cf) {
		pthread_mutex_lock(&f->lock);
		*size = (off_t)ect_codec_size(f->cf);
		pthread_mutex_unlock(&f->lock);
	}
	cached = !f && size_cached(e, lower, size);
	pthread_mutex_unlock(&e->files_lock);
	if (f || cached)
		return 0;
	clock_gettime(CLOCK_REALTIME_COARSE, &before);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* unreadable: the lower size, as a plain stat would say */
	n = pread(fd, buf, 16, 0);
	if (n >= 16)
		found = header_size(buf, (size_t)n, size);
	if (!found && (e->opts.flags & ECT_MOPT_XATTR_METADATA)) {
		n = fgetxattr(fd, ECT_HEADER_XATTR, buf, sizeof(buf));
		if (n > 0)
			found = header_size(buf, (size_t)n, size);
	}
	if (found && !fstat(fd, &st) && st.st_dev == lower->st_dev && st.st_ino == lower->st_ino)
		size_store(e, &st, &before, *size);
	close(fd);
	return 0;
}

int efs_file_truncate(struct efs_file *f, off_t size)
{
	int rc;

	if (size < 0)
		return -EINVAL;
	if (!f->writable)
		return -EBADF;
	pthread_mutex_lock(&f->lock);
	if (f->cf)
		rc = efs_errno(ect_codec_truncate(f->cf, (uint64_t)size));
	else
		rc = ftruncate(f->fd, size) ? -errno : 0;
	pthread_mutex_unlock(&f->lock);
	return rc;
}
