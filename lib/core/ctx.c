// SPDX-License-Identifier: GPL-2.0-or-later
/* Library context and the one-time libgcrypt setup. */
#include "ect-internal.h"

#include <errno.h>
#include <gcrypt.h>
#include <pthread.h>
#include <stdio.h>
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

int ect__gcry_err(unsigned int gcry_error)
{
	if (gcry_err_code(gcry_error) == GPG_ERR_ENOMEM)
		return -ENOMEM;
	return ECT_E_CRYPTO;
}

int ect_ctx_new(struct ect_ctx **out, const char *ident, enum ect_log_sink sink)
{
	struct ect_ctx *ctx;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	snprintf(ctx->ident, sizeof(ctx->ident), "%s", ident ? ident : "ecryptfs");
	ctx->sink = sink;
	ctx->rl_interval = 5;
	ctx->rl_burst = 20;
	*out = ctx;
	return 0;
}

void ect_ctx_free(struct ect_ctx *ctx)
{
	free(ctx);
}

const char *ect_ctx_ident(const struct ect_ctx *ctx)
{
	return ctx ? ctx->ident : "ecryptfs";
}

void ect_ctx_set_log_fn(struct ect_ctx *ctx, ect_log_fn fn, void *userdata)
{
	ctx->log_fn = fn;
	ctx->log_userdata = userdata;
}

void ect_ctx_set_debug(struct ect_ctx *ctx, int level)
{
	ctx->debug = level < 0 ? 0 : level;
}

int ect_ctx_debug(const struct ect_ctx *ctx)
{
	return ctx ? ctx->debug : 0;
}

void ect_ctx_debug_from_env(struct ect_ctx *ctx)
{
	const char *v = getenv("ECRYPTFS_TOOLS_DEBUG");

	if (v && *v)
		ect_ctx_set_debug(ctx, atoi(v));
}

void ect_ctx_set_ratelimit(struct ect_ctx *ctx, unsigned int interval_sec, unsigned int burst)
{
	ctx->rl_interval = interval_sec;
	ctx->rl_burst = burst;
	ctx->rl_window_start = 0;
	ctx->rl_count = 0;
}
