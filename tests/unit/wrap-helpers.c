// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers shared by the wrap unit tests. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wrap-helpers.h"

const char *fixtures_dir(void)
{
	const char *d = getenv("ECT_TEST_FIXTURES");

	if (!d || !*d)
		fail_msg("ECT_TEST_FIXTURES is not set (run through make check)");
	return d;
}

void load_fixture(const char *rel, void **data, size_t *size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir(), rel);
	if (ect_read_file(path, 1 << 20, 0, data, size))
		fail_msg("cannot read fixture %s", path);
}

size_t unhex(const char *hex, char *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (char)v;
	}
	return n;
}

/* Unwrap and expect success with exactly want. */
void expect_unwrap(const void *blob, size_t size, const char *pw, size_t pw_len,
			  const uint8_t *v1_salt, const char *want, size_t want_len,
			  enum ect_wrap_version version)
{
	struct ect_wrap_info info;
	char *pass = NULL;
	size_t len = 0;

	assert_int_equal(ect_unwrap(blob, size, pw, pw_len, v1_salt, &pass, &len, &info), 0);
	assert_int_equal(info.version, version);
	assert_int_equal(len, want_len);
	assert_memory_equal(pass, want, want_len);
	assert_int_equal(pass[len], '\0');
	ect_secure_free_str(pass);
}

int unwrap_rc(const void *blob, size_t size, const char *pw, const uint8_t *v1_salt)
{
	char *pass = NULL;
	size_t len = 0;
	int ret = ect_unwrap(blob, size, pw, strlen(pw), v1_salt, &pass, &len, NULL);

	if (!ret)
		ect_secure_free_str(pass);
	else
		assert_null(pass);
	return ret;
}

void floor_params(struct ect_argon2_params *p)
{
	ect_argon2_params_floor(p);
}

void make_v3(const char *pass, const char *pw, uint8_t **blob, size_t *size)
{
	struct ect_argon2_params p;

	floor_params(&p);
	assert_int_equal(ect_wrap(ECT_WRAP_V3, pass, strlen(pass), pw, strlen(pw), &p, blob, size),
			 0);
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
