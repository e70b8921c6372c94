// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root mode: mount -t ecryptfs SRC DST -o OPTS runs
 * "mount.ecryptfs SRC DST [-sfnv] [-o OPTS]"; umount runs
 * "umount.ecryptfs DIR [-flnrv]". Only for a caller whose real uid is 0.
 *
 * Accepts the kernel options and 111's helper options (key=passphrase with
 * passphrase_passwd=/passphrase_passwd_file=/passphrase_passwd_fd=,
 * passphrase_salt=, ecryptfs_enable_filename_crypto=, no_sig_cache,
 * verbosity=) through the library's allowlist. What 111 did next, reading
 * the passphrase, asking for what is missing, deriving and inserting the
 * key, runs in ecryptfs-mount-keys (helpers/mount-keys/), which this helper
 * executes by its fixed path and whose reply it parses again: this setuid
 * binary holds no prompting, key derivation or wrapping code (issue 14,
 * tests/deb/setuid-symbols.sh). It hands the kernel only its own options.
 */
#include "mount-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The child: root's own ids (the caller is root), RLIMIT_FSIZE as the
 * caller had it, only the two pipe ends and the caller's passphrase_passwd_fd
 * besides 0-2, a fixed argv and environment. Never returns.
 */
static void exec_mount_keys(struct ect_ctx *ctx, struct mh_priv *p, int options_fd, int reply_fd,
			    int passphrase_fd)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	char options_arg[40], reply_arg[40];
	char *const argv[] = { "ecryptfs-mount-keys", options_arg, reply_arg, NULL };
	int keep[3] = { options_fd, reply_fd, passphrase_fd };

	snprintf(options_arg, sizeof(options_arg), "--options-fd=%d", options_fd);
	snprintf(reply_arg, sizeof(reply_arg), "--reply-fd=%d", reply_fd);
	/* the kept fds are passed on: not close-on-exec; every other fd from 3 up is closed */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (keep[i] >= 3 && fcntl(keep[i], F_SETFD, 0))
			_exit(127);
	ect_close_fds_except(3, keep, sizeof(keep) / sizeof(keep[0]));
	/* root mode: nothing to drop, but never run anything with raised ids by accident */
	mh_priv_drop(p, ctx);
	if (getuid() != 0 || setrlimit(RLIMIT_FSIZE, &p->caller_fsize))
		_exit(127);
	execve(ECT_MOUNT_KEYS_PROGRAM, argv, envp);
	fprintf(stderr, "mount.ecryptfs: cannot run %s: %s\n", ECT_MOUNT_KEYS_PROGRAM, strerror(errno));
	_exit(127);
}

/*
 * The request: the -o strings as given, joined by commas (the same options
 * as parsing them one by one), written whole into a new pipe before the
 * child exists, so that the write can neither block nor meet a dead reader.
 * Never longer than one pipe buffer.
 */
static int send_options(struct ect_ctx *ctx, const struct root_mount_args *a, int fd)
{
	char *req = ect_secure_alloc(ECT_SECRET_INPUT_MAX + 1);
	size_t len = 0;
	ssize_t w;
	int ret = 0;

	if (!req)
		return ECT_E_SECMEM;
	for (unsigned int i = 0; i < a->noptstrs; i++) {
		size_t n = strlen(a->optstrs[i]);

		if (len + (len ? 1 : 0) + n > ECT_SECRET_INPUT_MAX) {
			ect_err(ctx, "refusing the options: longer than %d bytes", ECT_SECRET_INPUT_MAX);
			ret = -E2BIG;
			goto out;
		}
		if (len)
			req[len++] = ',';
		memcpy(req + len, a->optstrs[i], n);
		len += n;
	}
	do
		w = write(fd, req, len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len) {
		ret = w < 0 ? -errno : -EIO;
		ect_err(ctx, "cannot hand the options to %s: %s", ECT_MOUNT_KEYS_PROGRAM,
			strerror(-ret));
	}
out:
	ect_secure_free(req);
	return ret;
}

/* The reply up to EOF, NUL-terminated: 0, or -EMSGSIZE past size - 1 bytes or with a NUL. */
static int read_reply(int fd, char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n >= size)
			return -EMSGSIZE;
	}
	buf[n] = '\0';
	return memchr(buf, '\0', n) ? -EMSGSIZE : 0;
}

/* Wait for pid: 0 when it exited with 0, else -1 (logged). */
static int wait_mount_keys(struct ect_ctx *ctx, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ect_err(ctx, "cannot wait for %s: %s", ECT_MOUNT_KEYS_PROGRAM, strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		ect_err(ctx, "%s failed (exit status %d)", ECT_MOUNT_KEYS_PROGRAM, WEXITSTATUS(status));
	else
		ect_err(ctx, "%s was killed by signal %d", ECT_MOUNT_KEYS_PROGRAM,
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

/*
 * Root mode's passphrase step runs in ECT_MOUNT_KEYS_PROGRAM, not in this
 * setuid binary: it reads the passphrase, derives and adds the key, asks
 * what 111 asks and writes the completed kernel options into reply.
 */
static int run_mount_keys(struct ect_ctx *ctx, struct mh_priv *p, const struct root_mount_args *a,
			  int passphrase_fd, char *reply, size_t size)
{
	int req[2] = { -1, -1 }, rep[2] = { -1, -1 }, r = -1;
	pid_t pid;

	if (!p->root || getuid() != 0)
		return -1;
	if (access(ECT_MOUNT_KEYS_PROGRAM, X_OK)) {
		ect_err(ctx, "cannot complete the mount options: %s: %s", ECT_MOUNT_KEYS_PROGRAM,
			strerror(errno));
		return -1;
	}
	/* the caller's fd, not one of the pipes below that would take its free number */
	if (passphrase_fd >= 0 && fcntl(passphrase_fd, F_GETFD) < 0) {
		ect_err(ctx, "passphrase_passwd_fd=%d is not an open file descriptor", passphrase_fd);
		return -1;
	}
	if (pipe2(req, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
		ect_err(ctx, "cannot make a pipe: %s", strerror(errno));
		goto out;
	}
	if (send_options(ctx, a, req[1]))
		goto out;
	close(req[1]);
	req[1] = -1;
	/* a caller's SIGCHLD ignored would reap the child before we read its status */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid < 0) {
		ect_err(ctx, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_mount_keys(ctx, p, req[0], rep[1], passphrase_fd);
	close(rep[1]);
	rep[1] = -1;
	r = read_reply(rep[0], reply, size);
	if (wait_mount_keys(ctx, pid)) {
		r = -1;
	} else if (r) {
		ect_err(ctx, "cannot read the options %s completed: %s", ECT_MOUNT_KEYS_PROGRAM,
			strerror(-r));
		r = -1;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (req[i] >= 0)
			close(req[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	return r;
}

/*
 * The reply is input like any option string: parsed through the same
 * allowlist into *done, which must hold kernel options only and keep the
 * signatures, cipher and key size the caller gave. The caller's mount(2)
 * flags are kept from the caller's own options.
 */
static int take_reply(struct ect_ctx *ctx, const struct ect_mount_opts *given, const char *reply,
		      struct ect_mount_opts *done)
{
	char bad[64];
	int r = ect_mount_opts_parse(done, reply, bad, sizeof(bad));

	if (r) {
		ect_err(ctx, "refusing option '%s' from %s: %s", bad, ECT_MOUNT_KEYS_PROGRAM,
			ect_strerror(r));
		return -1;
	}
	if (done->key_passphrase || done->passphrase || done->passphrase_file ||
	    done->passphrase_fd >= 0 || done->have_salt || done->enable_fnek >= 0 ||
	    done->verbosity >= 0 || done->no_sig_cache || done->ms_flags) {
		ect_err(ctx, "refusing the reply of %s: it holds more than kernel options",
			ECT_MOUNT_KEYS_PROGRAM);
		return -1;
	}
	for (unsigned int i = 0; i < given->nsigs; i++) {
		unsigned int j = 0;

		while (j < done->nsigs && strcmp(done->sigs[j], given->sigs[i]))
			j++;
		if (j == done->nsigs) {
			ect_err(ctx, "refusing the reply of %s: it dropped ecryptfs_sig=%s",
				ECT_MOUNT_KEYS_PROGRAM, given->sigs[i]);
			return -1;
		}
	}
	if ((given->cipher[0] && strcmp(given->cipher, done->cipher)) ||
	    (given->key_bytes && given->key_bytes != done->key_bytes)) {
		ect_err(ctx, "refusing the reply of %s: it changed the cipher or key size",
			ECT_MOUNT_KEYS_PROGRAM);
		return -1;
	}
	done->ms_flags = given->ms_flags;
	return 0;
}

/*
 * mount(2) src on dst through fds: the mount is made on the opened target
 * and must sit on the opened lower directory (mh_priv_mount), so a path
 * swapped after realpath() cannot redirect root's mount.
 */
static int mount_checked(struct ect_ctx *ctx, struct mh_priv *p, const char *src, const char *dst,
			 int mtab, unsigned long ms_flags, const char *kopts)
{
	int tfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;

	if (tfd < 0 || sfd < 0) {
		r = -errno;
		ect_err(ctx, "cannot open %s: %s", tfd < 0 ? dst : src, strerror(errno));
	} else {
		/* CVE-2012-3409: nosuid,nodev always, root mode too (flags, not kernel options) */
		struct mh_priv_mount_req mr = {
			.src = src, .lower_fd = sfd, .target_fd = tfd, .target = dst, .mtab = mtab,
			.flags = ms_flags | MS_NOSUID | MS_NODEV, .opts = kopts,
		};

		r = mh_priv_mount(p, ctx, &mr, NULL);
	}
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return r;
}

int mh_root_mount_args(struct ect_ctx *ctx, int argc, char **argv, struct ect_mount_opts *o,
			struct root_mount_args *out)
{
	const char *args[2] = { NULL, NULL };
	char bad[64];
	int nargs = 0, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) {
			if (out->noptstrs == ROOT_MOUNT_OPTSTRS_MAX) {
				ect_err(ctx, "too many -o options (at most %d)", ROOT_MOUNT_OPTSTRS_MAX);
				return ECT_MNT_USAGE;
			}
			r = ect_mount_opts_parse(o, argv[++i], bad, sizeof(bad));
			if (r) {
				ect_err(ctx, "refusing option '%s': %s", bad, ect_strerror(r));
				return ECT_MNT_FAIL;
			}
			out->optstrs[out->noptstrs++] = argv[i];
		} else if (!strcmp(a, "-t") && i + 1 < argc) {
			if (strcmp(argv[++i], "ecryptfs")) {
				ect_err(ctx, "refusing type '%s': this helper mounts ecryptfs", argv[i]);
				return ECT_MNT_FAIL;
			}
		} else if (!strcmp(a, "-N")) {
			ect_err(ctx, "refusing -N: mount namespaces are not supported");
			return ECT_MNT_FAIL;
		} else if (a[0] == '-' && a[1] && strspn(a + 1, "sfnvi") == strlen(a + 1)) {
			out->no_mtab |= strchr(a, 'n') != NULL;
			out->fake |= strchr(a, 'f') != NULL;
		} else if (a[0] == '-' && a[1]) {
			ect_err(ctx, "unknown option '%s'", a);
			return ECT_MNT_USAGE;
		} else if (nargs < 2) {
			args[nargs++] = a;
		} else {
			ect_err(ctx, "too many arguments");
			return ECT_MNT_USAGE;
		}
	}
	if (nargs != 2) {
		fprintf(stderr, "Usage: mount.ecryptfs SRC DST [-o OPTIONS]  (see mount.ecryptfs(8))\n");
		return ECT_MNT_USAGE;
	}
	out->src = args[0];
	out->dst = args[1];
	return 0;
}

int mh_root_mount_main(struct ect_ctx *ctx, struct mh_priv *p, int argc, char **argv)
{
	struct ect_mount_opts o, done;
	struct root_mount_args a = { 0 };
	char kopts[ECT_MOUNT_OPTS_MAX], reply[ECT_MOUNT_OPTS_MAX], *src = NULL, *dst = NULL;
	int ret, r;

	ect_mount_opts_init(&o);
	ect_mount_opts_init(&done);
	ret = mh_root_mount_args(ctx, argc, argv, &o, &a);
	if (ret)
		goto out;
	ret = ECT_MNT_FAIL;
	src = realpath(a.src, NULL);
	dst = realpath(a.dst, NULL);
	if (!src || !dst) {
		ect_err(ctx, "cannot resolve %s: %s", !src ? a.src : a.dst, strerror(errno));
		goto out;
	}
	if (run_mount_keys(ctx, p, &a, o.passphrase_fd, reply, sizeof(reply)) ||
	    take_reply(ctx, &o, reply, &done))
		goto out;
	r = ect_mount_opts_kernel(&done, kopts, sizeof(kopts));
	if (r) {
		ect_err(ctx, "cannot build the kernel options: %s", ect_strerror(r));
		goto out;
	}
	if (a.fake) {
		ret = ECT_MNT_OK;
		goto out;
	}
	r = mount_checked(ctx, p, src, dst, !a.no_mtab, done.ms_flags, kopts);
	if (r) {
		ect_err(ctx, "mount of %s on %s failed: %s%s", src, dst, ect_strerror(r),
			r == -ENODEV ? " (this kernel has no eCryptfs)" : "");
		goto out;
	}
	ret = ECT_MNT_OK;
out:
	ect_mount_opts_clear(&o);
	ect_mount_opts_clear(&done);
	free(src);
	free(dst);
	return ret;
}

static void unlink_sig_opt(struct ect_ctx *ctx, const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; (p = strstr(p, name)); p += n) {
		char sig[ECT_SIG_HEX_SIZE + 1];

		if (p != opts && p[-1] != ',')
			continue;
		if (strlen(p + n) < ECT_SIG_HEX_SIZE)
			break;
		memcpy(sig, p + n, ECT_SIG_HEX_SIZE);
		sig[ECT_SIG_HEX_SIZE] = '\0';
		if (!ect_sig_check(sig) && ect_keyring_unlink(sig) == 0)
			ect_info(ctx, "removed key %s from the user keyring", sig);
	}
}

int mh_root_umount_args(struct ect_ctx *ctx, int argc, char **argv, const char **dir, int *lazy,
			 int *no_mtab)
{
	*dir = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-t") || !strcmp(a, "-N")) && i + 1 < argc) {
			/* type and namespace come from umount(8), which already chose both */
			i++;
		} else if (a[0] == '-' && a[1] && strspn(a + 1, "flnrvdi") == strlen(a + 1)) {
			*lazy |= strchr(a, 'l') != NULL;
			*no_mtab |= strchr(a, 'n') != NULL;
		} else if (a[0] == '-' && a[1]) {
			ect_err(ctx, "unknown option '%s'", a);
			return ECT_MNT_USAGE;
		} else if (!*dir) {
			*dir = a;
		} else {
			ect_err(ctx, "too many arguments");
			return ECT_MNT_USAGE;
		}
	}
	if (!*dir) {
		fprintf(stderr, "Usage: umount.ecryptfs DIR [-flnrv]\n");
		return ECT_MNT_USAGE;
	}
	return 0;
}

/*
 * Not lazy: an fd on the mount would keep it busy, so the mount is named by
 * its mount point's directory, reached from the checked root *fd through
 * "..", and the last name of dir; *fd is closed before the unmount, and
 * mh_priv_umount_at unmounts only if that name still leads to this mount.
 */
static int umount_checked(struct ect_ctx *ctx, struct mh_priv *p, int *fd, const char *dir,
			  int mount_id, const struct ect_mount_entry *row, unsigned int flags)
{
	const char *slash = strrchr(dir, '/');
	struct mh_priv_umount_at at = { .parent_fd = -1, .mount_id = mount_id };
	struct stat st;
	int r;

	if (!slash || !slash[1] || mount_id < 0)
		return -EINVAL;
	at.name = slash + 1;
	if (fstat(*fd, &st))
		return -errno;
	at.dev = st.st_dev;
	at.ino = st.st_ino;
	/* ".." of a mount's root is the directory holding its mount point */
	at.parent_fd = openat(*fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at.parent_fd < 0)
		return -errno;
	close(*fd);
	*fd = -1;
	ect_debug(ctx, "unmounting %s (mount id %d) through its directory", dir, mount_id);
	r = mh_priv_umount_at(p, ctx, &at, row, flags);
	close(at.parent_fd);
	return r;
}

int mh_root_umount_main(struct ect_ctx *ctx, struct mh_priv *p, int argc, char **argv)
{
	struct ect_mount_entry *row = NULL;
	char *dir = NULL;
	const char *arg = NULL;
	int lazy = 0, no_mtab = 0, r, ret = ECT_MNT_FAIL, fd = -1, mount_id = -1;

	r = mh_root_umount_args(ctx, argc, argv, &arg, &lazy, &no_mtab);
	if (r)
		return r;
	dir = realpath(arg, NULL);
	row = calloc(1, sizeof(*row));
	if (!dir || !row) {
		ect_err(ctx, "cannot resolve %s: %s", arg, strerror(errno));
		goto out;
	}
	/* by identity: dir is the root of an eCryptfs mount (issue #10), not a listed string */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? 0 : ect_mount_find_over(NULL, fd, -1, &mount_id, row);
	if (r <= 0) {
		ect_err(ctx, "%s is not an eCryptfs mount point", dir);
		goto out;
	}
	if (lazy)
		r = mh_priv_umount(p, ctx, fd, row, ECT_UMOUNT_LAZY | (no_mtab ? ECT_UMOUNT_NO_MTAB : 0));
	else
		r = umount_checked(ctx, p, &fd, dir, mount_id, row, no_mtab ? ECT_UMOUNT_NO_MTAB : 0);
	if (r) {
		ect_err(ctx, "unmount of %s failed: %s", dir, ect_strerror(r));
		goto out;
	}
	/* Keys go only once the mount is gone: a failed unmount keeps them usable. */
	if (strstr(row->opts, "ecryptfs_unlink_sigs")) {
		unlink_sig_opt(ctx, row->opts, "ecryptfs_sig=");
		unlink_sig_opt(ctx, row->opts, "ecryptfs_fnek_sig=");
	}
	ret = ECT_MNT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(row);
	free(dir);
	return ret;
}
