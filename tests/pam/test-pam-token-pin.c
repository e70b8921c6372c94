// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token protectors at login (issue 16), continued from test-pam-token.c:
 * an EC key (ECDH records) in each policy, and the token's PIN retry
 * counter through p11-retry.so (SoftHSM2 with the counter a real token
 * keeps in firmware): one C_Login per attempt, the count-low and final-try
 * warnings told before the prompt, a locked token never sent a PIN, the
 * token OR the password falling back, the token AND the password refusing
 * with the record unchanged. Run by run-pam-token.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpamtest.h>
#include <security/pam_appl.h>

#include "ecryptfs-tools.h"
#include "pam-test-util.h"
#include "pam-token-util.h"

/* ---- an EC key: ECDH records ------------------------------------------------ */

static void ec_alone_policy_opens_with_the_pin(void **state)
{
	(void)state;
	enrol_uri("alice", TOKEN_URI_EC, ECT_TOKEN_ALONE, NULL);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

static void ec_and_policy_needs_both(void **state)
{
	(void)state;
	enrol_uri("alice", TOKEN_URI_EC, ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", NULL, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

static void ec_or_policy_missing_token_falls_back_to_the_password(void **state)
{
	struct conv_out out;

	(void)state;
	enrol_uri("alice", TOKEN_URI_EC, ECT_TOKEN_ALONE, NULL);
	pull_token();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, NULL, PAM_SUCCESS);
	assert_true(told(&out, "not present"));
	mounted_with_keys();
}

/* chauthtok: an ECDH token AND password record rewrapped through the token. */
static void ec_and_policy_chauthtok_rewraps_with_the_token(void **state)
{
	(void)state;
	enrol_uri("alice", TOKEN_URI_EC, ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", NULL, pin_ok, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	unsetenv("PAM_OLDAUTHTOK");
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* ---- the token's PIN retry counter (p11-retry.so) ------------------------ */

#ifdef P11_RETRY_MODULE
#define TOKEN_URI_RETRY "pkcs11:token=" TOKEN_LABEL ";id=%01?module-path=" P11_RETRY_MODULE

/* The counter p11-retry.so keeps next to SOFTHSM2_CONF: left tries of 3, logins made. */
static void retry_set(long left)
{
	char path[700], text[64];

	path_of(path, sizeof(path), "hsm/p11-retry.state");
	snprintf(text, sizeof(text), "left %ld logins 0 max 3\n", left);
	xwrite(path, text, 0600);
	run("chown %u '%s'", (unsigned)test_uid, path);
}

static void retry_get(long *left, long *logins)
{
	char path[700];
	long max;
	FILE *f;

	path_of(path, sizeof(path), "hsm/p11-retry.state");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "left %ld logins %ld max %ld", left, logins, &max), 3);
	fclose(f);
}

static void retry_expect(long left, long logins)
{
	long l, n;

	retry_get(&l, &n);
	assert_int_equal(l, left);
	assert_int_equal(n, logins);
}

static int retry_setup(void **state)
{
	if (access(P11_RETRY_MODULE, R_OK)) {
		print_message("p11-retry.so not built: %s\n", P11_RETRY_MODULE);
		skip();
	}
	retry_set(3);
	return setup(state);
}

static int retry_teardown(void **state)
{
	char path[700];

	(void)unlink(path_of(path, sizeof(path), "hsm/p11-retry.state"));
	return teardown(state);
}

/*
 * The token alone: each login attempt makes exactly one C_Login, whatever
 * PINs the user would type; the user hears what the token's counter says
 * before the prompt; the third wrong PIN locks it; then not even the right
 * PIN is asked for or sent.
 */
static void retry_counter_wrong_pins_lock_the_token(void **state)
{
	struct conv_out out;

	(void)state;
	enrol_uri("alice", TOKEN_URI_RETRY, ECT_TOKEN_ALONE, NULL);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	login("ect", &out, pin_wrong_then_right, PAM_SESSION_ERR);
	retry_expect(2, 1);
	assert_true(told(&out, "refused the PIN"));
	assert_false(told(&out, "wrong PIN was given"));
	login("ect", &out, pin_wrong_then_right, PAM_SESSION_ERR);
	retry_expect(1, 2);
	assert_true(told(&out, "a wrong PIN was given since its last use"));
	login("ect", &out, pin_wrong_then_right, PAM_SESSION_ERR);
	retry_expect(0, 3);
	assert_true(told(&out, "one more wrong PIN locks it"));
	assert_true(told(&out, "PIN is locked"));
	stayed_locked();
	login("ect", &out, pin_ok, PAM_SESSION_ERR);
	retry_expect(0, 3);
	assert_true(told(&out, "PIN is locked"));
	stayed_locked();
}

/* A good PIN on the final try opens, and the token's counter starts again. */
static void retry_counter_final_try_right_pin_opens(void **state)
{
	struct conv_out out;

	(void)state;
	enrol_uri("alice", TOKEN_URI_RETRY, ECT_TOKEN_ALONE, NULL);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	retry_set(1);
	login("ect", &out, pin_ok, PAM_SUCCESS);
	assert_true(told(&out, "one more wrong PIN locks it"));
	retry_expect(3, 1);
	mounted_with_keys();
}

/* The token OR the password: a locked token is told, and the password opens. */
static void retry_counter_locked_or_falls_back_to_the_password(void **state)
{
	struct conv_out out;

	(void)state;
	enrol_uri("alice", TOKEN_URI_RETRY, ECT_TOKEN_ALONE, NULL);
	retry_set(0);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, pin_ok, PAM_SUCCESS);
	assert_true(told(&out, "PIN is locked"));
	retry_expect(0, 0);
	mounted_with_keys();
}

/* The token AND the password: refused, the record as it was, opening once unlocked. */
static void retry_counter_locked_and_refuses_losing_nothing(void **state)
{
	static char before[8192], after[8192];
	struct conv_out out;
	size_t n_before, n_after;

	(void)state;
	enrol_uri("alice", TOKEN_URI_RETRY, ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	token_file(before, sizeof(before), &n_before);
	retry_set(0);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, pin_ok, PAM_SESSION_ERR);
	assert_true(told(&out, "PIN is locked"));
	retry_expect(0, 0);
	stayed_locked();
	token_file(after, sizeof(after), &n_after);
	assert_int_equal(n_before, n_after);
	assert_memory_equal(before, after, n_before);
	retry_set(3); /* the SO unlocked it */
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(ec_alone_policy_opens_with_the_pin),
		T(ec_and_policy_needs_both),
		T(ec_or_policy_missing_token_falls_back_to_the_password),
		T(ec_and_policy_chauthtok_rewraps_with_the_token),
#undef T
#ifdef P11_RETRY_MODULE
#define R(f) cmocka_unit_test_setup_teardown(f, retry_setup, retry_teardown)
		R(retry_counter_wrong_pins_lock_the_token),
		R(retry_counter_final_try_right_pin_opens),
		R(retry_counter_locked_or_falls_back_to_the_password),
		R(retry_counter_locked_and_refuses_losing_nothing),
#undef R
#endif
	};
	int ret = pam_test_init();

	if (ret)
		return ret;
	make_token();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
