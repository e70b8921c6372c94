// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: a small worker pool so whole trees (one job per file) and big
 * files (one job per extent range) use every core. Extents are
 * independent CBC messages, so ranges need no coordination; each worker
 * gets its own cipher handle through ect_codec_clone().
 */
#include "codec-internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL_QUEUE 64
#define POOL_MAX_THREADS 64

struct pool_job {
	ect_codec_job_fn fn;
	void *arg;
	struct ect_codec_batch *batch; /* NULL: counted pool-wide only */
};

/*
 * A caller's own set of jobs: its count and first error are its alone, so
 * callers on several threads share one pool without waiting for (or
 * seeing the errors of) each other's jobs. Counted under the pool's lock.
 */
struct ect_codec_batch {
	struct ect_codec_pool *pool;
	pthread_cond_t done;	/* pending reached 0 */
	unsigned int pending;
	int first_error;
};

struct ect_codec_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a job was queued, or shutdown */
	pthread_cond_t space;	/* a slot freed */
	pthread_cond_t idle;	/* queue empty and nothing running */
	struct pool_job queue[POOL_QUEUE];
	unsigned int head, count, running;
	int first_error;
	int shutdown;
	unsigned int nthreads;
	pthread_t threads[POOL_MAX_THREADS];
};

static void *pool_worker(void *arg)
{
	struct ect_codec_pool *pool = arg;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct pool_job job;
		int rc;

		while (!pool->count && !pool->shutdown)
			pthread_cond_wait(&pool->work, &pool->lock);
		if (!pool->count)
			break;
		job = pool->queue[pool->head];
		pool->head = (pool->head + 1) % POOL_QUEUE;
		pool->count--;
		pool->running++;
		pthread_cond_signal(&pool->space);
		pthread_mutex_unlock(&pool->lock);
		rc = job.fn(job.arg);
		pthread_mutex_lock(&pool->lock);
		pool->running--;
		if (job.batch) {
			if (rc < 0 && !job.batch->first_error)
				job.batch->first_error = rc;
			if (!--job.batch->pending)
				pthread_cond_broadcast(&job.batch->done);
		} else if (rc < 0 && !pool->first_error) {
			pool->first_error = rc;
		}
		if (!pool->count && !pool->running)
			pthread_cond_broadcast(&pool->idle);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

int ect_codec_pool_new(unsigned int nthreads, struct ect_codec_pool **out)
{
	struct ect_codec_pool *pool;
	int rc;

	*out = NULL;
	if (!nthreads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = n > 0 ? (unsigned int)n : 1;
	}
	if (nthreads > POOL_MAX_THREADS)
		nthreads = POOL_MAX_THREADS;
	rc = ect__crypto_init(); /* once, before any worker touches libgcrypt */
	if (rc)
		return rc;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->space, NULL);
	pthread_cond_init(&pool->idle, NULL);
	for (unsigned int i = 0; i < nthreads; i++) {
		rc = pthread_create(&pool->threads[i], NULL, pool_worker, pool);
		if (rc) {
			ect_codec_pool_free(pool);
			return -rc;
		}
		pool->nthreads++;
	}
	*out = pool;
	return 0;
}

unsigned int ect_codec_pool_threads(const struct ect_codec_pool *pool)
{
	return pool->nthreads;
}

static int pool_queue(struct ect_codec_pool *pool, ect_codec_job_fn fn, void *arg,
		      struct ect_codec_batch *batch)
{
	pthread_mutex_lock(&pool->lock);
	while (pool->count == POOL_QUEUE && !pool->shutdown)
		pthread_cond_wait(&pool->space, &pool->lock);
	if (pool->shutdown) {
		pthread_mutex_unlock(&pool->lock);
		return -ECANCELED;
	}
	pool->queue[(pool->head + pool->count) % POOL_QUEUE] = (struct pool_job){ fn, arg, batch };
	pool->count++;
	if (batch)
		batch->pending++;
	pthread_cond_signal(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int ect_codec_pool_submit(struct ect_codec_pool *pool, ect_codec_job_fn fn, void *arg)
{
	return pool_queue(pool, fn, arg, NULL);
}

int ect_codec_batch_new(struct ect_codec_pool *pool, struct ect_codec_batch **out)
{
	struct ect_codec_batch *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->pool = pool;
	pthread_cond_init(&b->done, NULL);
	*out = b;
	return 0;
}

int ect_codec_batch_submit(struct ect_codec_batch *b, ect_codec_job_fn fn, void *arg)
{
	return pool_queue(b->pool, fn, arg, b);
}

int ect_codec_batch_wait(struct ect_codec_batch *b)
{
	struct ect_codec_pool *pool = b->pool;
	int rc;

	pthread_mutex_lock(&pool->lock);
	while (b->pending)
		pthread_cond_wait(&b->done, &pool->lock);
	rc = b->first_error;
	b->first_error = 0;
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

void ect_codec_batch_free(struct ect_codec_batch *b)
{
	if (!b)
		return;
	(void)ect_codec_batch_wait(b); /* a worker may still hold it */
	pthread_cond_destroy(&b->done);
	free(b);
}

int ect_codec_pool_wait(struct ect_codec_pool *pool)
{
	int rc;

	pthread_mutex_lock(&pool->lock);
	while (pool->count || pool->running)
		pthread_cond_wait(&pool->idle, &pool->lock);
	rc = pool->first_error;
	pool->first_error = 0;
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

void ect_codec_pool_free(struct ect_codec_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->shutdown = 1;
	pthread_cond_broadcast(&pool->work);
	pthread_cond_broadcast(&pool->space);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned int i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->space);
	pthread_cond_destroy(&pool->idle);
	free(pool);
}

int ect_codec_clone(const struct ect_codec_file *f, struct ect_codec_file **out)
{
	struct ect_codec_file *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->info = f->info;
	c->cipher = f->cipher;
	c->key_index = f->key_index;
	c->fd = f->fd;
	c->size = f->size;
	c->writable = 0; /* one writer per file: the header size must stay coherent */
	rc = codec__set_fek(c, f->fek);
	if (!rc)
		rc = codec__open_cbc(c);
	if (rc) {
		ect_codec_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Parallel decryption: worker k takes chunks k, k+n, k+2n, ... */
#define CHUNK_EXTENTS CODEC_BATCH_EXTENTS

struct range_job {
	struct ect_codec_file *f; /* this worker's clone */
	int out_fd;
	unsigned int index, stride;
};

static int range_job_run(void *arg)
{
	struct range_job *j = arg;
	struct ect_codec_file *f = j->f;
	uint64_t total = ect_codec_extent_count(f);
	uint8_t *batch = codec__batch(f, CHUNK_EXTENTS);

	if (!batch)
		return -ENOMEM;
	for (uint64_t e = (uint64_t)j->index * CHUNK_EXTENTS; e < total;
	     e += (uint64_t)j->stride * CHUNK_EXTENTS) {
		size_t count = total - e < CHUNK_EXTENTS ? (size_t)(total - e) : CHUNK_EXTENTS;
		uint64_t pos = e * ECT_EXTENT_SIZE, bytes = (uint64_t)count * ECT_EXTENT_SIZE;
		int rc = codec__load_extents(f, e, count, batch);

		if (rc)
			return rc;
		if (pos + bytes > f->size)
			bytes = f->size - pos;
		rc = codec__pwrite_full(j->out_fd, batch, (size_t)bytes, pos);
		if (rc)
			return rc;
	}
	return 0;
}

int ect_codec_decrypt_to_fd_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				     int out_fd)
{
	unsigned int n = pool->nthreads;
	struct ect_codec_batch *batch = NULL;
	struct range_job *jobs;
	int rc = 0, wrc;

	/* Small files, one thread, or a pipe: the sequential stream does it. */
	if (ect_codec_extent_count(f) <= CHUNK_EXTENTS || n < 2 || lseek(out_fd, 0, SEEK_CUR) < 0)
		return ect_codec_decrypt_to_fd(f, out_fd);
	jobs = calloc(n, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		jobs[i] = (struct range_job){ NULL, out_fd, i, n };
		rc = ect_codec_clone(f, &jobs[i].f);
		if (rc)
			goto out;
	}
	rc = ect_codec_batch_new(pool, &batch);
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = ect_codec_batch_submit(batch, range_job_run, &jobs[i]);
	wrc = batch ? ect_codec_batch_wait(batch) : 0;
	if (!rc)
		rc = wrc;
out:
	ect_codec_batch_free(batch);
	for (unsigned int i = 0; i < n; i++)
		ect_codec_close(jobs[i].f);
	free(jobs);
	return rc;
}
