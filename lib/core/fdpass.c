// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptors handed over a unix socket (SCM_RIGHTS), for the as-user
 * children of the setuid helper (helpers/mount/mount-asuser.c) and of the
 * PAM module (pam/pam-util.c): a child that has become the user opens what
 * only the user may open (a FUSE mount admits its own user only) and sends
 * the fds back. One message each way, on a SOCK_SEQPACKET pair, so a
 * message arrives whole or not at all. The receiver trusts nothing it gets:
 * it checks the fds it received (fstat, mount ids) itself.
 *
 * Protocol failures (the peer died, a short or oversized message, missing
 * or extra fds) are -EPROTO, a time-out -ETIMEDOUT: never the -EIO an open
 * in the child may have reported in the data.
 */
#include "ect-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int ect_fd_send(int sock, const int *fds, size_t nfds, const void *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * ECT_FD_PASS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (!data || !len || len > ECT_FD_MSG_MAX || nfds > ECT_FD_PASS_MAX || (nfds && !fds))
		return -EINVAL;
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] < 0)
			return -EBADF;
	if (nfds) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EPROTO;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until sock is readable: 0, -ETIMEDOUT, or -errno. */
static int wait_readable(int sock, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	struct pollfd p = { .fd = sock, .events = POLLIN };

	for (;;) {
		int64_t left = timeout_ms < 0 ? -1 : end - now_ms();
		int r;

		if (timeout_ms >= 0 && left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Every fd a control message brought, into fds (first max) or closed. */
static size_t take_fds(struct msghdr *msg, int *fds, size_t max, bool *extra)
{
	size_t got = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			*extra = true;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < max) {
				fds[got++] = fd;
			} else {
				*extra = true;
				close(fd);
			}
		}
	}
	return got;
}

int ect_fd_recv(int sock, int timeout_ms, int *fds, size_t max_fds, size_t *nfds, void *data,
		size_t size, size_t *len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * ECT_FD_PASS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	bool extra = false;
	size_t got;
	ssize_t n;
	int ret;

	for (size_t i = 0; i < max_fds; i++)
		fds[i] = -1;
	*nfds = 0;
	*len = 0;
	if (!data || !size || max_fds > ECT_FD_PASS_MAX || (max_fds && !fds))
		return -EINVAL;
	ret = wait_readable(sock, timeout_ms);
	if (ret)
		return ret;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -EPROTO : -errno;
	got = take_fds(&msg, fds, max_fds, &extra);
	/* end of stream (the peer died), cut off, or more fds than room for them */
	if (n == 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || extra) {
		for (size_t i = 0; i < got; i++) {
			close(fds[i]);
			fds[i] = -1;
		}
		return -EPROTO;
	}
	*nfds = got;
	*len = (size_t)n;
	return 0;
}
