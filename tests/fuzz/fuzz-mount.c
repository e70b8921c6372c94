// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: mount options and the mount table. The first input byte
 * picks the parser; the rest is its input:
 *   0: root-mode -o strings (one per line, parsed in turn as repeated -o),
 *      then the kernel option string built from them
 *   1: private-mode options from a FEKEK and a FNEK signature (two lines)
 *   2: one /proc/self/mountinfo line
 *   3: a whole mountinfo file: ect_mount_lookup (both match modes) and
 *      ect_mountinfo_find_ecryptfs (recover / verify)
 * Byte 1 is the output buffer size for case 1. /etc/mtab: fuzz-mtab.c.
 */
#include "fuzz-common.h"
#include "ect-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Split s in place at '\n' into at most max parts. */
static int split_lines(char *s, char **part, int max)
{
	int n = 0;

	while (n < max) {
		char *nl = strchr(s, '\n');

		part[n++] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	return n;
}

static void fuzz_root_opts(char *s)
{
	struct ect_mount_opts o;
	char *part[4], bad[64], kopts[ECT_MOUNT_OPTS_MAX];
	int n = split_lines(s, part, 4), ret = 0;

	ect_mount_opts_init(&o);
	for (int i = 0; i < n && !ret; i++) {
		ret = ect_mount_opts_parse(&o, part[i], bad, sizeof(bad));
		FUZZ_ASSERT(strlen(bad) < sizeof(bad));
		/* the message names an option, never its value */
		FUZZ_ASSERT(!ret || !strchr(bad, '=') || !strchr(bad, ','));
	}
	FUZZ_ASSERT(o.nsigs <= ECT_MOUNT_SIGS_MAX);
	if (!ect_mount_opts_kernel(&o, kopts, sizeof(kopts))) {
		FUZZ_ASSERT(strlen(kopts) < sizeof(kopts));
		FUZZ_ASSERT(!strstr(kopts, "passphrase") && !strstr(kopts, "key="));
		/*
		 * Not "the passphrase's value is absent": a short or hex one is a
		 * substring of any option string (the smoke run found "e").
		 */
	}
	ect_mount_opts_clear(&o);
}

static void fuzz_private_opts(char *s, uint8_t size_byte)
{
	char *part[2], buf[ECT_MOUNT_OPTS_MAX];
	int n = split_lines(s, part, 2);
	size_t size = size_byte % 2 ? sizeof(buf) : (size_t)size_byte / 2;

	if (!ect_private_mount_opts(part[0], n > 1 ? part[1] : NULL, buf, size)) {
		FUZZ_ASSERT(strlen(buf) < size);
		FUZZ_ASSERT(!strpbrk(buf, " \t\n\\"));
	}
}

static void fuzz_mountinfo_line(char *s, size_t len)
{
	struct ect_mountinfo_entry e;

	if (ect_mountinfo_parse_line(s, &e))
		return;
	FUZZ_ASSERT(e.target && e.fstype && e.source && e.super_opts);
	FUZZ_ASSERT(e.target >= s && e.super_opts < s + len + 1);
}

static void fuzz_mountinfo_file(const uint8_t *data, size_t size)
{
	static struct ect_mount_entry m;
	const char *path = fuzz_scratch_path("mountinfo");
	char opts[64];
	int id = -1;

	fuzz_put_file("mountinfo", data, size);
	for (int match = 0; match < 2; match++) {
		int r = ect_mount_lookup(path, "/home/a/.Private", "/home/a/Private", match, &id,
					 opts, sizeof(opts));

		FUZZ_ASSERT(r == 0 || r == 1);
		FUZZ_ASSERT(!r || strlen(opts) < sizeof(opts));
	}
	if (ect_mountinfo_find_ecryptfs(path, "/home/a/.Private", "/home/a/Private", &m) == 1)
		FUZZ_ASSERT(strlen(m.source) < sizeof(m.source) && strlen(m.point) < sizeof(m.point));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 2)
		return 0;
	s = fuzz_strndup(data + 2, size - 2);
	switch (data[0] % 4) {
	case 0:
		fuzz_root_opts(s);
		break;
	case 1:
		fuzz_private_opts(s, data[1]);
		break;
	case 2:
		fuzz_mountinfo_line(s, strlen(s));
		break;
	default:
		fuzz_mountinfo_file(data + 2, size - 2);
		break;
	}
	free(s);
	return 0;
}
