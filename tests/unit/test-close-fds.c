// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_close_fds_except (issue 14): what the setuid helper's child, the PAM
 * module's child and the kernel probe call before an exec. Both ways it
 * can close: close_range(2) over the gaps, and the close(2) loop of a
 * kernel or libc without it (ect__close_fds_except with try_range false).
 * Each case runs in a child process, on fds far above those cmocka holds.
 * Linked statically for the library-internal ect__close_fds_except.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ect-internal.h"

/* The fds each case opens (copies of /dev/null); all below 1024. */
static const int opened[] = { 40, 100, 101, 102, 104, 105, 106, 110, 200, 511, 1000 };
#define N_OPENED (sizeof(opened) / sizeof(opened[0]))

struct fd_case {
	int first;
	const int *keep;
	size_t n;
	/* the fds of opened[] expected open afterwards */
	const int *open_after;
	size_t n_open;
};

static bool in_list(int fd, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == fd)
			return true;
	return false;
}

/*
 * In a child: open the fds (101 close-on-exec, the others not), close, and
 * compare. Exit 0, or 1 + the index in opened[] of the first fd in the
 * wrong state, or 100 + the index of a kept fd whose close-on-exec flag
 * changed, or 99 when the fds could not be set up.
 */
static int run_case(const struct fd_case *c, bool try_range)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0)
			_exit(99);
		for (size_t i = 0; i < N_OPENED; i++)
			if (dup2(null, opened[i]) != opened[i] ||
			    fcntl(opened[i], F_SETFD, opened[i] == 101 ? FD_CLOEXEC : 0))
				_exit(99);
		close(null);
		ect__close_fds_except(c->first, c->keep, c->n, try_range);
		for (size_t i = 0; i < N_OPENED; i++) {
			int flags = fcntl(opened[i], F_GETFD);
			bool want = opened[i] < c->first ||
				    in_list(opened[i], c->open_after, c->n_open);

			if ((flags >= 0) != want)
				_exit(1 + (int)i);
			if (flags >= 0 && (flags & FD_CLOEXEC) != (opened[i] == 101 ? FD_CLOEXEC : 0))
				_exit(100 + (int)i);
		}
		/* 0-2 are below every first used here */
		if (fcntl(STDERR_FILENO, F_GETFD) < 0)
			_exit(98);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void both_ways(const struct fd_case *c)
{
	assert_int_equal(run_case(c, true), 0);
	assert_int_equal(run_case(c, false), 0);
}

static void setup_limit(void)
{
	struct rlimit rl;

	/* fd 1000 must fit under the soft limit */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur <= 1000) {
		if (rl.rlim_max <= 1000)
			skip();
		rl.rlim_cur = 1024;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
}

/* No kept fd: everything from first up goes, nothing below it. */
static void test_close_all_from(void **state)
{
	const struct fd_case from100 = { 100, NULL, 0, NULL, 0 };
	const struct fd_case from3 = { 3, NULL, 0, NULL, 0 };

	(void)state;
	setup_limit();
	both_ways(&from100);
	both_ways(&from3);
}

/*
 * Kept fds in any order, repeated, -1, below first, at first itself,
 * adjacent to each other, the highest open fd: the gaps between them close.
 */
static void test_keep(void **state)
{
	const int keep1[] = { 105, 101, 105, -1, 40, 1000 };
	const int open1[] = { 101, 105, 1000 };
	const struct fd_case c1 = { 100, keep1, 6, open1, 3 };
	const int keep2[] = { 100, 101, 102 };
	const int open2[] = { 100, 101, 102 };
	const struct fd_case c2 = { 100, keep2, 3, open2, 3 };
	const int keep3[] = { 511 };
	const int open3[] = { 511 };
	const struct fd_case c3 = { 3, keep3, 1, open3, 1 };
	/* a kept fd that is not open changes nothing for the others */
	const int keep4[] = { 103, 110 };
	const int open4[] = { 110 };
	const struct fd_case c4 = { 101, keep4, 2, open4, 1 };

	(void)state;
	setup_limit();
	both_ways(&c1);
	both_ways(&c2);
	both_ways(&c3);
	both_ways(&c4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_all_from),
		cmocka_unit_test(test_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
