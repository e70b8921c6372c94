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

int efs_resolve(struct efs *e, const char *path, int *dirfd, char *lname, size_t size)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash;
	int fd, next, rc;

	*dirfd = -1;
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
	*dirfd = fd;
	return 0;
fail:
	close(fd);
	return rc;
}
