// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap module, versions 1 and 2: files made by ecryptfs-utils 111
 * (fixtures), our v2 writer (also opened by the real 111 when it is
 * unpacked), corrupt and truncated files, lengths and version detection.
 */
#include <limits.h>
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

/*
 * Our v2 files opened by the real ecryptfs-utils 111 unwrap tool, when it is
 * unpacked on this machine (scripts/fetch-ecryptfs-utils; else skipped).
 */
static void test_v2_read_by_111(void **state)
{
	static const char *const passes[] = { "x", "0123456789abcdef0123456789abcdef",
					      "pässwörd ünïcödé €uro",
					      "1234567890123456789012345678901234567890123456789012345678901234" };
	const char *eu = getenv("ECT_ECRYPTFS_UTILS_111");
	char tool[PATH_MAX], dir[] = "/tmp/test-wrap-111-XXXXXX", path[64], cmd[2 * PATH_MAX];

	(void)state;
	if (!eu || !*eu)
		eu = "/var/cache/ecryptfs-tools/ecryptfs-utils-111";
	snprintf(tool, sizeof(tool), "%s/usr/bin/ecryptfs-unwrap-passphrase", eu);
	if (access(tool, X_OK)) {
		print_message("ecryptfs-utils 111 not unpacked at %s: skipped\n", eu);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wp", dir);
	for (size_t i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		char out[256] = "";
		FILE *p;

		assert_int_equal(ect_wrap_file(path, ECT_WRAP_V2, passes[i], strlen(passes[i]),
					       "Grüße pw", strlen("Grüße pw"), NULL, (uid_t)-1,
					       (gid_t)-1),
				 0);
		snprintf(cmd, sizeof(cmd),
			 "printf '%%s\\n' 'Grüße pw' | LD_LIBRARY_PATH='%s/usr/lib/x86_64-linux-gnu' "
			 "'%s' '%s' - 2>/dev/null",
			 eu, tool, path);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(out, sizeof(out), p));
		assert_int_equal(pclose(p), 0);
		out[strcspn(out, "\n")] = '\0';
		assert_string_equal(out, passes[i]);
	}
	unlink(path);
	rmdir(dir);
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

/*
 * Garbage in any shape: the reader returns an error code (or, for the rare
 * blob that is well-formed, a passphrase) and never reads out of bounds
 * (run under valgrind or ASan to see that). Fixed seed: reproducible.
 */
static void test_garbage(void **state)
{
	static const uint8_t firsts[] = { ':', '0', 'a', 'F', 'z', 0 };
	uint8_t blob[160];
	int unwraps = 0;

	(void)state;
	srand(20261127);
	for (int i = 0; i < 4000; i++) {
		size_t size = (size_t)rand() % sizeof(blob);
		struct ect_wrap_info info;
		int ret;

		for (size_t k = 0; k < size; k++)
			blob[k] = (uint8_t)rand();
		if (size > 0)
			blob[0] = firsts[rand() % (int)sizeof(firsts)];
		if (size > 1 && blob[0] == ':')
			blob[1] = (uint8_t)(rand() % 4);
		if (size >= 16 && blob[0] != ':' && rand() % 2)
			memset(blob, 'c', 16);
		ret = ect_wrap_identify(blob, size, &info);
		assert_true(ret == 0 || (ret <= -10000 && ret > ECT_E_LAST));
		/* Each v1/v2 unwrap costs a SHA-512 chain: sample a few. */
		if (ret == 0 && info.version != ECT_WRAP_V3 && unwraps++ < 25) {
			ret = unwrap_rc(blob, size, "pw", NULL);
			assert_true(ret == ECT_E_WRONG_PASSWORD || ret == ECT_E_TRUNCATED ||
				    ret == ECT_E_FORMAT);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_fixtures),
		cmocka_unit_test(test_v2_fixtures),
		cmocka_unit_test(test_v2_corrupt),
		cmocka_unit_test(test_v2_reads_at_most_64),
		cmocka_unit_test(test_v2_write),
		cmocka_unit_test(test_v2_read_by_111),
		cmocka_unit_test(test_wrap_lengths),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
