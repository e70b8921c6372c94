// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regress-tool fsx: random file operations checked against a shadow copy
 * in memory, in the style of fsx (our own code). One file that moves
 * between two names; reads, writes (often past the end: holes), mmap reads
 * and writes, truncates down and up, close and reopen, rename (sometimes
 * over an existing name), fsync, and a full compare every few operations.
 * The seed is printed first; --seed replays a run exactly. On a mismatch
 * it names the first differing byte and lists the last operations.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "regress-tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define FSX_LOG 50

enum fsx_op { OP_READ, OP_WRITE, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_REOPEN,
	      OP_RENAME, OP_FSYNC, OP_COMPARE, OP_COUNT };

static const char *const op_names[OP_COUNT] = {
	"read", "write", "mapread", "mapwrite", "truncate", "reopen", "rename", "fsync", "compare",
};

/* Out of 100: writes and reads dominate, as in fsx. */
static const int op_weight[OP_COUNT] = { 26, 30, 10, 10, 10, 4, 4, 6, 0 };

struct fsx_entry {
	long n;
	enum fsx_op op;
	size_t off, len;
	size_t size_before, size_after;
};

struct fsx {
	const char *dir;
	char path[2][4096];	/* the two names the file moves between */
	int cur;		/* which of them it has now */
	int fd;
	uint64_t seed, rng;
	long ops, compare_every, inject;
	size_t max_len, max_op, size, page;
	uint8_t *shadow, *buf;
	struct fsx_entry log[FSX_LOG];
	long n;			/* the operation being done */
	long count[OP_COUNT];
	const char *save;
};

static size_t rnd(struct fsx *f, size_t below)
{
	return below ? (size_t)(rt_rand(&f->rng) % below) : 0;
}

static void log_op(struct fsx *f, enum fsx_op op, size_t off, size_t len)
{
	struct fsx_entry *e = &f->log[f->n % FSX_LOG];

	e->n = f->n;
	e->op = op;
	e->off = off;
	e->len = len;
	e->size_before = f->size;
	e->size_after = f->size;
	f->count[op]++;
}

static void log_size(struct fsx *f)
{
	f->log[f->n % FSX_LOG].size_after = f->size;
}

static void dump_log(const struct fsx *f)
{
	long first = f->n + 1 > FSX_LOG ? f->n + 1 - FSX_LOG : 0, i;

	fprintf(stderr, "fsx: the last %ld operations (op offset+length, size before -> after):\n",
		f->n + 1 - first);
	for (i = first; i <= f->n; i++) {
		const struct fsx_entry *e = &f->log[i % FSX_LOG];

		fprintf(stderr, "  %7ld %-8s %8zu +%-6zu size %zu -> %zu\n", e->n, op_names[e->op],
			e->off, e->len, e->size_before, e->size_after);
	}
	fprintf(stderr, "fsx: replay with: regress-tool fsx --seed %" PRIu64 " --ops %ld "
		"--max-len %zu --max-op %zu --compare-every %ld DIR\n", f->seed, f->n + 1,
		f->max_len, f->max_op, f->compare_every);
}

/* A failed call: the error, the log, RT_FAIL. */
static int fail(struct fsx *f, const char *what)
{
	fprintf(stderr, "fsx: op %ld (%s): %s: %s\n", f->n, op_names[f->log[f->n % FSX_LOG].op],
		what, strerror(errno));
	dump_log(f);
	return RT_FAIL;
}

/* got (len bytes, from file offset off) against the shadow. */
static int compare(struct fsx *f, const uint8_t *got, size_t off, size_t len, const char *how)
{
	size_t i, j;

	if (!memcmp(got, f->shadow + off, len))
		return RT_PASS;
	for (i = 0; got[i] == f->shadow[off + i]; i++)
		;
	fprintf(stderr, "fsx: op %ld (%s): first differing byte at offset %zu (0x%zx): "
		"the file has 0x%02x, the shadow 0x%02x (file size %zu)\n", f->n, how, off + i,
		off + i, got[i], f->shadow[off + i], f->size);
	for (j = i; j < len && got[j] != f->shadow[off + j]; j++)
		;
	fprintf(stderr, "fsx: %zu differing bytes in a row from there\n", j - i);
	dump_log(f);
	return RT_FAIL;
}

static int full_read(int fd, uint8_t *buf, size_t len, size_t off, size_t *got)
{
	ssize_t n = 1;

	for (*got = 0; *got < len && n > 0; *got += (size_t)n) {
		n = pread(fd, buf + *got, len - *got, (off_t)(off + *got));
		if (n < 0)
			return -1;
		if (n == 0)
			break;
	}
	return 0;
}

static int check_size(struct fsx *f)
{
	struct stat st;

	if (fstat(f->fd, &st))
		return fail(f, "fstat");
	if ((size_t)st.st_size == f->size)
		return RT_PASS;
	fprintf(stderr, "fsx: op %ld: the file's size is %lld, the shadow's %zu\n", f->n,
		(long long)st.st_size, f->size);
	dump_log(f);
	return RT_FAIL;
}

/* The whole file, its size and that nothing lies past the end. */
static int full_compare(struct fsx *f)
{
	size_t got;
	int rc = check_size(f);

	if (rc)
		return rc;
	if (full_read(f->fd, f->buf, f->size + 1, 0, &got))
		return fail(f, "full read");
	if (got != f->size) {
		fprintf(stderr, "fsx: op %ld: a full read gave %zu bytes, the size is %zu\n", f->n,
			got, f->size);
		dump_log(f);
		return RT_FAIL;
	}
	return compare(f, f->buf, 0, f->size, "full compare");
}

static int do_read(struct fsx *f)
{
	size_t off = rnd(f, f->max_len), len = 1 + rnd(f, f->max_op), want, got;

	log_op(f, OP_READ, off, len);
	if (off + len > f->max_len)
		len = f->max_len - off;
	want = off >= f->size ? 0 : off + len > f->size ? f->size - off : len;
	if (full_read(f->fd, f->buf, len, off, &got))
		return fail(f, "pread");
	if (got != want) {
		fprintf(stderr, "fsx: op %ld: read of %zu at %zu gave %zu bytes, not %zu\n", f->n,
			len, off, got, want);
		dump_log(f);
		return RT_FAIL;
	}
	return compare(f, f->buf, off, got, "read");
}

/* New data into the shadow at off; the file grows (holes are zeros already). */
static void shadow_write(struct fsx *f, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		f->shadow[off + i] = (uint8_t)rt_rand(&f->rng);
	if (off + len > f->size)
		f->size = off + len;
}

static int do_write(struct fsx *f)
{
	size_t off = rnd(f, f->max_len), len = 1 + rnd(f, f->max_op), done = 0;
	ssize_t n;

	log_op(f, OP_WRITE, off, len);
	if (off + len > f->max_len)
		len = f->max_len - off;
	shadow_write(f, off, len);
	while (done < len) {
		n = pwrite(f->fd, f->shadow + off + done, len - done, (off_t)(off + done));
		if (n <= 0)
			return fail(f, "pwrite");
		done += (size_t)n;
	}
	log_size(f);
	return RT_PASS;
}

/* A shared mapping of [off, off+len) of the file: from the page below off. */
static uint8_t *map(struct fsx *f, size_t off, size_t len, int prot, size_t *skew)
{
	void *m;

	*skew = off % f->page;
	m = mmap(NULL, len + *skew, prot, MAP_SHARED, f->fd, (off_t)(off - *skew));
	return m == MAP_FAILED ? NULL : (uint8_t *)m;
}

static int do_mapread(struct fsx *f)
{
	size_t off, len, skew;
	uint8_t *m;
	int rc;

	if (!f->size) {
		log_op(f, OP_MAPREAD, 0, 0);
		return RT_PASS;
	}
	off = rnd(f, f->size);
	len = 1 + rnd(f, f->max_op);
	if (off + len > f->size)
		len = f->size - off;
	log_op(f, OP_MAPREAD, off, len);
	m = map(f, off, len, PROT_READ, &skew);
	if (!m)
		return fail(f, "mmap");
	rc = compare(f, m + skew, off, len, "mapread");
	if (munmap(m, len + skew) && !rc)
		rc = fail(f, "munmap");
	return rc;
}

/* A write through a shared mapping; the file is first extended to cover it. */
static int do_mapwrite(struct fsx *f)
{
	size_t off = rnd(f, f->max_len), len = 1 + rnd(f, f->max_op), skew, before;
	uint8_t *m;

	log_op(f, OP_MAPWRITE, off, len);
	if (off + len > f->max_len)
		len = f->max_len - off;
	before = f->size;
	if (off + len > f->size && ftruncate(f->fd, (off_t)(off + len)))
		return fail(f, "ftruncate before mapwrite");
	shadow_write(f, off, len);
	m = map(f, off, len, PROT_READ | PROT_WRITE, &skew);
	if (!m) {
		f->size = before;
		return fail(f, "mmap");
	}
	memcpy(m + skew, f->shadow + off, len);
	if (msync(m, len + skew, MS_SYNC))
		return fail(f, "msync");
	if (munmap(m, len + skew))
		return fail(f, "munmap");
	log_size(f);
	return RT_PASS;
}

static int do_truncate(struct fsx *f)
{
	size_t to = rnd(f, f->max_len + 1);

	log_op(f, OP_TRUNCATE, to, 0);
	if (ftruncate(f->fd, (off_t)to))
		return fail(f, "ftruncate");
	/* Past the end the shadow is all zeros: what a later extension reads. */
	if (to < f->size)
		memset(f->shadow + to, 0, f->size - to);
	f->size = to;
	log_size(f);
	return RT_PASS;
}

static int do_reopen(struct fsx *f)
{
	log_op(f, OP_REOPEN, 0, 0);
	if (close(f->fd))
		return fail(f, "close");
	f->fd = open(f->path[f->cur], O_RDWR);
	if (f->fd < 0)
		return fail(f, "reopen");
	return check_size(f);
}

/* The file moves to its other name, half the time over a small file there. */
static int do_rename(struct fsx *f)
{
	const char *from = f->path[f->cur], *to = f->path[!f->cur];
	int fd;

	log_op(f, OP_RENAME, 0, 0);
	if (rnd(f, 2)) {
		fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "decoy", 5) != 5 || close(fd))
			return fail(f, "create the file to be renamed over");
	}
	if (rename(from, to))
		return fail(f, "rename");
	f->cur = !f->cur;
	if (access(from, F_OK) == 0 || errno != ENOENT) {
		errno = EEXIST;
		return fail(f, "the old name is still there after rename");
	}
	return check_size(f);
}

static int do_fsync(struct fsx *f)
{
	int data_only = (int)rnd(f, 2);

	log_op(f, OP_FSYNC, (size_t)data_only, 0);
	if (data_only ? fdatasync(f->fd) : fsync(f->fd))
		return fail(f, data_only ? "fdatasync" : "fsync");
	return RT_PASS;
}

/* --inject N: after op N a byte the shadow does not know of, to prove the compare catches it. */
static int inject(struct fsx *f)
{
	uint8_t wrong;
	size_t off;

	if (!f->size)
		return RT_PASS;
	/* Not from the generator: the run stays the one its seed names. */
	off = (size_t)(f->seed ^ (uint64_t)f->n) % f->size;
	wrong = (uint8_t)(f->shadow[off] ^ 0x5a);
	fprintf(stderr, "fsx: op %ld: injecting a wrong byte at offset %zu\n", f->n, off);
	if (pwrite(f->fd, &wrong, 1, (off_t)off) != 1)
		return fail(f, "inject");
	/* At once, before a later write or truncate covers it. */
	return full_compare(f);
}

static int one_op(struct fsx *f)
{
	static int (*const run[OP_COUNT])(struct fsx *) = {
		do_read, do_write, do_mapread, do_mapwrite, do_truncate,
		do_reopen, do_rename, do_fsync, NULL,
	};
	int pick = (int)rnd(f, 100), op, rc;

	for (op = 0; pick >= op_weight[op]; op++)
		pick -= op_weight[op];
	rc = run[op](f);
	return rc || f->n != f->inject ? rc : inject(f);
}

/* The shadow to a file (outside the mount), for a compare after a remount. */
static int save_shadow(struct fsx *f)
{
	FILE *out = fopen(f->save, "w");

	if (!out || fwrite(f->shadow, 1, f->size, out) != f->size || fclose(out))
		return rt_say(RT_ERROR, "fsx: --save %s: %s", f->save, strerror(errno));
	return RT_PASS;
}

static int run(struct fsx *f)
{
	int rc = RT_PASS, i;

	for (i = 0; i < 2; i++) {
		snprintf(f->path[i], sizeof(f->path[i]), "%s/fsx-%c", f->dir, 'a' + i);
		if (unlink(f->path[i]) && errno != ENOENT)
			return rt_say(RT_ERROR, "fsx: unlink %s: %s", f->path[i], strerror(errno));
	}
	f->fd = open(f->path[0], O_RDWR | O_CREAT | O_EXCL, 0600);
	if (f->fd < 0)
		return rt_say(RT_ERROR, "fsx: create %s: %s", f->path[0], strerror(errno));
	for (f->n = 0; f->n < f->ops && !rc; f->n++) {
		rc = one_op(f);
		if (!rc && (f->n + 1) % f->compare_every == 0) {
			f->count[OP_COMPARE]++;
			rc = full_compare(f);
		}
	}
	if (!rc) {
		f->n--;
		rc = full_compare(f);
	}
	if (close(f->fd) && !rc)
		rc = fail(f, "close");
	if (!rc && f->save)
		rc = save_shadow(f);
	if (!rc) {
		fprintf(stderr, "fsx: %ld operations, final size %zu, file %s:", f->ops, f->size,
			f->path[f->cur]);
		for (i = 0; i < OP_COUNT; i++)
			fprintf(stderr, " %s %ld", op_names[i], f->count[i]);
		fputc('\n', stderr);
	}
	return rc;
}

static int parse(struct fsx *f, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "max-len", required_argument, NULL, 'l' },
		{ "max-op", required_argument, NULL, 'o' },
		{ "compare-every", required_argument, NULL, 'c' },
		{ "inject", required_argument, NULL, 'i' },
		{ "save", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c, seeded = 0;

	/* regress-tool passes argv after the subcommand: getopt starts at 0. */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': f->seed = strtoull(optarg, NULL, 0); seeded = 1; break;
		case 'n': f->ops = atol(optarg); break;
		case 'l': f->max_len = (size_t)atol(optarg); break;
		case 'o': f->max_op = (size_t)atol(optarg); break;
		case 'c': f->compare_every = atol(optarg); break;
		case 'i': f->inject = atol(optarg); break;
		case 'S': f->save = optarg; break;
		default: return RT_ERROR;
		}
	}
	if (optind != argc || f->ops < 1 || f->max_len < 16 || f->max_op < 1 ||
	    f->max_op > f->max_len || f->compare_every < 1)
		return rt_say(RT_ERROR, "usage: fsx [--seed N] [--ops N] [--max-len BYTES] "
			      "[--max-op BYTES] [--compare-every N] [--save FILE] [--inject OP] DIR");
	f->dir = argv[argc - 1];
	if (!seeded)
		f->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	return RT_PASS;
}

int rt_fsx(int argc, char **argv)
{
	struct fsx f = { .ops = 10000, .max_len = 256 * 1024, .max_op = 64 * 1024,
			 .compare_every = 100, .inject = -1, .fd = -1 };
	int rc = parse(&f, argc, argv);

	if (rc)
		return rc;
	/* First, so that even a crash leaves the seed behind. */
	fprintf(stderr, "fsx: seed %" PRIu64 "\n", f.seed);
	fflush(stderr);
	f.rng = f.seed;
	f.page = (size_t)sysconf(_SC_PAGESIZE);
	f.shadow = calloc(f.max_len, 1);
	f.buf = malloc(f.max_len + 1);
	if (!f.shadow || !f.buf)
		return rt_say(RT_ERROR, "fsx: out of memory");
	rc = run(&f);
	free(f.shadow);
	free(f.buf);
	return rc;
}
