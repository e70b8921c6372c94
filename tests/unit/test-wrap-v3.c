// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap module, version 3: round trip, wrong password, downgraded, hostile,
 * tampered and truncated files. Every Argon2id run uses the floor cost
 * except test_v3_calibrated_default, the one run at the real default cost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wrap-helpers.h"

/* ---- v3 ------------------------------------------------------------------- */

static void test_v3_round_trip(void **state)
{
	uint8_t *a = NULL, *b = NULL;
	size_t sa = 0, sb = 0;
	struct ect_argon2_params p;
	char pass64[65];
	const char *pw = "Grüße, Ōsaka 🔐 and a password longer than sixty-four bytes, which v3 allows";

	(void)state;
	floor_params(&p);
	p.lanes = 2;
	memset(pass64, 'k', 64);
	pass64[64] = '\0';
	assert_int_equal(ect_wrap(ECT_WRAP_V3, "x", 1, pw, strlen(pw), &p, &a, &sa), 0);
	assert_int_equal(ect_wrap(ECT_WRAP_V3, pass64, 64, pw, strlen(pw), &p, &b, &sb), 0);
	/* The file does not reveal the passphrase length. */
	assert_int_equal(sa, sb);
	assert_int_equal(a[0], ':');
	assert_int_equal(a[1], 3);
	expect_unwrap(a, sa, pw, strlen(pw), NULL, "x", 1, ECT_WRAP_V3);
	expect_unwrap(b, sb, pw, strlen(pw), NULL, pass64, 64, ECT_WRAP_V3);
	/* Random salt and nonce per wrap. */
	assert_memory_not_equal(a + 16, b + 16, 32);
	free(a);
	free(b);
}

static void test_v3_wrong_password(void **state)
{
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	make_v3("0123456789abcdef0123456789abcdef", "right", &blob, &size);
	assert_int_equal(unwrap_rc(blob, size, "wrong", NULL), ECT_E_WRONG_PASSWORD);
	assert_int_equal(unwrap_rc(blob, size, "righ", NULL), ECT_E_WRONG_PASSWORD);
	free(blob);
}

static void test_v3_downgrade_refused(void **state)
{
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	make_v3("secret", "pw", &blob, &size);
	put_be32(blob + 3, ECT_ARGON2_MIN_T - 1); /* t_cost */
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_WEAK_PARAMS);
	put_be32(blob + 3, ECT_ARGON2_MIN_T);
	put_be32(blob + 7, ECT_ARGON2_MIN_M_KIB - 1); /* m_cost_kib */
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_WEAK_PARAMS);
	put_be32(blob + 7, 8);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_WEAK_PARAMS);
	put_be32(blob + 7, ECT_ARGON2_MIN_M_KIB);
	put_be32(blob + 11, 0); /* lanes */
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_WEAK_PARAMS);
	put_be32(blob + 11, ECT_ARGON2_MIN_LANES);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), 0);
	free(blob);
}

/*
 * A hostile header must be refused before the KDF: these costs would need
 * gigabytes or hours, so a quick, clean ECT_E_HOSTILE_PARAMS shows that
 * nothing was allocated or computed.
 */
static void test_v3_hostile_refused(void **state)
{
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	make_v3("secret", "pw", &blob, &size);
	put_be32(blob + 7, UINT32_MAX);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_HOSTILE_PARAMS);
	put_be32(blob + 7, ECT_ARGON2_MAX_M_KIB + 1);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_HOSTILE_PARAMS);
	put_be32(blob + 7, ECT_ARGON2_MIN_M_KIB);
	put_be32(blob + 3, UINT32_MAX);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_HOSTILE_PARAMS);
	put_be32(blob + 3, ECT_ARGON2_MIN_T);
	put_be32(blob + 11, 1u << 24);
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), ECT_E_HOSTILE_PARAMS);
	free(blob);
}

static int unwrap_capped_rc(const uint8_t *blob, size_t size, const char *pw,
			    const struct ect_argon2_params *ceiling, struct ect_wrap_info *info)
{
	char *pass = NULL;
	size_t len = 0;
	int ret = ect_unwrap_capped(blob, size, pw, strlen(pw), NULL, ceiling, &pass, &len, info);

	if (!ret)
		ect_secure_free_str(pass);
	else
		assert_null(pass);
	return ret;
}

/*
 * A caller's lower ceiling (a login's budget, pam_ecryptfs' kdf_max_*): a
 * file above it is refused before the KDF, so a wrong password gives the
 * same ECT_E_HOSTILE_PARAMS as the right one, and the file's cost is
 * reported. At or below the ceiling nothing changes; a zero field and a
 * NULL ceiling mean no extra limit.
 */
static void test_v3_caller_ceiling(void **state)
{
	struct ect_argon2_params floor, ceiling;
	struct ect_wrap_info info;
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	floor_params(&floor);
	make_v3("secret", "pw", &blob, &size);
	ceiling = floor;
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", &ceiling, NULL), 0);
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", NULL, NULL), 0);

	ceiling.m_cost_kib = floor.m_cost_kib - 1;
	memset(&info, 0, sizeof(info));
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", &ceiling, &info), ECT_E_HOSTILE_PARAMS);
	assert_int_equal(unwrap_capped_rc(blob, size, "wrong", &ceiling, NULL), ECT_E_HOSTILE_PARAMS);
	assert_int_equal(info.version, ECT_WRAP_V3);
	assert_int_equal(info.params.m_cost_kib, floor.m_cost_kib);
	assert_int_equal(info.params.t_cost, floor.t_cost);

	ceiling = floor;
	ceiling.t_cost = floor.t_cost - 1;
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", &ceiling, NULL), ECT_E_HOSTILE_PARAMS);
	ceiling = floor;
	ceiling.lanes = 0; /* no limit on lanes */
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", &ceiling, NULL), 0);

	/*
	 * 1 GiB and 16 passes: legal for the library on a big machine, far
	 * above a 64 MiB budget. Refused, not computed: a computed derivation
	 * over this edited header would end in ECT_E_WRONG_PASSWORD.
	 */
	put_be32(blob + 3, ECT_ARGON2_MAX_T);
	put_be32(blob + 7, 1048576);
	ceiling.t_cost = ECT_ARGON2_MAX_T;
	ceiling.m_cost_kib = 65536;
	ceiling.lanes = 0;
	assert_int_equal(unwrap_capped_rc(blob, size, "pw", &ceiling, &info), ECT_E_HOSTILE_PARAMS);
	assert_int_equal(info.params.m_cost_kib, 1048576);
	free(blob);
}

/* Flip one byte in each region of a v3 file: every change must be caught. */
static void test_v3_tampered(void **state)
{
	static const struct {
		size_t offset;
		uint8_t mask;
		int want;
	} flips[] = {
		{ 0, 0x01, ECT_E_FORMAT },	       /* ':' -> ';' (not hex: not v1 either) */
		{ 1, 0x07, ECT_E_VERSION },	       /* version */
		{ 2, 0x02, ECT_E_UNSUPPORTED },	       /* kdf id */
		{ 6, 0x01, ECT_E_WRONG_PASSWORD },     /* t_cost 2 -> 3: still legal, AD differs */
		{ 9, 0x10, ECT_E_WRONG_PASSWORD },     /* m_cost_kib 19 -> 23 MiB */
		{ 14, 0x02, ECT_E_WRONG_PASSWORD },    /* lanes 1 -> 3 */
		{ 15, 0x01, ECT_E_TRUNCATED },	       /* salt length 33 */
		{ 15, 0x40, ECT_E_FORMAT },	       /* salt length 96 */
		{ 16, 0x80, ECT_E_WRONG_PASSWORD },    /* salt, first byte */
		{ 47, 0x01, ECT_E_WRONG_PASSWORD },    /* salt, last byte */
		{ 48, 0x03, ECT_E_UNSUPPORTED },       /* aead id */
		{ 49, 0x01, ECT_E_WRONG_PASSWORD },    /* nonce */
		{ 61, 0x01, ECT_E_WRONG_PASSWORD },    /* ciphertext: length byte */
		{ 125, 0x80, ECT_E_WRONG_PASSWORD },   /* ciphertext: last pad byte */
		{ 126, 0x01, ECT_E_WRONG_PASSWORD },   /* tag */
		{ 141, 0x80, ECT_E_WRONG_PASSWORD },   /* tag, last byte */
	};
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	make_v3("tamper-evident", "pw", &blob, &size);
	assert_int_equal(size, 142);
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		blob[flips[i].offset] ^= flips[i].mask;
		assert_int_equal(unwrap_rc(blob, size, "pw", NULL), flips[i].want);
		blob[flips[i].offset] ^= flips[i].mask;
	}
	assert_int_equal(unwrap_rc(blob, size, "pw", NULL), 0);
	free(blob);
}

static void test_v3_truncated_and_extended(void **state)
{
	uint8_t *blob = NULL, big[200];
	size_t size = 0;

	(void)state;
	make_v3("whole", "pw", &blob, &size);
	/* No prefix reaches the KDF: the size is checked first. */
	for (size_t n = 0; n < size; n++) {
		int ret = unwrap_rc(blob, n, "pw", NULL);

		assert_true(ret == ECT_E_TRUNCATED);
	}
	memcpy(big, blob, size);
	big[size] = 0;
	assert_int_equal(unwrap_rc(big, size + 1, "pw", NULL), ECT_E_FORMAT);
	free(blob);
}

/* The one test at the real default cost: calibration, wrap and unwrap. */
static void test_v3_calibrated_default(void **state)
{
	struct ect_argon2_params cal;
	struct ect_wrap_info info;
	uint8_t *blob = NULL;
	size_t size = 0, len = 0;
	char *pass = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t ram_kib = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;

	(void)state;
	assert_int_equal(ect_wrap(ECT_WRAP_V3, "calibrated", 10, "pw", 2, NULL, &blob, &size), 0);
	assert_int_equal(ect_unwrap(blob, size, "pw", 2, NULL, &pass, &len, &info), 0);
	assert_string_equal(pass, "calibrated");
	ect_secure_free_str(pass);
	cal = info.params;
	assert_int_equal(ect_argon2_params_check(&cal), 0);
	assert_int_equal(cal.lanes, cpus > 4 ? 4 : cpus < 1 ? 1 : cpus);
	if (ram_kib / 8 >= ECT_ARGON2_CALIBRATE_MIN_M_KIB)
		assert_true(cal.m_cost_kib >= ECT_ARGON2_CALIBRATE_MIN_M_KIB);
	assert_true(cal.m_cost_kib <= ECT_ARGON2_CALIBRATE_MAX_M_KIB);
	assert_true(cal.t_cost >= ECT_ARGON2_MIN_T);
	print_message("calibrated for %d ms: t=%u m=%u KiB lanes=%u\n", ECT_ARGON2_DEFAULT_MS,
		      cal.t_cost, cal.m_cost_kib, cal.lanes);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_round_trip),
		cmocka_unit_test(test_v3_wrong_password),
		cmocka_unit_test(test_v3_downgrade_refused),
		cmocka_unit_test(test_v3_hostile_refused),
		cmocka_unit_test(test_v3_caller_ceiling),
		cmocka_unit_test(test_v3_tampered),
		cmocka_unit_test(test_v3_truncated_and_extended),
		cmocka_unit_test(test_v3_calibrated_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
