// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lower-file header inspection for ecryptfs-stat and the setup checks.
 *
 * This reader reports: it never needs a key and it keeps every field it
 * parsed before a fault, so that a damaged header can still be described.
 * Layout: ecryptfs-format.md §1 (header) and §2 (key packets).
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TAG_PUBKEY 0x01
#define TAG_PASSPHRASE 0x8c
#define TAG_LITERAL 0xed

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void hex8(const uint8_t *bin, char out[ECT_SIG_HEX_SIZE + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < ECT_SIG_SIZE; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 15];
	}
	out[ECT_SIG_HEX_SIZE] = '\0';
}

static int fault(struct ect_stat_info *info, int err, const char *what, size_t offset)
{
	snprintf(info->problem, sizeof(info->problem), "%s at byte %zu", what, offset);
	return err;
}

/* OpenPGP new-format length without the 5-byte form (format doc §2.1). */
static int packet_length(const uint8_t *p, size_t avail, size_t *len, size_t *used)
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
	return ECT_E_FORMAT;
}

/* Tag 3 body (format doc §2.2); p points after the length bytes. */
static int parse_tag3(const uint8_t *p, size_t body, struct ect_stat_key *key)
{
	if (body < 13 || p[0] != 0x04 || p[2] != 0x03 || p[3] != 0x01)
		return ECT_E_FORMAT;
	key->tag = 3;
	key->cipher_code = p[1];
	memcpy(key->salt, p + 4, ECT_SALT_SIZE);
	key->efek_len = (uint16_t)(body - 13);
	return 0;
}

/* Tag 11 body (§2.3): literal packet carrying the binary signature. */
static int parse_tag11(const uint8_t *p, size_t body, struct ect_stat_key *key)
{
	if (body != 22 || p[0] != 0x62 || p[1] != 0x08)
		return ECT_E_FORMAT;
	hex8(p + 14, key->sig);
	return 0;
}

/* Tag 1 body (§2.5): public-key-wrapped FEK. */
static int parse_tag1(const uint8_t *p, size_t body, struct ect_stat_key *key)
{
	if (body < 10 || p[0] != 0x03)
		return ECT_E_FORMAT;
	key->tag = 1;
	hex8(p + 1, key->sig);
	key->efek_len = (uint16_t)(body - 10);
	return 0;
}

static int parse_packets(const uint8_t *b, size_t len, size_t off, struct ect_stat_info *info)
{
	while (off < len && (b[off] == TAG_PASSPHRASE || b[off] == TAG_PUBKEY)) {
		struct ect_stat_key *key = &info->keys[info->nkeys];
		uint8_t tag = b[off];
		size_t body, used;
		int ret;

		if (info->nkeys == ECT_STAT_KEYS_MAX)
			return fault(info, ECT_E_FORMAT, "more key packets than supported", off);
		ret = packet_length(b + off + 1, len - off - 1, &body, &used);
		if (ret)
			return fault(info, ret, "bad key packet length", off + 1);
		if (body > len - off - 1 - used)
			return fault(info, ECT_E_TRUNCATED, "key packet runs past the header", off);
		memset(key, 0, sizeof(*key));
		if (tag == TAG_PUBKEY) {
			if (parse_tag1(b + off + 1 + used, body, key))
				return fault(info, ECT_E_FORMAT, "malformed tag 1 packet", off);
			off += 1 + used + body;
			info->nkeys++;
			continue;
		}
		if (parse_tag3(b + off + 1 + used, body, key))
			return fault(info, ECT_E_FORMAT, "malformed tag 3 packet", off);
		off += 1 + used + body;
		/* a tag 3 is only usable with the tag 11 naming its key */
		if (off >= len || b[off] != TAG_LITERAL)
			return fault(info, ECT_E_FORMAT, "tag 3 packet without its tag 11", off);
		ret = packet_length(b + off + 1, len - off - 1, &body, &used);
		if (ret || body > len - off - 1 - used)
			return fault(info, ret ? ret : ECT_E_TRUNCATED, "bad tag 11 packet length", off + 1);
		if (parse_tag11(b + off + 1 + used, body, key))
			return fault(info, ECT_E_FORMAT, "malformed tag 11 packet", off);
		off += 1 + used + body;
		info->nkeys++;
	}
	if (!info->nkeys)
		return fault(info, ECT_E_FORMAT, "no key packet", off);
	return 0;
}

int ect_stat_parse(const void *buf, size_t len, int from_xattr, struct ect_stat_info *info)
{
	const uint8_t *b = buf;
	size_t off;

	memset(info, 0, sizeof(*info));
	info->in_xattr = from_xattr;
	if (len < 16)
		return fault(info, ECT_E_NOT_ECRYPTFS, "shorter than the size and marker", len);
	for (int i = 0; i < 8; i++)
		info->plaintext_size = info->plaintext_size << 8 | b[i];
	info->marker1 = be32(b + 8);
	info->marker2 = be32(b + 12);
	if ((info->marker1 ^ ECT_HEADER_MARKER) != info->marker2)
		return fault(info, ECT_E_NOT_ECRYPTFS, "no eCryptfs marker", 8);
	if (len < 20)
		return fault(info, ECT_E_TRUNCATED, "header ends before the flags", len);
	info->version = b[16];
	info->flags = be32(b + 16) & 0xffffffu;
	if (info->version > 3)
		return fault(info, ECT_E_VERSION, "file format version above 3", 16);
	if (info->version == 0) {
		/* version 0: no extent fields, 8192-byte header (format doc §1.4) */
		info->metadata_size = ECT_HEADER_SIZE;
		off = 20;
	} else {
		if (len < 26)
			return fault(info, ECT_E_TRUNCATED, "header ends before the extent fields", len);
		info->extent_size = be32(b + 20);
		info->extent_count = (uint16_t)(b[24] << 8 | b[25]);
		info->metadata_size = (uint64_t)info->extent_size * info->extent_count;
		off = 26;
		if (!from_xattr && info->metadata_size < ECT_HEADER_SIZE)
			return fault(info, ECT_E_FORMAT, "header size below 8192", 20);
	}
	if (from_xattr)
		info->metadata_size = 0;
	return parse_packets(b, len, off, info);
}

int ect_stat_fd(int fd, struct ect_stat_info *info)
{
	uint8_t buf[ECT_HEADER_PARSE_MAX];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	while (got < sizeof(buf)) {
		n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	ret = ect_stat_parse(buf, got, 0, info);
	info->lower_size = (uint64_t)st.st_size;
	if (ret != ECT_E_NOT_ECRYPTFS)
		return ret;
	/* no in-file marker: the header may live in the xattr (format doc §1.6) */
	n = fgetxattr(fd, ECT_HEADER_XATTR, buf, sizeof(buf));
	if (n < 0) {
		if (errno == ENODATA || errno == ENOTSUP || errno == ERANGE)
			return ret;
		return -errno;
	}
	ret = ect_stat_parse(buf, (size_t)n, 1, info);
	info->lower_size = (uint64_t)st.st_size;
	return ret;
}

int ect_stat_file(const char *path, struct ect_stat_info *info)
{
	int fd, ret;

	/* O_NONBLOCK: never hang on a FIFO planted in a lower directory */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = ect_stat_fd(fd, info);
	close(fd);
	return ret;
}

unsigned long ect_fne_name_max(unsigned long lower_namelen, unsigned int block_size, int fne)
{
	long est;

	if (!fne)
		return lower_namelen;
	if (lower_namelen == 255 && (block_size == 8 || block_size == 16))
		return 143; /* ENC_NAME_MAX_BLOCKLEN_8_OR_16 */
	/* the kernel's estimate for other cases (ecryptfs_set_f_namelen) */
	est = (((long)lower_namelen - 24 + 1) * 3) / 4 - 3 - 13 - 16 - ((long)block_size - 1);
	return est > 0 ? (unsigned long)est : 0;
}
