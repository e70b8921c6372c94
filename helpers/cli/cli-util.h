/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the ecryptfs commands: option parsing, reading secrets
 * from prompts, stdin, files or the compat argv forms, the user's home and
 * the wrapped-file options (format, KDF cost).
 */
#ifndef ECT_CLI_UTIL_H
#define ECT_CLI_UTIL_H

#include "cli.h"

#include <stdbool.h>
#include <stdio.h>

/* One "--name" or "--name=value" / "--name value" option. */
struct cli_opt {
	const char *name;   /* without the leading "--"; NULL ends a table */
	const char **value; /* options taking a value: where it goes */
	int *flag;	    /* flag options: set to 1 when given */
};

/*
 * Split argv[1..argc) into the known options of opts and positionals.
 * Only arguments starting with "--" are options (and "-h"), so "-" and the
 * ecryptfs-utils argv secrets stay positional wherever they are; "--" ends
 * the options. Positionals are moved to argv[1..*npos].
 * Returns 0, 1 when --help/-h was given, or -1 after printing a one-line
 * error for an unknown, repeated or incomplete option.
 */
int cli_parse(struct ect_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
			int *npos);

/*
 * Finish a parse result or a wrong argument count: r 1 (--help) prints
 * usage on stdout and returns ECT_EXIT_OK; r 0 (wrong positionals) prints
 * usage on stderr and r -1 (an option error, already reported in one line)
 * nothing more; both return ECT_EXIT_USAGE.
 */
int cli_usage(int r, const char *usage);

/* A secret in locked memory. */
struct cli_secret {
	char *s; /* NUL-terminated, NULL when unset */
	size_t len;
};

void cli_secret_free(struct cli_secret *sec);

/* Where one secret comes from, in order of precedence. */
struct cli_secret_spec {
	const char *what;	    /* "wrapping passphrase": used in error messages */
	const char *source;	    /* --*-file value (path, "-" or "fd:N") or NULL */
	char *arg;		    /* compat argv secret or NULL; wiped after copying */
	bool from_stdin;	    /* one line of standard input (the "-" forms) */
	const char *prompt;	    /* otherwise: prompt on the terminal */
	const char *confirm_prompt; /* ask twice when set (prompt only) */
	const char *mismatch_msg;   /* printed when the two differ (default given) */
};

/*
 * Fill sec from the first source spec names. Errors are reported on stderr
 * in one line. Returns an exit code (ECT_EXIT_OK or ECT_EXIT_FAILURE).
 */
int cli_get_secret(struct ect_ctx *ctx, const struct cli_secret_spec *spec,
		       struct cli_secret *sec);

/*
 * The ecryptfs-utils positional forms "[FILE] [-|SECRET]" after option
 * parsing (n operands in argv[1..n]): "-" alone or second means standard
 * input, a second operand otherwise is the compat argv secret. Returns -1
 * for more than two operands.
 */
int cli_file_and_secret(int n, char **argv, char **file, struct cli_secret_spec *spec);

/* The ecryptfs-utils message for a passphrase longer than 64 bytes. */
void cli_too_long(void);
/* "INFO: ..." on stdout, flushed: the progress lines of 111's scripts. */
void cli_info(const char *fmt, ...) ECT_PRINTF(1, 2);

/*
 * s in single quotes for a POSIX shell, each ' as '\'': for the commands
 * the tools print. Cut short to fit size (4 * strlen(s) + 3 always fits);
 * returns out.
 */
char *cli_shell_quote(const char *s, char *out, size_t size);

/* Write len bytes of s and a newline to fd without stdio buffering; 0 or -errno. */
int cli_write_line(int fd, const char *s, size_t len);

/*
 * The real user's home: the passwd entry of getuid() (as ecryptfs-utils),
 * else $HOME. malloc'ed; NULL when neither exists.
 */
char *cli_home(void);
/* home + "/" + rel, malloc'ed (NULL on allocation failure). */
char *cli_path_join(const char *home, const char *rel);

/* The salt for v1 files and the FEKEK: salt= of the real user's ~/.ecryptfsrc. */
void cli_rc_salt(struct ect_ctx *ctx, uint8_t salt[ECT_SALT_SIZE]);
/* The signatures of a mount passphrase (the FNEK's only with fnek), without a keyring. */
int cli_compute_sigs(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
		     struct ect_config_sigs *sigs);

/*
 * The dirs the library's unlock operations read a wrapped FILE through:
 * FILE's directory (its last component must be a file, not a symlink) and
 * home, whose .ecryptfsrc gives the salt (NULL: the real user's home, as
 * ecryptfs-utils 111 reads it). uid and gid are (uid_t)-1: no owner check,
 * no chown. *name points into file. 0, or -1 after a one-line error.
 */
int cli_user_dirs(struct ect_ctx *ctx, const char *file, const char *home,
		      struct ect_user_dirs *d, const char **name);
void cli_user_dirs_close(struct ect_user_dirs *d);
/* Warn that .ecryptfsrc's salt= is not used (salt_err of the unlock results). */
void cli_salt_warning(struct ect_ctx *ctx, int err, const struct ect_config_error *where);

/*
 * ect_token_pin_fn for the commands: the PIN from source (--pin-file: a
 * file, - or fd:N) or the terminal, with a warning when the token's retry
 * counter is low. arg is a struct cli_pin.
 */
struct cli_pin {
	struct ect_ctx *ctx;
	const char *source;
};
int cli_token_pin(void *arg, const char *label, unsigned int flags, char **pin, size_t *len);

/* Options of the commands that write wrapped-passphrase files. */
struct cli_wrap_opts {
	const char *format;	/* --wrap-format v2|v3 */
	const char *target_ms;	/* --kdf-target-ms N */
	int kdf_floor;		/* --kdf-floor (testing) */
};
/* Environment switch that forces the floor KDF cost (tests, see ecryptfs(1)). */
#define ECT_ENV_KDF_FLOOR "ECRYPTFS_TOOLS_KDF_FLOOR"

/*
 * Resolve wrap options to a format and v3 cost. *params_set is false when
 * the library should calibrate (the default). Returns 0 or -1 after printing
 * a one-line error.
 */
int cli_wrap_params(struct ect_ctx *ctx, const struct cli_wrap_opts *w,
			enum ect_wrap_version default_version, enum ect_wrap_version *version,
			struct ect_argon2_params *params, bool *params_set);

#endif /* ECT_CLI_UTIL_H */
