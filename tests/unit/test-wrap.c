// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap module: v1 and v2 files made by ecryptfs-utils 111 (fixtures), our v2
 * and v3 writers, and every way a file can be wrong. All Argon2id runs use
 * the floor cost except test_v3_calibrated_default, the one real-cost run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecryptfs-tools.h"

/* ---- helpers ------------------------------------------------------------ */

static const char *fixtures_dir(void)
{
	const char *d = getenv("ECT_TEST_FIXTURES");

	if (!d || !*d)
		fail_msg("ECT_TEST_FIXTURES is not set (run through make check)");
	return d;
}

static void load_fixture(const char *rel, void **data, size_t *size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir(), rel);
	if (ect_read_file(path, 1 << 20, 0, data, size))
		fail_msg("cannot read fixture %s", path);
}

static size_t unhex(const char *hex, char *out, size_t max)
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
static void expect_unwrap(const void *blob, size_t size, const char *pw, size_t pw_len,
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

static int unwrap_rc(const void *blob, size_t size, const char *pw, const uint8_t *v1_salt)
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

static void floor_params(struct ect_argon2_params *p)
{
	ect_argon2_params_floor(p);
}

static void make_v3(const char *pass, const char *pw, uint8_t **blob, size_t *size)
{
	struct ect_argon2_params p;

	floor_params(&p);
	assert_int_equal(ect_wrap(ECT_WRAP_V3, pass, strlen(pass), pw, strlen(pw), &p, blob, size),
			 0);
}

/* ---- v1 (ecryptfs-utils 111 test suite files) ---------------------------- */

struct v1_case {
	const char *file;
	const char *pass;
	const char *pw;
	const char *salt;
};

static void test_v1_fixtures(void **state)
{
	char a64[65], z64[65];
	const struct v1_case cases[] = {
		{ "wp01", "This is test #1", "Wrapping pass", "0011223344556677" },
		{ "wp02", a64, z64, "0011223344556677" },
		{ "wp03", a64, z64, "5a175a175a175a17" },
		{ "wp04", "!", "*", "0011223344556677" },
		{ "wp05", "!", "*", "0123456789abcdef" },
	};

	(void)state;
	memset(a64, 'a', 64);
	a64[64] = '\0';
	memset(z64, 'z', 64);
	z64[64] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct v1_case *c = &cases[i];
		char rel[64], pw[65];
		uint8_t salt[ECT_SALT_SIZE];
		struct ect_wrap_info info;
		void *data;
		size_t size, n = strlen(c->pw);

		snprintf(rel, sizeof(rel), "ecryptfs-utils-111-v1/%s", c->file);
		load_fixture(rel, &data, &size);
		assert_int_equal(ect_wrap_identify(data, size, &info), 0);
		assert_int_equal(info.version, ECT_WRAP_V1);
		assert_int_equal(ect_salt_from_hex(c->salt, salt), 0);
		expect_unwrap(data, size, c->pw, n, salt, c->pass, strlen(c->pass), ECT_WRAP_V1);
		if (!strcmp(c->salt, "0011223344556677"))
			expect_unwrap(data, size, c->pw, n, NULL, c->pass, strlen(c->pass),
				      ECT_WRAP_V1);

		/* Upstream's negative checks: first/last password char, first/last salt byte. */
		memcpy(pw, c->pw, n + 1);
		pw[0] ^= 1;
		assert_int_equal(unwrap_rc(data, size, pw, salt), ECT_E_WRONG_PASSWORD);
		memcpy(pw, c->pw, n + 1);
		pw[n - 1] ^= 1;
		assert_int_equal(unwrap_rc(data, size, pw, salt), ECT_E_WRONG_PASSWORD);
		salt[0] = (uint8_t)~salt[0];
		assert_int_equal(unwrap_rc(data, size, c->pw, salt), ECT_E_WRONG_PASSWORD);
		salt[0] = (uint8_t)~salt[0];
		salt[7] = (uint8_t)~salt[7];
		assert_int_equal(unwrap_rc(data, size, c->pw, salt), ECT_E_WRONG_PASSWORD);
		free(data);
	}
}

/* ---- v2 (ecryptfs-utils 111 ecryptfs-wrap-passphrase files) -------------- */

static void test_v2_fixtures(void **state)
{
	char path[PATH_MAX], line[1024];
	int count = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/ecryptfs-utils-111/manifest.txt", fixtures_dir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64], pass_hex[260], pw_hex[260], pass[130], pw[130], rel[128];
		size_t pass_len, pw_len, size;
		void *data;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%63s %259s %259s", name, pass_hex, pw_hex), 3);
		pass_len = unhex(pass_hex, pass, sizeof(pass));
		pw_len = unhex(pw_hex, pw, sizeof(pw));
		snprintf(rel, sizeof(rel), "ecryptfs-utils-111/%s", name);
		load_fixture(rel, &data, &size);
		/* The salt in the file wins; a v1 salt from the caller is ignored. */
		expect_unwrap(data, size, pw, pw_len, ect_fnek_salt, pass, pass_len, ECT_WRAP_V2);
		pw[pw_len - 1] ^= 1;
		assert_int_equal(ect_unwrap(data, size, pw, pw_len, NULL, &(char *){ NULL },
					    &(size_t){ 0 }, NULL),
				 ECT_E_WRONG_PASSWORD);
		free(data);
		count++;
	}
	fclose(f);
	assert_true(count >= 10);
}

static void test_v2_corrupt(void **state)
{
	void *data;
	uint8_t *b;
	size_t size;
	const char *pw = "correct horse battery staple";
	const char *pass = "0123456789abcdef0123456789abcdef";

	(void)state;
	load_fixture("ecryptfs-utils-111/v2-len32-hex", &data, &size);
	b = data;
	assert_int_equal(size, 58);

	/* Every prefix fails cleanly (block-aligned ones hold a shorter ECB text, as in 111). */
	for (size_t n = 0; n < size; n++) {
		int ret = unwrap_rc(b, n, pw, NULL);

		if (n > 26 && (n - 26) % 16 == 0) {
			assert_true(ret == 0);
			continue;
		}
		assert_true(ret == ECT_E_TRUNCATED || ret == ECT_E_FORMAT);
	}
	/* Salt and signature are the password check. */
	b[2] ^= 0x80;
	assert_int_equal(unwrap_rc(b, size, pw, NULL), ECT_E_WRONG_PASSWORD);
	b[2] ^= 0x80;
	b[10] ^= 0x01;
	assert_int_equal(unwrap_rc(b, size, pw, NULL), ECT_E_WRONG_PASSWORD);
	b[10] ^= 0x01;
	/* ECB has no integrity: a changed block gives another passphrase, never the old one. */
	b[26] ^= 0x01;
	{
		char *out = NULL;
		size_t len = 0;
		int ret = ect_unwrap(b, size, pw, strlen(pw), NULL, &out, &len, NULL);

		if (!ret) {
			assert_false(len == strlen(pass) && !memcmp(out, pass, len));
			ect_secure_free_str(out);
		}
	}
	b[26] ^= 0x01;
	/* Versions: only 2 and 3 exist after ':'. */
	for (int v = 0; v < 256; v++) {
		if (v == 2 || v == 3)
			continue;
		b[1] = (uint8_t)v;
		assert_int_equal(unwrap_rc(b, size, pw, NULL), ECT_E_VERSION);
	}
	b[1] = 2;
	expect_unwrap(b, size, pw, strlen(pw), NULL, pass, strlen(pass), ECT_WRAP_V2);
	free(data);
}

static void test_v2_reads_at_most_64(void **state)
{
	uint8_t *blob = NULL, big[26 + 64 + 40];
	size_t size = 0;
	char pass[65];

	(void)state;
	memset(pass, 'q', 64);
	pass[64] = '\0';
	assert_int_equal(ect_wrap(ECT_WRAP_V2, pass, 64, "pw", 2, NULL, &blob, &size), 0);
	assert_int_equal(size, 26 + 64);
	/* 111 reads 64 ciphertext bytes and ignores the rest of the file. */
	memcpy(big, blob, size);
	memset(big + size, 0xee, sizeof(big) - size);
	expect_unwrap(big, sizeof(big), "pw", 2, NULL, pass, 64, ECT_WRAP_V2);
	free(blob);
}

static void test_v2_write(void **state)
{
	static const size_t lens[] = { 1, 15, 16, 17, 32, 48, 63, 64 };
	char pass[65];

	(void)state;
	memset(pass, 'm', sizeof(pass));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *a = NULL, *b = NULL;
		size_t sa = 0, sb = 0, n = lens[i];

		assert_int_equal(ect_wrap(ECT_WRAP_V2, pass, n, "Wrapping pass", 13, NULL, &a, &sa),
				 0);
		assert_int_equal(ect_wrap(ECT_WRAP_V2, pass, n, "Wrapping pass", 13, NULL, &b, &sb),
				 0);
		/* ':' 0x02 salt8 sig16 ciphertext padded to 16: the 111 layout. */
		assert_int_equal(sa, 26 + (n + 15) / 16 * 16);
		assert_int_equal(a[0], ':');
		assert_int_equal(a[1], 2);
		for (int k = 10; k < 26; k++)
			assert_non_null(strchr("0123456789abcdef", a[k]));
		/* A fresh random salt on every wrap. */
		assert_memory_not_equal(a + 2, b + 2, 8);
		expect_unwrap(a, sa, "Wrapping pass", 13, NULL, pass, n, ECT_WRAP_V2);
		assert_int_equal(unwrap_rc(a, sa, "Wrapping pasS", NULL), ECT_E_WRONG_PASSWORD);
		free(a);
		free(b);
	}
}

/* ---- lengths and versions on write ---------------------------------------- */

static void test_wrap_lengths(void **state)
{
	struct ect_argon2_params p;
	char long_pass[66], long_pw[66];
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	floor_params(&p);
	memset(long_pass, 'x', sizeof(long_pass));
	memset(long_pw, 'y', sizeof(long_pw));
	for (int v = ECT_WRAP_V2; v <= ECT_WRAP_V3; v++) {
		assert_int_equal(ect_wrap(v, long_pass, 65, "pw", 2, &p, &blob, &size),
				 ECT_E_PASSPHRASE_LEN);
		assert_int_equal(ect_wrap(v, "", 0, "pw", 2, &p, &blob, &size),
				 ECT_E_PASSPHRASE_LEN);
		assert_int_equal(ect_wrap(v, "a\0b", 3, "pw", 2, &p, &blob, &size),
				 ECT_E_PASSPHRASE_LEN);
		assert_int_equal(ect_wrap(v, "pass", 4, "", 0, &p, &blob, &size),
				 ECT_E_PASSPHRASE_LEN);
		assert_null(blob);
	}
	/* v2's wrapping password goes through the 64-byte eCryptfs derivation. */
	assert_int_equal(ect_wrap(ECT_WRAP_V2, "pass", 4, long_pw, 65, NULL, &blob, &size),
			 ECT_E_PASSPHRASE_LEN);
	/* v1 is never written: its salt is the same for every user (CVE-2014-9687). */
	assert_int_equal(ect_wrap(ECT_WRAP_V1, "pass", 4, "pw", 2, NULL, &blob, &size),
			 ECT_E_VERSION);
	assert_null(blob);
}

static void test_identify(void **state)
{
	struct ect_wrap_info info;
	uint8_t *blob = NULL;
	size_t size = 0;

	(void)state;
	assert_int_equal(ect_wrap_identify("", 0, &info), ECT_E_TRUNCATED);
	assert_int_equal(ect_wrap_identify(":", 1, &info), ECT_E_TRUNCATED);
	assert_int_equal(ect_wrap_identify(":\x09", 2, &info), ECT_E_VERSION);
	assert_int_equal(ect_wrap_identify("0123abc", 7, &info), ECT_E_TRUNCATED);
	assert_int_equal(ect_wrap_identify("0123456789abcdeX0123456789abcdef", 32, &info),
			 ECT_E_FORMAT);
	assert_int_equal(ect_wrap_identify("hello, world, this is text", 26, &info),
			 ECT_E_FORMAT);
	make_v3("identify", "pw", &blob, &size);
	assert_int_equal(ect_wrap_identify(blob, size, &info), 0);
	assert_int_equal(info.version, ECT_WRAP_V3);
	assert_int_equal(info.params.t_cost, ECT_ARGON2_MIN_T);
	assert_int_equal(info.params.m_cost_kib, ECT_ARGON2_MIN_M_KIB);
	assert_int_equal(info.params.lanes, ECT_ARGON2_MIN_LANES);
	free(blob);
}

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

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
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

/* ---- file forms ----------------------------------------------------------- */

struct tmpdir {
	char path[1024];
};

static int setup_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	snprintf(t->path, sizeof(t->path), "%s/test-wrap-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->path))
		return -1;
	*state = t;
	return 0;
}

static int teardown_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_files(void **state)
{
	struct tmpdir *t = *state;
	struct ect_argon2_params p;
	struct ect_wrap_info info;
	char path[PATH_MAX], link[PATH_MAX], big[PATH_MAX], *pass = NULL;
	size_t len = 0;
	struct stat st;
	int fd;

	floor_params(&p);
	snprintf(path, sizeof(path), "%s/wrapped-passphrase", t->path);
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V3, "mount", 5, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, &info), 0);
	assert_string_equal(pass, "mount");
	assert_int_equal(info.version, ECT_WRAP_V3);
	ect_secure_free_str(pass);

	/* A failed wrap leaves the old file exactly as it was, and no temp file. */
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V2, "", 0, "pw", 2, NULL, (uid_t)-1,
				       (gid_t)-1),
			 ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, NULL), 0);
	ect_secure_free_str(pass);
	assert_int_equal(count_entries(t->path), 1);

	/* v2 through the file form. */
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V2, "mount2", 6, "pw", 2, NULL, (uid_t)-1,
				       (gid_t)-1),
			 0);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, &info), 0);
	assert_string_equal(pass, "mount2");
	assert_int_equal(info.version, ECT_WRAP_V2);
	ect_secure_free_str(pass);

	/* Missing or non-directory parent: an error and nothing written. */
	snprintf(big, sizeof(big), "%s/no-such-dir/wrapped-passphrase", t->path);
	assert_int_equal(ect_wrap_file(big, ECT_WRAP_V3, "m", 1, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 -ENOENT);
	snprintf(big, sizeof(big), "%s/wrapped-passphrase/child", t->path);
	assert_int_equal(ect_wrap_file(big, ECT_WRAP_V3, "m", 1, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 -ENOTDIR);
	assert_int_equal(count_entries(t->path), 1);

	/* Symlinks and non-regular files are refused. */
	snprintf(link, sizeof(link), "%s/link", t->path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(ect_unwrap_file(link, "pw", 2, NULL, &pass, &len, NULL), -ELOOP);
	assert_null(pass);
	assert_int_equal(ect_unwrap_file(t->path, "pw", 2, NULL, &pass, &len, NULL),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(unlink(link), 0);

	/* Empty and oversized files. */
	snprintf(big, sizeof(big), "%s/empty", t->path);
	fd = open(big, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ect_unwrap_file(big, "pw", 2, NULL, &pass, &len, NULL), ECT_E_TRUNCATED);
	fd = open(big, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ECT_WRAP_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(ect_unwrap_file(big, "pw", 2, NULL, &pass, &len, NULL), -EFBIG);
	assert_int_equal(ect_unwrap_file("/nonexistent/wrapped", "pw", 2, NULL, &pass, &len, NULL),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_fixtures),
		cmocka_unit_test(test_v2_fixtures),
		cmocka_unit_test(test_v2_corrupt),
		cmocka_unit_test(test_v2_reads_at_most_64),
		cmocka_unit_test(test_v2_write),
		cmocka_unit_test(test_wrap_lengths),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_v3_round_trip),
		cmocka_unit_test(test_v3_wrong_password),
		cmocka_unit_test(test_v3_downgrade_refused),
		cmocka_unit_test(test_v3_hostile_refused),
		cmocka_unit_test(test_v3_tampered),
		cmocka_unit_test(test_v3_truncated_and_extended),
		cmocka_unit_test_setup_teardown(test_files, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test(test_v3_calibrated_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
