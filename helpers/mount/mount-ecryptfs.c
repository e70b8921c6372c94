// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mount.ecryptfs: one setuid-root binary, four names.
 *   mount.ecryptfs, umount.ecryptfs            root mode (mount -t ecryptfs)
 *   mount.ecryptfs_private, umount.ecryptfs_private   a user's private dirs
 * The process is scrubbed before anything else runs; every privileged step
 * goes through privilege.c.
 */
#include "mount-helper.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* Refusals go to the user (stderr) and to the administrator (syslog). */
static void log_both(void *userdata, int priority, const char *message)
{
	const char *ident = userdata;

	fprintf(stderr, "%s: %s\n", ident, message);
	syslog(LOG_AUTHPRIV | priority, "uid %u: %s", (unsigned int)getuid(), message);
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 && argv[0] ? argv[0] : "mount.ecryptfs";
	const char *base = strrchr(self, '/');
	struct ect_ctx *ctx = NULL;
	struct mh_priv priv;
	struct rlimit caller_fsize;
	int ret;

	/* fds, environment, umask, core dumps: before anything else */
	if (mh_priv_sanitize_process(&caller_fsize))
		return ECT_MNT_FAIL;
	base = base ? base + 1 : self;
	if (!strncmp(base, "lt-", 3))
		base += 3;
	if (strcmp(base, "mount.ecryptfs_private") && strcmp(base, "umount.ecryptfs_private") &&
	    strcmp(base, "umount.ecryptfs"))
		base = "mount.ecryptfs";
	openlog(base, LOG_PID, LOG_AUTHPRIV);
	if (ect_ctx_new(&ctx, base, ECT_LOG_STDERR)) {
		fprintf(stderr, "%s: out of memory\n", base);
		return ECT_MNT_FAIL;
	}
	ect_ctx_set_log_fn(ctx, log_both, (void *)base);
	if (mh_priv_init(&priv, ctx)) {
		ret = ECT_MNT_FAIL;
		goto out;
	}
	priv.caller_fsize = caller_fsize;
	if (!strcmp(base, "mount.ecryptfs_private") || !strcmp(base, "umount.ecryptfs_private")) {
		ret = mh_private_main(ctx, &priv, base[0] == 'u', argc, argv);
	} else if (!priv.root) {
		mh_priv_drop(&priv, ctx);
		ect_err(ctx, "refusing: %s is for root (mount -t ecryptfs); users mount their private "
			     "directories with mount.ecryptfs_private", base);
		ret = ECT_MNT_FAIL;
	} else if (!strcmp(base, "umount.ecryptfs")) {
		ret = mh_root_umount_main(ctx, &priv, argc, argv);
	} else {
		ret = mh_root_mount_main(ctx, &priv, argc, argv);
	}
out:
	mh_priv_drop(&priv, ctx);
	ect_ctx_free(ctx);
	closelog();
	return ret;
}
