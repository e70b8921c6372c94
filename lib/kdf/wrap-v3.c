// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wrapped-passphrase version 3, this project's default:
 *
 *   ':' 0x03 kdf_id t_cost(be32) m_cost_kib(be32) lanes(be32) salt_len salt
 *   aead_id nonce[12] | AES-256-GCM(len || passphrase || zero pad to 64) tag[16]
 *
 * key = Argon2id(wrapping password, salt, t, m, lanes), 32 bytes; the header
 * (everything before the ciphertext) is the associated data. There is no
 * signature or other verifier: the only way to test a password is a full
 * Argon2id run followed by the GCM tag check. The plaintext has a fixed size,
 * so the file does not reveal the passphrase length.
 */
#include "wrap-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct v3_layout {
	struct ect_argon2_params params;
	const uint8_t *salt;
	size_t salt_len;
	const uint8_t *nonce;
	size_t head_len; /* associated data: bytes [0, head_len) */
	const uint8_t *ct;
	const uint8_t *tag;
};

static size_t v3_size(size_t salt_len)
{
	return V3_FIXED_HEAD + salt_len + 1 + V3_NONCE_SIZE + V3_PLAIN_SIZE + V3_TAG_SIZE;
}

static int v3_layout(const uint8_t *b, size_t size, struct v3_layout *l)
{
	const uint8_t *p;

	if (size < V3_FIXED_HEAD)
		return ECT_E_TRUNCATED;
	if (b[0] != ':' || b[1] != V3_VERSION)
		return ECT_E_VERSION;
	if (b[2] != V3_KDF_ARGON2ID)
		return ECT_E_UNSUPPORTED;
	l->params.t_cost = ect__get_be32(b + 3);
	l->params.m_cost_kib = ect__get_be32(b + 7);
	l->params.lanes = ect__get_be32(b + 11);
	l->salt_len = b[15];
	if (l->salt_len < V3_SALT_MIN || l->salt_len > V3_SALT_MAX)
		return ECT_E_FORMAT;
	if (size < v3_size(l->salt_len))
		return ECT_E_TRUNCATED;
	if (size > v3_size(l->salt_len))
		return ECT_E_FORMAT;
	l->salt = b + V3_FIXED_HEAD;
	p = l->salt + l->salt_len;
	if (*p != V3_AEAD_AES256_GCM)
		return ECT_E_UNSUPPORTED;
	l->nonce = p + 1;
	l->ct = l->nonce + V3_NONCE_SIZE;
	l->head_len = (size_t)(l->ct - b);
	l->tag = l->ct + V3_PLAIN_SIZE;
	return 0;
}

int ect__wrap_v3_parse(const uint8_t *blob, size_t size, struct ect_argon2_params *p)
{
	struct v3_layout l;
	int ret = v3_layout(blob, size, &l);

	if (!ret)
		*p = l.params;
	return ret;
}

static int check_wrapping_pw(const char *wrapping_pw, size_t wrapping_len)
{
	if (!wrapping_pw || !wrapping_len)
		return ECT_E_PASSPHRASE_LEN;
	/* Argon2id takes any length: v3 is not limited to eCryptfs' 64 bytes. */
	if (wrapping_len > ECT_SECRET_INPUT_MAX)
		return -EMSGSIZE;
	return 0;
}

static int gcm_open(struct ect__cipher **hd, const uint8_t *key, const uint8_t *nonce,
		    const uint8_t *head, size_t head_len)
{
	int ret;

	ret = ect__cipher_open(hd, ECT__AES256, ECT__GCM, key, V3_KEY_SIZE);
	if (ret)
		return ret;
	ret = ect__cipher_setiv(*hd, nonce, V3_NONCE_SIZE);
	if (!ret)
		ret = ect__cipher_authenticate(*hd, head, head_len);
	if (ret) {
		ect__cipher_close(*hd);
		*hd = NULL;
	}
	return ret;
}

int ect__aead_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *head, size_t head_len,
		   const uint8_t *sealed, char **passphrase, size_t *passphrase_len)
{
	struct ect__cipher *hd;
	uint8_t *plain;
	size_t len;
	int ret;

	plain = ect_secure_alloc(V3_PLAIN_SIZE);
	if (!plain)
		return ECT_E_SECMEM;
	ret = gcm_open(&hd, key, nonce, head, head_len);
	if (ret)
		goto out;
	ret = ect__cipher_decrypt(hd, plain, V3_PLAIN_SIZE, sealed, V3_PLAIN_SIZE);
	if (!ret)
		ret = ect__cipher_checktag(hd, sealed + V3_PLAIN_SIZE, V3_TAG_SIZE);
	ect__cipher_close(hd);
	if (ret == -EBADMSG) {
		/* Indistinguishable by design: wrong secret or altered file. */
		ret = ECT_E_WRONG_PASSWORD;
		goto out;
	}
	if (ret)
		goto out;
	/* Authenticated, so a bad layout here is a writer bug, not an attack. */
	len = plain[0];
	if (ect__passphrase_check((char *)plain + 1, len)) {
		ret = ECT_E_FORMAT;
		goto out;
	}
	for (size_t i = 1 + len; i < V3_PLAIN_SIZE; i++) {
		if (plain[i]) {
			ret = ECT_E_FORMAT;
			goto out;
		}
	}
	ret = ect__passphrase_out(plain + 1, len, passphrase, passphrase_len);
out:
	ect_secure_free(plain);
	return ret;
}

int ect__aead_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *head, size_t head_len,
		   const char *passphrase, size_t len, uint8_t *sealed)
{
	struct ect__cipher *hd;
	uint8_t *plain;
	int ret;

	plain = ect_secure_alloc(V3_PLAIN_SIZE);
	if (!plain)
		return ECT_E_SECMEM;
	plain[0] = (uint8_t)len;
	memcpy(plain + 1, passphrase, len);
	ret = gcm_open(&hd, key, nonce, head, head_len);
	if (ret)
		goto out;
	ret = ect__cipher_encrypt(hd, sealed, V3_PLAIN_SIZE, plain, V3_PLAIN_SIZE);
	if (!ret)
		ret = ect__cipher_gettag(hd, sealed + V3_PLAIN_SIZE, V3_TAG_SIZE);
	ect__cipher_close(hd);
out:
	ect_secure_free(plain);
	return ret;
}

int ect__unwrap_v3(const uint8_t *blob, size_t size, const char *wrapping_pw,
		   size_t wrapping_len, const struct ect_argon2_params *ceiling, char **passphrase,
		   size_t *passphrase_len, struct ect_argon2_params *p)
{
	struct v3_layout l;
	uint8_t *key = NULL;
	int ret;

	ret = v3_layout(blob, size, &l);
	if (ret)
		return ret;
	if (p)
		*p = l.params;
	/*
	 * Policy before any work: a downgraded or hostile header, or one above
	 * the caller's budget, costs nothing.
	 */
	ret = ect_argon2_params_check_ceiling(&l.params, ceiling);
	if (ret)
		return ret;
	ret = check_wrapping_pw(wrapping_pw, wrapping_len);
	if (ret)
		return ret;
	key = ect_secure_alloc(V3_KEY_SIZE);
	if (!key) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	ret = ect_argon2id(wrapping_pw, wrapping_len, l.salt, l.salt_len, &l.params, key,
			   V3_KEY_SIZE);
	if (ret)
		goto out;
	ret = ect__aead_open(key, l.nonce, blob, l.head_len, l.ct, passphrase, passphrase_len);
out:
	ect_secure_free(key);
	return ret;
}

int ect__wrap_v3(const char *passphrase, size_t len, const char *wrapping_pw,
		 size_t wrapping_len, const struct ect_argon2_params *params, uint8_t **blob,
		 size_t *size)
{
	struct ect_argon2_params p;
	size_t total = v3_size(V3_SALT_SIZE), head_len = total - V3_PLAIN_SIZE - V3_TAG_SIZE;
	uint8_t *out = NULL, *key = NULL, *salt, *nonce;
	int ret;

	ret = check_wrapping_pw(wrapping_pw, wrapping_len);
	if (!ret)
		ret = ect__crypto_init();
	if (ret)
		return ret;
	if (params) {
		p = *params;
	} else {
		ret = ect_argon2_calibrate(ECT_ARGON2_DEFAULT_MS, &p);
		if (ret)
			return ret;
	}
	/* Never write a file that our own reader would refuse. */
	ret = ect_argon2_params_check(&p);
	if (ret)
		return ret;
	out = malloc(total);
	key = ect_secure_alloc(V3_KEY_SIZE);
	if (!out || !key) {
		ret = out ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	out[0] = ':';
	out[1] = V3_VERSION;
	out[2] = V3_KDF_ARGON2ID;
	ect__put_be32(out + 3, p.t_cost);
	ect__put_be32(out + 7, p.m_cost_kib);
	ect__put_be32(out + 11, p.lanes);
	out[15] = V3_SALT_SIZE;
	salt = out + V3_FIXED_HEAD;
	salt[V3_SALT_SIZE] = V3_AEAD_AES256_GCM;
	nonce = salt + V3_SALT_SIZE + 1;
	ret = ect__random(salt, V3_SALT_SIZE, ECT__RANDOM_STRONG);
	if (!ret)
		ret = ect__random(nonce, V3_NONCE_SIZE, ECT__RANDOM_STRONG);
	if (ret)
		goto out;
	ret = ect_argon2id(wrapping_pw, wrapping_len, salt, V3_SALT_SIZE, &p, key, V3_KEY_SIZE);
	if (ret)
		goto out;
	ret = ect__aead_seal(key, nonce, out, head_len, passphrase, len, out + head_len);
	if (ret)
		goto out;
	*blob = out;
	*size = total;
	out = NULL;
out:
	free(out);
	ect_secure_free(key);
	return ret;
}
