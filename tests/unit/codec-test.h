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

/*
 * The eCryptfs passphrase derivation (format doc §5.4), done here with
 * libgcrypt directly so the codec tests do not depend on the kdf module's
 * schedule; the signatures it yields are checked against kernel vectors.
 */
static inline void test_derive(const char *pass, const uint8_t salt[8], uint8_t key[64],
			       char sig[17])
{
	size_t plen = strlen(pass);
	uint8_t *buf = malloc(8 + plen);
	uint8_t h[64];

	memcpy(buf, salt, 8);
	memcpy(buf + 8, pass, plen);
	gcry_md_hash_buffer(GCRY_MD_SHA512, key, buf, 8 + plen);
	for (int i = 1; i < 65536; i++)
		gcry_md_hash_buffer(GCRY_MD_SHA512, key, key, 64);
	gcry_md_hash_buffer(GCRY_MD_SHA512, h, key, 64);
	tohex(h, 8, sig);
	free(buf);
}

static const uint8_t test_salt_default[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
static const uint8_t test_salt_fnek[8] = { '9', '9', '8', '8', '7', '7', '6', '6' };

#endif /* ECT_CODEC_TEST_H */
