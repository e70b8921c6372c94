// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token protectors at login (issue 16): pam_ecryptfs.so under pam_wrapper
 * against a real SoftHSM2 token (user PIN 1234, an RSA key with id 01) in
 * the test directory. Every policy: the token OR the password (a record
 * next to wrapped-passphrase), the token alone, the token AND the password;
 * a missing token (its SoftHSM2 token directory moved away); a wrong PIN,
 * asked once and never again; the PIN taken from the login password
 * (token_pin=password); removed protectors; chauthtok of every policy
 * (an AND record rewrapped with the token, kept when it is absent). EC
 * keys and the PIN retry counter: test-pam-token-pin.c. Run by
 * run-pam-token.sh.
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


/* ---- the token OR the password ------------------------------------------- */

static void or_policy_the_token_opens_with_the_pin(void **state)
{
	(void)state;
	token_record(false);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

static void or_policy_missing_token_falls_back_to_the_password(void **state)
{
	struct conv_out out;

	(void)state;
	token_record(false);
	pull_token();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, NULL, PAM_SUCCESS);
	assert_non_null(strstr(out.info[0], "not present"));
	mounted_with_keys();
}

static void or_policy_wrong_pin_falls_back_to_the_password(void **state)
{
	struct conv_out out;

	(void)state;
	token_record(false);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, pin_wrong_then_right, PAM_SUCCESS);
	assert_non_null(strstr(out.err[0], "refused the PIN"));
	mounted_with_keys();
}

/* ---- the token alone ------------------------------------------------------ */

static void alone_policy_opens_without_a_password(void **state)
{
	(void)state;
	token_record(true);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

static void alone_policy_missing_token_stays_locked(void **state)
{
	struct conv_out out;

	(void)state;
	token_record(true);
	pull_token();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", &out, pin_ok, PAM_SESSION_ERR);
	assert_non_null(strstr(out.info[0], "not present"));
	assert_non_null(strstr(out.err[0], "stays locked"));
	stayed_locked();
}

/* A wrong PIN is reported, never retried: the second PIN offered is not asked for. */
static void wrong_pin_is_asked_once(void **state)
{
	struct conv_out out;

	(void)state;
	token_record(true);
	login("ect", &out, pin_wrong_then_right, PAM_SESSION_ERR);
	assert_non_null(strstr(out.err[0], "refused the PIN"));
	stayed_locked();
}

static void pin_from_the_login_password(void **state)
{
	(void)state;
	token_record(true);
	setenv("PAM_AUTHTOK", "1234", 1);
	login("ect_tokpw", NULL, NULL, PAM_SUCCESS);
	mounted_with_keys();
}

/* ---- the token AND the password ------------------------------------------ */

static void and_policy_needs_both(void **state)
{
	struct conv_out out;

	(void)state;
	enrol("alice", ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", &out, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	unsetenv("PAM_AUTHTOK");
	login("ect", &out, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* ---- removed protectors -------------------------------------------------- */

static void removed_token_record_no_longer_opens(void **state)
{
	(void)state;
	token_record(false);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
	log_out();
	remove_protector("alice", 0);
	login("ect", NULL, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, NULL, PAM_SUCCESS);
	mounted_with_keys();
}

static void removed_password_protector_no_longer_opens(void **state)
{
	(void)state;
	token_record(true);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
	log_out();
	pull_token();
	login("ect", NULL, NULL, PAM_SESSION_ERR);
	stayed_locked();
}

/* ---- chauthtok -------------------------------------------------------------- */

static void change_password(const char **pins, struct conv_out *out, int rv)
{
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", out, pins, pam_test(PAMTEST_CHAUTHTOK, rv));
	unsetenv("PAM_OLDAUTHTOK");
}

/* The token and the new password open the record; the old password no longer does. */
static void and_policy_chauthtok_rewraps_with_the_token(void **state)
{
	(void)state;
	enrol("alice", ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	change_password(pin_ok, NULL, PAM_SUCCESS);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SESSION_ERR);
	stayed_locked();
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* Without the token: a clear refusal, the record byte for byte as it was, still opening. */
static void and_policy_chauthtok_without_the_token_keeps_the_record(void **state)
{
	static char before[8192], after[8192];
	struct conv_out out;
	size_t n_before, n_after;

	(void)state;
	enrol("alice", ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	token_file(before, sizeof(before), &n_before);
	pull_token();
	change_password(pin_ok, &out, PAM_AUTHTOK_ERR);
	assert_non_null(strstr(out.info[0], "not present"));
	assert_non_null(strstr(out.err[0], "were not rewrapped"));
	token_file(after, sizeof(after), &n_after);
	assert_int_equal(n_before, n_after);
	assert_memory_equal(before, after, n_before);
	plug_token();
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* A wrong PIN at chauthtok: refused once, the old record kept. */
static void and_policy_chauthtok_wrong_pin_keeps_the_record(void **state)
{
	struct conv_out out;

	(void)state;
	enrol("alice", ECT_TOKEN_AND_PASSWORD, PW);
	remove_protector("alice", ECT_TOKEN_PASSWORD);
	change_password(pin_wrong_then_right, &out, PAM_AUTHTOK_ERR);
	assert_non_null(strstr(out.err[0], "refused the PIN"));
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* The token OR the password: wrapped-passphrase rewrapped, no PIN asked, the record untouched. */
static void or_policy_chauthtok_leaves_the_token_record(void **state)
{
	static char before[8192], after[8192];
	size_t n_before, n_after;

	(void)state;
	token_record(false);
	token_file(before, sizeof(before), &n_before);
	change_password(NULL, NULL, PAM_SUCCESS);
	token_file(after, sizeof(after), &n_after);
	assert_int_equal(n_before, n_after);
	assert_memory_equal(before, after, n_before);
	assert_int_equal(unwraps_with("alice", NEW_PW), 0);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", NULL, pin_ok, PAM_SUCCESS);
	mounted_with_keys();
}

/* ---- aliases: several private directories, each its own key (issue 16) ---- */

#define WORK_PASSPHRASE "work passphrase 0123456789abcdef"
static char work_fekek[ECT_SIG_HEX_SIZE + 1];

/*
 * alice's ~/Work: Work.conf, Work.sig of its own key, Work.auto-mount when
 * at_login; protected by the login password PW (Work.wrapped-passphrase)
 * and/or a token-alone record (Work.wrapped-passphrase.token).
 */
static void make_alias(bool at_login, bool password, bool token)
{
	struct ect_argon2_params floor;
	uint8_t key[ECT_KEY_SIZE];
	char d[700], f[800], text[2048];
	struct ect_user_dirs dirs;
	size_t index;
	int fd;

	assert_int_equal(ect_derive_key(WORK_PASSPHRASE, strlen(WORK_PASSPHRASE), ect_default_salt,
					key), 0);
	assert_int_equal(ect_key_signature(key, work_fekek), 0);
	path_of(d, sizeof(d), "home/alice");
	run("mkdir -p '%s/.Work' '%s/Work'", d, d);
	snprintf(text, sizeof(text), "%s/.Work %s/Work ecryptfs\n", d, d);
	snprintf(f, sizeof(f), "%s/.ecryptfs/Work.conf", d);
	xwrite(f, text, 0600);
	snprintf(text, sizeof(text), "%s\n", work_fekek);
	snprintf(f, sizeof(f), "%s/.ecryptfs/Work.sig", d);
	xwrite(f, text, 0600);
	if (at_login) {
		snprintf(f, sizeof(f), "%s/.ecryptfs/Work.auto-mount", d);
		xwrite(f, "", 0600);
	}
	ect_argon2_params_floor(&floor);
	if (password) {
		snprintf(f, sizeof(f), "%s/.ecryptfs/Work.wrapped-passphrase", d);
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, WORK_PASSPHRASE,
					       strlen(WORK_PASSPHRASE), PW, strlen(PW), &floor,
					       (uid_t)-1, (gid_t)-1), 0);
	}
	run("chown -R %u:%u '%s'", (unsigned)test_uid, (unsigned)test_gid, d);
	if (!token)
		return;
	fd = open_dirs("alice", &dirs);
	dirs.alias = "Work";
	assert_int_equal(ect_token_enrol_user(&dirs, TOKEN_URI, ECT_TOKEN_ALONE, WORK_PASSPHRASE,
					      strlen(WORK_PASSPHRASE), NULL, 0, &floor, &index), 0);
	close(fd);
}

static int give_pin(void *arg, const char *label, unsigned int flags, char **pin, size_t *len)
{
	(void)arg;
	(void)label;
	(void)flags;
	*pin = ect_secure_strndup("1234", 4);
	*len = 4;
	return *pin ? 0 : -ENOMEM;
}

static bool helper_ran(const char *call)
{
	char *log = helper_log();

	return strstr(log, call) != NULL;
}

/* ~/Private with the login password at login; ~/Work (a token) by hand only. */
static void alias_by_hand_is_left_alone_at_login(void **state)
{
	struct ect_user_dirs dirs;
	char *pp = NULL;
	size_t len = 0;
	int fd;

	(void)state;
	make_alias(false, false, true);
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, NULL, PAM_SUCCESS); /* no PIN asked: nothing of Work's is tried */
	mounted_with_keys();
	assert_false(helper_ran("Work"));
	assert_false(user_has_key(work_fekek));
	/* by hand: Work's own record opens Work's passphrase (ecryptfs-token --alias Work unlock) */
	fd = open_dirs("alice", &dirs);
	dirs.alias = "Work";
	assert_int_equal(ect_token_unwrap_user(&dirs, 0, give_pin, NULL, NULL, 0, NULL, &pp, &len), 0);
	assert_string_equal(pp, WORK_PASSPHRASE);
	ect_secure_free_str(pp);
	close(fd);
}

/* Both marked for login: each opens with its own protector; logout unmounts both. */
static void two_aliases_at_login_and_logout(void **state)
{
	(void)state;
	make_alias(true, false, true);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, pin_ok, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
	       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
	mounted_with_keys();
	assert_true(user_has_key(work_fekek));
	assert_true(helper_ran("mount.ecryptfs_private Work uid="));
	assert_true(helper_ran("umount.ecryptfs_private -d uid="));
	assert_true(helper_ran("umount.ecryptfs_private -d Work uid="));
}

/* Work's token is absent: the login still opens ~/Private, and logout leaves Work alone. */
static void missing_token_still_opens_the_password_alias(void **state)
{
	struct conv_out out;

	(void)state;
	make_alias(true, false, true);
	pull_token();
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", &out, pin_ok, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
	       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
	mounted_with_keys();
	assert_false(user_has_key(work_fekek));
	assert_true(told(&out, "Work stays locked: its token is not present"));
	assert_false(helper_ran("Work"));
	assert_true(helper_ran("umount.ecryptfs_private -d uid="));
}

/*
 * ~/Private fails to mount: the login's session hook fails, and then the
 * aliases are not mounted or counted either. An application that sees the
 * failed open never closes the session, and nothing would unmount them.
 */
static void private_failing_leaves_the_aliases_alone(void **state)
{
	(void)state;
	make_alias(true, true, false);
	helper_fails_next("mount: simulated failure", 1);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, pin_ok, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_true(helper_ran("mount.ecryptfs_private  uid="));
	assert_false(helper_ran("mount.ecryptfs_private Work"));
	assert_false(user_has_key(work_fekek));
}

/* Only an alias at login, with the password: mounted; a wrong password is no failed login. */
static void password_alias_alone_at_login(void **state)
{
	char f[800];

	(void)state;
	path_of(f, sizeof(f), "home/alice/.ecryptfs/auto-mount");
	assert_int_equal(unlink(f), 0);
	make_alias(true, true, false);
	setenv("PAM_AUTHTOK", "not the password", 1);
	login("ect", NULL, NULL, STACK_IGNORED);
	assert_false(user_has_key(work_fekek));
	assert_false(helper_ran("mount.ecryptfs_private"));
	setenv("PAM_AUTHTOK", PW, 1);
	login("ect", NULL, NULL, PAM_SUCCESS);
	assert_true(user_has_key(work_fekek));
	assert_false(user_has_key(sig_fekek));
	assert_true(helper_ran("mount.ecryptfs_private Work uid="));
	assert_false(helper_ran("mount.ecryptfs_private  uid="));
}

/*
 * chauthtok with Work protected by a token AND password record (review
 * finding L4): the record is rewrapped with the new password, the PIN asked
 * through the conversation, as Private's records are.
 */
static void alias_and_record_rewrapped_at_chauthtok(void **state)
{
	struct ect_argon2_params floor;
	struct ect_user_dirs dirs;
	char *pp = NULL;
	size_t index, len = 0;
	int fd;

	(void)state;
	make_alias(true, false, false);
	ect_argon2_params_floor(&floor);
	fd = open_dirs("alice", &dirs);
	dirs.alias = "Work";
	assert_int_equal(ect_token_enrol_user(&dirs, TOKEN_URI, ECT_TOKEN_AND_PASSWORD,
					      WORK_PASSPHRASE, strlen(WORK_PASSPHRASE), PW,
					      strlen(PW), &floor, &index), 0);
	change_password(pin_ok, NULL, PAM_SUCCESS);
	assert_int_equal(ect_token_unwrap_user(&dirs, 0, give_pin, NULL, NEW_PW, strlen(NEW_PW),
					       NULL, &pp, &len), 0);
	assert_string_equal(pp, WORK_PASSPHRASE);
	ect_secure_free_str(pp);
	assert_int_not_equal(ect_token_unwrap_user(&dirs, 0, give_pin, NULL, PW, strlen(PW), NULL,
						   &pp, &len), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(or_policy_the_token_opens_with_the_pin),
		T(or_policy_missing_token_falls_back_to_the_password),
		T(or_policy_wrong_pin_falls_back_to_the_password),
		T(alone_policy_opens_without_a_password),
		T(alone_policy_missing_token_stays_locked),
		T(wrong_pin_is_asked_once),
		T(pin_from_the_login_password),
		T(and_policy_needs_both),
		T(removed_token_record_no_longer_opens),
		T(removed_password_protector_no_longer_opens),
		T(and_policy_chauthtok_rewraps_with_the_token),
		T(and_policy_chauthtok_without_the_token_keeps_the_record),
		T(and_policy_chauthtok_wrong_pin_keeps_the_record),
		T(or_policy_chauthtok_leaves_the_token_record),
		T(alias_by_hand_is_left_alone_at_login),
		T(two_aliases_at_login_and_logout),
		T(missing_token_still_opens_the_password_alias),
		T(password_alias_alone_at_login),
		T(private_failing_leaves_the_aliases_alone),
		T(alias_and_record_rewrapped_at_chauthtok),
#undef T
	};
	int ret = pam_test_init();

	if (ret)
		return ret;
	make_token();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

