// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which layout a user has, found through fds: a ~/Private (HOME/.ecryptfs
 * and HOME/.Private) or a whole encrypted home (/home/.ecryptfs/USER/
 * {.ecryptfs,.Private}, linked from HOME, as `ecryptfs-setup-private -b`
 * makes it). Root runs these checks over every account, so a name the user
 * controls is opened with O_NOFOLLOW, and a user's symlink is followed only
 * by the path walker that the mount helper uses (symlinks of root or the
 * user, ending in a directory the user owns).
 */
#include "verify-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

void ect__verify_close(struct ect_vrun *v)
{
	int *fds[] = { &v->home_fd, &v->base_fd, &v->dot_fd, &v->lower_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* A name that can be one directory entry: /home/.ecryptfs/NAME. */
static int plain_name(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Does /home/.ecryptfs/USER exist (as anything)? Opens base_fd when it is a directory. */
static int find_base(struct ect_vrun *v)
{
	const char *root = v->o->ecryptfs_root ? v->o->ecryptfs_root : ECT_VERIFY_ECRYPTFS_ROOT;
	struct stat st;
	int rfd, ret = 0;

	ect__fmt(v->base, sizeof(v->base), "%s/%s", root, v->t->user);
	if (!plain_name(v->t->user))
		return 0;
	rfd = open(root, OPEN_DIR_FLAGS);
	if (rfd < 0)
		return 0;
	if (fstatat(rfd, v->t->user, &st, AT_SYMLINK_NOFOLLOW))
		goto out;
	v->whole_home = 1;
	ret = fstat(rfd, &st) ? -errno : 0;
	/* whoever can write here can swap any user's configuration */
	if (!ret && ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)))
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "base", "%s is owned by uid %u, mode "
				     "%03o: only root may write there", root,
				     (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
	if (ret)
		goto out;
	v->base_fd = openat(rfd, v->t->user, OPEN_DIR_FLAGS);
	if (v->base_fd < 0) {
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "base", "%s: %s; not followed", v->base,
				     errno == ELOOP ? "a symlink" : strerror(errno));
		goto out;
	}
	if (fstat(v->base_fd, &st))
		ret = -errno;
	else
		ret = ect__verify_owner_mode(v, "base", v->base, &st, 0, 0700);
out:
	close(rfd);
	return ret;
}

/*
 * Open NAME in the whole home's base directory; a failure is a finding
 * under check. Never follows a symlink.
 */
static int open_in_base(struct ect_vrun *v, const char *name, const char *check, int *fd)
{
	*fd = v->base_fd >= 0 ? openat(v->base_fd, name, OPEN_DIR_FLAGS) : -1;
	if (*fd >= 0 || v->base_fd < 0)
		return 0;
	return ect_report_add(v->r, ECT_SEV_FAIL, check, "%s/%s: %s; not followed", v->base,
			      name, errno == ELOOP ? "a symlink" : strerror(errno));
}

/*
 * Open HOME/NAME of a ~/Private setup. A symlink there is followed only by
 * the mount helper's walker and must end in a directory the user owns.
 * Returns 0 (fd may be -1, with a finding) or a negative error.
 */
static int open_in_home(struct ect_vrun *v, const char *name, const char *check, int *fd)
{
	char target[PATH_MAX], full[PATH_MAX * 2], path[PATH_MAX];
	struct stat st;
	ssize_t n;
	int ret;

	*fd = -1;
	ect__fmt(path, sizeof(path), "%s/%s", v->t->home, name);
	if (v->home_fd < 0 || fstatat(v->home_fd, name, &st, AT_SYMLINK_NOFOLLOW))
		return ect__report_fix(v->r, ECT_SEV_FAIL, check, ECT_FIX(ECT_FIX_SETUP_PRIVATE),
				      "%s: %s; this setup is incomplete", path, strerror(errno));
	if (!S_ISLNK(st.st_mode)) {
		*fd = openat(v->home_fd, name, OPEN_DIR_FLAGS);
		if (*fd < 0)
			return ect_report_add(v->r, ECT_SEV_FAIL, check, "%s is not a directory",
					      path);
		return 0;
	}
	n = readlinkat(v->home_fd, name, target, sizeof(target) - 1);
	if (n <= 0)
		return ect_report_add(v->r, ECT_SEV_FAIL, check, "%s: unreadable symlink", path);
	target[n] = '\0';
	if (target[0] == '/')
		ect__fmt(full, sizeof(full), "%s", target);
	else
		ect__fmt(full, sizeof(full), "%s/%s", v->t->home, target);
	ret = ect_path_open_dir(NULL, full, v->t->uid, ECT_PATH_CHECK_OWNER, fd, NULL);
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, check,
				      "%s links to %s, which is not a directory owned by %s "
				      "reached without foreign symlinks: not followed", path,
				      target, v->t->user);
	return ect_report_add(v->r, ECT_SEV_INFO, check, "%s links to %s", path, target);
}

int ect__verify_layout(struct ect_vrun *v)
{
	struct stat st;
	int has_dot, has_lower, ret;

	v->home_fd = open(v->t->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = find_base(v);
	if (ret)
		return ret;
	if (!v->whole_home) {
		has_dot = v->home_fd >= 0 && !fstatat(v->home_fd, ".ecryptfs", &st,
						      AT_SYMLINK_NOFOLLOW);
		has_lower = v->home_fd >= 0 && !fstatat(v->home_fd, ".Private", &st,
							AT_SYMLINK_NOFOLLOW);
		if (!has_dot && !has_lower)
			return 1;
		ect__fmt(v->dot, sizeof(v->dot), "%s/.ecryptfs", v->t->home);
		ect__fmt(v->lower, sizeof(v->lower), "%s/.Private", v->t->home);
		ret = open_in_home(v, ".ecryptfs", "dotecryptfs", &v->dot_fd);
		if (!ret)
			ret = open_in_home(v, ".Private", "lower-dir", &v->lower_fd);
		return ret;
	}
	ect__fmt(v->dot, sizeof(v->dot), "%s/.ecryptfs", v->base);
	ect__fmt(v->lower, sizeof(v->lower), "%s/.Private", v->base);
	ret = open_in_base(v, ".ecryptfs", "dotecryptfs", &v->dot_fd);
	if (!ret)
		ret = open_in_base(v, ".Private", "lower-dir", &v->lower_fd);
	return ret;
}
