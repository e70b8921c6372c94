// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Private directories other than Private (aliases, issue 16). Each alias
 * has its own key and protectors (ALIAS.wrapped-passphrase, its token
 * records) and declares with ALIAS.auto-mount that a login mounts it; the
 * others are mounted by hand (mount.ecryptfs_private ALIAS). A login opens
 * every marked alias it can: the password ones with the login password,
 * the token ones through the PIN path of pam-token.c. One it cannot open
 * is skipped with one log line, never a failed login; the last logout
 * unmounts, through the helper's session count per alias, what a login
 * mounted, and the helper then unlinks that alias's keys.
 */
#include "pam-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_modules.h>

/* Why an alias stayed locked, in a few words; NULL when it was mounted or counted. */
static const char *why_not(struct pam_ect_job *job, int r)
{
	unsigned int f = job->child_flags;

	switch (r) {
	case PAM_ECT_HELPER:
		if (job->helper_status == 0)
			return NULL;
		job->output[strcspn(job->output, "\n")] = '\0';
		return job->output[0] ? job->output : "the mount helper failed";
	case PAM_ECT_TOKEN_FAILED:
		if (f & PAM_ECT_FLAG_TOKEN_MISSING)
			return "its token is not present";
		if (f & (PAM_ECT_FLAG_PIN_WRONG | PAM_ECT_FLAG_PIN_LOCKED))
			return "the token refused the PIN";
		return "no token protector opened it";
	case PAM_ECT_NO_PASSWORD:
		return "this login gave no password";
	case PAM_ECT_WRONG_PASSWORD:
		return "the login password does not open it";
	case PAM_ECT_CORRUPT:
		return "one of its files in ~/.ecryptfs is damaged";
	case PAM_ECT_UNREADABLE:
		return "its files in ~/.ecryptfs cannot be read";
	case PAM_ECT_SIG_MISMATCH:
		return "the unwrapped passphrase does not match ALIAS.sig";
	case PAM_ECT_KEYRING:
		return "the kernel keyring refused the keys";
	case PAM_ECT_KDF_COST:
		return "its wrapped passphrase asks for more than a login may spend";
	case PAM_ECT_EXEC_FAILED:
		return "the mount helper could not be run";
	case PAM_ECT_NOT_AUTOMOUNT:
		return "it is not marked for login";
	case PAM_ECT_BAD_FLAG:
		snprintf(job->output, sizeof(job->output), "~/.ecryptfs/%s.%s is refused (a symbolic "
			 "link, not a regular file, or not yours)", job->alias,
			 ECT_ALIAS_AUTO_MOUNT_EXT);
		return job->output;
	case PAM_ECT_MEDIUM_ABSENT:
		job->output[strcspn(job->output, "\n")] = '\0';
		return job->output[0] ? job->output
				      : "the removable medium of its wrapped passphrase is not present";
	default:
		return "internal error";
	}
}

static void list_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

/* Mount one alias; true when this session is counted in. */
static bool open_alias(struct pam_ect_call *c, const char *alias, const char *password)
{
	struct pam_ect_job job;
	const char *why;
	int r;

	pam_ect_job_init(c, &job, pam_ect_job_open);
	job.alias = alias;
	job.password = password;
	r = pam_ect_open_with_retry(c, &job);
	ect_secure_free_str(job.pin);
	job.pin = NULL;
	why = why_not(&job, r);
	if (!why) {
		ect_debug(c->ctx, "user %s: alias %s counted%s", c->user, alias,
			  job.child_flags & PAM_ECT_FLAG_MOUNTED ? " (already mounted)" : "");
		return true;
	}
	ect_notice(c->ctx, "user %s: alias %s not mounted at login (skipped): %s", c->user, alias,
		   why);
	pam_ect_tell(c, false, "%s stays locked: %s (mount it by hand).", alias, why);
	if (!pam_ect_drop_added_keys(c, &job.added))
		pam_ect_keep_for_close(c, &job.added); /* retried at close (review finding L3) */
	return false;
}

unsigned int pam_ect_open_aliases(struct pam_ect_call *c, const struct pam_ect_peek *peek,
				  const char *password)
{
	char *list = calloc(peek->n_aliases, ECT_ALIAS_MAX + 2);
	size_t used = 0;
	unsigned int n = 0;

	if (!list && peek->n_aliases) {
		ect_err(c->ctx, "user %s: out of memory; no alias mounted", c->user);
		return 0;
	}
	if (peek->n_marked > peek->n_aliases)
		ect_warn(c->ctx, "user %s: %zu aliases are marked for login; only the first %zu in "
			 "byte order (%s to %s) are mounted", c->user, peek->n_marked,
			 peek->n_aliases, peek->aliases[0], peek->aliases[peek->n_aliases - 1]);
	for (size_t i = 0; i < peek->n_aliases; i++) {
		size_t len = strlen(peek->aliases[i]);

		if (!open_alias(c, peek->aliases[i], password))
			continue;
		memcpy(list + used, peek->aliases[i], len);
		used += len;
		list[used++] = '\n';
		n++;
	}
	if (!n || pam_set_data(c->pamh, PAM_ECT_DATA_ALIASES, list, list_cleanup) != PAM_SUCCESS)
		free(list);
	return n;
}

int pam_ect_close_aliases(struct pam_ect_call *c, const char *list)
{
	char alias[ECT_ALIAS_MAX + 1];
	int ret = PAM_SUCCESS;

	for (const char *p = list, *nl; *p; p = nl + 1) {
		struct pam_ect_job job;
		size_t len;
		int r;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		len = (size_t)(nl - p);
		if (!len || len > ECT_ALIAS_MAX)
			continue;
		memcpy(alias, p, len);
		alias[len] = '\0';
		pam_ect_job_init(c, &job, pam_ect_job_close);
		job.alias = alias;
		r = pam_ect_run_child(c, &job);
		if (r == PAM_ECT_HELPER && job.helper_status == 0)
			continue;
		ect_err(c->ctx, "user %s: alias %s not unmounted at logout: %s", c->user, alias,
			why_not(&job, r));
		ret = PAM_SESSION_ERR;
	}
	return ret;
}

/* One alias's wrapped passphrase, old -> new; true when rewrapped. */
static bool rewrap_alias(struct pam_ect_call *c, const char *alias, const char *old_pw,
			 const char *new_pw)
{
	struct pam_ect_job job;
	const char *why;
	int r;

	pam_ect_job_init(c, &job, pam_ect_job_rewrap);
	job.alias = alias;
	job.password = new_pw;
	job.old_password = old_pw;
	r = pam_ect_run_child(c, &job);
	if (r == PAM_ECT_OK)
		return true;
	if (r == PAM_ECT_NOT_AUTOMOUNT)
		return false; /* no ALIAS.wrapped-passphrase after all */
	if (r == PAM_ECT_WRONG_PASSWORD) {
		ect_info(c->ctx, "user %s: alias %s does not open with the old password (its own "
			 "passphrase?); left as it is", c->user, alias);
		return false;
	}
	why = r == PAM_ECT_WRITE_FAILED ? "it could not be written" : why_not(&job, r);
	ect_warn(c->ctx, "user %s: alias %s not rewrapped with the new password: %s", c->user, alias,
		 why);
	pam_ect_tell(c, true, "%s was not rewrapped with the new password: %s. It still opens with "
		     "the old one (ecryptfs-rewrap-passphrase ~/.ecryptfs/%s.%s).", alias, why, alias,
		     ECT_WRAPPED_PASSPHRASE_FILE);
	return false;
}

/* One alias's token AND password records, old -> new (the token needed now). */
static bool rewrap_alias_tokens(struct pam_ect_call *c, const char *alias, const char *old_pw,
				const char *new_pw)
{
	struct pam_ect_job job;
	int r;

	pam_ect_job_init(c, &job, pam_ect_job_token_rewrap);
	job.alias = alias;
	job.password = new_pw;
	job.old_password = old_pw;
	r = pam_ect_run_child(c, &job);
	pam_ect_token_tell(c, &job);
	ect_secure_free_str(job.pin);
	if (r == PAM_ECT_OK)
		return true;
	if (r == PAM_ECT_NO_TOKEN || r == PAM_ECT_WRONG_PASSWORD)
		return false; /* token-alone records, or not the login password's */
	ect_warn(c->ctx, "user %s: the token records of alias %s were not rewrapped (%d)", c->user,
		 alias, r);
	pam_ect_tell(c, true, "The token records of %s that need the password too were not "
		     "rewrapped: they open with the old password and the token until re-enrolled "
		     "with ecryptfs-token --alias %s.", alias, alias);
	return false;
}

int pam_ect_chauthtok_aliases(struct pam_ect_call *c, const struct pam_ect_peek *peek,
			      const char *old_pw, const char *new_pw)
{
	unsigned int done = 0;

	if (!old_pw) {
		for (size_t i = 0; i < peek->n_protected; i++) {
			if (!(peek->protected_by[i] & PAM_ECT_BY_PASSWORD))
				continue;
			ect_warn(c->ctx, "user %s: password changed without the old one; alias %s "
				 "keeps the old wrapping", c->user, peek->protected[i]);
			pam_ect_tell(c, true, "%s is still locked with the old password (no old "
				     "password was given to rewrap it).", peek->protected[i]);
		}
		return PAM_IGNORE;
	}
	if (peek->n_protected_all > peek->n_protected)
		ect_warn(c->ctx, "user %s: %zu aliases have protectors; only the first %zu in byte "
			 "order are rewrapped (up to %s)", c->user, peek->n_protected_all,
			 peek->n_protected, peek->protected[peek->n_protected - 1]);
	for (size_t i = 0; i < peek->n_protected; i++) {
		const char *alias = peek->protected[i];

		if ((peek->protected_by[i] & PAM_ECT_BY_PASSWORD) &&
		    rewrap_alias(c, alias, old_pw, new_pw))
			done++;
		if ((peek->protected_by[i] & PAM_ECT_BY_TOKEN) &&
		    rewrap_alias_tokens(c, alias, old_pw, new_pw))
			done++;
	}
	return done ? PAM_SUCCESS : PAM_IGNORE;
}
