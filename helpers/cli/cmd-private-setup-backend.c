// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private: which eCryptfs the new ~/Private is mounted
 * through (issue #15). The kernel's when it has eCryptfs (root loads the
 * module once), else ecryptfs-fuse when it is installed: the setuid helper
 * falls back to it by itself when the kernel mount answers ENODEV, so a
 * machine without the module needs no flag, and the same home mounts
 * through the kernel on a machine that has it. --fuse asks for FUSE even
 * where the kernel could: it writes ~/.ecryptfs/Private.fuse, which the
 * helper reads before it tries the kernel. A whole home (-b) needs the
 * kernel: root fills it through a kernel mount of its own.
 */
#include "cmd-private-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FUSE_FLAG_FILE "Private.fuse"

int setup_check_backend(struct ect_ctx *ctx, const struct setup *s, bool *fnek)
{
	struct ect_kernel_info k;
	int r = ect_kernel_probe(ctx, ECT_PROBE_LOAD, &k); /* root: modprobe ecryptfs once */

	*fnek = !r && (k.features & ECT_KERNEL_FILENAME_ENCRYPTION);
	if (r && r != ECT_E_NO_KERNEL) {
		ect_err(ctx, "cannot read /sys/fs/ecryptfs/version: %s; nothing was created",
			ect_strerror(r));
		return -1;
	}
	if (s->bootstrap && (s->fuse || r == ECT_E_NO_KERNEL)) {
		ect_err(ctx, "-b needs the kernel's eCryptfs (%s): root fills the new home through "
			     "a kernel mount, which ecryptfs-fuse cannot stand in for; nothing was "
			     "created",
			s->fuse ? "--fuse was given" : "this kernel has none, /sys/fs/ecryptfs is missing");
		return -1;
	}
	if ((s->fuse || r == ECT_E_NO_KERNEL) && !k.fuse) {
		if (s->fuse)
			ect_err(ctx, "--fuse: ecryptfs-fuse is not installed; nothing was created");
		else
			ect_err(ctx, "this kernel has no eCryptfs support (/sys/fs/ecryptfs is missing) "
				     "and ecryptfs-fuse is not installed: as root run 'modprobe "
				     "ecryptfs', use a kernel with CONFIG_ECRYPT_FS, or install "
				     "ecryptfs-fuse; nothing was created");
		return -1;
	}
	if (s->fuse || r == ECT_E_NO_KERNEL) {
		*fnek = true; /* ecryptfs-fuse always has filename encryption */
		printf("%s: ~/Private will be mounted through ecryptfs-fuse.\n",
		       s->fuse ? "--fuse" : "This kernel has no eCryptfs");
	}
	return 0;
}

int setup_write_fuse_flag(struct ect_ctx *ctx, struct setup *s)
{
	int r;

	if (!s->fuse) {
		/* a flag kept from an earlier setup still decides how this one mounts */
		if (setup_exists_at(s->cfgd.fd, FUSE_FLAG_FILE))
			ect_warn(ctx, "%s/" FUSE_FLAG_FILE " (from an earlier setup) stays: login "
				      "mounts through ecryptfs-fuse; remove it to use the kernel's "
				      "eCryptfs", s->cfgdir);
		return 0;
	}
	if (setup_exists_at(s->cfgd.fd, FUSE_FLAG_FILE))
		return 0;
	r = ect_write_file_atomic_at(s->cfgd.fd, FUSE_FLAG_FILE, "", 0, 0600, s->file_uid,
				     s->file_gid);
	if (r) {
		ect_err(ctx, "cannot write %s/" FUSE_FLAG_FILE ": %s", s->cfgdir, ect_strerror(r));
		return -1;
	}
	s->made_fuse_flag = true;
	return 0;
}

void setup_remove_fuse_flag(struct setup *s)
{
	if (s->made_fuse_flag && s->cfgd.fd >= 0)
		unlinkat(s->cfgd.fd, FUSE_FLAG_FILE, 0);
}
