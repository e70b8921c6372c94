/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "keys" command family: handlers shared between cmd-keys.c and cmd-wrap.c. */
#ifndef ECT_CMD_KEYS_H
#define ECT_CMD_KEYS_H

#include "cli-util.h"

/* cmd-wrap.c */
int ect_cmd_wrap(struct ect_ctx *ctx, int argc, char **argv);
int ect_cmd_unwrap(struct ect_ctx *ctx, int argc, char **argv);
int ect_cmd_rewrap(struct ect_ctx *ctx, int argc, char **argv);

/*
 * The default wrapped-passphrase file, ~/.ecryptfs/wrapped-passphrase of
 * the real user (malloc'ed), or NULL after reporting why.
 */
char *ect_keys_default_wrapped_file(struct ect_ctx *ctx);
/* "Error: WHAT failed: FILE: reason" as ecryptfs-utils, or its too-long message. */
void ect_keys_report(const char *what, const char *file, int err, size_t secret_len);
/* Refuse --passphrase-file where no mount passphrase is read. */
int ect_keys_no_passphrase_file(struct ect_ctx *ctx, const char *ppfile);

#endif /* ECT_CMD_KEYS_H */
