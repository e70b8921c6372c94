// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/mtab upkeep for systems where it is still a regular file (on Debian
 * 12 it is a symlink into /proc and nothing is written). Runs as root from
 * privilege.c only (signals blocked, no file size limit). CVE-2011-1834/3145:
 * never edit in place; build /etc/mtab.tmp under the /etc/mtab~ lock with an
 * explicit mode, then rename.
 */
#include "privilege.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MTAB /* tests/fuzz/fuzz-mount points these into a scratch directory */
#define MTAB "/etc/mtab"
#define MTAB_LOCK "/etc/mtab~"
#define MTAB_TMP "/etc/mtab.tmp"
#endif

static int mtab_is_file(void)
{
	struct stat st;

	return !lstat(MTAB, &st) && S_ISREG(st.st_mode);
}

/* Escape blanks, tabs, newlines and backslashes as fstab(5) does. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/*
 * Take the /etc/mtab~ lock the way util-linux's mount did: create it with
 * O_EXCL and hold an fcntl write lock on it while it exists. A lock file
 * whose fcntl lock is free has no live owner (a helper killed with SIGKILL
 * while holding it): remove it and retry. A live owner (e.g. stopped with
 * SIGSTOP) is waited for MTAB_LOCK_WAIT seconds, then mtab is left alone.
 */
#define MTAB_LOCK_WAIT 10

static int lock_mtab(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat a, b;

	for (int tries = 0; tries < MTAB_LOCK_WAIT * 10; tries++) {
		int fd = open(MTAB_LOCK, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0) {
			if (fcntl(fd, F_SETLK, &fl)) {
				close(fd);
				unlink(MTAB_LOCK);
				return -EIO;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
		fd = open(MTAB_LOCK, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && !fcntl(fd, F_SETLK, &fl) && !fstat(fd, &a) && !lstat(MTAB_LOCK, &b) &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino && (time(NULL) - a.st_mtime > 1)) {
			/* stale (its creator is gone, and not just now creating it) */
			unlink(MTAB_LOCK);
			close(fd);
			continue;
		}
		if (fd >= 0)
			close(fd);
		usleep(100000);
	}
	return -EBUSY;
}

/* Copy mtab, dropping the last line for drop_target, adding one if add_src. */
static int rewrite(const char *add_src, const char *add_target, const char *opts,
		   const char *drop_target)
{
	char *line = NULL, *esc = NULL;
	size_t cap = 0, esclen = 0;
	ssize_t len;
	FILE *in = NULL, *out = NULL;
	int lock, tmp = -1, ret = 0;
	mode_t old = umask(033);

	lock = lock_mtab();
	if (lock < 0) {
		umask(old);
		return lock;
	}
	tmp = open(MTAB_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (tmp < 0 || fchmod(tmp, 0644) || !(out = fdopen(tmp, "w"))) {
		ret = -errno;
		goto out;
	}
	tmp = -1;
	in = fopen(MTAB, "re");
	if (drop_target) {
		FILE *e = open_memstream(&esc, &esclen);

		if (!e) {
			ret = -errno;
			goto out;
		}
		put_escaped(e, drop_target);
		if (fclose(e)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	/* whole lines of any length: a long line is never split and misread */
	while (in && (len = getline(&line, &cap, in)) > 0) {
		char *sp = strchr(line, ' ');

		if (drop_target && sp && !strncmp(sp + 1, esc, esclen) && sp[1 + esclen] == ' ' &&
		    strstr(sp, " ecryptfs ")) {
			drop_target = NULL; /* one line only */
			continue;
		}
		fputs(line, out);
		/* a last line without '\n' must not swallow the entry added after it */
		if (line[len - 1] != '\n')
			fputc('\n', out);
	}
	if (add_src) {
		put_escaped(out, add_src);
		fputc(' ', out);
		put_escaped(out, add_target);
		fprintf(out, " ecryptfs %s 0 0\n", opts);
	}
	if (fflush(out) || fsync(fileno(out)))
		ret = -errno;
	if (fclose(out) && !ret)
		ret = -errno;
	out = NULL;
	/* the new mtab appears whole or not at all */
	if (!ret && rename(MTAB_TMP, MTAB))
		ret = -errno;
out:
	if (out)
		fclose(out);
	if (tmp >= 0)
		close(tmp);
	if (in)
		fclose(in);
	if (ret)
		unlink(MTAB_TMP);
	free(line);
	free(esc);
	unlink(MTAB_LOCK);
	close(lock);
	umask(old);
	return ret;
}

int ect_mtab_add(const char *src, const char *target, const char *opts)
{
	if (!mtab_is_file())
		return 0;
	return rewrite(src, target, opts, NULL);
}

int ect_mtab_remove(const char *target)
{
	if (!mtab_is_file())
		return 0;
	return rewrite(NULL, NULL, NULL, target);
}
