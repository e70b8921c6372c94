/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ecryptfs commands: the private family (setup/mount/umount a private directory). */
#ifndef ECT_CMD_PRIVATE_H
#define ECT_CMD_PRIVATE_H

#include "cli-util.h"

/* Environment override of the mount helpers' directory (tests; default ECT_ROOTSBINDIR). */
#define ECT_ENV_SBINDIR "ECRYPTFS_TOOLS_SBINDIR"

int cmd_setup_private(struct ect_ctx *ctx, int argc, char **argv);

/* fflush stdout and stderr, then fork; -1 after saying why. */
pid_t cli_private_fork(struct ect_ctx *ctx);
/* Wait for pid: its exit status, or -1 when it did not exit normally. */
int cli_private_wait(pid_t pid);
/*
 * Run ROOTSBINDIR/NAME ARGS... (the setuid helper) as the current user and
 * wait; returns its exit status, or -1 when it could not run.
 */
int cli_private_run_helper(struct ect_ctx *ctx, const char *name, const char *arg1,
			   const char *arg2);
/* Add the FEKEK (rc salt) and, with fnek, the FNEK of a mount passphrase to @u and link @u @s. */
int cli_private_add_keys(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
			 char fekek[ECT_SIG_HEX_SIZE + 1], char fnek_sig[ECT_SIG_HEX_SIZE + 1]);
/*
 * Check user's login password with PAM (service "ecryptfs-setup-private",
 * which falls back to /etc/pam.d/other). 0 when it is right.
 */
int cli_private_check_login(struct ect_ctx *ctx, const char *user, const char *password);

#endif /* ECT_CMD_PRIVATE_H */
