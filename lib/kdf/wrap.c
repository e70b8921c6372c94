// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wrapped-passphrase files: version detection, v1 and v2 exactly as
 * ecryptfs-utils 111 reads and writes them (libecryptfs/key_management.c),
 * dispatch to v3, and the file forms.
 *
 * v1: sig16 || AES-128-ECB(passphrase, zero padded to 16)
 * v2: ':' 0x02 || salt8 || sig16 || AES-128-ECB(...)
 * The AES key is the first 16 bytes of the eCryptfs key derived from the
 * wrapping password; sig is that key's signature, the only password check.
 */
#include "wrap-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define AES_BLOCK 16
#define AES128_KEY 16
#define V2_HEAD (2 + ECT_SALT_SIZE + ECT_SIG_HEX_SIZE) /* 26 */
#define V1_HEAD ECT_SIG_HEX_SIZE

ECT_STATIC_ASSERT(V2_HEAD == 26, "v2 ciphertext starts at byte 26");

int ect__passphrase_check(const char *passphrase, size_t len)
{
	if (!passphrase || len < 1 || len > ECT_PASSPHRASE_MAX || memchr(passphrase, '\0', len))
		return ECT_E_PASSPHRASE_LEN;
	return 0;
}

int ect__passphrase_out(const void *src, size_t len, char **out, size_t *out_len)
{
	char *p = ect_secure_alloc(len + 1);

	if (!p)
		return ECT_E_SECMEM;
	memcpy(p, src, len);
	p[len] = '\0';
	*out = p;
	*out_len = len;
	return 0;
}

static int is_xdigit(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int ect_wrap_identify(const void *blob, size_t size, struct ect_wrap_info *info)
{
	const uint8_t *b = blob;
	struct ect_wrap_info tmp = { 0 };
	int ret;

	if (!info || (!blob && size))
		return -EINVAL;
	if (!size)
		return ECT_E_TRUNCATED;
	if (b[0] == ':') {
		if (size < 2)
			return ECT_E_TRUNCATED;
		if (b[1] == ECT_WRAP_V2) {
			tmp.version = ECT_WRAP_V2;
		} else if (b[1] == V3_VERSION) {
			tmp.version = ECT_WRAP_V3;
			ret = ect__wrap_v3_parse(b, size, &tmp.params);
			if (ret)
				return ret;
		} else {
			return ECT_E_VERSION;
		}
	} else {
		/* ecryptfs-utils: unversioned files are v1 when 16 hex digits start them. */
		for (size_t i = 0; i < size && i < ECT_SIG_HEX_SIZE; i++)
			if (!is_xdigit(b[i]))
				return ECT_E_FORMAT;
		if (size < ECT_SIG_HEX_SIZE)
			return ECT_E_TRUNCATED;
		tmp.version = ECT_WRAP_V1;
	}
	*info = tmp;
	return 0;
}

/* AES-128-ECB with the first 16 bytes of key, in a secure-memory handle. */
static int aes128_ecb(const uint8_t key[ECT_KEY_SIZE], int encrypt, uint8_t *out, const uint8_t *in,
		      size_t size)
{
	struct ect__cipher *hd;
	int ret;

	ret = ect__cipher_open(&hd, ECT__AES128, ECT__ECB, key, AES128_KEY);
	if (ret)
		return ret;
	ret = encrypt ? ect__cipher_encrypt(hd, out, size, in, size)
		      : ect__cipher_decrypt(hd, out, size, in, size);
	ect__cipher_close(hd);
	return ret;
}

/* The key and signature of wrapping_pw with salt, as generate_passphrase_sig(). */
static int wrapping_key(const char *wrapping_pw, size_t wrapping_len, const uint8_t *salt,
			uint8_t **key, char sig[ECT_SIG_HEX_SIZE + 1])
{
	int ret;

	*key = ect_secure_alloc(ECT_KEY_SIZE);
	if (!*key)
		return ECT_E_SECMEM;
	ret = ect_derive_key(wrapping_pw, wrapping_len, salt, *key);
	if (!ret)
		ret = ect_key_signature(*key, sig);
	if (ret) {
		ect_secure_free(*key);
		*key = NULL;
	}
	return ret;
}

/*
 * v1 and v2 share everything after the header. Like 111, read at most 64
 * ciphertext bytes and ignore the rest; decrypt into a NUL-filled buffer and
 * take the C string.
 */
static int unwrap_ecb(const uint8_t *stored_sig, const uint8_t *salt, const uint8_t *ct,
		      size_t ct_len, const char *wrapping_pw, size_t wrapping_len, char **passphrase,
		      size_t *passphrase_len)
{
	char sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t *key = NULL, *plain = NULL;
	size_t len;
	int ret;

	if (!ct_len)
		return ECT_E_TRUNCATED;
	if (ct_len > ECT_PASSPHRASE_MAX)
		ct_len = ECT_PASSPHRASE_MAX;
	if (ct_len % AES_BLOCK)
		return ECT_E_FORMAT;
	ret = wrapping_key(wrapping_pw, wrapping_len, salt, &key, sig);
	if (ret)
		return ret;
	if (ect_memcmp_const(sig, stored_sig, ECT_SIG_HEX_SIZE)) {
		ret = ECT_E_WRONG_PASSWORD;
		goto out;
	}
	plain = ect_secure_alloc(ECT_PASSPHRASE_MAX + 1);
	if (!plain) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	ret = aes128_ecb(key, 0, plain, ct, ct_len);
	if (ret)
		goto out;
	len = strnlen((char *)plain, ct_len);
	if (!len) {
		ret = ECT_E_FORMAT; /* the right password, but nothing wrapped */
		goto out;
	}
	ret = ect__passphrase_out(plain, len, passphrase, passphrase_len);
out:
	ect_secure_free(plain);
	ect_secure_free(key);
	ect_wipe(sig, sizeof(sig));
	return ret;
}

int ect_unwrap(const void *blob, size_t size, const char *wrapping_pw, size_t wrapping_len,
	       const uint8_t *v1_salt, char **passphrase, size_t *passphrase_len,
	       struct ect_wrap_info *info)
{
	return ect_unwrap_capped(blob, size, wrapping_pw, wrapping_len, v1_salt, NULL, passphrase,
				 passphrase_len, info);
}

int ect_unwrap_capped(const void *blob, size_t size, const char *wrapping_pw, size_t wrapping_len,
		      const uint8_t *v1_salt, const struct ect_argon2_params *ceiling,
		      char **passphrase, size_t *passphrase_len, struct ect_wrap_info *info)
{
	const uint8_t *b = blob;
	struct ect_wrap_info id;
	char *out = NULL;
	size_t out_len = 0;
	int ret;

	if (!passphrase || !passphrase_len)
		return -EINVAL;
	*passphrase = NULL;
	*passphrase_len = 0;
	ret = ect_wrap_identify(blob, size, &id);
	if (ret)
		return ret;
	if (info)
		*info = id;
	switch (id.version) {
	case ECT_WRAP_V1:
		ret = unwrap_ecb(b, v1_salt ? v1_salt : ect_default_salt, b + V1_HEAD,
				 size - V1_HEAD, wrapping_pw, wrapping_len, &out, &out_len);
		break;
	case ECT_WRAP_V2:
		if (size < V2_HEAD + 1) {
			ret = ECT_E_TRUNCATED;
			break;
		}
		ret = unwrap_ecb(b + 2 + ECT_SALT_SIZE, b + 2, b + V2_HEAD, size - V2_HEAD,
				 wrapping_pw, wrapping_len, &out, &out_len);
		break;
	case ECT_WRAP_V3:
		ret = ect__unwrap_v3(b, size, wrapping_pw, wrapping_len, ceiling, &out, &out_len,
				     NULL);
		break;
	default:
		ret = ECT_E_VERSION;
		break;
	}
	if (ret)
		return ret;
	*passphrase = out;
	*passphrase_len = out_len;
	return 0;
}

static int wrap_v2(const char *passphrase, size_t len, const char *wrapping_pw,
		   size_t wrapping_len, uint8_t **blob, size_t *size)
{
	uint8_t salt[ECT_SALT_SIZE];
	char sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t *key = NULL, *plain = NULL, *out = NULL;
	size_t padded = (len + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK;
	int ret;

	ret = ect__crypto_init();
	if (ret)
		return ret;
	/* A fresh salt per wrap, as 111 reads from /dev/urandom. */
	ret = ect__random(salt, sizeof(salt), ECT__RANDOM_STRONG);
	if (ret)
		return ret;
	ret = wrapping_key(wrapping_pw, wrapping_len, salt, &key, sig);
	if (ret)
		return ret;
	plain = ect_secure_alloc(ECT_PASSPHRASE_MAX);
	out = malloc(V2_HEAD + padded);
	if (!plain || !out) {
		ret = plain ? -ENOMEM : ECT_E_SECMEM;
		goto out;
	}
	memcpy(plain, passphrase, len);
	out[0] = ':';
	out[1] = ECT_WRAP_V2;
	memcpy(out + 2, salt, ECT_SALT_SIZE);
	memcpy(out + 2 + ECT_SALT_SIZE, sig, ECT_SIG_HEX_SIZE);
	ret = aes128_ecb(key, 1, out + V2_HEAD, plain, padded);
	if (ret)
		goto out;
	*blob = out;
	*size = V2_HEAD + padded;
	out = NULL;
out:
	free(out);
	ect_secure_free(plain);
	ect_secure_free(key);
	return ret;
}

int ect_wrap(enum ect_wrap_version version, const char *passphrase, size_t len,
	     const char *wrapping_pw, size_t wrapping_len, const struct ect_argon2_params *params,
	     uint8_t **blob, size_t *size)
{
	int ret;

	if (!blob || !size)
		return -EINVAL;
	*blob = NULL;
	*size = 0;
	ret = ect__passphrase_check(passphrase, len);
	if (ret)
		return ret;
	switch (version) {
	case ECT_WRAP_V2:
		return wrap_v2(passphrase, len, wrapping_pw, wrapping_len, blob, size);
	case ECT_WRAP_V3:
		return ect__wrap_v3(passphrase, len, wrapping_pw, wrapping_len, params, blob, size);
	default:
		return ECT_E_VERSION; /* v1 is read-only: its salt is shared by everyone */
	}
}

int ect_unwrap_file(const char *path, const char *wrapping_pw, size_t wrapping_len,
		    const uint8_t *v1_salt, char **passphrase, size_t *passphrase_len,
		    struct ect_wrap_info *info)
{
	return ect_unwrap_file_capped(path, wrapping_pw, wrapping_len, v1_salt, NULL, passphrase,
				      passphrase_len, info);
}

int ect_unwrap_file_capped(const char *path, const char *wrapping_pw, size_t wrapping_len,
			   const uint8_t *v1_salt, const struct ect_argon2_params *ceiling,
			   char **passphrase, size_t *passphrase_len, struct ect_wrap_info *info)
{
	void *data = NULL;
	size_t size = 0;
	int ret;

	if (!path || !passphrase || !passphrase_len)
		return -EINVAL;
	*passphrase = NULL;
	*passphrase_len = 0;
	ret = ect_read_file(path, ECT_WRAP_FILE_MAX, 0, &data, &size);
	if (ret)
		return ret;
	ret = ect_unwrap_capped(data, size, wrapping_pw, wrapping_len, v1_salt, ceiling, passphrase,
				passphrase_len, info);
	free(data);
	return ret;
}

int ect_wrap_file(const char *path, enum ect_wrap_version version, const char *passphrase,
		  size_t len, const char *wrapping_pw, size_t wrapping_len,
		  const struct ect_argon2_params *params, uid_t uid, gid_t gid)
{
	uint8_t *blob = NULL;
	size_t size = 0;
	int ret;

	if (!path)
		return -EINVAL;
	ret = ect_wrap(version, passphrase, len, wrapping_pw, wrapping_len, params, &blob, &size);
	if (ret)
		return ret;
	ret = ect_write_file_atomic(path, blob, size, 0600, uid, gid);
	free(blob);
	return ret;
}
