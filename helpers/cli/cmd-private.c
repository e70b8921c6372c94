// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs commands: the private family (see cli.h). setup-private lives in
 * cmd-private-setup.c; mount-private and umount-private here. They wrap the
 * setuid helper (mount.ecryptfs_private) as ecryptfs-utils 111's shell
 * scripts did: keys are derived here, as the user, never in the helper.
 */
#include "cmd-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t cli_private_fork(struct ect_ctx *ctx)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		ect_err(ctx, "cannot fork: %s", strerror(errno));
	return pid;
}

int cli_private_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cli_private_run_helper(struct ect_ctx *ctx, const char *name, const char *arg1, const char *arg2)
{
	const char *dir = getenv(ECT_ENV_SBINDIR);
	char path[4096];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : ECT_ROOTSBINDIR, name);
	pid = cli_private_fork(ctx);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, name, arg1, arg2, (char *)NULL);
		fprintf(stderr, "%s: cannot run %s: %s\n", ect_ctx_ident(ctx), path, strerror(errno));
		_exit(127);
	}
	status = cli_private_wait(pid);
	return status == 127 ? -1 : status;
}

int cli_private_add_keys(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
			 char fekek[ECT_SIG_HEX_SIZE + 1], char fnek_sig[ECT_SIG_HEX_SIZE + 1])
{
	uint8_t salt[ECT_SALT_SIZE];
	int r;

	cli_rc_salt(ctx, salt);
	fnek_sig[0] = '\0';
	r = ect_keyring_add_mount_keys(pass, len, salt, ECT_KEYS_FNEK_FIRST, fekek,
				       fnek ? fnek_sig : NULL);
	ect_wipe(salt, sizeof(salt));
	if (r) {
		ect_err(ctx, "cannot add the keys to your keyring: %s", ect_strerror(r));
		return r;
	}
	r = ect_keyring_link_user_session();
	if (r)
		ect_warn(ctx, "cannot link your user keyring into the session keyring: %s",
			 ect_strerror(r));
	return 0;
}

/* Open ~/.ecryptfs and load the Private configuration; *dfd stays open when dfd is not NULL. */
static int load_private(struct ect_ctx *ctx, const char *home, struct ect_private_config *cfg,
			int *dfd_out)
{
	struct ect_config_error cerr;
	char ebuf[256];
	int dfd, r;

	r = ect_config_dir_open(home, getuid(), &dfd);
	if (r) {
		ect_err(ctx, "%s/" ECT_CONFIG_DIR_NAME ": %s (set it up with ecryptfs-setup-private)",
			home, ect_strerror(r));
		return r;
	}
	memset(&cerr, 0, sizeof(cerr));
	r = ect_private_config_load(dfd, getuid(), home, NULL, cfg, &cerr);
	if (r) {
		if (cerr.file[0])
			ect_err(ctx, "~/.ecryptfs/%s", ect_config_error_format(&cerr, ebuf, sizeof(ebuf)));
		else
			ect_err(ctx, "cannot read ~/.ecryptfs: %s", ect_strerror(r));
	}
	if (r || !dfd_out)
		close(dfd);
	else
		*dfd_out = dfd;
	return r;
}

/*
 * Unwrap ~/.ecryptfs/wrapped-passphrase with pw and add the keys Private.sig
 * names (the library's ect_unlock_user_keys: the user's salt, v1..v3,
 * keys taken back on a mismatch).
 */
static int unlock_private(struct ect_ctx *ctx, const char *home, int dfd,
			  const struct ect_private_config *cfg, const struct cli_secret *pw)
{
	struct ect_user_dirs dirs = { .config_fd = dfd, .uid = getuid(), .gid = getgid() };
	const struct ect_unlock_opts opts = { .sigs = &cfg->sigs, .flags = ECT_UNLOCK_LINK_SESSION };
	struct ect_unlock_result res;
	char ebuf[256];
	int r;

	dirs.home_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = ect_unlock_user_keys(&dirs, pw->s, pw->len, &opts, &res);
	if (dirs.home_fd >= 0)
		close(dirs.home_fd);
	if (res.salt_err)
		ect_warn(ctx, "ignoring the salt in %s/%s; using the default salt", home,
			 res.salt_where.reason[0] ?
				 ect_config_error_format(&res.salt_where, ebuf, sizeof(ebuf)) :
				 ect_strerror(res.salt_err));
	if (res.link_err)
		ect_warn(ctx, "cannot link your user keyring into the session keyring: %s",
			 ect_strerror(res.link_err));
	if (!r)
		return 0;
	if (res.failed_at == ECT_UNLOCK_AT_MATCH)
		ect_err(ctx, "the unwrapped passphrase gives key %s, but Private.sig names %s",
			res.fekek, cfg->sigs.fekek);
	else if (res.failed_at == ECT_UNLOCK_AT_KEYRING)
		ect_err(ctx, "cannot add the keys to your keyring: %s", ect_strerror(r));
	else if (res.wrap_where.reason[0] && (r == ECT_E_UNSAFE_PATH || r == ECT_E_MEDIUM_ABSENT))
		ect_err(ctx, "cannot unwrap %s/" ECT_CONFIG_DIR_NAME "/" ECT_WRAPPED_PASSPHRASE_FILE
			": %s", home, ect_config_error_format(&res.wrap_where, ebuf, sizeof(ebuf)));
	else
		ect_err(ctx, "cannot unwrap %s/" ECT_CONFIG_DIR_NAME "/" ECT_WRAPPED_PASSPHRASE_FILE
			": %s", home, ect_strerror(r));
	return r;
}

/* ---- mount-private ---------------------------------------------------- */

static const char mount_usage[] =
	"Usage: ecryptfs-mount-private [--password-file SRC]\n"
	"\n"
	"Mount ~/Private (or the directory in ~/.ecryptfs/Private.mnt). When its keys are\n"
	"not in your keyring yet, ask for the login (or wrapping) passphrase first.\n"
	"\n"
	"Options:\n"
	"  --password-file SRC   read the login/wrapping passphrase from SRC (a file, - or fd:N)\n"
	"  -h, --help            show this help\n";

static int cmd_mount(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *pwfile = NULL;
	const struct cli_opt opts[] = {
		{ "password-file", &pwfile, NULL },
		{ NULL, NULL, NULL },
	};
	struct ect_private_config cfg;
	struct cli_secret pw = { 0 };
	char *home = NULL;
	int dfd = -1;
	int n, r, ret = ECT_EXIT_FAILURE;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r || n)
		return cli_usage(r, mount_usage);
	home = cli_home();
	if (!home) {
		ect_err(ctx, "cannot find your home directory");
		return ECT_EXIT_FAILURE;
	}
	if (load_private(ctx, home, &cfg, &dfd))
		goto out_home;
	if (ect_keyring_find(cfg.sigs.fekek) < 0 ||
	    (cfg.sigs.fnek[0] && ect_keyring_find(cfg.sigs.fnek) < 0)) {
		struct cli_secret_spec spec = {
			.what = "passphrase",
			.source = pwfile,
			.prompt = (cfg.flags & ECT_FLAG_WRAPPING_INDEPENDENT) ?
					  "Enter your wrapping passphrase: " :
					  "Enter your login passphrase: ",
		};

		if (cli_get_secret(ctx, &spec, &pw))
			goto out;
		r = unlock_private(ctx, home, dfd, &cfg, &pw);
		cli_secret_free(&pw);
		if (r)
			goto out;
	}
	r = cli_private_run_helper(ctx, "mount.ecryptfs_private", NULL, NULL);
	if (r == 0)
		ret = ECT_EXIT_OK;
out:
	ect_private_config_free(&cfg);
	close(dfd);
out_home:
	free(home);
	return ret;
}

/* ---- umount-private --------------------------------------------------- */

static const char umount_usage[] =
	"Usage: ecryptfs-umount-private\n"
	"\n"
	"Unmount ~/Private and remove its keys from your keyring.\n";

static int cmd_umount(struct ect_ctx *ctx, int argc, char **argv)
{
	const struct cli_opt opts[] = { { NULL, NULL, NULL } };
	struct ect_private_config cfg;
	char *home;
	int n, r, ret = ECT_EXIT_FAILURE;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r || n)
		return cli_usage(r, umount_usage);
	home = cli_home();
	if (!home) {
		ect_err(ctx, "cannot find your home directory");
		return ECT_EXIT_FAILURE;
	}
	if (load_private(ctx, home, &cfg, NULL)) {
		free(home);
		return ECT_EXIT_FAILURE;
	}
	r = cli_private_run_helper(ctx, "umount.ecryptfs_private", NULL, NULL);
	/* as 111: the keys go whether or not the unmount happened */
	if (ect_keyring_unlink(cfg.sigs.fekek) == 0)
		printf("Removed key %s from your keyring\n", cfg.sigs.fekek);
	if (cfg.sigs.fnek[0] && ect_keyring_unlink(cfg.sigs.fnek) == 0)
		printf("Removed key %s from your keyring\n", cfg.sigs.fnek);
	if (r == 0)
		ret = ECT_EXIT_OK;
	ect_private_config_free(&cfg);
	free(home);
	return ret;
}

const struct cli_cmd cmds_private[] = {
	{ "setup-private", "ecryptfs-setup-private", cmd_setup_private,
	  "set up an encrypted ~/Private (or, -b, a whole encrypted home)" },
	{ "mount-private", "ecryptfs-mount-private", cmd_mount,
	  "load the keys if needed and mount ~/Private" },
	{ "umount-private", "ecryptfs-umount-private", cmd_umount,
	  "unmount ~/Private and remove its keys from the keyring" },
	{ 0 },
};
