/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "keys" command family: handlers shared between cmd-keys.c and cmd-wrap.c. */
#ifndef ECT_CMD_KEYS_H
#define ECT_CMD_KEYS_H

#include "cli-util.h"

/* cmd-wrap.c */
int cmd_wrap(struct ect_ctx *ctx, int argc, char **argv);
int cmd_unwrap(struct ect_ctx *ctx, int argc, char **argv);
int cmd_rewrap(struct ect_ctx *ctx, int argc, char **argv);

/*
 * The default wrapped-passphrase file, ~/.ecryptfs/wrapped-passphrase of
 * the real user (malloc'ed), or NULL after reporting why.
 */
char *cli_keys_default_wrapped_file(struct ect_ctx *ctx);
/* "Error: WHAT failed: FILE: reason" as ecryptfs-utils, or its too-long message. */
void cli_keys_report(const char *what, const char *file, int err, size_t secret_len);
/* Refuse --passphrase-file where no mount passphrase is read. */
int cli_keys_no_passphrase_file(struct ect_ctx *ctx, const char *ppfile);

/* What cli_keys_wrapped_args() read; cli_keys_wrapped_free() wipes it. */
struct cli_keys_wrapped {
	char *file;		      /* the wrapped-passphrase file (malloc'ed) */
	struct cli_secret pw;	      /* the wrapping passphrase */
	struct ect_user_dirs dirs;    /* FILE's directory, the real user's home (salt) */
	struct ect_unlock_opts opts;  /* .file: FILE's last component */
};

/*
 * The front shared by unwrap-passphrase and insert-wrapped-passphrase:
 * parse [--password-file SRC] [FILE] [-|WRAPPING_PASSPHRASE] as 111 does,
 * open FILE's directory (default ~/.ecryptfs/wrapped-passphrase) and read
 * the wrapping passphrase. The commands then call the library's unwrap or
 * unlock operation with out->dirs and out->opts. Returns 0 with *out
 * filled, or -1 with *status the exit status to return (0 after --help,
 * else after usage or an error message).
 */
int cli_keys_wrapped_args(struct ect_ctx *ctx, int argc, char **argv, const char *usage,
			  struct cli_keys_wrapped *out, int *status);
void cli_keys_wrapped_free(struct cli_keys_wrapped *w);

#endif /* ECT_CMD_KEYS_H */
