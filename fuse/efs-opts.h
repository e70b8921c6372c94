/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-fuse options: which -o options are eCryptfs's (ours) and which
 * FUSE's, and whether the eCryptfs ones make a mount this program can
 * serve. No libfuse here, so the unit tests build without it.
 */
#ifndef ECT_FUSE_EFS_OPTS_H
#define ECT_FUSE_EFS_OPTS_H

#include "ecryptfs-tools.h"

#include <stddef.h>

enum efs_opt_class {
	EFS_OPT_FUSE = 0,     /* generic or FUSE option: passed on to libfuse */
	EFS_OPT_ECRYPTFS = 1, /* a kernel eCryptfs option: parsed here */
	EFS_OPT_REFUSED = 2,  /* mount.ecryptfs helper only (keys come from the keyring) */
};

enum efs_opt_class efs_opt_classify(const char *opt);
/* Append opt to the comma list *list (malloc'ed, NULL at first); -ENOMEM. */
int efs_opts_append(char **list, const char *opt);
/*
 * 0 when o describes a mount ecryptfs-fuse serves, else -EINVAL with one
 * line in why: no ecryptfs_sig, encrypted view, an unknown cipher or size.
 */
int efs_opts_validate(const struct ect_mount_opts *o, char *why, size_t size);

#endif /* ECT_FUSE_EFS_OPTS_H */
