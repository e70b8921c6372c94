// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: one read or write of many extents spread over a worker pool.
 * Extents are independent CBC messages, so the range splits at extent
 * boundaries into one chunk per pool thread. The caller's thread runs the
 * first chunk with f itself; clones of f (kept in f, made on first use,
 * one cipher state each) run the others as one batch, so threads sharing
 * the pool neither wait for nor see each other's jobs.
 */
#include "codec-internal.h"

#include <errno.h>
#include <stdlib.h>

/* Fewer extents per chunk cost more in hand-off than they save. */
#define PAR_MIN_CHUNK 4
#define PAR_MAX_CHUNKS 64

struct chunk {
	struct ect_codec_file *f; /* f itself or one of its helpers */
	int write;
	uint8_t *buf;		  /* read: where this chunk's bytes go */
	const uint8_t *wbuf;	  /* write: the whole request's data */
	uint64_t off, end;	  /* read: this chunk's bytes; write: the request's */
	uint64_t old_size, e0, e1; /* write: size before it, this chunk's extents */
};

static int chunk_run(void *arg)
{
	struct chunk *c = arg;
	ssize_t n;

	if (c->write)
		return codec__write_extents(c->f, c->wbuf, c->off, c->end, c->old_size, c->e0,
					    c->e1);
	n = ect_codec_pread(c->f, c->buf, (size_t)(c->end - c->off), c->off);
	if (n < 0)
		return (int)n;
	return (uint64_t)n == c->end - c->off ? 0 : ECT_E_TRUNCATED;
}

void codec__helpers_free(struct ect_codec_file *f)
{
	for (unsigned int i = 0; i < f->nhelpers; i++)
		ect_codec_close(f->helpers[i]);
	free(f->helpers);
	f->helpers = NULL;
	f->nhelpers = 0;
}

/* n helpers, their size f's: a write since the last request moved it. */
static int helpers_get(struct ect_codec_file *f, unsigned int n)
{
	if (n > f->nhelpers) {
		struct ect_codec_file **h = realloc(f->helpers, n * sizeof(*h));

		if (!h)
			return -ENOMEM;
		f->helpers = h;
		for (; f->nhelpers < n; f->nhelpers++) {
			int rc = ect_codec_clone(f, &h[f->nhelpers]);

			if (rc)
				return rc;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		f->helpers[i]->size = f->size;
	return 0;
}

/*
 * How many chunks extents first..last make on this pool, per extents each,
 * with their helpers ready: 1 runs inline (no pool, or too few extents);
 * negative on error.
 */
static int split(struct ect_codec_file *f, struct ect_codec_pool *pool, uint64_t first,
		 uint64_t last, uint64_t *per)
{
	uint64_t n = (last - first + 1) / PAR_MIN_CHUNK;
	int rc;

	if (!pool)
		return 1;
	if (n > ect_codec_pool_threads(pool))
		n = ect_codec_pool_threads(pool);
	if (n > PAR_MAX_CHUNKS)
		n = PAR_MAX_CHUNKS;
	if (n < 2)
		return 1;
	*per = (last - first + 1 + n - 1) / n;
	/*
	 * Rounding per up can leave the last chunks empty (25 extents in 6
	 * chunks of 5): count the chunks again, so that every one starts
	 * inside the request.
	 */
	n = (last - first + 1 + *per - 1) / *per;
	if (n < 2)
		return 1;
	rc = helpers_get(f, (unsigned int)n - 1);
	if (rc)
		return rc;
	return (int)n;
}

/* Run chunks 1..n-1 as a batch and chunk 0 here; the first error of any. */
static int run_chunks(struct ect_codec_pool *pool, struct chunk *c, int n)
{
	struct ect_codec_batch *batch;
	int rc, wrc;

	rc = ect_codec_batch_new(pool, &batch);
	if (rc)
		return rc;
	for (int i = 1; i < n && !rc; i++)
		rc = ect_codec_batch_submit(batch, chunk_run, &c[i]);
	wrc = chunk_run(&c[0]);
	if (!rc)
		rc = wrc;
	wrc = ect_codec_batch_wait(batch);
	if (!rc)
		rc = wrc;
	ect_codec_batch_free(batch);
	return rc;
}

ssize_t ect_codec_pread_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				 void *buf, size_t len, uint64_t off)
{
	struct chunk c[PAR_MAX_CHUNKS];
	uint64_t first, last, per = 0;
	int n, rc;

	len = codec__read_len(f, len, off);
	if (!len)
		return 0;
	first = off / ECT_EXTENT_SIZE;
	last = (off + len - 1) / ECT_EXTENT_SIZE;
	n = split(f, pool, first, last, &per);
	if (n < 0)
		return n;
	if (n < 2)
		return ect_codec_pread(f, buf, len, off);
	for (int i = 0; i < n; i++) {
		uint64_t s = (first + i * per) * ECT_EXTENT_SIZE, e = s + per * ECT_EXTENT_SIZE;

		s = s > off ? s : off;
		e = e < off + len ? e : off + len;
		if (s >= e)
			return -EIO; /* split() makes none: never hand a worker a wrapped length */
		c[i] = (struct chunk){ .f = i ? f->helpers[i - 1] : f,
				       .buf = (uint8_t *)buf + (s - off), .off = s, .end = e };
	}
	rc = run_chunks(pool, c, n);
	return rc ? rc : (ssize_t)len;
}

ssize_t ect_codec_pwrite_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				  const void *buf, size_t len, uint64_t off)
{
	struct chunk c[PAR_MAX_CHUNKS];
	uint64_t first, last, per = 0, end;
	int n, rc;

	if (!len || !pool)
		return ect_codec_pwrite(f, buf, len, off);
	rc = codec__write_check(f, len, off);
	if (rc)
		return rc;
	end = off + len;
	/* From the old end when writing past it: the gap gets encrypted zeros. */
	first = (off < f->size ? off : f->size) / ECT_EXTENT_SIZE;
	last = (end - 1) / ECT_EXTENT_SIZE;
	n = split(f, pool, first, last, &per);
	if (n < 0)
		return n;
	if (n < 2)
		return ect_codec_pwrite(f, buf, len, off);
	for (int i = 0; i < n; i++) {
		uint64_t e0 = first + i * per, e1 = e0 + per - 1;

		c[i] = (struct chunk){ .f = i ? f->helpers[i - 1] : f, .write = 1, .wbuf = buf,
				       .off = off, .end = end, .old_size = f->size,
				       .e0 = e0, .e1 = e1 < last ? e1 : last };
	}
	rc = run_chunks(pool, c, n);
	if (rc)
		return rc;
	if (end > f->size) {
		f->size = end;
		rc = codec__write_size(f);
		if (rc)
			return rc;
	}
	return (ssize_t)len;
}
