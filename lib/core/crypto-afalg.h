/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block ciphers of the running kernel's crypto API, through AF_ALG sockets,
 * for the few eCryptfs ciphers libgcrypt lacks (CAST-256, and CAST5 with
 * short keys, which the kernel runs with RFC 2144's 12 rounds). Only
 * lib/core/crypto-backend.c calls this; the rest of the library sees one
 * cipher interface. Never installed.
 */
#ifndef ECT_CRYPTO_AFALG_H
#define ECT_CRYPTO_AFALG_H

#include <stddef.h>

struct ect__afalg;

/*
 * 0 when the kernel offers the skcipher NAME ("cbc(cast6)"), else
 * ECT_E_UNSUPPORTED (no AF_ALG, or no such cipher or template).
 */
int ect__afalg_probe(const char *name);

/*
 * A keyed handle for NAME with BLOCK-byte blocks; the key is held by the
 * kernel only. ECT_E_UNSUPPORTED as above, ECT_E_CRYPTO for a key the
 * kernel refuses, -ENOMEM.
 */
int ect__afalg_open(struct ect__afalg **out, const char *name, size_t block, const void *key,
		    size_t key_len);
/* The next operation's IV (CBC); chained afterwards like libgcrypt's. */
int ect__afalg_setiv(struct ect__afalg *a, const void *iv, size_t len);
/* len bytes (a multiple of the block) from in to out; in == out allowed. */
int ect__afalg_crypt(struct ect__afalg *a, int encrypt, void *out, const void *in, size_t len);
/* NULL allowed. */
void ect__afalg_close(struct ect__afalg *a);

#endif
