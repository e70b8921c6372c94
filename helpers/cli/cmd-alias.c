// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-alias (issue 16): a private directory besides ~/Private,
 * with its own mount passphrase and protectors. It writes, in ~/.ecryptfs,
 * ALIAS.conf (the fstab line mount.ecryptfs_private reads, as in
 * ecryptfs-utils 111), ALIAS.sig, ALIAS.wrapped-passphrase (the new random
 * mount passphrase wrapped with a passphrase of the user's choice) and,
 * with --at-login, ALIAS.auto-mount. Token protectors come after, with
 * ecryptfs-token --alias ALIAS enrol. The user runs it for themself.
 */
#include "cli-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char alias_usage[] =
	"Usage: ecryptfs-setup-alias [--at-login] [--lower DIR] [--password-file SRC] NAME DIR\n"
	"\n"
	"Make DIR (absolute) a private directory named NAME, with a key of its own.\n"
	"The encrypted files live in DIR's lower directory (default: ~/.NAME). Writes\n"
	"~/.ecryptfs/NAME.conf, NAME.sig and NAME.wrapped-passphrase (the new mount\n"
	"passphrase, wrapped with the passphrase you give: your login password to\n"
	"open it at login). Mount with mount.ecryptfs_private NAME once its keys are\n"
	"in your keyring; add a token with ecryptfs-token --alias NAME enrol URI.\n"
	"\n"
	"Options:\n"
	"  --at-login            pam_ecryptfs mounts it at login (NAME.auto-mount)\n"
	"  --lower DIR           the encrypted (lower) directory, absolute\n"
	"  --password-file SRC   read the wrapping passphrase from SRC (a file, - or fd:N)\n"
	"  -h, --help            show this help\n";

struct alias_setup {
	struct ect_ctx *ctx;
	const char *alias;
	const char *dir;
	char *lower;
	int cfg_fd;
};

/* A path fit for ALIAS.conf without escapes: absolute, no blanks, '\\' or control characters. */
static bool plain_path(const char *p)
{
	if (p[0] != '/' || strlen(p) >= 4096)
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '\\' || *p == 0x7f)
			return false;
	return true;
}

static bool exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The directory at path: made 0700 when missing, else the caller's own directory. */
static int own_dir(struct alias_setup *a, const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) && errno != EEXIST) {
		ect_err(a->ctx, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
		ect_err(a->ctx, "%s is not a directory of yours", path);
		return -1;
	}
	return 0;
}

/* Write one file of the alias in ~/.ecryptfs (atomic, 0600). */
static int put(struct alias_setup *a, const char *base, const void *data, size_t size)
{
	char name[ECT_ALIAS_FILE_SIZE];
	int r = ect_alias_key_file(a->alias, base, name, sizeof(name));

	if (!r)
		r = ect_write_file_atomic_at(a->cfg_fd, name, data, size, 0600, (uid_t)-1, (gid_t)-1);
	if (r)
		ect_err(a->ctx, "cannot write ~/.ecryptfs/%s: %s", name, ect_strerror(r));
	return r;
}

/* Calibrated (NULL), or the floor under ECRYPTFS_TOOLS_KDF_FLOOR (tests), as ecryptfs(1) says. */
static const struct ect_argon2_params *wrap_cost(struct alias_setup *a,
						 struct ect_argon2_params *floor)
{
	const char *env = getenv(ECT_ENV_KDF_FLOOR);

	if (!env || !*env || !strcmp(env, "0"))
		return NULL;
	ect_warn(a->ctx, "%s is set: using the cheapest key-derivation cost (testing only)",
		 ECT_ENV_KDF_FLOOR);
	ect_argon2_params_floor(floor);
	return floor;
}

/* The key files: the wrapped passphrase first, ALIAS.conf last (it makes the alias exist). */
static int write_alias(struct alias_setup *a, const char *pp, size_t len,
		       const struct cli_secret *pw, bool at_login)
{
	struct ect_argon2_params floor;
	struct ect_config_sigs sigs;
	uint8_t *blob = NULL;
	char *conf = NULL;
	size_t size = 0;
	int r;

	r = cli_compute_sigs(a->ctx, pp, len, true, &sigs);
	if (!r)
		r = ect_wrap(ECT_WRAP_V3, pp, len, pw->s, pw->len, wrap_cost(a, &floor), &blob, &size);
	if (r) {
		ect_err(a->ctx, "cannot wrap the new mount passphrase: %s", ect_strerror(r));
		goto out;
	}
	if ((r = put(a, ECT_WRAPPED_PASSPHRASE_FILE, blob, size)))
		goto out;
	r = ect_config_write_sigs_at(a->cfg_fd, a->alias, &sigs, (uid_t)-1, (gid_t)-1);
	if (r) {
		ect_err(a->ctx, "cannot write ~/.ecryptfs/%s.sig: %s", a->alias, ect_strerror(r));
		goto out;
	}
	if (at_login && (r = put(a, ECT_ALIAS_AUTO_MOUNT_EXT, "", 0)))
		goto out;
	if (asprintf(&conf, "%s %s ecryptfs\n", a->lower, a->dir) < 0) {
		conf = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = put(a, "conf", conf, strlen(conf));
out:
	if (blob)
		ect_wipe(blob, size);
	free(blob);
	free(conf);
	return r;
}

static int check_args(struct alias_setup *a, const char *home)
{
	static const char *const bases[] = { "conf", "sig", ECT_WRAPPED_PASSPHRASE_FILE,
					     ECT_TOKEN_FILE };
	char name[ECT_ALIAS_FILE_SIZE];

	if (ect_alias_check(a->alias) || !strcmp(a->alias, ECT_PRIVATE_ALIAS)) {
		ect_err(a->ctx, "'%s' is not a new alias: 1 to %d bytes without '/', '..', ',' or "
			"control characters, and not Private (ecryptfs-setup-private)", a->alias,
			ECT_ALIAS_MAX);
		return ECT_EXIT_USAGE;
	}
	if (!a->lower && asprintf(&a->lower, "%s/.%s", home, a->alias) < 0) {
		a->lower = NULL;
		return ECT_EXIT_FAILURE;
	}
	if (!plain_path(a->dir) || !plain_path(a->lower) || !strcmp(a->dir, a->lower)) {
		ect_err(a->ctx, "DIR and --lower must be two absolute paths without blanks, '\\' or "
			"control characters");
		return ECT_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (ect_alias_key_file(a->alias, bases[i], name, sizeof(name)) ||
		    exists_at(a->cfg_fd, name)) {
			ect_err(a->ctx, "~/.ecryptfs/%s exists: %s is set up already (nothing changed)",
				name, a->alias);
			return ECT_EXIT_FAILURE;
		}
	}
	return ECT_EXIT_OK;
}

static int cmd_setup_alias(struct ect_ctx *ctx, int argc, char **argv)
{
	struct alias_setup a = { .ctx = ctx, .cfg_fd = -1 };
	struct cli_secret pw = { 0 };
	const char *lower = NULL, *pw_source = NULL;
	int at_login = 0, n, r, ret = ECT_EXIT_FAILURE;
	const struct cli_opt opts[] = {
		{ "at-login", NULL, &at_login },
		{ "lower", &lower, NULL },
		{ "password-file", &pw_source, NULL },
		{ NULL, NULL, NULL },
	};
	struct cli_secret_spec spec = { .what = "wrapping passphrase",
					.prompt = "Passphrase that opens it (your login password "
						  "to open it at login): ",
					.confirm_prompt = "Passphrase (again): " };
	char *home = NULL, *pp = NULL, *dot = NULL;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r || n != 2)
		return cli_usage(r, alias_usage);
	if (getuid() == 0 || geteuid() == 0) {
		ect_err(ctx, "run ecryptfs-setup-alias as the user whose directory it is");
		return ECT_EXIT_FAILURE;
	}
	(void)ect_harden_process();
	a.alias = argv[1];
	a.dir = argv[2];
	spec.source = pw_source;
	if (lower && !(a.lower = strdup(lower)))
		goto out;
	home = cli_home();
	dot = home ? cli_path_join(home, ECT_CONFIG_DIR_NAME) : NULL;
	if (!dot) {
		ect_err(ctx, "cannot find your home directory");
		goto out;
	}
	if (mkdir(dot, 0700) && errno != EEXIST) {
		ect_err(ctx, "cannot create %s: %s", dot, strerror(errno));
		goto out;
	}
	r = ect_config_dir_open(home, getuid(), &a.cfg_fd);
	if (r) {
		ect_err(ctx, "%s: %s", dot, ect_strerror(r));
		goto out;
	}
	ret = check_args(&a, home);
	if (ret != ECT_EXIT_OK)
		goto out;
	ret = ECT_EXIT_FAILURE;
	if (own_dir(&a, a.lower) || own_dir(&a, a.dir))
		goto out;
	if (cli_get_secret(ctx, &spec, &pw))
		goto out;
	r = ect_mount_passphrase_generate(&pp);
	if (r) {
		ect_err(ctx, "cannot make a mount passphrase: %s", ect_strerror(r));
		goto out;
	}
	if (write_alias(&a, pp, strlen(pp), &pw, at_login))
		goto out;
	(void)chmod(a.dir, 0500); /* as 111's Private: nothing is written there unmounted */
	cli_info("%s set up: %s over %s%s", a.alias, a.dir, a.lower,
		 at_login ? "; mounted at login" : "");
	cli_info("record its mount passphrase: ecryptfs-unwrap-passphrase ~/.ecryptfs/%s."
		 ECT_WRAPPED_PASSPHRASE_FILE, a.alias);
	ret = ECT_EXIT_OK;
out:
	ect_secure_free_str(pp);
	cli_secret_free(&pw);
	if (a.cfg_fd >= 0)
		close(a.cfg_fd);
	free(a.lower);
	free(dot);
	free(home);
	return ret;
}

const struct cli_cmd cmds_alias[] = {
	{ "setup-alias", "ecryptfs-setup-alias", cmd_setup_alias,
	  "make another private directory with its own key and protectors" },
	{ 0 },
};
