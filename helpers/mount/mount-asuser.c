// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening as the user, for good (issue 15). A FUSE mount admits only the
 * user who mounted it, and only a process whose real, effective AND saved
 * uids are all that user's (fuse's default without allow_other). This
 * helper keeps root in its saved uid, so its own opens of ~/.ecryptfs or
 * of a lower directory reached through the user's ecryptfs-fuse home
 * (a whole home: ~/.ecryptfs and ~/.Private are links inside it) fail
 * with EACCES, and a logout could neither unmount the home nor drop its
 * keys.
 *
 * So every private-mode open of those two goes through a child: it closes
 * every fd but its socket, gives up root for good (mh_priv_drop: all three
 * uids and gids the caller's, proven not to come back), opens the path
 * with the very walk the helper used before (same function, same rules),
 * and sends back the fd and the kernel's name for it. The child cannot do
 * more than the caller could do without this helper.
 *
 * The parent takes nothing on the child's word: it opens that name again
 * itself, without following any symlink (ECT_PATH_NO_SYMLINKS) and with
 * the same checks, and goes on only when the two fds are the same
 * directory on the same mount (dev, ino, mount id); it then works through
 * its own fd. The child is detached (lib/core/dirpass.c): the helper never
 * waits for it, because an open stuck in a FUSE request the user's daemon
 * never answers cannot be killed; the helper stops listening after
 * MH_ASUSER_TIMEOUT_MS (-ETIMEDOUT), and the child, as the user, exits
 * once the daemon answers or dies. A child that dies or says too little
 * is a protocol failure (-EPROTO), told apart from the open's own errors.
 */
#include "mount-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

/* Where the child's socket goes: above anything the helper had open. */
#define ASUSER_SOCK_FD_MIN 64

/* The open as before issue 15 (ctx NULL: quiet): the helper's own, or the child's as the user. */
static int direct_open(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what,
		       int *fd, char **canonical)
{
	if (what->kind == MH_USER_DIR)
		return ect_path_open_dir(ctx, what->path, p->uid, what->flags, fd, canonical);
	/* no name: the child then sends the kernel's, which the parent opens again */
	return ect_config_dir_open(what->path, p->uid, fd);
}

struct asuser_job {
	struct ect_ctx *ctx;
	struct mh_priv *p;
	const struct mh_user_path *what;
};

/* The detached child (ect_spawn_detached): the user for good, then the open. */
static void child_main(void *arg, int sock)
{
	struct asuser_job *job = arg;
	char *canon = NULL;
	int fd = -1, s, r;

	/* libc's syslog may name an fd by number: forget it before closing any */
	closelog();
	s = fcntl(sock, F_DUPFD_CLOEXEC, ASUSER_SOCK_FD_MIN);
	if (s < 0 && errno == EINVAL) /* RLIMIT_NOFILE at or below the minimum */
		s = sock;
	if (s < 0)
		_exit(1);
	/* nothing of the parent's (lock, registry directory) stays open here */
	ect_close_fds_except(3, &s, 1);
	/* for good, proven (exits otherwise); not dumpable, no core (sanitised at start) */
	mh_priv_drop(job->p, job->ctx);
	r = direct_open(job->ctx, job->p, job->what, &fd, &canon);
	ect_dir_reply_exit(s, r, r ? -1 : fd, canon);
}

/* Ask a child that is the user to open what; its fd and name, unchecked. */
static int ask_child(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what,
		     int *fd, char **canon)
{
	struct asuser_job job = { ctx, p, what };
	bool childs;
	int sock, r;

	*fd = -1;
	*canon = NULL;
	/*
	 * Never waited for: an open stuck in a FUSE request the user's daemon
	 * does not answer cannot be killed, so only the reply has a time-out.
	 */
	sock = ect_spawn_detached(child_main, &job);
	if (sock < 0)
		return sock;
	r = ect_dir_reply_recv(sock, MH_ASUSER_TIMEOUT_MS, fd, canon, &childs);
	close(sock);
	if (r == -ETIMEDOUT && !childs)
		ect_err(ctx, "opening %s as you took longer than %d s (a hung FUSE file system?): "
			     "stopped", what->path, MH_ASUSER_TIMEOUT_MS / 1000);
	else if (r == -EPROTO && !childs)
		ect_err(ctx, "opening %s as you failed: the child doing it died or answered "
			     "wrongly", what->path);
	return r;
}

static int user_open_checked(struct ect_ctx *ctx, struct mh_priv *p,
			     const struct mh_user_path *what, int *fd, char **canonical);

/*
 * The helper's own open first, exactly as before issue 15: only a FUSE
 * mount, which admits no process keeping root as its saved uid, refuses it
 * with EACCES, and only then does a child that is the user open it (no
 * fork for anyone else, and no time-out under load). Quiet at first; any
 * other failure is tried once more with messages, so that the walk names
 * what it refused.
 */
int mh_user_open(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what, int *fd,
		 char **canonical)
{
	int r = direct_open(NULL, p, what, fd, canonical);

	if (r != -EACCES)
		return r ? direct_open(ctx, p, what, fd, canonical) : 0;
	return user_open_checked(ctx, p, what, fd, canonical);
}

/* Through a child that is the user, checked again here (the header comment). */
static int user_open_checked(struct ect_ctx *ctx, struct mh_priv *p,
			     const struct mh_user_path *what, int *fd, char **canonical)
{
	unsigned int flags = ECT_PATH_NO_SYMLINKS | ECT_PATH_CHECK_OWNER;
	char *name = NULL, *again = NULL;
	int got = -1, own = -1, r;
	struct stat st;

	*fd = -1;
	if (canonical)
		*canonical = NULL;
	r = ask_child(ctx, p, what, &got, &name);
	if (r)
		goto out;
	/* the name again, by this process, no symlink followed; the same checks */
	if (what->kind == MH_USER_DIR)
		flags |= what->flags;
	r = ect_path_open_dir(ctx, name, p->uid, flags, &own, &again);
	if (r)
		goto out;
	r = ECT_E_UNSAFE_PATH;
	if (strcmp(name, again) || !ect_same_dir(own, got) || fstat(own, &st)) {
		ect_err(ctx, "refusing %s: the directory opened as you is not %s (moved meanwhile?)",
			what->path, name);
		goto out;
	}
	/* ect_config_dir_open's rule: the user's, writable by no one else */
	if (what->kind == MH_USER_CONFIG_DIR && (st.st_uid != p->uid ||
						  (st.st_mode & (S_IWGRP | S_IWOTH))))
		goto out;
	r = 0;
	*fd = own;
	own = -1;
	if (canonical) {
		*canonical = again;
		again = NULL;
	}
out:
	if (got >= 0)
		close(got);
	if (own >= 0)
		close(own);
	free(name);
	free(again);
	return r;
}
