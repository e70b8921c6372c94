/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the token-*.c files of the keys module; never installed. */
#ifndef ECT_TOKEN_INTERNAL_H
#define ECT_TOKEN_INTERNAL_H

#include "ect-internal.h"

#define ECT_HIDDEN __attribute__((visibility("hidden")))

#define TOKEN_SECRET_SIZE 32	/* what RSA-OAEP wraps, or HKDF gives after ECDH */
#define TOKEN_WRAPPED_MAX 1024	/* RSA up to 8192 bits */
#define TOKEN_ID_MAX 255

/*
 * ECDH records keep "curve byte || ephemeral public point (uncompressed)"
 * where RSA records keep the OAEP ciphertext.
 */
enum token_curve {
	TOKEN_CURVE_P256 = 0x01,
	TOKEN_CURVE_P384 = 0x02,
};
#define TOKEN_EC_FIELD_MAX 48	/* P-384 */

/* A parsed PKCS#11 URI (RFC 7512): the attributes this project uses. */
struct ect_p11_uri {
	char module_path[4096];
	char token[33];		/* CK_TOKEN_INFO label, at most 32 bytes */
	char manufacturer[33];
	char serial[17];
	char model[17];
	char object[256];	/* CKA_LABEL of the key */
	uint8_t id[TOKEN_ID_MAX]; /* CKA_ID of the key */
	size_t id_len;
	int has_id;
};

/* ECT_E_TOKEN_URI unless uri is a pkcs11: URI with module-path and a key. */
ECT_HIDDEN int ect__p11_uri_parse(const char *uri, struct ect_p11_uri *u);
/*
 * 0 when path is a module root could load safely: absolute, and it and
 * every directory above it owned by root and writable by nobody else.
 * Else ECT_E_UNSAFE_PATH.
 */
ECT_HIDDEN int ect__p11_module_check(const char *path);

/*
 * The token side (token-nss.c). encrypt makes the record's secret S
 * (TOKEN_SECRET_SIZE bytes into secret) for the public key u names, no PIN
 * needed, and says how to get it back: *mech from the key's type, the
 * wrapped field (RSA: S under OAEP; EC: curve and an ephemeral public
 * point, S being the HKDF of the ECDH secret) and the key's CKA_ID.
 * ECT_E_TOKEN_KEY for a key of another type or curve. decrypt gets S again
 * with the private key of that CKA_ID after one login with pin_fn.
 */
ECT_HIDDEN int ect__token_encrypt(const struct ect_p11_uri *u, uint8_t *secret,
				  enum ect_token_mech *mech, uint8_t *wrapped,
				  size_t *wrapped_len, uint8_t *id, size_t *id_len);
ECT_HIDDEN int ect__token_decrypt(const struct ect_p11_uri *u, enum ect_token_mech mech,
				  const uint8_t *id, size_t id_len, const uint8_t *wrapped,
				  size_t wrapped_len, ect_token_pin_fn pin_fn, void *pin_arg,
				  uint8_t *secret);
/*
 * token-format.c: S of an ECDH record from the shared secret z (the
 * x-coordinate, z_len bytes): HKDF-SHA256 with the label and the whole
 * wrapped field (curve and ephemeral point) as info.
 */
ECT_HIDDEN int ect__token_ecdh_secret(const uint8_t *wrapped, size_t wrapped_len,
				      const uint8_t *z, size_t z_len, uint8_t *secret);
/* The field size in bytes of a curve byte, 0 if unknown. */
ECT_HIDDEN size_t ect__token_curve_bytes(uint8_t curve);

/*
 * token-format.c: rewrap a token AND password record from old_pw to new_pw
 * into out (size bytes, the record's own size), keeping its token part.
 * -EINVAL for a record of another policy; errors as ect_token_unwrap.
 */
ECT_HIDDEN int ect__token_rewrap(const uint8_t *rec, size_t size, ect_token_pin_fn pin_fn,
				 void *pin_arg, const char *old_pw, size_t old_len,
				 const char *new_pw, size_t new_len,
				 const struct ect_argon2_params *ceiling, uint8_t *out);

#endif /* ECT_TOKEN_INTERNAL_H */
