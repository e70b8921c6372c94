// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: wrapped passphrases v1/v2/v3 and the auth token builder.
 * The first input byte picks the case; the rest is the data:
 *   0: a wrapped-passphrase file, unwrapped with the password "fuzz"
 *   1: byte 1 = password length n, then n password bytes, then the file
 *   2: auth token: 64 key bytes, 8 salt bytes, then the signature text;
 *      also the hex salt (~/.ecryptfsrc, Private.sig) and signature checks
 * Speed: lib/kdf/wrap.c and lib/kdf/wrap-v3.c are built for this target with
 * ect_derive_key and ect_argon2id redirected to the cheap stand-ins below
 * (one SHA-512 / one SHA-256 instead of 65536 rounds / Argon2id), so that
 * everything after the KDF (signature check, AES-ECB, GCM, tag and padding
 * checks, parameter policy) runs at fuzzing speed. The stand-ins keep the
 * real functions' argument checks. ECT_FUZZ_GEN_DIR=DIR makes the target
 * write seed files that these stand-ins accept (see README.md).
 */
#include "fuzz-common.h"
#include "kdf/wrap-internal.h"

#include <errno.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ect_fuzz_derive_key(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
			uint8_t key[ECT_KEY_SIZE]);
int ect_fuzz_argon2id(const void *password, size_t password_len, const uint8_t *salt,
		      size_t salt_len, const struct ect_argon2_params *p, uint8_t *out,
		      size_t out_len);

int ect_fuzz_derive_key(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
			uint8_t key[ECT_KEY_SIZE])
{
	uint8_t in[ECT_SALT_SIZE + ECT_PASSPHRASE_MAX];
	int ret;

	/* the real one's checks: 1..64 bytes, no NUL */
	ret = ect__passphrase_check(passphrase, len);
	if (!ret && (!salt || !key))
		ret = -EINVAL;
	if (!ret)
		ret = ect__crypto_init();
	if (ret)
		return ret;
	memcpy(in, salt, ECT_SALT_SIZE);
	memcpy(in + ECT_SALT_SIZE, passphrase, len);
	gcry_md_hash_buffer(GCRY_MD_SHA512, key, in, ECT_SALT_SIZE + len);
	return 0;
}

int ect_fuzz_argon2id(const void *password, size_t password_len, const uint8_t *salt,
		      size_t salt_len, const struct ect_argon2_params *p, uint8_t *out,
		      size_t out_len)
{
	gcry_md_hd_t md;
	int ret;

	if (!password || !salt || !p || !out || out_len != 32)
		return -EINVAL;
	ret = ect_argon2_params_check(p);
	if (ret)
		return ret;
	if (gcry_md_open(&md, GCRY_MD_SHA256, 0))
		return ECT_E_CRYPTO;
	gcry_md_write(md, password, password_len);
	gcry_md_write(md, salt, salt_len);
	gcry_md_write(md, p, sizeof(*p));
	memcpy(out, gcry_md_read(md, 0), 32);
	gcry_md_close(md);
	return 0;
}

static void unwrap(const uint8_t *blob, size_t size, const char *pw, size_t pw_len)
{
	struct ect_wrap_info id, info;
	char *pass = NULL;
	size_t len = 0;
	int ret, idret;

	idret = ect_wrap_identify(blob, size, &id);
	if (!idret && id.version == ECT_WRAP_V3)
		(void)ect_argon2_params_check(&id.params);
	ret = ect_unwrap(blob, size, pw, pw_len, NULL, &pass, &len, &info);
	/* anything identify refuses, unwrap refuses */
	FUZZ_ASSERT(!idret || ret);
	if (ret) {
		FUZZ_ASSERT(!pass && !len);
		return;
	}
	FUZZ_ASSERT(info.version == id.version);
	FUZZ_ASSERT(len >= 1 && len <= ECT_PASSPHRASE_MAX && strlen(pass) == len);
	ect_secure_free(pass);
}

static void auth_tok(const uint8_t *data, size_t size)
{
	uint8_t tok[ECT_AUTH_TOK_SIZE], salt[ECT_SALT_SIZE];
	char *sig;

	if (size < ECT_KEY_SIZE + ECT_SALT_SIZE)
		return;
	sig = fuzz_strndup(data + ECT_KEY_SIZE + ECT_SALT_SIZE, size - ECT_KEY_SIZE - ECT_SALT_SIZE);
	if (!ect_auth_tok_build(data, sig, data + ECT_KEY_SIZE, tok)) {
		FUZZ_ASSERT(!ect_sig_check(sig));
		/* version 0x0004 LE, password token, signature NUL-terminated at 712 + 16 */
		FUZZ_ASSERT(tok[0] == 0x04 && tok[1] == 0x00 && tok[2] == 0 && tok[3] == 0);
		FUZZ_ASSERT(!memcmp(tok + 712, sig, ECT_SIG_HEX_SIZE) && tok[712 + ECT_SIG_HEX_SIZE] == 0);
		FUZZ_ASSERT(!memcmp(tok + 729, data + ECT_KEY_SIZE, ECT_SALT_SIZE));
	}
	if (!ect_salt_from_hex(sig, salt))
		FUZZ_ASSERT(strlen(sig) >= 2 * ECT_SALT_SIZE);
	free(sig);
}

static void write_seed(const char *dir, const char *name, uint8_t sel, const void *data,
		       size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

/* Seeds that get past the (stand-in) KDF: v2 and v3 files wrapped for "fuzz". */
static void generate(const char *dir)
{
	struct ect_argon2_params p;
	uint8_t *blob;
	size_t size;

	ect_argon2_params_floor(&p);
	if (ect_wrap(ECT_WRAP_V2, "0123456789abcdef0123456789abcdef", 32, "fuzz", 4, NULL, &blob,
		     &size))
		abort();
	write_seed(dir, "gen-v2-fuzz", 0, blob, size);
	free(blob);
	if (ect_wrap(ECT_WRAP_V3, "0123456789abcdef0123456789abcdef", 32, "fuzz", 4, &p, &blob,
		     &size))
		abort();
	write_seed(dir, "gen-v3-fuzz", 0, blob, size);
	free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int generated;
	char pw[256];
	size_t n;

	if (!generated++ && getenv("ECT_FUZZ_GEN_DIR"))
		generate(getenv("ECT_FUZZ_GEN_DIR"));
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		unwrap(data + 1, size - 1, "fuzz", 4);
		break;
	case 1:
		if (size < 2)
			return 0;
		n = data[1];
		if (n > size - 2)
			n = size - 2;
		memcpy(pw, data + 2, n);
		unwrap(data + 2 + n, size - 2 - n, pw, n);
		break;
	default:
		auth_tok(data + 1, size - 1);
		break;
	}
	return 0;
}
