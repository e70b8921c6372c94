// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regress-tool: system-call cases of the regression suite (tests/regress).
 * Our own implementations of what ecryptfs-utils' tests/kernel checks;
 * the case names say which of its tests each one stands for.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "regress-tool.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <signal.h>
#include <unistd.h>

int rt_say(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

long rt_read_file(const char *path, uint8_t *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (long)got;
}

uint64_t rt_rand(uint64_t *s)
{
	/* splitmix64: good enough to scatter offsets, and replayable. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int rt_check_file(const char *path, const uint8_t *want, size_t len, const char *when)
{
	uint8_t *buf = malloc(len + 1);
	long n;
	size_t i;

	if (!buf)
		return rt_say(RT_ERROR, "out of memory");
	n = rt_read_file(path, buf, len + 1);
	if (n != (long)len) {
		free(buf);
		return rt_say(RT_FAIL, "%s %s: %ld bytes (%s), expected %zu", path, when, n,
			      n < 0 ? strerror((int)-n) : "read", len);
	}
	for (i = 0; i < len && buf[i] == want[i]; i++)
		;
	free(buf);
	if (i < len)
		return rt_say(RT_FAIL, "%s %s: byte %zu is not 0x%02x", path, when, i, want[i]);
	return RT_PASS;
}

/* Every byte of path is c, and there are len of them. */
static int check_filled(const char *path, int c, size_t len)
{
	uint8_t *want = malloc(len);
	int rc;

	if (!want)
		return rt_say(RT_ERROR, "out of memory");
	memset(want, c, len);
	rc = rt_check_file(path, want, len, "after munmap");
	free(want);
	return rc;
}

/* llseek: seeking past the end changes no size; the hole reads as zeros. */
static int case_llseek(int argc, char **argv)
{
	static const uint8_t a[4] = { 0xde, 0xad, 0xbe, 0xef }, b[4] = { 0xba, 0xad, 0xf0, 0x0d };
	uint8_t buf[5124], want[5124] = { 0 };
	struct stat st;
	int fd;

	if (argc != 1)
		return rt_say(RT_ERROR, "usage: llseek FILE");
	fd = open(argv[0], O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		return rt_say(RT_ERROR, "create %s: %s", argv[0], strerror(errno));
	if (lseek(fd, 4096, SEEK_END) != 4096 || fstat(fd, &st) || st.st_size != 0)
		return rt_say(RT_FAIL, "lseek past the end changed the size or failed");
	if (write(fd, a, 4) != 4 || lseek(fd, 5120, SEEK_SET) != 5120 || write(fd, b, 4) != 4)
		return rt_say(RT_FAIL, "writes after lseek: %s", strerror(errno));
	close(fd);
	memcpy(want + 4096, a, 4);
	memcpy(want + 5120, b, 4);
	if (rt_read_file(argv[0], buf, sizeof(buf)) != (long)sizeof(want) ||
	    memcmp(buf, want, sizeof(want)))
		return rt_say(RT_FAIL, "%s does not read as zeros, deadbeef, zeros, baadf00d", argv[0]);
	if (stat(argv[0], &st) || st.st_size != 5124)
		return rt_say(RT_FAIL, "size %lld, expected 5124", (long long)st.st_size);
	return RT_PASS;
}

/*
 * mmap-close (and lp-870326): pages dirtied through a shared mapping after
 * the file was closed reach the file.
 */
static int case_mmap_after_close(int argc, char **argv)
{
	size_t len = 8 * 4096;
	int fd, c = argc == 2 ? argv[1][0] : 0xff;
	char *mem;

	if (argc < 1 || argc > 2)
		return rt_say(RT_ERROR, "usage: mmap-after-close FILE [CHAR]");
	fd = open(argv[0], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)len))
		return rt_say(RT_ERROR, "create %s: %s", argv[0], strerror(errno));
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		return rt_say(RT_FAIL, "mmap: %s", strerror(errno));
	close(fd);
	memset(mem, c, len);
	if (munmap(mem, len))
		return rt_say(RT_FAIL, "munmap: %s", strerror(errno));
	return check_filled(argv[0], c, len);
}

/* mmap-dir: mapping a directory fails cleanly (it crashed the kernel once). */
static int case_mmap_dir(int argc, char **argv)
{
	void *mem;
	int fd;

	if (argc != 1)
		return rt_say(RT_ERROR, "usage: mmap-dir DIR");
	fd = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return rt_say(RT_ERROR, "open %s: %s", argv[0], strerror(errno));
	mem = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (mem != MAP_FAILED)
		return rt_say(RT_FAIL, "a directory was mapped");
	return RT_PASS;
}

static int file_blocks(const char *path, int **blocks, int *count)
{
	struct stat st;
	int fd, bsz, i;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || ioctl(fd, FIGETBSZ, &bsz) || bsz <= 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*count = (int)((st.st_size + bsz - 1) / bsz);
	*blocks = calloc((size_t)*count + 1, sizeof(int));
	for (i = 0; *blocks && i < *count; i++) {
		(*blocks)[i] = i;
		if (ioctl(fd, FIBMAP, &(*blocks)[i])) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return *blocks ? 0 : -1;
}

/* mmap-bmap: FIBMAP on the upper file maps to blocks of the lower file. */
static int case_bmap(int argc, char **argv)
{
	int *low = NULL, *up = NULL, nlow, nup, i, j, rc = RT_PASS;

	if (argc != 2)
		return rt_say(RT_ERROR, "usage: bmap LOWER UPPER");
	if (file_blocks(argv[0], &low, &nlow))
		return rt_say(RT_SKIP, "no FIBMAP on the lower file system: %s", strerror(errno));
	if (file_blocks(argv[1], &up, &nup)) {
		free(low);
		return rt_say(RT_SKIP, "no FIBMAP on the mount: %s", strerror(errno));
	}
	/* 0 is a hole, or all a mount without a block device (FUSE) can say. */
	for (i = 0; i < nup && !up[i]; i++)
		;
	if (i == nup && nup) {
		free(low);
		free(up);
		return rt_say(RT_SKIP, "FIBMAP on the mount maps no block (no block device)");
	}
	for (i = 0; i < nup && rc == RT_PASS; i++) {
		for (j = 0; up[i] && j < nlow && low[j] != up[i]; j++)
			;
		if (up[i] && j == nlow)
			rc = rt_say(RT_FAIL, "upper block %d (%d) is not a lower block", i, up[i]);
	}
	free(low);
	free(up);
	return rc;
}

/*
 * acl PATH access|default u,g,o[,m]: set a POSIX ACL from octal digits
 * without setfacl (the acl package is not everywhere): the kernel's
 * system.posix_acl_* xattr layout, version 2.
 */
static int case_acl(int argc, char **argv)
{
	static const uint16_t tags[4] = { 0x01, 0x04, 0x20, 0x10 };
	uint8_t acl[4 + 4 * 8], *p = acl + 4;
	unsigned int perm[4];
	const char *name;
	int n, i;

	if (argc != 3)
		return rt_say(RT_ERROR, "usage: acl PATH access|default U,G,O[,M]");
	name = strcmp(argv[1], "default") ? "system.posix_acl_access" : "system.posix_acl_default";
	n = sscanf(argv[2], "%o,%o,%o,%o", &perm[0], &perm[1], &perm[2], &perm[3]);
	if (n < 3)
		return rt_say(RT_ERROR, "bad permissions %s", argv[2]);
	memset(acl, 0, sizeof(acl));
	acl[0] = 2;
	/* Entries sorted by tag: user_obj, group_obj, mask, other. */
	for (i = 0; i < 4; i++) {
		int k = i == 2 ? 3 : i == 3 ? 2 : i;

		if (k == 3 && n < 4)
			continue;
		p[0] = (uint8_t)tags[k];
		p[2] = (uint8_t)perm[k];
		memset(p + 4, 0xff, 4);
		p += 8;
	}
	if (setxattr(argv[0], name, acl, (size_t)(p - acl), 0))
		return rt_say(RT_FAIL, "setxattr %s %s: %s", argv[0], name, strerror(errno));
	return RT_PASS;
}

/* xattr: a user xattr is set, read, listed and removed through the mount. */
static int case_xattr(int argc, char **argv)
{
	static const char val[] = "regress value";
	char buf[4096];
	ssize_t n, off;
	int listed = 0;

	if (argc != 1)
		return rt_say(RT_ERROR, "usage: xattr FILE");
	if (setxattr(argv[0], "user.regress", val, sizeof(val), XATTR_CREATE))
		return rt_say(RT_FAIL, "setxattr: %s", strerror(errno));
	n = getxattr(argv[0], "user.regress", buf, sizeof(buf));
	if (n != (ssize_t)sizeof(val) || memcmp(buf, val, sizeof(val)))
		return rt_say(RT_FAIL, "getxattr: %zd bytes (%s)", n, n < 0 ? strerror(errno) : "");
	if (getxattr(argv[0], "user.regress", NULL, 0) != (ssize_t)sizeof(val))
		return rt_say(RT_FAIL, "getxattr size query: %s", strerror(errno));
	n = listxattr(argv[0], buf, sizeof(buf));
	for (off = 0; n > 0 && off < n; off += (ssize_t)strlen(buf + off) + 1)
		listed |= !strcmp(buf + off, "user.regress");
	if (!listed)
		return rt_say(RT_FAIL, "listxattr does not name user.regress (%zd)", n);
	if (setxattr(argv[0], "user.regress", val, sizeof(val), XATTR_CREATE) == 0 ||
	    errno != EEXIST)
		return rt_say(RT_FAIL, "XATTR_CREATE over an existing name did not fail with EEXIST");
	if (removexattr(argv[0], "user.regress"))
		return rt_say(RT_FAIL, "removexattr: %s", strerror(errno));
	if (getxattr(argv[0], "user.regress", buf, sizeof(buf)) >= 0 || errno != ENODATA)
		return rt_say(RT_FAIL, "user.regress still there after removexattr");
	return RT_PASS;
}

/* has-xattr FILE NAME: exit 0 when FILE has the attribute NAME, 1 when not. */
static int case_has_xattr(int argc, char **argv)
{
	if (argc != 2)
		return rt_say(RT_ERROR, "usage: has-xattr FILE NAME");
	if (lgetxattr(argv[0], argv[1], NULL, 0) >= 0)
		return RT_PASS;
	return errno == ENODATA ? RT_FAIL : rt_say(RT_ERROR, "%s: %s", argv[0], strerror(errno));
}

/* inotify: create, write, close and unlink in a watched directory are reported. */
static int case_inotify(int argc, char **argv)
{
	static const uint32_t want[] = { IN_CREATE, IN_MODIFY, IN_CLOSE_WRITE, IN_DELETE };
	char path[4096], buf[8192] __attribute__((aligned(8)));
	uint32_t seen = 0;
	ssize_t n, off;
	int in, fd;
	size_t i;

	if (argc != 1)
		return rt_say(RT_ERROR, "usage: inotify DIR");
	in = inotify_init1(IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, argv[0], IN_ALL_EVENTS) < 0)
		return rt_say(RT_ERROR, "inotify: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/watched", argv[0]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) || unlink(path))
		return rt_say(RT_ERROR, "%s: %s", path, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct inotify_event *ev = (struct inotify_event *)(buf + off);

			if (ev->len && !strcmp(ev->name, "watched"))
				seen |= ev->mask;
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
	close(in);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!(seen & want[i]))
			return rt_say(RT_FAIL, "inotify event 0x%x missing (saw 0x%x)", want[i], seen);
	return RT_PASS;
}

/* miscdev-bad-count: a write with a count far past the buffer fails. */
static int case_miscdev_bad_count(int argc, char **argv)
{
	/* A response header whose count overruns the buffer. */
	uint8_t msg[6] = { 103, 0, 0, 0, 0, 220 };
	ssize_t n;
	int fd = open("/dev/ecryptfs", O_WRONLY);

	(void)argc;
	(void)argv;
	if (fd < 0)
		return rt_say(RT_SKIP, "/dev/ecryptfs: %s", strerror(errno));
	/* Deliberately past the buffer: the raw call, which the fortified write() refuses. */
	n = syscall(SYS_write, fd, msg, (size_t)1 << 30);
	close(fd);
	return n < 0 ? RT_PASS : rt_say(RT_FAIL, "a 1 GiB write of a 6-byte buffer returned %zd", n);
}

static int miscdev_fd = -1;

static void close_and_exit(int sig)
{
	(void)sig;
	_exit(close(miscdev_fd) ? 1 : 0);
}

/* lp-994247: parent and child each close the shared /dev/ecryptfs fd. */
static int case_miscdev_close(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = close_and_exit };
	int status;
	pid_t pid;

	(void)argc;
	(void)argv;
	miscdev_fd = open("/dev/ecryptfs", O_RDWR);
	if (miscdev_fd < 0)
		return rt_say(errno == EBUSY ? RT_ERROR : RT_SKIP, "/dev/ecryptfs: %s",
			      strerror(errno));
	if (sigaction(SIGUSR1, &sa, NULL))
		return rt_say(RT_ERROR, "sigaction: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return rt_say(RT_ERROR, "fork: %s", strerror(errno));
	if (pid == 0) {
		pause();
		_exit(1);
	}
	close(miscdev_fd);
	if (kill(pid, SIGUSR1) || waitpid(pid, &status, 0) != pid)
		return rt_say(RT_ERROR, "child: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return rt_say(RT_FAIL, "the child's close failed or it died (status 0x%x)", status);
	return RT_PASS;
}

/* enospc FILE KIB: writing more than fits ends in ENOSPC, not silence or a crash. */
static int case_enospc(int argc, char **argv)
{
	static uint8_t buf[65536];
	long long left;
	int fd, rc = RT_FAIL;

	if (argc != 2)
		return rt_say(RT_ERROR, "usage: enospc FILE KIB");
	left = atoll(argv[1]) * 1024;
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return rt_say(RT_ERROR, "create %s: %s", argv[0], strerror(errno));
	memset(buf, 'e', sizeof(buf));
	while (left > 0) {
		ssize_t n = write(fd, buf, left > (long long)sizeof(buf) ? sizeof(buf) : (size_t)left);

		if (n < 0) {
			rc = errno == ENOSPC ? RT_PASS :
				rt_say(RT_FAIL, "write failed with %s, not ENOSPC", strerror(errno));
			break;
		}
		left -= n;
	}
	/* The error may come only when the pages are written back. */
	if (rc == RT_FAIL && left <= 0 && (fsync(fd) ? errno == ENOSPC : 0))
		rc = RT_PASS;
	if (close(fd) && errno == ENOSPC)
		rc = RT_PASS;
	unlink(argv[0]);
	if (rc == RT_FAIL && left <= 0)
		rt_say(RT_FAIL, "%s KiB written without ENOSPC", argv[1]);
	return rc;
}

struct rt_case {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct rt_case cases[] = {
	{ "llseek", case_llseek },
	{ "mmap-after-close", case_mmap_after_close },
	{ "mmap-dir", case_mmap_dir },
	{ "bmap", case_bmap },
	{ "acl", case_acl },
	{ "xattr", case_xattr },
	{ "has-xattr", case_has_xattr },
	{ "inotify", case_inotify },
	{ "miscdev-bad-count", case_miscdev_bad_count },
	{ "miscdev-close", case_miscdev_close },
	{ "enospc", case_enospc },
	{ "extend-random", rt_extend_random },
	{ "trunc-random", rt_trunc_random },
	{ "dir-concurrent", rt_dir_concurrent },
	{ "file-concurrent", rt_file_concurrent },
	{ "stat-race", rt_stat_race },
	{ "fsx", rt_fsx },
};

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc > 1 && i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(argv[1], cases[i].name))
			return cases[i].run(argc - 2, argv + 2);
	fprintf(stderr, "usage: regress-tool CASE ARGS...; cases:");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(stderr, " %s", cases[i].name);
	fputc('\n', stderr);
	return RT_ERROR;
}
