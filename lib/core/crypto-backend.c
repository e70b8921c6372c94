// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crypto backend on libgcrypt: the only file of lib/ that calls it
 * (lib/core/crypto-backend.h lists what the library needs). Hash and MAC
 * handles are libgcrypt's own, cast to opaque types. A cipher handle holds
 * either a libgcrypt handle or, for the two eCryptfs ciphers libgcrypt
 * lacks, the running kernel's (crypto-afalg.c).
 */
#include "ect-internal.h"

#include "core/crypto-afalg.h"
#include "core/crypto-backend.h"

#include <errno.h>
#include <gcrypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ECT_GCRYPT_MIN_VERSION "1.10.0"
#define ECT_SECMEM_POOL (64 * 1024)

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_init_result; /* written once under crypto_once */

static void crypto_init_once(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		/* The host program (a PAM application) set libgcrypt up already. */
		crypto_init_result = 0;
		return;
	}
	if (!gcry_check_version(ECT_GCRYPT_MIN_VERSION)) {
		crypto_init_result = ECT_E_CRYPTO;
		return;
	}
	/* For libgcrypt's own secrets: cipher and hash states, Argon2's blocks. */
	gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, ECT_SECMEM_POOL, 0);
	gcry_control(GCRYCTL_AUTO_EXPAND_SECMEM, ECT_SECMEM_POOL, 0);
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	crypto_init_result = 0;
}

int ect__crypto_init(void)
{
	if (pthread_once(&crypto_once, crypto_init_once))
		return ECT_E_CRYPTO;
	return crypto_init_result;
}

/* A gcry_error_t as ECT_E_CRYPTO (or -ENOMEM), logging nothing. */
static int gcry_to_ect(gcry_error_t gerr)
{
	if (!gerr)
		return 0;
	if (gcry_err_code(gerr) == GPG_ERR_ENOMEM)
		return -ENOMEM;
	return ECT_E_CRYPTO;
}

/* ---- block ciphers ------------------------------------------------------- */

struct ect__cipher {
	gcry_cipher_hd_t gcry;		/* NULL when the kernel does the work */
	struct ect__afalg *kernel;
};

static int gcry_cipher_algo_of(enum ect__cipher_algo algo)
{
	switch (algo) {
	case ECT__AES128: return GCRY_CIPHER_AES128;
	case ECT__AES192: return GCRY_CIPHER_AES192;
	case ECT__AES256: return GCRY_CIPHER_AES256;
	case ECT__BLOWFISH: return GCRY_CIPHER_BLOWFISH;
	case ECT__3DES: return GCRY_CIPHER_3DES;
	case ECT__CAST5: return GCRY_CIPHER_CAST5;
	case ECT__TWOFISH128: return GCRY_CIPHER_TWOFISH128;
	case ECT__TWOFISH256: return GCRY_CIPHER_TWOFISH;
	case ECT__KERNEL_CAST5:
	case ECT__KERNEL_CAST6:
		break;
	}
	return 0;
}

/* The kernel's name of a cipher libgcrypt lacks, and its block size. */
static const char *kernel_cipher_of(enum ect__cipher_algo algo, size_t *block)
{
	switch (algo) {
	case ECT__KERNEL_CAST5:
		*block = 8;
		return "cast5";
	case ECT__KERNEL_CAST6:
		*block = 16;
		return "cast6";
	default:
		return NULL;
	}
}

static int gcry_mode_of(enum ect__cipher_mode mode)
{
	switch (mode) {
	case ECT__ECB: return GCRY_CIPHER_MODE_ECB;
	case ECT__CBC: return GCRY_CIPHER_MODE_CBC;
	case ECT__GCM: return GCRY_CIPHER_MODE_GCM;
	}
	return 0;
}

/* "cbc(cast6)" for the kernel's crypto API; the codec needs ECB and CBC only. */
static int kernel_alg_name(enum ect__cipher_algo algo, enum ect__cipher_mode mode, char *name,
			   size_t size, size_t *block)
{
	const char *cipher = kernel_cipher_of(algo, block);

	if (!cipher || mode == ECT__GCM)
		return ECT_E_UNSUPPORTED;
	snprintf(name, size, "%s(%s)", mode == ECT__CBC ? "cbc" : "ecb", cipher);
	return 0;
}

int ect__cipher_available(enum ect__cipher_algo algo)
{
	char name[32];
	size_t block;

	if (gcry_cipher_algo_of(algo))
		return 0;
	if (kernel_alg_name(algo, ECT__CBC, name, sizeof(name), &block))
		return ECT_E_UNSUPPORTED;
	return ect__afalg_probe(name);
}

static int gcry_open(struct ect__cipher *c, int galgo, int gmode, const void *key,
		     size_t key_len)
{
	gcry_cipher_hd_t hd;
	gcry_error_t gerr;
	int ret = ect__crypto_init();

	if (ret)
		return ret;
	gerr = gcry_cipher_open(&hd, galgo, gmode, GCRY_CIPHER_SECURE);
	if (gerr)
		return gcry_to_ect(gerr);
	c->gcry = hd;
	gerr = gcry_cipher_setkey(c->gcry, key, key_len);
	/* 3DES reports weak keys but sets them, as the kernel does outside FIPS. */
	if (gerr && gcry_err_code(gerr) != GPG_ERR_WEAK_KEY)
		return gcry_to_ect(gerr);
	return 0;
}

int ect__cipher_open(struct ect__cipher **out, enum ect__cipher_algo algo,
		     enum ect__cipher_mode mode, const void *key, size_t key_len)
{
	int galgo = gcry_cipher_algo_of(algo), gmode = gcry_mode_of(mode);
	struct ect__cipher *c;
	char name[32];
	size_t block;
	int ret;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (galgo && gmode) {
		ret = gcry_open(c, galgo, gmode, key, key_len);
	} else {
		ret = kernel_alg_name(algo, mode, name, sizeof(name), &block);
		if (!ret)
			ret = ect__afalg_open(&c->kernel, name, block, key, key_len);
	}
	if (ret) {
		ect__cipher_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

int ect__cipher_setiv(struct ect__cipher *c, const void *iv, size_t len)
{
	if (c->kernel)
		return ect__afalg_setiv(c->kernel, iv, len);
	return gcry_to_ect(gcry_cipher_setiv(c->gcry, iv, len));
}

int ect__cipher_encrypt(struct ect__cipher *c, void *out, size_t out_len, const void *in,
			size_t in_len)
{
	if (c->kernel)
		return in && in_len != out_len ? ECT_E_CRYPTO
					       : ect__afalg_crypt(c->kernel, 1, out, in ? in : out,
								  out_len);
	return gcry_to_ect(gcry_cipher_encrypt(c->gcry, out, out_len, in, in ? in_len : 0));
}

int ect__cipher_decrypt(struct ect__cipher *c, void *out, size_t out_len, const void *in,
			size_t in_len)
{
	if (c->kernel)
		return in && in_len != out_len ? ECT_E_CRYPTO
					       : ect__afalg_crypt(c->kernel, 0, out, in ? in : out,
								  out_len);
	return gcry_to_ect(gcry_cipher_decrypt(c->gcry, out, out_len, in, in ? in_len : 0));
}

/* GCM is libgcrypt's only: a kernel handle is never opened in that mode. */
int ect__cipher_authenticate(struct ect__cipher *c, const void *aad, size_t len)
{
	if (c->kernel)
		return ECT_E_CRYPTO;
	return gcry_to_ect(gcry_cipher_authenticate(c->gcry, aad, len));
}

int ect__cipher_gettag(struct ect__cipher *c, void *tag, size_t len)
{
	if (c->kernel)
		return ECT_E_CRYPTO;
	return gcry_to_ect(gcry_cipher_gettag(c->gcry, tag, len));
}

int ect__cipher_checktag(struct ect__cipher *c, const void *tag, size_t len)
{
	gcry_error_t gerr;

	if (c->kernel)
		return ECT_E_CRYPTO;
	gerr = gcry_cipher_checktag(c->gcry, tag, len);
	if (gcry_err_code(gerr) == GPG_ERR_CHECKSUM)
		return -EBADMSG;
	return gcry_to_ect(gerr);
}

void ect__cipher_close(struct ect__cipher *c)
{
	if (!c)
		return;
	if (c->gcry)
		gcry_cipher_close(c->gcry);
	ect__afalg_close(c->kernel);
	free(c);
}

/* ---- hashes and HMAC ------------------------------------------------------ */

static int gcry_md_algo_of(enum ect__hash_algo algo)
{
	return algo == ECT__SHA512 ? GCRY_MD_SHA512 : GCRY_MD_MD5;
}

int ect__hash(enum ect__hash_algo algo, void *digest, const void *in, size_t len)
{
	int ret = ect__crypto_init();

	if (!ret)
		gcry_md_hash_buffer(gcry_md_algo_of(algo), digest, in, len);
	return ret;
}

static gcry_md_hd_t md_hd(struct ect__md *h)
{
	return (gcry_md_hd_t)(void *)h;
}

int ect__md_open(struct ect__md **out, enum ect__hash_algo algo)
{
	gcry_md_hd_t hd;
	gcry_error_t gerr;
	int ret;

	*out = NULL;
	ret = ect__crypto_init();
	if (ret)
		return ret;
	gerr = gcry_md_open(&hd, gcry_md_algo_of(algo), GCRY_MD_FLAG_SECURE);
	if (gerr)
		return gcry_to_ect(gerr);
	*out = (struct ect__md *)(void *)hd;
	return 0;
}

void ect__md_digest(struct ect__md *h, const void *in, size_t len, void *digest)
{
	gcry_md_hd_t hd = md_hd(h);
	int algo = gcry_md_get_algo(hd);

	gcry_md_reset(hd);
	gcry_md_write(hd, in, len);
	memcpy(digest, gcry_md_read(hd, algo), gcry_md_get_algo_dlen(algo));
}

void ect__md_close(struct ect__md *h)
{
	if (h)
		gcry_md_close(md_hd(h));
}

int ect__hmac_sha256(const void *key, size_t key_len, const struct ect__buf *parts, size_t n,
		     uint8_t out[32])
{
	size_t len = 32;
	gcry_mac_hd_t hd;
	gcry_error_t gerr;
	int ret;

	ret = ect__crypto_init();
	if (ret)
		return ret;
	gerr = gcry_mac_open(&hd, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE, NULL);
	if (gerr)
		return gcry_to_ect(gerr);
	gerr = gcry_mac_setkey(hd, key, key_len);
	for (size_t i = 0; !gerr && i < n; i++)
		if (parts[i].data)
			gerr = gcry_mac_write(hd, parts[i].data, parts[i].len);
	if (!gerr)
		gerr = gcry_mac_read(hd, out, &len);
	gcry_mac_close(hd);
	return gcry_to_ect(gerr);
}

int ect__hkdf_sha256(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
		     const struct ect__buf *info, size_t n_info, uint8_t *out, size_t out_len)
{
	static const uint8_t zeros[32];
	struct ect__buf parts[8];
	uint8_t prk[32], t[32], counter = 0;
	size_t t_len = 0, done = 0;
	int ret;

	if (n_info > ECT_ARRAY_SIZE(parts) - 2 || out_len > 255 * 32)
		return -EINVAL;
	if (!salt) {
		salt = zeros;
		salt_len = sizeof(zeros);
	}
	/* extract: PRK = HMAC(salt, IKM) */
	ret = ect__hmac_sha256(salt, salt_len, &(struct ect__buf){ ikm, ikm_len }, 1, prk);
	/* expand: T(i) = HMAC(PRK, T(i-1) || info || i) */
	while (!ret && done < out_len) {
		size_t n = 0, take;

		counter++;
		parts[n++] = (struct ect__buf){ t_len ? t : NULL, t_len };
		for (size_t i = 0; i < n_info; i++)
			parts[n++] = info[i];
		parts[n++] = (struct ect__buf){ &counter, 1 };
		ret = ect__hmac_sha256(prk, sizeof(prk), parts, n, t);
		t_len = sizeof(t);
		take = out_len - done < t_len ? out_len - done : t_len;
		if (!ret)
			memcpy(out + done, t, take);
		done += take;
	}
	explicit_bzero(prk, sizeof(prk));
	explicit_bzero(t, sizeof(t));
	if (ret)
		explicit_bzero(out, out_len);
	return ret;
}

/* ---- randomness ------------------------------------------------------------ */

int ect__random(void *buf, size_t len, enum ect__random_level level)
{
	int ret = ect__crypto_init();

	if (!ret)
		gcry_randomize(buf, len,
			       level == ECT__RANDOM_VERY_STRONG ? GCRY_VERY_STRONG_RANDOM
								: GCRY_STRONG_RANDOM);
	return ret;
}

int ect__nonce(void *buf, size_t len)
{
	int ret = ect__crypto_init();

	if (!ret)
		gcry_create_nonce(buf, len);
	return ret;
}

/* ---- Argon2id ---------------------------------------------------------------- */

int ect__argon2id_compute(const void *password, size_t password_len, const void *salt,
			  size_t salt_len, unsigned long t_cost, unsigned long m_cost_kib,
			  unsigned long lanes, const struct ect__kdf_threads *threads, void *out,
			  size_t out_len)
{
	unsigned long param[4] = { out_len, t_cost, m_cost_kib, lanes };
	gcry_kdf_thread_ops_t ops = { 0 };
	gcry_kdf_hd_t hd;
	gcry_error_t gerr;
	int ret;

	ret = ect__crypto_init();
	if (ret)
		return ret;
	if (threads) {
		ops.jobs_context = threads->context;
		ops.dispatch_job = threads->dispatch;
		ops.wait_all_jobs = threads->wait_all;
	}
	gerr = gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4, password,
			     password_len, salt, salt_len, NULL, 0, NULL, 0);
	if (gerr)
		return gcry_to_ect(gerr);
	gerr = gcry_kdf_compute(hd, threads ? &ops : NULL);
	if (!gerr)
		gerr = gcry_kdf_final(hd, out_len, out);
	gcry_kdf_close(hd); /* wipes the memory matrix */
	return gcry_to_ect(gerr);
}
