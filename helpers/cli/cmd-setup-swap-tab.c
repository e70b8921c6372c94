// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setup-swap: reading /etc/crypttab and /etc/fstab, and their new contents.
 * Lines are edited as bytes: every line the command does not mean to change
 * comes out exactly as it went in.
 */
#include "cmd-setup-swap.h"
#include "ecryptfs-tools.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TAB_MAX (1024 * 1024)

int swap_tab_load(struct swap_tab *t, const char *path)
{
	void *data = NULL;
	struct stat st;
	int ret;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->mode = 0644;
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			goto fail_errno;
		t->data = calloc(1, 1);
		return t->data ? 0 : -ENOMEM;
	}
	t->exists = true;
	t->mode = st.st_mode & 07777;
	ret = ect_read_file(path, TAB_MAX, 0, &data, &t->len);
	if (ret) {
		fprintf(stderr, "ERROR: cannot read %s: %s\n", path, ect_strerror(ret));
		return ret;
	}
	t->data = realloc(data, t->len + 1);
	if (!t->data) {
		free(data);
		return -ENOMEM;
	}
	t->data[t->len] = '\0';
	if (strlen(t->data) != t->len) {
		fprintf(stderr, "ERROR: %s contains a NUL byte; fix it by hand first\n", path);
		return -EINVAL;
	}
	return 0;
fail_errno:
	ret = -errno;
	fprintf(stderr, "ERROR: cannot read %s: %s\n", path, strerror(errno));
	return ret;
}

void swap_tab_free(struct swap_tab *t)
{
	free(t->data);
	t->data = NULL;
}

/* Split one line (without its newline) into up to max whitespace fields. */
static int split_fields(const char *line, size_t len, char fields[][PATH_MAX + 16], int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	while (i < len && n < max) {
		size_t start = i, flen;

		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		flen = i - start;
		if (flen >= PATH_MAX + 16)
			flen = PATH_MAX + 15;
		memcpy(fields[n], line + start, flen);
		fields[n++][flen] = '\0';
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
	}
	return n;
}

/* Does an fstab/crypttab source field name area a? By tag, or by identity for paths. */
static bool source_is(const char *field, const struct swap_area *a)
{
	struct stat st;

	if (!strcmp(field, a->path) || (a->source[0] && !strcmp(field, a->source)))
		return true;
	if (!strncmp(field, "UUID=", 5))
		return a->fs_uuid[0] && !strcasecmp(field + 5, a->fs_uuid);
	if (!strncmp(field, "PARTUUID=", 9))
		return a->part_uuid[0] && !strcasecmp(field + 9, a->part_uuid);
	if (!strncmp(field, "LABEL=", 6))
		return a->fs_label[0] && !strcmp(field + 6, a->fs_label);
	if (field[0] != '/' || stat(field, &st))
		return false;
	if (a->is_file)
		return S_ISREG(st.st_mode) && st.st_dev == a->rdev && st.st_ino == a->ino;
	return S_ISBLK(st.st_mode) && st.st_rdev == a->rdev;
}

/* Walk the lines of t; fn returns true to stop. Returns whether it stopped. */
static bool each_line(const struct swap_tab *t,
		      bool (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const char *p = t->data, *end = t->data + t->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (fn(p, len, arg))
			return true;
		p += len + (nl ? 1 : 0);
	}
	return false;
}

struct find_arg {
	const struct swap_area *a;
	const char *name;
	char found[SWAP_NAME_MAX];
};

static bool find_source(const char *line, size_t len, void *arg)
{
	struct find_arg *f = arg;
	char fields[2][PATH_MAX + 16];

	if (split_fields(line, len, fields, 2) < 2 || !source_is(fields[1], f->a))
		return false;
	snprintf(f->found, sizeof(f->found), "%.*s", SWAP_NAME_MAX - 1, fields[0]);
	return true;
}

const char *swap_crypttab_find(const struct swap_tab *crypttab, const struct swap_area *a)
{
	static struct find_arg f;

	memset(&f, 0, sizeof(f));
	f.a = a;
	return each_line(crypttab, find_source, &f) ? f.found : NULL;
}

static bool find_name(const char *line, size_t len, void *arg)
{
	struct find_arg *f = arg;
	char fields[1][PATH_MAX + 16];

	return split_fields(line, len, fields, 1) == 1 && !strcmp(fields[0], f->name);
}

bool swap_name_taken(const struct swap_tab *crypttab, const char *name)
{
	struct find_arg f = { .name = name };
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/mapper/%s", name);
	return !lstat(path, &st) || each_line(crypttab, find_name, &f);
}

/* A growing output buffer. */
struct outbuf {
	char *data;
	size_t len, cap;
	int err;
};

static void put(struct outbuf *o, const char *s, size_t len)
{
	if (o->err)
		return;
	if (o->len + len + 1 > o->cap) {
		size_t cap = (o->len + len + 1) * 2;
		char *d = realloc(o->data, cap);

		if (!d) {
			o->err = -ENOMEM;
			return;
		}
		o->data = d;
		o->cap = cap;
	}
	memcpy(o->data + o->len, s, len);
	o->len += len;
	o->data[o->len] = '\0';
}

static void put_str(struct outbuf *o, const char *s)
{
	put(o, s, strlen(s));
}

/* The old text, with a final newline if it lacked one. */
static void put_original(struct outbuf *o, const struct swap_tab *t)
{
	put(o, t->data, t->len);
	if (t->len && t->data[t->len - 1] != '\n')
		put_str(o, "\n");
}

static int finish(struct outbuf *o, char **out, size_t *outlen)
{
	if (o->err) {
		free(o->data);
		return o->err;
	}
	*out = o->data;
	*outlen = o->len;
	return 0;
}

int swap_tab_add(const struct swap_tab *crypttab, const struct swap_area *areas, size_t n,
		 char **out, size_t *outlen)
{
	struct outbuf o = { 0 };

	put_original(&o, crypttab);
	for (size_t i = 0; i < n; i++) {
		if (areas[i].state != SWAP_TODO)
			continue;
		put_str(&o, areas[i].name);
		put_str(&o, " ");
		put_str(&o, areas[i].source);
		put_str(&o, " /dev/urandom " SWAP_CRYPT_OPTS "\n");
	}
	return finish(&o, out, outlen);
}

/* An fstab line that activates one of the areas to encrypt as plain swap. */
static bool plain_swap_line(const char *line, size_t len, const struct swap_area *areas, size_t n)
{
	char fields[3][PATH_MAX + 16];

	if (split_fields(line, len, fields, 3) < 3 || strcmp(fields[2], "swap"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && source_is(fields[0], &areas[i]))
			return true;
	return false;
}

int swap_fstab_edit(const struct swap_tab *fstab, const struct swap_area *areas, size_t n,
		    char **out, size_t *outlen)
{
	const char *p = fstab->data, *end = fstab->data + fstab->len;
	struct outbuf o = { 0 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (plain_swap_line(p, len, areas, n))
			put_str(&o, "#");
		put(&o, p, len + (nl ? 1 : 0));
		p += len + (nl ? 1 : 0);
	}
	if (fstab->len && fstab->data[fstab->len - 1] != '\n')
		put_str(&o, "\n");
	for (size_t i = 0; i < n; i++) {
		if (areas[i].state != SWAP_TODO)
			continue;
		put_str(&o, "/dev/mapper/");
		put_str(&o, areas[i].name);
		put_str(&o, " none swap sw 0 0\n");
	}
	return finish(&o, out, outlen);
}

int swap_tab_replace(const struct swap_tab *t, const char *data, size_t len)
{
	char backup[PATH_MAX];
	int ret;

	if (t->exists) {
		snprintf(backup, sizeof(backup), "%s" SWAP_BACKUP_SUFFIX, t->path);
		ret = ect_write_file_atomic(backup, t->data, t->len, t->mode, (uid_t)-1, (gid_t)-1);
		if (ret) {
			fprintf(stderr, "ERROR: cannot save %s: %s\n", backup, ect_strerror(ret));
			return ret;
		}
	}
	ret = ect_write_file_atomic(t->path, data, len, t->mode, (uid_t)-1, (gid_t)-1);
	if (ret)
		fprintf(stderr, "ERROR: cannot write %s: %s\n", t->path, ect_strerror(ret));
	return ret;
}
