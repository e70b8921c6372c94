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
 * its own fd. A child that hangs (a user's stuck FUSE daemon) is killed
 * after MH_ASUSER_TIMEOUT_MS; one that dies or says too little is a
 * protocol failure (-EPROTO), told apart from the open's own errors.
 */
#include "mount-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* Where the child's socket goes: above anything the helper had open. */
#define ASUSER_SOCK_FD_MIN 64

struct asuser_reply {
	int32_t status;	     /* 0, or the open's error (negative errno or ECT_E_*) */
	char path[PATH_MAX]; /* status 0: the kernel's name of the fd, NUL-terminated */
};

/* The open, as the user: ect_config_dir_open's or ect_path_open_dir's rules. */
static int child_open(struct ect_ctx *ctx, uid_t uid, const struct mh_user_path *what, int *fd,
		      char **canon)
{
	char link[64];
	ssize_t n;
	int r;

	if (what->kind == MH_USER_DIR)
		return ect_path_open_dir(ctx, what->path, uid, what->flags, fd, canon);
	r = ect_config_dir_open(what->path, uid, fd);
	if (r)
		return r;
	/* the kernel's name of it: the parent opens that again, without symlinks */
	*canon = malloc(PATH_MAX);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", *fd);
	n = *canon ? readlink(link, *canon, PATH_MAX - 1) : -1;
	if (n <= 0 || n >= PATH_MAX - 1 || (*canon)[0] != '/')
		return *canon ? ECT_E_UNSAFE_PATH : -ENOMEM;
	(*canon)[n] = '\0';
	return 0;
}

static void child_main(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what,
		       int sock)
{
	struct asuser_reply *rep = calloc(1, sizeof(*rep));
	char *canon = NULL;
	size_t len = sizeof(rep->status);
	int fd = -1, s, r;

	/* libc's syslog may name an fd by number: forget it before closing any */
	closelog();
	s = fcntl(sock, F_DUPFD_CLOEXEC, ASUSER_SOCK_FD_MIN);
	if (s < 0 || !rep)
		_exit(1);
	/* nothing of the parent's (lock, registry directory) stays open here */
	ect_close_fds_except(3, &s, 1);
	/* for good, proven (exits otherwise); not dumpable, no core (sanitised at start) */
	mh_priv_drop(p, ctx);
	r = child_open(ctx, p->uid, what, &fd, &canon);
	if (!r && strlen(canon) >= sizeof(rep->path))
		r = -ENAMETOOLONG;
	rep->status = r;
	if (!r) {
		strcpy(rep->path, canon);
		len += strlen(canon) + 1;
	}
	if (ect_fd_send(s, r ? NULL : &fd, r ? 0 : 1, rep, len))
		_exit(1);
	_exit(0);
}

/*
 * The child's reply: its status, or -EPROTO when it is not a well-formed
 * one; *childs: the error is the child's open's (which a FUSE daemon may
 * make -EPROTO too), not the channel's.
 */
static int read_reply(int sock, int *fd, char **canon, bool *childs)
{
	struct asuser_reply *rep = calloc(1, sizeof(*rep));
	size_t n = 0, len = 0;
	int r;

	*fd = -1;
	*childs = false;
	if (!rep)
		return -ENOMEM;
	r = ect_fd_recv(sock, MH_ASUSER_TIMEOUT_MS, fd, 1, &n, rep, sizeof(*rep), &len);
	if (r)
		goto out;
	r = -EPROTO;
	if (len < sizeof(rep->status))
		goto out;
	if (rep->status) {
		/* an error carries no fd; a "success" code is not an error */
		*childs = n == 0 && rep->status < 0;
		r = *childs ? rep->status : -EPROTO;
		goto out;
	}
	/* success: one fd and an absolute name, NUL-terminated where the message ends */
	if (n != 1 || len <= sizeof(rep->status) + 1 || ((char *)rep)[len - 1] != '\0' ||
	    strlen(rep->path) != len - sizeof(rep->status) - 1 || rep->path[0] != '/')
		goto out;
	*canon = strdup(rep->path);
	r = *canon ? 0 : -ENOMEM;
out:
	if (r && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(rep);
	return r;
}

/* Ask a child that is the user to open what; its fd and name, unchecked. */
static int ask_child(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what,
		     int *fd, char **canon)
{
	int sv[2], r, status;
	bool childs;
	pid_t pid;

	*fd = -1;
	*canon = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	/* a caller's SIGCHLD ignored would reap the child before we wait for it */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(ctx, p, what, sv[1]);
	}
	close(sv[1]);
	r = read_reply(sv[0], fd, canon, &childs);
	close(sv[0]);
	/* done or stuck (on the user's FUSE daemon): it has nothing left to do either way */
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == -ETIMEDOUT && !childs)
		ect_err(ctx, "opening %s as you took longer than %d s (a hung FUSE file system?): "
			     "stopped", what->path, MH_ASUSER_TIMEOUT_MS / 1000);
	else if (r == -EPROTO && !childs)
		ect_err(ctx, "opening %s as you failed: the child doing it died or answered "
			     "wrongly", what->path);
	return r;
}

/* 1 when a and b are the same directory on the same mount. */
static bool same_dir(int a, int b)
{
	struct stat sa, sb;
	int ma = ect_mount_id_of(a);

	return !fstat(a, &sa) && !fstat(b, &sb) && S_ISDIR(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && ma >= 0 &&
	       ma == ect_mount_id_of(b);
}

int mh_user_open(struct ect_ctx *ctx, struct mh_priv *p, const struct mh_user_path *what, int *fd,
		 char **canonical)
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
	if (strcmp(name, again) || !same_dir(own, got) || fstat(own, &st)) {
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
