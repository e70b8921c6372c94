// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recover-private through a token protector (issue 16): the records of
 * wrapped-passphrase.token beside the wrapped passphrase, opened with the
 * PIN from --pin-file or the terminal. Each record is tried once: a wrong
 * PIN is reported, never asked again, so the token's retry counter is the
 * only one. Nothing is written (a recovery never changes the user's files).
 */
#include "cmd-recover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The token file beside wrapped (same directory), when it exists. */
static bool token_file_beside(const char *wrapped, char *out, size_t size)
{
	const char *slash = strrchr(wrapped, '/');
	int dirlen = slash ? (int)(slash - wrapped) : 1;
	struct stat st;

	if ((size_t)snprintf(out, size, "%.*s/%s", dirlen, slash ? wrapped : ".",
			     ECT_TOKEN_FILE) >= size)
		return false;
	return !lstat(out, &st) && S_ISREG(st.st_mode);
}

struct token_try {
	struct ect_ctx *ctx;
	const struct recover_secrets *sec;
	struct ect_user_dirs d;
	struct cli_pin pin;
	struct cli_secret pw; /* AND records: asked at most once */
};

static int try_record(struct token_try *t, size_t i, const struct ect_token_info *info,
		      struct cli_secret *pass)
{
	struct cli_secret_spec spec = { .what = "login password", .source = t->sec->password_file,
					.prompt = "LOGIN passphrase (token AND password): " };

	if (info->policy == ECT_TOKEN_AND_PASSWORD && !t->pw.s &&
	    cli_get_secret(t->ctx, &spec, &t->pw))
		return -ECANCELED;
	return ect_token_unwrap_user(&t->d, i, cli_token_pin, &t->pin, t->pw.s, t->pw.len,
				     NULL, &pass->s, &pass->len);
}

/* The first record whose token is present opens it, or the last error. */
static int try_records(struct token_try *t, const struct ect_token_info *infos, size_t n,
		       struct cli_secret *pass)
{
	int ret = -ENOENT;

	for (size_t i = 0; i < n; i++) {
		ret = try_record(t, i, &infos[i], pass);
		if (!ret) {
			cli_info("Token record %zu opened the mount passphrase.", i);
			return 0;
		}
		if (ret != ECT_E_TOKEN_MISSING)
			break;
		if (i + 1 < n)
			ect_notice(t->ctx, "token record %zu: %s; trying the next", i,
				   ect_strerror(ret));
	}
	if (ret != -ECANCELED)
		ect_err(t->ctx, "token: %s", ect_strerror(ret));
	return ret;
}

/* --pin-file names a secret for a token that is not there: an error. */
static int no_records(struct ect_ctx *ctx, const struct recover_secrets *sec, const char *wrapped)
{
	if (!sec->pin_file)
		return 1;
	ect_err(ctx, "--pin-file: no token record beside %s", wrapped[0] ? wrapped : "the directory");
	return -ENOENT;
}

int recover_token(struct ect_ctx *ctx, const char *dir, const char *wrapped,
		  const struct recover_secrets *sec, bool interactive, struct cli_secret *pass)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	struct token_try t = { .ctx = ctx, .sec = sec, .pin = { ctx, sec->pin_file } };
	char file[PATH_MAX + 32], home[PATH_MAX], question[160];
	const char *name;
	size_t n = 0;
	int ret;

	if (!wrapped[0] || !token_file_beside(wrapped, file, sizeof(file)))
		return no_records(ctx, sec, wrapped);
	if ((size_t)snprintf(home, sizeof(home), "%s/..", dir) >= sizeof(home) ||
	    cli_user_dirs(ctx, file, home, &t.d, &name))
		return sec->pin_file ? -EINVAL : 1;
	ret = ect_token_list_user(&t.d, infos, ECT_TOKEN_MAX, &n);
	if (ret && sec->pin_file) {
		ect_err(ctx, "%s: %s", file, ect_strerror(ret));
		goto out;
	}
	if (ret)
		ect_warn(ctx, "%s: %s; not using the token", file, ect_strerror(ret));
	ret = 1;
	if (!n) {
		ret = no_records(ctx, sec, wrapped);
		goto out;
	}
	if (!sec->pin_file) {
		if (!interactive)
			goto out;
		cli_info("Found %zu token record%s: %s%s", n, n > 1 ? "s" : "", infos[0].uri,
			     n > 1 ? ", ..." : "");
		snprintf(question, sizeof(question), "Do you have the token and its PIN%s? [Y/n] ",
			 infos[0].policy == ECT_TOKEN_AND_PASSWORD ? " (and your LOGIN passphrase)"
								   : "");
		if (!recover_ask_yes(question))
			goto out;
	}
	ret = try_records(&t, infos, n, pass);
out:
	cli_secret_free(&t.pw);
	cli_user_dirs_close(&t.d);
	return ret;
}
