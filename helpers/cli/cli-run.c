// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running an external program from a command that may run as root: by
 * absolute path from a fixed list of directories, a fixed argv, a fixed
 * environment, stdin from /dev/null, no other fd inherited, its output
 * read through a pipe up to a bound, never through a shell.
 */
#include "cli-run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_find_program(const char *name, char *path, size_t size)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

	if (!*name || strchr(name, '/'))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((size_t)snprintf(path, size, "%s/%s", dirs[i], name) >= size)
			return -ENAMETOOLONG;
		if (!access(path, X_OK))
			return 0;
	}
	path[0] = '\0';
	return -ENOENT;
}

/* The child: nothing of the caller's environment, fds or signal state reaches the program. */
static void child_exec(const char *const argv[], int out_fd, bool quiet)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	sigset_t none;
	int null;

	/* out_fd must survive the dup2s onto 0..2 below */
	if (out_fd >= 0 && out_fd <= STDERR_FILENO)
		out_fd = fcntl(out_fd, F_DUPFD, STDERR_FILENO + 1);
	null = open("/dev/null", O_RDWR);
	/* above 2 as well, so no dup2 below replaces it (a closed 0-2 keeps this /dev/null) */
	if (null >= 0 && null <= STDERR_FILENO)
		null = fcntl(null, F_DUPFD, STDERR_FILENO + 1);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
	    (quiet && dup2(null, STDERR_FILENO) < 0))
		_exit(127);
	/*
	 * 0-2 left closed by the caller, or holding one of our close-on-exec
	 * fds (the pipe's read end), get /dev/null: else the program's first
	 * open() lands there and its messages go into that file.
	 */
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if ((flags < 0 || (flags & FD_CLOEXEC)) && dup2(null, fd) < 0)
			_exit(127);
	}
	if (close_range(STDERR_FILENO + 1, ~0U, 0))
		for (int fd = STDERR_FILENO + 1; fd < 1024; fd++)
			close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], (char *const *)argv, envp);
	_exit(127);
}

/* Read the pipe to its end; what does not fit is read and dropped. */
static void read_output(int fd, struct cli_output *out)
{
	out->len = 0;
	out->truncated = false;
	for (;;) {
		char sink[512];
		bool room = out->len + 1 < out->size;
		ssize_t n = room ? read(fd, out->buf + out->len, out->size - 1 - out->len)
				 : read(fd, sink, sizeof(sink));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			out->len += (size_t)n;
		else
			out->truncated = true;
	}
	out->buf[out->len] = '\0';
}

int cli_run(const char *const argv[], struct cli_output *out, bool quiet)
{
	int pipefd[2] = { -1, -1 }, status, ret;
	pid_t pid;

	if (!argv[0] || argv[0][0] != '/')
		return -ENOENT;
	if (out && (!out->buf || !out->size))
		return -EINVAL;
	if (out && pipe2(pipefd, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0)
		child_exec(argv, pipefd[1], quiet);
	if (out) {
		close(pipefd[1]);
		pipefd[1] = -1;
		read_output(pipefd[0], out);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			goto out;
		}
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ret;
}
