// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Aliases with the login password (issue 16, review findings L1, L3, L4,
 * L5): pam_ecryptfs.so under pam_wrapper, alice with ~/Private and password
 * aliases, each with its own key (ALIAS.sig) and ALIAS.wrapped-passphrase.
 * More aliases than a login mounts; keys of a failed alias that could not be
 * taken back at once; chauthtok rewrapping every alias the old password
 * opens; a swapped ALIAS.auto-mount at login and at logout. And the
 * wrapped passphrase on a removable medium that is absent (the user is told
 * which). Token aliases are in test-pam-token.c. Run by run-pam-alias.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* alias NAME's passphrase: "NAME passphrase 0123456789" (its own key) */
static void alias_passphrase(const char *alias, char *pp, size_t size)
{
	snprintf(pp, size, "%s passphrase 0123456789", alias);
}

static void alias_sig(const char *alias, char sig[ECT_SIG_HEX_SIZE + 1])
{
	uint8_t key[ECT_KEY_SIZE];
	char pp[128];

	alias_passphrase(alias, pp, sizeof(pp));
	assert_int_equal(ect_derive_key(pp, strlen(pp), ect_default_salt, key), 0);
	assert_int_equal(ect_key_signature(key, sig), 0);
}

/*
 * alice's ~/ALIAS: ALIAS.conf, ALIAS.sig of its own key, ALIAS.auto-mount
 * when at_login, ALIAS.wrapped-passphrase wrapped with password (none: NULL).
 */
static void make_alias(const char *alias, bool at_login, const char *password)
{
	struct ect_argon2_params floor;
	char d[700], f[800], text[2048], sig[ECT_SIG_HEX_SIZE + 1], pp[128];

	alias_sig(alias, sig);
	path_of(d, sizeof(d), "home/alice");
	run("mkdir -p '%s/.%s' '%s/%s'", d, alias, d, alias);
	snprintf(text, sizeof(text), "%s/.%s %s/%s ecryptfs\n", d, alias, d, alias);
	snprintf(f, sizeof(f), "%s/.ecryptfs/%s.conf", d, alias);
	xwrite(f, text, 0600);
	snprintf(text, sizeof(text), "%s\n", sig);
	snprintf(f, sizeof(f), "%s/.ecryptfs/%s.sig", d, alias);
	xwrite(f, text, 0600);
	if (at_login) {
		snprintf(f, sizeof(f), "%s/.ecryptfs/%s.auto-mount", d, alias);
		xwrite(f, "", 0600);
	}
	if (password) {
		ect_argon2_params_floor(&floor);
		alias_passphrase(alias, pp, sizeof(pp));
		snprintf(f, sizeof(f), "%s/.ecryptfs/%s.wrapped-passphrase", d, alias);
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, pp, strlen(pp), password,
					       strlen(password), &floor, (uid_t)-1, (gid_t)-1), 0);
	}
	run("chown -R %u:%u '%s'", (unsigned)test_uid, (unsigned)test_gid, d);
}

/* 0 when ALIAS.wrapped-passphrase opens with password (to the alias's passphrase). */
static int alias_unwraps_with(const char *alias, const char *password)
{
	char f[800], want[128];
	char *pp = NULL;
	size_t len = 0;
	int ret;

	path_of(f, sizeof(f), "home/alice/.ecryptfs/%s.wrapped-passphrase", alias);
	ret = ect_unwrap_file(f, password, strlen(password), NULL, &pp, &len, NULL);
	if (!ret) {
		alias_passphrase(alias, want, sizeof(want));
		assert_string_equal(pp, want);
		ect_secure_free(pp);
	}
	return ret;
}

static bool alias_has_key(const char *alias)
{
	char sig[ECT_SIG_HEX_SIZE + 1];

	alias_sig(alias, sig);
	return user_has_key(sig);
}

static bool helper_ran(const char *call)
{
	return strstr(helper_log(), call) != NULL;
}

static bool told(const struct conv_out *out, const char *what)
{
	for (int i = 0; i < 8; i++)
		if (strstr(out->info[i], what) || strstr(out->err[i], what))
			return true;
	return false;
}

/* told(), and when it was not: what the user was told instead. */
static void assert_told(const struct conv_out *out, const char *what)
{
	if (told(out, what))
		return;
	for (int i = 0; i < 8; i++)
		if (*out->info[i] || *out->err[i])
			print_message("told: '%s%s'\n", out->err[i], out->info[i]);
	fail_msg("the user was not told '%s'", what);
}

static int setup(void **state)
{
	(void)state;
	clear_user_keys();
	run("rm -rf '%s/home' && mkdir -m 755 '%s/home'", tmp, tmp);
	make_home("alice", HOME_V3);
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

static void login(struct conv_out *out, int open_rv)
{
	EXPECT("ect", "alice", out, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, open_rv));
}

/* ---- L1: more aliases than a login mounts --------------------------------- */

/*
 * 17 aliases not marked for login sort before 17 marked ones: the marked
 * ones are picked first, then the first 16 of them in byte order are
 * mounted, the same at every login; the 17th is not.
 */
static void the_first_sixteen_marked_aliases_are_mounted(void **state)
{
	char name[16], call[80];

	(void)state;
	for (int i = 0; i < 17; i++) {
		snprintf(name, sizeof(name), "A%02d", i);
		make_alias(name, false, PW);
		snprintf(name, sizeof(name), "B%02d", i);
		make_alias(name, true, PW);
	}
	setenv("PAM_AUTHTOK", PW, 1);
	login(NULL, PAM_SUCCESS);
	for (int i = 0; i < 16; i++) {
		snprintf(call, sizeof(call), "mount.ecryptfs_private B%02d uid=", i);
		assert_true(helper_ran(call));
	}
	assert_false(helper_ran("mount.ecryptfs_private B16"));
	assert_false(helper_ran("mount.ecryptfs_private A"));
	assert_false(alias_has_key("B16"));
}

/* ---- L3: a failed alias's keys, not taken back at once ---------------------- */

/*
 * The mount helper fails for Work after hiding Work's key from the user's
 * search (keyctl setperm: only setattr left), so the module cannot unlink
 * it then. The key is visible again before the logout, whose close takes
 * it back, as it does for Private.
 */
static void failed_alias_keys_are_dropped_at_close(void **state)
{
	char sig[ECT_SIG_HEX_SIZE + 1], f[800], script[1024];

	(void)state;
	if (getuid() != 0)
		skip(); /* keyctl setperm as the test user: a real uid */
	make_alias("Work", true, PW);
	alias_sig("Work", sig);
	path_of(f, sizeof(f), "helpers/hook");
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "[ \"$1 $2\" = 'mount.ecryptfs_private Work' ] || exit 0\n"
		 "id=$(keyctl search @u user %s) && keyctl setperm \"$id\" 0x20200000 &&\n"
		 "echo \"$id\" > '%s/helpers/keyid'\n"
		 "echo 'mount: simulated failure' >&2\n"
		 "exit 1\n", sig, tmp);
	xwrite(f, script, 0755);
	path_of(f, sizeof(f), "helpers/keyid");
	xwrite(f, "", 0666);
	/* run by pam_exec (service ect_closehook) before the module's close */
	path_of(f, sizeof(f), "helpers/close-hook");
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "exec setpriv --reuid=%u --regid=%u --clear-groups keyctl setperm "
		 "\"$(cat '%s/helpers/keyid')\" 0x3f010000\n",
		 (unsigned)test_uid, (unsigned)test_gid, tmp);
	xwrite(f, script, 0755);
	setenv("PAM_AUTHTOK", PW, 1);
	EXPECT("ect_closehook", "alice", NULL, NULL, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
	       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
	assert_true(helper_ran("mount.ecryptfs_private Work uid="));
	/* visible again (close-hook), and taken back by the close */
	assert_false(user_has_key(sig));
	assert_true(helper_ran("umount.ecryptfs_private -d uid="));
}

/* ---- L4: chauthtok rewraps the aliases ------------------------------------ */

/*
 * Work (at login) and Notes (by hand) are wrapped with the login password:
 * both rewrapped. Safe has its own passphrase: left alone, silently. Bank
 * is wrapped with the login password but cannot be read (owned by root):
 * the password change goes on, and the user is told Bank was not rewrapped.
 */
static void chauthtok_rewraps_every_password_alias(void **state)
{
	struct conv_out out;
	char f[800];

	(void)state;
	make_alias("Work", true, PW);
	make_alias("Notes", false, PW);
	make_alias("Safe", false, "its own passphrase");
	make_alias("Bank", true, PW);
	path_of(f, sizeof(f), "home/alice/.ecryptfs/Bank.wrapped-passphrase");
	run("chown 0:0 '%s'", f);
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", &out, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	assert_int_equal(unwraps_with("alice", NEW_PW), 0);
	assert_int_equal(alias_unwraps_with("Work", NEW_PW), 0);
	assert_int_equal(alias_unwraps_with("Notes", NEW_PW), 0);
	assert_int_equal(alias_unwraps_with("Safe", "its own passphrase"), 0);
	assert_int_equal(alias_unwraps_with("Bank", PW), 0);
	assert_told(&out, "Bank");
	assert_false(told(&out, "Safe"));
	assert_false(told(&out, "Work"));
	/* no stale marker for an alias, and Private's is not touched by one */
	path_of(f, sizeof(f), "home/alice/.ecryptfs/wrapped-passphrase.stale");
	assert_false(exists(f));
	/* the next login mounts the at-login alias with the new password */
	run("chown %u:%u '%s/home/alice/.ecryptfs/Bank.wrapped-passphrase'", (unsigned)test_uid,
	    (unsigned)test_gid, tmp);
	login(NULL, PAM_SUCCESS);
	assert_true(helper_ran("mount.ecryptfs_private Work uid="));
	assert_true(alias_has_key("Work"));
}

/* Only aliases, no ~/Private: the password change still rewraps them. */
static void chauthtok_rewraps_aliases_without_private(void **state)
{
	char d[800];

	(void)state;
	path_of(d, sizeof(d), "home/alice/.ecryptfs");
	run("rm -f '%s/wrapped-passphrase' '%s/auto-mount' '%s/Private.sig'", d, d, d);
	make_alias("Work", true, PW);
	setenv("PAM_OLDAUTHTOK", PW, 1);
	setenv("PAM_AUTHTOK", NEW_PW, 1);
	EXPECT("ect", "alice", NULL, NULL, pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS));
	assert_int_equal(alias_unwraps_with("Work", NEW_PW), 0);
}

/* ---- L5: a swapped ALIAS.auto-mount ------------------------------------- */

/* A link in its place: the login refuses it in one line naming the file. */
static void swapped_flag_is_refused_at_login(void **state)
{
	struct conv_out out;
	char d[800];

	(void)state;
	make_alias("Work", false, PW);
	path_of(d, sizeof(d), "home/alice/.ecryptfs");
	run("ln -s Work.sig '%s/Work.auto-mount' && chown -h %u '%s/Work.auto-mount'", d,
	    (unsigned)test_uid, d);
	setenv("PAM_AUTHTOK", PW, 1);
	login(&out, PAM_SUCCESS);
	assert_false(helper_ran("mount.ecryptfs_private Work"));
	assert_false(alias_has_key("Work"));
	assert_told(&out, "Work.auto-mount");
}

/*
 * Mounted at login, then the flag swapped (a link, or another's file) before
 * the logout, by pam_exec (service ect_closehook): the logout unmounts.
 */
static void swapped_flag_does_not_stop_the_unmount(void **state)
{
	char d[600], f[800], script[3000];

	(void)state;
	path_of(d, sizeof(d), "home/alice/.ecryptfs");
	for (int how = 0; how < 2; how++) {
		make_helpers();
		make_alias("Work", true, PW);
		path_of(f, sizeof(f), "helpers/close-hook");
		if (how == 0)
			snprintf(script, sizeof(script), "#!/bin/sh\nrm '%s/Work.auto-mount' && "
				 "ln -s Work.sig '%s/Work.auto-mount' && chown -h %u '%s/Work.auto-mount'\n",
				 d, d, (unsigned)test_uid, d);
		else
			snprintf(script, sizeof(script), "#!/bin/sh\nchown 0 '%s/Work.auto-mount'\n", d);
		xwrite(f, script, 0755);
		setenv("PAM_AUTHTOK", PW, 1);
		EXPECT("ect_closehook", "alice", NULL, NULL,
		       pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
		       pam_test(PAMTEST_OPEN_SESSION, PAM_SUCCESS),
		       pam_test(PAMTEST_CLOSE_SESSION, PAM_SUCCESS));
		assert_true(helper_ran("mount.ecryptfs_private Work uid="));
		assert_true(helper_ran("umount.ecryptfs_private -d Work uid="));
		run("rm -f '%s/Work.auto-mount'", d);
	}
}

/* ---- the wrapped passphrase on a removable medium that is absent ------------- */

/*
 * ~/.ecryptfs/wrapped-passphrase links to MEDIA/alice/KEY, which the policy
 * (in the copy of /etc that run-pam-alias.sh binds over /etc in a private
 * mount namespace) declares. Plugged, the login mounts; pulled, the user is
 * told through the conversation that the medium is not present, and where.
 */
static void absent_medium_is_named_to_the_user(void **state)
{
	const char *etc = getenv("ECT_PAM_TEST_ETC");
	char policy[800], text[900], key[800], w[800];
	struct conv_out out;

	(void)state;
	if (!etc || !*etc)
		skip(); /* no private /etc (not root, or no unshare) */
	snprintf(policy, sizeof(policy), "%s/ecryptfs-tools/wrapped-passphrase-locations", etc);
	snprintf(text, sizeof(text), "# test-pam-alias\n%s/media/%%u/*\n", tmp);
	xwrite(policy, text, 0644);
	path_of(key, sizeof(key), "media/alice/KEY");
	path_of(w, sizeof(w), "home/alice/.ecryptfs/wrapped-passphrase");
	run("rm -rf '%s/media' && mkdir -p -m 755 '%s' && chown %u '%s' && mv '%s' '%s/' && "
	    "ln -s '%s/wrapped-passphrase' '%s' && chown -h %u '%s'", tmp, key,
	    (unsigned)test_uid, key, w, key, key, w, (unsigned)test_uid, w);
	setenv("PAM_AUTHTOK", PW, 1);
	login(NULL, PAM_SUCCESS);
	assert_true(user_has_key(sig_fekek));
	clear_user_keys();
	make_helpers();
	run("mv '%s' '%s/media/away'", key, tmp);
	login(&out, PAM_SESSION_ERR);
	assert_false(user_has_key(sig_fekek));
	assert_told(&out, "not present");
	assert_told(&out, key);
	run("mv '%s/media/away' '%s'", tmp, key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(the_first_sixteen_marked_aliases_are_mounted),
		T(failed_alias_keys_are_dropped_at_close),
		T(chauthtok_rewraps_every_password_alias),
		T(chauthtok_rewraps_aliases_without_private),
		T(swapped_flag_is_refused_at_login),
		T(swapped_flag_does_not_stop_the_unmount),
		T(absent_medium_is_named_to_the_user),
#undef T
	};
	int ret = pam_test_init();

	if (ret)
		return ret;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
