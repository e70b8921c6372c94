// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-token: the token protectors of ~/.ecryptfs (issue 16). enrol
 * wraps the mount passphrase, opened through a current protector, to an
 * RSA key (RSA-OAEP) or an EC P-256/P-384 key (ECDH) on a PKCS#11 token; list, remove and test act on the records of
 * wrapped-passphrase.token and on wrapped-passphrase; unlock adds the keys
 * of Private through a token record. The PIN comes from
 * the terminal or --pin-file, never from argv or the environment.
 */
#include "cli-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char token_usage[] =
	"Usage:\n"
	"  ecryptfs-token [--alias NAME] enrol [--policy or|token|and] [--password-file SRC]\n"
	"                 [--pin-file SRC] URI\n"
	"  ecryptfs-token [--alias NAME] list\n"
	"  ecryptfs-token [--alias NAME] remove N|password\n"
	"  ecryptfs-token [--alias NAME] test [--password-file SRC] [--pin-file SRC] N\n"
	"  ecryptfs-token [--alias NAME] unlock [--password-file SRC] [--pin-file SRC] [N]\n"
	"\n"
	"Protect the mount passphrase of ~/.ecryptfs with a PKCS#11 token.\n"
	"--alias NAME acts on the private directory NAME (ALIAS.conf) and its own files,\n"
	"NAME.wrapped-passphrase and NAME.wrapped-passphrase.token; default: Private.\n"
	"URI names the module, token and key (RSA, or EC on P-256 or P-384), for example\n"
	"  'pkcs11:token=MyCard;id=%01?module-path=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so'\n"
	"\n"
	"Policies (enrol):\n"
	"  or      the token or the login passphrase opens it (default; keeps wrapped-passphrase)\n"
	"  token   the token alone (removes wrapped-passphrase once the token opened it)\n"
	"  and     the token and the login passphrase, both needed (removes wrapped-passphrase)\n"
	"\n"
	"Options:\n"
	"  --password-file SRC   read the login (wrapping) passphrase from SRC (a file, - or fd:N)\n"
	"  --pin-file SRC        read the token PIN from SRC\n"
	"  --alias NAME          the private directory whose protectors to manage\n"
	"  -h, --help            show this help\n";

struct token_cli {
	struct ect_ctx *ctx;
	const char *pw_source;
	struct cli_pin pin;
	struct cli_secret pw; /* read at most once */
	struct ect_user_dirs d;
	char *home;
	const char *alias; /* "Private" or --alias */
	char wp_name[ECT_ALIAS_FILE_SIZE]; /* the alias's wrapped-passphrase */
};

static int need_password(struct token_cli *t)
{
	struct cli_secret_spec spec = { .what = "login passphrase", .source = t->pw_source,
					.prompt = "Login passphrase: " };

	if (t->pw.s)
		return 0;
	return cli_get_secret(t->ctx, &spec, &t->pw) ? -1 : 0;
}

/*
 * wrapped-passphrase as login finds it: the file, or a link the removable
 * media policy declares; one whose medium is absent still protects.
 */
static int has_password_file(const struct token_cli *t)
{
	char base[ECT_WRAPPED_BASE_SIZE];
	struct stat st;
	int dfd, r;

	r = ect_wrapped_locate_at(t->d.config_fd, t->wp_name, t->d.uid, NULL, &dfd, base, NULL);
	if (r == ECT_E_MEDIUM_ABSENT)
		return 1;
	if (r)
		return 0;
	r = !fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode);
	close(dfd);
	return r;
}

static const char *policy_name(enum ect_token_policy p)
{
	return p == ECT_TOKEN_AND_PASSWORD ? "token+password" : "token";
}

/* The mechanism as list shows it: rsa-oaep, ecdh-p256 or ecdh-p384. */
static const char *mech_label(const struct ect_token_info *info)
{
	if (info->mech != ECT_TOKEN_ECDH_HKDF_SHA256)
		return "rsa-oaep";
	return strstr(info->mech_name, "384") ? "ecdh-p384" : "ecdh-p256";
}

/* Unwrap record i, asking for the password only when the record needs it. */
static int open_record(struct token_cli *t, size_t i, const struct ect_token_info *info,
		       char **pp, size_t *len)
{
	if (info->policy == ECT_TOKEN_AND_PASSWORD && need_password(t))
		return -ECANCELED;
	return ect_token_unwrap_user(&t->d, i, cli_token_pin, &t->pin, t->pw.s, t->pw.len,
				     NULL, pp, len);
}

/* Record idx, or (ECT_TOKEN_PASSWORD) the first whose token is present. */
static int open_tokens(struct token_cli *t, size_t idx, char **pp, size_t *len)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	size_t n = 0;
	int r;

	if ((r = ect_token_list_user(&t->d, infos, ECT_TOKEN_MAX, &n)))
		return r;
	if (idx != ECT_TOKEN_PASSWORD)
		return idx < n ? open_record(t, idx, &infos[idx], pp, len) : -ENOENT;
	for (size_t i = 0; i < n; i++) {
		r = open_record(t, i, &infos[i], pp, len);
		if (r != ECT_E_TOKEN_MISSING)
			return r;
		if (i + 1 < n) /* the last one's error is the caller's message */
			ect_notice(t->ctx, "token record %zu: %s; trying the next", i,
				   ect_strerror(r));
	}
	return n ? r : -ENOENT;
}

/*
 * The mount passphrase through a current protector: wrapped-passphrase when
 * it exists (a wrong passphrase is an error, not a reason to ask for a PIN),
 * else the first token record that opens.
 */
static int open_any(struct token_cli *t, char **pp, size_t *len)
{
	uint8_t salt[ECT_SALT_SIZE];
	char *file;
	int r;

	if (has_password_file(t)) {
		if (need_password(t))
			return -ECANCELED;
		if (asprintf(&file, "%s/" ECT_CONFIG_DIR_NAME "/%s", t->home, t->wp_name) < 0)
			return -ENOMEM;
		cli_rc_salt(t->ctx, salt);
		r = ect_unwrap_file(file, t->pw.s, t->pw.len, salt, pp, len, NULL);
		free(file);
		return r;
	}
	return open_tokens(t, ECT_TOKEN_PASSWORD, pp, len);
}

/* ECT_E_KEY_MISMATCH when ALIAS.sig names another FEKEK than pp gives. */
static int match_private(struct token_cli *t, const char *pp, size_t len)
{
	struct ect_config_sigs sigs;
	uint8_t salt[ECT_SALT_SIZE], *key;
	char sig[ECT_SIG_HEX_SIZE + 1];
	int r;

	if (ect_config_read_sigs_at(t->d.config_fd, getuid(), t->alias, &sigs, NULL))
		return 0; /* no ALIAS.sig: nothing to compare with */
	key = ect_secure_alloc(ECT_KEY_SIZE);
	if (!key)
		return ECT_E_SECMEM;
	cli_rc_salt(t->ctx, salt);
	r = ect_derive_key(pp, len, salt, key);
	if (!r)
		r = ect_key_signature(key, sig);
	ect_secure_free(key);
	if (!r && strcmp(sig, sigs.fekek))
		r = ECT_E_KEY_MISMATCH;
	return r;
}

static int parse_index(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "password")) {
		*out = ECT_TOKEN_PASSWORD;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v >= ECT_TOKEN_MAX)
		return -1;
	*out = v;
	return 0;
}

static int parse_policy(const char *s, enum ect_token_policy *p, bool *drop_password)
{
	*drop_password = true;
	if (!s || !strcmp(s, "or")) {
		*p = ECT_TOKEN_ALONE;
		*drop_password = false;
	} else if (!strcmp(s, "token")) {
		*p = ECT_TOKEN_ALONE;
	} else if (!strcmp(s, "and")) {
		*p = ECT_TOKEN_AND_PASSWORD;
	} else {
		return -1;
	}
	return 0;
}

/* token and and: the new record must open before wrapped-passphrase goes. */
static int drop_password(struct token_cli *t, size_t idx, const char *pp, size_t len)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	char *again = NULL;
	size_t n = 0, again_len = 0;
	int r;

	if (!has_password_file(t))
		return 0;
	r = ect_token_list_user(&t->d, infos, ECT_TOKEN_MAX, &n);
	if (!r && idx >= n)
		r = -ENOENT;
	if (!r)
		r = open_record(t, idx, &infos[idx], &again, &again_len);
	if (!r && (again_len != len || ect_memcmp_const(again, pp, len)))
		r = ECT_E_KEY_MISMATCH;
	ect_secure_free_str(again);
	if (r) {
		ect_err(t->ctx, "token record %zu did not open: %s; %s kept", idx, ect_strerror(r),
			t->wp_name);
		return r;
	}
	r = ect_token_remove_user(&t->d, ECT_TOKEN_PASSWORD);
	if (r)
		ect_err(t->ctx, "cannot remove %s: %s", t->wp_name, ect_strerror(r));
	else
		cli_info("removed %s: the login passphrase alone no longer opens it", t->wp_name);
	return r;
}

/* An AND record's Argon2id cost: calibrated, or the floor under ECRYPTFS_TOOLS_KDF_FLOOR (tests). */
static const struct ect_argon2_params *enrol_cost(struct token_cli *t,
						  struct ect_argon2_params *floor)
{
	const char *env = getenv(ECT_ENV_KDF_FLOOR);

	if (!env || !*env || !strcmp(env, "0"))
		return NULL;
	ect_warn(t->ctx, "%s is set: using the cheapest key-derivation cost (testing only)",
		 ECT_ENV_KDF_FLOOR);
	ect_argon2_params_floor(floor);
	return floor;
}

static int cmd_enrol(struct token_cli *t, const char *uri, const char *policy_arg)
{
	struct ect_argon2_params floor;
	enum ect_token_policy policy;
	bool drop;
	char *pp = NULL;
	size_t len = 0, idx = 0;
	int r;

	if (parse_policy(policy_arg, &policy, &drop)) {
		ect_err(t->ctx, "--policy: '%s' is not one of or, token, and", policy_arg);
		return ECT_EXIT_USAGE;
	}
	r = open_any(t, &pp, &len);
	if (r == -ENOENT)
		ect_err(t->ctx, "~/.ecryptfs has no %s and no token record of %s to open", t->wp_name,
			t->alias);
	else if (r && r != -ECANCELED)
		ect_err(t->ctx, "cannot open the mount passphrase: %s", ect_strerror(r));
	if (!r && (r = match_private(t, pp, len)))
		ect_err(t->ctx, "the mount passphrase does not match %s.sig: %s", t->alias,
			ect_strerror(r));
	if (!r && policy == ECT_TOKEN_AND_PASSWORD && need_password(t))
		r = -ECANCELED;
	if (!r) {
		r = ect_token_enrol_user(&t->d, uri, policy, pp, len, t->pw.s, t->pw.len,
					 enrol_cost(t, &floor), &idx);
		if (r)
			ect_err(t->ctx, "cannot enrol %s: %s", uri, ect_strerror(r));
		else
			cli_info("enrolled token record %zu (%s)", idx, policy_name(policy));
	}
	if (!r && drop)
		r = drop_password(t, idx, pp, len);
	ect_secure_free_str(pp);
	return r ? ECT_EXIT_FAILURE : ECT_EXIT_OK;
}

static int cmd_list(struct token_cli *t)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	size_t n = 0;
	bool pw = has_password_file(t);
	int r;

	r = ect_token_list_user(&t->d, infos, ECT_TOKEN_MAX, &n);
	if (r) {
		char name[ECT_ALIAS_FILE_SIZE];

		if (ect_alias_key_file(t->alias, ECT_TOKEN_FILE, name, sizeof(name)))
			name[0] = '\0';
		ect_err(t->ctx, "~/.ecryptfs/%s: %s", name, ect_strerror(r));
		return ECT_EXIT_FAILURE;
	}
	if (pw)
		printf("password  %s\n", t->wp_name);
	for (size_t i = 0; i < n && i < ECT_TOKEN_MAX; i++)
		printf("%-8zu  %-14s  %-9s  id=%s  %s\n", i, policy_name(infos[i].policy),
		       mech_label(&infos[i]), infos[i].key_id, infos[i].uri);
	if (!pw && !n)
		printf("no protectors\n");
	return ECT_EXIT_OK;
}

static int cmd_remove(struct token_cli *t, size_t idx)
{
	int r = ect_token_remove_user(&t->d, idx);

	if (r == -ENOENT)
		ect_err(t->ctx, "no such protector");
	else if (r)
		ect_err(t->ctx, "cannot remove the protector: %s", ect_strerror(r));
	else if (idx == ECT_TOKEN_PASSWORD)
		cli_info("removed %s", t->wp_name);
	else
		cli_info("removed token record %zu", idx);
	return r ? ECT_EXIT_FAILURE : ECT_EXIT_OK;
}

static int cmd_test(struct token_cli *t, size_t idx)
{
	struct ect_token_info infos[ECT_TOKEN_MAX];
	char *pp = NULL;
	size_t n = 0, len = 0;
	int r;

	r = ect_token_list_user(&t->d, infos, ECT_TOKEN_MAX, &n);
	if (!r && (idx == ECT_TOKEN_PASSWORD || idx >= n))
		r = -ENOENT;
	if (!r)
		r = open_record(t, idx, &infos[idx], &pp, &len);
	if (!r)
		r = match_private(t, pp, len);
	ect_secure_free_str(pp);
	if (r == -ENOENT)
		ect_err(t->ctx, "no token record %s", idx == ECT_TOKEN_PASSWORD ? "password" : "");
	else if (r && r != -ECANCELED)
		ect_err(t->ctx, "token record %zu: %s", idx, ect_strerror(r));
	if (r)
		return ECT_EXIT_FAILURE;
	printf("token record %zu opens the mount passphrase\n", idx);
	return ECT_EXIT_OK;
}

/* Add the keys ALIAS.sig names, so mount.ecryptfs_private ALIAS needs no passphrase. */
static int cmd_unlock(struct token_cli *t, size_t idx)
{
	struct ect_config_sigs sigs;
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek[ECT_SIG_HEX_SIZE + 1];
	uint8_t salt[ECT_SALT_SIZE];
	char *pp = NULL;
	size_t len = 0;
	int r;

	r = ect_config_read_sigs_at(t->d.config_fd, getuid(), t->alias, &sigs, NULL);
	if (r) {
		ect_err(t->ctx, "~/.ecryptfs/%s.sig: %s", t->alias, ect_strerror(r));
		return ECT_EXIT_FAILURE;
	}
	r = open_tokens(t, idx, &pp, &len);
	if (!r)
		r = match_private(t, pp, len);
	if (!r) {
		cli_rc_salt(t->ctx, salt);
		r = ect_keyring_add_mount_keys(pp, len, salt, ECT_KEYS_FNEK_FIRST, fekek,
					       sigs.fnek[0] ? fnek : NULL);
		if (!r && sigs.fnek[0] && strcmp(fnek, sigs.fnek))
			r = ECT_E_KEY_MISMATCH;
		if (!r && ect_keyring_link_user_session())
			ect_warn(t->ctx, "cannot link your user keyring into the session keyring");
	}
	ect_secure_free_str(pp);
	if (r == -ENOENT)
		ect_err(t->ctx, "no token record to open");
	else if (r && r != -ECANCELED)
		ect_err(t->ctx, "cannot unlock %s with a token: %s", t->alias, ect_strerror(r));
	if (r)
		return ECT_EXIT_FAILURE;
	if (strcmp(t->alias, ECT_PRIVATE_ALIAS))
		cli_info("added the keys of %s to your keyring (now: mount.ecryptfs_private %s)",
			 t->alias, t->alias);
	else
		cli_info("added the keys of Private to your keyring (now: ecryptfs-mount-private)");
	return ECT_EXIT_OK;
}

static int token_open_dirs(struct token_cli *t)
{
	int r;

	t->home = cli_home();
	if (!t->home) {
		ect_err(t->ctx, "cannot find your home directory");
		return -1;
	}
	r = ect_config_dir_open(t->home, getuid(), &t->d.config_fd);
	if (r) {
		ect_err(t->ctx, "%s/" ECT_CONFIG_DIR_NAME ": %s", t->home, ect_strerror(r));
		return -1;
	}
	t->d.home_fd = -1;
	t->d.uid = getuid();
	t->d.gid = getgid();
	t->d.alias = t->alias;
	return 0;
}

static int cmd_token(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *policy = NULL;
	struct token_cli t = { .ctx = ctx, .pin = { .ctx = ctx }, .d = { .config_fd = -1 } };
	const struct cli_opt opts[] = {
		{ "policy", &policy, NULL },
		{ "alias", &t.alias, NULL },
		{ "password-file", &t.pw_source, NULL },
		{ "pin-file", &t.pin.source, NULL },
		{ NULL, NULL, NULL },
	};
	const char *verb;
	size_t idx = 0;
	int n, r, ret = ECT_EXIT_USAGE;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r || n < 1)
		return cli_usage(r, token_usage);
	verb = argv[1];
	if (!strcmp(verb, "enrol") || !strcmp(verb, "enroll")) {
		if (n != 2)
			return cli_usage(0, token_usage);
	} else if (!strcmp(verb, "list")) {
		if (n != 1)
			return cli_usage(0, token_usage);
	} else if (!strcmp(verb, "unlock") && n <= 2) {
		idx = ECT_TOKEN_PASSWORD;
		if (n == 2 && (parse_index(argv[2], &idx) || idx == ECT_TOKEN_PASSWORD)) {
			ect_err(ctx, "unlock: name a token record number from list");
			return ECT_EXIT_USAGE;
		}
	} else if (!strcmp(verb, "remove") || !strcmp(verb, "test")) {
		if (n != 2 || parse_index(argv[2], &idx)) {
			ect_err(ctx, "%s: name a protector: a record number from list, or password",
				verb);
			return ECT_EXIT_USAGE;
		}
	} else {
		ect_err(ctx, "unknown action '%s' (enrol, list, remove, test, unlock)", verb);
		return ECT_EXIT_USAGE;
	}
	if (!t.alias)
		t.alias = ECT_PRIVATE_ALIAS;
	if (ect_alias_key_file(t.alias, ECT_WRAPPED_PASSPHRASE_FILE, t.wp_name, sizeof(t.wp_name))) {
		ect_err(ctx, "--alias: '%s' is not an alias (1 to %d bytes, no '/', '..', ',' or "
			"control characters)", t.alias, ECT_ALIAS_MAX);
		return ECT_EXIT_USAGE;
	}
	if (policy && strcmp(verb, "enrol") && strcmp(verb, "enroll")) {
		ect_err(ctx, "--policy is for enrol only");
		return ECT_EXIT_USAGE;
	}
	(void)ect_harden_process();
	if (token_open_dirs(&t)) {
		ret = ECT_EXIT_FAILURE;
		goto out;
	}
	if (verb[0] == 'e')
		ret = cmd_enrol(&t, argv[2], policy);
	else if (!strcmp(verb, "list"))
		ret = cmd_list(&t);
	else if (!strcmp(verb, "remove"))
		ret = cmd_remove(&t, idx);
	else if (!strcmp(verb, "unlock"))
		ret = cmd_unlock(&t, idx);
	else
		ret = cmd_test(&t, idx);
out:
	cli_secret_free(&t.pw);
	if (t.d.config_fd >= 0)
		close(t.d.config_fd);
	free(t.home);
	return ret;
}

const struct cli_cmd cmds_token[] = {
	{ "token", "ecryptfs-token", cmd_token,
	  "enrol, list, remove, test and unlock with PKCS#11 token protectors" },
	{ 0 },
};
