// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The login-password check of ecryptfs-setup-private. ecryptfs-utils ran
 * /sbin/unix_chkpwd, which knows only /etc/shadow; a PAM conversation
 * checks whatever the system authenticates against (LDAP, SSSD, ...).
 * Service "ecryptfs-setup-private": without /etc/pam.d/ecryptfs-setup-private
 * libpam uses /etc/pam.d/other, which on Debian is common-auth.
 */
#include "cmd-private.h"

#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

#define ECT_PAM_SERVICE "ecryptfs-setup-private"

struct conv_data {
	const char *password;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct conv_data *d = data;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			/* libpam wipes and frees responses */
			r[i].resp = strdup(d->password);
			if (!r[i].resp)
				goto fail;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			fprintf(stderr, "%s\n", msg[i]->msg);
			break;
		default:
			/* nothing else (user names, OTP prompts) can be answered here */
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++) {
		if (r[i].resp) {
			ect_wipe(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
	return PAM_CONV_ERR;
}

int cli_private_check_login(struct ect_ctx *ctx, const char *user, const char *password)
{
	struct conv_data d = { password };
	struct pam_conv pc = { conv, &d };
	pam_handle_t *h = NULL;
	int r;

	r = pam_start(ECT_PAM_SERVICE, user, &pc, &h);
	if (r != PAM_SUCCESS) {
		ect_err(ctx, "cannot start PAM: %s", pam_strerror(h, r));
		return -1;
	}
	r = pam_authenticate(h, PAM_SILENT);
	if (r != PAM_SUCCESS)
		ect_err(ctx, "the login password of %s was not accepted (%s); use the right one, or "
			     "--nopwcheck to skip this check", user, pam_strerror(h, r));
	pam_end(h, r);
	return r == PAM_SUCCESS ? 0 : -1;
}
