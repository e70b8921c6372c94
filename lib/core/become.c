// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Becoming a user for good, the one routine (issue 14 item 4), after
 * OpenSSH's permanently_set_uid (uidswap.c): set groups, gid, then uid with
 * setres*id, verify all three of each, and prove the old ids cannot be
 * regained. A caller that cannot become the user must not go on.
 */
#include "ect-internal.h"

#include <errno.h>
#include <grp.h>
#include <unistd.h>

/* The old ids must be out of reach: every way back has to fail. */
static int cannot_regain(uid_t old_uid, gid_t old_gid, uid_t uid, gid_t gid)
{
	if (old_gid != gid && (setgid(old_gid) == 0 || setegid(old_gid) == 0))
		return -EPERM;
	if (old_uid != uid && (setuid(old_uid) == 0 || seteuid(old_uid) == 0))
		return -EPERM;
	/* from a non-root id, root must be out of reach too */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -EPERM;
	return 0;
}

int ect_become_user(uid_t uid, gid_t gid, const char *name)
{
	uid_t old_uid = geteuid(), r, e, s;
	gid_t old_gid = getegid(), rg, eg, sg;

	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return -EINVAL;
	/* groups and gid first: after the uid change they could not be set */
	if (old_uid == 0 && (name ? initgroups(name, gid) : setgroups(1, &gid)))
		return -errno;
	if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid)
		return -EPERM;
	if (getresgid(&rg, &eg, &sg) || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	return cannot_regain(old_uid, old_gid, uid, gid);
}
