/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few cryptographic primitives the library needs, behind one file
 * (lib/core/crypto-backend.c, today on libgcrypt): no other file of lib/
 * names the crypto library, which tests/unit/crypto-backend-only.sh checks.
 * Never installed. Functions return 0, -ENOMEM or ECT_E_CRYPTO unless said.
 */
#ifndef ECT_CRYPTO_BACKEND_H
#define ECT_CRYPTO_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/*
 * Initialise the backend (version check, its locked pool) once per process.
 * Called lazily by code that needs crypto, so programs that never touch
 * secrets (the setuid helper) never initialise it: libgcrypt's pool setup
 * would otherwise change the process's uids. Every opening call below does
 * it; call it directly only before threads (the codec pool).
 */
int ect__crypto_init(void);

/* ---- block ciphers (0 is never an algorithm: tables use it for "none") --- */
enum ect__cipher_algo {
	ECT__AES128 = 1,
	ECT__AES192,
	ECT__AES256,
	ECT__BLOWFISH,
	ECT__3DES,
	ECT__CAST5,
	ECT__TWOFISH128,
	ECT__TWOFISH256,
	/* Not in libgcrypt: the running kernel's, through AF_ALG (ECB, CBC). */
	ECT__KERNEL_CAST5,	/* CAST5 with keys under 16 bytes (RFC 2144's 12 rounds) */
	ECT__KERNEL_CAST6,	/* CAST-256 (RFC 2612) */
};

enum ect__cipher_mode { ECT__ECB, ECT__CBC, ECT__GCM };

struct ect__cipher;

/*
 * 0 when algo can be opened here: always for libgcrypt's, for a kernel one
 * only while the kernel offers it (AF_ALG, its module); ECT_E_UNSUPPORTED.
 */
int ect__cipher_available(enum ect__cipher_algo algo);

/*
 * A keyed cipher handle, its state in the backend's locked memory. A weak
 * key (3DES) is accepted, as the kernel does outside FIPS mode.
 */
int ect__cipher_open(struct ect__cipher **out, enum ect__cipher_algo algo,
		     enum ect__cipher_mode mode, const void *key, size_t key_len);
int ect__cipher_setiv(struct ect__cipher *c, const void *iv, size_t len);
/* out_len bytes from in (in_len == out_len), or in place when in is NULL. */
int ect__cipher_encrypt(struct ect__cipher *c, void *out, size_t out_len, const void *in,
			size_t in_len);
int ect__cipher_decrypt(struct ect__cipher *c, void *out, size_t out_len, const void *in,
			size_t in_len);
/* GCM: associated data before the text; the tag after it. */
int ect__cipher_authenticate(struct ect__cipher *c, const void *aad, size_t len);
int ect__cipher_gettag(struct ect__cipher *c, void *tag, size_t len);
/* -EBADMSG when the tag does not match. */
int ect__cipher_checktag(struct ect__cipher *c, const void *tag, size_t len);
/* NULL allowed. */
void ect__cipher_close(struct ect__cipher *c);

/* ---- hashes and HMAC ---------------------------------------------------- */
enum ect__hash_algo { ECT__MD5, ECT__SHA512 };

/* digest (16 or 64 bytes) of len bytes of in. */
int ect__hash(enum ect__hash_algo algo, void *digest, const void *in, size_t len);

/* A hash handle opened once for many short messages (the extent IVs). */
struct ect__md;
int ect__md_open(struct ect__md **out, enum ect__hash_algo algo);
/* digest of in, on a handle reset first; cannot fail. */
void ect__md_digest(struct ect__md *h, const void *in, size_t len, void *digest);
/* NULL allowed. */
void ect__md_close(struct ect__md *h);

struct ect__buf {
	const void *data;
	size_t len;
};

/* HMAC-SHA256 under key of the concatenated parts (data NULL: skipped). */
int ect__hmac_sha256(const void *key, size_t key_len, const struct ect__buf *parts, size_t n,
		     uint8_t out[32]);
/*
 * HKDF-SHA256 (RFC 5869): out_len bytes (at most 255 * 32) from ikm, salt
 * (NULL: 32 zero bytes) and the concatenated info parts. Built from the
 * HMAC above: libgcrypt has an HKDF of its own only from 1.11.
 */
int ect__hkdf_sha256(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
		     const struct ect__buf *info, size_t n_info, uint8_t *out, size_t out_len);

/* ---- randomness ---------------------------------------------------------- */
enum ect__random_level {
	ECT__RANDOM_STRONG,	 /* keys, salts, nonces */
	ECT__RANDOM_VERY_STRONG, /* long-lived secrets (the mount passphrase) */
};

int ect__random(void *buf, size_t len, enum ect__random_level level);
/* Unpredictable but not secret (the header's marker). */
int ect__nonce(void *buf, size_t len);

/* ---- Argon2id -------------------------------------------------------------- */
typedef void (*ect__kdf_job_fn)(void *priv);

/* How Argon2's lanes of a slice run: dispatch each job, then wait for all. */
struct ect__kdf_threads {
	void *context;
	int (*dispatch)(void *context, ect__kdf_job_fn fn, void *priv);
	int (*wait_all)(void *context);
};

/* Argon2id (version 0x13) into out; threads NULL runs the lanes in turn. */
int ect__argon2id_compute(const void *password, size_t password_len, const void *salt,
			  size_t salt_len, unsigned long t_cost, unsigned long m_cost_kib,
			  unsigned long lanes, const struct ect__kdf_threads *threads, void *out,
			  size_t out_len);

#endif
