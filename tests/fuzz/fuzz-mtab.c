// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: /etc/mtab upkeep (helpers/mount/mount-mtab.c, built with
 * fuzz-mtab.h so that "/etc/mtab" is a file in a scratch directory). The
 * input's first line is a mount point, the rest the old mtab. The target
 * removes that mount point's entry, then adds it back, and checks that at
 * most one whole ecryptfs line went and that the added entry is one line,
 * the last, with every other line untouched. Mount points and mtab hold no
 * NUL, so the input is cut at the first one.
 */
#include "fuzz-common.h"
#include "privilege.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char fuzz_mtab[512], fuzz_mtab_lock[512], fuzz_mtab_tmp[512];

/* Lines of s (each with its '\n', the last maybe without). */
static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; n++) {
		const char *nl = strchr(s, '\n');

		s = nl ? nl + 1 : s + strlen(s);
	}
	return n;
}

static char *slurp_mtab(void)
{
	void *data = NULL;
	size_t size;

	char *s;

	if (ect_read_file(fuzz_mtab, 1 << 20, 0, &data, &size))
		abort();
	s = fuzz_strndup(data ? data : (void *)"", size);
	free(data);
	return s;
}

static void fuzz_mtab_edit(char *s)
{
	char *nl = strchr(s, '\n'), *removed, *added;
	const char *target = s, *old = nl ? nl + 1 : "";
	char opts[ECT_MOUNT_OPTS_MAX];
	size_t n_old, n_removed, keep;

	if (!fuzz_mtab[0]) {
		snprintf(fuzz_mtab, sizeof(fuzz_mtab), "%s", fuzz_scratch_path("mtab"));
		snprintf(fuzz_mtab_lock, sizeof(fuzz_mtab_lock), "%s~", fuzz_mtab);
		snprintf(fuzz_mtab_tmp, sizeof(fuzz_mtab_tmp), "%s.tmp", fuzz_mtab);
	}
	if (nl)
		*nl = '\0';
	/* mount points hold no NUL and mtab holds no NUL: the input is cut at one */
	fuzz_put_file("mtab", old, strlen(old));
	n_old = count_lines(old);
	/* the source of the entry to drop is fixed: the target is what varies */
	FUZZ_ASSERT(mh_mtab_remove("/home/a/.Private", target) == 0);
	removed = slurp_mtab();
	n_removed = count_lines(removed);
	/* at most one whole line goes, and only an ecryptfs one; the rest stays as it was */
	FUZZ_ASSERT(n_removed == n_old || n_removed + 1 == n_old);
	/* (a last line without '\n' gets one) */
	if (n_removed == n_old)
		FUZZ_ASSERT(!strncmp(removed, old, strlen(old)) &&
			    strlen(removed) == strlen(old) + (*old && old[strlen(old) - 1] != '\n'));
	else
		FUZZ_ASSERT(strstr(old, " ecryptfs "));
	if (*target) {
		if (ect_private_mount_opts("0123456789abcdef", NULL, opts, sizeof(opts)))
			abort();
		FUZZ_ASSERT(mh_mtab_add("/home/a/.Private", target, opts) == 0);
		added = slurp_mtab();
		/* one more line, the last; the old ones untouched */
		keep = strlen(removed);
		FUZZ_ASSERT(!strncmp(added, removed, keep));
		FUZZ_ASSERT(count_lines(added) == n_removed + 1);
		FUZZ_ASSERT(!strchr(added + keep, '\n') || strchr(added + keep, '\n')[1] == '\0');
		free(added);
	}
	free(removed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	fuzz_mtab_edit(s);
	free(s);
	return 0;
}
