// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token records (man/ecryptfs-wrapped-passphrase.5 documents them byte by
 * byte):
 *
 *   0x01 policy mech uri_len(be16) uri id_len id wrapped_len(be16) wrapped
 *   [policy 2: 0x01 t(be32) m_kib(be32) lanes(be32) salt_len salt]
 *   aead_id nonce[12] | AES-256-GCM(len || passphrase || zero pad) tag[16]
 *
 * A fresh 32-byte secret S is wrapped on the token (RSA-OAEP), or (an EC
 * key) is the HKDF of an ECDH between the token's key and an ephemeral one
 * whose public point the record keeps in place of the wrapped bytes. The AEAD key
 * is HMAC-SHA256(S, label || policy [|| Argon2id(password)]), so an AND
 * record needs both the token and the password. Everything before the
 * ciphertext is the associated data: the URI, key id, mechanism, policy
 * and wrapped secret cannot be swapped without breaking the tag.
 */
#include "token-internal.h"
#include "../kdf/wrap-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_VERSION 0x01
#define REC_KDF_ARGON2ID 0x01
#define REC_AEAD_AES256_GCM 0x01
#define KEK_LABEL "ecryptfs-tools token record v1"
#define ECDH_LABEL "ecryptfs-tools token ecdh v1"

size_t ect__token_curve_bytes(uint8_t curve)
{
	return curve == TOKEN_CURVE_P256 ? 32 : curve == TOKEN_CURVE_P384 ? 48 : 0;
}

int ect__token_ecdh_secret(const uint8_t *wrapped, size_t wrapped_len, const uint8_t *z,
			   size_t z_len, uint8_t *secret)
{
	const struct ect__buf info[] = {
		{ ECDH_LABEL, sizeof(ECDH_LABEL) },
		{ wrapped, wrapped_len },
	};

	return ect__hkdf_sha256(NULL, 0, z, z_len, info, ECT_ARRAY_SIZE(info), secret,
				TOKEN_SECRET_SIZE);
}

/* An ECDH record's wrapped field: a known curve, then an uncompressed point of its size. */
static int check_ec_wrapped(const uint8_t *w, size_t len, char *name, size_t name_size)
{
	size_t field = ect__token_curve_bytes(w[0]);

	if (!field)
		return ECT_E_UNSUPPORTED;
	if (len != 2 + 2 * field || w[1] != 0x04)
		return ECT_E_FORMAT;
	snprintf(name, name_size, "ECDH P-%zu", field == 32 ? (size_t)256 : (size_t)384);
	return 0;
}

/* Offsets into one record, after a structural check. */
struct rec_layout {
	struct ect_token_info info;
	const uint8_t *id, *wrapped, *salt, *nonce, *sealed;
	size_t id_len, wrapped_len, salt_len, head_len;
};

/* A cursor that never reads past the end. */
struct rd {
	const uint8_t *p, *end;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *at = r->p;

	if ((size_t)(r->end - r->p) < n)
		return NULL;
	r->p += n;
	return at;
}

static int take_len(struct rd *r, int wide, size_t *len)
{
	const uint8_t *b = take(r, wide ? 2 : 1);

	if (!b)
		return ECT_E_TRUNCATED;
	*len = wide ? (size_t)b[0] << 8 | b[1] : b[0];
	return 0;
}

static int layout_kdf(struct rd *r, struct rec_layout *l)
{
	const uint8_t *b = take(r, 1 + 12);
	int ret;

	if (!b)
		return ECT_E_TRUNCATED;
	if (b[0] != REC_KDF_ARGON2ID)
		return ECT_E_UNSUPPORTED;
	l->info.params.t_cost = ect__get_be32(b + 1);
	l->info.params.m_cost_kib = ect__get_be32(b + 5);
	l->info.params.lanes = ect__get_be32(b + 9);
	ret = take_len(r, 0, &l->salt_len);
	if (ret)
		return ret;
	if (l->salt_len < V3_SALT_MIN || l->salt_len > V3_SALT_MAX)
		return ECT_E_FORMAT;
	l->salt = take(r, l->salt_len);
	return l->salt ? 0 : ECT_E_TRUNCATED;
}

static int rec_layout(const uint8_t *rec, size_t size, struct rec_layout *l)
{
	struct rd r = { rec, rec + size };
	const uint8_t *b, *uri;
	size_t uri_len;
	int ret;

	memset(l, 0, sizeof(*l));
	if (!(b = take(&r, 3)))
		return ECT_E_TRUNCATED;
	if (b[0] != REC_VERSION)
		return ECT_E_VERSION;
	if (b[1] != ECT_TOKEN_ALONE && b[1] != ECT_TOKEN_AND_PASSWORD)
		return ECT_E_FORMAT;
	if (b[2] != ECT_TOKEN_RSA_OAEP_SHA1 && b[2] != ECT_TOKEN_ECDH_HKDF_SHA256)
		return ECT_E_UNSUPPORTED;
	l->info.policy = b[1];
	l->info.mech = b[2];
	if ((ret = take_len(&r, 1, &uri_len)))
		return ret;
	if (!uri_len || uri_len > ECT_TOKEN_URI_MAX)
		return ECT_E_FORMAT;
	if (!(uri = take(&r, uri_len)))
		return ECT_E_TRUNCATED;
	for (size_t i = 0; i < uri_len; i++)
		if (uri[i] <= ' ' || uri[i] > '~')
			return ECT_E_FORMAT; /* what the writer checked: printable ASCII */
	memcpy(l->info.uri, uri, uri_len);
	if ((ret = take_len(&r, 0, &l->id_len)))
		return ret;
	if (!l->id_len || !(l->id = take(&r, l->id_len)))
		return l->id_len ? ECT_E_TRUNCATED : ECT_E_FORMAT;
	ect__hex_encode(l->id, l->id_len, l->info.key_id);
	if ((ret = take_len(&r, 1, &l->wrapped_len)))
		return ret;
	if (!l->wrapped_len || l->wrapped_len > TOKEN_WRAPPED_MAX)
		return ECT_E_FORMAT;
	if (!(l->wrapped = take(&r, l->wrapped_len)))
		return ECT_E_TRUNCATED;
	if (l->info.mech == ECT_TOKEN_RSA_OAEP_SHA1)
		snprintf(l->info.mech_name, sizeof(l->info.mech_name), "RSA-OAEP");
	else if ((ret = check_ec_wrapped(l->wrapped, l->wrapped_len, l->info.mech_name,
					 sizeof(l->info.mech_name))))
		return ret;
	if (l->info.policy == ECT_TOKEN_AND_PASSWORD && (ret = layout_kdf(&r, l)))
		return ret;
	if (!(b = take(&r, 1 + V3_NONCE_SIZE)))
		return ECT_E_TRUNCATED;
	if (b[0] != REC_AEAD_AES256_GCM)
		return ECT_E_UNSUPPORTED;
	l->nonce = b + 1;
	l->head_len = (size_t)(r.p - rec);
	if (!(l->sealed = take(&r, V3_SEALED_SIZE)))
		return ECT_E_TRUNCATED;
	return r.p == r.end ? 0 : ECT_E_FORMAT;
}

int ect_token_parse(const void *record, size_t size, struct ect_token_info *info)
{
	struct rec_layout l;
	int ret;

	if (!record || !info)
		return -EINVAL;
	ret = rec_layout(record, size, &l);
	if (!ret)
		*info = l.info;
	return ret;
}

/* The AEAD key from the token's secret and, for AND records, the password's key. */
static int record_kek(const uint8_t *secret, enum ect_token_policy policy,
		      const uint8_t *pw_key, uint8_t *kek)
{
	uint8_t tag = (uint8_t)policy;
	const struct ect__buf parts[] = {
		{ KEK_LABEL, sizeof(KEK_LABEL) },
		{ &tag, 1 },
		{ pw_key, V3_KEY_SIZE }, /* skipped when NULL */
	};

	ECT_STATIC_ASSERT(V3_KEY_SIZE == 32, "the KEK is one HMAC-SHA256");
	return ect__hmac_sha256(secret, TOKEN_SECRET_SIZE, parts, ECT_ARRAY_SIZE(parts), kek);
}

/* secret (and for AND the password through Argon2id) to the AEAD key. */
static int derive_kek(const struct rec_layout *l, const uint8_t *secret, const char *password,
		      size_t password_len, uint8_t *kek)
{
	uint8_t *pw_key = NULL;
	int ret;

	if (l->info.policy == ECT_TOKEN_AND_PASSWORD) {
		if (!password || !password_len)
			return ECT_E_PASSPHRASE_LEN;
		if (password_len > ECT_SECRET_INPUT_MAX)
			return -EMSGSIZE;
		pw_key = ect_secure_alloc(V3_KEY_SIZE);
		if (!pw_key)
			return ECT_E_SECMEM;
		ret = ect_argon2id(password, password_len, l->salt, l->salt_len, &l->info.params,
				   pw_key, V3_KEY_SIZE);
		if (ret)
			goto out;
	}
	ret = record_kek(secret, l->info.policy, pw_key, kek);
out:
	ect_secure_free(pw_key);
	return ret;
}

/*
 * Open the record l lays out: the token decrypts its secret (PIN through
 * pin_fn) into secret (TOKEN_SECRET_SIZE, locked), then the AEAD gives the
 * passphrase. The ceiling check is the caller's, before this.
 */
static int open_record(const struct rec_layout *l, const uint8_t *record,
		       ect_token_pin_fn pin_fn, void *pin_arg, const char *password,
		       size_t password_len, uint8_t *secret, char **passphrase,
		       size_t *passphrase_len)
{
	struct ect_p11_uri *u = malloc(sizeof(*u));
	uint8_t *kek = ect_secure_alloc(V3_KEY_SIZE);
	int ret;

	if (!u || !kek) {
		ret = u ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	ret = ect__p11_uri_parse(l->info.uri, u);
	if (!ret)
		ret = ect__token_decrypt(u, l->info.mech, l->id, l->id_len, l->wrapped,
					 l->wrapped_len, pin_fn, pin_arg, secret);
	if (!ret)
		ret = derive_kek(l, secret, password, password_len, kek);
	if (!ret)
		ret = ect__aead_open(kek, l->nonce, record, l->head_len, l->sealed, passphrase,
				     passphrase_len);
out:
	ect_secure_free(kek);
	free(u);
	return ret;
}

int ect_token_unwrap(const void *record, size_t size, ect_token_pin_fn pin_fn, void *pin_arg,
		     const char *password, size_t password_len,
		     const struct ect_argon2_params *ceiling, char **passphrase,
		     size_t *passphrase_len)
{
	struct rec_layout l;
	uint8_t *secret = NULL;
	int ret;

	if (!record || !passphrase || !passphrase_len)
		return -EINVAL;
	*passphrase = NULL;
	*passphrase_len = 0;
	ret = rec_layout(record, size, &l);
	if (ret)
		return ret;
	/* A hostile cost is refused before the token is even asked. */
	if (l.info.policy == ECT_TOKEN_AND_PASSWORD &&
	    (ret = ect_argon2_params_check_ceiling(&l.info.params, ceiling)))
		return ret;
	if ((ret = ect__crypto_init()))
		return ret;
	secret = ect_secure_alloc(TOKEN_SECRET_SIZE);
	if (!secret)
		return ECT_E_SECMEM;
	ret = open_record(&l, record, pin_fn, pin_arg, password, password_len, secret,
			  passphrase, passphrase_len);
	ect_secure_free(secret);
	return ret;
}

static void put_be16(uint8_t **p, size_t v)
{
	(*p)[0] = (uint8_t)(v >> 8);
	(*p)[1] = (uint8_t)v;
	*p += 2;
}

/* Everything before the nonce; returns the bytes written to out. */
static size_t write_head(uint8_t *out, enum ect_token_policy policy, enum ect_token_mech mech,
			 const char *uri, const uint8_t *id, size_t id_len,
			 const uint8_t *wrapped, size_t wrapped_len,
			 const struct ect_argon2_params *p)
{
	size_t uri_len = strlen(uri);
	uint8_t *w = out;

	*w++ = REC_VERSION;
	*w++ = (uint8_t)policy;
	*w++ = (uint8_t)mech;
	put_be16(&w, uri_len);
	memcpy(w, uri, uri_len);
	w += uri_len;
	*w++ = (uint8_t)id_len;
	memcpy(w, id, id_len);
	w += id_len;
	put_be16(&w, wrapped_len);
	memcpy(w, wrapped, wrapped_len);
	w += wrapped_len;
	if (policy == ECT_TOKEN_AND_PASSWORD) {
		*w++ = REC_KDF_ARGON2ID;
		ect__put_be32(w, p->t_cost);
		ect__put_be32(w + 4, p->m_cost_kib);
		ect__put_be32(w + 8, p->lanes);
		w += 12;
		*w++ = V3_SALT_SIZE;
		(void)ect__random(w, V3_SALT_SIZE, ECT__RANDOM_STRONG); /* initialised by the caller */
		w += V3_SALT_SIZE;
	}
	*w++ = REC_AEAD_AES256_GCM;
	return (size_t)(w - out);
}

static int check_wrap_args(const char *uri, enum ect_token_policy policy, const char *passphrase,
			   size_t len, const char *password, size_t password_len)
{
	if (policy != ECT_TOKEN_ALONE && policy != ECT_TOKEN_AND_PASSWORD)
		return -EINVAL;
	if (ect__passphrase_check(passphrase, len))
		return ECT_E_PASSPHRASE_LEN;
	if (policy == ECT_TOKEN_AND_PASSWORD && (!password || !password_len))
		return ECT_E_PASSPHRASE_LEN;
	if (password_len > ECT_SECRET_INPUT_MAX)
		return -EMSGSIZE;
	return 0;
}

/* Seal passphrase into the record whose head is out[0, head_len), nonce after it. */
static int seal_record(uint8_t *out, size_t head_len, const uint8_t *secret,
		       const char *password, size_t password_len, const char *passphrase,
		       size_t len)
{
	struct rec_layout l;
	uint8_t *kek = ect_secure_alloc(V3_KEY_SIZE);
	int ret;

	if (!kek)
		return ECT_E_SECMEM;
	ret = ect__random(out + head_len, V3_NONCE_SIZE, ECT__RANDOM_STRONG);
	/* Read back what was written: the writer uses the reader's layout. */
	if (!ret)
		ret = rec_layout(out, head_len + V3_NONCE_SIZE + V3_SEALED_SIZE, &l);
	if (!ret)
		ret = derive_kek(&l, secret, password, password_len, kek);
	if (!ret)
		ret = ect__aead_seal(kek, l.nonce, out, l.head_len, passphrase, len,
				     out + l.head_len);
	ect_secure_free(kek);
	return ret;
}

int ect_token_wrap(const char *uri, enum ect_token_policy policy, const char *passphrase,
		   size_t len, const char *password, size_t password_len,
		   const struct ect_argon2_params *params, uint8_t **record, size_t *size)
{
	struct ect_argon2_params p = { 0 };
	struct ect_p11_uri *u = NULL;
	uint8_t wrapped[TOKEN_WRAPPED_MAX], id[TOKEN_ID_MAX], *secret = NULL, *out = NULL;
	enum ect_token_mech mech = 0;
	size_t wrapped_len = 0, id_len = 0, head_len, total;
	int ret;

	if (!record || !size)
		return -EINVAL;
	*record = NULL;
	*size = 0;
	if ((ret = check_wrap_args(uri, policy, passphrase, len, password, password_len)))
		return ret;
	if ((ret = ect__crypto_init()))
		return ret;
	if (policy == ECT_TOKEN_AND_PASSWORD) {
		if (params)
			p = *params;
		else if ((ret = ect_argon2_calibrate(ECT_ARGON2_DEFAULT_MS, &p)))
			return ret;
		if ((ret = ect_argon2_params_check(&p)))
			return ret;
	}
	u = malloc(sizeof(*u));
	secret = ect_secure_alloc(TOKEN_SECRET_SIZE);
	out = malloc(ECT_TOKEN_RECORD_MAX);
	if (!u || !secret || !out) {
		ret = (u && out) ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	if ((ret = ect__p11_uri_parse(uri, u)))
		goto out;
	ret = ect__token_encrypt(u, secret, &mech, wrapped, &wrapped_len, id, &id_len);
	if (ret)
		goto out;
	head_len = write_head(out, policy, mech, uri, id, id_len, wrapped, wrapped_len, &p);
	total = head_len + V3_NONCE_SIZE + V3_SEALED_SIZE;
	ret = seal_record(out, head_len, secret, password, password_len, passphrase, len);
	if (ret)
		goto out;
	*record = out;
	*size = total;
	out = NULL;
out:
	free(out);
	ect_secure_free(secret);
	free(u);
	return ret;
}

/*
 * A token AND password record, rewrapped from old_pw to new_pw into out
 * (size bytes, the same layout): the token (its PIN) gives the secret, the
 * old password opens the record, a fresh salt and nonce seal it again under
 * the same secret and cost. The token part (URI, key, wrapped secret) stays.
 */
int ect__token_rewrap(const uint8_t *rec, size_t size, ect_token_pin_fn pin_fn, void *pin_arg,
		      const char *old_pw, size_t old_len, const char *new_pw, size_t new_len,
		      const struct ect_argon2_params *ceiling, uint8_t *out)
{
	struct rec_layout l;
	uint8_t *secret = NULL;
	char *pp = NULL;
	size_t pp_len = 0;
	int ret;

	if ((ret = rec_layout(rec, size, &l)))
		return ret;
	if (l.info.policy != ECT_TOKEN_AND_PASSWORD)
		return -EINVAL;
	if (!new_pw || !new_len)
		return ECT_E_PASSPHRASE_LEN;
	if ((ret = ect_argon2_params_check_ceiling(&l.info.params, ceiling)))
		return ret;
	if ((ret = ect__crypto_init()))
		return ret;
	secret = ect_secure_alloc(TOKEN_SECRET_SIZE);
	if (!secret)
		return ECT_E_SECMEM;
	ret = open_record(&l, rec, pin_fn, pin_arg, old_pw, old_len, secret, &pp, &pp_len);
	if (ret)
		goto out;
	memcpy(out, rec, l.head_len - V3_NONCE_SIZE);
	ret = ect__random(out + (l.salt - rec), l.salt_len, ECT__RANDOM_STRONG);
	if (!ret)
		ret = seal_record(out, l.head_len - V3_NONCE_SIZE, secret, new_pw, new_len, pp,
				  pp_len);
out:
	ect_secure_free(pp);
	ect_secure_free(secret);
	return ret;
}
