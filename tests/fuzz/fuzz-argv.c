// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the argument vectors of the setuid helper and the PAM
 * module's options. The first input byte picks the parser; the rest is
 * split at NUL bytes into at most 16 arguments (argv[0] is the program):
 *   0: mount.ecryptfs_private [ALIAS]
 *   1: umount.ecryptfs_private [-f] [-d] [ALIAS]
 *   2: mount.ecryptfs SRC DST [-o OPTS] [-nvsf] (root mode, -o parsed)
 *   3: umount.ecryptfs DIR [-flnrv]
 *   4: pam_ecryptfs.so module options
 * Only the parsers run: nothing here mounts, opens or raises privilege.
 */
#include "fuzz-common.h"
#include "mount-helper.h"
#include "pam-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

static const char *const progs[] = { "mount.ecryptfs_private", "umount.ecryptfs_private",
				     "mount.ecryptfs", "umount.ecryptfs", "pam_ecryptfs.so" };

static void check_private(char **argv, int argc, int umount)
{
	struct private_req r = { .umount = umount };
	int ret = mh_private_parse_args(fuzz_ctx(), &r, argc, argv);

	FUZZ_ASSERT(ret == 0 || ret == ECT_MNT_USAGE || ret == ECT_MNT_FAIL);
	if (ret)
		return;
	FUZZ_ASSERT(!r.alias || !ect_alias_check(r.alias));
	FUZZ_ASSERT(umount || (!r.force && !r.delayed));
}

static void check_root_mount(char **argv, int argc)
{
	struct ect_mount_opts o;
	struct root_mount_args a = { 0 };
	int ret;

	ect_mount_opts_init(&o);
	ret = mh_root_mount_args(fuzz_ctx(), argc, argv, &o, &a);
	FUZZ_ASSERT(ret == 0 || ret == ECT_MNT_USAGE || ret == ECT_MNT_FAIL);
	FUZZ_ASSERT(ret || (a.src && a.dst));
	ect_mount_opts_clear(&o);
}

static void check_root_umount(char **argv, int argc)
{
	const char *dir;
	int lazy = 0, no_mtab = 0;
	int ret = mh_root_umount_args(fuzz_ctx(), argc, argv, &dir, &lazy, &no_mtab);

	FUZZ_ASSERT(ret == 0 || ret == ECT_MNT_USAGE);
	FUZZ_ASSERT(ret || dir);
}

static void check_pam(char **argv, int argc)
{
	struct pam_ect_opts o;
	int ret = pam_ect_parse_opts(NULL, argc - 1, (const char **)argv + 1, &o);

	FUZZ_ASSERT(ret == PAM_SUCCESS || ret == PAM_SERVICE_ERR);
	FUZZ_ASSERT(strlen(o.helper_dir) < sizeof(o.helper_dir));
	/* a helper_dir= the parser took is absolute; the default is configure's */
	FUZZ_ASSERT(o.helper_dir[0] == '/' || !strcmp(o.helper_dir, ECT_ROOTSBINDIR));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1], *buf;
	int argc = 1, which;

	if (!size)
		return 0;
	which = data[0] % 5;
	buf = malloc(size);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[0] = (char *)progs[which];
	for (char *p = buf; p < buf + size - 1 && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	switch (which) {
	case 0:
	case 1:
		check_private(argv, argc, which);
		break;
	case 2:
		check_root_mount(argv, argc);
		break;
	case 3:
		check_root_umount(argv, argc);
		break;
	default:
		check_pam(argv, argc);
		break;
	}
	free(buf);
	return 0;
}
