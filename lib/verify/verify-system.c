// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Findings reports, /proc/self/mountinfo lookups and the system-wide checks
 * (is swap encrypted?) used by ecryptfs-verify-private.
 */
#include "ect-internal.h"
#include "verify-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *ect_severity_name(enum ect_severity severity)
{
	switch (severity) {
	case ECT_SEV_OK:
		return "ok";
	case ECT_SEV_INFO:
		return "info";
	case ECT_SEV_WARN:
		return "warn";
	case ECT_SEV_FAIL:
		return "fail";
	}
	return "?";
}

static char *dup_or_null(const char *s, int *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = 1;
	return copy;
}

static void fix_free(struct ect_fix *fix)
{
	free(fix->user);
	free(fix->path);
	free(fix->path2);
	memset(fix, 0, sizeof(*fix));
}

static int report_vadd(struct ect_report *report, enum ect_severity severity, const char *check,
		       const struct ect__fix_spec *fix, const char *fmt, va_list ap) ECT_PRINTF(5, 0);

static int report_vadd(struct ect_report *report, enum ect_severity severity, const char *check,
		       const struct ect__fix_spec *fix, const char *fmt, va_list ap)
{
	struct ect_finding *f;
	int failed = 0;

	if (report->count == report->cap) {
		size_t cap = report->cap ? report->cap * 2 : 16;
		struct ect_finding *items = realloc(report->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		report->items = items;
		report->cap = cap;
	}
	f = &report->items[report->count];
	memset(f, 0, sizeof(*f));
	if (fix && fix->kind != ECT_FIX_NONE) {
		/* whole paths, never cut: a shortened path names another file */
		f->fix.kind = fix->kind;
		f->fix.mode = fix->mode;
		f->fix.user = dup_or_null(fix->user, &failed);
		f->fix.path = dup_or_null(fix->path, &failed);
		f->fix.path2 = dup_or_null(fix->path2, &failed);
		if (failed) {
			fix_free(&f->fix);
			return -ENOMEM;
		}
	}
	report->count++;
	f->severity = severity;
	snprintf(f->check, sizeof(f->check), "%s", check);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	/* one line each: a hostile path must not forge further findings */
	for (char *p = f->message; *p; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
	return 0;
}

int ect_report_add(struct ect_report *report, enum ect_severity severity, const char *check,
		   const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = report_vadd(report, severity, check, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int ect__report_fix(struct ect_report *report, enum ect_severity severity, const char *check,
		    const struct ect__fix_spec *fix, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = report_vadd(report, severity, check, fix, fmt, ap);
	va_end(ap);
	return ret;
}

enum ect_severity ect_report_worst(const struct ect_report *report)
{
	enum ect_severity worst = ECT_SEV_OK;

	for (size_t i = 0; i < report->count; i++)
		if (report->items[i].severity > worst)
			worst = report->items[i].severity;
	return worst;
}

void ect_report_free(struct ect_report *report)
{
	for (size_t i = 0; i < report->count; i++)
		fix_free(&report->items[i].fix);
	free(report->items);
	memset(report, 0, sizeof(*report));
}

static void copy_out(char *dst, size_t size, const char *src)
{
	if (dst && size)
		snprintf(dst, size, "%s", src);
}

int ect_mountinfo_find_ecryptfs(const char *mountinfo, const char *lower, const char *upper,
				struct ect_mount_entry *out)
{
	/* the mount module's one reader: the last match, the top of a stack */
	return ect__mount_find_last(mountinfo, lower, upper, ECT_MATCH_SOURCE_OR_TARGET, NULL, out);
}

/*
 * Does the block device at sysfs dir (a /sys/dev/block/M:m link) sit on
 * dm-crypt? Follows dm slaves (LVM on LUKS) a few levels down.
 */
static int block_is_encrypted(const char *dir, int depth)
{
	char path[PATH_MAX], uuid[128] = "";
	DIR *d;
	struct dirent *e;
	FILE *f;
	int enc = 0;

	if (depth > 6)
		return 0;
	snprintf(path, sizeof(path), "%s/dm/uuid", dir);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(uuid, sizeof(uuid), f))
			uuid[0] = '\0';
		fclose(f);
		if (!strncmp(uuid, "CRYPT-", 6))
			return 1;
	}
	snprintf(path, sizeof(path), "%s/slaves", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while (!enc && (e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
			continue;
		enc = block_is_encrypted(sub, depth + 1);
	}
	closedir(d);
	return enc;
}

/* The device path is zram (compressed RAM): nothing reaches a disk. */
static int block_is_ram(const char *dir)
{
	char target[PATH_MAX];
	ssize_t n = readlink(dir, target, sizeof(target) - 1);

	if (n < 0)
		return 0;
	target[n] = '\0';
	return strstr(target, "/zram") != NULL;
}

enum ect_block_crypt ect_block_crypt(const char *sysfs, dev_t dev)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/dev/block/%u:%u", sysfs ? sysfs : "/sys", major(dev),
		 minor(dev));
	if (block_is_ram(dir))
		return ECT_BLOCK_ZRAM;
	return block_is_encrypted(dir, 0) ? ECT_BLOCK_DM_CRYPT : ECT_BLOCK_PLAIN;
}

int ect_swaps_line(const char *line, char *name, size_t name_size, char *type, size_t type_size)
{
	char n[PATH_MAX], t[32];

	/* header line: "Filename Type Size Used Priority" */
	if (!strncmp(line, "Filename", 8) || sscanf(line, "%4095s %31s", n, t) != 2)
		return -1;
	ect__unescape_octal(n);
	copy_out(name, name_size, n);
	copy_out(type, type_size, t);
	return 0;
}

static int check_one_swap(const char *sysfs, const char *name, const char *type,
			  struct ect_report *report)
{
	enum ect_block_crypt crypt;
	struct stat st;

	if (stat(name, &st))
		return ect_report_add(report, ECT_SEV_WARN, "swap",
				      "swap %s is active but cannot be examined: %s", name,
				      strerror(errno));
	crypt = ect_block_crypt(sysfs, S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev);
	if (crypt == ECT_BLOCK_ZRAM)
		return ect_report_add(report, ECT_SEV_OK, "swap",
				      "swap %s is in compressed RAM (zram)", name);
	if (crypt == ECT_BLOCK_DM_CRYPT)
		return ect_report_add(report, ECT_SEV_OK, "swap", "swap %s %sis encrypted (dm-crypt)",
				      name, strcmp(type, "file") ? "" : "lives on a device that ");
	return ect__report_fix(report, ECT_SEV_FAIL, "swap", ECT_FIX(ECT_FIX_SETUP_SWAP),
			      "swap %s is not encrypted: decrypted file contents and keys can be "
			      "paged out in clear", name);
}

int ect_verify_system(const struct ect_verify_opts *opts, struct ect_report *report)
{
	const char *swaps = opts && opts->swaps ? opts->swaps : "/proc/swaps";
	const char *sysfs = opts && opts->sysfs ? opts->sysfs : "/sys";
	FILE *f = fopen(swaps, "re");
	char *line = NULL;
	size_t cap = 0;
	int nswap = 0, ret = 0;

	if (!f)
		return ect_report_add(report, ECT_SEV_WARN, "swap", "cannot read %s: %s", swaps,
				      strerror(errno));
	while (!ret && getline(&line, &cap, f) > 0) {
		char name[PATH_MAX], type[32];

		if (ect_swaps_line(line, name, sizeof(name), type, sizeof(type)))
			continue;
		nswap++;
		ret = check_one_swap(sysfs, name, type, report);
	}
	free(line);
	fclose(f);
	if (!ret && !nswap)
		ret = ect_report_add(report, ECT_SEV_OK, "swap", "no swap is active");
	return ret;
}
