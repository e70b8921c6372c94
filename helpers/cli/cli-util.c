// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers shared by the ecryptfs commands (see cli-util.h). */
#include "cli-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_parse(struct ect_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
		  int *npos)
{
	bool opts_done = false;
	int n = 0;

	*npos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct cli_opt *o;
		const char *name, *eq;
		size_t nlen;

		if (opts_done || (strncmp(a, "--", 2) && strcmp(a, "-h"))) {
			argv[1 + n++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		name = a + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		for (o = opts; o && o->name; o++)
			if (strlen(o->name) == nlen && !strncmp(o->name, name, nlen))
				break;
		if (!o || !o->name) {
			ect_err(ctx, "unknown option '--%.*s' (see --help)", (int)nlen, name);
			return -1;
		}
		if (o->value) {
			const char *v;

			if (eq) {
				v = eq + 1;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				ect_err(ctx, "option '--%s' needs a value", o->name);
				return -1;
			}
			if (*o->value) {
				ect_err(ctx, "option '--%s' given twice", o->name);
				return -1;
			}
			*o->value = v;
		} else {
			if (eq) {
				ect_err(ctx, "option '--%s' takes no value", o->name);
				return -1;
			}
			*o->flag = 1;
		}
	}
	*npos = n;
	return 0;
}

int cli_usage(int r, const char *usage)
{
	if (r == 1) {
		fputs(usage, stdout);
		return ECT_EXIT_OK;
	}
	/* an option error was reported in one line; a wrong count shows the forms */
	if (r == 0)
		fputs(usage, stderr);
	return ECT_EXIT_USAGE;
}

void cli_secret_free(struct cli_secret *sec)
{
	ect_secure_free_str(sec->s);
	sec->s = NULL;
	sec->len = 0;
}

/* One prompted line from standard input that is not a terminal. */
static int prompt_stdin(const char *prompt, char **out, size_t *len)
{
	int ret;

	fputs(prompt, stderr);
	fflush(stderr);
	ret = ect_read_secret_line(STDIN_FILENO, ECT_SECRET_INPUT_MAX, out, len);
	fputc('\n', stderr);
	return ret;
}

/*
 * ecryptfs-utils read prompted secrets from standard input, turning echo off
 * when it is a terminal, and scripts rely on it (ecryptfs-recover-private
 * pipes the passphrase into "ecryptfs-add-passphrase" without "-"). So a
 * terminal is used only when standard input is one; otherwise the prompt
 * goes to stderr and the answer comes from standard input.
 */
static int prompt_secret(const char *prompt, const char *confirm, char **out, size_t *len)
{
	char *first = NULL, *second = NULL;
	size_t first_len = 0, second_len = 0;
	int ret;

	if (isatty(STDIN_FILENO))
		return ect_prompt_secret(prompt, confirm, ECT_SECRET_INPUT_MAX, out, len);
	ret = prompt_stdin(prompt, &first, &first_len);
	if (!ret && confirm) {
		ret = prompt_stdin(confirm, &second, &second_len);
		if (!ret && (first_len != second_len || ect_memcmp_const(first, second, first_len)))
			ret = -EINVAL;
	}
	if (!ret) {
		*out = first;
		*len = first_len;
		first = NULL;
	}
	ect_secure_free_str(first);
	ect_secure_free_str(second);
	return ret;
}

int cli_get_secret(struct ect_ctx *ctx, const struct cli_secret_spec *spec,
		       struct cli_secret *sec)
{
	const char *from = NULL;
	bool prompted = false;
	char *s = NULL;
	size_t len = 0;
	int ret;

	if (spec->source) {
		from = !strcmp(spec->source, "-") ? "standard input" : spec->source;
		ret = ect_read_secret_source(spec->source, ECT_SECRET_INPUT_MAX, &s, &len);
	} else if (spec->arg) {
		/* ecryptfs-utils compat form: copy, then wipe it from /proc/PID/cmdline */
		s = ect_secure_strndup(spec->arg, ECT_SECRET_INPUT_MAX);
		ect_wipe(spec->arg, strlen(spec->arg));
		ret = s ? 0 : ECT_E_SECMEM;
		len = s ? strlen(s) : 0;
	} else if (spec->from_stdin) {
		from = "standard input";
		/* "-" typed at a terminal: at least keep it off the screen */
		if (isatty(STDIN_FILENO))
			ret = ect_prompt_secret(NULL, NULL, ECT_SECRET_INPUT_MAX, &s, &len);
		else
			ret = ect_read_secret_line(STDIN_FILENO, ECT_SECRET_INPUT_MAX, &s, &len);
	} else {
		prompted = true;
		from = isatty(STDIN_FILENO) ? "the terminal" : "standard input";
		ret = prompt_secret(spec->prompt, spec->confirm_prompt, &s, &len);
	}
	if (!ret) {
		/*
		 * A NUL ends the secret, as the C strings of ecryptfs-utils did:
		 * its scripts pipe printf "%s\0" "$LOGINPASS" into the tools.
		 */
		size_t n = strnlen(s, len);

		ect_wipe(s + n, len - n);
		len = n;
		sec->s = s;
		sec->len = len;
		return ECT_EXIT_OK;
	}
	if (ret == -ENODATA)
		ect_err(ctx, "no %s on %s", spec->what, from ? from : "the command line");
	else if (ret == -EMSGSIZE)
		ect_err(ctx, "the %s is longer than %d bytes", spec->what, ECT_SECRET_INPUT_MAX);
	else if (ret == -EINVAL && prompted && spec->confirm_prompt)
		fprintf(stderr, "%s\n",
			spec->mismatch_msg ? spec->mismatch_msg : "Passphrases do not match");
	else
		ect_err(ctx, "cannot read the %s from %s: %s", spec->what,
			from ? from : "the command line", ect_strerror(ret));
	return ECT_EXIT_FAILURE;
}

int cli_file_and_secret(int n, char **argv, char **file, struct cli_secret_spec *spec)
{
	if (n > 2)
		return -1;
	if (n == 1) {
		/* ecryptfs-utils took "-" alone as a FILE named "-"; it means stdin here */
		if (!strcmp(argv[1], "-"))
			spec->from_stdin = true;
		else
			*file = argv[1];
	} else if (n == 2) {
		*file = argv[1];
		if (!strcmp(argv[2], "-"))
			spec->from_stdin = true;
		else
			spec->arg = argv[2];
	}
	return 0;
}

void cli_too_long(void)
{
	fprintf(stderr, "Passphrase is too long. Use at most %d characters long passphrase.\n",
		ECT_PASSPHRASE_MAX);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	printf("INFO: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int cli_write_line(int fd, const char *s, size_t len)
{
	size_t done = 0;
	int pass = 0;

	/* two passes: the text, then the newline */
	while (pass < 2) {
		const char *p = pass ? "\n" : s;
		size_t n = pass ? 1 : len;
		ssize_t w;

		if (done == n) {
			pass++;
			done = 0;
			continue;
		}
		w = write(fd, p + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)w;
	}
	return 0;
}

char *cli_home(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : getenv("HOME");

	return home && *home ? strdup(home) : NULL;
}

char *cli_path_join(const char *home, const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", home, rel) < 0)
		return NULL;
	return p;
}

void cli_rc_salt(struct ect_ctx *ctx, uint8_t salt[ECT_SALT_SIZE])
{
	char *home = cli_home();
	int ret;

	memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	if (!home)
		return;
	ret = ect_rc_read_salt(home, salt);
	if (ret < 0) {
		ect_warn(ctx, "ignoring the salt in %s/.ecryptfsrc (%s); using the default salt",
			 home, ect_strerror(ret));
		memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	}
	ect_debug(ctx, "salt for v1 files and the file key: %s (%s/.ecryptfsrc)",
		  memcmp(salt, ect_default_salt, ECT_SALT_SIZE) ? "from salt=" : "default", home);
	free(home);
}

int cli_user_dirs(struct ect_ctx *ctx, const char *file, const char *home,
		      struct ect_user_dirs *d, const char **name)
{
	const char *slash = strrchr(file, '/');
	char *dir, *own_home = NULL;

	*d = (struct ect_user_dirs){ .config_fd = -1, .home_fd = -1, .uid = (uid_t)-1,
				     .gid = (gid_t)-1 };
	*name = slash ? slash + 1 : file;
	if (!**name) {
		ect_err(ctx, "%s: names a directory, not a wrapped-passphrase file", file);
		return -1;
	}
	dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
	if (!dir) {
		ect_err(ctx, "out of memory");
		return -1;
	}
	d->config_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->config_fd < 0)
		ect_err(ctx, "%s: cannot open its directory %s: %s", file, dir, strerror(errno));
	free(dir);
	if (d->config_fd < 0)
		return -1;
	if (!home)
		home = own_home = cli_home();
	/* no home: the default salt, as ecryptfs-utils without a passwd entry */
	if (home)
		d->home_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(own_home);
	return 0;
}

void cli_user_dirs_close(struct ect_user_dirs *d)
{
	if (d->config_fd >= 0)
		close(d->config_fd);
	if (d->home_fd >= 0)
		close(d->home_fd);
	d->config_fd = d->home_fd = -1;
}

void cli_salt_warning(struct ect_ctx *ctx, int err, const struct ect_config_error *where)
{
	char ebuf[256];

	if (!err)
		return;
	if (where->reason[0])
		ect_warn(ctx, "ignoring the salt: %s; using the default salt",
			 ect_config_error_format(where, ebuf, sizeof(ebuf)));
	else
		ect_warn(ctx, "ignoring the salt in .ecryptfsrc (%s); using the default salt",
			 ect_strerror(err));
}

int cli_token_pin(void *arg, const char *label, unsigned int flags, char **pin, size_t *len)
{
	const struct cli_pin *p = arg;
	char prompt[96];
	struct cli_secret_spec spec = { .what = "token PIN", .source = p->source,
					.prompt = prompt };
	struct cli_secret sec = { 0 };

	snprintf(prompt, sizeof(prompt), "PIN for token %s: ", label);
	if (flags & ECT_PIN_FINAL_TRY)
		ect_warn(p->ctx, "token %s: one more wrong PIN locks it", label);
	else if (flags & ECT_PIN_COUNT_LOW)
		ect_warn(p->ctx, "token %s: a wrong PIN was given before", label);
	if (cli_get_secret(p->ctx, &spec, &sec))
		return -ECANCELED;
	*pin = sec.s;
	*len = sec.len;
	return 0;
}

static int parse_format(const char *s, enum ect_wrap_version *version)
{
	if (!strcmp(s, "v2") || !strcmp(s, "2"))
		*version = ECT_WRAP_V2;
	else if (!strcmp(s, "v3") || !strcmp(s, "3"))
		*version = ECT_WRAP_V3;
	else
		return -1;
	return 0;
}

int cli_wrap_params(struct ect_ctx *ctx, const struct cli_wrap_opts *w,
			enum ect_wrap_version default_version, enum ect_wrap_version *version,
			struct ect_argon2_params *params, bool *params_set)
{
	const char *env = getenv(ECT_ENV_KDF_FLOOR);
	bool env_floor = env && *env && strcmp(env, "0");
	int ret;

	*version = default_version;
	*params_set = false;
	if (w->format && parse_format(w->format, version)) {
		if (!strcmp(w->format, "v1") || !strcmp(w->format, "1"))
			ect_err(ctx, "version 1 files are read-only (shared salt, CVE-2014-9687); "
				     "use --wrap-format v2 or v3");
		else
			ect_err(ctx, "unknown --wrap-format '%s' (expected v2 or v3)", w->format);
		return -1;
	}
	if (w->kdf_floor && w->target_ms) {
		ect_err(ctx, "--kdf-floor and --kdf-target-ms exclude each other");
		return -1;
	}
	if (*version != ECT_WRAP_V3) {
		if (w->kdf_floor || w->target_ms) {
			ect_err(ctx, "--kdf-target-ms and --kdf-floor apply to --wrap-format v3 only");
			return -1;
		}
		return 0;
	}
	if (w->target_ms) {
		char *end;
		unsigned long ms;

		errno = 0;
		ms = strtoul(w->target_ms, &end, 10);
		if (errno || end == w->target_ms || *end || ms < 1 || ms > 60000) {
			ect_err(ctx, "--kdf-target-ms must be a number of milliseconds from 1 to 60000");
			return -1;
		}
		ret = ect_argon2_calibrate((unsigned int)ms, params);
		if (ret < 0) {
			ect_err(ctx, "cannot calibrate the key derivation: %s", ect_strerror(ret));
			return -1;
		}
		*params_set = true;
	} else if (w->kdf_floor || env_floor) {
		if (!w->kdf_floor)
			ect_warn(ctx, "%s is set: using the cheapest key-derivation cost (testing only)",
				 ECT_ENV_KDF_FLOOR);
		ect_argon2_params_floor(params);
		*params_set = true;
	}
	if (*params_set)
		ect_debug(ctx, "v3 Argon2id cost: t=%u m=%u KiB lanes=%u", params->t_cost,
			  params->m_cost_kib, params->lanes);
	return 0;
}

char *cli_shell_quote(const char *s, char *out, size_t size)
{
	size_t w = 0;

	if (size < 3) {
		if (size)
			out[0] = '\0';
		return out;
	}
	out[w++] = '\'';
	for (; *s && w + 5 < size; s++) {
		if (*s == '\'') {
			memcpy(out + w, "'\\''", 4);
			w += 4;
		} else {
			out[w++] = *s;
		}
	}
	out[w++] = '\'';
	out[w] = '\0';
	return out;
}

/*
 * The signatures of a mount passphrase (the FNEK's only with fnek), with the
 * salt of ~/.ecryptfsrc, without touching a keyring: setup-private's
 * bootstrap and setup-alias.
 */
int cli_compute_sigs(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
		     struct ect_config_sigs *sigs)
{
	uint8_t salt[ECT_SALT_SIZE], *key = ect_secure_alloc(ECT_KEY_SIZE);
	int r;

	if (!key)
		return ECT_E_SECMEM;
	cli_rc_salt(ctx, salt);
	r = ect_derive_key(pass, len, salt, key);
	if (!r)
		r = ect_key_signature(key, sigs->fekek);
	sigs->fnek[0] = '\0';
	if (!r && fnek) {
		r = ect_derive_key(pass, len, ect_fnek_salt, key);
		if (!r)
			r = ect_key_signature(key, sigs->fnek);
	}
	ect_secure_free(key);
	return r;
}
