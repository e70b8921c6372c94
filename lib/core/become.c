// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Becoming a user for good, the one routine (issue 14 item 4), after
 * OpenSSH's permanently_set_uid (uidswap.c): set groups, gid, then uid with
 * setres*id, verify all three of each, and prove the old ids cannot be
 * regained. Its callers: the PAM module's child (pam/pam-child.c), the
 * setuid helper's final drop (helpers/mount/privilege.c) and setup-private
 * (helpers/cli/cmd-private-setup-tree.c). A caller that cannot become the
 * user must not go on: its ids may be half changed.
 */
#include "ect-internal.h"

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The failed call's -errno, never 0 (a caller must not take a failure for success). */
static int fail_errno(void)
{
	return errno > 0 ? -errno : -EPERM;
}

/*
 * Every way back to an old id (real, effective or saved) has to fail, and
 * so has every way to root's. Root itself may set any id (su to root from
 * a user's real ids): there is nothing to prove, and trying would switch.
 */
static int cannot_regain(const uid_t old_uid[3], const gid_t old_gid[3], uid_t uid, gid_t gid)
{
	if (uid == 0)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (old_gid[i] != gid && (setgid(old_gid[i]) == 0 || setegid(old_gid[i]) == 0))
			return -EPERM;
		if (old_uid[i] != uid && (setuid(old_uid[i]) == 0 || seteuid(old_uid[i]) == 0))
			return -EPERM;
	}
	if (setuid(0) == 0 || seteuid(0) == 0)
		return -EPERM;
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
		return -EPERM;
	return 0;
}

/*
 * The supplementary groups, before the ids (afterwards they could not be
 * set). A process that is not root and already the user keeps its own;
 * any other one needs the privilege to set them, or fails here.
 */
static int set_groups(enum ect_become_groups groups, uid_t uid, gid_t gid, const char *name)
{
	if (groups == ECT_GROUPS_KEEP || (geteuid() != 0 && getuid() == uid))
		return 0;
	errno = 0;
	if (groups == ECT_GROUPS_USER ? initgroups(name, gid) : setgroups(1, &gid))
		return fail_errno();
	return 0;
}

int ect_become_user(uid_t uid, gid_t gid, enum ect_become_groups groups, const char *name)
{
	uid_t old_uid[3], r, e, s;
	gid_t old_gid[3], rg, eg, sg;
	int ret;

	if (uid == (uid_t)-1 || gid == (gid_t)-1 || (unsigned int)groups > ECT_GROUPS_USER ||
	    (groups == ECT_GROUPS_USER && !name))
		return -EINVAL;
	/* root's own groups (0, shadow, disk...) never go with a user's uid */
	if (groups == ECT_GROUPS_KEEP && getuid() == 0 && uid != 0)
		return -EINVAL;
	if (getresuid(&old_uid[0], &old_uid[1], &old_uid[2]) ||
	    getresgid(&old_gid[0], &old_gid[1], &old_gid[2]))
		return fail_errno();
	ret = set_groups(groups, uid, gid, name);
	if (ret)
		return ret;
	/* gid first: after the uid change it could not be set */
	if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return fail_errno();
	/*
	 * The switch set "dumpable" to fs.suid_dumpable; at 1 the user could
	 * attach to a process that holds its parent's (root's) memory. Off at
	 * once: a few instructions remain, which only a fresh exec would close.
	 */
	if (old_uid[1] != uid)
		(void)prctl(PR_SET_DUMPABLE, 0);
	if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid)
		return -EPERM;
	if (getresgid(&rg, &eg, &sg) || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	return cannot_regain(old_uid, old_gid, uid, gid);
}
