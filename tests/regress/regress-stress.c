// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regress-tool: the random and concurrent cases. Each random one prints
 * its seed so that a failure replays; each concurrent one runs for a few
 * seconds (an argument) so that the suite stays short under emulation.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "regress-tool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct random_args {
	const char *path;
	uint64_t seed;
	long ops;
	size_t max;
};

static int parse_random(int argc, char **argv, struct random_args *a, const char *name)
{
	if (argc != 4)
		return rt_say(RT_ERROR, "usage: %s FILE SEED OPS MAXSIZE", name);
	a->path = argv[0];
	a->seed = strtoull(argv[1], NULL, 0);
	a->ops = atol(argv[2]);
	a->max = (size_t)atol(argv[3]);
	if (a->ops < 1 || a->max < 16)
		return rt_say(RT_ERROR, "%s: OPS >= 1 and MAXSIZE >= 16", name);
	fprintf(stderr, "%s: seed %" PRIu64 "\n", name, a->seed);
	return RT_PASS;
}

/* extend-file-random: writes at random offsets, often past the end. */
int rt_extend_random(int argc, char **argv)
{
	struct random_args a;
	uint8_t *shadow, *chunk;
	size_t len = 0;
	int fd, rc;
	long op;

	rc = parse_random(argc, argv, &a, "extend-random");
	if (rc)
		return rc;
	shadow = calloc(a.max, 1);
	chunk = malloc(a.max);
	fd = open(a.path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!shadow || !chunk || fd < 0)
		return rt_say(RT_ERROR, "setup: %s", strerror(errno));
	for (op = 0; op < a.ops && rc == RT_PASS; op++) {
		size_t off = (size_t)(rt_rand(&a.seed) % a.max);
		size_t n = 1 + (size_t)(rt_rand(&a.seed) % (a.max / 8));
		size_t i;

		if (off + n > a.max)
			n = a.max - off;
		for (i = 0; i < n; i++)
			chunk[i] = (uint8_t)rt_rand(&a.seed);
		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n)
			rc = rt_say(RT_FAIL, "op %ld: pwrite %zu at %zu: %s", op, n, off,
				    strerror(errno));
		memcpy(shadow + off, chunk, n);
		if (off + n > len)
			len = off + n;
		if (rc == RT_PASS && op % 16 == 15)
			rc = rt_check_file(a.path, shadow, len, "while open");
	}
	if (close(fd) && rc == RT_PASS)
		rc = rt_say(RT_FAIL, "close: %s", strerror(errno));
	if (rc == RT_PASS)
		rc = rt_check_file(a.path, shadow, len, "after close");
	free(shadow);
	free(chunk);
	return rc;
}

/* trunc-file: random truncates down and up; what was cut reads as zeros. */
int rt_trunc_random(int argc, char **argv)
{
	struct random_args a;
	uint8_t *shadow;
	size_t len, i;
	int fd, rc;
	long op;

	rc = parse_random(argc, argv, &a, "trunc-random");
	if (rc)
		return rc;
	shadow = malloc(a.max);
	fd = open(a.path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!shadow || fd < 0)
		return rt_say(RT_ERROR, "setup: %s", strerror(errno));
	for (i = 0; i < a.max; i++)
		shadow[i] = (uint8_t)rt_rand(&a.seed);
	len = a.max;
	if (pwrite(fd, shadow, len, 0) != (ssize_t)len)
		return rt_say(RT_ERROR, "fill: %s", strerror(errno));
	for (op = 0; op < a.ops && rc == RT_PASS; op++) {
		size_t to = (size_t)(rt_rand(&a.seed) % (a.max + 1));

		if (ftruncate(fd, (off_t)to)) {
			rc = rt_say(RT_FAIL, "op %ld: ftruncate to %zu: %s", op, to, strerror(errno));
			break;
		}
		if (to > len)
			memset(shadow + len, 0, to - len);
		len = to;
		rc = rt_check_file(a.path, shadow, len, "after ftruncate");
		if (rc)
			fprintf(stderr, "op %ld: ftruncate to %zu\n", op, to);
	}
	close(fd);
	if (rc == RT_PASS)
		rc = rt_check_file(a.path, shadow, len, "after close");
	free(shadow);
	return rc;
}

struct workers {
	int procs;
	int secs;
};

static int parse_workers(int argc, char **argv, struct workers *w, const char *usage)
{
	if (argc != 3)
		return rt_say(RT_ERROR, "usage: %s", usage);
	w->procs = atoi(argv[1]);
	w->secs = atoi(argv[2]);
	if (w->procs < 1 || w->procs > 256 || w->secs < 1)
		return rt_say(RT_ERROR, "%s: 1..256 processes, at least 1 second", usage);
	return RT_PASS;
}

/* Run work(dir, index, deadline) in procs children; the worst exit status wins. */
static int run_workers(const char *dir, const struct workers *w,
		       int (*work)(const char *, int, time_t))
{
	time_t deadline = time(NULL) + w->secs;
	int i, status, rc = RT_PASS;
	pid_t pid;

	for (i = 0; i < w->procs; i++) {
		pid = fork();
		if (pid < 0)
			return rt_say(RT_ERROR, "fork: %s", strerror(errno));
		if (pid == 0)
			_exit(work(dir, i, deadline));
	}
	while ((pid = wait(&status)) > 0) {
		int r = WIFEXITED(status) ? WEXITSTATUS(status) : RT_FAIL;

		if (r == RT_FAIL || (r && rc == RT_PASS))
			rc = r;
	}
	return rc;
}

/* Many processes make and remove the same few directories at once. */
static int dir_worker(const char *dir, int me, time_t deadline)
{
	uint64_t s = (uint64_t)me * 7919 + 1;
	char path[4096];

	while (time(NULL) < deadline) {
		snprintf(path, sizeof(path), "%s/d%u", dir, (unsigned int)(rt_rand(&s) % 8));
		if (mkdir(path, 0700) && errno != EEXIST)
			return rt_say(RT_FAIL, "mkdir %s: %s", path, strerror(errno));
		if (rmdir(path) && errno != ENOENT && errno != ENOTEMPTY)
			return rt_say(RT_FAIL, "rmdir %s: %s", path, strerror(errno));
	}
	return RT_PASS;
}

int rt_dir_concurrent(int argc, char **argv)
{
	struct workers w;
	int rc = parse_workers(argc, argv, &w, "dir-concurrent DIR PROCS SECONDS");

	return rc ? rc : run_workers(argv[0], &w, dir_worker);
}

/* Each process writes, reads back and removes files of its own, all at once. */
static int file_worker(const char *dir, int me, time_t deadline)
{
	uint8_t buf[20000], got[20001];
	uint64_t s = (uint64_t)me * 104729 + 3;
	char path[4096];
	unsigned int round;
	size_t i, n;
	int fd;

	for (round = 0; time(NULL) < deadline; round++) {
		snprintf(path, sizeof(path), "%s/f%d-%u", dir, me, round % 4);
		n = 1 + (size_t)(rt_rand(&s) % sizeof(buf));
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)rt_rand(&s);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, buf, n) != (ssize_t)n || close(fd))
			return rt_say(RT_FAIL, "write %s: %s", path, strerror(errno));
		if (rt_read_file(path, got, sizeof(got)) != (long)n || memcmp(got, buf, n))
			return rt_say(RT_FAIL, "%s does not read back as written", path);
		if (round % 2 && unlink(path))
			return rt_say(RT_FAIL, "unlink %s: %s", path, strerror(errno));
	}
	return RT_PASS;
}

int rt_file_concurrent(int argc, char **argv)
{
	struct workers w;
	int rc = parse_workers(argc, argv, &w, "file-concurrent DIR PROCS SECONDS");

	return rc ? rc : run_workers(argv[0], &w, file_worker);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			fprintf(stderr, "drop_caches: %s\n", strerror(errno));
		close(fd);
	}
}

/*
 * inode-race-stat: the size of a freshly looked-up inode is never seen
 * before the header was read. The parent recreates FILE with size j & 255
 * and drops the caches; the children stat it at once, in step with it
 * through pipes.
 */
int rt_stat_race(int argc, char **argv)
{
	int to[64][2], from[64][2], i, rc = RT_PASS, fd;
	struct workers w = { 0, 0 };
	time_t deadline;
	long j;

	rc = parse_workers(argc, argv, &w, "stat-race FILE PROCS SECONDS");
	if (rc)
		return rc;
	if (w.procs > 64)
		w.procs = 64;
	for (i = 0; i < w.procs; i++) {
		if (pipe(to[i]) || pipe(from[i]))
			return rt_say(RT_ERROR, "pipe: %s", strerror(errno));
		if (fork() == 0) {
			long size;
			struct stat st;
			char r;

			while (read(to[i][0], &size, sizeof(size)) == sizeof(size) && size >= 0) {
				r = stat(argv[0], &st) ? 'e' : st.st_size == size ? 'p' : 'f';
				if (write(from[i][1], &r, 1) != 1)
					_exit(RT_ERROR);
			}
			_exit(0);
		}
	}
	deadline = time(NULL) + w.secs;
	for (j = 0; time(NULL) < deadline && rc == RT_PASS; j++) {
		long size = j & 255;

		fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, size) || fdatasync(fd) || close(fd)) {
			rc = rt_say(RT_ERROR, "recreate %s: %s", argv[0], strerror(errno));
			break;
		}
		drop_caches();
		for (i = 0; i < w.procs; i++)
			if (write(to[i][1], &size, sizeof(size)) != sizeof(size))
				rc = RT_ERROR;
		for (i = 0; i < w.procs; i++) {
			char r = 'e';

			if (read(from[i][0], &r, 1) != 1 || r == 'e')
				rc = rt_say(RT_ERROR, "a child could not stat %s", argv[0]);
			else if (r == 'f' && rc != RT_FAIL)
				rc = rt_say(RT_FAIL, "round %ld: a child saw a size other than %ld",
					    j, size);
		}
	}
	for (i = 0; i < w.procs; i++) {
		long stop = -1;

		if (write(to[i][1], &stop, sizeof(stop)) != sizeof(stop))
			rc = RT_ERROR;
	}
	while (wait(NULL) > 0)
		;
	unlink(argv[0]);
	if (rc == RT_PASS)
		fprintf(stderr, "stat-race: %ld rounds with %d processes\n", j, w.procs);
	return rc;
}
