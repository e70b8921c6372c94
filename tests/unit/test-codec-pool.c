// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The codec pool's batches: each caller waits for its own jobs only and
 * sees only their errors, while other batches on the same pool are still
 * running; and the parallel pread/pwrite built on them read and write what
 * the sequential ones do.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "codec-test.h"

/* A job that blocks until its gate opens. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open, entered;
};

static int gated_job(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->lock);
	g->entered = 1;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return -EIO;
}

static int set_flag_job(void *arg)
{
	__atomic_store_n((int *)arg, 1, __ATOMIC_SEQ_CST);
	return 0;
}

struct waiter {
	struct ect_codec_batch *batch;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done, rc;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	int rc = ect_codec_batch_wait(w->batch);

	pthread_mutex_lock(&w->lock);
	w->rc = rc;
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Within 10 s: a wait that also waits for the gated job would never return. */
static int waited(struct waiter *w)
{
	struct timespec until;
	int done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&w->lock);
	while (!w->done && pthread_cond_timedwait(&w->cond, &w->lock, &until) != ETIMEDOUT)
		;
	done = w->done;
	pthread_mutex_unlock(&w->lock);
	return done;
}

/*
 * Batch A holds a worker (its job waits on a gate); batch B's wait must
 * return as soon as B's own jobs are done, with B's result, not A's error.
 * A pool-wide wait (the pool's only wait before batches) hangs here.
 */
static void test_batch_independent(void **state)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct waiter w = { NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	struct ect_codec_batch *a, *b;
	struct ect_codec_pool *pool;
	int flags[8] = { 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(ect_codec_pool_new(2, &pool), 0);
	assert_int_equal(ect_codec_batch_new(pool, &a), 0);
	assert_int_equal(ect_codec_batch_new(pool, &b), 0);
	assert_int_equal(ect_codec_batch_submit(a, gated_job, &g), 0);
	pthread_mutex_lock(&g.lock);
	while (!g.entered)
		pthread_cond_wait(&g.cond, &g.lock);
	pthread_mutex_unlock(&g.lock);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ect_codec_batch_submit(b, set_flag_job, &flags[i]), 0);
	w.batch = b;
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	if (!waited(&w)) {
		/* let the stuck wait finish so the test can fail cleanly */
		pthread_mutex_lock(&g.lock);
		g.open = 1;
		pthread_cond_broadcast(&g.cond);
		pthread_mutex_unlock(&g.lock);
		pthread_join(t, NULL);
		fail_msg("batch B's wait did not return while batch A was still running");
	}
	pthread_join(t, NULL);
	assert_int_equal(w.rc, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(flags[i], 1);
	pthread_mutex_lock(&g.lock);
	assert_int_equal(g.open, 0); /* A really was still running */
	g.open = 1;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	assert_int_equal(ect_codec_batch_wait(a), -EIO);
	assert_int_equal(ect_codec_batch_wait(a), 0); /* reported once, then reusable */
	/* a batch's error is not the pool's */
	assert_int_equal(ect_codec_pool_wait(pool), 0);
	ect_codec_batch_free(a);
	ect_codec_batch_free(b);
	ect_codec_pool_free(pool);
}

/* Several threads, each running batches on one pool: every wait covers all its jobs. */
#define STRESS_THREADS 4
#define STRESS_ROUNDS 200
#define STRESS_JOBS 12

struct stress {
	struct ect_codec_pool *pool;
	int failures;
};

static int fail_odd_job(void *arg)
{
	int *flag = arg;

	__atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
	return ((uintptr_t)flag / sizeof(int)) % 2 ? -EPERM : 0;
}

static void *stress_thread(void *arg)
{
	struct stress *s = arg;
	struct ect_codec_batch *b;
	int flags[STRESS_JOBS];

	if (ect_codec_batch_new(s->pool, &b)) {
		s->failures++;
		return NULL;
	}
	for (int r = 0; r < STRESS_ROUNDS; r++) {
		int odd = 0, rc;

		for (int i = 0; i < STRESS_JOBS; i++) {
			flags[i] = 0;
			odd |= (int)(((uintptr_t)&flags[i] / sizeof(int)) % 2);
			if (ect_codec_batch_submit(b, r % 2 ? fail_odd_job : set_flag_job, &flags[i]))
				s->failures++;
		}
		rc = ect_codec_batch_wait(b);
		for (int i = 0; i < STRESS_JOBS; i++)
			if (!__atomic_load_n(&flags[i], __ATOMIC_SEQ_CST))
				s->failures++;
		/* odd rounds: this batch's own error, even rounds: none (not a neighbour's) */
		if (rc != (r % 2 && odd ? -EPERM : 0))
			s->failures++;
	}
	ect_codec_batch_free(b);
	return NULL;
}

static void test_batch_concurrent(void **state)
{
	struct stress s[STRESS_THREADS];
	pthread_t t[STRESS_THREADS];
	struct ect_codec_pool *pool;

	(void)state;
	assert_int_equal(ect_codec_pool_new(3, &pool), 0);
	for (int i = 0; i < STRESS_THREADS; i++) {
		s[i] = (struct stress){ pool, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, stress_thread, &s[i]), 0);
	}
	for (int i = 0; i < STRESS_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(s[i].failures, 0);
	}
	ect_codec_pool_free(pool);
}

static const uint8_t key_a[ECT_KEY_SIZE] = { 0x5a, 0x01, 0x02, 0x03 };

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Parallel writes (inside, across and past the end) match a shadow, read both ways. */
static void test_parallel_io(void **state)
{
	enum { MAX = 1 << 20 };
	static const struct { uint64_t off; size_t len; } w[] = {
		{ 0, 131072 }, { 100, 131072 }, { 4095, 8194 }, { 300000, 200000 },
		{ 131072, 131072 }, { 700000, 5 }, { 650001, 100000 }, { 0, 4096 * 9 + 1 },
	};
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	uint8_t *shadow = calloc(1, MAX), *data = malloc(MAX), *back = malloc(MAX);
	struct ect_codec_file *f, *g;
	struct ect_codec_pool *pool;
	int fd = test_temp_fd("codec-pool");
	size_t size = 0;

	(void)state;
	assert_int_equal(ect_codec_pool_new(3, &pool), 0);
	assert_int_equal(ect_codec_create(fd, &p, &f), 0);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		fill(data, w[i].len, (unsigned int)i + 1);
		assert_int_equal(ect_codec_pwrite_parallel(f, pool, data, w[i].len, w[i].off),
				 (ssize_t)w[i].len);
		memcpy(shadow + w[i].off, data, w[i].len);
		if (w[i].off + w[i].len > size)
			size = w[i].off + w[i].len;
		assert_int_equal(ect_codec_size(f), size);
		memset(back, 0xee, size);
		assert_int_equal(ect_codec_pread_parallel(f, pool, back, MAX, 0), (ssize_t)size);
		assert_memory_equal(back, shadow, size);
		assert_int_equal(ect_codec_pread_parallel(f, pool, back, 70000, 4097), 70000);
		assert_memory_equal(back, shadow + 4097, 70000);
	}
	ect_codec_close(f);
	/* what a fresh sequential handle reads: the header size and every byte */
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &g), 0);
	assert_int_equal(ect_codec_size(g), size);
	assert_int_equal(ect_codec_pread(g, back, MAX, 0), (ssize_t)size);
	assert_memory_equal(back, shadow, size);
	ect_codec_close(g);
	ect_codec_pool_free(pool);
	close(fd);
	free(shadow);
	free(data);
	free(back);
}

/*
 * Every thread count from 2 to 12 against reads and writes of 1 to 70
 * extents, aligned or not, in the middle of a file and clipped at its end.
 * With 8 threads a 25-extent read once split into 6 chunks of 5: the last
 * began past the read (review finding H1) and failed or overran the buffer.
 */
static void test_parallel_chunking(void **state)
{
	enum { EXT = 4096, FILE_EXTENTS = 100, MAX = EXT * FILE_EXTENTS };
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	uint8_t *shadow = malloc(MAX), *back = malloc(MAX + EXT);
	struct ect_codec_file *f;
	int fd = test_temp_fd("codec-chunks");

	(void)state;
	assert_int_equal(ect_codec_create(fd, &p, &f), 0);
	fill(shadow, MAX - 100, 7);
	assert_int_equal(ect_codec_pwrite(f, shadow, MAX - 100, 0), MAX - 100);
	for (unsigned int threads = 2; threads <= 12; threads++) {
		struct ect_codec_pool *pool;

		assert_int_equal(ect_codec_pool_new(threads, &pool), 0);
		for (size_t ext = 1; ext <= 70; ext++) {
			uint64_t offs[] = { 0, 3 * EXT, 5 * EXT + 17, MAX - 100 - ext * EXT + 50 };

			for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
				size_t len = ext * EXT, want = len;

				if (offs[o] + want > MAX - 100)
					want = MAX - 100 - offs[o];
				memset(back, 0xee, MAX + EXT);
				assert_int_equal(ect_codec_pread_parallel(f, pool, back, len, offs[o]),
						 (ssize_t)want);
				assert_memory_equal(back, shadow + offs[o], want);
				/* nothing written past what was read */
				assert_int_equal(back[want], 0xee);
				assert_int_equal(ect_codec_pwrite_parallel(f, pool, shadow + offs[o],
									   want, offs[o]),
						 (ssize_t)want);
			}
		}
		ect_codec_pool_free(pool);
	}
	assert_int_equal(ect_codec_size(f), MAX - 100);
	memset(back, 0, MAX);
	assert_int_equal(ect_codec_pread(f, back, MAX, 0), MAX - 100);
	assert_memory_equal(back, shadow, MAX - 100);
	ect_codec_close(f);
	close(fd);
	free(shadow);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_independent),
		cmocka_unit_test(test_batch_concurrent),
		cmocka_unit_test(test_parallel_io),
		cmocka_unit_test(test_parallel_chunking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
