// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token protectors at login (issue 16): the records of
 * ~/.ecryptfs/wrapped-passphrase.token, opened in the child through the
 * library (PKCS#11 via NSS), with the PIN asked by the parent.
 *
 * The three policies as the files show them: records only (the token
 * alone, or the token AND the password); records next to wrapped-passphrase
 * (the token OR the password, which is the fallback when no record opens).
 *
 * A PIN is asked at most once per login and never again after the token
 * refused it: the token's own retry counter is the only one. A missing
 * token costs no prompt (NSS finds the slot before it logs in).
 */
#include "pam-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_ext.h>

/* ---- the child ----------------------------------------------------------- */

struct pin_state {
	struct pam_ect_job *job;
	const char *password; /* token_pin=password: the PIN (chauthtok: the old password) */
	char *pin; /* asked once, kept for the next record of this login */
	size_t pin_len;
	bool asked;
};

/* ect_token_pin_fn: the login password (token_pin=password) or the parent's answer. */
static int pin_for_token(void *arg, const char *label, unsigned int flags, char **pin,
			 size_t *pin_len)
{
	struct pin_state *st = arg;
	const char *src;
	size_t len;
	int ret;

	if (st->job->opts->token_pin == PAM_ECT_PIN_PASSWORD) {
		if (!st->password || !st->password[0])
			return -ECANCELED;
		src = st->password;
		len = strlen(src);
	} else {
		if (!st->pin) {
			if (st->asked)
				return -ECANCELED;
			st->asked = true;
			ret = pam_ect_child_ask_pin(st->job, label, flags, &st->pin, &st->pin_len);
			if (ret)
				return ret;
		}
		src = st->pin;
		len = st->pin_len;
	}
	*pin = ect_secure_strndup(src, len);
	*pin_len = len;
	return *pin ? 0 : ECT_E_SECMEM;
}

/* Log (one line) what record i did; true when no further record may be tried. */
static bool record_failed(struct pam_ect_job *job, size_t i, const struct ect_token_info *info,
			  int err, bool *wrong_password)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);

	switch (err) {
	case ECT_E_TOKEN_MISSING:
		ect_notice(ctx, "user %s: token record %zu: no token matching %s is present",
			   job->user, i, info->uri);
		pam_ect_child_flag(job, PAM_ECT_FLAG_TOKEN_MISSING);
		return false;
	case ECT_E_WRONG_PIN:
		ect_notice(ctx, "user %s: token record %zu: the token refused the PIN", job->user, i);
		pam_ect_child_flag(job, PAM_ECT_FLAG_PIN_WRONG);
		return true;
	case ECT_E_PIN_LOCKED:
		ect_err(ctx, "user %s: token record %zu: the token's user PIN is locked", job->user, i);
		pam_ect_child_flag(job, PAM_ECT_FLAG_PIN_LOCKED);
		return true;
	case -ECANCELED:
		ect_notice(ctx, "user %s: token record %zu: no PIN given", job->user, i);
		return true;
	case ECT_E_WRONG_PASSWORD:
		ect_notice(ctx, "user %s: token record %zu (token and password): the password does "
			   "not open it", job->user, i);
		*wrong_password = true;
		return false;
	default:
		ect_err(ctx, "user %s: token record %zu: %s", job->user, i, ect_strerror(err));
		pam_ect_child_flag(job, PAM_ECT_FLAG_TOKEN_ERROR);
		return false;
	}
}

/* The alias's wrapped-passphrase, or a link to it on removable media: the password protector. */
static bool has_password_protector(int dirfd, const char *alias)
{
	char name[ECT_ALIAS_FILE_SIZE];
	struct stat st;

	return !ect_alias_key_file(alias, ECT_WRAPPED_PASSPHRASE_FILE, name, sizeof(name)) &&
	       fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Try records in file order until one opens or a PIN problem stops the tries. */
static int try_records(struct pam_ect_job *job, const struct ect_user_dirs *dirs,
		       const struct ect_token_info *infos, size_t n, char **pp, size_t *pp_len,
		       bool *wrong_password)
{
	struct pin_state st = { .job = job, .password = job->password };
	int result = PAM_ECT_TOKEN_FAILED;

	for (size_t i = 0; i < n; i++) {
		const char *pw = infos[i].policy == ECT_TOKEN_AND_PASSWORD ? job->password : NULL;
		int ret;

		if (infos[i].policy == ECT_TOKEN_AND_PASSWORD && (!pw || !pw[0])) {
			ect_notice(pam_ect_child_ctx(job), "user %s: token record %zu needs the "
				   "password too; this login gave none", job->user, i);
			continue;
		}
		ret = ect_token_unwrap_user(dirs, i, pin_for_token, &st, pw, pw ? strlen(pw) : 0,
					    &job->opts->kdf_max, pp, pp_len);
		if (!ret) {
			ect_info(pam_ect_child_ctx(job), "user %s: token record %zu opened", job->user, i);
			result = PAM_ECT_OK;
			break;
		}
		if (record_failed(job, i, &infos[i], ret, wrong_password))
			break;
	}
	ect_secure_free(st.pin);
	return result;
}

int pam_ect_token_passphrase(struct pam_ect_job *job, int dirfd, char **pp, size_t *pp_len)
{
	struct ect_user_dirs dirs = {
		.config_fd = dirfd,
		.home_fd = -1,
		.uid = job->pw->pw_uid,
		.gid = job->pw->pw_gid,
		.alias = job->alias,
	};
	struct ect_token_info *infos;
	bool wrong_password = false;
	size_t n = 0;
	int result, ret;

	*pp = NULL;
	*pp_len = 0;
	infos = calloc(ECT_TOKEN_MAX, sizeof(*infos));
	if (!infos)
		return PAM_ECT_INTERNAL;
	ret = ect_token_list_user(&dirs, infos, ECT_TOKEN_MAX, &n);
	if (ret) {
		ect_err(pam_ect_child_ctx(job), "user %s: ~/.ecryptfs/%s%s" ECT_TOKEN_FILE ": %s",
			job->user, job->alias ? job->alias : "", job->alias ? "." : "",
			ect_strerror(ret));
		pam_ect_child_flag(job, PAM_ECT_FLAG_TOKEN_ERROR);
		result = PAM_ECT_CORRUPT;
	} else if (!n) {
		result = PAM_ECT_NO_TOKEN;
	} else {
		result = try_records(job, &dirs, infos, n, pp, pp_len, &wrong_password);
		if (result != PAM_ECT_OK && wrong_password)
			result = PAM_ECT_WRONG_PASSWORD;
	}
	free(infos);
	/* the token OR the password: the password's turn */
	if (result != PAM_ECT_OK && has_password_protector(dirfd, job->alias))
		result = PAM_ECT_NO_TOKEN;
	return result;
}

/*
 * chauthtok: rewrap the token AND password records from the old password
 * to the new one (the token and its PIN needed now); all or nothing, so a
 * missing token keeps the old file. Token-alone records stay as they are.
 */
int pam_ect_job_token_rewrap(struct pam_ect_job *job)
{
	struct ect_user_dirs dirs = { .home_fd = -1, .uid = job->pw->pw_uid, .gid = job->pw->pw_gid,
				      .alias = job->alias };
	struct pin_state st = { .job = job, .password = job->old_password };
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	struct ect_token_info *infos;
	size_t n = 0, done = 0, failed = (size_t)-1;
	bool wrong_password = false;
	int result, ret;

	result = pam_ect_config_dir(job, &dirs.config_fd);
	if (result != PAM_ECT_OK)
		return result;
	infos = calloc(ECT_TOKEN_MAX, sizeof(*infos));
	ret = infos ? ect_token_list_user(&dirs, infos, ECT_TOKEN_MAX, &n) : -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++)
		done += infos[i].policy == ECT_TOKEN_AND_PASSWORD;
	if (!ret && done && !job->old_password) {
		ect_warn(ctx, "user %s: password changed without the old one; the token and "
			 "password records keep it", job->user);
		result = PAM_ECT_NO_OLD_PASSWORD;
		goto out;
	}
	if (!ret && done)
		ret = ect_token_rewrap_user(&dirs, pin_for_token, &st, job->old_password,
					    strlen(job->old_password), job->password,
					    strlen(job->password), &job->opts->kdf_max, &done, &failed);
	ect_secure_free(st.pin);
	if (!ret) {
		if (done)
			ect_notice(ctx, "user %s: %zu token and password record(s) rewrapped with "
				   "the new password", job->user, done);
		result = done ? PAM_ECT_OK : PAM_ECT_NO_TOKEN;
	} else if (failed < n) {
		if (ret != ECT_E_HOSTILE_PARAMS)
			(void)record_failed(job, failed, &infos[failed], ret, &wrong_password);
		ect_err(ctx, "user %s: token record %zu not rewrapped (%s); ~/.ecryptfs/"
			ECT_TOKEN_FILE " left as it was, with the old password", job->user, failed,
			ect_strerror(ret));
		result = wrong_password ? PAM_ECT_WRONG_PASSWORD
			 : ret == ECT_E_HOSTILE_PARAMS ? PAM_ECT_KDF_COST : PAM_ECT_TOKEN_FAILED;
	} else {
		ect_err(ctx, "user %s: ~/.ecryptfs/" ECT_TOKEN_FILE ": %s", job->user,
			ect_strerror(ret));
		pam_ect_child_flag(job, PAM_ECT_FLAG_TOKEN_ERROR);
		result = PAM_ECT_WRITE_FAILED;
	}
out:
	free(infos);
	close(dirs.config_fd);
	return result;
}

/* ---- the parent ---------------------------------------------------------- */

/* A token label for a prompt: printable ASCII only (it comes from the device). */
static void printable(const char *in, char *out, size_t size)
{
	size_t j = 0;

	for (size_t i = 0; in[i] && j + 1 < size; i++)
		out[j++] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[j] = '\0';
}

int pam_ect_token_ask_pin(struct pam_ect_call *c, struct pam_ect_job *job, const char *label,
			  unsigned int flags, char **pin)
{
	char safe[80];
	char *typed = NULL;
	int ret;

	*pin = NULL;
	if (job->pin_spent)
		return -ECANCELED;
	if (!job->pin) {
		printable(label, safe, sizeof(safe));
		if (flags & ECT_PIN_FINAL_TRY)
			pam_ect_tell(c, true, "Token %s: one more wrong PIN locks it.", safe);
		else if (flags & ECT_PIN_COUNT_LOW)
			pam_ect_tell(c, false, "Token %s: a wrong PIN was given since its last use.",
				     safe);
		ret = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &typed, "PIN for token %s: ", safe);
		if (ret == PAM_SUCCESS && typed && typed[0])
			job->pin = ect_secure_strndup(typed, ECT_SECRET_INPUT_MAX);
		else
			ect_notice(c->ctx, "user %s: no PIN given for token %s", c->user, safe);
		if (typed) {
			explicit_bzero(typed, strlen(typed));
			free(typed);
		}
		if (!job->pin) {
			job->pin_spent = true; /* asked once: never again in this login */
			return -ECANCELED;
		}
	}
	*pin = ect_secure_strndup(job->pin, ECT_SECRET_INPUT_MAX);
	return *pin ? 0 : -ENOMEM;
}

void pam_ect_token_tell(struct pam_ect_call *c, const struct pam_ect_job *job)
{
	unsigned int f = job->child_flags;

	if (f & PAM_ECT_FLAG_TOKEN_MISSING)
		pam_ect_tell(c, false, "The token that unlocks your encrypted data is not present.");
	if (f & PAM_ECT_FLAG_PIN_WRONG)
		pam_ect_tell(c, true, "The token refused the PIN (asked once: the token counts wrong "
			     "PINs and locks itself).");
	if (f & PAM_ECT_FLAG_PIN_LOCKED)
		pam_ect_tell(c, true, "The token's PIN is locked; unlock it with its SO PIN.");
	if (f & PAM_ECT_FLAG_TOKEN_ERROR)
		pam_ect_tell(c, true, "A token protector of your encrypted data could not be used "
			     "(see the system log).");
}
