// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: CBC encryption of several extents at once. CBC encryption of one
 * message is serial (each block waits for the previous one), but extents
 * are independent messages: step G extents together, XOR each one's next
 * plaintext block with its previous ciphertext block, and encrypt the G
 * blocks in one ECB call, which AES-NI pipelines. The output is exactly
 * G separate CBC encryptions; tests compare it with the one-by-one path.
 */
#include "codec-internal.h"

#include <errno.h>
#include <string.h>

#define GROUP_MAX CODEC_STAGE_EXTENTS /* extents per step: 32 x 16 bytes per ECB call */

static int open_ecb(struct ect_codec_file *f)
{
	if (f->ecb)
		return 0;
	return ect__cipher_open(&f->ecb, f->algo, ECT__ECB, f->fek, f->cipher.key_bytes);
}

/*
 * Staging layout: row b holds block b of each of the g extents side by
 * side, so every step reads and writes one contiguous row (extents 4 KiB
 * apart would alias in the L1 cache).
 */
static void xor_row(uint8_t *row, const uint8_t *prev, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t x, y;

		memcpy(&x, row + i, 8);
		memcpy(&y, prev + i, 8);
		x ^= y;
		memcpy(row + i, &x, 8);
	}
}

/* Strided block copy; fixed-size memcpy so the compiler inlines it. */
static void copy_blocks(uint8_t *dst, size_t dstride, const uint8_t *src, size_t sstride,
			size_t n, size_t bs)
{
	if (bs == 16)
		for (size_t b = 0; b < n; b++)
			memcpy(dst + b * dstride, src + b * sstride, 16);
	else
		for (size_t b = 0; b < n; b++)
			memcpy(dst + b * dstride, src + b * sstride, 8);
}

int codec__encrypt_grouped(struct ect_codec_file *f, uint64_t first, size_t count,
			   const uint8_t *in, uint8_t *out)
{
	const size_t bs = f->cipher.block_size;
	const size_t blocks = ECT_EXTENT_SIZE / bs;
	uint8_t ivs[GROUP_MAX * 16], iv[16];
	uint8_t *stage;
	int rc;

	rc = open_ecb(f);
	if (rc)
		return rc;
	stage = codec__stage(f, count < GROUP_MAX ? count : GROUP_MAX);
	if (!stage)
		return -ENOMEM;
	for (size_t g0 = 0; g0 < count; g0 += GROUP_MAX) {
		size_t g = count - g0 < GROUP_MAX ? count - g0 : GROUP_MAX;
		size_t row = g * bs;

		for (size_t k = 0; k < g; k++) {
			const uint8_t *src = in + (g0 + k) * ECT_EXTENT_SIZE;

			rc = codec__extent_iv(f, first + g0 + k, iv);
			if (rc)
				goto out;
			memcpy(ivs + k * bs, iv, bs); /* 8-byte blocks: first half of the IV */
			copy_blocks(stage + k * bs, row, src, bs, blocks, bs);
		}
		for (size_t b = 0; b < blocks; b++) {
			xor_row(stage + b * row, b ? stage + (b - 1) * row : ivs, row);
			rc = ect__cipher_encrypt(f->ecb, stage + b * row, row, NULL, 0);
			if (rc)
				goto out;
		}
		for (size_t k = 0; k < g; k++) {
			uint8_t *dst = out + (g0 + k) * ECT_EXTENT_SIZE;

			copy_blocks(dst, bs, stage + k * bs, row, blocks, bs);
		}
	}
out:
	ect_wipe(ivs, sizeof(ivs));
	ect_wipe(iv, sizeof(iv));
	return rc;
}
