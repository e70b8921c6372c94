// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap-passphrase, unwrap-passphrase, rewrap-passphrase: the
 * ecryptfs-utils 111 tools of the same names (same arguments, stdin forms,
 * output and exit status 1 on failure; see ecryptfs(1) for what differs),
 * plus v3 files, --*-file secret sources and the rewrap recovery form.
 */
#include "cmd-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cli_keys_default_wrapped_file(struct ect_ctx *ctx)
{
	char *home = cli_home();
	char *file;

	if (!home) {
		ect_err(ctx, "cannot find your home directory; name the wrapped-passphrase FILE");
		return NULL;
	}
	file = cli_path_join(home, ECT_CONFIG_DIR_NAME "/" ECT_WRAPPED_PASSPHRASE_FILE);
	free(home);
	if (!file)
		ect_err(ctx, "out of memory");
	return file;
}

void cli_keys_report(const char *what, const char *file, int err, size_t secret_len)
{
	if (err == ECT_E_PASSPHRASE_LEN && secret_len > ECT_PASSPHRASE_MAX) {
		cli_too_long();
		return;
	}
	fprintf(stderr, "Error: %s failed: %s: %s\n", what, file, ect_strerror(err));
}

int cli_keys_no_passphrase_file(struct ect_ctx *ctx, const char *ppfile)
{
	if (!ppfile)
		return 0;
	ect_err(ctx, "--passphrase-file: this command reads no mount passphrase "
		     "(use --password-file for the wrapping passphrase)");
	return -1;
}

/* A --*-file option and a "-" or argv secret for the same secret. */
static int conflicting(struct ect_ctx *ctx, const struct cli_secret_spec *spec, const char *opt)
{
	if (spec->source && (spec->arg || spec->from_stdin)) {
		ect_err(ctx, "--%s and a passphrase argument or '-' exclude each other", opt);
		return 1;
	}
	return 0;
}

/* ---- unwrap-passphrase ------------------------------------------------ */

static const char unwrap_usage[] =
	"Usage:\n"
	"  ecryptfs-unwrap-passphrase [--password-file SRC] [FILE]\n"
	"  printf \"%s\" \"wrapping passphrase\" | ecryptfs-unwrap-passphrase [FILE] -\n"
	"  ecryptfs-unwrap-passphrase FILE WRAPPING_PASSPHRASE   (insecure, for compatibility)\n"
	"\n"
	"Print the mount passphrase wrapped in FILE (default ~/.ecryptfs/wrapped-passphrase).\n"
	"\n"
	"Options:\n"
	"  --password-file SRC   read the wrapping passphrase from SRC (a file, - or fd:N)\n"
	"  -h, --help            show this help\n";

int cli_keys_wrapped_args(struct ect_ctx *ctx, int argc, char **argv, const char *usage,
			  struct cli_keys_wrapped *out, int *status)
{
	const char *pwfile = NULL, *ppfile = NULL;
	const struct cli_opt opts[] = {
		{ "password-file", &pwfile, NULL },
		{ "passphrase-file", &ppfile, NULL },
		{ NULL, NULL, NULL },
	};
	struct cli_secret_spec spec = {
		.what = "wrapping passphrase",
		.prompt = "Passphrase: ",
	};
	char *file = NULL;
	int n, r;

	memset(out, 0, sizeof(*out));
	out->dirs.config_fd = out->dirs.home_fd = -1;
	r = cli_parse(ctx, argc, argv, opts, &n);
	if (!r && cli_keys_no_passphrase_file(ctx, ppfile))
		r = -1;
	if (r)
		goto usage;
	spec.source = pwfile;
	if (cli_file_and_secret(n, argv, &file, &spec)) {
		r = 0;
		goto usage;
	}
	if (conflicting(ctx, &spec, "password-file")) {
		r = -1;
		goto usage;
	}
	if (file && !(out->file = strdup(file)))
		ect_err(ctx, "out of memory");
	else if (!file)
		out->file = cli_keys_default_wrapped_file(ctx); /* reports why it failed */
	if (!out->file || cli_user_dirs(ctx, out->file, NULL, &out->dirs, &out->opts.file) ||
	    cli_get_secret(ctx, &spec, &out->pw)) {
		cli_keys_wrapped_free(out);
		*status = ECT_EXIT_FAILURE;
		return -1;
	}
	return 0;
usage:
	*status = cli_usage(r, usage); /* --help: exit 0 */
	return -1;
}

void cli_keys_wrapped_free(struct cli_keys_wrapped *w)
{
	cli_secret_free(&w->pw);
	cli_user_dirs_close(&w->dirs);
	free(w->file);
	ect_wipe(w, sizeof(*w));
	w->dirs.config_fd = w->dirs.home_fd = -1;
}

int cmd_unwrap(struct ect_ctx *ctx, int argc, char **argv)
{
	struct cli_keys_wrapped w;
	struct ect_unlock_result res;
	char *pass = NULL;
	size_t pass_len = 0;
	int r, ret;

	if (cli_keys_wrapped_args(ctx, argc, argv, unwrap_usage, &w, &ret))
		return ret;
	ret = ECT_EXIT_FAILURE;
	/* salt= of ~/.ecryptfsrc opens v1 files, as in ecryptfs-utils */
	r = ect_unwrap_user(&w.dirs, w.pw.s, w.pw.len, &w.opts, &pass, &pass_len, &res);
	cli_salt_warning(ctx, res.salt_err, &res.salt_where);
	if (r < 0) {
		cli_keys_report("Unwrapping passphrase", w.file, r, w.pw.len);
		goto out;
	}
	ect_debug(ctx, "%s: version %d", w.file, (int)res.info.version);
	if (res.info.version == ECT_WRAP_V3)
		ect_debug(ctx, "%s: Argon2id t=%u m=%u KiB lanes=%u", w.file,
			  res.info.params.t_cost, res.info.params.m_cost_kib, res.info.params.lanes);
	r = cli_write_line(STDOUT_FILENO, pass, pass_len);
	if (r < 0) {
		ect_err(ctx, "cannot write to standard output: %s", ect_strerror(r));
		goto out;
	}
	if (res.info.version == ECT_WRAP_V1 || res.info.version == ECT_WRAP_V2)
		ect_notice(ctx,
			   "%s is a version %d file with weak key stretching; "
			   "upgrade it with: ecryptfs-rewrap-passphrase %s",
			   w.file, (int)res.info.version, w.file);
	ret = ECT_EXIT_OK;
out:
	if (pass)
		ect_secure_free(pass);
	cli_keys_wrapped_free(&w);
	return ret;
}

/* ---- wrap-passphrase -------------------------------------------------- */

static const char wrap_usage[] =
	"Usage:\n"
	"  ecryptfs-wrap-passphrase [OPTIONS] FILE\n"
	"  printf \"%s\\n%s\" \"passphrase to wrap\" \"wrapping passphrase\" | "
	"ecryptfs-wrap-passphrase [OPTIONS] FILE -\n"
	"  ecryptfs-wrap-passphrase FILE PASSPHRASE WRAPPING_PASSPHRASE   (insecure, for "
	"compatibility)\n"
	"\n"
	"Write the mount passphrase to FILE, encrypted under the wrapping passphrase.\n"
	"note: passphrase can be at most 64 bytes long\n"
	"\n"
	"Options:\n"
	"  --passphrase-file SRC   read the passphrase to wrap from SRC (a file, - or fd:N)\n"
	"  --password-file SRC     read the wrapping passphrase from SRC\n"
	"  --wrap-format v2|v3     file format (default v3; v2 is readable by ecryptfs-utils)\n"
	"  --kdf-target-ms N       v3: tune the key derivation to take about N ms\n"
	"  -h, --help              show this help\n";

int cmd_wrap(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *ppfile = NULL, *pwfile = NULL;
	struct cli_wrap_opts w = { 0 };
	const struct cli_opt opts[] = {
		{ "passphrase-file", &ppfile, NULL },
		{ "password-file", &pwfile, NULL },
		{ "wrap-format", &w.format, NULL },
		{ "kdf-target-ms", &w.target_ms, NULL },
		{ "kdf-floor", NULL, &w.kdf_floor },
		{ NULL, NULL, NULL },
	};
	struct cli_secret_spec pp_spec = {
		.what = "passphrase to wrap",
		.prompt = "Passphrase to wrap: ",
	};
	struct cli_secret_spec pw_spec = {
		.what = "wrapping passphrase",
		.prompt = "Wrapping passphrase: ",
	};
	struct cli_secret pp = { 0 }, pw = { 0 };
	struct ect_argon2_params params;
	enum ect_wrap_version version;
	bool params_set;
	const char *file;
	int n, r, ret = ECT_EXIT_FAILURE;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r)
		return cli_usage(r, wrap_usage);
	pp_spec.source = ppfile;
	pw_spec.source = pwfile;
	if (n == 2 && !strcmp(argv[2], "-")) {
		pp_spec.from_stdin = !ppfile;
		pw_spec.from_stdin = !pwfile;
	} else if (n == 3) {
		pp_spec.arg = argv[2];
		pw_spec.arg = argv[3];
	} else if (n != 1) {
		return cli_usage(0, wrap_usage);
	}
	file = argv[1];
	if (n == 3 && (conflicting(ctx, &pp_spec, "passphrase-file") ||
		       conflicting(ctx, &pw_spec, "password-file")))
		return cli_usage(-1, wrap_usage);
	if (cli_wrap_params(ctx, &w, ECT_WRAP_V3, &version, &params, &params_set))
		return cli_usage(-1, wrap_usage);
	if (cli_get_secret(ctx, &pp_spec, &pp) || cli_get_secret(ctx, &pw_spec, &pw))
		goto out;
	if (pp.len > ECT_PASSPHRASE_MAX) {
		cli_too_long();
		goto out;
	}
	r = ect_wrap_file(file, version, pp.s, pp.len, pw.s, pw.len, params_set ? &params : NULL,
			  (uid_t)-1, (gid_t)-1);
	if (r < 0) {
		cli_keys_report("Wrapping passphrase", file, r, pw.len);
		goto out;
	}
	ret = ECT_EXIT_OK;
out:
	cli_secret_free(&pp);
	cli_secret_free(&pw);
	return ret;
}

/* ---- rewrap-passphrase ------------------------------------------------ */

static const char rewrap_usage[] =
	"Usage:\n"
	"  ecryptfs-rewrap-passphrase [OPTIONS] FILE\n"
	"  printf \"%s\\n%s\" \"old wrapping passphrase\" \"new wrapping passphrase\" | "
	"ecryptfs-rewrap-passphrase [OPTIONS] FILE -\n"
	"  ecryptfs-rewrap-passphrase FILE OLD NEW   (insecure, for compatibility)\n"
	"  ecryptfs-rewrap-passphrase --from-mount-passphrase [OPTIONS] FILE [-]\n"
	"\n"
	"Re-encrypt FILE under a new wrapping passphrase; v1 and v2 files become v3.\n"
	"With --from-mount-passphrase, write FILE from the mount passphrase when the\n"
	"old wrapping passphrase is lost (stdin form: mount passphrase, then new one).\n"
	"\n"
	"Options:\n"
	"  --password-file SRC       read the old wrapping passphrase from SRC (a file, - or fd:N)\n"
	"  --new-password-file SRC   read the new wrapping passphrase from SRC\n"
	"  --passphrase-file SRC     with --from-mount-passphrase: read the mount passphrase\n"
	"  --wrap-format v2|v3       file format (default v3; v2 is readable by ecryptfs-utils)\n"
	"  --kdf-target-ms N         v3: tune the key derivation to take about N ms\n"
	"  -h, --help                show this help\n";

/*
 * Owner for the rewritten file: root rewrapping a user's file must leave it
 * owned by that user, or PAM can no longer read it. Looked up in the
 * directory fd the file is then read and written through.
 */
static void existing_owner(struct ect_user_dirs *d, const char *name)
{
	struct stat st;

	if (geteuid() == 0 && fstatat(d->config_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode)) {
		d->uid = st.st_uid;
		d->gid = st.st_gid;
	}
}

/*
 * Recovery form: the keys Private.sig beside FILE names, for the library to
 * check the typed mount passphrase against before FILE is replaced. NULL
 * (warned) when there is no Private.sig to check against.
 */
static const struct ect_config_sigs *sigs_beside(struct ect_ctx *ctx, const char *file,
						 const struct ect_user_dirs *d,
						 struct ect_config_sigs *sigs)
{
	struct ect_config_error err = { 0 };
	char ebuf[256];
	int r = ect_config_read_sigs_at(d->config_fd, (uid_t)-1, NULL, sigs, &err);

	if (!r)
		return sigs;
	ect_warn(ctx, "cannot check the mount passphrase against Private.sig beside %s: %s", file,
		 err.reason[0] ? ect_config_error_format(&err, ebuf, sizeof(ebuf)) :
				 ect_strerror(r));
	return NULL;
}

/* The library's rewrap's errors in 111's words; the file is unchanged after each. */
static void rewrap_report(struct ect_ctx *ctx, const char *file, int r,
			  const struct ect_rewrap_result *res, const struct cli_secret *old,
			  const struct cli_secret *newpw, bool from_mount)
{
	if (res->failed_at == ECT_UNLOCK_AT_MATCH && from_mount)
		ect_err(ctx, "the mount passphrase does not match the signature in Private.sig "
			     "beside %s; %s left unchanged", file, file);
	else if (res->failed_at == ECT_UNLOCK_AT_MATCH)
		ect_err(ctx, "%s: the unwrapped passphrase does not match Private.sig", file);
	else if (res->failed_at == ECT_UNLOCK_AT_UNWRAP && from_mount)
		cli_keys_report("Reading the mount passphrase", file, r, old->len);
	else if (res->failed_at == ECT_UNLOCK_AT_UNWRAP)
		cli_keys_report("Unwrapping passphrase", file, r, old->len);
	else
		cli_keys_report("Wrapping passphrase", file, r, newpw->len);
}

/* Without a terminal both secrets are read first; at one, a wrong old one fails before. */
static int precheck_old(const char *file, const struct ect_user_dirs *d,
			const struct ect_unlock_opts *o, const struct cli_secret *old)
{
	struct ect_unlock_result res;
	char *pass = NULL;
	size_t len = 0;
	int r = ect_unwrap_user(d, old->s, old->len, o, &pass, &len, &res);

	if (pass)
		ect_secure_free(pass);
	if (r < 0)
		cli_keys_report("Unwrapping passphrase", file, r, old->len);
	return r;
}

static int do_rewrap(struct ect_ctx *ctx, const char *file, struct cli_secret_spec *old_spec,
		     struct cli_secret_spec *new_spec, const struct cli_wrap_opts *w, bool from_mount)
{
	struct ect_argon2_params params;
	enum ect_wrap_version version;
	struct ect_user_dirs d;
	struct ect_unlock_opts o = { 0 };
	struct ect_config_sigs sigs;
	struct ect_rewrap_result res;
	struct cli_secret old = { 0 }, newpw = { 0 };
	bool params_set, at_tty;
	int r, ret = ECT_EXIT_FAILURE;

	if (cli_wrap_params(ctx, w, ECT_WRAP_V3, &version, &params, &params_set))
		return cli_usage(-1, rewrap_usage);
	if (cli_user_dirs(ctx, file, NULL, &d, &o.file))
		return ECT_EXIT_FAILURE;
	existing_owner(&d, o.file);
	o.params = params_set ? &params : NULL;
	/* --wrap-format decides; without it wrap-format-v2 beside FILE keeps v2 */
	if (w->format)
		o.flags = version == ECT_WRAP_V2 ? ECT_UNLOCK_KEEP_V2 : ECT_UNLOCK_WRITE_V3;
	if (from_mount) {
		o.flags |= ECT_UNLOCK_OLD_IS_PASSPHRASE;
		o.sigs = sigs_beside(ctx, file, &d, &sigs);
	}
	at_tty = !old_spec->source && !old_spec->arg && !old_spec->from_stdin &&
		 isatty(STDIN_FILENO);
	if (cli_get_secret(ctx, old_spec, &old))
		goto out;
	if (from_mount && old.len > ECT_PASSPHRASE_MAX) {
		cli_too_long();
		goto out;
	}
	if (at_tty && !from_mount && precheck_old(file, &d, &o, &old))
		goto out;
	if (cli_get_secret(ctx, new_spec, &newpw))
		goto out;
	r = ect_rewrap_user(&d, old.s, old.len, newpw.s, newpw.len, &o, &res);
	cli_salt_warning(ctx, res.salt_err, &res.salt_where);
	if (r < 0) {
		rewrap_report(ctx, file, r, &res, &old, &newpw, from_mount);
		goto out;
	}
	ect_debug(ctx, "%s: version %d written", file, (int)res.written);
	ret = ECT_EXIT_OK;
out:
	cli_secret_free(&old);
	cli_secret_free(&newpw);
	cli_user_dirs_close(&d);
	return ret;
}

int cmd_rewrap(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *oldfile = NULL, *newfile = NULL, *ppfile = NULL;
	int from_mount = 0;
	struct cli_wrap_opts w = { 0 };
	const struct cli_opt opts[] = {
		{ "password-file", &oldfile, NULL },
		{ "new-password-file", &newfile, NULL },
		{ "passphrase-file", &ppfile, NULL },
		{ "from-mount-passphrase", NULL, &from_mount },
		{ "wrap-format", &w.format, NULL },
		{ "kdf-target-ms", &w.target_ms, NULL },
		{ "kdf-floor", NULL, &w.kdf_floor },
		{ NULL, NULL, NULL },
	};
	struct cli_secret_spec old_spec = {
		.what = "old wrapping passphrase",
		.prompt = "Old wrapping passphrase: ",
	};
	struct cli_secret_spec new_spec = {
		.what = "new wrapping passphrase",
		.prompt = "New wrapping passphrase: ",
		.confirm_prompt = "New wrapping passphrase (again): ",
		.mismatch_msg = "New wrapping passphrases do not match",
	};
	int n, r;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r)
		return cli_usage(r, rewrap_usage);
	if (from_mount) {
		old_spec.what = "mount passphrase";
		old_spec.prompt = "Mount passphrase: ";
		old_spec.source = ppfile;
		if (oldfile) {
			ect_err(ctx, "--password-file: --from-mount-passphrase reads no old "
				     "wrapping passphrase (use --passphrase-file)");
			return cli_usage(-1, rewrap_usage);
		}
	} else {
		old_spec.source = oldfile;
		if (ppfile) {
			ect_err(ctx, "--passphrase-file needs --from-mount-passphrase");
			return cli_usage(-1, rewrap_usage);
		}
	}
	new_spec.source = newfile;
	if (n == 2 && !strcmp(argv[2], "-")) {
		old_spec.from_stdin = !old_spec.source;
		new_spec.from_stdin = !newfile;
	} else if (n == 3 && !from_mount) {
		old_spec.arg = argv[2];
		new_spec.arg = argv[3];
		if (conflicting(ctx, &old_spec, "password-file") ||
		    conflicting(ctx, &new_spec, "new-password-file"))
			return cli_usage(-1, rewrap_usage);
	} else if (n != 1) {
		return cli_usage(0, rewrap_usage);
	}
	return do_rewrap(ctx, argv[1], &old_spec, &new_spec, &w, from_mount);
}
