// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The eCryptfs key derivation of ecryptfs-utils 111 (generate_passphrase_sig
 * in libecryptfs/main.c): key = SHA-512^65536(salt || passphrase) and
 * sig = hex(SHA-512(key)[0..7]). Salts, signature syntax.
 */
#include "ect-internal.h"

#include <errno.h>
#include <string.h>

#define SHA512_SIZE 64

ECT_STATIC_ASSERT(ECT_KEY_SIZE == SHA512_SIZE, "the eCryptfs key is one SHA-512 digest");

const uint8_t ect_default_salt[ECT_SALT_SIZE] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };

/* ecryptfs-utils memcpy()s the first 8 bytes of the string "9988776655443322". */
const uint8_t ect_fnek_salt[ECT_SALT_SIZE] = { '9', '9', '8', '8', '7', '7', '6', '6' };

int ect_derive_key(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
		   uint8_t key[ECT_KEY_SIZE])
{
	uint8_t *buf;
	size_t buf_size = ECT_SALT_SIZE + ECT_PASSPHRASE_MAX + 2 * SHA512_SIZE;
	uint8_t *input, *a, *b;
	int ret;

	/* ecryptfs-utils hashes a C string: an embedded NUL would cut it short. */
	if (!passphrase || len < 1 || len > ECT_PASSPHRASE_MAX || memchr(passphrase, '\0', len))
		return ECT_E_PASSPHRASE_LEN;
	if (!salt || !key)
		return -EINVAL;
	ret = ect__crypto_init();
	if (ret)
		return ret;
	/* Every intermediate digest is as secret as the key: keep them locked. */
	buf = ect_secure_alloc(buf_size);
	if (!buf)
		return ECT_E_SECMEM;
	input = buf;
	a = buf + ECT_SALT_SIZE + ECT_PASSPHRASE_MAX;
	b = a + SHA512_SIZE;
	memcpy(input, salt, ECT_SALT_SIZE);
	memcpy(input + ECT_SALT_SIZE, passphrase, len);
	(void)ect__hash(ECT__SHA512, a, input, ECT_SALT_SIZE + len); /* initialised above */
	for (unsigned int i = 1; i < ECT_HASH_ITERATIONS; i++) {
		uint8_t *t;

		(void)ect__hash(ECT__SHA512, b, a, SHA512_SIZE);
		t = a;
		a = b;
		b = t;
	}
	memcpy(key, a, ECT_KEY_SIZE);
	ect_secure_free(buf);
	return 0;
}

int ect_key_signature(const uint8_t key[ECT_KEY_SIZE], char sig[ECT_SIG_HEX_SIZE + 1])
{
	uint8_t digest[SHA512_SIZE];
	int ret;

	if (!key || !sig)
		return -EINVAL;
	ret = ect__hash(ECT__SHA512, digest, key, ECT_KEY_SIZE);
	if (ret)
		return ret;
	ect__hex_encode(digest, ECT_SIG_SIZE, sig);
	ect_wipe(digest, sizeof(digest));
	return 0;
}

int ect_salt_from_hex(const char *hex, uint8_t salt[ECT_SALT_SIZE])
{
	if (!hex || !salt || strlen(hex) != 2 * ECT_SALT_SIZE)
		return -EINVAL;
	return ect__hex_decode(hex, salt, ECT_SALT_SIZE);
}

int ect_sig_check(const char *sig)
{
	if (!sig)
		return ECT_E_BAD_SIG;
	for (size_t i = 0; i < ECT_SIG_HEX_SIZE; i++) {
		char c = sig[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return ECT_E_BAD_SIG;
	}
	return sig[ECT_SIG_HEX_SIZE] == '\0' ? 0 : ECT_E_BAD_SIG;
}

int ect__sig_lower(const char *in, char out[ECT_SIG_HEX_SIZE + 1])
{
	if (!in || strnlen(in, ECT_SIG_HEX_SIZE + 1) != ECT_SIG_HEX_SIZE)
		return ECT_E_BAD_SIG;
	for (size_t i = 0; i < ECT_SIG_HEX_SIZE; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'F') ? (char)(in[i] - 'A' + 'a') : in[i];
	out[ECT_SIG_HEX_SIZE] = '\0';
	return ect_sig_check(out);
}
