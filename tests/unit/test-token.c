// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token protectors against a real SoftHSM2 token reached through NSS:
 * records (each policy, wrong PIN, wrong password, missing token, wrong
 * key type, altered bytes, unsafe module) and the user's list file.
 * Exits 77 (skip) only when SoftHSM2 is not installed.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "token-fixtures.h"

#define PASS "0123456789abcdef0123456789abcdef"
#define LOGIN "login password"
#define ECT_ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

static struct token_fixture fx;

/* What the PIN callback hands out, and how often it was asked. */
struct pin_answer {
	const char *pin;
	int calls;
	unsigned int flags;
	char label[64];
};

static int pin_cb(void *arg, const char *label, unsigned int flags, char **pin, size_t *len)
{
	struct pin_answer *a = arg;

	a->calls++;
	a->flags = flags;
	snprintf(a->label, sizeof(a->label), "%s", label);
	if (!a->pin)
		return -ECANCELED;
	*pin = ect_secure_strndup(a->pin, 64);
	*len = strlen(a->pin);
	return *pin ? 0 : -ENOMEM;
}

static struct ect_argon2_params floor_params(void)
{
	struct ect_argon2_params p;

	ect_argon2_params_floor(&p);
	return p;
}

static void wrap_ok(const char *uri, enum ect_token_policy policy, const char *pw, uint8_t **rec,
		    size_t *size)
{
	struct ect_argon2_params p = floor_params();

	assert_int_equal(ect_token_wrap(uri, policy, PASS, strlen(PASS), pw, pw ? strlen(pw) : 0,
					&p, rec, size),
			 0);
}

static int unwrap(const uint8_t *rec, size_t size, struct pin_answer *a, const char *pw,
		  char **out)
{
	size_t len = 0;

	*out = NULL;
	return ect_token_unwrap(rec, size, pin_cb, a, pw, pw ? strlen(pw) : 0, NULL, out, &len);
}

static void test_alone_roundtrip(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ect_token_info info;
	uint8_t *rec;
	size_t size;
	char *out;

	wrap_ok(TOKEN_URI_RSA, ECT_TOKEN_ALONE, NULL, &rec, &size);
	assert_int_equal(ect_token_parse(rec, size, &info), 0);
	assert_int_equal(info.policy, ECT_TOKEN_ALONE);
	assert_int_equal(info.mech, ECT_TOKEN_RSA_OAEP_SHA1);
	assert_string_equal(info.uri, TOKEN_URI_RSA);
	assert_string_equal(info.key_id, "01");
	/* Wrapping needs the public key only: no PIN asked. */
	assert_int_equal(a.calls, 0);
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), 0);
	assert_int_equal(a.calls, 1);
	assert_string_equal(a.label, TOKEN_LABEL);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	free(rec);
}

static void test_wrong_pin(void **state)
{
	struct pin_answer bad = { .pin = "9999" }, good = { .pin = TOKEN_PIN }, none = { 0 };
	uint8_t *rec;
	size_t size;
	char *out;

	wrap_ok(TOKEN_URI_RSA, ECT_TOKEN_ALONE, NULL, &rec, &size);
	assert_int_equal(unwrap(rec, size, &bad, NULL, &out), ECT_E_WRONG_PIN);
	/* Asked once, never retried by the library. */
	assert_int_equal(bad.calls, 1);
	assert_null(out);
	assert_int_equal(unwrap(rec, size, &none, NULL, &out), -ECANCELED);
	/* A good PIN still works: the token's counter was not exhausted. */
	assert_int_equal(unwrap(rec, size, &good, NULL, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	free(rec);
}

static void test_and_password(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ect_token_info info;
	uint8_t *rec;
	size_t size;
	char *out;

	wrap_ok(TOKEN_URI_RSA, ECT_TOKEN_AND_PASSWORD, LOGIN, &rec, &size);
	assert_int_equal(ect_token_parse(rec, size, &info), 0);
	assert_int_equal(info.policy, ECT_TOKEN_AND_PASSWORD);
	assert_int_equal(unwrap(rec, size, &a, LOGIN, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	/* The token alone does not open it, nor the wrong password. */
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_PASSPHRASE_LEN);
	assert_int_equal(unwrap(rec, size, &a, "not the password", &out), ECT_E_WRONG_PASSWORD);
	assert_null(out);
	/* The password alone cannot: the token must decrypt (wrong PIN here). */
	a.pin = "0000";
	assert_int_equal(unwrap(rec, size, &a, LOGIN, &out), ECT_E_WRONG_PIN);
	free(rec);
	/* An AND record is never written without a password. */
	assert_int_equal(ect_token_wrap(TOKEN_URI_RSA, ECT_TOKEN_AND_PASSWORD, PASS, strlen(PASS),
					NULL, 0, NULL, &rec, &size),
			 ECT_E_PASSPHRASE_LEN);
	assert_null(rec);
}

static void test_bad_uris(void **state)
{
	static const char *const bad[] = {
		"pkcs11:token=" TOKEN_LABEL ";id=%01",		 /* no module-path */
		"pkcs11:token=" TOKEN_LABEL TOKEN_URI_Q,	 /* no key */
		"pkcs11:token=x;id=%0" TOKEN_URI_Q,		 /* cut escape */
		"pkcs11:token=x;id=%01" TOKEN_URI_Q "&pin-value=1234", /* a PIN in a file */
		"pkcs11:token=x;colour=red;id=%01" TOKEN_URI_Q,	 /* unknown attribute */
		"file:///x",
		"pkcs11:token=a b;id=%01" TOKEN_URI_Q,			 /* a space */
	};
	uint8_t *rec = NULL;
	size_t size;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ect_token_wrap(bad[i], ECT_TOKEN_ALONE, PASS, strlen(PASS), NULL,
						0, NULL, &rec, &size),
				 ECT_E_TOKEN_URI);
	assert_null(rec);
}

static void test_missing_token_and_key(void **state)
{
	uint8_t *rec = NULL;
	size_t size;

	assert_int_equal(ect_token_wrap("pkcs11:token=no-such-token;id=%01" TOKEN_URI_Q,
					ECT_TOKEN_ALONE, PASS, strlen(PASS), NULL, 0, NULL, &rec,
					&size),
			 ECT_E_TOKEN_MISSING);
	assert_int_equal(ect_token_wrap(TOKEN_URI_BASE ";id=%77" TOKEN_URI_Q, ECT_TOKEN_ALONE,
					PASS, strlen(PASS), NULL, 0, NULL, &rec, &size),
			 ECT_E_TOKEN_KEY);
	/* An EC key on a curve records do not support (P-521) is the wrong type. */
	assert_int_equal(ect_token_wrap(TOKEN_URI_EC521, ECT_TOKEN_ALONE, PASS, strlen(PASS), NULL,
					0, NULL, &rec, &size),
			 ECT_E_TOKEN_KEY);
	assert_null(rec);
}

static void test_token_pulled(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	char away[128];
	uint8_t *rec;
	size_t size;
	char *out;

	wrap_ok(TOKEN_URI_RSA, ECT_TOKEN_ALONE, NULL, &rec, &size);
	snprintf(away, sizeof(away), "%s.away", fx.tokens);
	assert_int_equal(rename(fx.tokens, away), 0);
	assert_int_equal(mkdir(fx.tokens, 0700), 0);
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_TOKEN_MISSING);
	assert_int_equal(a.calls, 0);
	assert_int_equal(rmdir(fx.tokens), 0);
	assert_int_equal(rename(away, fx.tokens), 0);
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), 0);
	ect_secure_free_str(out);
	free(rec);
}

/* ---- RSA records of an older library open byte for byte ---- */

#define OLD_DIR ECT_FIXTURES_DEFAULT "/token-rsa-v1/"
#define OLD_URI TOKEN_URI_BASE ";id=%05" TOKEN_URI_Q

static void old_key_import(void)
{
	static const char *const kinds[][2] = { { "privkey", OLD_DIR "old-rsa-priv.der" },
						{ "pubkey", OLD_DIR "old-rsa-pub.der" } };

	for (size_t i = 0; i < 2; i++) {
		const char *argv[] = { "pkcs11-tool", "--module", TOKEN_MODULE, "--token-label",
				       TOKEN_LABEL, "--login", "--pin", TOKEN_PIN, "--write-object",
				       kinds[i][1], "--type", kinds[i][0], "--id", "05", "--label",
				       "old-rsa", NULL };

		assert_int_equal(token_fixture_run(argv), 0);
	}
}

static void test_old_rsa_records(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ect_token_info info;
	void *alone, *and;
	uint8_t *fresh;
	size_t alone_size, and_size, fresh_size;
	char *out;

	old_key_import();
	assert_int_equal(ect_read_file(OLD_DIR "rsa-alone.rec", 4096, 0, &alone, &alone_size), 0);
	assert_int_equal(ect_read_file(OLD_DIR "rsa-and.rec", 4096, 0, &and, &and_size), 0);
	assert_int_equal(ect_token_parse(alone, alone_size, &info), 0);
	assert_int_equal(info.mech, ECT_TOKEN_RSA_OAEP_SHA1);
	assert_string_equal(info.mech_name, "RSA-OAEP");
	assert_string_equal(info.key_id, "05");
	assert_string_equal(info.uri, OLD_URI);
	assert_int_equal(unwrap(alone, alone_size, &a, NULL, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	assert_int_equal(unwrap(and, and_size, &a, LOGIN, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	/* what is written now for that key has the old layout: same head, same size */
	wrap_ok(OLD_URI, ECT_TOKEN_ALONE, NULL, &fresh, &fresh_size);
	assert_int_equal(fresh_size, alone_size);
	assert_memory_equal(fresh, alone, 3 + 2 + strlen(OLD_URI) + 1 + 1 + 2);
	free(fresh);
	free(alone);
	free(and);
}

/* ---- ECDH: EC keys on P-256 and P-384 ---- */

/* The offsets of an ECDH record of uri (policy 1): mechanism, id, curve, point, ... */
struct ec_offsets {
	size_t mech, id, curve, point, nonce;
};

static struct ec_offsets ec_offsets(const char *uri, size_t field)
{
	size_t id = 3 + 2 + strlen(uri) + 1;

	/* id (1 byte), wrapped length (2), curve (1), point (1 + 2 * field), aead id (1) */
	return (struct ec_offsets){ .mech = 2, .id = id, .curve = id + 1 + 2,
				    .point = id + 1 + 2 + 1,
				    .nonce = id + 1 + 2 + 1 + 1 + 2 * field + 1 };
}

static void ec_roundtrip(const char *uri, size_t field, const char *mech_name)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ect_token_info info;
	uint8_t *rec, *rec2;
	size_t size, size2;
	char *out;

	wrap_ok(uri, ECT_TOKEN_ALONE, NULL, &rec, &size);
	assert_int_equal(a.calls, 0); /* the token's public key only */
	assert_int_equal(ect_token_parse(rec, size, &info), 0);
	assert_int_equal(info.mech, ECT_TOKEN_ECDH_HKDF_SHA256);
	assert_string_equal(info.mech_name, mech_name);
	/* nonce, then 1 + 64 bytes (length, passphrase, padding) sealed, tag */
	assert_int_equal(size, ec_offsets(uri, field).nonce + 12 + 65 + 16);
	assert_int_equal(rec[ec_offsets(uri, field).point], 0x04);
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), 0);
	assert_int_equal(a.calls, 1);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	/* A fresh ephemeral key each time: two records share no point. */
	wrap_ok(uri, ECT_TOKEN_ALONE, NULL, &rec2, &size2);
	assert_int_equal(size2, size);
	assert_memory_not_equal(rec + ec_offsets(uri, field).point,
				rec2 + ec_offsets(uri, field).point, 1 + 2 * field);
	free(rec2);
	free(rec);
}

static void test_ec_p256(void **state)
{
	ec_roundtrip(TOKEN_URI_EC, 32, "ECDH P-256");
}

static void test_ec_p384(void **state)
{
	ec_roundtrip(TOKEN_URI_EC384, 48, "ECDH P-384");
}

static void test_ec_and_password(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN }, bad = { .pin = "9999" };
	uint8_t *rec;
	size_t size;
	char *out;

	wrap_ok(TOKEN_URI_EC, ECT_TOKEN_AND_PASSWORD, LOGIN, &rec, &size);
	assert_int_equal(unwrap(rec, size, &a, LOGIN, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	assert_int_equal(unwrap(rec, size, &a, "not the password", &out), ECT_E_WRONG_PASSWORD);
	assert_int_equal(unwrap(rec, size, &bad, LOGIN, &out), ECT_E_WRONG_PIN);
	assert_int_equal(bad.calls, 1);
	assert_null(out);
	free(rec);
}

/* Each field of an ECDH record is bound, and a malformed one is refused cleanly. */
static void test_ec_tamper(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ec_offsets o = ec_offsets(TOKEN_URI_EC, 32);
	struct ect_token_info info;
	uint8_t *rec, *p384;
	size_t size, p384_size;
	char *out;
	int ret;

	wrap_ok(TOKEN_URI_EC, ECT_TOKEN_ALONE, NULL, &rec, &size);
	/* a URI byte (its token label), the id, a point byte, its last byte, nonce, tag */
	const size_t flip[] = { 3 + 2 + strlen("pkcs11:token=e"), o.id, o.point + 5, o.nonce - 2,
				o.nonce + 1, size - 1 };

	for (size_t i = 0; i < ECT_ARRAY_SIZE_T(flip); i++) {
		rec[flip[i]] ^= 0x01;
		ret = unwrap(rec, size, &a, NULL, &out);
		/* altered label: no such token; altered point: off the curve or another S */
		assert_true(ret == ECT_E_WRONG_PASSWORD || ret == ECT_E_TOKEN_KEY ||
			    ret == ECT_E_TOKEN_MISSING);
		assert_null(out);
		rec[flip[i]] ^= 0x01;
	}
	/* mechanism RSA on an EC record: the EC point is no OAEP ciphertext */
	rec[o.mech] = ECT_TOKEN_RSA_OAEP_SHA1;
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_TOKEN_KEY);
	rec[o.mech] = 0x7f;
	assert_int_equal(ect_token_parse(rec, size, &info), ECT_E_UNSUPPORTED);
	rec[o.mech] = ECT_TOKEN_ECDH_HKDF_SHA256;
	/* an unknown curve, a curve whose size the point does not have, a compressed point */
	rec[o.curve] = 0x09;
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_UNSUPPORTED);
	rec[o.curve] = 0x02;
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_FORMAT);
	rec[o.curve] = 0x01;
	rec[o.point] = 0x02;
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_FORMAT);
	rec[o.point] = 0x04;
	/* the P-256 key's record relabelled P-384 with a P-384 point: the key's curve differs */
	wrap_ok(TOKEN_URI_EC384, ECT_TOKEN_ALONE, NULL, &p384, &p384_size);
	{
		struct ec_offsets q = ec_offsets(TOKEN_URI_EC384, 48);
		uint8_t *mix = malloc(p384_size);

		assert_non_null(mix);
		memcpy(mix, p384, p384_size);
		mix[q.id] = 0x02; /* the P-256 key's id (URI aside: same length) */
		assert_int_equal(unwrap(mix, p384_size, &a, NULL, &out), ECT_E_TOKEN_KEY);
		free(mix);
	}
	assert_null(out);
	assert_int_equal(a.calls > 0, 1);
	/* after all that the record still opens: nothing was lost */
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	free(p384);
	free(rec);
}

/* Every byte is bound: a flip anywhere fails, and never yields a passphrase. */
static void test_tamper(void **state)
{
	struct pin_answer a = { .pin = TOKEN_PIN };
	uint8_t *rec;
	size_t size;
	char *out;
	int ret;

	wrap_ok(TOKEN_URI_RSA, ECT_TOKEN_ALONE, NULL, &rec, &size);
	/* the id, a wrapped-key byte, the nonce, the ciphertext, the tag */
	const size_t at[] = { 3 + 2 + strlen(TOKEN_URI_RSA) + 1, 3 + 2 + strlen(TOKEN_URI_RSA) + 5,
			      size - 81 - 5, size - 40, size - 1 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		rec[at[i]] ^= 0x01;
		ret = unwrap(rec, size, &a, NULL, &out);
		assert_true(ret == ECT_E_WRONG_PASSWORD || ret == ECT_E_TOKEN_KEY);
		assert_null(out);
		rec[at[i]] ^= 0x01;
	}
	assert_int_equal(unwrap(rec, size - 1, &a, NULL, &out), ECT_E_TRUNCATED);
	assert_int_equal(ect_token_parse(rec, 2, &(struct ect_token_info){ 0 }), ECT_E_TRUNCATED);
	rec[0] = 0x09;
	assert_int_equal(unwrap(rec, size, &a, NULL, &out), ECT_E_VERSION);
	free(rec);
}

static void test_unsafe_module(void **state)
{
	char copy[160], uri[512];
	uint8_t *rec = NULL;
	size_t size;
	const char *cp[] = { "cp", TOKEN_MODULE, copy, NULL };

	/* /tmp is writable by everyone: a module there could be anyone's. */
	snprintf(copy, sizeof(copy), "%s/module.so", fx.dir);
	assert_int_equal(token_fixture_run(cp), 0);
	snprintf(uri, sizeof(uri), TOKEN_URI_BASE ";id=%%01?module-path=%s", copy);
	assert_int_equal(ect_token_wrap(uri, ECT_TOKEN_ALONE, PASS, strlen(PASS), NULL, 0, NULL,
					&rec, &size),
			 ECT_E_UNSAFE_PATH);
	assert_null(rec);
}

/* ---- the user's list file ---- */

struct cfg {
	char dir[64];
	struct ect_user_dirs d;
};

static void cfg_make(struct cfg *c)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/ect-tokcfg-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	c->d = (struct ect_user_dirs){ .config_fd = open(c->dir, O_RDONLY | O_DIRECTORY),
				       .home_fd = -1, .uid = geteuid(), .gid = getegid() };
	assert_true(c->d.config_fd >= 0);
}

static void cfg_remove(struct cfg *c)
{
	(void)unlinkat(c->d.config_fd, ECT_TOKEN_FILE, 0);
	(void)unlinkat(c->d.config_fd, ECT_WRAPPED_PASSPHRASE_FILE, 0);
	close(c->d.config_fd);
	assert_int_equal(rmdir(c->dir), 0);
}

static void test_user_list(void **state)
{
	struct ect_argon2_params p = floor_params();
	struct pin_answer a = { .pin = TOKEN_PIN };
	struct ect_token_info infos[ECT_TOKEN_MAX];
	struct cfg c;
	uint8_t *blob;
	size_t n, idx, len, blob_size;
	char *out;

	cfg_make(&c);
	assert_int_equal(ect_token_list_user(&c.d, infos, ECT_TOKEN_MAX, &n), 0);
	assert_int_equal(n, 0);
	/* token OR password: a token-alone record next to wrapped-passphrase */
	assert_int_equal(ect_wrap(ECT_WRAP_V3, PASS, strlen(PASS), LOGIN, strlen(LOGIN), &p, &blob,
				  &blob_size),
			 0);
	assert_int_equal(ect_write_file_atomic_at(c.d.config_fd, ECT_WRAPPED_PASSPHRASE_FILE, blob,
						  blob_size, 0600, (uid_t)-1, (gid_t)-1),
			 0);
	free(blob);
	assert_int_equal(ect_token_enrol_user(&c.d, TOKEN_URI_RSA, ECT_TOKEN_ALONE, PASS,
					      strlen(PASS), NULL, 0, NULL, &idx),
			 0);
	assert_int_equal(idx, 0);
	assert_int_equal(ect_token_enrol_user(&c.d, TOKEN_URI_RSA, ECT_TOKEN_AND_PASSWORD, PASS,
					      strlen(PASS), LOGIN, strlen(LOGIN), &p, &idx),
			 0);
	assert_int_equal(idx, 1);
	assert_int_equal(ect_token_list_user(&c.d, infos, ECT_TOKEN_MAX, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(infos[0].policy, ECT_TOKEN_ALONE);
	assert_int_equal(infos[1].policy, ECT_TOKEN_AND_PASSWORD);
	assert_int_equal(ect_token_unwrap_user(&c.d, 1, pin_cb, &a, LOGIN, strlen(LOGIN), NULL,
					       &out, &len),
			 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	/* token alone: drop the password protector, then the AND record */
	assert_int_equal(ect_token_remove_user(&c.d, ECT_TOKEN_PASSWORD), 0);
	assert_int_equal(ect_token_remove_user(&c.d, ECT_TOKEN_PASSWORD), -ENOENT);
	assert_int_equal(ect_token_remove_user(&c.d, 5), -ENOENT);
	assert_int_equal(ect_token_remove_user(&c.d, 1), 0);
	/* The last protector stays. */
	assert_int_equal(ect_token_remove_user(&c.d, 0), ECT_E_LAST_PROTECTOR);
	assert_int_equal(ect_token_list_user(&c.d, infos, ECT_TOKEN_MAX, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ect_token_unwrap_user(&c.d, 0, pin_cb, &a, NULL, 0, NULL, &out, &len), 0);
	assert_string_equal(out, PASS);
	ect_secure_free_str(out);
	cfg_remove(&c);
}

static void test_user_corrupt(void **state)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	struct cfg c;
	size_t n;

	cfg_make(&c);
	assert_int_equal(ect_write_file_atomic_at(c.d.config_fd, ECT_TOKEN_FILE, "ECTK\x01\x01\x00",
						  7, 0600, (uid_t)-1, (gid_t)-1),
			 0);
	assert_int_equal(ect_token_list_user(&c.d, infos, ECT_TOKEN_MAX, &n), ECT_E_TRUNCATED);
	assert_int_equal(ect_write_file_atomic_at(c.d.config_fd, ECT_TOKEN_FILE, "XXXX\x01\x00", 6,
						  0600, (uid_t)-1, (gid_t)-1),
			 0);
	assert_int_equal(ect_token_list_user(&c.d, infos, ECT_TOKEN_MAX, &n), ECT_E_FORMAT);
	/* Bad input loses nothing: the file is still there for a human to look at. */
	assert_int_equal(faccessat(c.d.config_fd, ECT_TOKEN_FILE, F_OK, 0), 0);
	cfg_remove(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alone_roundtrip),
		cmocka_unit_test(test_wrong_pin),
		cmocka_unit_test(test_and_password),
		cmocka_unit_test(test_bad_uris),
		cmocka_unit_test(test_missing_token_and_key),
		cmocka_unit_test(test_token_pulled),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_old_rsa_records),
		cmocka_unit_test(test_ec_p256),
		cmocka_unit_test(test_ec_p384),
		cmocka_unit_test(test_ec_and_password),
		cmocka_unit_test(test_ec_tamper),
		cmocka_unit_test(test_unsafe_module),
		cmocka_unit_test(test_user_list),
		cmocka_unit_test(test_user_corrupt),
	};
	int ret;

	if (!token_fixture_available()) {
		printf("SKIP: SoftHSM2 is not installed (Debian: softhsm2)\n");
		return 77;
	}
	if (token_fixture_make(&fx)) {
		token_fixture_remove(&fx);
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	token_fixture_remove(&fx);
	return ret;
}
