// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private -b -u USER without a password: ecryptfs-utils
 * 111's hand-off. The mount passphrase waits in /dev/shm/.ecryptfs-USER
 * (tmpfs, so it never reaches a disk; owner USER, mode 0400, the bare
 * passphrase without a newline) until pam_ecryptfs wraps it with the first
 * password set through PAM or at the first login, and removes it.
 *
 * Root writes into a world-writable sticky directory, so nothing is done
 * by a name someone else could have placed: the file is born unnamed
 * (O_TMPFILE), gets its content, owner and mode through its fd, and is
 * given its name with linkat, which never replaces an existing entry.
 */
#include "cmd-private-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOTSTRAP_DIR "/dev/shm"
#define BOOTSTRAP_PREFIX ".ecryptfs-"

bool setup_bootstrap_wanted(const struct setup *s)
{
	return s->bootstrap && !s->loginpass_arg && !s->pwfile && !s->wrapping;
}

/* /dev/shm as root's directory fd: root-owned, and sticky if others may write. */
static int open_shm(struct ect_ctx *ctx)
{
	struct stat st;
	int fd = open(BOOTSTRAP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		ect_err(ctx, "cannot open %s for the bootstrap passphrase: %s", BOOTSTRAP_DIR,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || st.st_uid != 0 ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		ect_err(ctx, "refusing %s: not root's, or writable by others without the sticky bit",
			BOOTSTRAP_DIR);
		close(fd);
		return -1;
	}
	return fd;
}

static void bootstrap_name(const struct setup *s, char *buf, size_t size)
{
	snprintf(buf, size, BOOTSTRAP_PREFIX "%s", s->name);
}

int setup_bootstrap_check(struct ect_ctx *ctx, const struct setup *s)
{
	char name[300];
	struct stat st;
	int fd = open_shm(ctx);

	if (fd < 0)
		return -1;
	bootstrap_name(s, name, sizeof(name));
	if (!fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		ect_err(ctx, "%s/%s already exists (owner uid %u, mode %04o); it is not this run's: "
			     "remove it after checking whose it is, then run again; nothing was created",
			BOOTSTRAP_DIR, name, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int setup_bootstrap_write(struct ect_ctx *ctx, const struct setup *s, const char *pass, size_t len)
{
	char name[300];
	int dfd, fd = -1, ret = -1;

	dfd = open_shm(ctx);
	if (dfd < 0)
		return -1;
	bootstrap_name(s, name, sizeof(name));
	fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0400);
	if (fd < 0) {
		ect_err(ctx, "cannot create the bootstrap passphrase file in %s: %s", BOOTSTRAP_DIR,
			strerror(errno));
		goto out;
	}
	if (write_all(fd, pass, len) || fchown(fd, s->uid, s->gid) || fchmod(fd, 0400) || fsync(fd)) {
		ect_err(ctx, "cannot write the bootstrap passphrase file: %s", strerror(errno));
		goto out;
	}
	/* linkat never replaces: a name that appeared since the check stays, unused */
	if (linkat(fd, "", dfd, name, AT_EMPTY_PATH)) {
		ect_err(ctx, "cannot create %s/%s: %s; nothing of it was used", BOOTSTRAP_DIR, name,
			errno == EEXIST ? "a file of that name appeared meanwhile" : strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd); /* an unnamed file that was never linked is freed with its fd */
	close(dfd);
	return ret;
}

/* /dev/shm's fd when USER's own regular file of that name is in it (named in name), else -1. */
static int shm_with_own_file(const struct setup *s, char *name, size_t size, struct stat *st)
{
	int dfd = open(BOOTSTRAP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0)
		return -1;
	bootstrap_name(s, name, size);
	/* a file of anybody else's under that name is not ours */
	if (!fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st->st_mode) &&
	    st->st_uid == s->uid)
		return dfd;
	close(dfd);
	return -1;
}

bool setup_bootstrap_exists(const struct setup *s)
{
	char name[300];
	struct stat st;
	int dfd = shm_with_own_file(s, name, sizeof(name), &st);

	if (dfd < 0)
		return false;
	close(dfd);
	return st.st_size > 0;
}

void setup_bootstrap_remove(const struct setup *s)
{
	char name[300];
	struct stat st;
	int dfd = shm_with_own_file(s, name, sizeof(name), &st);

	if (dfd < 0)
		return;
	unlinkat(dfd, name, 0);
	close(dfd);
}

void setup_bootstrap_done(const struct setup *s)
{
	printf("The mount passphrase waits in " BOOTSTRAP_DIR "/" BOOTSTRAP_PREFIX "%s (RAM only, "
	       "readable by %s alone).\n"
	       "The first password set for %s through PAM (passwd, chpasswd) or %s's first login\n"
	       "wraps it into %s/wrapped-passphrase and removes it; it is lost at reboot before that.\n",
	       s->name, s->name, s->name, s->name, s->cfgdir);
}
