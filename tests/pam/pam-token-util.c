// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared by the token tests of tests/pam (see pam-token-util.h). */
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

const char *pin_ok[] = { "1234", NULL };
const char *pin_wrong_then_right[] = { "9999", "1234", NULL };

/* The token: its SoftHSM2 directory, owned by the test user (the module's child opens it). */
void make_token(void)
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
	run("pkcs11-tool --module " HSM_MODULE " --token-label " TOKEN_LABEL " --login --pin 1234 "
	    "--keypairgen --key-type EC:prime256v1 --id 02 --label ec >/dev/null 2>&1");
	run("chown -R %u:%u '%s'", (unsigned)test_uid, (unsigned)test_gid, hsm);
}

/* Pull the token out, and plug it in again (SoftHSM2 then finds no token). */
void pull_token(void)
{
	run("mv '%s/hsm/tokens' '%s/hsm/away' && mkdir '%s/hsm/tokens' && chown %u '%s/hsm/tokens'",
	    tmp, tmp, tmp, (unsigned)test_uid, tmp);
}

void plug_token(void)
{
	run("if [ -d '%s/hsm/away' ]; then rmdir '%s/hsm/tokens' && mv '%s/hsm/away' '%s/hsm/tokens'; fi",
	    tmp, tmp, tmp, tmp);
}

int open_dirs(const char *user, struct ect_user_dirs *d)
{
	char home[700];
	int fd = -1;

	path_of(home, sizeof(home), "home/%s", user);
	assert_int_equal(ect_config_dir_open(home, test_uid, &fd), 0);
	*d = (struct ect_user_dirs){ .config_fd = fd, .home_fd = -1, .uid = test_uid,
				     .gid = test_gid };
	return fd;
}

/* A record to the key uri names; password for a token AND password record. */
void enrol_uri(const char *user, const char *uri, enum ect_token_policy policy,
		      const char *password)
{
	struct ect_argon2_params floor;
	struct ect_user_dirs d;
	size_t index;
	int fd = open_dirs(user, &d);

	ect_argon2_params_floor(&floor);
	assert_int_equal(ect_token_enrol_user(&d, uri, policy, MOUNT_PASSPHRASE,
					      strlen(MOUNT_PASSPHRASE), password,
					      password ? strlen(password) : 0, &floor, &index),
			 0);
	close(fd);
}

/* A token record (the RSA key) for the mount passphrase. */
void enrol(const char *user, enum ect_token_policy policy, const char *password)
{
	enrol_uri(user, TOKEN_URI, policy, password);
}

/* Remove record index, or wrapped-passphrase (ECT_TOKEN_PASSWORD). */
void remove_protector(const char *user, size_t index)
{
	struct ect_user_dirs d;
	int fd = open_dirs(user, &d);

	assert_int_equal(ect_token_remove_user(&d, index), 0);
	close(fd);
}

/* A token-alone record; without_password: and no wrapped-passphrase (the token alone). */
void token_record(bool without_password)
{
	enrol("alice", ECT_TOKEN_ALONE, NULL);
	if (without_password)
		remove_protector("alice", ECT_TOKEN_PASSWORD);
}

int setup(void **state)
{
	(void)state;
	clear_user_keys();
	run("rm -rf '%s/home' && mkdir -m 755 '%s/home'", tmp, tmp);
	make_home("alice", HOME_V3);
	make_helpers();
	unsetenv("PAM_AUTHTOK");
	return 0;
}

int teardown(void **state)
{
	(void)state;
	plug_token();
	clear_user_keys();
	return 0;
}

/* auth then open_session of alice in service, with PINs to give and the open's result. */
void login(const char *service, struct conv_out *out, const char **pins, int open_rv)
{
	EXPECT(service, "alice", out, pins, pam_test(PAMTEST_AUTHENTICATE, STACK_IGNORED),
	       pam_test(PAMTEST_OPEN_SESSION, open_rv));
}

void mounted_with_keys(void)
{
	assert_true(user_has_key(sig_fekek));
	assert_true(user_has_key(sig_fnek));
	assert_non_null(strstr(helper_log(), "mount.ecryptfs_private"));
}

/* Forget the last login: its keys and the helper's record (nothing unmounts here). */
void log_out(void)
{
	clear_user_keys();
	make_helpers();
}

void stayed_locked(void)
{
	assert_false(user_has_key(sig_fekek));
	assert_string_equal(helper_log(), "");
}


/* The bytes of alice's wrapped-passphrase.token, to see a refused rewrap change nothing. */
void token_file(char *buf, size_t size, size_t *len)
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

bool told(const struct conv_out *out, const char *what)
{
	for (int i = 0; i < 8; i++)
		if (strstr(out->info[i], what) || strstr(out->err[i], what))
			return true;
	return false;
}
