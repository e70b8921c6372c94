// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Logging: one line per message to stderr, syslog or a callback, with
 * control characters escaped (names come from users) and a rate limit so a
 * hostile loop cannot flood syslog.
 */
#include "ect-internal.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#define ECT_LOG_LINE_MAX 1024

/* Returns true when this line may be emitted; reports drops when a window ends. */
static bool ratelimit_pass(struct ect_ctx *ctx, unsigned int *dropped)
{
	time_t now;

	*dropped = 0;
	if (!ctx->rl_interval || !ctx->rl_burst)
		return true;
	now = time(NULL);
	if (now - ctx->rl_window_start >= (time_t)ctx->rl_interval) {
		*dropped = ctx->rl_suppressed;
		ctx->rl_window_start = now;
		ctx->rl_count = 0;
		ctx->rl_suppressed = 0;
	}
	if (ctx->rl_count >= ctx->rl_burst) {
		ctx->rl_suppressed++;
		return false;
	}
	ctx->rl_count++;
	return true;
}

/* Replace control bytes so a crafted file name cannot forge log lines. */
static void sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			*s = '?';
	}
}

static void emit(struct ect_ctx *ctx, int priority, const char *line)
{
	if (ctx->log_fn) {
		ctx->log_fn(ctx->log_userdata, priority, line);
		return;
	}
	switch (ctx->sink) {
	case ECT_LOG_STDERR:
		fprintf(stderr, "%s: %s\n", ctx->ident, line);
		break;
	case ECT_LOG_SYSLOG:
		/* No openlog(): the host program owns its syslog identity. */
		syslog(LOG_AUTHPRIV | priority, "%s: %s", ctx->ident, line);
		break;
	case ECT_LOG_NONE:
		break;
	}
}

void ect_vlog(struct ect_ctx *ctx, int priority, const char *fmt, va_list ap)
{
	char line[ECT_LOG_LINE_MAX];
	unsigned int dropped;

	if (!ctx)
		return;
	if (priority >= LOG_DEBUG && ctx->debug <= 0)
		return;
	if (!ratelimit_pass(ctx, &dropped))
		return;
	if (dropped) {
		snprintf(line, sizeof(line), "%u log messages suppressed by rate limit", dropped);
		emit(ctx, LOG_WARNING, line);
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	sanitize(line);
	emit(ctx, priority, line);
}

void ect_log(struct ect_ctx *ctx, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ect_vlog(ctx, priority, fmt, ap);
	va_end(ap);
}
