/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support for the keys module: the ecryptfs-utils 111 token fixtures
 * (tests/fixtures/keyring) and a throwaway kernel-keyring context.
 */
#ifndef ECT_TEST_KEYS_FIXTURES_H
#define ECT_TEST_KEYS_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "ecryptfs-tools.h"

struct key_fixture {
	char name[64];
	char pass[ECT_PASSPHRASE_MAX + 1];
	size_t pass_len;
	char rc[96]; /* .ecryptfsrc fixture file, "" when the case ran without one */
	char fekek_sig[ECT_SIG_HEX_SIZE + 1];
	char fnek_sig[ECT_SIG_HEX_SIZE + 1];
};

/* Parse manifest.tsv; *cases is malloc'ed. Aborts the test program on a bad manifest. */
size_t key_fixtures_load(struct key_fixture **cases);
/* Read NAME.EXT (740 bytes) from the fixture directory. */
void key_fixture_token(const struct key_fixture *c, const char *ext, uint8_t tok[ECT_AUTH_TOK_SIZE]);
/*
 * The FEKEK salt of a case, the way ecryptfs-utils found it: the case's
 * .ecryptfsrc put in a temporary home and read with ect_rc_read_salt.
 */
int key_fixture_salt(const struct key_fixture *c, uint8_t salt[ECT_SALT_SIZE]);
/* True on a little-endian host: the committed tokens were made on x86-64. */
int key_fixtures_host_matches(void);

/*
 * Run body in a child with a throwaway kernel-keyring context: a new user
 * namespace whose uid 0 is an unused high uid outside (so @u is a fresh
 * keyring that dies with the namespace, and the small non-root key quota
 * applies), plus a fresh session keyring. Without user namespaces it falls
 * back to setresuid to that uid and clears its @u before and after.
 * body returns 0 or the failing line. Returns the child's result (0 = pass),
 * or -1 when the context could not be made. Needs root.
 */
int keyring_sandbox_run(int (*body)(void *arg), void *arg, unsigned int slot);

/* Inside a body: fail with the line when cond is false. */
#define KCHECK(cond)                                                                       \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			return __LINE__;                                                   \
		}                                                                          \
	} while (0)

#endif /* ECT_TEST_KEYS_FIXTURES_H */
