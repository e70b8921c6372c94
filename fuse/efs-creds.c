// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse: new objects belong to the caller. The kernel's eCryptfs
 * makes lower files, directories, nodes, symlinks and links with the
 * calling process's credentials. A daemon run by root (fstab, allow_other)
 * does the same here: around the one call that makes the object, this
 * thread takes the caller's fsuid, fsgid and supplementary groups, so the
 * lower file system picks the owner and the group (a setgid directory's
 * own, and its setgid bit for subdirectories) and checks the directory's
 * permissions exactly as for the caller. Nothing is chowned afterwards, so
 * no object is ever root's for a moment and no path is resolved twice.
 *
 * Credentials are per thread in the kernel; glibc's setgroups changes
 * every thread of the process, so the raw system calls are used. A daemon
 * not run by root acts as itself, as before (it could not do otherwise).
 */
#include "efs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

/* 32-bit ids where the plain calls take 16-bit ones (i386, arm). */
#ifdef SYS_setfsuid32
#define EFS_SYS_SETFSUID SYS_setfsuid32
#define EFS_SYS_SETFSGID SYS_setfsgid32
#define EFS_SYS_SETGROUPS SYS_setgroups32
#else
#define EFS_SYS_SETFSUID SYS_setfsuid
#define EFS_SYS_SETFSGID SYS_setfsgid
#define EFS_SYS_SETGROUPS SYS_setgroups
#endif

/* Groups read per request on the stack; more come from the heap. */
#define EFS_GROUPS_STACK 64

int efs_creds_init(struct efs *e)
{
	int n;

	e->as_caller = geteuid() == 0;
	e->ngroups = 0;
	e->groups = NULL;
	if (!e->as_caller)
		return 0;
	n = getgroups(0, NULL);
	if (n < 0)
		return -errno;
	e->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!e->groups)
		return -ENOMEM;
	n = getgroups(n, e->groups);
	if (n < 0)
		return -errno;
	e->ngroups = n;
	return 0;
}

void efs_creds_free(struct efs *e)
{
	free(e->groups);
	e->groups = NULL;
	e->ngroups = 0;
}

/* setfsuid and setfsgid report no error: ask again what is in force. */
static int set_fs_ids(uid_t uid, gid_t gid)
{
	syscall(EFS_SYS_SETFSGID, gid);
	if ((gid_t)syscall(EFS_SYS_SETFSGID, (gid_t)-1) != gid)
		return -EPERM;
	syscall(EFS_SYS_SETFSUID, uid);
	if ((uid_t)syscall(EFS_SYS_SETFSUID, (uid_t)-1) != uid)
		return -EPERM;
	return 0;
}

/* The caller's supplementary groups on this thread (none if it is gone). */
static int set_caller_groups(void)
{
	gid_t stack[EFS_GROUPS_STACK], *list = stack;
	int n, rc = 0;

	n = fuse_getgroups(EFS_GROUPS_STACK, stack);
	if (n > EFS_GROUPS_STACK) {
		list = calloc((size_t)n, sizeof(gid_t));
		if (!list)
			return -ENOMEM;
		n = fuse_getgroups(n, list);
	}
	/* An exited caller's groups are unknown: its uid and gid still apply. */
	if (n < 0)
		n = 0;
	if (syscall(EFS_SYS_SETGROUPS, (size_t)n, list))
		rc = -errno;
	if (list != stack)
		free(list);
	return rc;
}

int efs_as_caller(struct efs *e, struct efs_creds *saved)
{
	struct fuse_context *c = fuse_get_context();
	int rc;

	saved->switched = 0;
	if (!e->as_caller || (c->uid == 0 && c->gid == 0))
		return 0;
	rc = set_caller_groups();
	if (!rc) {
		saved->switched = 1;
		rc = set_fs_ids(c->uid, c->gid);
	}
	if (rc) {
		efs_as_daemon(e, saved);
		efs_log(e, LOG_ERR, "cannot act as uid %u gid %u: %s", (unsigned int)c->uid,
			(unsigned int)c->gid, strerror(-rc));
	}
	return rc;
}

void efs_as_daemon(struct efs *e, struct efs_creds *saved)
{
	int rc;

	if (!saved->switched)
		return;
	saved->switched = 0;
	/* Back to fsuid 0 also gives back the file capabilities it dropped. */
	rc = set_fs_ids(0, getegid());
	if (!rc && syscall(EFS_SYS_SETGROUPS, (size_t)e->ngroups, e->groups))
		rc = -errno;
	if (rc) {
		/* A thread left with another user's identity must not serve anyone. */
		efs_log(e, LOG_CRIT, "cannot return to the daemon's identity: %s", strerror(-rc));
		abort();
	}
}
