// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The private mount, made on exactly the lower directory that was checked
 * (issue #4 finding 1). Runs as root, called from privilege.c only.
 *
 * eCryptfs takes its lower directory as a path string that the kernel
 * resolves again at mount(2), and shows that string in /proc/mounts. A user
 * who swaps ~/.Private (or a parent) for a symlink after our fd checks would
 * otherwise get another lower directory; "/proc/self/fd/N" as the source
 * would pin the object but would also be what /proc/mounts shows.
 *
 * So the string is resolved where the user cannot change it: in a private
 * mount namespace, chroot'ed into a fresh tmpfs where the path is a chain of
 * root-made directories ending in a bind of the checked fd (open_tree). The
 * eCryptfs mount made there keeps the normal source string; a clone of it is
 * checked (it must sit on the checked inode), then, back in the caller's
 * namespace, attached onto the checked target fd (move_mount). Nothing is
 * resolved by name outside the tmpfs.
 */
#include "privilege.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p path (absolute, canonical) below base; *leaf: fd of its end. */
static int mirror_path(int base, const char *path, int *leaf)
{
	char *copy = strdup(path), *save = NULL, *c;
	int cur = dup(base), nfd, ret = 0;

	*leaf = -1;
	if (!copy || cur < 0) {
		ret = -ENOMEM;
		goto out;
	}
	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, ".") || !strcmp(c, "..")) {
			ret = ECT_E_UNSAFE_PATH;
			goto out;
		}
		if (mkdirat(cur, c, 0700) && errno != EEXIST) {
			ret = -errno;
			goto out;
		}
		nfd = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			ret = -errno;
			goto out;
		}
		close(cur);
		cur = nfd;
	}
	*leaf = cur;
	cur = -1;
out:
	if (cur >= 0)
		close(cur);
	free(copy);
	return ret;
}

/* Back to the caller's namespace and root; staying elsewhere is fatal. */
static void restore_ns(int ns, int root)
{
	if (setns(ns, CLONE_NEWNS) || fchdir(root) || chroot(".")) {
		fprintf(stderr, "mount.ecryptfs: cannot return to the original mount namespace\n");
		_exit(1);
	}
}

int mh_mount_pinned(const char *src, int lower_fd, int target_fd, unsigned long flags,
		     const char *opts, int (*before_attach)(int mnt_fd, void *arg), void *arg,
		     int *made)
{
	int lt = -1, ns = -1, root = -1, tfs = -1, rdir = -1, stage = -1, leaf = -1, et = -1, ret;
	bool away = false;

	*made = -1;
	if (src[0] != '/')
		return ECT_E_UNSAFE_PATH;
	/* a detached bind of the checked lower directory, made in our namespace */
	lt = open_tree(lower_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (lt < 0)
		return -errno;
	ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ns < 0 || root < 0) {
		ret = -errno;
		goto out;
	}
	if (unshare(CLONE_NEWNS)) {
		ret = -errno;
		goto out;
	}
	away = true;
	/* nothing done in here may propagate back */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("ecryptfs-tools", ECT_RUNDIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=1m")) {
		ret = -errno;
		goto out;
	}
	tfs = open(ECT_RUNDIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfs < 0 || mkdirat(tfs, "r", 0700) || mkdirat(tfs, "s", 0700)) {
		ret = -errno;
		goto out;
	}
	rdir = openat(tfs, "r", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	stage = openat(tfs, "s", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rdir < 0 || stage < 0) {
		ret = -errno;
		goto out;
	}
	ret = mirror_path(rdir, src, &leaf);
	if (ret)
		goto out;
	if (move_mount(lt, "", leaf, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) ||
	    fchdir(rdir) || chroot(".") || fchdir(stage)) {
		ret = -errno;
		goto out;
	}
	/* src now resolves only through our directories to the bind of lower_fd */
	if (mount(src, ".", "ecryptfs", flags, opts)) {
		ret = -errno;
		goto out;
	}
	et = open_tree(tfs, "s", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (et < 0) {
		ret = -errno;
		goto out;
	}
	restore_ns(ns, root);
	away = false;
	if (!ect_mount_is_over(et, lower_fd)) {
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	/* a kill from here on leaves either no mount or a recorded one */
	if (before_attach) {
		ret = before_attach(et, arg);
		if (ret)
			goto out;
	}
	if (move_mount(et, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)) {
		ret = -errno;
		goto out;
	}
	/* et is now the root of the attached mount */
	*made = et;
	et = -1;
	ret = 0;
out:
	if (away)
		restore_ns(ns, root);
	{
		const int fds[] = { lt, ns, root, tfs, rdir, stage, leaf, et };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	return ret;
}
