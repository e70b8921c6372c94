// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Private mode through ecryptfs-fuse (issue #15): when the kernel has no
 * eCryptfs or ~/.ecryptfs/ALIAS.fuse asks for it.
 *
 * A FUSE mount is made and ended by the user, through fusermount3 (the
 * setuid part of FUSE), never by this helper's root: a child forks, gives
 * up root for good (mh_priv_drop), closes every fd above 2 and execs a
 * program at a fixed absolute path with a fixed argv and environment.
 * The parent keeps the saved root only for the registry (record, sessions).
 *
 * This process, with a saved uid of 0, may not look into the user's FUSE
 * mount (the kernel's fuse_allow_current_process), so the mount is found
 * from outside: the mountinfo row on the mount point's parent, by mount id,
 * name, type and the user_id= fusermount3 sets (ect_mount_find_fuse).
 */
#include "mount-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* fusermount3 where Debian and upstream libfuse install it; the first that exists is run */
static const char *const fusermount_paths[] = { "/usr/bin/fusermount3", "/bin/fusermount3" };

int mh_fuse_mounted(struct ect_ctx *ctx, uid_t uid, const char *mountpoint, const char *src,
		     int *mount_id, struct ect_mount_entry *row)
{
	int r = ect_mount_find_fuse(ctx, mountpoint, uid, mount_id, row);

	if (r < 0) {
		if (r != ECT_E_UNSAFE_PATH)
			ect_err(ctx, "cannot look for an ecryptfs-fuse mount on %s: %s", mountpoint,
				ect_strerror(r));
		return -1;
	}
	if (r == 1 && strcmp(row->source, src)) {
		/* the user's own daemon names its source: this only keeps aliases apart */
		ect_err(ctx, "refusing: %s holds an ecryptfs-fuse mount of %s, not of %s", row->point,
			row->source, src);
		return -1;
	}
	return r;
}

/*
 * The child: nothing of the helper's may reach the program. Root goes for
 * good (mh_priv_drop exits when it cannot prove that), fds above 2 close
 * (the registry directory, the per-user lock, syslog), stdin is /dev/null,
 * the environment is envp only. Never returns.
 */
static void exec_as_user(struct ect_ctx *ctx, struct mh_priv *p, const char *path,
			 char *const argv[])
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0)
		_exit(127);
	ect_close_fds_except(3, NULL, 0);
	mh_priv_drop(p, ctx);
	if (!p->dropped && !p->root)
		_exit(127);
	/*
	 * The helper lifted the file size limit for its own writes; the
	 * user's daemon gets the caller's back (lowering needs no privilege).
	 */
	if (setrlimit(RLIMIT_FSIZE, &p->caller_fsize))
		_exit(127);
	execve(path, argv, envp);
	fprintf(stderr, "%s: cannot run %s: %s\n", argv[0], path, strerror(errno));
	_exit(127);
}

/* Run path as the user and wait: its exit status, or -1 (logged). */
static int run_as_user(struct ect_ctx *ctx, struct mh_priv *p, const char *path,
		       char *const argv[])
{
	int status;
	pid_t pid;

	/* a caller's SIGCHLD ignored would reap the child before we read its status */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid < 0) {
		ect_err(ctx, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		exec_as_user(ctx, p, path, argv);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ect_err(ctx, "cannot wait for %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	ect_err(ctx, "%s was killed by signal %d", path, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

int mh_fuse_mount(struct ect_ctx *ctx, struct mh_priv *p, const char *src, const char *dst,
		   const char *opts)
{
	/* checked paths (absolute, so never taken for options) and options built from Private.sig */
	char *const argv[] = { "ecryptfs-fuse", (char *)src, (char *)dst, "-o", (char *)opts, NULL };
	int r;

	/* ecryptfs-fuse names its source only without FUSE's escapes: it must, to be found again */
	if (strpbrk(src, ",\\")) {
		ect_err(ctx, "refusing %s for ecryptfs-fuse: a comma or backslash in its path", src);
		return ECT_MNT_FAIL;
	}
	if (!ect_fuse_program_available()) {
		ect_err(ctx, "cannot mount %s: %s is not installed (package ecryptfs-tools with FUSE)",
			dst, ECT_FUSE_PROGRAM);
		return ECT_MNT_FAIL;
	}
	r = run_as_user(ctx, p, ECT_FUSE_PROGRAM, argv);
	if (r == 0)
		return ECT_MNT_OK;
	if (r > 0)
		ect_err(ctx, "ecryptfs-fuse could not mount %s on %s (exit status %d)", src, dst,
			r);
	/* 2: a key is missing (ecryptfs-fuse(1)); PAM retries on it as on the kernel's */
	return r == 2 ? ECT_MNT_NO_KEY : ECT_MNT_FAIL;
}

int mh_fuse_umount(struct ect_ctx *ctx, struct mh_priv *p, const char *point)
{
	/* lazy, as the kernel mount's MNT_DETACH: a busy mount goes when it is let go */
	char *const argv[] = { "fusermount3", "-u", "-z", "--", (char *)point, NULL };
	const char *path = NULL;
	int r;

	for (size_t i = 0; i < sizeof(fusermount_paths) / sizeof(fusermount_paths[0]); i++) {
		if (!access(fusermount_paths[i], X_OK)) {
			path = fusermount_paths[i];
			break;
		}
	}
	if (!path) {
		ect_err(ctx, "cannot unmount %s: fusermount3 not found (package fuse3)", point);
		return -ENOENT;
	}
	r = run_as_user(ctx, p, path, argv);
	if (r > 0)
		ect_err(ctx, "fusermount3 could not unmount %s (exit status %d)", point, r);
	return r ? -EIO : 0;
}
