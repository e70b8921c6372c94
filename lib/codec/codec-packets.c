// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: the kernel's cipher table, packet lengths, key signatures, ECB
 * key wrapping and tag 3 / tag 11 writing (format doc §2, §5.5).
 */
#include "codec-internal.h"

#include <errno.h>
#include <string.h>

struct cipher_row {
	const char *name;
	uint8_t code;
	unsigned int block_size;
	unsigned int default_key;
	int algo_by_key[65]; /* backend cipher id per key size, 0 = not accepted */
};

/*
 * Key sizes: what the kernel can use for a file (the FEK wrap needs a
 * multiple of the block size). libgcrypt implements all but two: CAST5
 * with 8-byte keys (12 rounds, RFC 2144) and CAST-256 (RFC 2612), which
 * the backend takes from the running kernel's crypto API when it offers
 * them, and reports as unsupported when it does not.
 */
static const struct cipher_row cipher_rows[] = {
	{ "aes", 0, 16, 16, {
		[16] = ECT__AES128, [24] = ECT__AES192, [32] = ECT__AES256 } },
	{ "blowfish", ECT_CIPHER_CODE_BLOWFISH, 8, 16, {
		[8] = ECT__BLOWFISH, [16] = ECT__BLOWFISH, [24] = ECT__BLOWFISH,
		[32] = ECT__BLOWFISH, [40] = ECT__BLOWFISH, [48] = ECT__BLOWFISH,
		[56] = ECT__BLOWFISH } },
	{ "des3_ede", ECT_CIPHER_CODE_DES3_EDE, 8, 24, { [24] = ECT__3DES } },
	{ "cast5", ECT_CIPHER_CODE_CAST5, 8, 16, { [8] = ECT__KERNEL_CAST5, [16] = ECT__CAST5 } },
	{ "twofish", ECT_CIPHER_CODE_TWOFISH, 16, 16, {
		[16] = ECT__TWOFISH128, [32] = ECT__TWOFISH256 } },
	{ "cast6", ECT_CIPHER_CODE_CAST6, 16, 16, {
		[16] = ECT__KERNEL_CAST6, [32] = ECT__KERNEL_CAST6 } },
};

static int aes_code(size_t key_bytes)
{
	switch (key_bytes) {
	case 16:
		return ECT_CIPHER_CODE_AES_128;
	case 24:
		return ECT_CIPHER_CODE_AES_192;
	case 32:
		return ECT_CIPHER_CODE_AES_256;
	default:
		return 0;
	}
}

static int fill_info(const struct cipher_row *r, size_t key_bytes, struct ect_cipher_info *info)
{
	int algo;

	if (!key_bytes)
		key_bytes = r->default_key;
	if (key_bytes > 64 || !r->algo_by_key[key_bytes])
		return -EINVAL;
	algo = r->algo_by_key[key_bytes];
	info->name = r->name;
	info->code = r->code ? r->code : (uint8_t)aes_code(key_bytes);
	info->key_bytes = (unsigned int)key_bytes;
	info->block_size = r->block_size;
	info->supported = ect__cipher_available((enum ect__cipher_algo)algo) == 0;
	return info->supported ? 0 : ECT_E_UNSUPPORTED;
}

int ect_cipher_lookup(const char *name, size_t key_bytes, struct ect_cipher_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!name)
		name = "aes";
	for (size_t i = 0; i < ECT_ARRAY_SIZE(cipher_rows); i++)
		if (!strcmp(cipher_rows[i].name, name))
			return fill_info(&cipher_rows[i], key_bytes, info);
	return -EINVAL;
}

int ect_cipher_by_code(uint8_t code, size_t key_bytes, struct ect_cipher_info *info)
{
	memset(info, 0, sizeof(*info));
	/* Like the kernel, the code only names the cipher; the size is the caller's. */
	switch (code) {
	case ECT_CIPHER_CODE_AES_128:
		return fill_info(&cipher_rows[0], key_bytes ? key_bytes : 16, info);
	case ECT_CIPHER_CODE_AES_192:
		return fill_info(&cipher_rows[0], key_bytes ? key_bytes : 24, info);
	case ECT_CIPHER_CODE_AES_256:
		return fill_info(&cipher_rows[0], key_bytes ? key_bytes : 32, info);
	default:
		break;
	}
	for (size_t i = 1; i < ECT_ARRAY_SIZE(cipher_rows); i++)
		if (cipher_rows[i].code == code)
			return fill_info(&cipher_rows[i], key_bytes, info);
	return ECT_E_UNSUPPORTED;
}

enum ect__cipher_algo codec__cipher_algo(const struct ect_cipher_info *ci)
{
	for (size_t i = 0; i < ECT_ARRAY_SIZE(cipher_rows); i++)
		if (!strcmp(cipher_rows[i].name, ci->name) && ci->key_bytes <= 64 &&
		    cipher_rows[i].algo_by_key[ci->key_bytes])
			return (enum ect__cipher_algo)cipher_rows[i].algo_by_key[ci->key_bytes];
	return 0;
}

int codec__parse_packet_len(const uint8_t *p, size_t avail, size_t *len, size_t *used)
{
	if (avail < 1)
		return ECT_E_TRUNCATED;
	if (p[0] < 192) {
		*len = p[0];
		*used = 1;
		return 0;
	}
	if (p[0] < 224) {
		if (avail < 2)
			return ECT_E_TRUNCATED;
		*len = (size_t)(p[0] - 192) * 256 + p[1] + 192;
		*used = 2;
		return 0;
	}
	return ECT_E_FORMAT; /* 224..254 reserved, 255: five-byte form unsupported */
}

int codec__write_packet_len(uint8_t *p, size_t len)
{
	if (len < 192) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len <= CODEC_PACKET_LEN_MAX) {
		p[0] = (uint8_t)((len - 192) / 256 + 192);
		p[1] = (uint8_t)((len - 192) % 256);
		return 2;
	}
	return ECT_E_FORMAT;
}

void codec__sig_to_hex(const uint8_t sig[ECT_SIG_SIZE], char hex[ECT_SIG_HEX_SIZE + 1])
{
	ect__hex_encode(sig, ECT_SIG_SIZE, hex);
}

int codec__sig_from_hex(const char *hex, uint8_t sig[ECT_SIG_SIZE])
{
	char lower[ECT_SIG_HEX_SIZE + 1];

	/* a caller's key: either case, as mount options (ect__sig_lower) */
	if (ect__sig_lower(hex, lower) || ect__hex_decode(lower, sig, ECT_SIG_SIZE))
		return ECT_E_BAD_SIG;
	return 0;
}

int codec__ecb(const struct ect_cipher_info *ci, const uint8_t *key, int encrypt,
	       const void *in, void *out, size_t len)
{
	enum ect__cipher_algo algo = codec__cipher_algo(ci);
	struct ect__cipher *hd;
	int rc;

	if (!algo)
		return ECT_E_UNSUPPORTED;
	if (!len || len % ci->block_size)
		return ECT_E_FORMAT;
	/* 3DES weak keys are set anyway, as the kernel does outside FIPS. */
	rc = ect__cipher_open(&hd, algo, ECT__ECB, key, ci->key_bytes);
	if (rc)
		return rc;
	if (in != out) {
		memmove(out, in, len);
	}
	rc = encrypt ? ect__cipher_encrypt(hd, out, len, NULL, 0)
		     : ect__cipher_decrypt(hd, out, len, NULL, 0);
	ect__cipher_close(hd);
	return rc;
}

int codec__write_key_pair(uint8_t *p, size_t room, const struct ect_header_key *k)
{
	size_t body = CODEC_TAG_3_MIN_BODY + k->efek_len;
	size_t i = 0;
	int n;

	if (room < 2 + body + 2 + CODEC_TAG_11_BODY)
		return -ENOSPC;
	/* tag 3: version 4, cipher, S2K "iterated salted MD5" labels the kernel ignores */
	p[i++] = CODEC_TAG_3;
	n = codec__write_packet_len(p + i, body);
	if (n < 0)
		return n;
	i += (size_t)n;
	p[i++] = 0x04;
	p[i++] = k->cipher_code;
	p[i++] = 0x03;
	p[i++] = 0x01;
	memcpy(p + i, k->salt, ECT_SALT_SIZE);
	i += ECT_SALT_SIZE;
	p[i++] = 0x60; /* 65536 iterations, as the kernel writes */
	memcpy(p + i, k->efek, k->efek_len);
	i += k->efek_len;
	/* tag 11: literal packet "_CONSOLE" carrying the binary signature */
	p[i++] = CODEC_TAG_11;
	p[i++] = CODEC_TAG_11_BODY;
	p[i++] = 0x62;
	p[i++] = 0x08;
	memcpy(p + i, "_CONSOLE", 8);
	i += 8;
	memset(p + i, 0, 4);
	i += 4;
	n = codec__sig_from_hex(k->sig, p + i);
	if (n)
		return n;
	i += ECT_SIG_SIZE;
	return (int)i;
}
