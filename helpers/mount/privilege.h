/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every privileged step of mount.ecryptfs goes through these functions
 * (helpers/mount/privilege.c), so that the code a user's call runs with
 * euid 0 can be reviewed in one file. (Root mode's caller is root already:
 * there the whole process runs as root, helpers/mount/mount-root.c.)
 */
#ifndef ECT_PRIVILEGE_H
#define ECT_PRIVILEGE_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "ect-private.h"

struct mh_priv {
	uid_t uid;	/* the calling user (real uid) */
	gid_t gid;
	int root;	/* the caller is root: root mode, nothing to drop */
	int can_raise;	/* saved uid 0 still held */
	int dropped;	/* dropped for good and verified */
	int masked;	/* signals blocked while raised; saved_mask to restore */
	sigset_t saved_mask;
	/* RLIMIT_FSIZE as the caller had it: given back to what runs as the user */
	struct rlimit caller_fsize;
};

/*
 * First thing in main(): fds 0-2 open (on /dev/null), every other fd
 * closed unless the caller is root (passphrase_passwd_fd=), environment cleared, umask 022, no core dumps, not ptrace-able.
 */
int mh_priv_sanitize_process(struct rlimit *caller_fsize);
/*
 * Record the caller and switch the effective ids to the caller's (the saved
 * uid keeps root for the raises below). Fails when not setuid root.
 */
int mh_priv_init(struct mh_priv *p, struct ect_ctx *ctx);
/*
 * Privileged: make ECT_RUNDIR/ecryptfs-tools (root, 0755) and its per-user
 * directory UID (root, 0700: the user cannot write there, so cannot fill
 * the tmpfs), return an fd on the latter in *dirfd and the flock'ed per-user
 * lock file (root, 0600) in *lockfd. Call only after the user's
 * configuration validated (doc/session-counter.md).
 */
int mh_priv_state_dir(struct mh_priv *p, struct ect_ctx *ctx, int *dirfd, int *lockfd);
/* Privileged: ect_session_current (sees the session leader despite hidepid). */
int mh_priv_session_current(struct mh_priv *p, struct ect_ctx *ctx, struct ect_session_id *self);
/* Privileged: ect_sessions_update in the root-owned per-user directory. */
int mh_priv_sessions_update(struct mh_priv *p, struct ect_ctx *ctx, int dirfd, const char *name,
			     enum ect_session_op op, const struct ect_session_id *self, int mounted);

struct mh_priv_mount_req {
	const char *src;	  /* source path for mount(2) (shown in /proc/mounts) */
	int lower_fd;		  /* the checked lower directory src must be */
	int target_fd;		  /* the checked target, mounted on via fchdir + "." */
	const char *target;	  /* its canonical path (verified name of target_fd) */
	int mtab;		  /* add the /etc/mtab line (when it is a regular file) */
	unsigned long flags;
	const char *opts;
	/*
	 * record_name (may be NULL): store the new mount's identity there, in
	 * record_dirfd, before it is attached, so that no kill of this process
	 * can leave an attached mount without its record (issue #10 finding 5).
	 */
	int record_dirfd;
	const char *record_name;
};
/*
 * Privileged: mount(2) req->src on req->target_fd; the new mount must be a
 * new eCryptfs mount stacked on the very lower directory checked through
 * lower_fd (the path string may have been swapped meanwhile); otherwise it is
 * lazily unmounted again and ECT_E_UNSAFE_PATH returned. The /etc/mtab line
 * is the kernel's row of the new mount. *made (may be NULL): its identity,
 * mount_id -1 when unknown.
 */
int mh_priv_mount(struct mh_priv *p, struct ect_ctx *ctx, const struct mh_priv_mount_req *req,
		   struct ect_mount_record *made);

enum {
	ECT_UMOUNT_LAZY = 1 << 0,    /* MNT_DETACH through fchdir(target_fd) + "." */
	ECT_UMOUNT_NO_MTAB = 1 << 1, /* umount -n */
};
/*
 * Privileged: lazily unmount the mount whose root is target_fd (flags must
 * hold ECT_UMOUNT_LAZY). row is the identity-checked row of that mount
 * (ect_mount_find_over): its exact source and target are removed from
 * /etc/mtab.
 */
int mh_priv_umount(struct mh_priv *p, struct ect_ctx *ctx, int target_fd,
		    const struct ect_mount_entry *row, unsigned int flags);
/*
 * The checked mount for a root-mode unmount that is not lazy. Any fd on the
 * mount itself keeps it busy, so it is named by its mount point's directory
 * (an fd on the parent mount) and the mount point's plain name there, and
 * recognised by its mount id and root's st_dev/st_ino.
 */
struct mh_priv_umount_at {
	int parent_fd;
	const char *name;
	int mount_id;
	dev_t dev;
	ino_t ino;
};
/*
 * Root mode only: unmount (not lazily) the mount at->name in at->parent_fd,
 * refused with ECT_E_UNSAFE_PATH unless that name still leads to the root
 * of the mount checked. Never resolves a path from "/". row and flags
 * (ECT_UMOUNT_NO_MTAB only) as for mh_priv_umount.
 */
int mh_priv_umount_at(struct mh_priv *p, struct ect_ctx *ctx, const struct mh_priv_umount_at *at,
		       const struct ect_mount_entry *row, unsigned int flags);
/* Privileged: ect_mount_record_store / _load in the root-owned per-user directory. */
int mh_priv_mount_record(struct mh_priv *p, struct ect_ctx *ctx, int dirfd, const char *name,
			  const struct ect_mount_record *rec);
int mh_priv_mount_record_load(struct mh_priv *p, struct ect_ctx *ctx, int dirfd,
			       const char *name, struct ect_mount_record *rec);
/*
 * Give up root for good (setresgid/setresuid to the caller) and prove it
 * cannot be regained; exits the process when that proof fails. A no-op in
 * root mode.
 */
void mh_priv_drop(struct mh_priv *p, struct ect_ctx *ctx);

/*
 * The ids of all current mounts (helpers/mount/mount-verify.c); the identity of
 * one mount (ect_mount_id_of, ect_mount_is_over, ect_mount_find_over) is in
 * the library's mount section.
 */
int mh_mount_ids(int **ids, size_t *n);

/*
 * Root only (helpers/mount/mount-pinned.c): mount src, which must resolve to the
 * directory lower_fd, on target_fd without resolving src where the user
 * could change it; *made: an fd on the root of the new mount. -ENOSYS without open_tree/move_mount (Linux < 5.2).
 * before_attach (may be NULL) gets the detached new mount, which keeps its
 * mount id once attached; its error is returned and nothing is attached.
 */
int mh_mount_pinned(const char *src, int lower_fd, int target_fd, unsigned long flags,
		     const char *opts, int (*before_attach)(int mnt_fd, void *arg), void *arg,
		     int *made);

/* /etc/mtab upkeep (helpers/mount/mount-mtab.c); only called from privilege.c. */
int mh_mtab_add(const char *src, const char *target, const char *opts);
/* Remove the last line with exactly this source, target and type ecryptfs. */
int mh_mtab_remove(const char *src, const char *target);

#endif /* ECT_PRIVILEGE_H */
