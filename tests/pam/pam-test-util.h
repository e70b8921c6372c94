/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the pam_wrapper test programs (run by run-pam-tests.sh): the
 * fake users' homes, the test user's keyring, the recording stand-in
 * helpers and running a PAM transaction with a scripted conversation.
 * Include after <cmocka.h> and <libpamtest.h>.
 */
#ifndef PAM_TEST_UTIL_H
#define PAM_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ecryptfs-tools.h"

#define STACK_IGNORED PAM_PERM_DENIED
#define MOUNT_PASSPHRASE "0123456789abcdef0123456789abcdef"
#define PW "correct horse"
#define NEW_PW "battery staple"

extern char tmp[512];	/* ECT_PAM_TEST_DIR: homes, services, helpers */
extern uid_t test_uid;	/* uid of every fake user (ECT_PAM_TEST_UID) */
extern gid_t test_gid;
extern char sig_fekek[ECT_SIG_HEX_SIZE + 1];
extern char sig_fnek[ECT_SIG_HEX_SIZE + 1];

/* Globals from the environment, pam_wrapper kept out of system(): 0, or main's exit code. */
int pam_test_init(void);

void xwrite(const char *path, const char *text, mode_t mode);
char *path_of(char *buf, size_t size, const char *fmt, ...) ECT_PRINTF(3, 4);
bool exists(const char *path);
/* system(), asserting success */
void run(const char *fmt, ...) ECT_PRINTF(1, 2);

enum home_kind { HOME_V3, HOME_V2, HOME_CORRUPT, HOME_UNREADABLE, HOME_INDEPENDENT, HOME_COSTLY };
/* HOME_COSTLY: a valid v3 file just above a 20 MiB budget, still cheap to compute. */
#define COSTLY_M_KIB (24 * 1024)
void make_home(const char *user, enum home_kind kind);
int wrap_version(const char *user);
int unwraps_with(const char *user, const char *pw);

bool user_has_key(const char *sig);
void add_user_keys(void);
void clear_user_keys(void);

char *helper_log(void);
void helper_fails_next(const char *message, int code);
void make_helpers(void);

struct conv_out {
	char *err[8];
	char *info[8];
	char buf[16][512];
};

void expect(const char *service, const char *user, struct pam_testcase *tc, size_t n,
	    struct conv_out *out, const char **echo_off);

#define EXPECT(service, user, out, echo, ...)                                              \
	do {                                                                              \
		struct pam_testcase tc_[] = { __VA_ARGS__ };                              \
		expect(service, user, tc_, sizeof(tc_) / sizeof(tc_[0]), out, echo);      \
	} while (0)

#endif /* PAM_TEST_UTIL_H */
