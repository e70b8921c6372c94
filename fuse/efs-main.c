// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse LOWER MOUNTPOINT -o ecryptfs_sig=...[,FUSE options]
 *
 * Sorts the options, opens LOWER, checks the keys are in the keyring,
 * mounts, forks into the background, and only then reads the keys into
 * locked memory (mlock does not survive fork) and serves the mount.
 */
#include "efs.h"
#include "efs-opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

struct efs_cmdline {
	const char *lower;
	unsigned int codec_threads;
	char *ecryptfs;	/* the eCryptfs options, comma-joined */
	int nonopts;
	int failed;
	int read_only;	/* -o ro: the kernel refuses writes; we open nothing for writing */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ecryptfs-fuse LOWER MOUNTPOINT -o ecryptfs_sig=SIG[,OPTION...]\n"
		"eCryptfs options: ecryptfs_sig, ecryptfs_fnek_sig, ecryptfs_cipher,\n"
		"  ecryptfs_key_bytes, ecryptfs_fn_cipher, ecryptfs_fn_key_bytes,\n"
		"  ecryptfs_passthrough, ecryptfs_xattr_metadata, ecryptfs_unlink_sigs\n"
		"The keys must be in your keyring (ecryptfs-add-passphrase).\n"
		"codec_threads=N: threads for big reads and writes (default: the CPUs, 1: none)\n"
		"FUSE options: -f (foreground), -d (debug), -s (single thread), -o ro, ...\n");
}

/* ecryptfs-fuse's own options (not eCryptfs', not FUSE's). */
static const struct fuse_opt cmdline_opts[] = {
	{ "codec_threads=%u", offsetof(struct efs_cmdline, codec_threads), 0 },
	FUSE_OPT_END
};

static int sort_arg(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct efs_cmdline *c = data;

	if (key == FUSE_OPT_KEY_NONOPT) {
		/* LOWER is ours; MOUNTPOINT goes on to fuse_parse_cmdline. */
		if (c->nonopts++ == 0) {
			c->lower = arg;
			return 0;
		}
		return 1;
	}
	if (key != FUSE_OPT_KEY_OPT)
		return 1;
	if (!strcmp(arg, "ro") || !strcmp(arg, "rw"))
		c->read_only = arg[1] == 'o';
	switch (efs_opt_classify(arg)) {
	case EFS_OPT_ECRYPTFS:
		if (efs_opts_append(&c->ecryptfs, arg))
			c->failed = 1;
		return 0;
	case EFS_OPT_REFUSED:
		/* Only the name: the value may be a passphrase. */
		fprintf(stderr, "ecryptfs-fuse: option %.*s is mount.ecryptfs's; add the key "
			"to the keyring (ecryptfs-add-passphrase) instead\n",
			(int)strcspn(arg, "="), arg);
		c->failed = 1;
		return 0;
	default:
		return 1;
	}
}

/* The eCryptfs options into e->opts; one line on stderr on failure. */
static int parse_ecryptfs(struct efs *e, const char *list)
{
	char bad[128] = "", why[160];
	int rc;

	ect_mount_opts_init(&e->opts);
	if (!list) {
		fprintf(stderr, "ecryptfs-fuse: -o ecryptfs_sig=SIG is required\n");
		return -EINVAL;
	}
	rc = ect_mount_opts_parse(&e->opts, list, bad, sizeof(bad));
	if (rc) {
		fprintf(stderr, "ecryptfs-fuse: bad eCryptfs option '%s': %s\n", bad,
			ect_strerror(rc));
		return rc;
	}
	rc = efs_opts_validate(&e->opts, why, sizeof(why));
	if (rc)
		fprintf(stderr, "ecryptfs-fuse: %s\n", why);
	return rc;
}

/* The lower directory as the mount's source in the mount table. */
static int add_fsname(struct fuse_args *args, const char *lower)
{
	char opt[4096 + 16];

	/* A comma or backslash would need FUSE's escaping: leave the default then. */
	if (strpbrk(lower, ",\\") || strlen(lower) > 4096)
		return 0;
	snprintf(opt, sizeof(opt), "-ofsname=%s", lower);
	return fuse_opt_add_arg(args, opt);
}

void efs_log(struct efs *e, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&e->log_lock);
	ect_vlog(e->ctx, priority, fmt, ap);
	pthread_mutex_unlock(&e->log_lock);
	va_end(ap);
}

/* The library's line (escaped, rate-limited) to syslog as a daemon, not as auth. */
static void log_to_syslog(void *userdata, int priority, const char *message)
{
	(void)userdata;
	syslog(LOG_DAEMON | priority, "%s", message);
}

/* In the background stderr is /dev/null: what goes wrong from now on goes to syslog. */
static void log_in_background(struct efs *e)
{
	openlog("ecryptfs-fuse", LOG_PID, LOG_DAEMON);
	ect_ctx_set_log_fn(e->ctx, log_to_syslog, NULL);
}

/* After the fork: context, keys, name codec. Errors go to stderr until mounted. */
static int start_daemon(struct efs *e)
{
	const char *sig = "";
	int rc;

	rc = ect_ctx_new(&e->ctx, "ecryptfs-fuse", ECT_LOG_STDERR);
	if (rc)
		return rc;
	ect_ctx_set_ratelimit(e->ctx, EFS_LOG_INTERVAL, EFS_LOG_BURST);
	/* FUSE hands over modes with the caller's umask applied: do not apply ours too. */
	umask(0);
	rc = ect_harden_process();
	if (!rc)
		rc = efs_creds_init(e);
	if (!rc)
		rc = efs_keys_load(e, &sig);
	if (rc == -EACCES)
		ect_err(e->ctx, "key %s is in @u but not in this session (keyctl link @u @s)", sig);
	else if (rc)
		ect_err(e->ctx, "key %s: %s", sig, ect_strerror(rc));
	if (rc)
		return rc;
	rc = efs_names_init(e);
	if (rc) {
		ect_err(e->ctx, "file name key: %s", ect_strerror(rc));
		return rc;
	}
	/* Threads do not survive fork(): the pool starts here, in the daemon. */
	if (e->codec_threads != 1) {
		rc = ect_codec_pool_new(e->codec_threads, &e->pool);
		if (rc)
			ect_err(e->ctx, "codec threads: %s", ect_strerror(rc));
		else
			e->pool_writes = ect_codec_pool_threads(e->pool) > EFS_POOL_WRITES_MIN;
	}
	return rc;
}

static void stop_daemon(struct efs *e)
{
	if (e->opts.flags & ECT_MOPT_UNLINK_SIGS) {
		/* As the kernel at umount: the mount's keys leave the keyring. */
		for (unsigned int i = 0; i < e->opts.nsigs; i++)
			(void)ect_keyring_unlink(e->opts.sigs[i]);
		if (e->opts.fnek_sig[0])
			(void)ect_keyring_unlink(e->opts.fnek_sig);
	}
	ect_codec_pool_free(e->pool);
	e->pool = NULL;
	efs_names_free(e);
	efs_keys_free(e);
	efs_creds_free(e);
	ect_ctx_free(e->ctx);
	e->ctx = NULL;
}

/*
 * Fork before anything secret is read, so the keys are locked in the
 * process that serves; the parent waits for the child's verdict and exits
 * with it, so a failed key or mount is reported to whoever ran us.
 */
static int background(int *report)
{
	int pipefd[2];
	unsigned char code = EFS_EXIT_MOUNT;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &code, 1) != 1)
			code = EFS_EXIT_MOUNT;
		_exit(code);
	}
	close(pipefd[0]);
	*report = pipefd[1];
	return setsid() < 0 ? -errno : 0;
}

/* The child tells its parent how it went; after success it leaves the terminal. */
static void report_status(int *report, int code)
{
	unsigned char c = (unsigned char)code;
	int null;

	if (*report < 0)
		return;
	if (!code && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
		if (chdir("/"))
			code = 0; /* nothing relies on the cwd */
	}
	if (write(*report, &c, 1) != 1)
		code = 0;
	close(*report);
	*report = -1;
}

static int serve(struct efs *e, struct fuse_args *args, struct fuse_cmdline_opts *co)
{
	struct fuse_operations ops = { 0 };
	struct fuse *fuse = NULL;
	int report = -1, rc = EFS_EXIT_MOUNT;

	if (!co->foreground && background(&report)) {
		fprintf(stderr, "ecryptfs-fuse: cannot go to the background: %s\n", strerror(errno));
		goto out;
	}
	if (start_daemon(e)) {
		rc = EFS_EXIT_KEYS;
		goto out;
	}
	efs_ops_dir(&ops);
	efs_ops_file(&ops);
	efs_ops_xattr(&ops);
	fuse = fuse_new(args, &ops, sizeof(ops), e);
	if (!fuse) {
		rc = EFS_EXIT_USAGE;
		goto out;
	}
	if (fuse_mount(fuse, co->mountpoint))
		goto out_destroy;
	if (fuse_set_signal_handlers(fuse_get_session(fuse)))
		goto out_unmount;
	report_status(&report, 0);
	if (!co->foreground)
		log_in_background(e);
	if (co->singlethread)
		rc = fuse_loop(fuse) ? EFS_EXIT_MOUNT : 0;
	else
		rc = fuse_loop_mt(fuse, co->clone_fd) ? EFS_EXIT_MOUNT : 0;
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
	fuse_unmount(fuse);
out_destroy:
	fuse_destroy(fuse);
out:
	report_status(&report, rc);
	stop_daemon(e);
	return rc;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts co = { 0 };
	struct efs_cmdline cmd = { 0 };
	struct efs e = { .lower_fd = -1 };
	const char *missing = "";
	int rc = EFS_EXIT_USAGE;

	pthread_mutex_init(&e.files_lock, NULL);
	pthread_mutex_init(&e.log_lock, NULL);
	if (fuse_opt_parse(&args, &cmd, cmdline_opts, sort_arg) || cmd.failed)
		goto out;
	e.codec_threads = cmd.codec_threads;
	if (fuse_parse_cmdline(&args, &co))
		goto out;
	if (co.show_help || co.show_version) {
		if (co.show_help)
			usage(stdout);
		else
			printf("ecryptfs-fuse %s, FUSE library %s\n", PACKAGE_VERSION,
			       fuse_pkgversion());
		rc = 0;
		goto out;
	}
	if (!cmd.lower || !co.mountpoint) {
		usage(stderr);
		goto out;
	}
	if (parse_ecryptfs(&e, cmd.ecryptfs))
		goto out;
	e.read_only = cmd.read_only;
	e.lower_fd = open(cmd.lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e.lower_fd < 0) {
		fprintf(stderr, "ecryptfs-fuse: lower directory %s: %s\n", cmd.lower,
			strerror(errno));
		rc = EFS_EXIT_LOWER;
		goto out;
	}
	if (efs_keys_check(&e.opts, &missing)) {
		fprintf(stderr, "ecryptfs-fuse: no key %s in your keyring "
			"(ecryptfs-add-passphrase adds it)\n", missing);
		rc = EFS_EXIT_KEYS;
		goto out;
	}
	/* The kernel checks permissions on what getattr reports, as for eCryptfs. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") ||
	    fuse_opt_add_arg(&args, "-osubtype=ecryptfs-fuse") || add_fsname(&args, cmd.lower))
		goto out;
	rc = serve(&e, &args, &co);
out:
	if (e.lower_fd >= 0)
		close(e.lower_fd);
	ect_mount_opts_clear(&e.opts);
	free(cmd.ecryptfs);
	free(co.mountpoint);
	fuse_opt_free_args(&args);
	pthread_mutex_destroy(&e.files_lock);
	pthread_mutex_destroy(&e.log_lock);
	return rc;
}
