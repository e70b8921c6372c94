// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect__hkdf_sha256 (the KDF of ECDH token records) against the RFC 5869
 * test vectors for SHA-256 (A.1, A.2, A.3). Linked statically for the
 * library-internal function.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ect-internal.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static void check(const char *ikm_hex, const char *salt_hex, const char *info_hex,
		  const char *okm_hex)
{
	uint8_t ikm[80], salt[80], info[80], okm[82], want[82];
	size_t ikm_len = unhex(ikm_hex, ikm), salt_len = salt_hex ? unhex(salt_hex, salt) : 0;
	size_t info_len = unhex(info_hex, info), okm_len = unhex(okm_hex, want);
	/* info in two parts: the parts are concatenated */
	const struct ect__buf parts[] = { { info, info_len / 2 },
					  { info + info_len / 2, info_len - info_len / 2 } };

	assert_int_equal(ect__hkdf_sha256(salt_hex ? salt : NULL, salt_len, ikm, ikm_len, parts,
					  2, okm, okm_len),
			 0);
	assert_memory_equal(okm, want, okm_len);
}

static void test_rfc5869_a1(void **state)
{
	check("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	      "f0f1f2f3f4f5f6f7f8f9",
	      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

static void test_rfc5869_a2(void **state)
{
	check("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	      "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	      "404142434445464748494a4b4c4d4e4f",
	      "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	      "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	      "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	      "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	      "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	      "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

/* No salt (RFC 5869: HashLen zero bytes) and no info. */
static void test_rfc5869_a3(void **state)
{
	check("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "",
	      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

static void test_limits(void **state)
{
	uint8_t out[32];

	assert_int_equal(ect__hkdf_sha256(NULL, 0, "k", 1, NULL, 0, out, 255 * 32 + 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5869_a1),
		cmocka_unit_test(test_rfc5869_a2),
		cmocka_unit_test(test_rfc5869_a3),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
