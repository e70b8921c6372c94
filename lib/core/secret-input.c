// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading secrets from fds, files and the terminal straight into locked
 * memory. Nothing here goes through stdio buffers, which are not wiped.
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int ect_read_secret_line(int fd, size_t max, char **out, size_t *len)
{
	char *buf;
	size_t n = 0;
	bool got_any = false;
	int ret;

	*out = NULL;
	if (len)
		*len = 0;
	if (max == 0 || max > ECT_SECRET_INPUT_MAX)
		max = ECT_SECRET_INPUT_MAX;
	buf = ect_secure_alloc(max + 2);
	if (!buf)
		return ECT_E_SECMEM;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		if (r == 0)
			break;
		got_any = true;
		if (c == '\n')
			break;
		if (n > max) {
			ret = -EMSGSIZE;
			goto fail;
		}
		buf[n++] = c;
	}
	if (!got_any) {
		ret = -ENODATA;
		goto fail;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n > max) {
		ret = -EMSGSIZE;
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
fail:
	ect_secure_free(buf);
	return ret;
}

/* Parse "fd:N"; returns the fd or -EINVAL. */
static int parse_fd_source(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	return (int)v;
}

int ect_read_secret_source(const char *source, size_t max, char **out, size_t *len)
{
	int fd, ret;

	*out = NULL;
	if (!source || !*source)
		return -EINVAL;
	if (!strcmp(source, "-"))
		return ect_read_secret_line(STDIN_FILENO, max, out, len);
	if (!strncmp(source, "fd:", 3)) {
		fd = parse_fd_source(source + 3);
		if (fd < 0)
			return fd;
		return ect_read_secret_line(fd, max, out, len);
	}
	fd = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = ect_read_secret_line(fd, max, out, len);
	close(fd);
	return ret;
}

static int prompt_once(int in, int outfd, const char *prompt, size_t max, char **out, size_t *len)
{
	struct termios old, quiet;
	bool restore = false;
	int ret;

	if (prompt) {
		ret = ect__write_all(outfd, prompt, strlen(prompt));
		if (ret)
			return ret;
	}
	if (isatty(in) && tcgetattr(in, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(in, TCSAFLUSH, &quiet) == 0)
			restore = true;
	}
	ret = ect_read_secret_line(in, max, out, len);
	if (restore)
		tcsetattr(in, TCSAFLUSH, &old);
	return ret;
}

int ect_prompt_secret(const char *prompt, const char *confirm_prompt, size_t max, char **out,
		      size_t *len)
{
	char *first = NULL, *second = NULL;
	size_t first_len = 0, second_len = 0;
	int in, outfd, ret;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	*out = NULL;
	in = tty >= 0 ? tty : STDIN_FILENO;
	outfd = tty >= 0 ? tty : STDERR_FILENO;
	ret = prompt_once(in, outfd, prompt, max, &first, &first_len);
	if (ret)
		goto out;
	if (confirm_prompt) {
		ret = prompt_once(in, outfd, confirm_prompt, max, &second, &second_len);
		if (ret)
			goto out;
		if (first_len != second_len || ect_memcmp_const(first, second, first_len)) {
			ret = -EINVAL;
			goto out;
		}
	}
	*out = first;
	if (len)
		*len = first_len;
	first = NULL;
out:
	ect_secure_free_str(first);
	ect_secure_free_str(second);
	if (tty >= 0)
		close(tty);
	return ret;
}
