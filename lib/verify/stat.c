// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lower-file header inspection for ecryptfs-stat and the setup checks.
 *
 * A report view over the codec's header parser (codec-header.c), the one
 * reader of the format: it never needs a key and it keeps every field
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

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The codec's parser is the one reader of headers; this is its report view. */
int ect_stat_parse(const void *buf, size_t len, int from_xattr, struct ect_stat_info *info)
{
	struct ect_header_info h;
	int ret = ect_header_parse(buf, len, from_xattr, &h);

	memset(info, 0, sizeof(*info));
	info->in_xattr = from_xattr;
	/* too short to carry a marker: not an eCryptfs file, whatever the codec says */
	if (!buf || len < 16) {
		snprintf(info->problem, sizeof(info->problem), "shorter than the size and marker");
		return ECT_E_NOT_ECRYPTFS;
	}
	snprintf(info->problem, sizeof(info->problem), "%s", h.problem);
	info->plaintext_size = h.size;
	info->marker1 = h.marker;
	info->marker2 = be32((const uint8_t *)buf + 12);
	info->version = (uint8_t)h.version;
	info->flags = h.flags;
	info->extent_size = h.extent_size;
	info->extent_count = h.extent_count;
	info->metadata_size = from_xattr ? 0 : h.metadata_size;
	for (unsigned int i = 0; i < h.n_keys && info->nkeys < ECT_STAT_KEYS_MAX; i++) {
		struct ect_stat_key *key = &info->keys[info->nkeys++];

		key->tag = 3;
		key->cipher_code = h.keys[i].cipher_code;
		key->efek_len = h.keys[i].efek_len;
		memcpy(key->salt, h.keys[i].salt, ECT_SALT_SIZE);
		memcpy(key->sig, h.keys[i].sig, sizeof(key->sig));
	}
	if (h.n_pubkey && info->nkeys < ECT_STAT_KEYS_MAX) {
		struct ect_stat_key *key = &info->keys[info->nkeys++];

		key->tag = 1;
		key->efek_len = h.pubkey_efek_len;
		memcpy(key->sig, h.pubkey_sig, sizeof(key->sig));
	}
	/* a public-key file is a valid header that ecryptfs-stat describes */
	if (ret == ECT_E_UNSUPPORTED && h.n_pubkey && !h.n_keys)
		return 0;
	return ret;
}

static int stat_parse(const uint8_t *hdr, size_t n, int in_xattr, void *arg)
{
	return ect_stat_parse(hdr, n, in_xattr, arg);
}

int ect_stat_fd(int fd, struct ect_stat_info *info)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* the codec's rule for where the header is (format doc §1.6) */
	ret = ect__header_find(fd, ECT__HEADER_IN_FILE | ECT__HEADER_IN_XATTR, stat_parse, info);
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
	/*
	 * The kernel's ENC_NAME_MAX_BLOCKLEN_8_OR_16 (143): what the codec's
	 * encoding fits in 255 bytes, so one rule gives both limits.
	 */
	if (lower_namelen == ECT_NAME_MAX_LOWER && (block_size == 8 || block_size == 16))
		return ect__fname_name_max(block_size, ECT_NAME_MAX_LOWER);
	/* the kernel's estimate for other cases (ecryptfs_set_f_namelen) */
	est = (((long)lower_namelen - 24 + 1) * 3) / 4 - 3 - 13 - 16 - ((long)block_size - 1);
	return est > 0 ? (unsigned long)est : 0;
}
