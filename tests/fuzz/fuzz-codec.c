// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the codec's parsers (libFuzzer entry point). The first
 * input byte picks the target; the rest is the data:
 *   0: in-file header   1: xattr header   2: header + FEK unwrap + extent
 *   3: lower file name  4: symlink target 5: name encoding decoder
 *   6: ecryptfs-stat's header report (recover, verify)
 * Build and run: see tests/fuzz/README.md (make tests/fuzz/replay-codec
 * replays inputs without clang).
 */
#include "fuzz-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fixed key whose signature matches the one the corpus uses. */
static const uint8_t fuzz_key[ECT_KEY_SIZE] = { 0x0f, 0x38, 0xa5, 0x37, 0xff, 0xd1, 0x80, 0x4f,
						0xb1, 0x3c, 0x6c, 0xe7, 0x14, 0xb0, 0x9c, 0x7b };

static void fuzz_open(const uint8_t *data, size_t size)
{
	struct ect_codec_key key = { "3515cca9baaea1f4", fuzz_key };
	struct ect_codec_file *f;
	uint8_t extent[ECT_EXTENT_SIZE] = { 0 };

	if (ect_codec_open_header(data, size, 0, -1, &key, 1, &f))
		return;
	if (!ect_codec_decrypt_extents(f, ect_codec_size(f) / ECT_EXTENT_SIZE, 1, extent, extent))
		(void)ect_codec_extent_count(f);
	ect_codec_close(f);
}

static void fuzz_name(const uint8_t *data, size_t size, unsigned int flags)
{
	static struct ect_fname_codec *c;
	char out[8192];

	if (!c && ect_fname_codec_new(fuzz_key, "be877764c5918621", "aes", 16, &c))
		abort();
	if (ect_fname_decrypt(c, (const char *)data, size, flags, out, sizeof(out)) >= 0 &&
	    strlen(out) > sizeof(out))
		abort();
	if (ect_fname_peek((const char *)data, size, NULL, NULL) > 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ect_header_info info;
	struct ect_stat_info st;
	uint8_t raw[8192];

	if (!size)
		return 0;
	switch (data[0] % 7) {
	case 0:
	case 1:
		if (ect_header_parse(data + 1, size - 1, data[0] % 7, &info) > 0)
			abort();
		break;
	case 2:
		fuzz_open(data + 1, size - 1);
		break;
	case 3:
		fuzz_name(data + 1, size - 1, 0);
		break;
	case 4:
		fuzz_name(data + 1, size - 1, ECT_FNAME_SYMLINK | ECT_FNAME_PASSTHROUGH);
		break;
	case 6:
		(void)ect_stat_parse(data + 1, size - 1, 0, &st);
		break;
	default:
		if (ect_fname_decode((const char *)data + 1, size - 1, raw, sizeof(raw)) > (ssize_t)sizeof(raw))
			abort();
		break;
	}
	return 0;
}
