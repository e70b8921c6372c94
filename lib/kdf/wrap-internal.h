/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by wrap.c (v1, v2, dispatch) and wrap-v3.c; never installed. */
#ifndef ECT_WRAP_INTERNAL_H
#define ECT_WRAP_INTERNAL_H

#include "ect-internal.h"

#define ECT_HIDDEN __attribute__((visibility("hidden")))

/* Version 3 layout (man/ecryptfs-wrapped-passphrase.5 documents it byte by byte). */
#define V3_VERSION 0x03
#define V3_KDF_ARGON2ID 0x01	 /* Argon2id version 1.3 (RFC 9106) */
#define V3_AEAD_AES256_GCM 0x01 /* AES-256-GCM, 12-byte nonce, 16-byte tag */
#define V3_SALT_SIZE 32		 /* what the writer uses */
#define V3_SALT_MIN 16		 /* what the reader accepts */
#define V3_SALT_MAX 64
#define V3_KEY_SIZE 32
#define V3_NONCE_SIZE 12
#define V3_TAG_SIZE 16
#define V3_PLAIN_SIZE (1 + ECT_PASSPHRASE_MAX) /* length byte, passphrase, zero padding */
#define V3_FIXED_HEAD 16			  /* ':' version kdf t m lanes salt_len */

static inline uint32_t ect__get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ect__put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A v1..v3 passphrase of len bytes into locked memory, NUL-terminated. */
ECT_HIDDEN int ect__passphrase_out(const void *src, size_t len, char **out, size_t *out_len);
/* 0 when passphrase is 1..64 bytes without NUL, else ECT_E_PASSPHRASE_LEN. */
ECT_HIDDEN int ect__passphrase_check(const char *passphrase, size_t len);

/* Structure only (no policy): version, kdf and aead ids, lengths, params. */
ECT_HIDDEN int ect__wrap_v3_parse(const uint8_t *blob, size_t size, struct ect_argon2_params *p);
ECT_HIDDEN int ect__unwrap_v3(const uint8_t *blob, size_t size, const char *wrapping_pw,
			      size_t wrapping_len, const struct ect_argon2_params *ceiling,
			      char **passphrase, size_t *passphrase_len,
			      struct ect_argon2_params *p);
ECT_HIDDEN int ect__wrap_v3(const char *passphrase, size_t len, const char *wrapping_pw,
			    size_t wrapping_len, const struct ect_argon2_params *params,
			    uint8_t **blob, size_t *size);

/*
 * The v3 AEAD, shared with token records (lib/keys/token-format.c):
 * AES-256-GCM under a 32-byte key of (length byte, passphrase, zero pad to
 * V3_PLAIN_SIZE) with head as associated data. sealed is V3_PLAIN_SIZE
 * ciphertext bytes then the V3_TAG_SIZE tag. A tag mismatch is
 * ECT_E_WRONG_PASSWORD; the passphrase comes out in locked memory.
 */
#define V3_SEALED_SIZE (V3_PLAIN_SIZE + V3_TAG_SIZE)
ECT_HIDDEN int ect__aead_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *head,
			      size_t head_len, const char *passphrase, size_t len,
			      uint8_t *sealed);
ECT_HIDDEN int ect__aead_open(const uint8_t *key, const uint8_t *nonce, const uint8_t *head,
			      size_t head_len, const uint8_t *sealed, char **passphrase,
			      size_t *passphrase_len);

#endif /* ECT_WRAP_INTERNAL_H */
