// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mount table: /proc/self/mountinfo lines, the ecryptfs mounts in it
 * (the mount module's one reader: the last match, the top of a stack of
 * mounts), and the \ooo unescaping that mountinfo and /proc/swaps share.
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

int ect__mount_find_last(const char *mountinfo, const char *source, const char *target,
			 enum ect_mount_match match, int *mount_id, struct ect_mount_entry *out)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int found = 0;

	f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* whole lines: a long mount point must not be split into two "lines" */
	while (getline(&line, &cap, f) > 0) {
		struct ect_mountinfo_entry e;
		bool src_eq, dst_eq;

		if (ect_mountinfo_parse_line(line, &e) || strcmp(e.fstype, "ecryptfs"))
			continue;
		src_eq = source && !strcmp(e.source, source);
		dst_eq = target && !strcmp(e.target, target);
		if (match == ECT_MATCH_SOURCE_AND_TARGET ? (src_eq && dst_eq) : (src_eq || dst_eq)) {
			/* the last match is the top of a stack of mounts: keep going */
			found = 1;
			if (mount_id)
				*mount_id = e.mount_id;
			if (out) {
				snprintf(out->source, sizeof(out->source), "%s", e.source);
				snprintf(out->point, sizeof(out->point), "%s", e.target);
				snprintf(out->opts, sizeof(out->opts), "%s", e.super_opts);
			}
		}
	}
	free(line);
	fclose(f);
	return found;
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
