/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mount.ecryptfs: the modes of the one setuid binary (see mount.ecryptfs(8)). */
#ifndef ECT_MOUNT_HELPER_H
#define ECT_MOUNT_HELPER_H

#include "privilege.h"

#include <stdbool.h>

/* Exit codes (mount.ecryptfs(8)); mount(8) helpers use 0/1/32 style. */
enum {
	ECT_MNT_OK = 0,
	ECT_MNT_FAIL = 1,   /* refused or failed; the reason is on stderr and in syslog */
	ECT_MNT_USAGE = 2,  /* bad arguments */
	/*
	 * mount.ecryptfs_private only: a key Private.sig names is not in @u.
	 * pam_ecryptfs retries on it (a closing session may just have dropped
	 * the keys); keep in step with PAM_ECT_HELPER_NO_KEY.
	 */
	ECT_MNT_NO_KEY = 3,
};

/* mount.ecryptfs_private [ALIAS] / umount.ecryptfs_private [-f] [-d] [ALIAS] */
struct private_req {
	int umount;
	int force;	/* -f: forget every session and unmount */
	int delayed;	/* -d: other sessions left is not an error (PAM close) */
	const char *alias;
};
/*
 * The argument parsers need no privilege and touch no file, so that
 * tests/fuzz/fuzz-argv can call them: 0, ECT_MNT_USAGE or ECT_MNT_FAIL.
 */
int mh_private_parse_args(struct ect_ctx *ctx, struct private_req *r, int argc, char **argv);
int mh_private_main(struct ect_ctx *ctx, struct mh_priv *p, int umount, int argc, char **argv);
/* mount.ecryptfs SRC DST [-o OPTS] [-nvsf] (root) */
#define ROOT_MOUNT_OPTSTRS_MAX 8
struct root_mount_args {
	const char *src, *dst;
	int no_mtab, fake;
	/* the -o strings as given: handed to ecryptfs-mount-keys on a pipe */
	const char *optstrs[ROOT_MOUNT_OPTSTRS_MAX];
	unsigned int noptstrs;
};
int mh_root_mount_args(struct ect_ctx *ctx, int argc, char **argv, struct ect_mount_opts *o,
			struct root_mount_args *a);
int mh_root_mount_main(struct ect_ctx *ctx, struct mh_priv *p, int argc, char **argv);
/* umount.ecryptfs DIR [-flnrv] (root) */
int mh_root_umount_args(struct ect_ctx *ctx, int argc, char **argv, const char **dir, int *lazy,
			 int *no_mtab);
int mh_root_umount_main(struct ect_ctx *ctx, struct mh_priv *p, int argc, char **argv);

/*
 * Private mode through ecryptfs-fuse (helpers/mount/mount-fuse.c).
 * mh_fuse_mounted: 1 when mountpoint holds uid's ecryptfs-fuse mount of src
 * (*mount_id, *row), 0 when none, -1 (logged) when it cannot tell or the
 * mount there serves another directory.
 */
int mh_fuse_mounted(struct ect_ctx *ctx, uid_t uid, const char *mountpoint, const char *src,
		     int *mount_id, struct ect_mount_entry *row);
/* ecryptfs-fuse src dst -o opts, run as the user: ECT_MNT_OK, _FAIL or _NO_KEY. */
int mh_fuse_mount(struct ect_ctx *ctx, struct mh_priv *p, const char *src, const char *dst,
		   const char *opts);
/* fusermount3 -u -z point, run as the user: 0 or negative (logged). */
int mh_fuse_umount(struct ect_ctx *ctx, struct mh_priv *p, const char *point);

/*
 * Opening as the user (helpers/mount/mount-asuser.c): a child that gave up
 * root for good opens the path (a FUSE mount admits only a process whose
 * three uids are its user's), the parent opens the kernel's name of what it
 * got again without symlinks and accepts it only as the same directory on
 * the same mount. MH_USER_CONFIG_DIR: path is the home, opened as
 * ect_config_dir_open does; MH_USER_DIR: ect_path_open_dir(path, flags).
 * *fd: the parent's own fd; *canonical (malloc, may be NULL): its name.
 * Errors: the open's; -ETIMEDOUT (child killed after MH_ASUSER_TIMEOUT_MS),
 * -EPROTO (child died or answered wrongly), ECT_E_UNSAFE_PATH (mismatch).
 */
#define MH_ASUSER_TIMEOUT_MS 10000
/* Where setup-private -b keeps each user's .ecryptfs and .Private (111's layout). */
#define ECT_HOME_TREE "/home/.ecryptfs"
enum mh_user_kind { MH_USER_CONFIG_DIR, MH_USER_DIR };
struct mh_user_path {
	enum mh_user_kind kind;
	const char *path;
	unsigned int flags; /* MH_USER_DIR: ECT_PATH_* */
};
int mh_user_open(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what, int *fd,
		 char **canonical);

#endif /* ECT_MOUNT_HELPER_H */
