// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mount table: /proc/self/mountinfo lines and the library's one reader
 * of them (ect__mountinfo_each), the ecryptfs mounts in it (the last match,
 * the top of a stack of mounts), the ecryptfs-fuse mounts (the first
 * match), and the \ooo unescaping that mountinfo and /proc/swaps share.
 */
#include "ect-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/*
 * The kernel writes a space, tab, newline or backslash in mountinfo and
 * /proc/swaps (and fstab(5) wants them) as \ooo; decode in place.
 */
void ect__unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

int ect_mountinfo_parse_line(char *line, struct ect_mountinfo_entry *e)
{
	char *f[64], *save = NULL, *tok;
	int nf = 0, sep = -1;

	memset(e, 0, sizeof(*e));
	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok && nf < 64; tok = strtok_r(NULL, " ", &save))
		f[nf++] = tok;
	/* optional fields (from field 6 on) end with a lone "-" */
	for (int i = 6; i < nf; i++) {
		if (!strcmp(f[i], "-")) {
			sep = i;
			break;
		}
	}
	if (sep < 0 || nf < sep + 4)
		return ECT_E_FORMAT;
	e->mount_id = atoi(f[0]);
	e->parent_id = atoi(f[1]);
	{
		unsigned int maj, min;

		if (sscanf(f[2], "%u:%u", &maj, &min) != 2)
			return ECT_E_FORMAT;
		e->dev = makedev(maj, min);
	}
	e->root = f[3];
	e->target = f[4];
	e->fstype = f[sep + 1];
	e->source = f[sep + 2];
	e->super_opts = f[sep + 3];
	ect__unescape_octal(e->root);
	ect__unescape_octal(e->target);
	ect__unescape_octal(e->source);
	return 0;
}

int ect__mountinfo_each(const char *mountinfo, ect__mountinfo_fn fn, void *arg)
{
	FILE *f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (!f)
		return -errno;
	/* whole lines: a long mount point must not be split into two "lines" */
	while (!ret && getline(&line, &cap, f) > 0) {
		struct ect_mountinfo_entry e;

		if (!ect_mountinfo_parse_line(line, &e))
			ret = fn(&e, arg);
	}
	free(line);
	fclose(f);
	return ret;
}

void ect__mount_entry_copy(struct ect_mount_entry *out, const struct ect_mountinfo_entry *e)
{
	snprintf(out->source, sizeof(out->source), "%s", e->source);
	snprintf(out->point, sizeof(out->point), "%s", e->target);
	snprintf(out->opts, sizeof(out->opts), "%s", e->super_opts);
}

struct find_last {
	const char *source, *target;
	enum ect_mount_match match;
	int *mount_id;
	struct ect_mount_entry *out;
	int found;
};

static int find_last_row(const struct ect_mountinfo_entry *e, void *arg)
{
	struct find_last *w = arg;
	bool src_eq, dst_eq;

	if (strcmp(e->fstype, "ecryptfs"))
		return 0;
	src_eq = w->source && !strcmp(e->source, w->source);
	dst_eq = w->target && !strcmp(e->target, w->target);
	if (w->match == ECT_MATCH_SOURCE_AND_TARGET ? (src_eq && dst_eq) : (src_eq || dst_eq)) {
		w->found = 1;
		if (w->mount_id)
			*w->mount_id = e->mount_id;
		if (w->out)
			ect__mount_entry_copy(w->out, e);
	}
	/* the last match is the top of a stack of mounts: keep going */
	return 0;
}

int ect__mount_find_last(const char *mountinfo, const char *source, const char *target,
			 enum ect_mount_match match, int *mount_id, struct ect_mount_entry *out)
{
	struct find_last w = { source, target, match, mount_id, out, 0 };
	int r = ect__mountinfo_each(mountinfo, find_last_row, &w);

	return r < 0 ? r : w.found;
}

struct find_fuse {
	const char *target;
	int parent_id;
	uid_t uid;
	int *mount_id;
	struct ect_mount_entry *out;
};

static int find_fuse_row(const struct ect_mountinfo_entry *e, void *arg)
{
	const struct find_fuse *w = arg;

	if (strcmp(e->fstype, ECT_FUSE_FSTYPE) || strcmp(e->target, w->target) ||
	    !ect_mount_opts_have_user_id(e->super_opts, w->uid))
		return 0;
	if (w->parent_id >= 0 && (e->parent_id != w->parent_id || strcmp(e->root, "/")))
		return 0;
	if (w->mount_id)
		*w->mount_id = e->mount_id;
	if (w->out)
		ect__mount_entry_copy(w->out, e);
	return 1;
}

int ect_mount_find_fuse_on(const char *mountinfo, const char *target, int parent_id, uid_t uid,
			   int *mount_id, struct ect_mount_entry *out)
{
	struct find_fuse w = { target, parent_id, uid, mount_id, out };

	if (mount_id)
		*mount_id = -1;
	return ect__mountinfo_each(mountinfo, find_fuse_row, &w);
}

int ect_mount_lookup(const char *mountinfo, const char *source, const char *target,
		     enum ect_mount_match match, int *mount_id, char *opts, size_t optsize)
{
	struct ect_mount_entry *e = NULL;
	int ret;

	if (opts && optsize && !(e = malloc(sizeof(*e))))
		return -ENOMEM;
	ret = ect__mount_find_last(mountinfo, source, target, match, mount_id, e);
	if (ret == 1 && e)
		snprintf(opts, optsize, "%s", e->opts);
	free(e);
	return ret;
}
