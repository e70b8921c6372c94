// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A directory opened by a child that has become the user, passed back to
 * the parent (issue 15): the setuid helper (helpers/mount/mount-asuser.c)
 * and the PAM module (pam/pam-util.c) both need it, because a FUSE mount
 * admits only a process whose real, effective and saved uids are all its
 * user's. One protocol for both: the child's open status and, on success,
 * the fd and the kernel's name of it (/proc/self/fd); the parent checks
 * the reply's shape and trusts nothing else of it (it opens the name again
 * itself and compares with ect_same_dir).
 *
 * The child runs detached: a middle process forks it and exits at once,
 * so the parent reaps only the middle and never waits on the child. A
 * child whose open sits in a FUSE request the user's daemon never answers
 * cannot be killed (the kernel waits for the answer uninterruptibly), so
 * waiting for it could hang the parent; instead the parent stops reading
 * after its time-out, and the child, when it wakes, finds the socket closed
 * and exits.
 */
#include "ect-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct dir_reply {
	int32_t status;	     /* 0, or the open's error (negative errno or ECT_E_*) */
	char path[PATH_MAX]; /* status 0: the kernel's name of the fd, NUL-terminated */
};

int ect_spawn_detached(void (*fn)(void *arg, int sock), void *arg)
{
	int sv[2], r, status;
	pid_t mid, w;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	mid = fork();
	if (mid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (mid == 0) {
		pid_t child;

		close(sv[0]);
		child = fork();
		if (child == 0)
			fn(arg, sv[1]); /* never returns */
		_exit(child < 0 ? 1 : 0);
	}
	close(sv[1]);
	/* the middle exits at once; ECHILD when the caller's SIGCHLD handling reaped it */
	do
		w = waitpid(mid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w == mid && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		close(sv[0]);
		return -ECHILD;
	}
	return sv[0];
}

void ect_dir_reply_exit(int sock, int status, int fd, const char *name)
{
	struct dir_reply *rep = calloc(1, sizeof(*rep));
	size_t len = sizeof(rep->status);
	char link[64];
	ssize_t n;

	if (!rep)
		_exit(1);
	rep->status = fd >= 0 ? 0 : (status < 0 ? status : -EIO);
	if (fd >= 0 && name) {
		n = (ssize_t)strlen(name);
		if (n <= 0 || n >= (ssize_t)sizeof(rep->path) - 1)
			_exit(1);
		memcpy(rep->path, name, (size_t)n + 1);
		len += (size_t)n + 1;
	} else if (fd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, rep->path, sizeof(rep->path) - 1);
		if (n <= 0 || n >= (ssize_t)sizeof(rep->path) - 1)
			_exit(1);
		rep->path[n] = '\0';
		len += (size_t)n + 1;
	}
	/* the parent gone (timed out) makes this fail: nothing else to do either way */
	_exit(ect_fd_send(sock, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, rep, len) ? 1 : 0);
}

/* An error the child's open can have made: an errno or a library code. */
static bool open_error(int32_t status)
{
	return (status >= -4095 && status <= -1) ||
	       (status > ECT_E_LAST && status <= -(ECT_E_BASE + 1));
}

int ect_dir_reply_recv(int sock, int timeout_ms, int *fd, char **name, bool *childs)
{
	struct dir_reply *rep = calloc(1, sizeof(*rep));
	size_t n = 0, len = 0;
	int r;

	*fd = -1;
	*name = NULL;
	*childs = false;
	if (!rep)
		return -ENOMEM;
	r = ect_fd_recv(sock, timeout_ms, fd, 1, &n, rep, sizeof(*rep), &len);
	if (r)
		goto out;
	r = -EPROTO;
	if (len < sizeof(rep->status))
		goto out;
	if (rep->status) {
		/* an error carries no fd, and is one an open can give */
		*childs = n == 0 && len == sizeof(rep->status) && open_error(rep->status);
		r = *childs ? rep->status : -EPROTO;
		goto out;
	}
	/* success: one fd and an absolute name, NUL-terminated where the message ends */
	if (n != 1 || len <= sizeof(rep->status) + 1 || ((char *)rep)[len - 1] != '\0' ||
	    strlen(rep->path) != len - sizeof(rep->status) - 1 || rep->path[0] != '/')
		goto out;
	*name = strdup(rep->path);
	r = *name ? 0 : -ENOMEM;
out:
	if (r && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(rep);
	return r;
}

bool ect_same_dir(int a, int b)
{
	struct stat sa, sb;
	int ma = ect_mount_id_of(a);

	return !fstat(a, &sa) && !fstat(b, &sb) && S_ISDIR(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && ma >= 0 &&
	       ma == ect_mount_id_of(b);
}
