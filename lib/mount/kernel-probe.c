// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one probe of the running kernel's eCryptfs: /sys/fs/ecryptfs/version
 * holds ECRYPTFS_VERSIONING_MASK in decimal (fs/ecryptfs/main.c), which
 * exists exactly while the module is loaded or built in. Root may ask for
 * the module to be loaded first, as ecryptfs-utils did; the setuid helper
 * never asks (its mount(2) makes the kernel load it, or fails with ENODEV).
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ECT_MODPROBE "/sbin/modprobe"

static const struct ect_kernel_paths system_paths = {
	.sysfs_fs = "/sys/fs",
	.fuse_program = ECT_FUSE_PROGRAM,
	.modprobe = ECT_MODPROBE,
};

/* The decimal number the kernel prints ("%d\n"): ECT_E_FORMAT for anything else. */
static int parse_version(const char *buf, unsigned int *features)
{
	char *end;
	unsigned long v;

	if (buf[0] < '0' || buf[0] > '9')
		return ECT_E_FORMAT;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || v > UINT_MAX || (*end && strcmp(end, "\n")))
		return ECT_E_FORMAT;
	*features = (unsigned int)v;
	return 0;
}

/* 0 and *features, ECT_E_NO_KERNEL when there is no version file, or an error. */
static int read_version(const char *sysfs_fs, unsigned int *features)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/ecryptfs/version", sysfs_fs) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? ECT_E_NO_KERNEL : -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return parse_version(buf, features);
}

/* The child: nothing of the caller's reaches modprobe. Never returns. */
static void exec_modprobe(const char *modprobe)
{
	char *const argv[] = { "modprobe", "-q", "ecryptfs", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		_exit(127);
	ect_close_fds_except(3, NULL, 0);
	execve(modprobe, argv, envp);
	_exit(127);
}

/* modprobe's exit status, or a negative errno when it could not run. */
static int run_modprobe(const char *modprobe)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		exec_modprobe(modprobe);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

int ect_kernel_probe_at(struct ect_ctx *ctx, const struct ect_kernel_paths *paths, unsigned int flags,
			struct ect_kernel_info *out)
{
	int r, status;

	memset(out, 0, sizeof(*out));
	out->fuse = access(paths->fuse_program, X_OK) == 0;
	r = read_version(paths->sysfs_fs, &out->features);
	/* root's own call only: a setuid program does not load modules for its user */
	if (r == ECT_E_NO_KERNEL && (flags & ECT_PROBE_LOAD) && getuid() == 0 && geteuid() == 0 &&
	    !ctx->modprobe_tried) {
		ctx->modprobe_tried = 1;
		status = run_modprobe(paths->modprobe);
		ect_debug(ctx, "no eCryptfs in the kernel: %s -q ecryptfs gave %d", paths->modprobe,
			  status);
		r = read_version(paths->sysfs_fs, &out->features);
		out->loaded = r == 0;
	}
	if (r)
		out->features = 0;
	if (r && r != ECT_E_NO_KERNEL)
		ect_debug(ctx, "cannot read %s/ecryptfs/version: %s", paths->sysfs_fs, ect_strerror(r));
	return r;
}

int ect_kernel_probe(struct ect_ctx *ctx, unsigned int flags, struct ect_kernel_info *out)
{
	return ect_kernel_probe_at(ctx, &system_paths, flags, out);
}
