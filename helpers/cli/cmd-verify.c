// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs commands: the verify family (see cli.h).
 *   verify-private  per-user setup checks for administrators (the library's
 *                   ect_verify_user / ect_verify_system), text or JSON
 *   verify          ecryptfs-utils 111's ecryptfs-verify: same flags, same
 *                   INFO:/ERROR: lines, but a usage error on unknown options
 */
#include "cli-util.h"
#include "cmd-verify.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* verify-private exit codes (ecryptfs-verify-private(8)) */
enum {
	VERIFY_EXIT_CLEAN = 0,	  /* nothing worse than info */
	VERIFY_EXIT_FAIL = 1,	  /* at least one failure, or checks could not run */
	VERIFY_EXIT_WARN = 3,	  /* warnings, no failure */
	VERIFY_EXIT_NOT_SET_UP = 4, /* the one account asked about has no eCryptfs */
};

struct out {
	int json;
	int verbose; /* also print ok findings in text mode */
	int first_user;
	unsigned int fails, warns;
	unsigned int checked, not_set_up;
};

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] >= 0xf5)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 (file names can be anything) become U+FFFD. */
static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20) {
			printf("\\u%04x", *s++);
		} else if (*s < 0x80) {
			putchar(*s++);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			printf("\\ufffd");
			s++;
		}
	}
	putchar('"');
}

static int print_findings(struct out *o, const struct ect_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct ect_finding *f = &r->items[i];
		int unprintable;
		char *fix;

		if (f->severity == ECT_SEV_FAIL)
			o->fails++;
		else if (f->severity == ECT_SEV_WARN)
			o->warns++;
		if (!o->json && f->severity == ECT_SEV_OK && !o->verbose)
			continue;
		fix = verify_fix_command(&f->fix, &unprintable);
		if (!fix)
			return -ENOMEM;
		if (o->json) {
			printf("%s\n      {\"severity\": ", i ? "," : "");
			json_string(ect_severity_name(f->severity));
			printf(", \"check\": ");
			json_string(f->check);
			printf(", \"message\": ");
			json_string(f->message);
			printf(", \"fix\": ");
			json_string(fix);
			putchar('}');
		} else {
			printf("  %-4s  %-20s %s\n", ect_severity_name(f->severity), f->check,
			       f->message);
			if (unprintable && f->severity >= ECT_SEV_INFO)
				printf("        %-20s fix: none printed: a name holds a control "
				       "character\n", "");
			else if (fix[0] && f->severity >= ECT_SEV_INFO)
				printf("        %-20s fix: %s\n", "", fix);
		}
		free(fix);
	}
	return 0;
}

static void print_user_head(struct out *o, const struct passwd *pw, const char *status)
{
	if (o->json) {
		printf("%s\n    {\"user\": ", o->first_user ? "" : ",");
		json_string(pw->pw_name);
		printf(", \"uid\": %u, \"home\": ", (unsigned int)pw->pw_uid);
		json_string(pw->pw_dir ? pw->pw_dir : "");
		printf(", \"status\": ");
		json_string(status);
		printf(", \"findings\": [");
	} else {
		printf("user %s (uid %u, %s)%s%s\n", pw->pw_name, (unsigned int)pw->pw_uid,
		       pw->pw_dir ? pw->pw_dir : "", *status == 'n' ? ": " : "",
		       *status == 'n' ? status : "");
	}
	o->first_user = 0;
}

/*
 * Check one account. Without an eCryptfs setup it is "not set up": listed
 * when asked about by name, with -v, or in JSON; never a failure.
 */
static int verify_one(struct out *o, const struct ect_verify_opts *opts, const struct passwd *pw,
		      int named)
{
	struct ect_verify_target t = {
		.user = pw->pw_name, .uid = pw->pw_uid, .gid = pw->pw_gid, .home = pw->pw_dir,
	};
	struct ect_report r = { 0 };
	int ret = pw->pw_dir && pw->pw_dir[0] == '/' ? ect_verify_user(&t, opts, &r) : 1;
	int printed;

	if (ret == 1) {
		o->not_set_up++;
		if (named || o->verbose || o->json) {
			print_user_head(o, pw, "not set up");
			if (o->json) {
				ret = print_findings(o, &r);
				printf("\n    ]}");
			}
		}
		ect_report_free(&r);
		return ret == 1 ? 0 : ret;
	}
	if (ret)
		ret = ect_report_add(&r, ECT_SEV_FAIL, "internal", "checks stopped: %s",
				     ect_strerror(ret));
	o->checked++;
	print_user_head(o, pw, "checked");
	printed = print_findings(o, &r);
	if (!ret)
		ret = printed;
	if (o->json)
		printf("\n    ]}");
	ect_report_free(&r);
	return ret;
}

/*
 * sshd's effective AuthorizedKeysFile, from `sshd -T` (root only: sshd
 * reads its host keys); NULL when it cannot tell (the library then uses
 * sshd's default). *buf is malloc'ed.
 */
static const char *sshd_authorized_keys(char **buf)
{
	static const char sshd[] = "/usr/sbin/sshd";
	char *line = NULL;
	size_t cap = 0;
	int pipefd[2], status = 0;
	pid_t pid;
	FILE *f;

	*buf = NULL;
	if (geteuid() != 0 || access(sshd, X_OK) || pipe2(pipefd, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (dup2(pipefd[1], 1) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(sshd, sshd, "-T", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "authorizedkeysfile ", 19))
			continue;
		line[strcspn(line, "\n")] = '\0';
		free(*buf);
		*buf = strdup(line + 19);
	}
	if (f)
		fclose(f);
	else
		close(pipefd[0]);
	free(line);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(*buf);
		*buf = NULL;
	}
	return *buf;
}

static void usage_private(FILE *out)
{
	fprintf(out,
		"Usage: ecryptfs-verify-private [-u USER | --all] [--json] [-v] [--sample N]\n"
		"                               [--no-system]\n"
		"Check eCryptfs setups and print each finding with its fix.\n"
		"  -u, --user USER  check USER (default: the caller; root: every account)\n"
		"  -a, --all        check every account that has ~/.ecryptfs, ~/.Private or\n"
		"                   /home/.ecryptfs/USER; the others are \"not set up\"\n"
		"  -j, --json       machine-readable output\n"
		"  -v, --verbose    also list the checks that passed\n"
		"      --sample N   lower files to inspect per user (default 64)\n"
		"      --no-system  skip system-wide checks (swap)\n"
		"Exit: 0 clean, 1 failures, 2 usage, 3 warnings only, 4 the one account\n"
		"checked is not set up.\n");
}

static int cmd_verify_private(struct ect_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "sample", required_argument, NULL, 's' },
		{ "no-system", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ect_verify_opts opts = { 0 };
	struct out o = { .first_user = 1 };
	char *sshd_keys = NULL;
	const char *user = NULL;
	int all = 0, system = 1, c, ret = 0;
	struct passwd *pw;

	while ((c = getopt_long(argc, argv, "u:ajvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'a':
			all = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 's': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || !*optarg || n == 0 || n > 1000000) {
				ect_err(ctx, "--sample needs a count from 1 to 1000000");
				return ECT_EXIT_USAGE;
			}
			opts.sample_files = (unsigned int)n;
			break;
		}
		case 'S':
			system = 0;
			break;
		case 'h':
			usage_private(stdout);
			return ECT_EXIT_OK;
		default:
			usage_private(stderr);
			return ECT_EXIT_USAGE;
		}
	}
	if (optind < argc || (all && user)) {
		usage_private(stderr);
		return ECT_EXIT_USAGE;
	}
	/* root with no account named means the administrator's view: all of them */
	if (!user && getuid() == 0)
		all = 1;
	pw = user ? getpwnam(user) : getpwuid(getuid());
	if (!all && !pw) {
		ect_err(ctx, "unknown user %s", user ? user : "(calling uid)");
		return ECT_EXIT_FAILURE;
	}
	opts.authorized_keys = sshd_authorized_keys(&sshd_keys);
	if (o.json)
		printf("{\n  \"users\": [");
	if (all) {
		setpwent();
		while (!ret && (pw = getpwent()))
			ret = verify_one(&o, &opts, pw, 0);
		endpwent();
		if (!o.json && o.not_set_up && !o.verbose)
			printf("%u account%s not set up (-v lists them)\n", o.not_set_up,
			       o.not_set_up == 1 ? " is" : "s are");
	} else {
		ret = verify_one(&o, &opts, pw, 1);
	}
	if (system) {
		struct ect_report r = { 0 };
		int rp;

		if (!ret)
			ret = ect_verify_system(&opts, &r);
		if (o.json) {
			printf("\n  ],\n  \"system\": [");
		} else {
			printf("system\n");
		}
		rp = print_findings(&o, &r);
		if (!ret)
			ret = rp;
		ect_report_free(&r);
	}
	free(sshd_keys);
	if (o.json) {
		printf("\n  ],\n  \"checked\": %u,\n  \"not_set_up\": %u,\n"
		       "  \"failures\": %u,\n  \"warnings\": %u\n}\n",
		       o.checked, o.not_set_up, o.fails, o.warns);
	} else {
		printf("result: %u checked, %u not set up, %u failure%s, %u warning%s\n",
		       o.checked, o.not_set_up, o.fails, o.fails == 1 ? "" : "s", o.warns,
		       o.warns == 1 ? "" : "s");
	}
	if (ret) {
		ect_err(ctx, "%s", ect_strerror(ret));
		return VERIFY_EXIT_FAIL;
	}
	if (o.fails)
		return VERIFY_EXIT_FAIL;
	if (o.warns)
		return VERIFY_EXIT_WARN;
	return !all && !o.checked ? VERIFY_EXIT_NOT_SET_UP : VERIFY_EXIT_CLEAN;
}

/* ---- ecryptfs-verify (ecryptfs-utils 111 compatible) ------------------ */

enum { CHECK_HOME = 1, CHECK_PRIVATE = 2, CHECK_FNE = 4, CHECK_NO_FNE = 8 };

/* 111's error(): two ERROR lines, exit 1. */
static int error(const char *fmt, ...) ECT_PRINTF(1, 2);
static int error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "ERROR: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nERROR: Configuration invalid\n");
	return ECT_EXIT_FAILURE;
}

static int read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return 0;
}

/* wc -l: the number of newline characters. */
static long count_newlines(const char *path)
{
	FILE *f = fopen(path, "re");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int c_exists(const char *home)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/.ecryptfs", home);
	if (stat(p, &st) || !S_ISDIR(st.st_mode))
		return error("[%s] does not exist", p);
	cli_info("[%s] exists", p);
	return 0;
}

static int c_sigfile(const char *home, long *lines)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/.ecryptfs/Private.sig", home);
	if (stat(p, &st) || !S_ISREG(st.st_mode))
		return error("[%s] does not exist", p);
	cli_info("[%s] exists", p);
	*lines = count_newlines(p);
	if (*lines != 1 && *lines != 2)
		return error("[%s] does not contain exactly 1 or 2 lines", p);
	cli_info("[%s] contains [%ld] signatures", p, *lines);
	return 0;
}

static int c_mountfile(const char *home, char *mnt, size_t size)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/.ecryptfs/Private.mnt", home);
	if (stat(p, &st) || !S_ISREG(st.st_mode))
		return error("[%s] does not exist", p);
	cli_info("[%s] exists", p);
	if (read_first_line(p, mnt, size))
		mnt[0] = '\0';
	if (stat(mnt, &st) || !S_ISDIR(st.st_mode))
		return error("[%s] is not a directory", mnt);
	cli_info("[%s] is a directory", mnt);
	return 0;
}

static int c_owner(const struct passwd *pw, const char *mnt)
{
	struct stat st;
	struct passwd *owner;
	char uid[32];
	const char *name;

	if (stat(mnt, &st))
		return error("Invalid owner [%s] of mount point [%s]", "", mnt);
	owner = getpwuid(st.st_uid);
	snprintf(uid, sizeof(uid), "%u", (unsigned int)st.st_uid);
	name = owner ? owner->pw_name : uid;
	if (st.st_uid != pw->pw_uid)
		return error("Invalid owner [%s] of mount point [%s]", name, mnt);
	cli_info("Ownership [%s] of mount point [%s] is correct", name, mnt);
	return 0;
}

/* 111 runs each selected check's whole sequence, in the order given. */
static int run_compat_check(const struct passwd *pw, int check)
{
	const char *home = pw->pw_dir;
	char mnt[PATH_MAX], p[PATH_MAX];
	struct stat st;
	long lines = 0;

	if (c_exists(home) || c_sigfile(home, &lines))
		return ECT_EXIT_FAILURE;
	switch (check) {
	case CHECK_HOME:
		if (c_mountfile(home, mnt, sizeof(mnt)))
			return ECT_EXIT_FAILURE;
		snprintf(p, sizeof(p), "%s/.ecryptfs/auto-mount", home);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			return error("[%s] does not exist", p);
		cli_info("[%s] Automount is set", p);
		if (strcmp(mnt, home))
			return error("Mount point [%s] is not the user's home [%s]", mnt, home);
		cli_info("Mount point [%s] is the user's home", mnt);
		return c_owner(pw, mnt);
	case CHECK_PRIVATE:
		if (c_mountfile(home, mnt, sizeof(mnt)))
			return ECT_EXIT_FAILURE;
		if (!strcmp(mnt, home))
			return error("Mount point [%s] is the user's home", mnt);
		cli_info("Mount point [%s] is not the user's home [%s]", mnt, home);
		cli_info("Mount point [%s] is a valid directory", mnt);
		return c_owner(pw, mnt);
	case CHECK_FNE:
		if (lines != 2)
			return error("Filenames are not encrypted");
		cli_info("Filenames are encrypted");
		return 0;
	default:
		if (lines != 1)
			return error("Filenames are encrypted");
		cli_info("Filenames are not encrypted");
		return 0;
	}
}

static int run_compat_checks(const struct passwd *pw, const int *checks, int n)
{
	for (int i = 0; i < n; i++)
		if (run_compat_check(pw, checks[i]))
			return ECT_EXIT_FAILURE;
	cli_info("Configuration valid");
	return ECT_EXIT_OK;
}

static void usage_compat(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		"ecryptfs-verify [-h|--home] [-p|--private] [-e|--filenames-encrypted] "
		"[-n|--filenames-not-encrypted] [-u|--user USER] [--help]\n\n"
		" -h|--home                     True if HOME is correctly configured for encryption\n"
		" -p|--private                  True if a non-HOME directory is correctly configured\n"
		" -e|--filenames-encrypted      True if filenames are set for encryption\n"
		" -n|--filenames-not-encrypted  True if filenames are not encrypted\n"
		" -u|--user USER                Check USER instead of the current user\n"
		" --help                        This usage information\n\n"
		" Options are additive: ALL checks must pass for exit status 0.\n"
		" For a full audit with fixes, see ecryptfs-verify-private(8).\n");
}

static int cmd_verify(struct ect_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "home", no_argument, NULL, 'h' },
		{ "private", no_argument, NULL, 'p' },
		{ "filenames-encrypted", no_argument, NULL, 'e' },
		{ "filenames-not-encrypted", no_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user = NULL;
	int checks[64], n = 0, c;
	struct passwd *pw;
	struct stat st;

	while ((c = getopt_long(argc, argv, "hpenu:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			if (n < (int)(sizeof(checks) / sizeof(checks[0])))
				checks[n++] = CHECK_HOME;
			break;
		case 'p':
			if (n < (int)(sizeof(checks) / sizeof(checks[0])))
				checks[n++] = CHECK_PRIVATE;
			break;
		case 'e':
			if (n < (int)(sizeof(checks) / sizeof(checks[0])))
				checks[n++] = CHECK_FNE;
			break;
		case 'n':
			if (n < (int)(sizeof(checks) / sizeof(checks[0])))
				checks[n++] = CHECK_NO_FNE;
			break;
		case 'u':
			user = optarg;
			break;
		case 'H':
			usage_compat(stdout);
			return ECT_EXIT_OK;
		default:
			/* 111 looped forever here; a usage error is what was meant */
			usage_compat(stderr);
			return ECT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ect_err(ctx, "unexpected argument '%s'", argv[optind]);
		usage_compat(stderr);
		return ECT_EXIT_USAGE;
	}
	pw = user ? getpwnam(user) : getpwuid(getuid());
	if (!pw || stat(pw->pw_dir, &st) || !S_ISDIR(st.st_mode))
		return error("Invalid home directory [%s] of [%s]", pw ? pw->pw_dir : "",
			     user ? user : "");
	if (!n)
		return error("No checks given");
	return run_compat_checks(pw, checks, n);
}

const struct cli_cmd cmds_verify[] = {
	{ "verify-private", "ecryptfs-verify-private", cmd_verify_private,
	  "check eCryptfs setups and say how to fix them" },
	{ "verify", "ecryptfs-verify", cmd_verify, "ecryptfs-utils compatible configuration check" },
	{ 0 },
};
