// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/mtab upkeep for systems where it is still a regular file (on Debian
 * 12 it is a symlink into /proc and nothing is written). Runs as root from
 * privilege.c only. CVE-2011-1834/3145: never edit in place; build
 * /etc/mtab.tmp under the /etc/mtab~ lock with an explicit mode, then rename.
 */
#include "privilege.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MTAB "/etc/mtab"
#define MTAB_LOCK "/etc/mtab~"
#define MTAB_TMP "/etc/mtab.tmp"

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

/* Copy mtab, dropping the last line for drop_target, adding one if add_src. */
static int rewrite(const char *add_src, const char *add_target, const char *opts,
		   const char *drop_target)
{
	char line[8192], esc[8192];
	FILE *in = NULL, *out = NULL;
	int lock, tmp = -1, ret = 0;
	mode_t old = umask(033);

	lock = open(MTAB_LOCK, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0) {
		umask(old);
		return -errno;
	}
	tmp = open(MTAB_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (tmp < 0 || fchmod(tmp, 0644) || !(out = fdopen(tmp, "w"))) {
		ret = -errno;
		goto out;
	}
	tmp = -1;
	in = fopen(MTAB, "re");
	if (drop_target) {
		FILE *e;

		/* every byte may become a 4-byte octal escape; refuse what cannot fit */
		if (strlen(drop_target) > (sizeof(esc) - 1) / 4) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		e = fmemopen(esc, sizeof(esc), "w");

		if (!e) {
			ret = -errno;
			goto out;
		}
		put_escaped(e, drop_target);
		fputc('\0', e);
		fclose(e);
	}
	while (in && fgets(line, sizeof(line), in)) {
		char *sp = strchr(line, ' ');

		if (drop_target && sp && !strncmp(sp + 1, esc, strlen(esc)) &&
		    sp[1 + strlen(esc)] == ' ' && strstr(sp, " ecryptfs ")) {
			drop_target = NULL; /* one line only */
			continue;
		}
		fputs(line, out);
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
	close(lock);
	unlink(MTAB_LOCK);
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
