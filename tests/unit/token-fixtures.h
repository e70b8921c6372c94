/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throwaway SoftHSM2 token for the token tests: its own SOFTHSM2_CONF
 * and token directory under /tmp, a token "ect-test" with user PIN 1234,
 * an RSA-2048 key pair (id 01, "ect-rsa"), EC pairs on P-256 (id 02,
 * "ect-ec"), P-384 (id 03, "ect-ec384") and P-521 (id 04, "ect-ec521", a
 * curve records do not support) made with pkcs11-tool.
 */
#ifndef ECT_TOKEN_FIXTURES_H
#define ECT_TOKEN_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TOKEN_LABEL "ect-test"
#define TOKEN_PIN "1234"
#define TOKEN_URI_BASE "pkcs11:token=" TOKEN_LABEL
#define TOKEN_URI_Q "?module-path=" TOKEN_MODULE
#define TOKEN_URI_RSA TOKEN_URI_BASE ";id=%01;object=ect-rsa" TOKEN_URI_Q
#define TOKEN_URI_EC TOKEN_URI_BASE ";id=%02" TOKEN_URI_Q
#define TOKEN_URI_EC384 TOKEN_URI_BASE ";id=%03" TOKEN_URI_Q
#define TOKEN_URI_EC521 TOKEN_URI_BASE ";id=%04" TOKEN_URI_Q

struct token_fixture {
	char dir[64];	      /* holds softhsm2.conf and tokens/ */
	char tokens[96];
	char conf[96];
};

/* True when SoftHSM2 (module and softhsm2-util) is installed. */
bool token_fixture_available(void);
/* Make the token and keys; 0 or -1 with a message on stderr. */
int token_fixture_make(struct token_fixture *f);
/* Remove the token directory tree. */
void token_fixture_remove(struct token_fixture *f);
/* Run argv (argv[0] searched in PATH) with output to /dev/null; its exit status or -1. */
int token_fixture_run(const char *const *argv);

#endif /* ECT_TOKEN_FIXTURES_H */
