// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: file name encryption (format doc §4). Tag 70 packets: ECB over
 * a deterministic MD5-chain prefix (0x00 replaced by 0x42), a 0x00
 * separator and the name; encoded with the kernel's own 64-character
 * alphabet (not base64) behind "ECRYPTFS_FNEK_ENCRYPTED.".
 */
#include "codec-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define FNAME_MIN_PREFIX 17	/* 16 "random" bytes + the 0x00 separator */
#define FNAME_NON_NULL 0x42	/* ECRYPTFS_NON_NULL */
#define FNAME_PACKET_MAX (1 + 2 + CODEC_PACKET_LEN_MAX)

static const char fname_alphabet[] =
	"-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct ect_fname_codec {
	struct ect_cipher_info cipher;
	uint8_t sig[ECT_SIG_SIZE];
	uint8_t *fnek;		/* locked, ECT_KEY_SIZE */
	uint8_t prefix_md5[16]; /* MD5 of the whole 64-byte FNEK: the chain start */
	uint8_t *work;		/* locked scratch: packet + plaintext */
	/* Opened once: per-call handles would run the RNG fast poll each time. */
	struct ect__cipher *ecb;
	struct ect__md *md5;
};

#define FNAME_WORK_SIZE (2 * FNAME_PACKET_MAX)

int ect_fname_codec_new(const uint8_t fnek[ECT_KEY_SIZE], const char *sig, const char *cipher,
			size_t key_bytes, struct ect_fname_codec **out)
{
	struct ect_fname_codec *c;
	int rc;

	*out = NULL;
	rc = ect__crypto_init();
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rc = ect_cipher_lookup(cipher, key_bytes, &c->cipher);
	if (!rc)
		rc = codec__sig_from_hex(sig, c->sig);
	if (rc)
		goto fail;
	c->fnek = ect_secure_alloc(ECT_KEY_SIZE);
	c->work = ect_secure_alloc(FNAME_WORK_SIZE);
	if (!c->fnek || !c->work) {
		rc = ECT_E_SECMEM;
		goto fail;
	}
	memcpy(c->fnek, fnek, ECT_KEY_SIZE);
	rc = ect__md_open(&c->md5, ECT__MD5);
	if (!rc)
		rc = ect__cipher_open(&c->ecb, codec__cipher_algo(&c->cipher), ECT__ECB, c->fnek,
				      c->cipher.key_bytes);
	if (rc)
		goto fail;
	/* session_key_encryption_key_bytes is 64 for every passphrase token */
	codec__md5(c->md5, c->fnek, ECT_KEY_SIZE, c->prefix_md5);
	*out = c;
	return 0;
fail:
	ect_fname_codec_free(c);
	return rc;
}

void ect_fname_codec_free(struct ect_fname_codec *c)
{
	if (!c)
		return;
	ect__cipher_close(c->ecb);
	ect__md_close(c->md5);
	ect_secure_free(c->fnek);
	ect_secure_free(c->work);
	ect_wipe(c, sizeof(*c));
	free(c);
}

size_t ect_fname_encoded_len(size_t raw_len)
{
	return 4 * ((raw_len + 2) / 3);
}

/* Padded block N for a name of len bytes. */
static size_t padded_len(unsigned int block_size, size_t len)
{
	size_t r = FNAME_MIN_PREFIX;

	if ((r + len) % block_size)
		r += block_size - (r + len) % block_size;
	return r + len;
}

static size_t packet_len(unsigned int block_size, size_t len)
{
	size_t body = ECT_SIG_SIZE + 1 + padded_len(block_size, len);

	return 1 + (body < 192 ? 1 : 2) + body;
}

size_t ect_fname_lower_len(unsigned int block_size, size_t len)
{
	return ECT_FNEK_PREFIX_LEN + ect_fname_encoded_len(packet_len(block_size, len));
}

size_t ect__fname_name_max(unsigned int block_size, size_t lower_max)
{
	size_t len = 0;

	while (ect_fname_lower_len(block_size, len + 1) <= lower_max)
		len++;
	return len;
}

int ect_fname_name_max(const struct ect_fname_codec *c)
{
	return (int)ect__fname_name_max(c->cipher.block_size, ECT_NAME_MAX_LOWER);
}

ssize_t ect_fname_encode(const void *raw, size_t len, char *out, size_t outsize)
{
	const uint8_t *s = raw;
	size_t o = 0;

	if (ect_fname_encoded_len(len) >= outsize)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 3) {
		uint8_t b0 = s[i], b1 = i + 1 < len ? s[i + 1] : 0, b2 = i + 2 < len ? s[i + 2] : 0;

		out[o++] = fname_alphabet[b0 >> 2];
		out[o++] = fname_alphabet[(b0 & 0x03) << 4 | b1 >> 4];
		out[o++] = fname_alphabet[(b1 & 0x0f) << 2 | b2 >> 6];
		out[o++] = fname_alphabet[b2 & 0x3f];
	}
	out[o] = '\0';
	return (ssize_t)o;
}

static uint8_t decode_char(char ch)
{
	const char *p = ch ? memchr(fname_alphabet, ch, 64) : NULL;

	return p ? (uint8_t)(p - fname_alphabet) : 0; /* the kernel maps unknowns to 0 */
}

ssize_t ect_fname_decode(const char *enc, size_t len, void *out, size_t outsize)
{
	uint8_t *d = out;
	size_t need = len * 6 / 8, o = 0;
	unsigned int acc = 0, bits = 0;

	if (need > outsize)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 6 | decode_char(enc[i])) & 0xfff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (ssize_t)o;
}

/* The kernel's deterministic "random" prefix: an MD5 chain over the FNEK. */
static void fill_prefix(struct ect_fname_codec *c, uint8_t *p, size_t n)
{
	uint8_t h[16];

	memcpy(h, c->prefix_md5, sizeof(h));
	for (size_t j = 0; j < n; j++) {
		p[j] = h[j % 16];
		if (j % 16 == 15)
			codec__md5(c->md5, h, sizeof(h), h);
		if (!p[j])
			p[j] = FNAME_NON_NULL;
	}
	ect_wipe(h, sizeof(h));
}

/* ECB with the codec's own handle, or a one-off one for another cipher. */
static int ecb(struct ect_fname_codec *c, const struct ect_cipher_info *ci, int encrypt,
	       const void *in, void *out, size_t len)
{
	if (strcmp(ci->name, c->cipher.name) || ci->key_bytes != c->cipher.key_bytes)
		return codec__ecb(ci, c->fnek, encrypt, in, out, len);
	if (len % ci->block_size)
		return ECT_E_FORMAT;
	if (in == out)
		in = NULL;
	return encrypt ? ect__cipher_encrypt(c->ecb, out, len, in, len)
		       : ect__cipher_decrypt(c->ecb, out, len, in, len);
}

static int is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static ssize_t copy_out(const char *s, size_t len, char *out, size_t outsize)
{
	if (len >= outsize)
		return -ENOSPC;
	memcpy(out, s, len);
	out[len] = '\0';
	return (ssize_t)len;
}

ssize_t ect_fname_encrypt(struct ect_fname_codec *c, const char *name, size_t len,
			  unsigned int flags, char *out, size_t outsize)
{
	uint8_t *pkt = c->work;
	size_t n, body, i = 0, lower_len;
	int rc;

	if (!len || memchr(name, '\0', len))
		return -EINVAL;
	if (!(flags & ECT_FNAME_SYMLINK)) {
		if (is_dot(name, len))
			return copy_out(name, len, out, outsize);
		if (memchr(name, '/', len))
			return -EINVAL;
	}
	n = padded_len(c->cipher.block_size, len);
	body = ECT_SIG_SIZE + 1 + n;
	lower_len = ect_fname_lower_len(c->cipher.block_size, len);
	if (body > CODEC_PACKET_LEN_MAX || len >= PATH_MAX)
		return ECT_E_NAME_TOO_LONG;
	if (flags & ECT_FNAME_SYMLINK ? lower_len >= PATH_MAX : lower_len > ECT_NAME_MAX_LOWER)
		return ECT_E_NAME_TOO_LONG;
	if (lower_len >= outsize)
		return -ENOSPC;
	pkt[i++] = CODEC_TAG_70;
	rc = codec__write_packet_len(pkt + i, body);
	if (rc < 0)
		return rc;
	i += (size_t)rc;
	memcpy(pkt + i, c->sig, ECT_SIG_SIZE);
	i += ECT_SIG_SIZE;
	pkt[i++] = c->cipher.code;
	fill_prefix(c, pkt + i, n - len - 1);
	pkt[i + n - len - 1] = 0x00;
	memcpy(pkt + i + n - len, name, len);
	rc = ecb(c, &c->cipher, 1, pkt + i, pkt + i, n);
	if (rc)
		goto out;
	i += n;
	memcpy(out, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN);
	rc = (int)ect_fname_encode(pkt, i, out + ECT_FNEK_PREFIX_LEN, outsize - ECT_FNEK_PREFIX_LEN);
	if (rc >= 0)
		rc += ECT_FNEK_PREFIX_LEN;
out:
	ect_wipe(pkt, i + n);
	return rc;
}

/* Decode the name and check the tag 70 framing; *body_at / *n locate the block. */
static int unpack(const char *lower, size_t len, uint8_t *pkt, size_t pkt_size,
		  size_t *body_at, size_t *n)
{
	size_t dlen, body, lenlen;
	ssize_t got;
	int rc;

	if (len <= ECT_FNEK_PREFIX_LEN || memcmp(lower, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN))
		return ECT_E_NOT_ECRYPTFS;
	dlen = len - ECT_FNEK_PREFIX_LEN;
	if (dlen * 6 / 8 > pkt_size)
		return ECT_E_FORMAT; /* longer than any tag 70 the kernel writes */
	got = ect_fname_decode(lower + ECT_FNEK_PREFIX_LEN, dlen, pkt, pkt_size);
	if (got < 0)
		return (int)got;
	if (got < 1 || pkt[0] != CODEC_TAG_70)
		return got < 1 ? ECT_E_TRUNCATED : ECT_E_FORMAT;
	rc = codec__parse_packet_len(pkt + 1, (size_t)got - 1, &body, &lenlen);
	if (rc)
		return rc;
	if (body < ECT_SIG_SIZE + 1 + 1)
		return ECT_E_FORMAT;
	if (1 + lenlen + body > (size_t)got)
		return ECT_E_TRUNCATED;
	*body_at = 1 + lenlen;
	*n = body - ECT_SIG_SIZE - 1;
	return 0;
}

int ect_fname_peek(const char *lower, size_t len, char sig[ECT_SIG_HEX_SIZE + 1],
		   uint8_t *cipher_code)
{
	uint8_t pkt[FNAME_PACKET_MAX];
	size_t at, n;
	int rc = unpack(lower, len, pkt, sizeof(pkt), &at, &n);

	if (rc)
		return rc;
	if (sig)
		codec__sig_to_hex(pkt + at, sig);
	if (cipher_code)
		*cipher_code = pkt[at + ECT_SIG_SIZE];
	return 0;
}

ssize_t ect_fname_decrypt(struct ect_fname_codec *c, const char *lower, size_t len,
			  unsigned int flags, char *out, size_t outsize)
{
	uint8_t *pkt = c->work, *plain;
	struct ect_cipher_info ci;
	size_t at, n, sep;
	ssize_t ret;
	int rc;

	if (!(flags & ECT_FNAME_SYMLINK) && is_dot(lower, len))
		return copy_out(lower, len, out, outsize);
	rc = unpack(lower, len, pkt, FNAME_PACKET_MAX, &at, &n);
	if (rc == ECT_E_NOT_ECRYPTFS) {
		/* The kernel shows short unprefixed names and hides the rest. */
		if ((flags & ECT_FNAME_PASSTHROUGH) ||
		    ((flags & ECT_FNAME_KERNEL_RULES) && len <= ECT_FNEK_PREFIX_LEN))
			return copy_out(lower, len, out, outsize);
		return rc;
	}
	if (rc)
		return rc;
	if (memcmp(pkt + at, c->sig, ECT_SIG_SIZE))
		return ECT_E_WRONG_PASSWORD;
	/* Cipher from the packet, key size from the mount (this codec). */
	rc = ect_cipher_by_code(pkt[at + ECT_SIG_SIZE], c->cipher.key_bytes, &ci);
	if (rc == -EINVAL)
		return ECT_E_FORMAT;
	if (rc)
		return rc;
	if (n % ci.block_size)
		return ECT_E_FORMAT;
	plain = pkt + FNAME_PACKET_MAX;
	rc = ecb(c, &ci, 0, pkt + at + ECT_SIG_SIZE + 1, plain, n);
	if (rc)
		goto out;
	/* The name follows the first 0x00. */
	for (sep = 0; sep < n && plain[sep]; sep++)
		;
	if (sep + 1 >= n) {
		rc = ECT_E_FORMAT;
		goto out;
	}
	/* A hostile packet must not smuggle a path out of one component. */
	if (memchr(plain + sep + 1, '\0', n - sep - 1) ||
	    (!(flags & ECT_FNAME_SYMLINK) &&
	     (memchr(plain + sep + 1, '/', n - sep - 1) ||
	      is_dot((const char *)plain + sep + 1, n - sep - 1)))) {
		rc = ECT_E_FORMAT;
		goto out;
	}
	ret = copy_out((const char *)plain + sep + 1, n - sep - 1, out, outsize);
	ect_wipe(plain, n);
	return ret;
out:
	ect_wipe(plain, n);
	return rc;
}
