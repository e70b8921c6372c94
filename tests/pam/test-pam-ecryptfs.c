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

#define STACK_IGNORED PAM_PERM_DENIED
#define MOUNT_PASSPHRASE "0123456789abcdef0123456789abcdef"
#define PW "correct horse"
#define NEW_PW "battery staple"

static char tmp[512];	    /* ECT_PAM_TEST_DIR: homes, services, helpers */
static uid_t test_uid;	    /* uid of every fake user (ECT_PAM_TEST_UID) */
static gid_t test_gid;
static char sig_fekek[ECT_SIG_HEX_SIZE + 1];
static char sig_fnek[ECT_SIG_HEX_SIZE + 1];

/* ---- small file helpers ------------------------------------------------- */

static void xwrite(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *path_of(char *buf, size_t size, const char *fmt, ...) ECT_PRINTF(3, 4);
static char *path_of(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, size, "%s/", tmp);
	va_start(ap, fmt);
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void run(const char *fmt, ...) ECT_PRINTF(1, 2);
static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* ---- the fake users' homes ---------------------------------------------- */

enum home_kind { HOME_V3, HOME_V2, HOME_CORRUPT, HOME_UNREADABLE, HOME_INDEPENDENT, HOME_COSTLY };

/* HOME_COSTLY: a valid v3 file just above a 20 MiB budget, still cheap to compute. */
#define COSTLY_M_KIB (24 * 1024)

static void make_home(const char *user, enum home_kind kind)
{
	char d[700], f[800];
	struct ect_argon2_params floor;

	path_of(d, sizeof(d), "home/%s/.ecryptfs", user);
	run("mkdir -p '%s' '%s/../.Private' '%s/../Private'", d, d, d);
	snprintf(f, sizeof(f), "%s/Private.sig", d);
	{
		char sigs[64];

		snprintf(sigs, sizeof(sigs), "%s\n%s\n", sig_fekek, sig_fnek);
		xwrite(f, sigs, 0600);
	}
	snprintf(f, sizeof(f), "%s/Private.mnt", d);
	{
		char mnt[800];

		path_of(mnt, sizeof(mnt), "home/%s/Private\n", user);
		xwrite(f, mnt, 0600);
	}
	snprintf(f, sizeof(f), "%s/auto-mount", d);
	xwrite(f, "", 0600);
	snprintf(f, sizeof(f), "%s/auto-umount", d);
	xwrite(f, "", 0600);
	snprintf(f, sizeof(f), "%s/wrapped-passphrase", d);
	ect_argon2_params_floor(&floor);
	switch (kind) {
	case HOME_V3:
	case HOME_UNREADABLE:
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE),
					       PW, strlen(PW), &floor, (uid_t)-1, (gid_t)-1), 0);
		break;
	case HOME_INDEPENDENT:
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE),
					       "typed secret", 12, &floor, (uid_t)-1, (gid_t)-1), 0);
		snprintf(f, sizeof(f), "%s/wrapping-independent", d);
		xwrite(f, "", 0600);
		break;
	case HOME_V2:
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V2, MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE),
					       PW, strlen(PW), NULL, (uid_t)-1, (gid_t)-1), 0);
		break;
	case HOME_CORRUPT:
		xwrite(f, ":\x03garbage that is no wrapped passphrase", 0600);
		break;
	case HOME_COSTLY:
		floor.m_cost_kib = COSTLY_M_KIB;
		assert_int_equal(ect_wrap_file(f, ECT_WRAP_V3, MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE),
					       PW, strlen(PW), &floor, (uid_t)-1, (gid_t)-1), 0);
		break;
	}
	run("chmod 755 '%s/..' && chown -R %u:%u '%s/..'", d, (unsigned)test_uid, (unsigned)test_gid, d);
	run("chmod 700 '%s'", d);
	if (kind == HOME_UNREADABLE)
		run("chmod 000 '%s'", d);
}

static int wrap_version(const char *user)
{
	char f[800];
	void *blob;
	size_t size;
	struct ect_wrap_info info;
	int ret;

	path_of(f, sizeof(f), "home/%s/.ecryptfs/wrapped-passphrase", user);
	assert_int_equal(ect_read_file(f, ECT_WRAP_FILE_MAX, 0, &blob, &size), 0);
	ret = ect_wrap_identify(blob, size, &info);
	free(blob);
	return ret ? ret : (int)info.version;
}

static int unwraps_with(const char *user, const char *pw)
{
	char f[800];
	char *pp = NULL;
	size_t len = 0;
	int ret;

	path_of(f, sizeof(f), "home/%s/.ecryptfs/wrapped-passphrase", user);
	ret = ect_unwrap_file(f, pw, strlen(pw), NULL, &pp, &len, NULL);
	if (!ret) {
		assert_string_equal(pp, MOUNT_PASSPHRASE);
		ect_secure_free(pp);
	}
	return ret;
}

/* ---- the user keyring of the test uid ----------------------------------- */

/* Ask from a child that became the test user, as the module's child did. */
static bool user_has_key(const char *sig)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(test_gid) || setuid(test_uid))
			_exit(2);
		_exit(keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig, 0) > 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 2);
	return WEXITSTATUS(status) == 0;
}

/* Keys another session of the test user already holds before a login. */
static void add_user_keys(void)
{
	pid_t pid = fork();
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek[ECT_SIG_HEX_SIZE + 1];
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(test_gid) || setuid(test_uid))
			_exit(2);
		_exit(ect_keyring_add_mount_keys(MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE), NULL,
						 ECT_KEYS_FNEK_FIRST, fekek, fnek) ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void clear_user_keys(void)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(test_gid) || setuid(test_uid))
			_exit(2);
		keyctl_clear(KEY_SPEC_USER_KEYRING);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* ---- the recording helper ------------------------------------------------ */

static char *helper_log(void)
{
	static char text[4096];
	char f[700];
	FILE *fp;
	size_t n;

	path_of(f, sizeof(f), "helpers/calls.log");
	fp = fopen(f, "r");
	if (!fp)
		return strcpy(text, "");
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	return text;
}

static void helper_fails_next(const char *message, int code)
{
	char f[700], t[300];

	path_of(f, sizeof(f), "helpers/fail");
	snprintf(t, sizeof(t), "%d %s\n", code, message);
	xwrite(f, t, 0644);
}

static void make_helpers(void)
{
	char d[700], f[800], script[2048];
	static const char *const names[] = { "mount.ecryptfs_private", "umount.ecryptfs_private" };

	path_of(d, sizeof(d), "helpers");
	run("rm -rf '%s' && mkdir -m 755 '%s'", d, d);
	/* Records name, arguments, ids and environment; fails once on request. */
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "d='%s'\n"
		 "echo \"$(basename \"$0\") $* uid=$(id -u) env=$(env | grep -cv '^PATH=\\|^PWD=\\|^SHLVL=\\|^_=')\" >> \"$d/calls.log\"\n"
		 "if [ -f \"$d/fail\" ]; then read code msg < \"$d/fail\"; echo \"$msg\" >&2; exit \"$code\"; fi\n"
		 "exit 0\n", d);
	for (size_t i = 0; i < 2; i++) {
		snprintf(f, sizeof(f), "%s/%s", d, names[i]);
		xwrite(f, script, 0755);
	}
	snprintf(f, sizeof(f), "%s/calls.log", d);
	xwrite(f, "", 0666);
}

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

/* ---- running PAM -------------------------------------------------------- */

struct conv_out {
	char *err[8];
	char *info[8];
	char buf[16][512];
};

static void conv_init(struct conv_out *o, struct pamtest_conv_data *cd, const char **echo_off)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < 8; i++) {
		o->err[i] = o->buf[i];
		o->info[i] = o->buf[8 + i];
	}
	memset(cd, 0, sizeof(*cd));
	cd->out_err = o->err;
	cd->out_info = o->info;
	cd->in_echo_off = echo_off;
}

static void expect(const char *service, const char *user, struct pam_testcase *tc, size_t n,
		   struct conv_out *out, const char **echo_off)
{
	struct pamtest_conv_data cd;
	struct conv_out local;
	enum pamtest_err perr;

	if (!out)
		out = &local;
	conv_init(out, &cd, echo_off);
	perr = _pamtest(service, user, &cd, tc, n, NULL);
	if (perr == PAMTEST_ERR_CASE) {
		const struct pam_testcase *f = _pamtest_failed_case(tc, n);

		fail_msg("%s/%s: operation %d returned %d, expected %d (err: %s info: %s)", service, user,
			 f->pam_operation, f->op_rv, f->expected_rv, out->err[0], out->info[0]);
	}
	assert_int_equal(perr, PAMTEST_ERR_OK);
}

#define EXPECT(service, user, out, echo, ...)                                              \
	do {                                                                              \
		struct pam_testcase tc_[] = { __VA_ARGS__ };                              \
		expect(service, user, tc_, sizeof(tc_) / sizeof(tc_[0]), out, echo);      \
	} while (0)

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

/*
 * Keep pam_wrapper out of the shells system() starts: each would set up its
 * own /tmp/pam.X copy of the services, and with other pam_wrapper runs on
 * the machine those races fail at random ("Failed to copy config files").
 * This process has it loaded already; children keep the other wrappers.
 */
static void drop_pam_wrapper_from_children(void)
{
	const char *preload = getenv("LD_PRELOAD");
	char kept[4096] = "";
	char *copy, *tok, *save;

	if (!preload || !(copy = strdup(preload)))
		return;
	for (tok = strtok_r(copy, ": ", &save); tok; tok = strtok_r(NULL, ": ", &save)) {
		if (strstr(tok, "libpam_wrapper"))
			continue;
		if (strlen(kept) + strlen(tok) + 2 > sizeof(kept))
			break;
		if (kept[0])
			strcat(kept, ":");
		strcat(kept, tok);
	}
	free(copy);
	setenv("LD_PRELOAD", kept, 1);
}

int main(void)
{
	const char *dir = getenv("ECT_PAM_TEST_DIR");
	const char *uid = getenv("ECT_PAM_TEST_UID");
	uint8_t key[ECT_KEY_SIZE];
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

	if (!dir || !uid) {
		fprintf(stderr, "run through tests/pam/run-pam-tests.sh\n");
		return 77;
	}
	drop_pam_wrapper_from_children();
	snprintf(tmp, sizeof(tmp), "%s", dir);
	test_uid = (uid_t)strtoul(uid, NULL, 10);
	test_gid = (gid_t)test_uid;
	if (ect_derive_key(MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE), ect_default_salt, key) ||
	    ect_key_signature(key, sig_fekek) ||
	    ect_derive_key(MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE), ect_fnek_salt, key) ||
	    ect_key_signature(key, sig_fnek)) {
		fprintf(stderr, "key derivation failed\n");
		return 1;
	}
	ect_wipe(key, sizeof(key));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
