// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-verify-private, issue #15: how login mounts the setup. The
 * flag ~/.ecryptfs/Private.fuse (read by the mount helper with the same
 * rules: a regular file of the user's, never a link), whether the kernel
 * has eCryptfs and whether ecryptfs-fuse is installed where it is needed,
 * and an ecryptfs-fuse mount on the mount point. The findings are for a
 * report; the helper decides by its own checks.
 */
#include "verify-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FUSE_FLAG_FILE "Private.fuse"

/* 1: a usable flag, 0: none, -1: a bad one (reported). */
static int flag_state(struct ect_vrun *v, const char *path, int *ret)
{
	size_t before = v->r->count;
	struct stat st;

	*ret = 0;
	if (fstatat(v->dot_fd, FUSE_FLAG_FILE, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		*ret = ect_report_add(v->r, ECT_SEV_FAIL, "fuse", "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		*ret = ect__report_fix(v->r, ECT_SEV_FAIL, "fuse", ECT_FIX(ECT_FIX_REMOVE, .path = path),
				       "%s is %s: the mount helper refuses it, so login cannot mount %s", path,
				      S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file",
				      v->mnt);
		return -1;
	}
	*ret = ect__verify_owner_mode(v, "fuse", path, &st, 0, 0600);
	return *ret || v->r->count != before ? -1 : 1;
}

static int kernel_state(struct ect_vrun *v, struct ect_kernel_info *k, char *sysfs_fs, size_t size)
{
	struct ect_kernel_paths paths = {
		.sysfs_fs = sysfs_fs,
		.fuse_program = v->o->fuse_program ? v->o->fuse_program : ECT_FUSE_PROGRAM,
		.modprobe = NULL,
	};

	ect__fmt(sysfs_fs, size, "%s/fs", v->o->sysfs ? v->o->sysfs : "/sys");
	return ect_kernel_probe_at(NULL, &paths, 0, k);
}

int ect__verify_fuse(struct ect_vrun *v)
{
	const char *prog = v->o->fuse_program ? v->o->fuse_program : ECT_FUSE_PROGRAM;
	char path[PATH_MAX], sysfs_fs[PATH_MAX];
	struct ect_kernel_info k;
	int ret, flag, kr;

	ect__fmt(path, sizeof(path), "%s/" FUSE_FLAG_FILE, v->dot);
	flag = flag_state(v, path, &ret);
	if (flag < 0)
		return ret;
	kr = kernel_state(v, &k, sysfs_fs, sizeof(sysfs_fs));
	if (flag && k.fuse)
		return ect_report_add(v->r, ECT_SEV_OK, "fuse", FUSE_FLAG_FILE " is set: login "
				      "mounts %s through ecryptfs-fuse (%s)", v->mnt, prog);
	if (flag)
		return ect__report_fix(v->r, ECT_SEV_FAIL, "fuse",
				       ECT_FIX(kr ? ECT_FIX_NONE : ECT_FIX_REMOVE, .path = path),
				       FUSE_FLAG_FILE " asks for ecryptfs-fuse, but %s is not "
				       "installed: login cannot mount %s", prog, v->mnt);
	if (kr == ECT_E_NO_KERNEL && k.fuse)
		return ect_report_add(v->r, ECT_SEV_INFO, "fuse", "the kernel has no eCryptfs "
				      "loaded (%s/ecryptfs is missing): login mounts %s through "
				      "ecryptfs-fuse (%s) unless mounting loads the module",
				      sysfs_fs, v->mnt, prog);
	/* the mount itself may still load the module: a warning, not a failure */
	if (kr == ECT_E_NO_KERNEL)
		return ect__report_fix(v->r, ECT_SEV_WARN, "fuse", ECT_FIX(ECT_FIX_LOAD_MODULE),
				       "the kernel has no eCryptfs loaded (%s/ecryptfs is missing) and "
				       "ecryptfs-fuse (%s) is not installed: login mounts %s only if "
				       "the kernel can load the module", sysfs_fs, prog, v->mnt);
	if (kr)
		return ect_report_add(v->r, ECT_SEV_INFO, "fuse", "cannot read %s/ecryptfs/"
				      "version: %s", sysfs_fs, ect_strerror(kr));
	return ect_report_add(v->r, ECT_SEV_OK, "fuse", FUSE_FLAG_FILE " is not set: login "
			      "mounts %s through the kernel's eCryptfs", v->mnt);
}

int ect__verify_fuse_mounted_on(struct ect_vrun *v)
{
	return ect_mount_find_fuse_on(v->o->mountinfo, v->mnt, -1, v->t->uid, NULL, NULL) == 1;
}

int ect__verify_fuse_mount(struct ect_vrun *v, int *found)
{
	*found = ect__verify_fuse_mounted_on(v);
	if (!*found)
		return 0;
	v->mounted = 1;
	v->fuse_mounted = 1;
	return ect_report_add(v->r, ECT_SEV_INFO, "mounted",
			      "%s is mounted now through ecryptfs-fuse (a FUSE daemon of %s's)",
			      v->mnt, v->t->user);
}
