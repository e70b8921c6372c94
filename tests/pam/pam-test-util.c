// SPDX-License-Identifier: GPL-2.0-or-later
/* What the pam_wrapper test programs share: homes, keyring checks, helpers, running PAM. */
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

char tmp[512];
uid_t test_uid;
gid_t test_gid;
char sig_fekek[ECT_SIG_HEX_SIZE + 1];
char sig_fnek[ECT_SIG_HEX_SIZE + 1];

/* ---- small file helpers ------------------------------------------------- */

void xwrite(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

char *path_of(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, size, "%s/", tmp);
	va_start(ap, fmt);
	vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* ---- the fake users' homes ---------------------------------------------- */



void make_home(const char *user, enum home_kind kind)
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

int wrap_version(const char *user)
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

int unwraps_with(const char *user, const char *pw)
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

/*
 * fn(arg) in a child that has become the test user: its result as the
 * child's exit status (0..1 by the callers here; 2: becoming the user failed).
 */
static int as_test_user(int (*fn)(const void *arg), const void *arg)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(test_gid) || setuid(test_uid))
			_exit(2);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 2);
	return WEXITSTATUS(status);
}

static int search_key(const void *sig)
{
	return keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig, 0) > 0 ? 0 : 1;
}

/* Ask from a child that became the test user, as the module's child did. */
bool user_has_key(const char *sig)
{
	return as_test_user(search_key, sig) == 0;
}

static int add_keys(const void *arg)
{
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek[ECT_SIG_HEX_SIZE + 1];

	(void)arg;
	return ect_keyring_add_mount_keys(MOUNT_PASSPHRASE, strlen(MOUNT_PASSPHRASE), NULL,
					  ECT_KEYS_FNEK_FIRST, fekek, fnek) ? 1 : 0;
}

/* Keys another session of the test user already holds before a login. */
void add_user_keys(void)
{
	assert_int_equal(as_test_user(add_keys, NULL), 0);
}

static int clear_keys(const void *arg)
{
	(void)arg;
	keyctl_clear(KEY_SPEC_USER_KEYRING);
	return 0;
}

void clear_user_keys(void)
{
	as_test_user(clear_keys, NULL);
}

/* ---- the recording helper ------------------------------------------------ */

char *helper_log(void)
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

void helper_fails_next(const char *message, int code)
{
	char f[700], t[300];

	path_of(f, sizeof(f), "helpers/fail");
	snprintf(t, sizeof(t), "%d %s\n", code, message);
	xwrite(f, t, 0644);
}

void make_helpers(void)
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
		 "if [ -x \"$d/hook\" ]; then \"$d/hook\" \"$(basename \"$0\")\" \"$@\" || exit $?; fi\n"
		 "if [ -f \"$d/fail\" ]; then read code msg < \"$d/fail\"; echo \"$msg\" >&2; exit \"$code\"; fi\n"
		 "exit 0\n", d);
	for (size_t i = 0; i < 2; i++) {
		snprintf(f, sizeof(f), "%s/%s", d, names[i]);
		xwrite(f, script, 0755);
	}
	snprintf(f, sizeof(f), "%s/calls.log", d);
	xwrite(f, "", 0666);
}

/* ---- running PAM -------------------------------------------------------- */


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

void expect(const char *service, const char *user, struct pam_testcase *tc, size_t n,
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


int pam_test_init(void)
{
	const char *dir = getenv("ECT_PAM_TEST_DIR");
	const char *uid = getenv("ECT_PAM_TEST_UID");
	uint8_t key[ECT_KEY_SIZE];

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
	return 0;
}
