// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two eCryptfs ciphers libgcrypt lacks, run on the kernel's crypto API
 * through the backend (lib/core/crypto-afalg.c): CAST-256 against RFC 2612's
 * vectors, short-key CAST5 against RFC 2144's, and CBC through the kernel
 * against libgcrypt's own CAST5 on the same 16-byte key: chaining across
 * calls and across the 16 KiB sendmsg chunks, in place and not. Skips (77)
 * where the kernel offers no AF_ALG or no cast5/cast6; VM scenario codec/02
 * runs it in the guest, whose Debian kernel has both. Linked statically for
 * the library-internal backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ect-internal.h"

#include "core/crypto-backend.h"

static void ecb_vector(enum ect__cipher_algo algo, const char *key_hex, const char *pt_hex,
		       const char *ct_hex)
{
	uint8_t key[32], pt[16], ct[16], buf[16];
	size_t key_len = strlen(key_hex) / 2, len = strlen(pt_hex) / 2;
	struct ect__cipher *c;

	assert_int_equal(ect__hex_decode(key_hex, key, key_len), 0);
	assert_int_equal(ect__hex_decode(pt_hex, pt, len), 0);
	assert_int_equal(ect__hex_decode(ct_hex, ct, len), 0);
	assert_int_equal(ect__cipher_open(&c, algo, ECT__ECB, key, key_len), 0);
	assert_int_equal(ect__cipher_encrypt(c, buf, len, pt, len), 0);
	assert_memory_equal(buf, ct, len);
	assert_int_equal(ect__cipher_decrypt(c, buf, len, NULL, 0), 0);
	assert_memory_equal(buf, pt, len);
	ect__cipher_close(c);
}

static void test_cast6_rfc2612(void **state)
{
	(void)state;
	ecb_vector(ECT__KERNEL_CAST6, "2342bb9efa38542c0af75647f29f615d",
		   "00000000000000000000000000000000", "c842a08972b43d20836c91d1b7530f6b");
	ecb_vector(ECT__KERNEL_CAST6,
		   "2342bb9efa38542cbed0ac83940ac2988d7c47ce264908461cc1b5137ae6b604",
		   "00000000000000000000000000000000", "4f6a2038286897b9c9870136553317fa");
}

/* Keys of 80 bits and less take 12 rounds (RFC 2144 2.5): libgcrypt has none. */
static void test_cast5_short_rfc2144(void **state)
{
	(void)state;
	ecb_vector(ECT__KERNEL_CAST5, "01234567123456782345", "0123456789abcdef",
		   "eb6a711a2c02271b");
	ecb_vector(ECT__KERNEL_CAST5, "0123456712", "0123456789abcdef", "7ac816d16e9b302e");
	ecb_vector(ECT__KERNEL_CAST5, "0123456712345678234567893456789a", "0123456789abcdef",
		   "238b4fe5847e44b2");
}

#define CBC_LEN (40 * 1024 + 24) /* over two sendmsg chunks, not a chunk multiple */

/* enc/dec with the kernel's CAST5 and libgcrypt's agree, call split or not. */
static void test_cbc_matches_libgcrypt(void **state)
{
	static const uint8_t key[16] = "ecryptfs-tools!";
	uint8_t iv[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t *plain = malloc(CBC_LEN), *ref = malloc(CBC_LEN), *out = malloc(CBC_LEN);
	struct ect__cipher *lib, *kern;

	(void)state;
	assert_non_null(plain);
	assert_non_null(ref);
	assert_non_null(out);
	for (size_t i = 0; i < CBC_LEN; i++)
		plain[i] = (uint8_t)(i * 7 + (i >> 8));
	assert_int_equal(ect__cipher_open(&lib, ECT__CAST5, ECT__CBC, key, 16), 0);
	assert_int_equal(ect__cipher_open(&kern, ECT__KERNEL_CAST5, ECT__CBC, key, 16), 0);
	assert_int_equal(ect__cipher_setiv(lib, iv, 8), 0);
	assert_int_equal(ect__cipher_encrypt(lib, ref, CBC_LEN, plain, CBC_LEN), 0);

	/* one call, then the same split in two: the IV chains like libgcrypt's */
	assert_int_equal(ect__cipher_setiv(kern, iv, 8), 0);
	assert_int_equal(ect__cipher_encrypt(kern, out, CBC_LEN, plain, CBC_LEN), 0);
	assert_memory_equal(out, ref, CBC_LEN);
	memset(out, 0, CBC_LEN);
	assert_int_equal(ect__cipher_setiv(kern, iv, 8), 0);
	assert_int_equal(ect__cipher_encrypt(kern, out, 4096, plain, 4096), 0);
	assert_int_equal(ect__cipher_encrypt(kern, out + 4096, CBC_LEN - 4096, plain + 4096,
					     CBC_LEN - 4096), 0);
	assert_memory_equal(out, ref, CBC_LEN);

	/* decrypt in place, also split, where the chaining block is overwritten */
	assert_int_equal(ect__cipher_setiv(kern, iv, 8), 0);
	assert_int_equal(ect__cipher_decrypt(kern, out, 20480, NULL, 0), 0);
	assert_int_equal(ect__cipher_decrypt(kern, out + 20480, CBC_LEN - 20480, NULL, 0), 0);
	assert_memory_equal(out, plain, CBC_LEN);

	ect__cipher_close(lib);
	ect__cipher_close(kern);
	free(plain);
	free(ref);
	free(out);
}

/* A key size the kernel's cipher refuses is an error, not a silent cipher. */
static void test_bad_key_refused(void **state)
{
	static const uint8_t key[33];
	struct ect__cipher *c;

	(void)state;
	assert_int_equal(ect__cipher_open(&c, ECT__KERNEL_CAST6, ECT__CBC, key, 33), ECT_E_CRYPTO);
	assert_null(c);
	assert_int_equal(ect__cipher_open(&c, ECT__KERNEL_CAST6, ECT__GCM, key, 32),
			 ECT_E_UNSUPPORTED);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cast6_rfc2612),
		cmocka_unit_test(test_cast5_short_rfc2144),
		cmocka_unit_test(test_cbc_matches_libgcrypt),
		cmocka_unit_test(test_bad_key_refused),
	};

	if (ect__cipher_available(ECT__KERNEL_CAST6) || ect__cipher_available(ECT__KERNEL_CAST5)) {
		printf("SKIP: the kernel offers no cast5/cast6 through AF_ALG here\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
