/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every privileged step of mount.ecryptfs goes through these functions
 * (helpers/privilege.c), so that the code running with euid 0 can be
 * reviewed in one file.
 */
#ifndef ECT_PRIVILEGE_H
#define ECT_PRIVILEGE_H

#include <sys/types.h>

#include "ecryptfs-tools.h"

struct ect_priv {
	uid_t uid;	/* the calling user (real uid) */
	gid_t gid;
	int root;	/* the caller is root: root mode, nothing to drop */
	int can_raise;	/* saved uid 0 still held */
	int dropped;	/* dropped for good and verified */
};

/*
 * First thing in main(): fds 0-2 open (on /dev/null), every other fd
 * closed, environment cleared, umask 022, no core dumps, not ptrace-able.
 */
int ect_priv_sanitize_process(void);
/*
 * Record the caller and switch the effective ids to the caller's (the saved
 * uid keeps root for the raises below). Fails when not setuid root.
 */
int ect_priv_init(struct ect_priv *p, struct ect_ctx *ctx);
/*
 * Privileged: make ECT_RUNDIR/ecryptfs-tools (root, 0755) and its per-user
 * directory UID (owned by the user, 0700); return an fd on the latter.
 */
int ect_priv_state_dir(struct ect_priv *p, struct ect_ctx *ctx, int *dirfd);
/*
 * Privileged: mount(2) src on the directory target_fd (verified by the
 * caller; mounted on through fchdir + ".") with flags and opts, then add
 * the /etc/mtab line for mtab_target when /etc/mtab is a regular file
 * (mtab_target NULL: no mtab line).
 */
int ect_priv_mount(struct ect_priv *p, struct ect_ctx *ctx, const char *src, int target_fd,
		   const char *mtab_target, unsigned long flags, const char *opts);

enum {
	ECT_UMOUNT_LAZY = 1 << 0,    /* MNT_DETACH through fchdir(target_fd) + "." */
	ECT_UMOUNT_NO_MTAB = 1 << 1, /* umount -n */
};
/*
 * Privileged: unmount the mount whose root is target_fd (lazy), or, in
 * root mode without ECT_UMOUNT_LAZY, the mount at target; mtab as above.
 */
int ect_priv_umount(struct ect_priv *p, struct ect_ctx *ctx, int target_fd, const char *target,
		    unsigned int flags);
/*
 * Give up root for good (setresgid/setresuid to the caller) and prove it
 * cannot be regained; exits the process when that proof fails. A no-op in
 * root mode.
 */
void ect_priv_drop(struct ect_priv *p, struct ect_ctx *ctx);

/* /etc/mtab upkeep (helpers/mount-mtab.c); only called from privilege.c. */
int ect_mtab_add(const char *src, const char *target, const char *opts);
int ect_mtab_remove(const char *target);

#endif /* ECT_PRIVILEGE_H */
