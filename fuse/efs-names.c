// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse names: upper paths to lower ones. With an FNEK each
 * component is encrypted as the kernel does (tag 70, "ECRYPTFS_FNEK_
 * ENCRYPTED." prefix, 143-byte limit) and so are symlink targets; without
 * one names pass through. Lower directories are opened one component at a
 * time without following symlinks, so a symlink planted in the lower tree
 * is never crossed.
 */
#include "efs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void names_codec_free(void *p)
{
	ect_fname_codec_free(p);
}

int efs_names_init(struct efs *e)
{
	struct ect_fname_codec *c;
	int rc;

	e->name_max = ECT_NAME_MAX_LOWER;
	pthread_mutex_init(&e->dirs_lock, NULL);
	for (unsigned int i = 0; i < EFS_DIRS_SLOTS; i++)
		e->dirs[i] = (struct efs_dir_slot){ .fd = -1 };
	if (pthread_key_create(&e->names_key, names_codec_free))
		return -EAGAIN;
	e->names_ready = 1;
	if (!e->fnek)
		return 0;
	/* One codec now, for the limit and to fail early on a bad fn cipher. */
	rc = ect_fname_codec_new(e->fnek, e->opts.fnek_sig,
				 e->opts.fn_cipher[0] ? e->opts.fn_cipher : e->create.cipher,
				 e->opts.fn_key_bytes ? e->opts.fn_key_bytes : e->create.key_bytes,
				 &c);
	if (rc)
		return rc;
	e->name_max = ect_fname_name_max(c);
	pthread_setspecific(e->names_key, c);
	return 0;
}

void efs_names_free(struct efs *e)
{
	if (!e->names_ready)
		return;
	efs_dirs_forget(e);
	pthread_mutex_destroy(&e->dirs_lock);
	ect_fname_codec_free(pthread_getspecific(e->names_key));
	pthread_setspecific(e->names_key, NULL);
	pthread_key_delete(e->names_key);
	e->names_ready = 0;
}

/* This thread's name codec (made on first use), or NULL with rc set. */
static struct ect_fname_codec *names_codec(struct efs *e, int *rc)
{
	struct ect_fname_codec *c = pthread_getspecific(e->names_key);

	*rc = 0;
	if (c)
		return c;
	*rc = ect_fname_codec_new(e->fnek, e->opts.fnek_sig,
				  e->opts.fn_cipher[0] ? e->opts.fn_cipher : e->create.cipher,
				  e->opts.fn_key_bytes ? e->opts.fn_key_bytes : e->create.key_bytes,
				  &c);
	if (*rc)
		return NULL;
	if (pthread_setspecific(e->names_key, c)) {
		ect_fname_codec_free(c);
		*rc = -ENOMEM;
		return NULL;
	}
	return c;
}

static int copy_plain(const char *in, size_t max, char *out, size_t size)
{
	size_t len = strlen(in);

	if (len > max)
		return -ENAMETOOLONG;
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(out, in, len + 1);
	return 0;
}

static int crypt_name(struct efs *e, const char *in, unsigned int flags, int encrypt,
		      char *out, size_t size)
{
	struct ect_fname_codec *c;
	ssize_t n;
	int rc;

	c = names_codec(e, &rc);
	if (!c)
		return efs_errno(rc);
	if (encrypt)
		n = ect_fname_encrypt(c, in, strlen(in), flags, out, size);
	else
		n = ect_fname_decrypt(c, in, strlen(in), flags, out, size);
	if (n == -ENOSPC)
		return -ENAMETOOLONG;
	return n < 0 ? efs_errno((int)n) : 0;
}

int efs_name_encrypt(struct efs *e, const char *name, char *out, size_t size)
{
	if (!e->fnek)
		return copy_plain(name, NAME_MAX, out, size);
	return crypt_name(e, name, 0, 1, out, size);
}

int efs_name_decrypt(struct efs *e, const char *lower, char *out, size_t size)
{
	int rc;

	if (!e->fnek)
		return copy_plain(lower, NAME_MAX, out, size);
	rc = crypt_name(e, lower, ECT_FNAME_KERNEL_RULES, 0, out, size);
	/* Names of another key or damaged ones are hidden, as the kernel hides them. */
	return rc == -EIO ? 1 : rc;
}

int efs_target_encrypt(struct efs *e, const char *target, char *out, size_t size)
{
	if (!e->fnek)
		return copy_plain(target, PATH_MAX - 1, out, size);
	return crypt_name(e, target, ECT_FNAME_SYMLINK, 1, out, size);
}

int efs_target_decrypt(struct efs *e, const char *lower, char *out, size_t size)
{
	if (!e->fnek)
		return copy_plain(lower, PATH_MAX - 1, out, size);
	return crypt_name(e, lower, ECT_FNAME_SYMLINK, 0, out, size);
}

static void slot_clear(struct efs_dir_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	*s = (struct efs_dir_slot){ .fd = -1 };
}

void efs_dirs_forget(struct efs *e)
{
	pthread_mutex_lock(&e->dirs_lock);
	e->dirs_gen++;
	for (unsigned int i = 0; i < EFS_DIRS_SLOTS; i++)
		slot_clear(&e->dirs[i]);
	pthread_mutex_unlock(&e->dirs_lock);
}

static long age_ms(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (long)(now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
}

/*
 * A copy of the cached lower directory of the upper directory dir (len
 * bytes), or -1. Why this is safe: the fd is the directory itself, so no
 * symlink planted later is followed through it; renames and rmdirs through
 * the mount drop every entry (efs_dirs_forget), and one made on the lower
 * side behind the daemon's back is seen within EFS_DIRS_TTL_MS, the window
 * the kernel's FUSE entry cache already has (gocryptfs keeps directory fds
 * the same way).
 */
static int dirs_lookup(struct efs *e, const char *dir, size_t len, unsigned long *gen)
{
	int fd = -1;

	pthread_mutex_lock(&e->dirs_lock);
	*gen = e->dirs_gen;
	for (unsigned int i = 0; i < EFS_DIRS_SLOTS; i++) {
		struct efs_dir_slot *s = &e->dirs[i];

		if (!s->path || strncmp(s->path, dir, len) || s->path[len])
			continue;
		if (age_ms(&s->stamp) >= EFS_DIRS_TTL_MS)
			slot_clear(s);
		else
			fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
		break;
	}
	pthread_mutex_unlock(&e->dirs_lock);
	return fd;
}

/* Remember fd for dir unless a rename or rmdir came since the walk began (gen). */
static void dirs_insert(struct efs *e, const char *dir, size_t len, int fd, unsigned long gen)
{
	struct efs_dir_slot *s;
	char *copy = strndup(dir, len);
	int dup = copy ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;

	pthread_mutex_lock(&e->dirs_lock);
	if (dup < 0 || gen != e->dirs_gen) {
		pthread_mutex_unlock(&e->dirs_lock);
		if (dup >= 0)
			close(dup);
		free(copy);
		return;
	}
	s = &e->dirs[e->dirs_victim];
	e->dirs_victim = (e->dirs_victim + 1) % EFS_DIRS_SLOTS;
	slot_clear(s);
	s->path = copy;
	s->fd = dup;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &s->stamp);
	pthread_mutex_unlock(&e->dirs_lock);
}

/* The last component of a clean path ("/a/b/c": no "//", no trailing "/") below a directory. */
static const char *last_below_dir(const char *path)
{
	const char *last = strrchr(path, '/');

	if (!last || last == path || !last[1] || strstr(path, "//"))
		return NULL;
	return last + 1;
}

int efs_resolve(struct efs *e, const char *path, int *dirfd, char *lname, size_t size)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash, *last = last_below_dir(path);
	unsigned long gen = 0;
	int fd, next, rc;

	*dirfd = -1;
	if (last) {
		fd = dirs_lookup(e, path, (size_t)(last - 1 - path), &gen);
		if (fd >= 0) {
			rc = efs_name_encrypt(e, last, lname, size);
			if (rc)
				close(fd);
			else
				*dirfd = fd;
			return rc;
		}
	}
	fd = openat(e->lower_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (*p == '/')
		p++;
	if (!*p) {
		*dirfd = fd;
		return copy_plain(".", 1, lname, size);
	}
	for (;;) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len > NAME_MAX) {
			rc = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		rc = efs_name_encrypt(e, comp, lname, size);
		if (rc)
			goto fail;
		while (slash && slash[1] == '/')
			slash++;
		if (!slash || !slash[1])
			break;
		next = openat(fd, lname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			rc = errno == ELOOP ? -ENOTDIR : -errno;
			goto fail;
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	if (last)
		dirs_insert(e, path, (size_t)(last - 1 - path), fd, gen);
	*dirfd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}
