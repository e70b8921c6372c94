/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mount.ecryptfs: the modes of the one setuid binary (see mount.ecryptfs(8)). */
#ifndef ECT_MOUNT_HELPER_H
#define ECT_MOUNT_HELPER_H

#include "privilege.h"

/* Exit codes (mount.ecryptfs(8)); mount(8) helpers use 0/1/32 style. */
enum {
	ECT_MNT_OK = 0,
	ECT_MNT_FAIL = 1,   /* refused or failed; the reason is on stderr and in syslog */
	ECT_MNT_USAGE = 2,  /* bad arguments */
};

/* mount.ecryptfs_private [ALIAS] / umount.ecryptfs_private [-f] [-d] [ALIAS] */
int ect_private_main(struct ect_ctx *ctx, struct ect_priv *p, int umount, int argc, char **argv);
/* mount.ecryptfs SRC DST [-o OPTS] [-nvsf] (root) */
int ect_root_mount_main(struct ect_ctx *ctx, struct ect_priv *p, int argc, char **argv);
/* umount.ecryptfs DIR [-flnrv] (root) */
int ect_root_umount_main(struct ect_ctx *ctx, struct ect_priv *p, int argc, char **argv);

#endif /* ECT_MOUNT_HELPER_H */
