// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_codec_truncate (ecryptfs-fuse's truncate, issue #15) against a plain
 * model: shrink to a partial extent, to an extent boundary and to 0, grow
 * across a gap; after each step the size in the header, the lower length
 * (header + whole extents, as the kernel leaves it), a fresh reader's
 * plaintext, and the zeroed tail of the last extent (the kernel zeroes it,
 * so bytes cut off never come back when the file grows again).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec-test.h"

#define MODEL_MAX (300 * 1024)

static uint8_t key_a[64];

static int temp_fd(void)
{
	return test_temp_fd("test-truncate");
}

/* Header size, lower length and a fresh reader's plaintext match the model. */
static void check_model(struct ect_codec_file *f, int fd, const uint8_t *model, size_t size,
			uint64_t data_offset)
{
	struct ect_codec_key key = { .key = key_a };
	struct ect_codec_file *r = NULL;
	uint8_t *buf = malloc(MODEL_MAX + 1);
	struct stat st;
	ssize_t n;

	assert_non_null(buf);
	assert_int_equal(ect_codec_size(f), size);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size,
			 data_offset + (size + ECT_EXTENT_SIZE - 1) / ECT_EXTENT_SIZE * ECT_EXTENT_SIZE);
	assert_int_equal(ect_key_signature(key_a, key.sig), 0);
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &r), 0);
	assert_int_equal(ect_codec_size(r), size);
	n = ect_codec_pread(r, buf, MODEL_MAX + 1, 0);
	assert_int_equal(n, (ssize_t)size);
	assert_memory_equal(buf, model, size);
	/* The unclipped last extent: zeros after the end. */
	if (size % ECT_EXTENT_SIZE) {
		uint8_t x[ECT_EXTENT_SIZE];
		size_t keep = size % ECT_EXTENT_SIZE;

		assert_int_equal(ect_codec_read_extent(r, size / ECT_EXTENT_SIZE, x), 0);
		for (size_t i = keep; i < ECT_EXTENT_SIZE; i++)
			assert_int_equal(x[i], 0);
	}
	ect_codec_close(r);
	free(buf);
}

static void run_steps(int xattr)
{
	static const size_t steps[] = { 5000, 70001, 8192, 8191, 0, 4097, 270000, 12 };
	struct ect_codec_key key = { .key = key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, xattr, 0, 0 };
	struct ect_codec_file *f = NULL;
	uint8_t *model = calloc(1, MODEL_MAX);
	size_t size = 200000;
	int fd = temp_fd(), rc;

	assert_non_null(model);
	assert_int_equal(ect_key_signature(key_a, key.sig), 0);
	rc = ect_codec_create(fd, &p, &f);
	if (xattr && rc == -ENOTSUP) {
		close(fd);
		free(model);
		skip();
	}
	assert_int_equal(rc, 0);
	for (size_t i = 0; i < size; i++)
		model[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(ect_codec_pwrite(f, model, size, 0), (ssize_t)size);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		size_t to = steps[s];

		assert_int_equal(ect_codec_truncate(f, to), 0);
		if (to > size)
			memset(model + size, 0, to - size);
		size = to;
		check_model(f, fd, model, size, xattr ? 0 : ECT_HEADER_SIZE);
	}
	assert_int_equal(ect_codec_truncate(f, size), 0); /* same size: nothing */
	check_model(f, fd, model, size, xattr ? 0 : ECT_HEADER_SIZE);
	ect_codec_close(f);
	close(fd);
	free(model);
}

static void test_truncate_in_file(void **state)
{
	run_steps(0);
}

static void test_truncate_xattr(void **state)
{
	run_steps(1);
}

static void test_truncate_refusals(void **state)
{
	struct ect_codec_key key = { .key = key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f = NULL;

	assert_int_equal(ect_key_signature(key_a, key.sig), 0);
	/* A memory-only handle has no lower file to cut. */
	assert_int_equal(ect_codec_create(-1, &p, &f), 0);
	assert_int_equal(ect_codec_truncate(f, 10), -EBADF);
	ect_codec_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncate_in_file),
		cmocka_unit_test(test_truncate_xattr),
		cmocka_unit_test(test_truncate_refusals),
	};

	for (size_t i = 0; i < sizeof(key_a); i++)
		key_a[i] = (uint8_t)(i * 13 + 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
