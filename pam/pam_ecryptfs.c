// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_ecryptfs: unlock and mount an eCryptfs private directory at login.
 *
 *   auth      keep the login password (or the "Encryption passphrase") for
 *             the session; fast, never mounts, never counts (screen lockers).
 *   session   open: as the user, unwrap, add keys, run mount.ecryptfs_private.
 *             close: run umount.ecryptfs_private -d (last session unmounts).
 *   password  rewrap with the new password; mark a change made without the
 *             old one so the next login can explain the recovery.
 * Return codes are documented in pam_ecryptfs(8).
 */
#include "pam-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#define RECOVERY_HINT \
	"To unlock, run: ecryptfs-rewrap-passphrase --from-mount-passphrase " \
	"~/.ecryptfs/wrapped-passphrase (needs your " \
	"recovery passphrase), or ecryptfs-rewrap-passphrase with your previous password."

#define STR_(x) #x
#define STR(x) STR_(x)
#define KDF_COST_TOO_HIGH \
	"~/.ecryptfs/wrapped-passphrase asks for more memory or time than a login may spend " \
	"(see the system log). Rewrap it with the default cost: ecryptfs-rewrap-passphrase " \
	"--kdf-target-ms " STR(ECT_ARGON2_DEFAULT_MS) " ~/.ecryptfs/wrapped-passphrase"

#define BOOTSTRAP_NOT_WRAPPED \
	"the mount passphrase waiting in /dev/shm/.ecryptfs-%s was not wrapped with your " \
	"password (see the system log); the file is kept."

/* pam_set_data cleanup for the stashed password (ect_secure_strndup'ed). */
static void secret_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	ect_secure_free_str(data);
}

static void stash_free(pam_handle_t *pamh)
{
	/* Replacing the data runs the wiping cleanup on the old copy. */
	(void)pam_set_data(pamh, PAM_ECT_DATA_AUTHTOK, NULL, NULL);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_ect_call c;
	struct pam_ect_peek peek;
	const void *item = NULL;
	char *typed = NULL;
	char *copy;
	int ret;

	(void)flags;
	ret = pam_ect_call_begin(&c, pamh, argc, argv);
	if (ret != PAM_SUCCESS)
		goto out;
	ret = pam_ect_peek_home(&c, &peek);
	if (ret == -ENOENT || (ret == 0 && !peek.auto_mount)) {
		ect_debug(c.ctx, "user %s: no auto-mounted encrypted directory", c.user);
		ret = PAM_IGNORE;
		goto out;
	}
	if (ret)
		ect_debug(c.ctx, "user %s: ~/.ecryptfs: %s; keeping the password for the session",
			  c.user, ect_strerror(ret));
	if (ret == 0 && peek.wrapping_independent && peek.mounted) {
		/* 111's shortcut (LP #402748): a screen unlock must not ask again. */
		ect_debug(c.ctx, "user %s: already mounted; not asking for the passphrase", c.user);
		ret = PAM_IGNORE;
		goto out;
	}
	if (ret == 0 && peek.wrapping_independent) {
		ret = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &typed, "Encryption passphrase: ");
		if (ret != PAM_SUCCESS) {
			ect_warn(c.ctx, "user %s: no encryption passphrase: %s", c.user,
				 pam_strerror(pamh, ret));
			ret = ret == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_CONV_ERR;
			goto out;
		}
		item = typed;
	} else if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS) {
		item = NULL;
	}
	if (!item || !*(const char *)item) {
		ect_debug(c.ctx, "user %s: no password in this stack (key or token login?)", c.user);
		ret = PAM_IGNORE;
		goto out;
	}
	copy = ect_secure_strndup(item, ECT_SECRET_INPUT_MAX);
	if (!copy) {
		ret = PAM_BUF_ERR;
		goto out;
	}
	ret = pam_set_data(pamh, PAM_ECT_DATA_AUTHTOK, copy, secret_cleanup);
	if (ret != PAM_SUCCESS) {
		ect_secure_free_str(copy);
		goto out;
	}
	ect_debug(c.ctx, "user %s: password kept for the session", c.user);
	/* We authenticated no one: the stack's decision is left to the modules that did. */
	ret = PAM_IGNORE;
out:
	if (typed) {
		explicit_bzero(typed, strlen(typed));
		free(typed);
	}
	pam_ect_call_end(&c);
	return ret;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

/* Parent-side checks shared by the hooks that fork: is there anything to do? */
static int session_prepare(struct pam_ect_call *c, bool need_auto_mount, struct pam_ect_peek *peek)
{
	int ret = pam_ect_peek_home(c, peek);

	if (ret == -ENOENT || (ret == 0 && need_auto_mount && !peek->auto_mount)) {
		ect_debug(c->ctx, "user %s: no auto-mounted encrypted directory", c->user);
		return PAM_IGNORE;
	}
	if (ret) {
		ect_err(c->ctx, "user %s: cannot read ~/.ecryptfs: %s", c->user, ect_strerror(ret));
		pam_ect_tell(c, true, "Cannot read ~/.ecryptfs: %s; your encrypted data stays locked.",
			     ect_strerror(ret));
		return PAM_SESSION_ERR;
	}
	if (strcmp(c->opts.helper_dir, ECT_ROOTSBINDIR) &&
	    pam_ect_helper_dir_trusted(c->opts.helper_dir, sizeof(c->opts.helper_dir), c->pw.pw_uid)) {
		ect_err(c->ctx, "helper_dir=%s refused: it or a parent can be changed by a user other "
			"than root or %s", c->opts.helper_dir, c->user);
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

static void first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* Map the child's outcome for session open/close to a PAM code and a message. */
static int session_result(struct pam_ect_call *c, struct pam_ect_job *job, int r, bool open)
{
	const char *what = open ? "mount" : "unmount";

	switch (r) {
	case PAM_ECT_NOT_AUTOMOUNT:
		return PAM_IGNORE;
	case PAM_ECT_HELPER:
		if (job->helper_status == 0)
			return PAM_SUCCESS;
		first_line(job->output);
		ect_err(c->ctx, "user %s: %s helper failed (status %d): %s", c->user, what,
			job->helper_status, job->output[0] ? job->output : "no message");
		pam_ect_tell(c, true, "Your encrypted directory could not be %sed: %s", what,
			     job->output[0] ? job->output : "see the system log");
		return PAM_SESSION_ERR;
	case PAM_ECT_TOKEN_FAILED:
		ect_notice(c->ctx, "user %s: encrypted directory stays locked: no token protector "
			   "opened it", c->user);
		pam_ect_tell(c, true, "Your encrypted data stays locked: no token protector opened it.");
		return PAM_SESSION_ERR;
	case PAM_ECT_NO_PASSWORD:
		ect_notice(c->ctx, "user %s: encrypted directory stays locked: no password in this login",
			   c->user);
		pam_ect_tell(c, false, "Your encrypted directory is locked (this login gave no password). "
			     "Run ecryptfs-mount-private to unlock it.");
		return PAM_SESSION_ERR;
	case PAM_ECT_WRONG_PASSWORD:
		if (job->child_flags & PAM_ECT_FLAG_STALE)
			pam_ect_tell(c, true, "Your login password was changed without your old one, so it "
				     "no longer unlocks your encrypted data. " RECOVERY_HINT);
		else
			pam_ect_tell(c, true, "Your login password does not unlock your encrypted data "
				     "(~/.ecryptfs/wrapped-passphrase). " RECOVERY_HINT);
		return PAM_SESSION_ERR;
	case PAM_ECT_CORRUPT:
		pam_ect_tell(c, true, "Your encrypted data stays locked: a file in ~/.ecryptfs is damaged "
			     "(see the system log and ecryptfs-recover-private(1)).");
		return PAM_SESSION_ERR;
	case PAM_ECT_UNREADABLE:
		pam_ect_tell(c, true, "Your encrypted data stays locked: ~/.ecryptfs cannot be read "
			     "(see the system log).");
		return PAM_SESSION_ERR;
	case PAM_ECT_MEDIUM_ABSENT:
		first_line(job->output);
		pam_ect_tell(c, true, "Your encrypted data stays locked: the removable medium that "
			     "holds ~/.ecryptfs/wrapped-passphrase is not present (%s).",
			     job->output[0] ? job->output : "see the system log");
		return PAM_SESSION_ERR;
	case PAM_ECT_SIG_MISMATCH:
		pam_ect_tell(c, true, "Your encrypted data stays locked: the unwrapped passphrase does "
			     "not match ~/.ecryptfs/Private.sig.");
		return PAM_SESSION_ERR;
	case PAM_ECT_KEYRING:
		pam_ect_tell(c, true, "Your encrypted data stays locked: the kernel keyring refused the keys.");
		return PAM_SESSION_ERR;
	case PAM_ECT_KDF_COST:
		pam_ect_tell(c, true, "Your encrypted data stays locked: " KDF_COST_TOO_HIGH ".");
		return PAM_SESSION_ERR;
	case PAM_ECT_BOOTSTRAP_REFUSED:
	case PAM_ECT_WRITE_FAILED:
		pam_ect_tell(c, true, "Your encrypted data stays locked: " BOOTSTRAP_NOT_WRAPPED,
			     c->pw.pw_name);
		return PAM_SESSION_ERR;
	case PAM_ECT_EXEC_FAILED:
		ect_err(c->ctx, "user %s: cannot run the %s helper in %s", c->user, what,
			c->opts.helper_dir);
		pam_ect_tell(c, true, "Your encrypted directory could not be %sed (helper missing).", what);
		return PAM_SESSION_ERR;
	case PAM_ECT_PRIV:
		return PAM_SESSION_ERR;
	default:
		ect_err(c->ctx, "user %s: internal error %d", c->user, r);
		return PAM_SESSION_ERR;
	}
}

void pam_ect_job_init(struct pam_ect_call *c, struct pam_ect_job *job, pam_ect_child_fn fn)
{
	memset(job, 0, sizeof(*job));
	job->opts = &c->opts;
	job->pw = &c->pw;
	job->user = c->user;
	job->cfg_base = c->cfg_base;
	job->cfg_fd = c->cfg_fd;
	job->fn = fn;
}

/*
 * The systemd user manager (user@.service, PAM service "systemd-user") is
 * no login: it starts with the first session and outlives the last one by
 * UserStopDelaySec, and its PAM close runs where no helper can count it out.
 * Counting it kept homes mounted after the last logout (issue 12).
 */
static bool user_manager_session(pam_handle_t *pamh)
{
	const void *service = NULL;

	return pam_get_item(pamh, PAM_SERVICE, &service) == PAM_SUCCESS && service &&
	       strcmp(service, "systemd-user") == 0;
}

/* Remember every key any attempt added, so that a failed open takes them all back. */
static void keys_merge(struct pam_ect_keys *into, const struct pam_ect_keys *from)
{
	for (unsigned int i = 0; i < from->count; i++) {
		unsigned int j = 0;

		while (j < into->count && strcmp(into->sig[j], from->sig[i]))
			j++;
		if (j == into->count && into->count < 2)
			memcpy(into->sig[into->count++], from->sig[i], sizeof(from->sig[i]));
	}
}

/*
 * Run the open job. When the helper found a key missing, a session that
 * closed between our keyring check and the helper's lock dropped them (and
 * unmounted): unwrap again and rerun, a bounded number of times. Each retry
 * starts after that close released the lock, so it converges.
 */
int pam_ect_open_with_retry(struct pam_ect_call *c, struct pam_ect_job *job)
{
	struct pam_ect_keys added = { 0 };
	unsigned int flags = 0;
	int r;

	for (int attempt = 1;; attempt++) {
		r = pam_ect_run_child(c, job);
		keys_merge(&added, &job->added);
		/* "already mounted" speaks of the last attempt only */
		flags = (flags & ~PAM_ECT_FLAG_MOUNTED) | job->child_flags;
		if (r != PAM_ECT_HELPER || job->helper_status != PAM_ECT_HELPER_NO_KEY ||
		    attempt >= PAM_ECT_OPEN_ATTEMPTS)
			break;
		ect_debug(c->ctx, "user %s: the keys left the keyring before the mount helper ran "
			  "(another session closed); unwrapping again (attempt %d of %d)", c->user,
			  attempt + 1, PAM_ECT_OPEN_ATTEMPTS);
		job->unlock_always = true;
	}
	job->added = added;
	job->child_flags = flags;
	return r;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_ect_call c;
	struct pam_ect_peek peek;
	struct pam_ect_job job;
	const void *stash = NULL;
	const void *item = NULL;
	int ret, r;

	(void)flags;
	ret = pam_ect_call_begin(&c, pamh, argc, argv);
	if (ret != PAM_SUCCESS)
		goto out;
	if (user_manager_session(pamh)) {
		ect_debug(c.ctx, "user %s: the systemd user manager is not a login; not counted", c.user);
		ret = PAM_IGNORE;
		goto out;
	}
	ret = session_prepare(&c, true, &peek);
	if (ret != PAM_SUCCESS)
		goto out;
	pam_ect_job_init(&c, &job, pam_ect_job_open);
	if (pam_get_data(pamh, PAM_ECT_DATA_AUTHTOK, &stash) == PAM_SUCCESS && stash)
		job.password = stash;
	else if (pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item)
		job.password = item; /* configured for session only: same password, same process */
	ret = PAM_IGNORE;
	if (peek.private_auto_mount) {
		r = pam_ect_open_with_retry(&c, &job);
		pam_ect_token_tell(&c, &job);
		ret = session_result(&c, &job, r, true);
		ect_secure_free_str(job.pin);
		job.pin = NULL;
		if (ret != PAM_SUCCESS && !pam_ect_drop_added_keys(&c, &job.added))
			pam_ect_keep_for_close(&c, &job.added);
	}
	if (ret == PAM_SUCCESS) {
		(void)pam_set_data(pamh, PAM_ECT_DATA_COUNTED, (void *)"1", NULL);
		if (job.child_flags & PAM_ECT_FLAG_UPGRADE_FAILED)
			ect_warn(c.ctx, "user %s: wrapped passphrase left in its old format", c.user);
		ect_debug(c.ctx, "user %s: session counted%s", c.user,
			  job.child_flags & PAM_ECT_FLAG_MOUNTED ? " (already mounted)" : "");
	}
	/*
	 * Private's outcome is the hook's; an alias that does not open is
	 * skipped. When Private failed the open fails, and an application
	 * that sees that never closes the session: mount no alias then, or
	 * nothing would unmount it.
	 */
	if (ret != PAM_SUCCESS && ret != PAM_IGNORE)
		ect_info(c.ctx, "user %s: ~/Private failed, so no alias is mounted at this login",
			 c.user);
	else if (pam_ect_open_aliases(&c, &peek, job.password) > 0 && !peek.private_auto_mount)
		ret = PAM_SUCCESS;
	stash_free(pamh);
out:
	pam_ect_call_end(&c);
	return ret;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_ect_call c;
	struct pam_ect_peek peek;
	struct pam_ect_job job;
	const void *counted = NULL;
	const void *aliases = NULL;
	int ret;

	(void)flags;
	ret = pam_ect_call_begin(&c, pamh, argc, argv);
	if (ret != PAM_SUCCESS)
		goto out;
	/* Failed opens (Private's, an alias's) whose keys could not be taken back then. */
	pam_ect_drop_kept_keys(&c);
	/* Only a session this handle counted may uncount: no drift from locked logins. */
	if (pam_get_data(pamh, PAM_ECT_DATA_COUNTED, &counted) != PAM_SUCCESS)
		counted = NULL;
	if (pam_get_data(pamh, PAM_ECT_DATA_ALIASES, &aliases) != PAM_SUCCESS)
		aliases = NULL;
	if (!counted && !aliases) {
		ect_debug(c.ctx, "user %s: this session did not mount; nothing to undo", c.user);
		ret = PAM_IGNORE;
		goto out;
	}
	ret = session_prepare(&c, false, &peek);
	if (ret != PAM_SUCCESS)
		goto out;
	if (counted) {
		pam_ect_job_init(&c, &job, pam_ect_job_close);
		ret = session_result(&c, &job, pam_ect_run_child(&c, &job), false);
		if (ret == PAM_SUCCESS || ret == PAM_IGNORE)
			(void)pam_set_data(pamh, PAM_ECT_DATA_COUNTED, NULL, NULL);
	}
	if (aliases) {
		int r = pam_ect_close_aliases(&c, aliases);

		if (!counted)
			ret = r;
		(void)pam_set_data(pamh, PAM_ECT_DATA_ALIASES, NULL, NULL);
	}
out:
	pam_ect_call_end(&c);
	return ret;
}

static int chauthtok_update(struct pam_ect_call *c, const char *old_pw, const char *new_pw)
{
	struct pam_ect_job job;
	int r;

	pam_ect_job_init(c, &job, old_pw ? pam_ect_job_rewrap : pam_ect_job_mark_stale);
	job.password = new_pw;
	job.old_password = old_pw;
	r = pam_ect_run_child(c, &job);
	switch (r) {
	case PAM_ECT_OK:
		if (job.child_flags & PAM_ECT_FLAG_UPGRADED)
			ect_info(c->ctx, "user %s: wrapped passphrase now v3", c->user);
		return PAM_SUCCESS;
	case PAM_ECT_NOT_AUTOMOUNT:
		return PAM_IGNORE;
	case PAM_ECT_NO_OLD_PASSWORD:
		ect_warn(c->ctx, "user %s: password changed without the old one; "
			 "~/.ecryptfs/wrapped-passphrase keeps the old wrapping (marker left)", c->user);
		pam_ect_tell(c, true, "The encrypted data of %s is still locked with the old password. "
			     "At the next login it will not unlock; " RECOVERY_HINT, c->user);
		return PAM_AUTHTOK_RECOVERY_ERR;
	case PAM_ECT_WRONG_PASSWORD:
		pam_ect_tell(c, true, "The old password does not unlock the encrypted data of %s, so it "
			     "was not rewrapped. " RECOVERY_HINT, c->user);
		return PAM_AUTHTOK_RECOVERY_ERR;
	case PAM_ECT_KDF_COST:
		pam_ect_tell(c, true, "The encrypted data of %s was not rewrapped with the new password: "
			     KDF_COST_TOO_HIGH " (it asks for the old password, then the new one).",
			     c->user);
		return PAM_AUTHTOK_ERR;
	default:
		ect_err(c->ctx, "user %s: rewrapping failed (%d)", c->user, r);
		pam_ect_tell(c, true, "The encrypted data of %s could not be rewrapped with the new "
			     "password (see the system log). " RECOVERY_HINT, c->user);
		return PAM_AUTHTOK_ERR;
	}
}

/*
 * Token AND password records: rewrapped with the new password, which needs
 * the token (its PIN through the conversation) now. Without the token the
 * old records stay, and the user is told how they open from now on.
 */
static int chauthtok_tokens(struct pam_ect_call *c, const char *old_pw, const char *new_pw)
{
	struct pam_ect_job job;
	int r;

	pam_ect_job_init(c, &job, pam_ect_job_token_rewrap);
	job.password = new_pw;
	job.old_password = old_pw;
	r = pam_ect_run_child(c, &job);
	pam_ect_token_tell(c, &job);
	switch (r) {
	case PAM_ECT_OK:
		return PAM_SUCCESS;
	case PAM_ECT_NO_TOKEN:
		return PAM_IGNORE; /* token-alone records only: no password in them */
	case PAM_ECT_NO_OLD_PASSWORD:
		pam_ect_tell(c, true, "The token records of %s that need the password too were not "
			     "rewrapped (no old password given): they open with the old password "
			     "and the token until re-enrolled with ecryptfs-token.", c->user);
		return PAM_AUTHTOK_RECOVERY_ERR;
	case PAM_ECT_WRONG_PASSWORD:
		pam_ect_tell(c, true, "The old password does not open the token record of %s, so it "
			     "was not rewrapped.", c->user);
		return PAM_AUTHTOK_RECOVERY_ERR;
	case PAM_ECT_KDF_COST:
		pam_ect_tell(c, true, "The token record of %s was not rewrapped: " KDF_COST_TOO_HIGH
			     ".", c->user);
		return PAM_AUTHTOK_ERR;
	default:
		ect_err(c->ctx, "user %s: token records not rewrapped (%d)", c->user, r);
		pam_ect_tell(c, true, "The token records of %s that need the password too were not "
			     "rewrapped: they still open with the old password and the token, until "
			     "re-enrolled with ecryptfs-token.", c->user);
		return PAM_AUTHTOK_ERR;
	}
}

/* The first password of a -b home made without one wraps the waiting passphrase (as 111). */
static int chauthtok_bootstrap(struct pam_ect_call *c, const char *new_pw)
{
	struct pam_ect_job job;
	int r;

	pam_ect_job_init(c, &job, pam_ect_job_bootstrap);
	job.password = new_pw;
	r = pam_ect_run_child(c, &job);
	switch (r) {
	case PAM_ECT_OK:
		return PAM_SUCCESS;
	case PAM_ECT_NO_BOOTSTRAP:
	case PAM_ECT_NOT_AUTOMOUNT:
		return PAM_IGNORE;
	case PAM_ECT_BOOTSTRAP_REFUSED:
	case PAM_ECT_WRITE_FAILED:
		pam_ect_tell(c, true, "The encrypted data of %s is not locked with the new password: "
			     BOOTSTRAP_NOT_WRAPPED, c->user, c->pw.pw_name);
		return PAM_AUTHTOK_ERR;
	default:
		ect_err(c->ctx, "user %s: wrapping the bootstrap passphrase failed (%d)", c->user, r);
		return PAM_AUTHTOK_ERR;
	}
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_ect_call c;
	struct pam_ect_peek peek;
	const void *old_pw = NULL, *new_pw = NULL;
	bool bootstrap;
	int ret;

	ret = pam_ect_call_begin(&c, pamh, argc, argv);
	if (ret != PAM_SUCCESS)
		goto out;
	/* a whole home, mounted without 111's links inside, is still rewrapped */
	c.home_tree_fallback = true;
	ret = pam_ect_peek_home(&c, &peek);
	if (ret == -ENOENT || (ret == 0 && !peek.wrapped_passphrase && !peek.token_records &&
			       !peek.bootstrap && !peek.n_protected)) {
		ret = PAM_IGNORE;
		goto out;
	}
	if (ret) {
		ect_err(c.ctx, "user %s: cannot read ~/.ecryptfs: %s", c.user, ect_strerror(ret));
		ret = PAM_AUTHTOK_ERR;
		goto out;
	}
	if (peek.wrapping_independent) {
		/* The wrapping passphrase is not the login password: nothing to rewrap. */
		ret = PAM_IGNORE;
		goto out;
	}
	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &old_pw) != PAM_SUCCESS || (old_pw && !*(const char *)old_pw))
		old_pw = NULL;
	/* nothing wrapped yet: the new password wraps the waiting one, no old one needed */
	bootstrap = !peek.wrapped_passphrase && !peek.token_records;
	if (flags & PAM_PRELIM_CHECK) {
		/*
		 * 111's answer: without the old password we cannot rewrap. Optional
		 * stacks go on. Token records only: the update step tells (token-alone
		 * records hold no password).
		 */
		ret = old_pw || bootstrap || !peek.wrapped_passphrase ? PAM_SUCCESS
								      : PAM_AUTHTOK_RECOVERY_ERR;
		goto out;
	}
	if (!(flags & PAM_UPDATE_AUTHTOK)) {
		ret = PAM_IGNORE;
		goto out;
	}
	if (pam_get_item(pamh, PAM_AUTHTOK, &new_pw) != PAM_SUCCESS || !new_pw || !*(const char *)new_pw) {
		ect_err(c.ctx, "user %s: no new password to rewrap with", c.user);
		ret = PAM_AUTHTOK_ERR;
		goto out;
	}
	if (bootstrap)
		ret = chauthtok_bootstrap(&c, new_pw);
	else if (peek.wrapped_passphrase)
		ret = chauthtok_update(&c, old_pw, new_pw);
	else
		ret = PAM_IGNORE;
	/* the token OR the password: only wrapped-passphrase holds the password */
	if (peek.token_records && (ret == PAM_SUCCESS || ret == PAM_IGNORE)) {
		int r = chauthtok_tokens(&c, old_pw, new_pw);

		if (r != PAM_IGNORE)
			ret = r;
	}
	/* then the aliases, once Private's part went through (review finding L4) */
	if (peek.n_protected && (ret == PAM_SUCCESS || ret == PAM_IGNORE)) {
		int r = pam_ect_chauthtok_aliases(&c, &peek, old_pw, new_pw);

		if (ret == PAM_IGNORE)
			ret = r;
	}
out:
	pam_ect_call_end(&c);
	return ret;
}
