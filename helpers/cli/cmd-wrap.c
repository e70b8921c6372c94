// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap-passphrase, unwrap-passphrase, rewrap-passphrase: the
 * ecryptfs-utils 111 tools of the same names (same arguments, stdin forms,
 * output and exit status 1 on failure; see ecryptfs(1) for what differs),
 * plus v3 files, --*-file secret sources and the rewrap recovery form.
 */
#include "cmd-keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ect_keys_default_wrapped_file(struct ect_ctx *ctx)
{
	char *home = ect_cli_home();
	char *file;

	if (!home) {
		ect_err(ctx, "cannot find your home directory; name the wrapped-passphrase FILE");
		return NULL;
	}
	file = ect_cli_path_join(home, ECT_CONFIG_DIR_NAME "/" ECT_WRAPPED_PASSPHRASE_FILE);
	free(home);
	if (!file)
		ect_err(ctx, "out of memory");
	return file;
}

void ect_keys_report(const char *what, const char *file, int err, size_t secret_len)
{
	if (err == ECT_E_PASSPHRASE_LEN && secret_len > ECT_PASSPHRASE_MAX) {
		ect_cli_too_long();
		return;
	}
	fprintf(stderr, "Error: %s failed: %s: %s\n", what, file, ect_strerror(err));
}

int ect_keys_no_passphrase_file(struct ect_ctx *ctx, const char *ppfile)
{
	if (!ppfile)
		return 0;
	ect_err(ctx, "--passphrase-file: this command reads no mount passphrase "
		     "(use --password-file for the wrapping passphrase)");
	return -1;
}

/* A --*-file option and a "-" or argv secret for the same secret. */
static int conflicting(struct ect_ctx *ctx, const struct ect_secret_spec *spec, const char *opt)
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

int ect_keys_unwrap_args(struct ect_ctx *ctx, int argc, char **argv, const char *usage,
			 const char *what, struct ect_keys_unwrapped *out)
{
	const char *pwfile = NULL, *ppfile = NULL;
	const struct ect_cli_opt opts[] = {
		{ "password-file", &pwfile, NULL },
		{ "passphrase-file", &ppfile, NULL },
		{ NULL, NULL, NULL },
	};
	struct ect_secret_spec spec = {
		.what = "wrapping passphrase",
		.prompt = "Passphrase: ",
	};
	struct ect_secret pw = { 0 };
	char *file = NULL;
	int n, r, ret = ECT_EXIT_FAILURE;

	memset(out, 0, sizeof(*out));
	r = ect_cli_parse(ctx, argc, argv, opts, &n);
	if (!r && ect_keys_no_passphrase_file(ctx, ppfile))
		r = -1;
	if (r)
		return ect_cli_usage(r, usage);
	spec.source = pwfile;
	if (ect_cli_file_and_secret(n, argv, &file, &spec))
		return ect_cli_usage(0, usage);
	if (conflicting(ctx, &spec, "password-file"))
		return ect_cli_usage(-1, usage);
	if (file && !(file = strdup(file)))
		ect_err(ctx, "out of memory");
	else if (!file)
		file = ect_keys_default_wrapped_file(ctx); /* reports why it failed */
	if (!file)
		return ECT_EXIT_FAILURE;
	if (ect_cli_get_secret(ctx, &spec, &pw))
		goto out;
	/* the rc salt serves both v1 unwrapping and the FEKEK, as in ecryptfs-utils */
	ect_cli_rc_salt(ctx, out->salt);
	r = ect_unwrap_file(file, pw.s, pw.len, out->salt, &out->pass, &out->pass_len,
			    &out->info);
	if (r < 0) {
		ect_keys_report(what, file, r, pw.len);
		goto out;
	}
	out->file = file;
	file = NULL;
	ret = 0;
out:
	ect_cli_secret_free(&pw);
	free(file);
	return ret;
}

void ect_keys_unwrapped_free(struct ect_keys_unwrapped *u)
{
	ect_secure_free_str(u->pass);
	free(u->file);
	ect_wipe(u, sizeof(*u));
}

int ect_cmd_unwrap(struct ect_ctx *ctx, int argc, char **argv)
{
	struct ect_keys_unwrapped u;
	int r, ret;

	ret = ect_keys_unwrap_args(ctx, argc, argv, unwrap_usage, "Unwrapping passphrase", &u);
	if (ret)
		return ret;
	ret = ECT_EXIT_FAILURE;
	ect_debug(ctx, "%s: version %d", u.file, (int)u.info.version);
	if (u.info.version == ECT_WRAP_V3)
		ect_debug(ctx, "%s: Argon2id t=%u m=%u KiB lanes=%u", u.file, u.info.params.t_cost,
			  u.info.params.m_cost_kib, u.info.params.lanes);
	r = ect_cli_write_line(STDOUT_FILENO, u.pass, u.pass_len);
	if (r < 0) {
		ect_err(ctx, "cannot write to standard output: %s", ect_strerror(r));
		goto out;
	}
	if (u.info.version == ECT_WRAP_V1 || u.info.version == ECT_WRAP_V2)
		ect_notice(ctx,
			   "%s is a version %d file with weak key stretching; "
			   "upgrade it with: ecryptfs-rewrap-passphrase %s",
			   u.file, (int)u.info.version, u.file);
	ret = ECT_EXIT_OK;
out:
	ect_keys_unwrapped_free(&u);
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

int ect_cmd_wrap(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *ppfile = NULL, *pwfile = NULL;
	struct ect_wrap_opts w = { 0 };
	const struct ect_cli_opt opts[] = {
		{ "passphrase-file", &ppfile, NULL },
		{ "password-file", &pwfile, NULL },
		{ "wrap-format", &w.format, NULL },
		{ "kdf-target-ms", &w.target_ms, NULL },
		{ "kdf-floor", NULL, &w.kdf_floor },
		{ NULL, NULL, NULL },
	};
	struct ect_secret_spec pp_spec = {
		.what = "passphrase to wrap",
		.prompt = "Passphrase to wrap: ",
	};
	struct ect_secret_spec pw_spec = {
		.what = "wrapping passphrase",
		.prompt = "Wrapping passphrase: ",
	};
	struct ect_secret pp = { 0 }, pw = { 0 };
	struct ect_argon2_params params;
	enum ect_wrap_version version;
	bool params_set;
	const char *file;
	int n, r, ret = ECT_EXIT_FAILURE;

	r = ect_cli_parse(ctx, argc, argv, opts, &n);
	if (r)
		return ect_cli_usage(r, wrap_usage);
	pp_spec.source = ppfile;
	pw_spec.source = pwfile;
	if (n == 2 && !strcmp(argv[2], "-")) {
		pp_spec.from_stdin = !ppfile;
		pw_spec.from_stdin = !pwfile;
	} else if (n == 3) {
		pp_spec.arg = argv[2];
		pw_spec.arg = argv[3];
	} else if (n != 1) {
		return ect_cli_usage(0, wrap_usage);
	}
	file = argv[1];
	if (n == 3 && (conflicting(ctx, &pp_spec, "passphrase-file") ||
		       conflicting(ctx, &pw_spec, "password-file")))
		return ect_cli_usage(-1, wrap_usage);
	if (ect_cli_wrap_params(ctx, &w, ECT_WRAP_V3, &version, &params, &params_set))
		return ect_cli_usage(-1, wrap_usage);
	if (ect_cli_get_secret(ctx, &pp_spec, &pp) || ect_cli_get_secret(ctx, &pw_spec, &pw))
		goto out;
	if (pp.len > ECT_PASSPHRASE_MAX) {
		ect_cli_too_long();
		goto out;
	}
	r = ect_wrap_file(file, version, pp.s, pp.len, pw.s, pw.len, params_set ? &params : NULL,
			  (uid_t)-1, (gid_t)-1);
	if (r < 0) {
		ect_keys_report("Wrapping passphrase", file, r, pw.len);
		goto out;
	}
	ret = ECT_EXIT_OK;
out:
	ect_cli_secret_free(&pp);
	ect_cli_secret_free(&pw);
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
 * owned by that user, or PAM can no longer read it.
 */
static void existing_owner(const char *file, uid_t *uid, gid_t *gid)
{
	struct stat st;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() == 0 && lstat(file, &st) == 0 && S_ISREG(st.st_mode)) {
		*uid = st.st_uid;
		*gid = st.st_gid;
	}
}

/*
 * Recovery form: check a typed mount passphrase against line 1 of the
 * Private.sig beside FILE before replacing FILE with it. 0 when it matches or
 * cannot be checked (warned), 1 after reporting a mismatch.
 */
static int check_mount_passphrase(struct ect_ctx *ctx, const char *file, const char *pass,
				  size_t len, const uint8_t salt[ECT_SALT_SIZE])
{
	const char *slash = strrchr(file, '/');
	char *sigfile = NULL;
	void *data = NULL;
	size_t size = 0;
	uint8_t *key = NULL;
	char want[ECT_SIG_HEX_SIZE + 1], have[ECT_SIG_HEX_SIZE + 1];
	int r, ret = 0;

	if (asprintf(&sigfile, "%.*sPrivate.sig", slash ? (int)(slash - file + 1) : 0, file) < 0)
		return 0;
	r = ect_read_file(sigfile, 4096, 0, &data, &size);
	if (r < 0) {
		ect_warn(ctx, "cannot check the mount passphrase against %s: %s", sigfile,
			 ect_strerror(r));
		goto out;
	}
	if (size < ECT_SIG_HEX_SIZE) {
		ect_warn(ctx, "cannot check the mount passphrase: %s has no signature", sigfile);
		goto out;
	}
	memcpy(want, data, ECT_SIG_HEX_SIZE);
	want[ECT_SIG_HEX_SIZE] = '\0';
	if (ect_sig_check(want)) {
		ect_warn(ctx, "cannot check the mount passphrase: %s has no signature", sigfile);
		goto out;
	}
	key = ect_secure_alloc(ECT_KEY_SIZE);
	if (!key) {
		ect_err(ctx, "%s", ect_strerror(ECT_E_SECMEM));
		ret = 1;
		goto out;
	}
	r = ect_derive_key(pass, len, salt, key);
	if (!r)
		r = ect_key_signature(key, have);
	if (r < 0) {
		ect_err(ctx, "mount passphrase: %s", ect_strerror(r));
		ret = 1;
		goto out;
	}
	if (strcmp(want, have)) {
		ect_err(ctx, "the mount passphrase does not match the signature %s in %s; "
			     "%s left unchanged", want, sigfile, file);
		ret = 1;
	}
out:
	ect_secure_free(key, ECT_KEY_SIZE);
	free(data);
	free(sigfile);
	return ret;
}

int ect_cmd_rewrap(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *oldfile = NULL, *newfile = NULL, *ppfile = NULL;
	int from_mount = 0;
	struct ect_wrap_opts w = { 0 };
	const struct ect_cli_opt opts[] = {
		{ "password-file", &oldfile, NULL },
		{ "new-password-file", &newfile, NULL },
		{ "passphrase-file", &ppfile, NULL },
		{ "from-mount-passphrase", NULL, &from_mount },
		{ "wrap-format", &w.format, NULL },
		{ "kdf-target-ms", &w.target_ms, NULL },
		{ "kdf-floor", NULL, &w.kdf_floor },
		{ NULL, NULL, NULL },
	};
	struct ect_secret_spec old_spec = {
		.what = "old wrapping passphrase",
		.prompt = "Old wrapping passphrase: ",
	};
	struct ect_secret_spec new_spec = {
		.what = "new wrapping passphrase",
		.prompt = "New wrapping passphrase: ",
		.confirm_prompt = "New wrapping passphrase (again): ",
		.mismatch_msg = "New wrapping passphrases do not match",
	};
	struct ect_secret old = { 0 }, newpw = { 0 };
	struct ect_wrap_info info = { 0 };
	struct ect_argon2_params params;
	enum ect_wrap_version version;
	uint8_t salt[ECT_SALT_SIZE];
	char *pass = NULL;
	size_t pass_len = 0;
	bool params_set;
	const char *file;
	uid_t uid;
	gid_t gid;
	int n, r, ret = ECT_EXIT_FAILURE;

	r = ect_cli_parse(ctx, argc, argv, opts, &n);
	if (r)
		return ect_cli_usage(r, rewrap_usage);
	if (from_mount) {
		old_spec.what = "mount passphrase";
		old_spec.prompt = "Mount passphrase: ";
		old_spec.source = ppfile;
		if (oldfile) {
			ect_err(ctx, "--password-file: --from-mount-passphrase reads no old "
				     "wrapping passphrase (use --passphrase-file)");
			return ect_cli_usage(-1, rewrap_usage);
		}
	} else {
		old_spec.source = oldfile;
		if (ppfile) {
			ect_err(ctx, "--passphrase-file needs --from-mount-passphrase");
			return ect_cli_usage(-1, rewrap_usage);
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
			return ect_cli_usage(-1, rewrap_usage);
	} else if (n != 1) {
		return ect_cli_usage(0, rewrap_usage);
	}
	file = argv[1];
	if (ect_cli_wrap_params(ctx, &w, ECT_WRAP_V3, &version, &params, &params_set))
		return ect_cli_usage(-1, rewrap_usage);
	existing_owner(file, &uid, &gid);
	ect_cli_rc_salt(ctx, salt);
	/* the old secret first, so a wrong one fails before the new one is asked */
	if (ect_cli_get_secret(ctx, &old_spec, &old))
		goto out;
	if (from_mount) {
		if (old.len > ECT_PASSPHRASE_MAX) {
			ect_cli_too_long();
			goto out;
		}
		if (check_mount_passphrase(ctx, file, old.s, old.len, salt))
			goto out;
		pass = old.s;
		pass_len = old.len;
		old.s = NULL;
	} else {
		r = ect_unwrap_file(file, old.s, old.len, salt, &pass, &pass_len, &info);
		if (r < 0) {
			ect_keys_report("Unwrapping passphrase", file, r, old.len);
			goto out;
		}
		/* keep a v3 file's cost unless told otherwise */
		if (!params_set && info.version == ECT_WRAP_V3 && version == ECT_WRAP_V3) {
			params = info.params;
			params_set = true;
		}
	}
	if (ect_cli_get_secret(ctx, &new_spec, &newpw))
		goto out;
	r = ect_wrap_file(file, version, pass, pass_len, newpw.s, newpw.len,
			  params_set ? &params : NULL, uid, gid);
	if (r < 0) {
		ect_keys_report("Wrapping passphrase", file, r, newpw.len);
		goto out;
	}
	ret = ECT_EXIT_OK;
out:
	ect_secure_free_str(pass);
	ect_cli_secret_free(&old);
	ect_cli_secret_free(&newpw);
	return ret;
}
