// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys module: the 740-byte auth token, byte for byte against the tokens
 * that ecryptfs-utils 111 put in a real kernel keyring
 * (tests/fixtures/keyring, made by make-fixtures.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys-fixtures.h"

static void print_diff(const char *what, const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0; i < ECT_AUTH_TOK_SIZE; i++)
		if (a[i] != b[i]) {
			print_error("%s: first difference at offset %zu: %02x != %02x\n", what, i, a[i],
				    b[i]);
			return;
		}
}

static void check_case(const struct key_fixture *c, const char *ext, const uint8_t *salt,
		       const char *want_sig)
{
	uint8_t key[ECT_KEY_SIZE], tok[ECT_AUTH_TOK_SIZE], want[ECT_AUTH_TOK_SIZE];
	char sig[ECT_SIG_HEX_SIZE + 1];

	assert_int_equal(ect_derive_key(c->pass, c->pass_len, salt, key), 0);
	assert_int_equal(ect_key_signature(key, sig), 0);
	if (strcmp(sig, want_sig))
		print_error("%s.%s: sig %s, ecryptfs-utils printed %s\n", c->name, ext, sig, want_sig);
	assert_string_equal(sig, want_sig);
	assert_int_equal(ect_auth_tok_build(key, sig, salt, tok), 0);
	key_fixture_token(c, ext, want);
	if (memcmp(tok, want, sizeof(tok)))
		print_diff(c->name, tok, want);
	assert_memory_equal(tok, want, sizeof(tok));
}

/* Every fixture case: FEKEK (rc or default salt) and FNEK (ASCII "99887766"). */
static void test_tokens_match_ecryptfs_utils(void **state)
{
	struct key_fixture *cases;
	size_t n = key_fixtures_load(&cases);
	uint8_t salt[ECT_SALT_SIZE];

	(void)state;
	if (!key_fixtures_host_matches()) {
		free(cases);
		skip(); /* the committed tokens are little-endian */
	}
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(key_fixture_salt(&cases[i], salt), 0);
		check_case(&cases[i], "fekek", salt, cases[i].fekek_sig);
		check_case(&cases[i], "fnek", ect_fnek_salt, cases[i].fnek_sig);
	}
	free(cases);
}

/* The documented layout, independently of the fixtures. */
static void test_token_fields(void **state)
{
	uint8_t key[ECT_KEY_SIZE], tok[ECT_AUTH_TOK_SIZE];
	const uint8_t salt[ECT_SALT_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint16_t u16;
	int32_t i32;
	uint32_t u32;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa0 + i);
	memset(tok, 0xee, sizeof(tok));
	assert_int_equal(ect_auth_tok_build(key, "0123456789abcdef", salt, tok), 0);
	memcpy(&u16, tok + 0, 2);
	assert_int_equal(u16, 0x0004);
	memcpy(&u16, tok + 2, 2);
	assert_int_equal(u16, 0);
	memcpy(&i32, tok + 632, 4);
	assert_int_equal(i32, 10);
	memcpy(&i32, tok + 640, 4);
	assert_int_equal(i32, 64);
	memcpy(&u32, tok + 644, 4);
	assert_int_equal(u32, 0x02);
	assert_memory_equal(tok + 648, key, ECT_KEY_SIZE);
	assert_memory_equal(tok + 712, "0123456789abcdef", 17); /* with its NUL */
	assert_memory_equal(tok + 729, salt, ECT_SALT_SIZE);
	/* Everything else is zero: the 0xee filler must be gone. */
	for (size_t i = 0; i < sizeof(tok); i++) {
		if (i < 4 || (i >= 632 && i < 636) || (i >= 640 && i < 648) ||
		    (i >= 648 && i < 737))
			continue;
		if (tok[i]) {
			print_error("byte %zu is %02x\n", i, tok[i]);
			fail();
		}
	}
}

static void test_token_rejects_bad_sig(void **state)
{
	uint8_t key[ECT_KEY_SIZE] = { 0 }, tok[ECT_AUTH_TOK_SIZE];

	(void)state;
	assert_int_equal(ect_auth_tok_build(key, "0123456789ABCDEF", ect_default_salt, tok),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_auth_tok_build(key, "0123456789abcde", ect_default_salt, tok),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_auth_tok_build(key, "0123456789abcdef0", ect_default_salt, tok),
			 ECT_E_BAD_SIG);
}

/* The mount passphrase: 32 lower-case hex characters, different every time. */
static void test_mount_passphrase(void **state)
{
	char *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(ect_mount_passphrase_generate(&a), 0);
	assert_int_equal(ect_mount_passphrase_generate(&b), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_int_equal(strspn(b, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b);
	ect_secure_free_str(a);
	ect_secure_free_str(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_fields),
		cmocka_unit_test(test_token_rejects_bad_sig),
		cmocka_unit_test(test_tokens_match_ecryptfs_utils),
		cmocka_unit_test(test_mount_passphrase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
