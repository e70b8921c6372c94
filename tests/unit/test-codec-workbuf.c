// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The codec's work buffers are sized to the largest request a handle has
 * made (a 4 KiB file gets a 4 KiB batch, not 256 KiB) and grow when a
 * larger one comes. One handle, requests small, large, small, larger, at
 * odd offsets, through every user of the buffers: pread and pwrite
 * (batch), ect_codec_encrypt_extents of 2..64 extents (staging), truncate
 * to a partial extent and decrypt_to; each result against a plain model
 * or the one-extent-at-a-time path. A buffer that did not grow would be
 * overrun (seen by the sanitizer build of scripts/check-all).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "codec-test.h"

#define MODEL_MAX (600 * 1024)

static uint8_t key_a[64];

struct sink_buf {
	uint8_t *p;
	size_t len;
};

static int collect(void *userdata, const void *buf, size_t len)
{
	struct sink_buf *s = userdata;

	if (s->len + len > MODEL_MAX)
		return -EFBIG;
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	return 0;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 12));
}

static void test_rw_growing(void **state)
{
	/* offset, length: 1 extent, 1 byte, 2 extents across a boundary, 300 KiB,
	 * 1 extent again, 65 extents (more than one batch), then small at the end. */
	static const struct { size_t off, len; } steps[] = {
		{ 0, 4096 }, { 5, 1 }, { 4095, 4098 }, { 10000, 300000 }, { 4096, 4096 },
		{ 1, 65 * 4096 }, { 400000, 3 }, { 0, 130 * 4096 }, { 12345, 20000 },
	};
	struct ect_codec_key key = { .key = key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f = NULL, *r = NULL;
	uint8_t *model = calloc(1, MODEL_MAX), *in = malloc(MODEL_MAX), *out = malloc(MODEL_MAX);
	struct sink_buf s = { out, 0 };
	size_t size = 0;
	int fd = test_temp_fd("test-workbuf");

	assert_true(model && in && out);
	assert_int_equal(ect_key_signature(key_a, key.sig), 0);
	assert_int_equal(ect_codec_create(fd, &p, &f), 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t off = steps[i].off, len = steps[i].len;

		fill(in, len, (unsigned int)i);
		assert_int_equal(ect_codec_pwrite(f, in, len, off), (ssize_t)len);
		memcpy(model + off, in, len);
		if (off + len > size)
			size = off + len;
		/* Read back the step's range, one byte around it, and the whole file. */
		assert_int_equal(ect_codec_pread(f, out, len, off), (ssize_t)len);
		assert_memory_equal(out, model + off, len);
		assert_int_equal(ect_codec_pread(f, out, 1, off + len / 2), 1);
		assert_int_equal(out[0], model[off + len / 2]);
		assert_int_equal(ect_codec_pread(f, out, MODEL_MAX, 0), (ssize_t)size);
		assert_memory_equal(out, model, size);
	}
	/* A partial last extent: truncate re-encrypts it through the batch. */
	assert_int_equal(ect_codec_truncate(f, size - 5000), 0);
	size -= 5000;
	ect_codec_close(f);

	/* A fresh reader: small first, then the whole file in one stream. */
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &r), 0);
	assert_int_equal(ect_codec_pread(r, out, 7, 4093), 7);
	assert_memory_equal(out, model + 4093, 7);
	assert_int_equal(ect_codec_decrypt_to(r, collect, &s), 0);
	assert_int_equal(s.len, size);
	assert_memory_equal(out, model, size);
	ect_codec_close(r);
	close(fd);
	free(model);
	free(in);
	free(out);
}

/* Grouped encryption (staging buffer) of 2..64 extents, counts up and down,
 * against one extent at a time. */
static void test_encrypt_extents_growing(void **state)
{
	static const size_t counts[] = { 2, 3, 1, 17, 2, 32, 33, 5, 64 };
	struct ect_codec_key key = { .key = key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f = NULL;
	uint8_t *in = malloc(64 * ECT_EXTENT_SIZE), *out = malloc(64 * ECT_EXTENT_SIZE);
	uint8_t one[ECT_EXTENT_SIZE];

	assert_true(in && out);
	assert_int_equal(ect_key_signature(key_a, key.sig), 0);
	assert_int_equal(ect_codec_create(-1, &p, &f), 0);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		size_t n = counts[i];
		uint64_t first = 1000 * i + 3;

		fill(in, n * ECT_EXTENT_SIZE, (unsigned int)i);
		assert_int_equal(ect_codec_encrypt_extents(f, first, n, in, out), 0);
		for (size_t k = 0; k < n; k++) {
			assert_int_equal(ect_codec_encrypt_extents(f, first + k, 1,
								   in + k * ECT_EXTENT_SIZE, one), 0);
			assert_memory_equal(out + k * ECT_EXTENT_SIZE, one, ECT_EXTENT_SIZE);
		}
	}
	ect_codec_close(f);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw_growing),
		cmocka_unit_test(test_encrypt_extents_growing),
	};

	for (size_t i = 0; i < sizeof(key_a); i++)
		key_a[i] = (uint8_t)(i * 13 + 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
