// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setup-swap: the external programs (blkid, sfdisk) and sysfs lookups.
 * Every program runs through cli_run (cli-run.c): by absolute path with
 * a fixed argv and a clean environment, never through a shell.
 */
#include "cmd-setup-swap.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void set_field(char *dst, size_t size, const char *line, const char *key)
{
	size_t klen = strlen(key);

	if (!strncmp(line, key, klen) && line[klen] == '=')
		snprintf(dst, size, "%s", line + klen + 1);
}

int swap_recheck(const struct swap_area *a)
{
	struct stat st;
	bool same;

	if (lstat(a->path, &st)) {
		fprintf(stderr, "ERROR: %s changed since it was examined (%s): nothing more is done "
				"with it\n", a->path, strerror(errno));
		return -1;
	}
	if (a->is_file)
		same = S_ISREG(st.st_mode) && st.st_dev == a->rdev && st.st_ino == a->ino;
	else
		same = S_ISBLK(st.st_mode) && st.st_rdev == a->rdev;
	if (same)
		return 0;
	fprintf(stderr, "ERROR: %s changed since it was examined (it now names another %s): "
			"nothing more is done with it\n", a->path, a->is_file ? "file" : "device");
	return -1;
}

int swap_probe(struct swap_area *a)
{
	char blkid[ECT_CLI_PROGRAM_MAX], buf[4096], flags[32] = "";
	struct cli_output out = { .buf = buf, .size = sizeof(buf) };
	int rc;

	if (cli_find_program("blkid", blkid, sizeof(blkid))) {
		fprintf(stderr, "ERROR: blkid not found: please install util-linux\n");
		return -1;
	}
	if (swap_recheck(a))
		return -1;
	rc = cli_run((const char *const[]){ blkid, "-p", "-o", "export", a->by_fd, NULL }, &out,
			 true);
	if (rc < 0) {
		fprintf(stderr, "ERROR: cannot run %s: %s\n", blkid, strerror(-rc));
		return -1;
	}
	/* status 2: nothing recognised; the fields stay empty */
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		set_field(a->fs_type, sizeof(a->fs_type), line, "TYPE");
		set_field(a->fs_uuid, sizeof(a->fs_uuid), line, "UUID");
		set_field(a->fs_label, sizeof(a->fs_label), line, "LABEL");
		set_field(a->part_scheme, sizeof(a->part_scheme), line, "PART_ENTRY_SCHEME");
		set_field(a->part_uuid, sizeof(a->part_uuid), line, "PART_ENTRY_UUID");
		set_field(a->part_type, sizeof(a->part_type), line, "PART_ENTRY_TYPE");
		set_field(flags, sizeof(flags), line, "PART_ENTRY_FLAGS");
	}
	a->part_flags = strtoull(flags, NULL, 0);
	return 0;
}

static int read_line_at(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

/*
 * The kernel says which disk holds a partition: the partition's sysfs
 * directory sits in its disk's. The disk's node is found by number, so no
 * name is taken apart (the CVE-2016-6224 lesson: nvme0n1p2, mmcblk0p2).
 */
int swap_find_disk(struct swap_area *a)
{
	char link[PATH_MAX], real[PATH_MAX], num[32];
	unsigned int maj, min;
	struct stat st;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(a->rdev), minor(a->rdev));
	if (!realpath(link, real) || read_line_at(real, "partition", num, sizeof(num)))
		goto fail;
	a->partno = (unsigned int)strtoul(num, NULL, 10);
	dirname(real);
	if (read_line_at(real, "dev", num, sizeof(num)) || sscanf(num, "%u:%u", &maj, &min) != 2)
		goto fail;
	snprintf(a->disk, sizeof(a->disk), "/dev/%s", basename(real));
	if (stat(a->disk, &st) || !S_ISBLK(st.st_mode) || st.st_rdev != makedev(maj, min))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "ERROR: cannot find the disk that holds partition %s\n", a->path);
	return -1;
}

int swap_set_noauto(struct swap_area *a)
{
	char sfdisk[ECT_CLI_PROGRAM_MAX], partno[16], attrs[512], want[600];
	struct cli_output out = { .buf = attrs, .size = sizeof(attrs) };
	int rc;

	if (cli_find_program("sfdisk", sfdisk, sizeof(sfdisk))) {
		fprintf(stderr, "ERROR: sfdisk not found: please install fdisk, needed to mark %s "
				"\"no auto\"\n", a->path);
		return -1;
	}
	if (swap_find_disk(a))
		return -1;
	snprintf(partno, sizeof(partno), "%u", a->partno);
	rc = cli_run((const char *const[]){ sfdisk, "--part-attrs", a->disk, partno, NULL }, &out,
			 false);
	if (rc || out.truncated) {
		fprintf(stderr, "ERROR: cannot read the GPT attributes of %s\n", a->path);
		return -1;
	}
	attrs[strcspn(attrs, "\n")] = '\0';
	/* keep the bits already set: sfdisk replaces the whole set */
	snprintf(want, sizeof(want), "%s%sGUID:63", attrs, attrs[0] ? "," : "");
	/* the attribute means nothing to the kernel: no re-read of a disk in use */
	rc = cli_run((const char *const[]){ sfdisk, "-q", "--no-reread", "--no-tell-kernel",
						"--part-attrs", a->disk, partno, want, NULL },
			 NULL, false);
	if (!rc && !swap_probe(a) && (a->part_flags >> 63 & 1))
		return 0;
	fprintf(stderr, "ERROR: cannot set GPT attribute 63 (no auto) on %s: systemd could "
			"activate it unencrypted\n", a->path);
	return -1;
}
