// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_ecryptfs.so under pam_wrapper: every hook against users with an
 * encrypted Private, without one, unknown, with a wrong password, without
 * AUTHTOK/OLDAUTHTOK, with a corrupt wrapped-passphrase and with an
 * unreadable ~/.ecryptfs. Run by run-pam-tests.sh, which preloads
 * pam_wrapper and nss_wrapper (and uid_wrapper when not root) and starts us
 * in a throwaway session keyring.
 *
 * Mounting is the VM suite's job: the module runs a recording stand-in for
 * mount.ecryptfs_private from helper_dir=, which it accepts only because
 * the directory belongs to root or to the test user (pam_ecryptfs(8)).
 *
 * Services (written by run-pam-tests.sh before pam_wrapper starts).
 * Return codes: each service puts pam_set_items.so first with
 * [default=ignore] and pam_ecryptfs.so alone as "required", so a hook's
 * PAM_IGNORE shows up as the stack's PAM_PERM_DENIED (nothing decided),
 * which the module itself never returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <keyutils.h>
#include <libpamtest.h>
#include <security/pam_appl.h>

#include "ecryptfs-tools.h"
#include "pam-test-util.h"

static int setup(void **state)
{
	(void)state;
	clear_user_keys();
	run("rm -rf '%s/home' && mkdir -m 755 '%s/home'", tmp, tmp);
	make_home("alice", HOME_V3);
	make_home("vera", HOME_V2);
	make_home("carol", HOME_CORRUPT);
	make_home("dave", HOME_UNREADABLE);
	make_home("wendy", HOME_INDEPENDENT);
	make_home("xena", HOME_COSTLY);
	run("mkdir -m 755 '%s/home/bob'", tmp);
	make_helpers();
	unsetenv("PAM_AUTHTOK");
	unsetenv("PAM_OLDAUTHTOK");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run("chmod -R u+rwx '%s/home'", tmp);
	clear_user_keys();
	return 0;
}

/* ---- auth --------------------------------------------------------------- */

static void auth_is_always_ignore_and_never_runs_the_helper(void **state)
{
	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	EXPECT("ect", "bob", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	EXPECT("ect", "carol", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	EXPECT("ect", "dave", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	setenv("PAM_AUTHTOK", "wrong", 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	unsetenv("PAM_AUTHTOK");
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED));
	/* Screen unlock = auth only: no helper, no keys, no counter. */
	assert_string_equal(helper_log(), "");
	assert_false(user_has_key(sig_fekek));
}

static void auth_unknown_user(void **state)
{
	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "nosuchuser", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, PAM_USER_UNKNOWN));
	EXPECT("ect", "nosuchuser", NULL, NULL, pam_test(PAMTEST_OPEN_SESSION, PAM_USER_UNKNOWN));
	EXPECT("ect", "nosuchuser", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_USER_UNKNOWN));
}

/* ---- session ------------------------------------------------------------ */

static void login_adds_keys_and_runs_helpers(void **state)
{
	char *log;

	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_true(user_has_key(sig_fekek));
	assert_true(user_has_key(sig_fnek));
	log = helper_log();
	assert_non_null(strstr(log, "mount.ecryptfs_private  uid="));
	/* The helper saw no inherited environment (only PATH, and what sh adds). */
	assert_non_null(strstr(log, "env=0"));
	assert_null(strstr(log, "umount"));
}

/* user@.service (PAM service systemd-user) is no login: no keys, no helper, not counted. */
static void user_manager_is_not_a_session(void **state)
{
	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("systemd-user", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, STACK_IGNORED),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");
}

static void close_runs_umount_only_for_a_counted_session(void **state)
{
	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
	       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
	assert_non_null(strstr(helper_log(), "umount.ecryptfs_private -d uid="));
	/* A handle that never opened (or failed to open) does not uncount. */
	run("true > '%s/helpers/calls.log'", tmp);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	assert_string_equal(helper_log(), "");
}

static void no_authtok_leaves_home_locked_with_a_message(void **state)
{
	struct conv_out out;

	(void)state;
	EXPECT("ect", "alice", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	assert_non_null(strstr(out.info[0], "ecryptfs-mount-private"));
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");
}

static void wrong_password_adds_no_keys(void **state)
{
	struct conv_out out;

	(void)state;
	setenv("PAM_AUTHTOK", "not the password", 1);
	EXPECT("ect", "alice", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_non_null(strstr(out.err[0], "does not unlock"));
	assert_false(user_has_key(sig_fekek));
	assert_false(user_has_key(sig_fnek));
	assert_string_equal(helper_log(), "");
}

static void user_without_encrypted_home_is_ignored(void **state)
{
	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "bob", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, STACK_IGNORED),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	setenv("PAM_OLDAUTHTOK", PW, 1);
	EXPECT("ect", "bob", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, STACK_IGNORED));
	assert_string_equal(helper_log(), "");
}

static void corrupt_wrapped_passphrase(void **state)
{
	struct conv_out out;

	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "carol", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_non_null(strstr(out.err[0], "damaged"));
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "carol", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_ERR));
	assert_string_equal(helper_log(), "");
}

static void unreadable_dot_ecryptfs(void **state)
{
	struct conv_out out;

	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "dave", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_non_null(strstr(out.err[0], "~/.ecryptfs"));
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "dave", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_ERR));
	assert_string_equal(helper_log(), "");
}

static void helper_failure_is_reported_to_the_user(void **state)
{
	struct conv_out out;

	(void)state;
	helper_fails_next("Refusing to mount over an unapproved filesystem type", 1);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	assert_non_null(strstr(out.err[0], "unapproved filesystem type"));
	/* The keys this login added are no use without the mount: taken back. */
	assert_false(user_has_key(sig_fekek));
	assert_false(user_has_key(sig_fnek));
}

static void helper_failure_keeps_keys_another_session_added(void **state)
{
	(void)state;
	add_user_keys();
	helper_fails_next("Refusing to mount over an unapproved filesystem type", 1);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	/* Not this login's keys: another session may still need them. */
	assert_true(user_has_key(sig_fekek));
	assert_true(user_has_key(sig_fnek));
}

static void v2_is_upgraded_to_v3_at_login(void **state)
{
	(void)state;
	assert_int_equal(wrap_version("vera"), ECT_WRAP_V2);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "vera", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_int_equal(wrap_version("vera"), ECT_WRAP_V3);
	assert_int_equal(unwraps_with("vera", PW), 0);
	assert_true(user_has_key(sig_fekek));
}

static void v2_kept_with_the_flag_file(void **state)
{
	char f[800];

	(void)state;
	path_of(f, sizeof(f), "home/vera/.ecryptfs/wrap-format-v2");
	xwrite(f, "", 0600);
	run("chown %u:%u '%s'", (unsigned)test_uid, (unsigned)test_gid, f);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "vera", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_int_equal(wrap_version("vera"), ECT_WRAP_V2);
}

static void wrapping_independent_prompts(void **state)
{
	const char *typed[] = { "typed secret", NULL };

	(void)state;
	setenv("PAM_AUTHTOK", PW, 1); /* the login password is not the wrapping one */
	EXPECT("ect", "wendy", NULL, typed, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_true(user_has_key(sig_fekek));
}

static void untrusted_helper_dir_is_refused(void **state)
{
	char d[700];

	(void)state;
	path_of(d, sizeof(d), "untrusted");
	run("rm -rf '%s' && cp -r '%s/helpers' '%s' && chmod 777 '%s'", d, tmp, d, d);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect_untrusted", "alice", NULL, NULL, pam_test(PAMTEST_OPEN_SESSION, PAM_SERVICE_ERR));
	assert_string_equal(helper_log(), "");
	run("rm -rf '%s'", d);
}

/* Set a v3 file's memory cost in its header (the GCM tag no longer matches). */
static void set_header_m_cost(const char *user, uint32_t m_kib)
{
	char f[800];
	uint8_t be[4] = { (uint8_t)(m_kib >> 24), (uint8_t)(m_kib >> 16), (uint8_t)(m_kib >> 8),
			  (uint8_t)m_kib };
	int fd;

	path_of(f, sizeof(f), "home/%s/.ecryptfs/wrapped-passphrase", user);
	fd = open(f, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, be, sizeof(be), 7), (ssize_t)sizeof(be));
	close(fd);
}

/*
 * Issue 10, finding 7: the user's own file sets the Argon2id cost of their
 * login, in the daemon's child. Above the module's budget (kdf_max_mib=) the
 * session is refused before any derivation, with the way out; no keys, no
 * helper. Auth stays PAM_IGNORE and an optional line does not block the
 * login; the same file is fine under the default budget.
 */
static void kdf_cost_above_the_budget_is_refused(void **state)
{
	struct conv_out out;

	(void)state;
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect_kdf20", "xena", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR),
	       pam_test(PAMTEST_CLOSE_SESSION, STACK_IGNORED));
	assert_non_null(strstr(out.err[0], "more memory or time than a login may spend"));
	assert_non_null(strstr(out.err[0], "ecryptfs-rewrap-passphrase --kdf-target-ms"));
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");

	EXPECT("ect_opt_kdf20", "xena", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
	       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
	assert_false(user_has_key(sig_fekek));

	/* A password change does not rewrite it either, and says why. */
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect_kdf20", "xena", &out, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_ERR));
	assert_non_null(strstr(out.err[0], "--kdf-target-ms"));
	assert_int_equal(unwraps_with("xena", PW), 0);

	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "xena", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_true(user_has_key(sig_fekek));
}

/*
 * The default budget (no option): 600 MiB is above min(512 MiB, RAM / 4)
 * and refused before the derivation, so the answer is the cost message and
 * not "does not unlock" (the edited header would fail the tag check).
 */
static void kdf_cost_above_the_default_budget_is_refused(void **state)
{
	struct conv_out out;

	(void)state;
	set_header_m_cost("xena", 600 * 1024);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect", "xena", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_non_null(strstr(out.err[0], "more memory or time than a login may spend"));
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");
}

/* ---- password ----------------------------------------------------------- */

static void chauthtok_rewraps(void **state)
{
	(void)state;
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	assert_int_equal(unwraps_with("alice", NEW_PW), 0);
	assert_int_equal(unwraps_with("alice", PW), ECT_E_WRONG_PASSWORD);
	/* v2 users come out as v3 too. */
	EXPECT("ect", "vera", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	assert_int_equal(wrap_version("vera"), ECT_WRAP_V3);
	assert_int_equal(unwraps_with("vera", NEW_PW), 0);
}

static void chauthtok_without_old_password_marks_and_explains(void **state)
{
	struct conv_out out;
	char marker[800];

	(void)state;
	path_of(marker, sizeof(marker), "home/alice/.ecryptfs/wrapped-passphrase.stale");
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	/* Alone in the stack the prelim check refuses... */
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_RECOVERY_ERR));
	assert_false(exists(marker));
	/* ...as "optional" (the shipped profile) root's passwd goes through, marked. */
	EXPECT("ect_opt", "alice", &out, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	assert_true(exists(marker));
	assert_non_null(strstr(out.err[0], "--from-mount-passphrase"));
	assert_int_equal(unwraps_with("alice", PW), 0);
	/* The next login explains what happened and how to recover. */
	EXPECT("ect", "alice", &out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SESSION_ERR));
	assert_non_null(strstr(out.err[0], "changed without your old one"));
	assert_false(user_has_key(sig_fekek));
	/* Once recovered (rewrapped with the new password) the marker goes away at login. */
	{
		char f[800];
		struct ect_argon2_params floor;

		ect_argon2_params_floor(&floor);
		path_of(f, sizeof(f), "home/alice/.ecryptfs/wrapped-passphrase");
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE),
					       NEW_PW, strlen(NEW_PW), &floor, test_uid, test_gid), 0);
	}
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS));
	assert_false(exists(marker));
}

static void chauthtok_wrong_old_password(void **state)
{
	char marker[800];

	(void)state;
	path_of(marker, sizeof(marker), "home/alice/.ecryptfs/wrapped-passphrase.stale");
	setenv("PAM_OLDAUTHTOK", "some older password", 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_RECOVERY_ERR));
	assert_true(exists(marker));
	assert_int_equal(unwraps_with("alice", PW), 0);
}

static void chauthtok_without_new_password(void **state)
{
	(void)state;
	setenv("PAM_OLDAUTHTOK", PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_ERR));
	assert_int_equal(unwraps_with("alice", PW), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(auth_is_always_ignore_and_never_runs_the_helper),
		T(auth_unknown_user),
		T(login_adds_keys_and_runs_helpers),
		T(close_runs_umount_only_for_a_counted_session),
		T(user_manager_is_not_a_session),
		T(no_authtok_leaves_home_locked_with_a_message),
		T(wrong_password_adds_no_keys),
		T(user_without_encrypted_home_is_ignored),
		T(corrupt_wrapped_passphrase),
		T(unreadable_dot_ecryptfs),
		T(helper_failure_is_reported_to_the_user),
		T(helper_failure_keeps_keys_another_session_added),
		T(v2_is_upgraded_to_v3_at_login),
		T(v2_kept_with_the_flag_file),
		T(wrapping_independent_prompts),
		T(untrusted_helper_dir_is_refused),
		T(kdf_cost_above_the_budget_is_refused),
		T(kdf_cost_above_the_default_budget_is_refused),
		T(chauthtok_rewraps),
		T(chauthtok_without_old_password_marks_and_explains),
		T(chauthtok_wrong_old_password),
		T(chauthtok_without_new_password),
#undef T
	};
	int ret = pam_test_init();

	if (ret)
		return ret;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
