// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel keyring side of eCryptfs keys, through libkeyutils: add a
 * passphrase's auth token to the user keyring @u as ecryptfs-utils does
 * (or to a keyring the caller names: a root tool's own session keyring,
 * which dies with it), link @u into the session keyring, find and unlink
 * keys by signature.
 *
 * ect_keyring_find, ect_keyring_unlink and ect_keyring_link_user_session
 * never touch libgcrypt, so the setuid helper may call them.
 */
#include "ect-internal.h"

#include <errno.h>
#include <keyutils.h>
#include <string.h>

#define ECT_KEY_TYPE "user"

/* libkeyutils returns -1 and sets errno; the library speaks negative errno. */
static int keyctl_errno(void)
{
	return errno ? -errno : -EIO;
}

long ect_keyring_find_in(int keyring, const char *sig)
{
	long id;
	int ret;

	ret = ect_sig_check(sig);
	if (ret)
		return ret;
	id = keyctl_search((key_serial_t)keyring, ECT_KEY_TYPE, sig, 0);
	if (id < 0)
		return keyctl_errno();
	return id;
}

long ect_keyring_find(const char *sig)
{
	return ect_keyring_find_in(KEY_SPEC_USER_KEYRING, sig);
}

int ect_keyring_unlink_in(int keyring, const char *sig)
{
	long id = ect_keyring_find_in(keyring, sig);

	if (id < 0)
		return (int)id;
	if (keyctl_unlink((key_serial_t)id, (key_serial_t)keyring) < 0)
		return keyctl_errno();
	return 0;
}

int ect_keyring_unlink(const char *sig)
{
	return ect_keyring_unlink_in(KEY_SPEC_USER_KEYRING, sig);
}

int ect_keyring_link_user_session(void)
{
	if (keyctl_link(KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) < 0)
		return keyctl_errno();
	return 0;
}

/* Add a built token to keyring unless a key with its signature is already there. */
static int add_auth_tok(int keyring, const char *sig, const uint8_t tok[ECT_AUTH_TOK_SIZE])
{
	long id = ect_keyring_find_in(keyring, sig);

	if (id >= 0)
		return 1; /* already there: leave it untouched, as ecryptfs-utils does */
	/* A revoked or expired key of that name is dead: add_key replaces its link. */
	if (id != -ENOKEY && id != -EKEYREVOKED && id != -EKEYEXPIRED)
		return (int)id;
	if (add_key(ECT_KEY_TYPE, sig, tok, ECT_AUTH_TOK_SIZE, (key_serial_t)keyring) < 0)
		return keyctl_errno();
	return 0;
}

static int add_passphrase_in(int keyring, const char *passphrase, size_t len,
			     const uint8_t salt[ECT_SALT_SIZE], char sig[ECT_SIG_HEX_SIZE + 1])
{
	/* Key and token in one locked block, wiped on every path. */
	struct {
		uint8_t key[ECT_KEY_SIZE];
		uint8_t tok[ECT_AUTH_TOK_SIZE];
	} *s;
	int ret;

	s = ect_secure_alloc(sizeof(*s));
	if (!s)
		return ECT_E_SECMEM;
	ret = ect_derive_key(passphrase, len, salt, s->key);
	if (ret)
		goto out;
	ret = ect_key_signature(s->key, sig);
	if (ret)
		goto out;
	ret = ect_auth_tok_build(s->key, sig, salt, s->tok);
	if (ret)
		goto out;
	ret = add_auth_tok(keyring, sig, s->tok);
out:
	ect_secure_free(s);
	return ret;
}

int ect_keyring_add_passphrase(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
			       char sig[ECT_SIG_HEX_SIZE + 1])
{
	return add_passphrase_in(KEY_SPEC_USER_KEYRING, passphrase, len, salt, sig);
}

static int add_one(int keyring, const char *passphrase, size_t len, const uint8_t *salt, char *sig)
{
	int ret = add_passphrase_in(keyring, passphrase, len, salt, sig);

	return ret > 0 ? 0 : ret; /* already present counts as success */
}

int ect_keyring_add_mount_keys_in(int keyring, const char *passphrase, size_t len,
				  const uint8_t *salt, enum ect_mount_keys_order order,
				  char fekek_sig[ECT_SIG_HEX_SIZE + 1], char *fnek_sig)
{
	const uint8_t *fekek_salt = salt ? salt : ect_default_salt;
	int ret;

	if (order != ECT_KEYS_FEKEK_FIRST && order != ECT_KEYS_FNEK_FIRST)
		return -EINVAL;
	if (fnek_sig && order == ECT_KEYS_FNEK_FIRST) {
		ret = add_one(keyring, passphrase, len, ect_fnek_salt, fnek_sig);
		if (ret)
			return ret;
	}
	ret = add_one(keyring, passphrase, len, fekek_salt, fekek_sig);
	if (ret)
		return ret;
	if (fnek_sig && order == ECT_KEYS_FEKEK_FIRST)
		ret = add_one(keyring, passphrase, len, ect_fnek_salt, fnek_sig);
	return ret;
}

int ect_keyring_add_mount_keys(const char *passphrase, size_t len, const uint8_t *salt,
			       enum ect_mount_keys_order order, char fekek_sig[ECT_SIG_HEX_SIZE + 1],
			       char *fnek_sig)
{
	return ect_keyring_add_mount_keys_in(KEY_SPEC_USER_KEYRING, passphrase, len, salt, order,
					     fekek_sig, fnek_sig);
}

int ect_keyring_read_key(const char *sig, uint8_t key[ECT_KEY_SIZE])
{
	uint8_t *tok;
	long id, n;
	int ret;

	ret = ect_sig_check(sig);
	if (ret)
		return ret;
	/* What the kernel's request_key() finds: thread, process, session keyrings. */
	id = request_key(ECT_KEY_TYPE, sig, NULL, 0);
	if (id < 0)
		id = keyctl_search(KEY_SPEC_USER_KEYRING, ECT_KEY_TYPE, sig, 0);
	if (id < 0)
		return keyctl_errno();
	tok = ect_secure_alloc(ECT_AUTH_TOK_SIZE);
	if (!tok)
		return ECT_E_SECMEM;
	n = keyctl_read((key_serial_t)id, (char *)tok, ECT_AUTH_TOK_SIZE);
	if (n < 0)
		ret = keyctl_errno();
	else
		ret = ect_auth_tok_key(tok, (size_t)n, sig, key);
	ect_secure_free(tok);
	return ret;
}
