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

/* One mtab line's start "SRC TARGET ecryptfs " as written by add_line. */
static char *line_key(const char *src, const char *target)
{
	char *key = NULL;
	size_t len = 0;
	FILE *e = open_memstream(&key, &len);

	if (!e)
		return NULL;
	put_escaped(e, src);
	fputc(' ', e);
	put_escaped(e, target);
	fputs(" ecryptfs ", e);
	if (fclose(e)) {
		free(key);
		return NULL;
	}
	return key;
}

/* Index of the last line of lines[] starting with key, or -1. */
static long last_match(char **lines, size_t n, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = n; i-- > 0;)
		if (!strncmp(lines[i], key, klen))
			return (long)i;
	return -1;
}

/* All lines of mtab (whole lines of any length: a long one is never split). */
static int read_lines(char ***lines, size_t *n)
{
	char *line = NULL, **v = NULL;
	size_t cap = 0, room = 0, count = 0;
	FILE *in = fopen(MTAB, "re");
	int ret = 0;

	*lines = NULL;
	*n = 0;
	if (!in)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, in) > 0) {
		if (count == room) {
			char **nv = realloc(v, (room ? room * 2 : 64) * sizeof(*v));

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
			room = room ? room * 2 : 64;
		}
		v[count++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	fclose(in);
	*lines = v;
	*n = count;
	return ret;
}

/*
 * Copy mtab, dropping the last line of exactly drop_src + drop_target +
 * ecryptfs (the top of a stack), adding one if add_src. Both come from the
 * kernel's row of the mount just made or about to go (issue #10 finding 4).
 */
static int rewrite(const char *add_src, const char *add_target, const char *opts,
		   const char *drop_src, const char *drop_target)
{
	char **lines = NULL, *key = NULL;
	size_t n = 0;
	long skip = -1;
	FILE *out = NULL;
	int lock, tmp = -1, ret;
	mode_t old = umask(033);

	lock = lock_mtab();
	if (lock < 0) {
		umask(old);
		return lock;
	}
	ret = read_lines(&lines, &n);
	if (ret)
		goto out;
	if (drop_src) {
		key = line_key(drop_src, drop_target);
		if (!key) {
			ret = -ENOMEM;
			goto out;
		}
		skip = last_match(lines, n, key);
	}
	tmp = open(MTAB_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (tmp < 0 || fchmod(tmp, 0644) || !(out = fdopen(tmp, "w"))) {
		ret = -errno;
		goto out;
	}
	tmp = -1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(lines[i]);

		if ((long)i == skip)
			continue;
		fputs(lines[i], out);
		/* a last line without '\n' must not swallow the entry added after it */
		if (len && lines[i][len - 1] != '\n')
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
	if (ret)
		unlink(MTAB_TMP);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(key);
	unlink(MTAB_LOCK);
	close(lock);
	umask(old);
	return ret;
}

int mh_mtab_add(const char *src, const char *target, const char *opts)
{
	if (!mtab_is_file())
		return 0;
	return rewrite(src, target, opts, NULL, NULL);
}

int mh_mtab_remove(const char *src, const char *target)
{
	if (!mtab_is_file())
		return 0;
	return rewrite(NULL, NULL, NULL, src, target);
}
