// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's password auth token (struct ecryptfs_auth_tok), the payload
 * of the "user" key that eCryptfs looks up by signature.
 *
 * The layout mirrors include/linux/ecryptfs.h field by field: the outer
 * struct is packed, the inner ones keep natural alignment, integers are
 * host-endian. Every offset is checked at compile time against the table
 * in doc ecryptfs-format.md §5.1, so a layout slip cannot build.
 */
#include "ect-internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define ECT_TOK_VERSION 0x0004		/* major 0, minor 4: the only one the kernel takes */
#define ECT_TOK_PASSWORD 0		/* ECRYPTFS_PASSWORD */
#define ECT_TOK_HASH_SHA512 10		/* PGP_DIGEST_ALGO_SHA512 */
#define ECT_TOK_SEK_SET 0x02		/* ECRYPTFS_SESSION_KEY_ENCRYPTION_KEY_SET */
#define ECT_TOK_MAX_ENCRYPTED_KEY 512	/* ECRYPTFS_MAX_ENCRYPTED_KEY_BYTES */

struct ect_kernel_session_key {
	uint32_t flags;
	uint32_t encrypted_key_size;
	uint32_t decrypted_key_size;
	uint8_t encrypted_key[ECT_TOK_MAX_ENCRYPTED_KEY];
	uint8_t decrypted_key[ECT_KEY_SIZE];
};

struct ect_kernel_password {
	int32_t password_bytes;
	int32_t hash_algo;
	int32_t hash_iterations;
	int32_t session_key_encryption_key_bytes;
	uint32_t flags;
	uint8_t session_key_encryption_key[ECT_KEY_SIZE];
	uint8_t signature[ECT_SIG_HEX_SIZE + 1];
	uint8_t salt[ECT_SALT_SIZE];
};

/* The private-key member of the kernel's union, for its size only. */
struct ect_kernel_private_key {
	uint32_t key_size;
	uint32_t data_len;
	uint8_t signature[ECT_SIG_HEX_SIZE + 1];
	char pki_type[ECT_SIG_HEX_SIZE + 1];
	/* u8 data[] follows in the kernel */
};

struct ect_kernel_auth_tok {
	uint16_t version;
	uint16_t token_type;
	uint32_t flags;
	struct ect_kernel_session_key session_key;
	uint8_t reserved[32];
	union {
		struct ect_kernel_password password;
		struct ect_kernel_private_key private_key;
	} token;
} __attribute__((packed));

#define TOK_AT(field, off) \
	ECT_STATIC_ASSERT(offsetof(struct ect_kernel_auth_tok, field) == (off), \
			  "auth tok: " #field " must be at offset " #off)

ECT_STATIC_ASSERT(sizeof(struct ect_kernel_auth_tok) == ECT_AUTH_TOK_SIZE,
		  "struct ecryptfs_auth_tok is 740 bytes");
ECT_STATIC_ASSERT(sizeof(struct ect_kernel_session_key) == 588, "session key is 588 bytes");
ECT_STATIC_ASSERT(sizeof(struct ect_kernel_password) == 112, "password token is 112 bytes");
TOK_AT(version, 0);
TOK_AT(token_type, 2);
TOK_AT(flags, 4);
TOK_AT(session_key.flags, 8);
TOK_AT(session_key.encrypted_key_size, 12);
TOK_AT(session_key.decrypted_key_size, 16);
TOK_AT(session_key.encrypted_key, 20);
TOK_AT(session_key.decrypted_key, 532);
TOK_AT(reserved, 596);
TOK_AT(token, 628);
TOK_AT(token.password.password_bytes, 628);
TOK_AT(token.password.hash_algo, 632);
TOK_AT(token.password.hash_iterations, 636);
TOK_AT(token.password.session_key_encryption_key_bytes, 640);
TOK_AT(token.password.flags, 644);
TOK_AT(token.password.session_key_encryption_key, 648);
TOK_AT(token.password.signature, 712);
TOK_AT(token.password.salt, 729);
TOK_AT(token.private_key.signature, 636);

int ect_auth_tok_build(const uint8_t key[ECT_KEY_SIZE], const char *sig,
		       const uint8_t salt[ECT_SALT_SIZE], uint8_t tok[ECT_AUTH_TOK_SIZE])
{
	/*
	 * Built in place in the caller's buffer (locked memory in the
	 * library's own callers) so the key is never copied to the stack.
	 */
	struct ect_kernel_auth_tok *t = (struct ect_kernel_auth_tok *)tok;
	int ret;

	ret = ect_sig_check(sig);
	if (ret)
		return ret;
	memset(tok, 0, ECT_AUTH_TOK_SIZE);
	t->version = ECT_TOK_VERSION;
	t->token_type = ECT_TOK_PASSWORD;
	/* password_bytes and hash_iterations stay 0, as ecryptfs-utils leaves them. */
	t->token.password.hash_algo = ECT_TOK_HASH_SHA512;
	t->token.password.session_key_encryption_key_bytes = ECT_KEY_SIZE;
	t->token.password.flags = ECT_TOK_SEK_SET;
	memcpy(t->token.password.session_key_encryption_key, key, ECT_KEY_SIZE);
	memcpy(t->token.password.signature, sig, ECT_SIG_HEX_SIZE);
	t->token.password.signature[ECT_SIG_HEX_SIZE] = '\0';
	memcpy(t->token.password.salt, salt, ECT_SALT_SIZE);
	return 0;
}

int ect_auth_tok_key(const uint8_t *tok, size_t len, const char *sig, uint8_t key[ECT_KEY_SIZE])
{
	const struct ect_kernel_auth_tok *t = (const struct ect_kernel_auth_tok *)tok;

	/* The kernel refuses the same: a short payload, another version, not a password. */
	if (len < ECT_AUTH_TOK_SIZE || t->version != ECT_TOK_VERSION ||
	    t->token_type != ECT_TOK_PASSWORD)
		return ECT_E_FORMAT;
	if (!(t->token.password.flags & ECT_TOK_SEK_SET) ||
	    t->token.password.session_key_encryption_key_bytes != ECT_KEY_SIZE)
		return ECT_E_FORMAT;
	if (sig && memcmp(t->token.password.signature, sig, ECT_SIG_HEX_SIZE))
		return ECT_E_KEY_MISMATCH;
	memcpy(key, t->token.password.session_key_encryption_key, ECT_KEY_SIZE);
	return 0;
}
