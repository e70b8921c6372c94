// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: parsing and building lower-file headers (format doc §1, §2).
 * The parser is a pure function over (buffer, length) and follows the
 * kernel's ecryptfs_read_headers_virt() / ecryptfs_parse_packet_set(): the
 * same checks, the same rejections, never a read past len.
 */
#include "codec-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ect_header_is_ecryptfs(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!buf || len < CODEC_FLAGS_OFFSET)
		return 0;
	return (codec__be32(p + 8) ^ CODEC_MAGIC_MARKER) == codec__be32(p + 12);
}

/* The buffer being parsed: fault offsets are reported from its start. */
struct hdr_parse {
	const uint8_t *base;
	struct ect_header_info *info;
};

/* Record what is wrong and where (for ecryptfs-stat and the setup checks). */
static int fault(struct hdr_parse *hp, int err, const uint8_t *at, const char *what)
{
	snprintf(hp->info->problem, sizeof(hp->info->problem), "%s at byte %zu", what,
		 (size_t)(at - hp->base));
	return err;
}

/* The length of the packet at p (avail bytes from p, at least 1). */
static int packet_len(struct hdr_parse *hp, const uint8_t *p, size_t avail, const char *what,
		      size_t *body, size_t *lenlen)
{
	int rc = codec__parse_packet_len(p + 1, avail - 1, body, lenlen);
	char msg[64];

	if (!rc)
		return 0;
	snprintf(msg, sizeof(msg), "bad %s packet length", what);
	return fault(hp, rc, p + 1, msg);
}

/* The packet's body must end within the buffer. */
static int packet_fits(struct hdr_parse *hp, const uint8_t *p, size_t avail, size_t body,
		       size_t lenlen, const char *what)
{
	char msg[64];

	if (1 + lenlen + body <= avail)
		return 0;
	snprintf(msg, sizeof(msg), "%s packet runs past the header", what);
	return fault(hp, ECT_E_TRUNCATED, p, msg);
}

/* Tag 3 at p (avail bytes) into k; *used = packet length. */
static int parse_tag_3(struct hdr_parse *hp, const uint8_t *p, size_t avail,
		       struct ect_header_key *k, size_t *used)
{
	size_t body, lenlen, efek_len;
	struct ect_cipher_info ci;
	int rc;

	rc = packet_len(hp, p, avail, "tag 3", &body, &lenlen);
	if (rc)
		return rc;
	if (body < CODEC_TAG_3_MIN_BODY)
		return fault(hp, ECT_E_FORMAT, p, "tag 3 packet too short");
	rc = packet_fits(hp, p, avail, body, lenlen, "tag 3");
	if (rc)
		return rc;
	efek_len = body - CODEC_TAG_3_MIN_BODY;
	/* The kernel caps the EFEK at 512 and FEKs at 64 bytes. */
	if (efek_len > ECT_FEK_MAX || efek_len == 0)
		return fault(hp, ECT_E_FORMAT, p, "tag 3 encrypted key size out of range");
	p += 1 + lenlen;
	if (p[0] != 0x04)
		return fault(hp, ECT_E_FORMAT, p, "tag 3 packet version is not 4");
	k->cipher_code = p[1];
	/* FEK size = EFEK size, except AES-192 whose FEK is stored padded to 32. */
	rc = ect_cipher_by_code(k->cipher_code,
				k->cipher_code == ECT_CIPHER_CODE_AES_192 ? 24 : efek_len, &ci);
	if (rc == -EINVAL)
		return fault(hp, ECT_E_FORMAT, p + 1, "tag 3 key size impossible for its cipher");
	if (rc && rc != ECT_E_UNSUPPORTED)
		return rc;
	if (rc == ECT_E_UNSUPPORTED && !ci.name) /* the kernel fails too */
		return fault(hp, ECT_E_UNSUPPORTED, p + 1, "unknown tag 3 cipher code");
	/* S2K "iterated and salted", hash "MD5": the kernel requires both labels. */
	if (p[2] != 0x03 || p[3] != 0x01)
		return fault(hp, ECT_E_UNSUPPORTED, p + 2, "tag 3 string-to-key is not salted MD5");
	memcpy(k->salt, p + 4, ECT_SALT_SIZE);
	/* p[12] is the iteration count label, ignored like the kernel does. */
	k->efek_len = (uint8_t)efek_len;
	memcpy(k->efek, p + CODEC_TAG_3_MIN_BODY, efek_len);
	*used = 1 + lenlen + body;
	return 0;
}

/* Tag 11 at p into k->sig; *used = packet length. */
static int parse_tag_11(struct hdr_parse *hp, const uint8_t *p, size_t avail,
			struct ect_header_key *k, size_t *used)
{
	size_t body, lenlen;
	int rc;

	if (avail < 1)
		return fault(hp, ECT_E_TRUNCATED, p, "tag 3 packet without its tag 11");
	if (p[0] != CODEC_TAG_11) /* a tag 3 must be followed by its tag 11 */
		return fault(hp, ECT_E_FORMAT, p, "tag 3 packet without its tag 11");
	rc = packet_len(hp, p, avail, "tag 11", &body, &lenlen);
	if (rc)
		return rc;
	if (body < 14)
		return fault(hp, ECT_E_FORMAT, p, "tag 11 packet too short");
	rc = packet_fits(hp, p, avail, body, lenlen, "tag 11");
	if (rc)
		return rc;
	p += 1 + lenlen;
	if (p[0] != 0x62 || p[1] != 0x08 || body - 14 != ECT_SIG_SIZE)
		return fault(hp, ECT_E_FORMAT, p, "malformed tag 11 packet");
	codec__sig_to_hex(p + 14, k->sig);
	*used = 1 + lenlen + body;
	return 0;
}

/* Tag 1 (public key): recorded so callers can say why a file will not open. */
static int parse_tag_1(struct hdr_parse *hp, const uint8_t *p, size_t avail, size_t *used)
{
	struct ect_header_info *info = hp->info;
	size_t body, lenlen;
	int rc;

	rc = packet_len(hp, p, avail, "tag 1", &body, &lenlen);
	if (rc)
		return rc;
	if (body < CODEC_TAG_1_MIN_BODY || body - CODEC_TAG_1_MIN_BODY > CODEC_MAX_ENCRYPTED_KEY)
		return fault(hp, ECT_E_FORMAT, p, "tag 1 packet size out of range");
	rc = packet_fits(hp, p, avail, body, lenlen, "tag 1");
	if (rc)
		return rc;
	p += 1 + lenlen;
	if (p[0] != 0x03)
		return fault(hp, ECT_E_FORMAT, p, "tag 1 packet version is not 3");
	if (!info->n_pubkey++) {
		codec__sig_to_hex(p + 1, info->pubkey_sig);
		info->pubkey_efek_len = (uint16_t)(body - CODEC_TAG_1_MIN_BODY);
	}
	*used = 1 + lenlen + body;
	return 0;
}

static int parse_packet_set(struct hdr_parse *hp, const uint8_t *p, size_t avail)
{
	struct ect_header_info *info = hp->info;
	size_t i = 0, used;
	int rc;

	while (i < avail) {
		struct ect_header_key scratch, *k;

		switch (p[i]) {
		case CODEC_TAG_3:
			k = info->n_keys < ECT_HEADER_MAX_KEYS ? &info->keys[info->n_keys] : &scratch;
			memset(k, 0, sizeof(*k));
			rc = parse_tag_3(hp, p + i, avail - i, k, &used);
			if (rc)
				return rc;
			i += used;
			rc = parse_tag_11(hp, p + i, avail - i, k, &used);
			if (rc)
				return rc;
			i += used;
			if (k == &scratch)
				info->n_keys_dropped++;
			else
				info->n_keys++;
			break;
		case CODEC_TAG_1:
			rc = parse_tag_1(hp, p + i, avail - i, &used);
			if (rc)
				return rc;
			i += used;
			break;
		case CODEC_TAG_11:
			return fault(hp, ECT_E_FORMAT, p + i, "tag 11 packet without a tag 3");
		default:
			goto done; /* the 0x00 terminator, or anything else, ends the set */
		}
	}
done:
	if (info->n_keys + info->n_keys_dropped == 0) {
		if (info->n_pubkey)
			return fault(hp, ECT_E_UNSUPPORTED, p,
				     "only public-key (tag 1) packets, no passphrase key");
		return fault(hp, ECT_E_FORMAT, p + i, "no key packet");
	}
	return 0;
}

int ect_header_parse(const void *buf, size_t len, int from_xattr, struct ect_header_info *info)
{
	const uint8_t *p = buf;
	struct hdr_parse hp = { .base = p, .info = info };
	size_t off;

	memset(info, 0, sizeof(*info));
	info->in_xattr = !!from_xattr;
	if (!buf || len < CODEC_FLAGS_OFFSET) {
		snprintf(info->problem, sizeof(info->problem),
			 "%zu bytes, shorter than the size and marker", buf ? len : 0);
		return len >= 1 || from_xattr ? ECT_E_TRUNCATED : ECT_E_NOT_ECRYPTFS;
	}
	info->size = codec__be64(p);
	info->marker = codec__be32(p + CODEC_MARKER_OFFSET);
	if (!ect_header_is_ecryptfs(buf, len))
		return fault(&hp, ECT_E_NOT_ECRYPTFS, p + CODEC_MARKER_OFFSET, "no eCryptfs marker");
	if (len > ECT_HEADER_PARSE_MAX)
		len = ECT_HEADER_PARSE_MAX;
	if (len < CODEC_FLAGS_OFFSET + 4)
		return fault(&hp, ECT_E_TRUNCATED, p + len, "header ends before the flags");
	info->version = p[CODEC_FLAGS_OFFSET];
	info->flags = codec__be32(p + CODEC_FLAGS_OFFSET) & 0x00ffffffu;
	if (info->version > ECT_FILE_VERSION)
		return fault(&hp, ECT_E_VERSION, p + CODEC_FLAGS_OFFSET,
			     "file format version above 3");
	if (info->version >= 1) {
		if (len < CODEC_PACKETS_OFFSET)
			return fault(&hp, ECT_E_TRUNCATED, p + len,
				     "header ends before the extent fields");
		info->extent_size = codec__be32(p + 20);
		info->extent_count = (uint16_t)(p[24] << 8 | p[25]);
		info->metadata_size = (uint64_t)info->extent_size * info->extent_count;
		/* Only in-file headers are size-checked, as in the kernel. */
		if (!from_xattr && info->metadata_size < ECT_HEADER_SIZE)
			return fault(&hp, ECT_E_FORMAT, p + 20, "header size below 8192");
		off = CODEC_PACKETS_OFFSET;
	} else {
		info->metadata_size = ECT_HEADER_SIZE;
		off = CODEC_PACKETS_OFFSET_V0;
	}
	if (info->size > CODEC_SIZE_MAX)
		return fault(&hp, ECT_E_FORMAT, p, "plaintext size above 2^63");
	/* The kernel puts data at 0 whenever the (read) flags say "metadata in xattr". */
	info->data_offset = (from_xattr || (info->flags & ECT_HDR_FLAG_METADATA_IN_XATTR))
				    ? 0 : info->metadata_size;
	if (len <= off)
		return fault(&hp, ECT_E_TRUNCATED, p + len, "header ends before the key packets");
	return parse_packet_set(&hp, p + off, len - off);
}

ssize_t ect_codec_header_build(const struct ect_codec_file *f, void *buf, size_t bufsize)
{
	const struct ect_header_info *info = &f->info;
	uint8_t *p = buf;
	size_t i = CODEC_PACKETS_OFFSET, need;
	uint32_t count;

	if (info->in_xattr) {
		need = CODEC_PACKETS_OFFSET;
		for (unsigned int k = 0; k < info->n_keys; k++)
			need += 2 + CODEC_TAG_3_MIN_BODY + info->keys[k].efek_len + 2 + CODEC_TAG_11_BODY;
	} else {
		need = info->metadata_size;
	}
	if (bufsize < need)
		return -ENOSPC;
	memset(p, 0, need);
	codec__put_be64(p, f->size);
	codec__put_be32(p + 8, info->marker);
	codec__put_be32(p + 12, info->marker ^ CODEC_MAGIC_MARKER);
	codec__put_be32(p + 16, (uint32_t)ECT_FILE_VERSION << 24 | (info->flags & 0xff));
	codec__put_be32(p + 20, ECT_EXTENT_SIZE);
	count = (uint32_t)(info->metadata_size / ECT_EXTENT_SIZE);
	p[24] = (uint8_t)(count >> 8);
	p[25] = (uint8_t)count;
	for (unsigned int k = 0; k < info->n_keys; k++) {
		/* In-file: the packet set plus its 0x00 must fit the parsed 4096 bytes. */
		size_t room = (info->in_xattr ? need : ECT_HEADER_PARSE_MAX - 1) - i;
		int n = codec__write_key_pair(p + i, room, &info->keys[k]);

		if (n < 0)
			return n;
		i += (size_t)n;
	}
	/* The xattr holds the header up to the last packet; the file zero-pads. */
	return (ssize_t)need;
}
