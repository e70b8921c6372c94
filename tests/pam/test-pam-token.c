// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Token protectors at login (issue 16): pam_ecryptfs.so under pam_wrapper
 * against a real SoftHSM2 token (user PIN 1234, an RSA key with id 01) in
 * the test directory. Every policy: the token OR the password (a record
 * next to wrapped-passphrase), the token alone, the token AND the password;
 * a missing token (its SoftHSM2 token directory moved away); a wrong PIN,
 * asked once and never again; the PIN taken from the login password
 * (token_pin=password); removed protectors; chauthtok of every policy
 * (an AND record rewrapped with the token, kept when it is absent). Run by
 * run-pam-token.sh.
 */
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

#define HSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TOKEN_LABEL "ect-pam"
#define TOKEN_URI "pkcs11:token=" TOKEN_LABEL ";id=%01?module-path=" HSM_MODULE

static const char *pin_ok[] = { "1234", NULL };
static const char *pin_wrong_then_right[] = { "9999", "1234", NULL };

/* The token: its SoftHSM2 directory, owned by the test user (the module's child opens it). */
static void make_token(void)
{
	char hsm[700], conf[800], text[1024];

	path_of(hsm, sizeof(hsm), "hsm");
	run("rm -rf '%s' && mkdir -p '%s/tokens'", hsm, hsm);
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", hsm);
	snprintf(text, sizeof(text),
		 "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n",
		 hsm);
	xwrite(conf, text, 0644);
	setenv("SOFTHSM2_CONF", conf, 1);
	run("softhsm2-util --init-token --free --label " TOKEN_LABEL
	    " --so-pin 87654321 --pin 1234 >/dev/null");
	run("pkcs11-tool --module " HSM_MODULE " --token-label " TOKEN_LABEL " --login --pin 1234 "
	    "--keypairgen --key-type rsa:2048 --id 01 --label rsa >/dev/null 2>&1");
	run("chown -R %u:%u '%s'", (unsigned)test_uid, (unsigned)test_gid, hsm);
}

/* Pull the token out, and plug it in again (SoftHSM2 then finds no token). */
static void pull_token(void)
{
	run("mv '%s/hsm/tokens' '%s/hsm/away' && mkdir '%s/hsm/tokens' && chown %u '%s/hsm/tokens'",
	    tmp, tmp, tmp, (unsigned)test_uid, tmp);
}

static void plug_token(void)
{
	run("if [ -d '%s/hsm/away' ]; then rmdir '%s/hsm/tokens' && mv '%s/hsm/away' '%s/hsm/tokens'; fi",
	    tmp, tmp, tmp, tmp);
}

static int open_dirs(const char *user, struct ect_user_dirs *d)
{
	char home[700];
	int fd = -1;

	path_of(home, sizeof(home), "home/%s", user);
	assert_int_equal(ect_config_dir_open(home, test_uid, &fd), 0);
	*d = (struct ect_user_dirs){ .config_fd = fd, .home_fd = -1, .uid = test_uid,
				     .gid = test_gid };
	return fd;
}

/* A token record for the mount passphrase; password for a token AND password record. */
static void enrol(const char *user, enum ect_token_policy policy, const char *password)
{
	struct ect_argon2_params floor;
	struct ect_user_dirs d;
	size_t index;
	int fd = open_dirs(user, &d);

	ect_argon2_params_floor(&floor);
	assert_int_equal(ect_token_enrol_user(&d, TOKEN_URI, policy, MOUNT_PASSPHRASE,
					      strlen(MOUNT_PASSPHRASE), password,
					      password ? strlen(password) : 0, &floor, &index),
			 0);
	close(fd);
}

/* Remove record index, or wrapped-passphrase (ECT_TOKEN_PASSWORD). */
static void remove_protector(const char *user, size_t index)
{
	struct ect_user_dirs d;
	int fd = open_dirs(user, &d);

	assert_int_equal(ect_token_remove_user(&d, index), 0);
	close(fd);
}

/* A token-alone record; without_password: and no wrapped-passphrase (the token alone). */
static void token_record(bool without_password)
{
	enrol("alice", ECT_TOKEN_ALONE, NULL);
	if (without_password)
		remove_protector("alice", ECT_TOKEN_PASSWORD);
}

static int setup(void **state)
{
	(void)state;
	clear_user_keys();
	run("rm -rf '%s/home' && mkdir -m 755 '%s/home'", tmp, tmp);
	make_home("alice", HOME_V3);
	make_helpers();
	unsetenv("PAM_AUTHTOK");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	plug_token();
	clear_user_keys();
	return 0;
}

/* auth then open_session of alice in service, with PINs to give and the open's result. */
static void login(const char *service, struct conv_out *out, const char **pins, int open_rv)
{
	EXPECT(service, "alice", out, pins, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, open_rv));
}

static void mounted_with_keys(void)
{
	assert_true(user_has_key(sig_fekek));
	assert_true(user_has_key(sig_fnek));
	assert_non_null(strstr(helper_log(), "mount.ecryptfs_private"));
}

/* Forget the last login: its keys and the helper's record (nothing unmounts here). */
static void log_out(void)
{
	clear_user_keys();
	make_helpers();
}

static void stayed_locked(void)
{
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");
}

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

/* The bytes of alice's wrapped-passphrase.token, to see a refused rewrap change nothing. */
static void token_file(char *buf, size_t size, size_t *len)
{
	char path[700];
	FILE *f;

	path_of(path, sizeof(path), "home/alice/.ecryptfs/" ECT_TOKEN_FILE);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, size, f);
	assert_true(*len > 0 && *len < size);
	fclose(f);
}

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
#undef T
	};
	int ret = pam_test_init();

	if (ret)
		return ret;
	make_token();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
