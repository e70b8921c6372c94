/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the codec unit tests (header-only, static). */
#ifndef ECT_CODEC_TEST_H
#define ECT_CODEC_TEST_H

#include <errno.h>
#include <gcrypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecryptfs-tools.h"

/* Parse hex (spaces ignored) into out; returns the byte count. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ')
			continue;
		v = *hex <= '9' ? *hex - '0' : (*hex | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < max)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

static inline void tohex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* The library's eCryptfs derivation (kdf module): key and signature. */
static inline void test_derive(const char *pass, const uint8_t salt[8], uint8_t key[64],
			       char sig[17])
{
	if (ect_derive_key(pass, strlen(pass), salt, key) || ect_key_signature(key, sig))
		abort();
}

static const uint8_t test_salt_default[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
static const uint8_t test_salt_fnek[8] = { '9', '9', '8', '8', '7', '7', '6', '6' };

/* An unlinked temporary file under $TMPDIR (or /tmp), read-write; aborts on failure. */
static inline int test_temp_fd(const char *tag)
{
	char path[4096];
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, sizeof(path), "%s/%s-XXXXXX", dir ? dir : "/tmp", tag);
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	unlink(path);
	return fd;
}

#endif /* ECT_CODEC_TEST_H */
