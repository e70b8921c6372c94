// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-recover-private without the kernel module: decrypt a whole lower
 * tree into a destination with the userspace codec.
 *
 * The lower tree is only ever opened read-only and never through symlinks.
 * Everything in the destination is created relative to directory fds that
 * were opened O_NOFOLLOW right after mkdirat, so a hostile tree (names
 * that decrypt to the same name, symlinks named like directories) cannot
 * make us write outside it. Files are decrypted by the codec's worker pool
 * (both cores); damaged files are listed at the end and do not stop the run.
 */
#include "cmd-recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define TREE_DEPTH_MAX 128
#define BIG_FILE (64ull << 20) /* decrypt alone, extents spread over the pool */

struct failure {
	char *path;
	char *why;
};

struct tree {
	struct ect_ctx *ctx;
	const struct recover_keys *keys;
	struct ect_codec_key key; /* FEKEK candidate for file headers */
	struct ect_fname_codec *names;
	struct ect_codec_pool *pool;
	bool as_root;
	int dest_root;
	/* lower files with several links: the first output path of each */
	struct hardlink {
		dev_t dev;
		ino_t ino;
		char *rel;
	} *hl;
	size_t nhl, caphl;
	/* totals from the first pass, for the progress line */
	unsigned long long total_files, total_bytes;
	atomic_ullong done_files, done_bytes;
	unsigned long dirs, links, others;
	/* failures, appended by workers */
	pthread_mutex_t lock;
	struct failure *fail;
	size_t nfail, capfail;
	/* progress thread */
	bool progress;
	atomic_bool stop;
	pthread_t progress_thread;
	struct timespec start;
};

static void add_failure(struct tree *t, const char *path, const char *fmt, ...)
	ECT_PRINTF(3, 4);
static void add_failure(struct tree *t, const char *path, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&t->lock);
	if (t->nfail == t->capfail) {
		size_t cap = t->capfail ? t->capfail * 2 : 16;
		struct failure *f = realloc(t->fail, cap * sizeof(*f));

		if (!f)
			goto out;
		t->fail = f;
		t->capfail = cap;
	}
	t->fail[t->nfail].path = strdup(path);
	t->fail[t->nfail].why = strdup(why);
	if (t->fail[t->nfail].path && t->fail[t->nfail].why)
		t->nfail++;
out:
	pthread_mutex_unlock(&t->lock);
}

static double elapsed(const struct tree *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->start.tv_sec) + (now.tv_nsec - t->start.tv_nsec) / 1e9;
}

static void print_progress(struct tree *t, bool final)
{
	unsigned long long files = atomic_load(&t->done_files);
	unsigned long long bytes = atomic_load(&t->done_bytes);
	double secs = elapsed(t), rate = secs > 0.05 ? bytes / secs : 0;
	double left = t->total_bytes > bytes ? (double)(t->total_bytes - bytes) : 0;
	unsigned long eta = rate > 0 ? (unsigned long)(left / rate) : 0;

	fprintf(stderr, "\r  %llu/%llu files  %.1f/%.1f MiB  %.1f MiB/s  ETA %lu:%02lu ", files,
		t->total_files, bytes / 1048576.0, t->total_bytes / 1048576.0, rate / 1048576.0,
		eta / 60, eta % 60);
	if (final)
		fputc('\n', stderr);
}

static void *progress_main(void *arg)
{
	struct tree *t = arg;
	const struct timespec tick = { 0, 250 * 1000 * 1000 };

	while (!atomic_load(&t->stop)) {
		print_progress(t, false);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

/* ---- first pass: how much is there ------------------------------------- */

static void count_tree(struct tree *t, int fd0, int depth)
{
	DIR *d = fdopendir(fd0);
	struct dirent *e;

	if (!d) {
		close(fd0);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode)) {
			t->total_files++;
			if ((unsigned long long)st.st_size > ECT_HEADER_SIZE)
				t->total_bytes += (unsigned long long)st.st_size - ECT_HEADER_SIZE;
		} else if (S_ISDIR(st.st_mode) && depth < TREE_DEPTH_MAX) {
			fd = openat(dirfd(d), e->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				count_tree(t, fd, depth + 1);
		}
	}
	closedir(d);
}

/* ---- one file ---------------------------------------------------------- */

struct file_job {
	struct tree *t;
	int in_fd, out_fd;
	int dest_dir;	 /* a dup of the output's directory, to remove an empty failure */
	char *name;	 /* the output's name in dest_dir (points into path's buffer) */
	struct stat st;
	char path[];	 /* relative upper path, for messages; then the name */
};

struct sink_state {
	struct tree *t;
	int fd;
	off_t off;
};

static int count_sink(void *userdata, const void *data, size_t len)
{
	struct sink_state *s = userdata;
	const char *p = data;

	while (len) {
		ssize_t n = pwrite(s->fd, p, len, s->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		s->off += n;
		atomic_fetch_add(&s->t->done_bytes, (unsigned long long)n);
	}
	return 0;
}

/* Owner, mode and times of the lower entry onto the output (ecryptfs copies them up). */
static void apply_meta(struct tree *t, int fd, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (t->as_root && fchown(fd, st->st_uid, st->st_gid))
		ect_debug(t->ctx, "fchown: %s", strerror(errno));
	/* after fchown, which clears set-id bits */
	if (fchmod(fd, st->st_mode & 07777))
		ect_debug(t->ctx, "fchmod: %s", strerror(errno));
	if (futimens(fd, times))
		ect_debug(t->ctx, "futimens: %s", strerror(errno));
}

static void finish_file(struct file_job *j, struct ect_codec_file *f, int ret, uint64_t written)
{
	struct tree *t = j->t;

	/* nothing decrypted: no empty stand-in next to the good files */
	if (ret && !written)
		unlinkat(j->dest_dir, j->name, 0);

	if (ret == ECT_E_NOT_ECRYPTFS)
		add_failure(t, j->path, "not encrypted (plaintext in the lower directory?); "
					"not copied");
	else if (ret == ECT_E_WRONG_PASSWORD)
		add_failure(t, j->path, "encrypted with another key (%s)",
			    ect_strerror(ret));
	else if (ret)
		add_failure(t, j->path, "%s%s", ect_strerror(ret),
			    written ? "; the part before the damage was written" : "");
	if (!ret || written)
		apply_meta(t, j->out_fd, &j->st);
	ect_codec_close(f);
	close(j->in_fd);
	close(j->out_fd);
	close(j->dest_dir);
	atomic_fetch_add(&t->done_files, 1);
	free(j);
}

static int file_job_run(void *arg)
{
	struct file_job *j = arg;
	struct ect_codec_file *f = NULL;
	struct sink_state s = { .t = j->t, .fd = j->out_fd };
	int ret = 0;

	/* a 0-byte lower file is an empty file to the kernel (format doc §3.6) */
	if (j->st.st_size > 0) {
		ret = ect_codec_open_fd(j->in_fd, 0, &j->t->key, 1, &f);
		if (!ret)
			ret = ect_codec_decrypt_to(f, count_sink, &s);
	}
	finish_file(j, f, ret, (uint64_t)s.off);
	return 0; /* failures are listed, the run goes on */
}

/* Big files: alone, their extents spread over the whole pool. */
static void big_file_run(struct file_job *j)
{
	struct ect_codec_file *f = NULL;
	int ret;

	ret = ect_codec_pool_wait(j->t->pool);
	(void)ret;
	ret = ect_codec_open_fd(j->in_fd, 0, &j->t->key, 1, &f);
	if (!ret)
		ret = ect_codec_decrypt_to_fd_parallel(f, j->t->pool, j->out_fd);
	if (!ret)
		atomic_fetch_add(&j->t->done_bytes, ect_codec_size(f));
	/* a parallel run writes out of order: count what landed in the file */
	finish_file(j, f, ret, ret ? (uint64_t)lseek(j->out_fd, 0, SEEK_END) : ect_codec_size(f));
}

/* ---- names ------------------------------------------------------------- */

/* The upper name of a lower entry; falls back to the lower name (listed). */
static void upper_name(struct tree *t, const char *rel_dir, const char *lower, char *out,
		       size_t size)
{
	ssize_t n = -1;

	if (t->names && !strncmp(lower, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN)) {
		n = ect_fname_decrypt(t->names, lower, strlen(lower), 0, out, size);
		if (n > 0 && (memchr(out, '/', (size_t)n) || !strcmp(out, ".") ||
			      !strcmp(out, ".."))) {
			n = ECT_E_FORMAT;
		}
		if (n < 0) {
			char where[PATH_MAX];

			snprintf(where, sizeof(where), "%s%s%s", rel_dir, *rel_dir ? "/" : "",
				 lower);
			add_failure(t, where, "name does not decrypt (%s); kept the lower name",
				    ect_strerror((int)n));
		}
	}
	if (n < 0)
		snprintf(out, size, "%s", lower);
}

static int make_symlink(struct tree *t, int lower_dir, const char *lower, int dest_dir,
			const char *name, const struct stat *st, const char *rel)
{
	char target[PATH_MAX * 2], plain[PATH_MAX * 2];
	const char *use = target;
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	ssize_t n = readlinkat(lower_dir, lower, target, sizeof(target) - 1);

	if (n < 0) {
		add_failure(t, rel, "readlink: %s", strerror(errno));
		return 0;
	}
	target[n] = '\0';
	if (t->names && !strncmp(target, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN)) {
		ssize_t m = ect_fname_decrypt(t->names, target, (size_t)n, ECT_FNAME_SYMLINK, plain,
					      sizeof(plain));

		if (m < 0)
			add_failure(t, rel, "symlink target does not decrypt (%s); kept as stored",
				    ect_strerror((int)m));
		else
			use = plain;
	}
	if (symlinkat(use, dest_dir, name)) {
		add_failure(t, rel, "symlink: %s", strerror(errno));
		return 0;
	}
	if (t->as_root && fchownat(dest_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW))
		ect_debug(t->ctx, "lchown: %s", strerror(errno));
	utimensat(dest_dir, name, times, AT_SYMLINK_NOFOLLOW);
	t->links++;
	return 0;
}

/*
 * A lower file with several links (the kernel links lower files): link the
 * output to the copy already made. Returns 1 when linked, 0 to decrypt.
 * The first path is relative to the destination root and made only of
 * directories this run created, so linkat cannot be led outside it.
 */
static int link_seen(struct tree *t, int dest_dir, const char *name, const struct stat *st,
		     const char *rel)
{
	struct hardlink *h;

	if (st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < t->nhl; i++) {
		h = &t->hl[i];
		if (h->dev == st->st_dev && h->ino == st->st_ino) {
			if (linkat(t->dest_root, h->rel, dest_dir, name, 0))
				return 0; /* decrypt a copy instead */
			atomic_fetch_add(&t->done_files, 1);
			return 1;
		}
	}
	if (t->nhl == t->caphl) {
		size_t cap = t->caphl ? t->caphl * 2 : 16;
		struct hardlink *n = realloc(t->hl, cap * sizeof(*n));

		if (!n)
			return 0;
		t->hl = n;
		t->caphl = cap;
	}
	h = &t->hl[t->nhl];
	h->rel = strdup(rel);
	if (h->rel) {
		h->dev = st->st_dev;
		h->ino = st->st_ino;
		t->nhl++;
	}
	return 0;
}

static int make_file(struct tree *t, int lower_dir, const char *lower, int dest_dir,
		     const char *name, const struct stat *st, const char *rel)
{
	size_t rlen = strlen(rel), nlen = strlen(name);
	struct file_job *j = malloc(sizeof(*j) + rlen + 1 + nlen + 1);
	int ret;

	if (!j)
		return -ENOMEM;
	if (link_seen(t, dest_dir, name, st, rel)) {
		free(j);
		return 0;
	}
	j->t = t;
	j->st = *st;
	memcpy(j->path, rel, rlen + 1);
	j->name = j->path + rlen + 1;
	memcpy(j->name, name, nlen + 1);
	j->in_fd = openat(lower_dir, lower, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (j->in_fd < 0) {
		add_failure(t, rel, "open: %s", strerror(errno));
		free(j);
		return 0;
	}
	j->out_fd = openat(dest_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			   0600);
	j->dest_dir = fcntl(dest_dir, F_DUPFD_CLOEXEC, 0);
	if (j->out_fd < 0 || j->dest_dir < 0) {
		add_failure(t, rel, "create: %s", strerror(errno));
		if (j->out_fd >= 0)
			close(j->out_fd);
		if (j->dest_dir >= 0)
			close(j->dest_dir);
		close(j->in_fd);
		free(j);
		return 0;
	}
	if ((unsigned long long)st->st_size >= BIG_FILE) {
		big_file_run(j);
		return 0;
	}
	ret = ect_codec_pool_submit(t->pool, file_job_run, j);
	if (ret)
		finish_file(j, NULL, ret, 0);
	return ret;
}

static int make_other(struct tree *t, int dest_dir, const char *name, const struct stat *st,
		      const char *rel)
{
	int ret = -1;

	if (S_ISFIFO(st->st_mode))
		ret = mkfifoat(dest_dir, name, st->st_mode & 07777);
	else if ((S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) && t->as_root)
		ret = mknodat(dest_dir, name, st->st_mode, st->st_rdev);
	if (ret) {
		add_failure(t, rel, "special file (mode %o) not recreated",
			    (unsigned int)st->st_mode);
		return 0;
	}
	t->others++;
	return 0;
}

/* ---- the walk ---------------------------------------------------------- */

static int copy_dir(struct tree *t, int lower_dir, int dest_dir, char *rel, int depth)
{
	DIR *d = fdopendir(lower_dir);
	struct dirent *e;
	size_t rlen = strlen(rel);
	int ret = 0;

	if (!d) {
		add_failure(t, *rel ? rel : ".", "opendir: %s", strerror(errno));
		close(lower_dir);
		return 0;
	}
	while (!ret && (e = readdir(d))) {
		char name[NAME_MAX + 1];
		struct stat st;
		int lfd, dfd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		upper_name(t, rel, e->d_name, name, sizeof(name));
		if (rlen + strlen(name) + 2 >= PATH_MAX) {
			add_failure(t, rel, "path too long below this directory");
			continue;
		}
		snprintf(rel + rlen, PATH_MAX - rlen, "%s%s", rlen ? "/" : "", name);
		if (S_ISREG(st.st_mode)) {
			ret = make_file(t, dirfd(d), e->d_name, dest_dir, name, &st, rel);
		} else if (S_ISLNK(st.st_mode)) {
			ret = make_symlink(t, dirfd(d), e->d_name, dest_dir, name, &st, rel);
		} else if (S_ISDIR(st.st_mode)) {
			if (depth >= TREE_DEPTH_MAX) {
				add_failure(t, rel, "nested too deep; not copied");
			} else if (mkdirat(dest_dir, name, 0700)) {
				add_failure(t, rel, "mkdir: %s", strerror(errno));
			} else {
				lfd = openat(dirfd(d), e->d_name,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				dfd = openat(dest_dir, name,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (lfd < 0 || dfd < 0) {
					add_failure(t, rel, "open directory: %s", strerror(errno));
					if (lfd >= 0)
						close(lfd);
				} else {
					t->dirs++;
					ret = copy_dir(t, lfd, dfd, rel, depth + 1);
					/* after its entries exist: mode and times stick */
					apply_meta(t, dfd, &st);
				}
				if (dfd >= 0)
					close(dfd);
			}
		} else {
			ret = make_other(t, dest_dir, name, &st, rel);
		}
		rel[rlen] = '\0';
	}
	closedir(d);
	return ret;
}

/* Is dest (existing or not) the lower directory or below it? */
static bool dest_inside(const char *lower, const char *dest)
{
	char real_lower[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
	char *slash;
	size_t n;

	if (!realpath(lower, real_lower))
		return false;
	/* the deepest existing ancestor of dest decides */
	snprintf(parent, sizeof(parent), "%s", dest);
	while (!realpath(parent, real)) {
		slash = strrchr(parent, '/');
		if (!slash) {
			if (!getcwd(real, sizeof(real)))
				return true; /* cannot tell: refuse */
			break;
		}
		*slash = '\0';
		if (!*parent) {
			snprintf(real, sizeof(real), "/");
			break;
		}
	}
	n = strlen(real_lower);
	return !strncmp(real, real_lower, n) && (real[n] == '/' || real[n] == '\0');
}

/* DEST: created 0700 when missing; an existing one must be an empty directory. */
static int open_dest(struct ect_ctx *ctx, const char *lower, const char *dest)
{
	struct dirent *e;
	DIR *d;
	int fd, entries = 0;

	/* checked before mkdir: nothing is ever written into the encrypted tree */
	if (dest_inside(lower, dest)) {
		ect_err(ctx, "%s is inside the encrypted directory %s", dest, lower);
		return -1;
	}
	if (mkdir(dest, 0700) && errno != EEXIST) {
		ect_err(ctx, "%s: %s", dest, strerror(errno));
		return -1;
	}
	fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ect_err(ctx, "%s: %s", dest, strerror(errno));
		return -1;
	}
	d = fdopendir(dup(fd));
	while (d && (e = readdir(d)))
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	if (entries) {
		ect_err(ctx, "%s is not empty; give a new or empty directory", dest);
		close(fd);
		return -1;
	}
	return fd;
}

static void report(struct tree *t, const char *dest)
{
	printf("INFO: Private data decrypted into [%s]: %llu files (%.1f MiB), %lu directories, "
	       "%lu symlinks%s\n", dest, (unsigned long long)atomic_load(&t->done_files),
	       atomic_load(&t->done_bytes) / 1048576.0, t->dirs, t->links,
	       t->others ? ", special files" : "");
	if (!t->nfail)
		return;
	fprintf(stderr, "ERROR: %zu entr%s could not be recovered:\n", t->nfail,
		t->nfail == 1 ? "y" : "ies");
	for (size_t i = 0; i < t->nfail; i++)
		fprintf(stderr, "  %s: %s\n", t->fail[i].path, t->fail[i].why);
}

int recover_userspace(struct ect_ctx *ctx, const char *lower, const struct recover_keys *keys,
		      const struct recover_opts *o)
{
	struct tree t = { .ctx = ctx, .keys = keys, .as_root = geteuid() == 0 };
	char *rel = calloc(1, PATH_MAX);
	int lfd = -1, dfd = -1, ret = RECOVER_EXIT_FAILURE, r;
	struct stat st;

	pthread_mutex_init(&t.lock, NULL);
	memcpy(t.key.sig, keys->fekek_sig, sizeof(t.key.sig));
	t.key.key = keys->fekek;
	if (!rel)
		goto out;
	if (keys->fne) {
		r = ect_fname_codec_new(keys->fnek, keys->fnek_sig, "aes", keys->fn_key_bytes,
					&t.names);
		if (r) {
			ect_err(ctx, "filename key: %s", ect_strerror(r));
			goto out;
		}
	}
	lfd = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0 || fstat(lfd, &st)) {
		ect_err(ctx, "%s: %s", lower, strerror(errno));
		goto out;
	}
	dfd = open_dest(ctx, lower, o->dest);
	if (dfd < 0)
		goto out;
	r = ect_codec_pool_new(o->threads, &t.pool);
	if (r) {
		ect_err(ctx, "worker threads: %s", ect_strerror(r));
		goto out;
	}
	/* its own open: a dup would share (and exhaust) the directory offset */
	t.dest_root = dfd;
	count_tree(&t, openat(lfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
	printf("INFO: Decrypting %llu files (%.1f MiB) from [%s] into [%s] with %u threads.\n",
	       t.total_files, t.total_bytes / 1048576.0, lower, o->dest,
	       ect_codec_pool_threads(t.pool));
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t.start);
	t.progress = o->progress;
	if (t.progress && pthread_create(&t.progress_thread, NULL, progress_main, &t))
		t.progress = false;
	r = copy_dir(&t, lfd, dfd, rel, 0);
	lfd = -1; /* closed by copy_dir */
	if (!r)
		r = ect_codec_pool_wait(t.pool);
	atomic_store(&t.stop, true);
	if (t.progress) {
		pthread_join(t.progress_thread, NULL);
		print_progress(&t, true);
	}
	if (r)
		ect_err(ctx, "decryption stopped: %s", ect_strerror(r));
	/* the destination root takes the lower root's mode and times last */
	apply_meta(&t, dfd, &st);
	report(&t, o->dest);
	ret = r ? RECOVER_EXIT_FAILURE : t.nfail ? RECOVER_EXIT_PARTIAL : RECOVER_EXIT_OK;
out:
	if (t.pool)
		ect_codec_pool_free(t.pool);
	ect_fname_codec_free(t.names);
	if (lfd >= 0)
		close(lfd);
	if (dfd >= 0)
		close(dfd);
	for (size_t i = 0; i < t.nfail; i++) {
		free(t.fail[i].path);
		free(t.fail[i].why);
	}
	free(t.fail);
	for (size_t i = 0; i < t.nhl; i++)
		free(t.hl[i].rel);
	free(t.hl);
	free(rel);
	pthread_mutex_destroy(&t.lock);
	return ret;
}
