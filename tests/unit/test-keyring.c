// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys module against the real kernel keyring of the build machine. Each
 * test runs in a forked child with a throwaway uid and fresh keyrings
 * (keyring_sandbox_run), so no key outlives the test. Needs root; skipped
 * otherwise.
 */
#include <errno.h>
#include <keyutils.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys-fixtures.h"

#define CASES_PER_CHILD 8 /* 16 tokens stay under the default 20000-byte user quota */

static int need_root(void)
{
	if (geteuid() == 0)
		return 1;
	print_message("[  SKIP    ] keyring tests need root (they use a throwaway uid)\n");
	return 0;
}

static void run(int (*body)(void *), void *arg, unsigned int slot)
{
	int ret;

	if (!need_root())
		skip();
	ret = keyring_sandbox_run(body, arg, slot);
	if (ret < 0)
		fail_msg("could not make a throwaway keyring context");
	assert_int_equal(ret, 0);
}

/* The payload of key id, which must be exactly 740 bytes. */
static int read_payload(long id, uint8_t out[ECT_AUTH_TOK_SIZE])
{
	void *buf = NULL;
	long n = keyctl_read_alloc((key_serial_t)id, &buf);

	if (n != ECT_AUTH_TOK_SIZE) {
		free(buf);
		return -1;
	}
	memcpy(out, buf, ECT_AUTH_TOK_SIZE);
	free(buf);
	return 0;
}

struct batch {
	struct key_fixture *cases;
	size_t first, count;
};

static int check_in_kernel(const struct key_fixture *c, const uint8_t *salt, const char *ext,
			   const char *want_sig)
{
	uint8_t got[ECT_AUTH_TOK_SIZE], want[ECT_AUTH_TOK_SIZE];
	char sig[ECT_SIG_HEX_SIZE + 1];
	long id;

	KCHECK(ect_keyring_add_passphrase(c->pass, c->pass_len, salt, sig) == 0);
	KCHECK(strcmp(sig, want_sig) == 0);
	id = ect_keyring_find(sig);
	KCHECK(id > 0);
	KCHECK(read_payload(id, got) == 0);
	key_fixture_token(c, ext, want);
	if (memcmp(got, want, sizeof(got)))
		fprintf(stderr, "%s.%s: kernel payload differs from ecryptfs-utils'\n", c->name, ext);
	KCHECK(memcmp(got, want, sizeof(got)) == 0);
	KCHECK(ect_keyring_unlink(sig) == 0);
	KCHECK(ect_keyring_find(sig) == -ENOKEY);
	return 0;
}

static int body_fixtures(void *arg)
{
	struct batch *b = arg;
	uint8_t salt[ECT_SALT_SIZE];
	int ret;

	/* Possession through @s lets this process read its own keys back. */
	KCHECK(ect_keyring_link_user_session() == 0);
	for (size_t i = b->first; i < b->first + b->count; i++) {
		const struct key_fixture *c = &b->cases[i];

		KCHECK(key_fixture_salt(c, salt) == 0);
		ret = check_in_kernel(c, salt, "fekek", c->fekek_sig);
		if (ret)
			return ret;
		ret = check_in_kernel(c, ect_fnek_salt, "fnek", c->fnek_sig);
		if (ret)
			return ret;
	}
	return 0;
}

/* What ect_keyring_add_passphrase puts in the kernel equals ecryptfs-utils' tokens. */
static void test_kernel_payload_matches_fixtures(void **state)
{
	struct key_fixture *cases;
	size_t n;

	(void)state;
	if (!need_root())
		skip();
	n = key_fixtures_load(&cases);
	if (!key_fixtures_host_matches()) {
		free(cases);
		skip();
	}
	for (size_t first = 0, slot = 0; first < n; first += CASES_PER_CHILD, slot++) {
		struct batch b = { cases, first, n - first < CASES_PER_CHILD ? n - first : CASES_PER_CHILD };

		run(body_fixtures, &b, (unsigned int)slot);
	}
	free(cases);
}

static int body_already_present(void *arg)
{
	static const char other[] = "a payload that is not a token";
	char sig[ECT_SIG_HEX_SIZE + 1];
	void *buf = NULL;
	long id, id2;

	(void)arg;
	KCHECK(ect_keyring_link_user_session() == 0);
	KCHECK(ect_keyring_add_passphrase("foo", 3, ect_default_salt, sig) == 0);
	KCHECK(strcmp(sig, "253ca7e88811d184") == 0);
	id = ect_keyring_find(sig);
	KCHECK(id > 0);
	KCHECK(ect_keyring_add_passphrase("foo", 3, ect_default_salt, sig) == 1);
	KCHECK(ect_keyring_find(sig) == id);

	/* A key already there under the sig keeps its payload: added, never updated. */
	KCHECK(ect_keyring_unlink(sig) == 0);
	id = add_key("user", "253ca7e88811d184", other, sizeof(other), KEY_SPEC_USER_KEYRING);
	KCHECK(id > 0);
	KCHECK(ect_keyring_add_passphrase("foo", 3, ect_default_salt, sig) == 1);
	id2 = ect_keyring_find(sig);
	KCHECK(id2 == id);
	KCHECK(keyctl_read_alloc((key_serial_t)id, &buf) == sizeof(other));
	KCHECK(memcmp(buf, other, sizeof(other)) == 0);
	free(buf);

	/* A revoked key under the sig does not block adding the real one. */
	KCHECK(keyctl_revoke((key_serial_t)id) == 0);
	KCHECK(ect_keyring_find(sig) == -EKEYREVOKED);
	KCHECK(ect_keyring_add_passphrase("foo", 3, ect_default_salt, sig) == 0);
	id2 = ect_keyring_find(sig);
	KCHECK(id2 > 0 && id2 != id);
	KCHECK(keyctl_read_alloc((key_serial_t)id2, &buf) == ECT_AUTH_TOK_SIZE);
	free(buf);
	return 0;
}

static void test_already_present(void **state)
{
	(void)state;
	run(body_already_present, NULL, 4);
}

static int body_missing_and_bad(void *arg)
{
	(void)arg;
	KCHECK(ect_keyring_find("0123456789abcdef") == -ENOKEY);
	KCHECK(ect_keyring_unlink("0123456789abcdef") == -ENOKEY);
	KCHECK(strcmp(ect_strerror(-ENOKEY), "required key not in the keyring") == 0);
	KCHECK(ect_keyring_find("0123456789ABCDEF") == ECT_E_BAD_SIG);
	KCHECK(ect_keyring_find("0123") == ECT_E_BAD_SIG);
	KCHECK(ect_keyring_unlink("../../etc") == ECT_E_BAD_SIG);
	return 0;
}

static void test_missing_and_bad_sig(void **state)
{
	(void)state;
	run(body_missing_and_bad, NULL, 5);
}

/* Whether keyring ring holds a link to key. */
static int keyring_holds(key_serial_t ring, key_serial_t key)
{
	key_serial_t *ids = NULL;
	long n = keyctl_read_alloc(ring, (void **)&ids);
	int found = 0;

	for (long i = 0; i < n / (long)sizeof(*ids); i++)
		if (ids[i] == key)
			found = 1;
	free(ids);
	return found;
}

static int body_link(void *arg)
{
	key_serial_t user = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);
	key_serial_t session = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 1);

	(void)arg;
	KCHECK(user > 0 && session > 0);
	KCHECK(!keyring_holds(session, user));
	KCHECK(ect_keyring_link_user_session() == 0);
	KCHECK(keyring_holds(session, user));
	KCHECK(ect_keyring_link_user_session() == 0); /* linking again is harmless */
	return 0;
}

static void test_link_user_session(void **state)
{
	(void)state;
	run(body_link, NULL, 6);
}

static int body_revoked(void *arg)
{
	char sig[ECT_SIG_HEX_SIZE + 1];
	key_serial_t session = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 1);

	(void)arg;
	KCHECK(session > 0);
	KCHECK(keyctl_revoke(session) == 0);
	KCHECK(ect_keyring_link_user_session() == -EKEYREVOKED);
	KCHECK(strcmp(ect_strerror(-EKEYREVOKED), "keyring or key has been revoked") == 0);
	/* @u itself is still usable. */
	KCHECK(ect_keyring_add_passphrase("foo", 3, ect_default_salt, sig) == 0);
	KCHECK(ect_keyring_find(sig) > 0);
	return 0;
}

static void test_revoked_session_keyring(void **state)
{
	(void)state;
	run(body_revoked, NULL, 7);
}

static int body_mount_keys(void *arg)
{
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek[ECT_SIG_HEX_SIZE + 1];
	static const char pass[] = "0123456789abcdef0123456789abcdef";

	(void)arg;
	KCHECK(ect_keyring_add_mount_keys(pass, 32, NULL, ECT_KEYS_FNEK_FIRST, fekek, fnek) == 0);
	KCHECK(strcmp(fekek, "849d6b79848a0296") == 0);
	KCHECK(strcmp(fnek, "9487d0e1beb5be83") == 0);
	KCHECK(ect_keyring_find(fekek) > 0 && ect_keyring_find(fnek) > 0);
	/* Again, the other order: both already there is success. */
	KCHECK(ect_keyring_add_mount_keys(pass, 32, NULL, ECT_KEYS_FEKEK_FIRST, fekek, fnek) == 0);
	KCHECK(ect_keyring_unlink(fekek) == 0 && ect_keyring_unlink(fnek) == 0);
	/* No FNEK asked for: only the FEKEK goes in. */
	KCHECK(ect_keyring_add_mount_keys(pass, 32, ect_default_salt, ECT_KEYS_FEKEK_FIRST, fekek,
					  NULL) == 0);
	KCHECK(ect_keyring_find(fekek) > 0);
	KCHECK(ect_keyring_find("9487d0e1beb5be83") == -ENOKEY);
	KCHECK(ect_keyring_add_mount_keys(pass, 32, NULL, 7, fekek, fnek) == -EINVAL);
	KCHECK(ect_keyring_add_mount_keys("", 0, NULL, ECT_KEYS_FEKEK_FIRST, fekek, fnek) ==
	       ECT_E_PASSPHRASE_LEN);
	return 0;
}

static void test_mount_keys(void **state)
{
	(void)state;
	run(body_mount_keys, NULL, 8);
}

/* Into a keyring the caller names (here the sandbox's fresh session keyring): never into @u. */
static int body_mount_keys_in(void *arg)
{
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek[ECT_SIG_HEX_SIZE + 1];
	static const char pass[] = "0123456789abcdef0123456789abcdef";
	long id;

	(void)arg;
	KCHECK(keyctl_unlink(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) == 0 || errno == ENOENT);
	KCHECK(ect_keyring_add_mount_keys_in(KEY_SPEC_SESSION_KEYRING, pass, 32, NULL,
					     ECT_KEYS_FNEK_FIRST, fekek, fnek) == 0);
	KCHECK(strcmp(fekek, "849d6b79848a0296") == 0 && strcmp(fnek, "9487d0e1beb5be83") == 0);
	id = ect_keyring_find_in(KEY_SPEC_SESSION_KEYRING, fekek);
	KCHECK(id > 0 && ect_keyring_find_in(KEY_SPEC_SESSION_KEYRING, fnek) > 0);
	KCHECK(ect_keyring_find(fekek) == -ENOKEY && ect_keyring_find(fnek) == -ENOKEY);
	/* already there: left as it is */
	KCHECK(ect_keyring_add_mount_keys_in(KEY_SPEC_SESSION_KEYRING, pass, 32, NULL,
					     ECT_KEYS_FEKEK_FIRST, fekek, fnek) == 0);
	KCHECK(ect_keyring_find_in(KEY_SPEC_SESSION_KEYRING, fekek) == id);
	KCHECK(ect_keyring_unlink_in(KEY_SPEC_SESSION_KEYRING, fekek) == 0);
	KCHECK(ect_keyring_find_in(KEY_SPEC_SESSION_KEYRING, fekek) == -ENOKEY);
	KCHECK(ect_keyring_unlink_in(KEY_SPEC_SESSION_KEYRING, fekek) == -ENOKEY);
	KCHECK(ect_keyring_unlink_in(KEY_SPEC_SESSION_KEYRING, fnek) == 0);
	KCHECK(ect_keyring_find_in(KEY_SPEC_SESSION_KEYRING, "0123") == ECT_E_BAD_SIG);
	return 0;
}

static void test_mount_keys_in(void **state)
{
	(void)state;
	run(body_mount_keys_in, NULL, 10);
}

static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Fill the throwaway uid's byte quota until the kernel says EDQUOT. */
static int body_quota(void *arg)
{
	long max_tries = *(long *)arg;
	char pass[32], sig[ECT_SIG_HEX_SIZE + 1];
	int ret = 0;

	for (long i = 0; i < max_tries; i++) {
		int len = snprintf(pass, sizeof(pass), "quota-%ld", i);

		ret = ect_keyring_add_passphrase(pass, (size_t)len, ect_default_salt, sig);
		if (ret)
			break;
	}
	KCHECK(ret == -EDQUOT);
	KCHECK(strncmp(ect_strerror(ret), "keyring quota exceeded", 22) == 0);
	return 0;
}

static void test_quota_exceeded(void **state)
{
	long maxbytes = read_sysctl("/proc/sys/kernel/keys/maxbytes");
	long maxkeys = read_sysctl("/proc/sys/kernel/keys/maxkeys");
	long tries;

	(void)state;
	if (!need_root())
		skip();
	if (maxbytes <= 0 || maxkeys <= 0) {
		print_message("[  SKIP    ] cannot read the key quota sysctls\n");
		skip();
	}
	tries = maxbytes / ECT_AUTH_TOK_SIZE < maxkeys ? maxbytes / ECT_AUTH_TOK_SIZE : maxkeys;
	if (tries > 300) {
		print_message("[  SKIP    ] user key quota too large to fill quickly (%ld keys)\n", tries);
		skip();
	}
	tries += 5;
	run(body_quota, &tries, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_and_bad_sig),
		cmocka_unit_test(test_link_user_session),
		cmocka_unit_test(test_already_present),
		cmocka_unit_test(test_revoked_session_keyring),
		cmocka_unit_test(test_mount_keys),
		cmocka_unit_test(test_mount_keys_in),
		cmocka_unit_test(test_kernel_payload_matches_fixtures),
		cmocka_unit_test(test_quota_exceeded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
