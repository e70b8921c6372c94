/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the wrap unit tests (test-wrap*.c). */
#ifndef WRAP_HELPERS_H
#define WRAP_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "ecryptfs-tools.h"

/* $ECT_TEST_FIXTURES, set by make check; fails the test when missing. */
const char *fixtures_dir(void);
/* Read fixtures_dir()/rel (malloc'ed) or fail the test. */
void load_fixture(const char *rel, void **data, size_t *size);
/* Decode hex into out (at most max bytes); returns the length. */
size_t unhex(const char *hex, char *out, size_t max);
/* Unwrap and expect success with exactly want, from a file of that version. */
void expect_unwrap(const void *blob, size_t size, const char *pw, size_t pw_len,
		   const uint8_t *v1_salt, const char *want, size_t want_len,
		   enum ect_wrap_version version);
/* ect_unwrap's return code (the passphrase, if any, is freed). */
int unwrap_rc(const void *blob, size_t size, const char *pw, const uint8_t *v1_salt);
void floor_params(struct ect_argon2_params *p);
/* A v3 blob at the floor cost (malloc'ed). */
void make_v3(const char *pass, const char *pw, uint8_t **blob, size_t *size);
void put_be32(uint8_t *p, uint32_t v);

#endif /* WRAP_HELPERS_H */
