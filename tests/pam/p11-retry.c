// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A test-only PKCS#11 module (built for make check, never installed): it
 * loads SoftHSM2's module and forwards every call to it, but keeps the
 * user PIN retry counter a real token keeps in firmware and SoftHSM2 does
 * not (it never locks). After ECT_P11_RETRY_MAX wrong C_Login calls in a
 * row, C_Login returns CKR_PIN_LOCKED without asking SoftHSM2, and
 * C_GetTokenInfo reports CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY and
 * CKF_USER_PIN_LOCKED as such a token does. A good PIN resets the counter.
 *
 * The counter lives in "p11-retry.state" next to $SOFTHSM2_CONF (the one
 * variable the PAM module's child keeps), one line "left N logins M max K",
 * so it survives from one process to the next like the token's own;
 * "logins" counts every C_Login that reached the module, for the tests to
 * see that each login attempt makes exactly one.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkcs11.h>

#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
#define EXPORT __attribute__((visibility("default")))

struct retry_state {
	long left, logins, max;
};

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST mine;

static void state_path(char *buf, size_t size)
{
	const char *conf = getenv("SOFTHSM2_CONF");
	const char *slash = conf ? strrchr(conf, '/') : NULL;

	if (!slash)
		snprintf(buf, size, "p11-retry.state");
	else
		snprintf(buf, size, "%.*s/p11-retry.state", (int)(slash - conf), conf);
}

/* No state file: a fresh token with 3 tries. */
static void state_load(struct retry_state *s)
{
	char path[4096];
	FILE *f;

	*s = (struct retry_state){ 3, 0, 3 };
	state_path(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "left %ld logins %ld max %ld", &s->left, &s->logins, &s->max) != 3)
		*s = (struct retry_state){ 3, 0, 3 };
	fclose(f);
}

static void state_save(const struct retry_state *s)
{
	char path[4096];
	FILE *f;

	state_path(path, sizeof(path));
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "left %ld logins %ld max %ld\n", s->left, s->logins, s->max);
	fclose(f);
}

static CK_RV retry_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	struct retry_state s;
	CK_RV rv = real->C_GetTokenInfo(slot, info);

	if (rv != CKR_OK)
		return rv;
	state_load(&s);
	info->flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	if (s.left <= 0)
		info->flags |= CKF_USER_PIN_LOCKED;
	else if (s.left == 1)
		info->flags |= CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
	else if (s.left < s.max)
		info->flags |= CKF_USER_PIN_COUNT_LOW;
	return CKR_OK;
}

static CK_RV retry_Login(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin,
			 CK_ULONG len)
{
	struct retry_state s;
	CK_RV rv;

	if (type != CKU_USER)
		return real->C_Login(h, type, pin, len);
	state_load(&s);
	s.logins++;
	if (s.left <= 0) {
		rv = CKR_PIN_LOCKED;
	} else {
		rv = real->C_Login(h, type, pin, len);
		if (rv == CKR_PIN_INCORRECT)
			s.left--;
		else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
			s.left = s.max;
	}
	state_save(&s);
	return rv;
}

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out);

EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	void *lib;

	if (!out)
		return CKR_ARGUMENTS_BAD;
	if (!real) {
		lib = dlopen(SOFTHSM, RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			return CKR_GENERAL_ERROR;
		*(void **)&get = dlsym(lib, "C_GetFunctionList");
		if (!get || get(&real) != CKR_OK || !real)
			return CKR_GENERAL_ERROR;
		mine = *real;
		mine.C_GetFunctionList = C_GetFunctionList;
		mine.C_GetTokenInfo = retry_GetTokenInfo;
		mine.C_Login = retry_Login;
	}
	*out = &mine;
	return CKR_OK;
}
