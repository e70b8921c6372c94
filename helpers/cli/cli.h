/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ecryptfs multi-call program: each command family lives in its own
 * cmd-*.c file and exports a table; ecryptfs.c dispatches by argv[0] (the
 * ecryptfs-utils compatible names) or by subcommand ("ecryptfs NAME").
 */
#ifndef ECT_CLI_H
#define ECT_CLI_H

#include "ecryptfs-tools.h"

/* Exit codes shared by all commands (documented in ecryptfs(1)). */
enum cli_exit {
	ECT_EXIT_OK = 0,
	ECT_EXIT_FAILURE = 1, /* operation failed; ecryptfs-utils used 1 for everything */
	ECT_EXIT_USAGE = 2,   /* bad arguments */
};

struct cli_cmd {
	const char *name;	 /* subcommand: "ecryptfs NAME" */
	const char *compat_name; /* installed link name, or NULL */
	int (*run)(struct ect_ctx *ctx, int argc, char **argv); /* returns an exit code */
	const char *summary;
};

/* Family tables, each ended by an entry with name NULL. */
extern const struct cli_cmd cmds_keys[];	/* cmd-keys.c: wrap/unwrap/add/insert */
extern const struct cli_cmd cmds_private[]; /* cmd-private.c: setup/mount/umount private */
extern const struct cli_cmd cmds_recover[]; /* cmd-recover.c: recover, stat, find */
extern const struct cli_cmd cmds_verify[];	/* cmd-verify.c: verify-private, verify */
extern const struct cli_cmd cmds_migrate[]; /* cmd-migrate-home.c: migrate-home */
extern const struct cli_cmd cmds_swap[];	/* cmd-setup-swap.c: setup-swap */
extern const struct cli_cmd cmds_token[];	/* cmd-token.c: token protectors */
extern const struct cli_cmd cmds_alias[];	/* cmd-alias.c: setup-alias (issue 16) */

#endif /* ECT_CLI_H */
