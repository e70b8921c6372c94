// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_fd_send/ect_fd_recv (lib/core/fdpass.c) on real socket pairs: fds
 * arrive as the same open files (dev/ino), close-on-exec; a peer that dies
 * without a word, a message cut off, or more fds than asked for is -EPROTO
 * (never -EIO) with nothing leaked; a silent peer is -ETIMEDOUT in time.
 * The directory reply on top (lib/core/dirpass.c): a detached child's fd
 * and name, its open's error, replies of a wrong shape or with a status no
 * open gives (-EPROTO), and a child that never answers is not ours to wait
 * for. Linked statically: the functions are the library's internal API.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ect-internal.h"

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The lowest free fd number: a leak shows as a higher one after the call. */
static int lowest_free(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void test_round_trip(void **state)
{
	int sv[2], out[2], in[ECT_FD_PASS_MAX];
	char buf[64];
	size_t n, len;

	(void)state;
	pair(sv);
	out[0] = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	out[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(ect_fd_send(sv[0], out, 2, "hello", 6), 0);
	assert_int_equal(ect_fd_recv(sv[1], 1000, in, ECT_FD_PASS_MAX, &n, buf, sizeof(buf), &len), 0);
	assert_int_equal(n, 2);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello");
	assert_true(same_file(in[0], out[0]));
	assert_true(same_file(in[1], out[1]));
	assert_true(in[0] != out[0] && in[1] != out[1]);
	assert_true(fcntl(in[0], F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(in[1], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(in[2], -1);
	/* data without fds */
	assert_int_equal(ect_fd_send(sv[0], NULL, 0, "x", 1), 0);
	assert_int_equal(ect_fd_recv(sv[1], 1000, in + 2, 2, &n, buf, sizeof(buf), &len), 0);
	assert_int_equal(n, 0);
	assert_int_equal(len, 1);
	for (int i = 0; i < 2; i++) {
		close(in[i]);
		close(out[i]);
		close(sv[i]);
	}
}

static void test_peer_died(void **state)
{
	int sv[2], in[2];
	char buf[16];
	size_t n = 9, len = 9;

	(void)state;
	pair(sv);
	close(sv[0]);
	assert_int_equal(ect_fd_recv(sv[1], 1000, in, 2, &n, buf, sizeof(buf), &len), -EPROTO);
	assert_int_equal(n, 0);
	assert_int_equal(len, 0);
	assert_int_equal(in[0], -1);
	close(sv[1]);
}

static void test_timeout(void **state)
{
	struct timespec a, b;
	int sv[2], in[1];
	char buf[16];
	size_t n, len;
	long ms;

	(void)state;
	pair(sv);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(ect_fd_recv(sv[1], 200, in, 1, &n, buf, sizeof(buf), &len), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 5000);
	close(sv[0]);
	close(sv[1]);
}

static void test_too_many_fds(void **state)
{
	int sv[2], out[3], in[2], before;
	char buf[16];
	size_t n = 9, len;

	(void)state;
	pair(sv);
	for (int i = 0; i < 3; i++)
		out[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	before = lowest_free();
	assert_int_equal(ect_fd_send(sv[0], out, 3, "m", 1), 0);
	assert_int_equal(ect_fd_recv(sv[1], 1000, in, 2, &n, buf, sizeof(buf), &len), -EPROTO);
	assert_int_equal(n, 0);
	assert_int_equal(in[0], -1);
	assert_int_equal(in[1], -1);
	assert_int_equal(lowest_free(), before);
	for (int i = 0; i < 3; i++)
		close(out[i]);
	close(sv[0]);
	close(sv[1]);
}

static void test_message_cut_off(void **state)
{
	int sv[2], out[1], in[1], before;
	char big[100], buf[10];
	size_t n, len;

	(void)state;
	pair(sv);
	memset(big, 'a', sizeof(big));
	out[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	before = lowest_free();
	assert_int_equal(ect_fd_send(sv[0], out, 1, big, sizeof(big)), 0);
	assert_int_equal(ect_fd_recv(sv[1], 1000, in, 1, &n, buf, sizeof(buf), &len), -EPROTO);
	assert_int_equal(in[0], -1);
	assert_int_equal(lowest_free(), before);
	close(out[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_bad_arguments(void **state)
{
	int sv[2], bad = -1, fds[ECT_FD_PASS_MAX + 1];
	char buf[4];
	size_t n, len;

	(void)state;
	pair(sv);
	assert_int_equal(ect_fd_send(sv[0], NULL, 0, "x", 0), -EINVAL);
	assert_int_equal(ect_fd_send(sv[0], &bad, 1, "x", 1), -EBADF);
	assert_int_equal(ect_fd_send(sv[0], fds, ECT_FD_PASS_MAX + 1, "x", 1), -EINVAL);
	assert_int_equal(ect_fd_recv(sv[1], 0, fds, ECT_FD_PASS_MAX + 1, &n, buf, sizeof(buf), &len),
			 -EINVAL);
	/* nothing was sent by the refused calls */
	assert_int_equal(ect_fd_recv(sv[1], 0, fds, 1, &n, buf, sizeof(buf), &len), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

/* Detached children for the directory reply: each replies in its own way. */
static void open_root(void *arg, int sock)
{
	(void)arg;
	ect_dir_reply_exit(sock, 0, open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), NULL);
}

static void fail_enoent(void *arg, int sock)
{
	(void)arg;
	ect_dir_reply_exit(sock, -ENOENT, -1, NULL);
}

/* A status no open gives: a positive one, or below the library's codes. */
static void bogus_status(void *arg, int sock)
{
	int32_t status = *(int32_t *)arg;

	_exit(ect_fd_send(sock, NULL, 0, &status, sizeof(status)) ? 1 : 0);
}

static void never_answers(void *arg, int sock)
{
	(void)arg;
	(void)sock;
	sleep(3);
	_exit(0);
}

static void test_dir_reply(void **state)
{
	char *name = NULL;
	bool childs;
	int sock, fd, root;

	(void)state;
	sock = ect_spawn_detached(open_root, NULL);
	assert_true(sock >= 0);
	assert_int_equal(ect_dir_reply_recv(sock, 5000, &fd, &name, &childs), 0);
	close(sock);
	assert_string_equal(name, "/");
	root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(ect_same_dir(fd, root));
	close(fd);
	close(root);
	free(name);

	sock = ect_spawn_detached(fail_enoent, NULL);
	assert_true(sock >= 0);
	assert_int_equal(ect_dir_reply_recv(sock, 5000, &fd, &name, &childs), -ENOENT);
	assert_true(childs);
	assert_int_equal(fd, -1);
	assert_null(name);
	close(sock);
}

static void test_dir_reply_bogus_status(void **state)
{
	const int32_t bad[] = { 5, -5000, ECT_E_LAST, -(ECT_E_BASE + 500) };
	char *name = NULL;
	bool childs;
	int sock, fd;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int32_t status = bad[i];

		sock = ect_spawn_detached(bogus_status, &status);
		assert_true(sock >= 0);
		assert_int_equal(ect_dir_reply_recv(sock, 5000, &fd, &name, &childs), -EPROTO);
		assert_false(childs);
		close(sock);
	}
}

/* The caller reaps only the middle process: nothing of ours is left to wait for. */
static void test_detached_not_waited(void **state)
{
	struct timespec t0, t1;
	char *name = NULL;
	bool childs;
	int sock, fd;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sock = ect_spawn_detached(never_answers, NULL);
	assert_true(sock >= 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(ect_dir_reply_recv(sock, 200, &fd, &name, &childs), -ETIMEDOUT);
	close(sock);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_peer_died),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_too_many_fds),
		cmocka_unit_test(test_message_cut_off),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_dir_reply),
		cmocka_unit_test(test_dir_reply_bogus_status),
		cmocka_unit_test(test_detached_not_waited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
