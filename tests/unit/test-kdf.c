// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdf module: the eCryptfs SHA-512 chain against known answers, salts,
 * signature syntax, and Argon2id (policy and known answers).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ecryptfs-tools.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

struct chain_vector {
	const char *passphrase;
	const char *salt_hex;	/* NULL: the ASCII FNEK salt */
	const char *sig;
	const char *key_hex;	/* full key or a prefix */
};

/*
 * ecryptfs-utils tests/userspace/verify-passphrase-sig.sh (values "from
 * ecryptfs-utils version 30"), the compat doc §3.1 table and the kernel-made
 * vectors of the format doc §8.1 (iqb/ecryptfs and pecryptfs test data).
 */
static const struct chain_vector chain_vectors[] = {
	{ "foo", "0011223344556677", "253ca7e88811d184",
	  "3f0cffa9389d2c396ad887c6ec657898e2e9e74cbb3cb1d25d410f58de2aa6b7"
	  "0dd81ccedaf8fad725346d8f751b8fc2c50ad69fba27d1d4fb735f207e76c6e9" },
	{ "a", "aaaaaaaaaaaaaaaa", "c42ec75301dc1674",
	  "27f2ff49bfc520109f2579b36377a29955585cee6e8e5210b474a7ef7e5c4e9c"
	  "f499075ace62d03b78d718d0e311726bb35b6699061f12d0731dd6a3efe9b3f2" },
	{ "ef2fa983a4ecc87b6f48821bd9b36940220345624949e6bf826efd692678d78b", "fa1507f9913d915b",
	  "09582907da54851e",
	  "bdc9089cb08554ac6039c64345a82f49e175c1427104bb1906fed9f3ad703c4f"
	  "3745b2ef9a2f4210b24c973fe17370ae39def8af31d7b3f304d1209ed4313f4d" },
	{ "0123456789abcdef0123456789abcdef", "0011223344556677", "849d6b79848a0296",
	  "2107d398452c475d09065eb04df44234" },
	{ "0123456789abcdef0123456789abcdef", NULL, "9487d0e1beb5be83", NULL },
	{ "test", "0011223344556677", "d395309aaad4de06",
	  "58116605277520b3fa1315497f2089514d53100b08096ee8ab2c752c96ebfc7e" },
	{ "test", NULL, "be877764c5918621", NULL },
	{ "Test", "0011223344556677", "3515cca9baaea1f4", "0f38a537ffd1804fb13c6ce714b09c7b" },
};

static void test_chain_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chain_vectors) / sizeof(chain_vectors[0]); i++) {
		const struct chain_vector *v = &chain_vectors[i];
		uint8_t salt[ECT_SALT_SIZE], key[ECT_KEY_SIZE], want[ECT_KEY_SIZE];
		char sig[ECT_SIG_HEX_SIZE + 1];

		if (v->salt_hex)
			assert_int_equal(ect_salt_from_hex(v->salt_hex, salt), 0);
		else
			memcpy(salt, ect_fnek_salt, sizeof(salt));
		assert_int_equal(ect_derive_key(v->passphrase, strlen(v->passphrase), salt, key), 0);
		assert_int_equal(ect_key_signature(key, sig), 0);
		assert_string_equal(sig, v->sig);
		assert_int_equal(ect_sig_check(sig), 0);
		if (v->key_hex) {
			size_t n = strlen(v->key_hex) / 2;

			hex_to_bytes(v->key_hex, want, n);
			assert_memory_equal(key, want, n);
		}
	}
}

static void test_salt_constants(void **state)
{
	uint8_t salt[ECT_SALT_SIZE];

	(void)state;
	assert_int_equal(ect_salt_from_hex("0011223344556677", salt), 0);
	assert_memory_equal(salt, ect_default_salt, ECT_SALT_SIZE);
	assert_memory_equal(ect_fnek_salt, "99887766", ECT_SALT_SIZE);
	assert_int_equal(ect_salt_from_hex("0123456789ABCDEF", salt), 0);
	assert_int_equal(salt[7], 0xef);
	assert_int_equal(ect_salt_from_hex("001122334455667", salt), -EINVAL);
	assert_int_equal(ect_salt_from_hex("00112233445566778", salt), -EINVAL);
	assert_int_equal(ect_salt_from_hex("00112233445566zz", salt), -EINVAL);
	assert_int_equal(ect_salt_from_hex("", salt), -EINVAL);
	assert_int_equal(ect_salt_from_hex(NULL, salt), -EINVAL);
}

static void test_sig_check(void **state)
{
	(void)state;
	assert_int_equal(ect_sig_check("d395309aaad4de06"), 0);
	assert_int_equal(ect_sig_check("D395309AAAD4DE06"), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check("d395309aaad4de0"), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check("d395309aaad4de066"), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check("d395309aaad4de0g"), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check("../../etc/passwd"), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check(""), ECT_E_BAD_SIG);
	assert_int_equal(ect_sig_check(NULL), ECT_E_BAD_SIG);
}

static void test_passphrase_length(void **state)
{
	char buf[66];
	uint8_t key[ECT_KEY_SIZE], key2[ECT_KEY_SIZE];

	(void)state;
	memset(buf, 'p', sizeof(buf));
	assert_int_equal(ect_derive_key(buf, 0, ect_default_salt, key), ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_derive_key("", 0, ect_default_salt, key), ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_derive_key(buf, 65, ect_default_salt, key), ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_derive_key("a\0b", 3, ect_default_salt, key), ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_derive_key(buf, 1, ect_default_salt, key), 0);
	assert_int_equal(ect_derive_key(buf, 64, ect_default_salt, key2), 0);
	assert_memory_not_equal(key, key2, ECT_KEY_SIZE);
}

static void test_argon2_policy(void **state)
{
	struct ect_argon2_params p, floor;

	(void)state;
	ect_argon2_params_floor(&floor);
	assert_int_equal(floor.t_cost, ECT_ARGON2_MIN_T);
	assert_int_equal(floor.m_cost_kib, ECT_ARGON2_MIN_M_KIB);
	assert_int_equal(floor.lanes, ECT_ARGON2_MIN_LANES);
	assert_int_equal(ect_argon2_params_check(&floor), 0);

	p = floor;
	p.t_cost--;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_WEAK_PARAMS);
	p = floor;
	p.m_cost_kib--;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_WEAK_PARAMS);
	p = floor;
	p.lanes = 0;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_WEAK_PARAMS);

	p = floor;
	p.t_cost = ECT_ARGON2_MAX_T + 1;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_HOSTILE_PARAMS);
	p = floor;
	p.m_cost_kib = ECT_ARGON2_MAX_M_KIB + 1;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_HOSTILE_PARAMS);
	p = floor;
	p.m_cost_kib = UINT32_MAX;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_HOSTILE_PARAMS);
	p = floor;
	p.lanes = ECT_ARGON2_MAX_LANES + 1;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_HOSTILE_PARAMS);
	p.lanes = ECT_ARGON2_MAX_LANES;
	p.t_cost = ECT_ARGON2_MAX_T;
	p.m_cost_kib = ECT_ARGON2_MAX_WORK_KIB / ECT_ARGON2_MAX_T + 1024;
	assert_int_equal(ect_argon2_params_check(&p), ECT_E_HOSTILE_PARAMS);
}

/*
 * Known answers from the reference implementation (Debian package argon2,
 * phc-winner-argon2 20171227):
 *   printf %s 'correct horse' | argon2 ecryptfs-tools-salt-16 -id -t 2 -k 19456 -p P -l 32 -r
 * P = 4 checks that the lanes computed on threads are combined correctly.
 */
static void test_argon2id_known_answers(void **state)
{
	static const char *const want_hex[] = {
		"727437a5b39fc7848b33f3454c22b07cd49cb4e987dcbc1b30bcf924059c12aa", /* 1 lane */
		"a6dc1bb970fc4423a0729302a7cc1e3f8fa35c061ce4ca5a627a7d2f92a64526", /* 4 lanes */
	};
	static const uint32_t lanes[] = { 1, 4 };
	const char *salt = "ecryptfs-tools-salt-16";
	uint8_t out[32], want[32];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ect_argon2_params p;

		ect_argon2_params_floor(&p);
		p.lanes = lanes[i];
		assert_int_equal(ect_argon2id("correct horse", 13, (const uint8_t *)salt, strlen(salt),
					      &p, out, sizeof(out)), 0);
		hex_to_bytes(want_hex[i], want, sizeof(want));
		assert_memory_equal(out, want, sizeof(out));
	}
}

static void test_argon2id_refuses(void **state)
{
	struct ect_argon2_params p;
	uint8_t out[32];
	const uint8_t salt[16] = { 0 };

	(void)state;
	ect_argon2_params_floor(&p);
	p.t_cost = 1;
	assert_int_equal(ect_argon2id("pw", 2, salt, sizeof(salt), &p, out, sizeof(out)),
			 ECT_E_WEAK_PARAMS);
	ect_argon2_params_floor(&p);
	p.m_cost_kib = UINT32_MAX;
	assert_int_equal(ect_argon2id("pw", 2, salt, sizeof(salt), &p, out, sizeof(out)),
			 ECT_E_HOSTILE_PARAMS);
	ect_argon2_params_floor(&p);
	assert_int_equal(ect_argon2id("pw", 2, salt, 4, &p, out, sizeof(out)), -EINVAL);
	assert_int_equal(ect_argon2id("pw", 2, salt, sizeof(salt), &p, out, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_vectors),
		cmocka_unit_test(test_salt_constants),
		cmocka_unit_test(test_sig_check),
		cmocka_unit_test(test_passphrase_length),
		cmocka_unit_test(test_argon2_policy),
		cmocka_unit_test(test_argon2id_known_answers),
		cmocka_unit_test(test_argon2id_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
