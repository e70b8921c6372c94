// SPDX-License-Identifier: GPL-2.0-or-later
/* Library context. */
#include "ect-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
