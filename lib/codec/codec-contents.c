// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: opening lower files, unwrapping the FEK, and decrypting contents
 * (format doc §2.2, §3). Each extent is one 4096-byte CBC message whose IV
 * is MD5(root IV || decimal extent number); one cipher handle per file,
 * keyed once, re-IVed per extent.
 */
#include "codec-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

ssize_t codec__pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -EFBIG;
	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int codec__pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -EFBIG;
	while (done < len) {
		ssize_t n = pwrite(fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

int ect_codec_root_iv(const uint8_t *fek, size_t fek_len, uint8_t root_iv[16])
{
	return ect__hash(ECT__MD5, root_iv, fek, fek_len);
}

void codec__md5(struct ect__md *h, const void *in, size_t len, uint8_t out[16])
{
	ect__md_digest(h, in, len, out);
}

/* The 32-byte IV source: root IV, then "%lld" of n cut to 15 digits, NUL-padded. */
static int iv_source(const uint8_t root_iv[16], uint64_t n, uint8_t src[32])
{
	char digits[24];
	size_t len = 0;

	if (n > (uint64_t)INT64_MAX)
		return -EINVAL;
	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	memcpy(src, root_iv, 16);
	memset(src + 16, 0, 16);
	for (size_t i = 0; i < len && i < 15; i++)
		src[16 + i] = (uint8_t)digits[len - 1 - i];
	return 0;
}

int ect_codec_extent_iv(const uint8_t root_iv[16], uint64_t n, uint8_t iv[16])
{
	uint8_t src[32];
	int rc = ect__crypto_init();

	if (!rc)
		rc = iv_source(root_iv, n, src);
	if (!rc)
		rc = ect__hash(ECT__MD5, iv, src, sizeof(src));
	ect_wipe(src, sizeof(src));
	return rc;
}

int codec__extent_iv(struct ect_codec_file *f, uint64_t n, uint8_t iv[16])
{
	uint8_t src[32];
	int rc = iv_source(f->root_iv, n, src);

	if (!rc)
		codec__md5(f->md5, src, sizeof(src), iv);
	ect_wipe(src, sizeof(src));
	return rc;
}

int codec__set_fek(struct ect_codec_file *f, const uint8_t *fek)
{
	int rc = ect__crypto_init();

	if (rc)
		return rc;
	f->fek = ect_secure_alloc(ECT_FEK_MAX);
	f->root_iv = ect_secure_alloc(16);
	if (!f->fek || !f->root_iv)
		return ECT_E_SECMEM;
	memcpy(f->fek, fek, f->cipher.key_bytes);
	return ect_codec_root_iv(f->fek, f->cipher.key_bytes, f->root_iv);
}

int codec__open_cbc(struct ect_codec_file *f)
{
	int rc;

	f->algo = codec__cipher_algo(&f->cipher);
	if (!f->algo)
		return ECT_E_UNSUPPORTED;
	rc = ect__md_open(&f->md5, ECT__MD5);
	if (!rc)
		rc = ect__cipher_open(&f->cbc, f->algo, ECT__CBC, f->fek, f->cipher.key_bytes);
	return rc;
}

/*
 * *buf, of *have extents, grown to hold n (at most max): to the next power
 * of two, so a handle grows a few times at most. Never realloc: it would
 * leave the old contents (plaintext) behind unwiped.
 */
static uint8_t *work_buffer(uint8_t **buf, size_t *have, size_t n, size_t max)
{
	size_t want = 1;
	uint8_t *p;

	if (n < 1 || n > max)
		return NULL;
	if (*buf && *have >= n)
		return *buf;
	while (want < n)
		want <<= 1;
	if (want > max)
		want = max;
	p = malloc(want * ECT_EXTENT_SIZE);
	if (!p)
		return NULL;
	if (*buf) {
		ect_wipe(*buf, *have * ECT_EXTENT_SIZE);
		free(*buf);
	}
	*buf = p;
	*have = want;
	return p;
}

uint8_t *codec__batch(struct ect_codec_file *f, size_t n)
{
	return work_buffer(&f->batch, &f->batch_extents, n, CODEC_BATCH_EXTENTS);
}

uint8_t *codec__stage(struct ect_codec_file *f, size_t n)
{
	return work_buffer(&f->stage, &f->stage_extents, n, CODEC_STAGE_EXTENTS);
}

static struct ect_codec_file *file_alloc(void)
{
	struct ect_codec_file *f = calloc(1, sizeof(*f));

	if (f) {
		f->fd = -1;
		f->key_index = -1;
	}
	return f;
}

void ect_codec_close(struct ect_codec_file *f)
{
	if (!f)
		return;
	codec__helpers_free(f);
	ect__cipher_close(f->cbc);
	ect__md_close(f->md5);
	ect__cipher_close(f->ecb);
	ect_secure_free(f->fek);
	ect_secure_free(f->root_iv);
	if (f->stage) {
		ect_wipe(f->stage, f->stage_extents * ECT_EXTENT_SIZE);
		free(f->stage);
	}
	if (f->batch) {
		ect_wipe(f->batch, f->batch_extents * ECT_EXTENT_SIZE);
		free(f->batch);
	}
	free(f);
}

/* Try each header key against each candidate with the same signature. */
static int unwrap_fek(struct ect_codec_file *f, const struct ect_codec_key *keys, size_t nkeys)
{
	const struct ect_header_info *info = &f->info;
	uint8_t *fek = NULL;
	int rc = info->n_keys ? ECT_E_WRONG_PASSWORD : ECT_E_UNSUPPORTED;
	int unsupported = 0;

	fek = ect_secure_alloc(ECT_FEK_MAX);
	if (!fek)
		return ECT_E_SECMEM;
	for (unsigned int h = 0; h < info->n_keys; h++) {
		const struct ect_header_key *hk = &info->keys[h];
		struct ect_cipher_info ci;
		int crc;

		crc = ect_cipher_by_code(hk->cipher_code,
					 hk->cipher_code == ECT_CIPHER_CODE_AES_192 ? 24 : hk->efek_len,
					 &ci);
		for (size_t c = 0; c < nkeys; c++) {
			if (!keys[c].key || strncmp(keys[c].sig, hk->sig, ECT_SIG_HEX_SIZE))
				continue;
			if (crc) {
				unsupported = 1; /* right key, cipher the backend lacks */
				continue;
			}
			if (hk->efek_len < ci.key_bytes || hk->efek_len % ci.block_size) {
				rc = ECT_E_FORMAT;
				goto out;
			}
			rc = codec__ecb(&ci, keys[c].key, 0, hk->efek, fek, hk->efek_len);
			if (rc)
				goto out;
			f->cipher = ci;
			f->key_index = (int)h;
			rc = codec__set_fek(f, fek);
			goto out;
		}
	}
	if (unsupported)
		rc = ECT_E_UNSUPPORTED;
out:
	ect_secure_free(fek);
	return rc;
}

static int open_parsed(struct ect_codec_file *f, const struct ect_codec_key *keys, size_t nkeys)
{
	int rc;

	f->size = f->info.size;
	rc = unwrap_fek(f, keys, nkeys);
	if (rc)
		return rc;
	return codec__open_cbc(f);
}

int ect_codec_open_header(const void *buf, size_t len, int from_xattr, int data_fd,
			  const struct ect_codec_key *keys, size_t nkeys,
			  struct ect_codec_file **out)
{
	struct ect_codec_file *f;
	int rc;

	*out = NULL;
	f = file_alloc();
	if (!f)
		return -ENOMEM;
	f->fd = data_fd;
	rc = ect_header_parse(buf, len, from_xattr, &f->info);
	if (!rc)
		rc = open_parsed(f, keys, nkeys);
	if (rc) {
		ect_codec_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

int ect__header_find(int fd, unsigned int where, ect__header_parse_fn parse, void *arg)
{
	uint8_t *hdr = malloc(ECT_HEADER_PARSE_MAX);
	ssize_t n = 0;
	int rc = ECT_E_NOT_ECRYPTFS;

	if (!hdr)
		return -ENOMEM;
	if (where & ECT__HEADER_IN_FILE) {
		n = codec__pread_full(fd, hdr, ECT_HEADER_PARSE_MAX, 0);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		rc = parse(hdr, (size_t)n, 0, arg);
		/* Only a missing marker (or no room for one) sends the kernel on to the xattr. */
		if ((rc != ECT_E_NOT_ECRYPTFS && !(rc == ECT_E_TRUNCATED && n < 16)) ||
		    !(where & ECT__HEADER_IN_XATTR))
			goto out;
	}
	n = fgetxattr(fd, ECT_HEADER_XATTR, hdr, ECT_HEADER_PARSE_MAX);
	if (n < 0) {
		/*
		 * Larger than the page the kernel reads: it refuses the file
		 * (ecryptfs_read_xattr_region), so this is a bad header, not a
		 * plain file. No xattr (or no xattr support): keep the file's answer.
		 */
		if (errno == ERANGE)
			rc = ECT_E_FORMAT;
		else if (errno != ENODATA && errno != ENOTSUP)
			rc = -errno;
		goto out;
	}
	rc = parse(hdr, (size_t)n, 1, arg);
out:
	free(hdr);
	return rc;
}

struct open_args {
	int fd;
	const struct ect_codec_key *keys;
	size_t nkeys;
	struct ect_codec_file **out;
};

static int open_parse(const uint8_t *hdr, size_t n, int in_xattr, void *arg)
{
	struct open_args *a = arg;

	return ect_codec_open_header(hdr, n, in_xattr, a->fd, a->keys, a->nkeys, a->out);
}

int ect_codec_open_fd(int fd, unsigned int flags, const struct ect_codec_key *keys, size_t nkeys,
		      struct ect_codec_file **out)
{
	struct open_args a = { .fd = fd, .keys = keys, .nkeys = nkeys, .out = out };
	unsigned int where = ECT__HEADER_IN_FILE | ECT__HEADER_IN_XATTR;
	int rc;

	*out = NULL;
	if (fd < 0)
		return -EBADF;
	if (flags & ECT_CODEC_XATTR_ONLY)
		where = ECT__HEADER_IN_XATTR;
	else if (flags & ECT_CODEC_NO_XATTR)
		where = ECT__HEADER_IN_FILE;
	rc = ect__header_find(fd, where, open_parse, &a);
	if (!rc && (flags & ECT_CODEC_WRITE))
		(*out)->writable = 1;
	return rc;
}

const struct ect_header_info *ect_codec_info(const struct ect_codec_file *f)
{
	return &f->info;
}

const struct ect_cipher_info *ect_codec_cipher(const struct ect_codec_file *f)
{
	return &f->cipher;
}

int ect_codec_key_index(const struct ect_codec_file *f)
{
	return f->key_index;
}

uint64_t ect_codec_size(const struct ect_codec_file *f)
{
	return f->size;
}

uint64_t ect_codec_extent_count(const struct ect_codec_file *f)
{
	return f->size / ECT_EXTENT_SIZE + (f->size % ECT_EXTENT_SIZE != 0);
}

static int crypt_extents(struct ect_codec_file *f, int encrypt, uint64_t first, size_t count,
			 const void *in, void *out)
{
	uint8_t iv[16];
	int rc = 0;

	if (first > (uint64_t)INT64_MAX - count)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *src = (const uint8_t *)in + i * ECT_EXTENT_SIZE;
		uint8_t *dst = (uint8_t *)out + i * ECT_EXTENT_SIZE;

		rc = codec__extent_iv(f, first + i, iv);
		if (rc)
			break;
		/* 8-byte-block ciphers use the first 8 bytes of the 16-byte IV. */
		rc = ect__cipher_setiv(f->cbc, iv, f->cipher.block_size);
		if (!rc)
			rc = encrypt ? ect__cipher_encrypt(f->cbc, dst, ECT_EXTENT_SIZE,
							   src == dst ? NULL : src, ECT_EXTENT_SIZE)
				     : ect__cipher_decrypt(f->cbc, dst, ECT_EXTENT_SIZE,
							   src == dst ? NULL : src, ECT_EXTENT_SIZE);
		if (rc)
			break;
	}
	ect_wipe(iv, sizeof(iv));
	return rc;
}

int ect_codec_decrypt_extents(struct ect_codec_file *f, uint64_t first, size_t count,
			      const void *in, void *out)
{
	return crypt_extents(f, 0, first, count, in, out);
}

int ect_codec_encrypt_extents(struct ect_codec_file *f, uint64_t first, size_t count,
			      const void *in, void *out)
{
	if (count < 2)
		return crypt_extents(f, 1, first, count, in, out);
	if (first > (uint64_t)INT64_MAX - count)
		return -EINVAL;
	return codec__encrypt_grouped(f, first, count, in, out);
}

/* Lower offset of extent n, or -EFBIG when it would not fit an off_t. */
int codec__extent_offset(const struct ect_codec_file *f, uint64_t n, uint64_t *off)
{
	if (n > ((uint64_t)INT64_MAX - f->info.data_offset) / ECT_EXTENT_SIZE)
		return -EFBIG;
	*off = f->info.data_offset + n * ECT_EXTENT_SIZE;
	return 0;
}

/* Read and decrypt count extents from first into buf; all must exist. */
int codec__load_extents(struct ect_codec_file *f, uint64_t first, size_t count, uint8_t *buf)
{
	uint64_t off;
	ssize_t n;
	int rc;

	if (f->fd < 0)
		return -EBADF;
	rc = codec__extent_offset(f, first + count, &off);
	if (rc)
		return rc;
	rc = codec__extent_offset(f, first, &off);
	if (rc)
		return rc;
	n = codec__pread_full(f->fd, buf, count * ECT_EXTENT_SIZE, off);
	if (n < 0)
		return (int)n;
	if ((size_t)n < count * ECT_EXTENT_SIZE)
		return ECT_E_TRUNCATED;
	return ect_codec_decrypt_extents(f, first, count, buf, buf);
}

int ect_codec_read_extent(struct ect_codec_file *f, uint64_t n, void *out)
{
	return codec__load_extents(f, n, 1, out);
}

ssize_t ect_codec_pread(struct ect_codec_file *f, void *buf, size_t len, uint64_t off)
{
	uint8_t *batch;
	size_t done = 0, need;
	int rc;

	len = codec__read_len(f, len, off);
	if (!len)
		return 0;
	/* The first step is the largest: the later ones start on an extent. */
	need = (size_t)((off % ECT_EXTENT_SIZE + len + ECT_EXTENT_SIZE - 1) / ECT_EXTENT_SIZE);
	batch = codec__batch(f, need < CODEC_BATCH_EXTENTS ? need : CODEC_BATCH_EXTENTS);
	if (!batch)
		return -ENOMEM;
	while (done < len) {
		uint64_t pos = off + done;
		uint64_t first = pos / ECT_EXTENT_SIZE;
		size_t skip = (size_t)(pos % ECT_EXTENT_SIZE);
		size_t want = len - done;
		size_t count = (skip + want + ECT_EXTENT_SIZE - 1) / ECT_EXTENT_SIZE;
		size_t take;

		if (count > CODEC_BATCH_EXTENTS)
			count = CODEC_BATCH_EXTENTS;
		rc = codec__load_extents(f, first, count, batch);
		if (rc)
			return rc;
		take = count * ECT_EXTENT_SIZE - skip;
		if (take > want)
			take = want;
		memcpy((uint8_t *)buf + done, batch + skip, take);
		done += take;
	}
	return (ssize_t)done;
}

int ect_codec_decrypt_to(struct ect_codec_file *f, ect_codec_sink_fn sink, void *userdata)
{
	uint64_t total = ect_codec_extent_count(f);
	uint8_t *batch;
	int rc = 0;

	if (!total)
		return 0;
	batch = codec__batch(f, total < CODEC_BATCH_EXTENTS ? (size_t)total : CODEC_BATCH_EXTENTS);
	if (!batch)
		return -ENOMEM;
	for (uint64_t e = 0; e < total; e += CODEC_BATCH_EXTENTS) {
		size_t count = total - e < CODEC_BATCH_EXTENTS ? (size_t)(total - e) : CODEC_BATCH_EXTENTS;
		uint64_t bytes = (uint64_t)count * ECT_EXTENT_SIZE;

		rc = codec__load_extents(f, e, count, batch);
		if (rc)
			break;
		/* Clip the zero-filled tail of the last extent to the header size. */
		if (e * ECT_EXTENT_SIZE + bytes > f->size)
			bytes = f->size - e * ECT_EXTENT_SIZE;
		rc = sink(userdata, batch, (size_t)bytes);
		if (rc)
			break;
	}
	return rc;
}

static int fd_sink(void *userdata, const void *data, size_t len)
{
	return ect__write_all(*(int *)userdata, data, len);
}

int ect_codec_decrypt_to_fd(struct ect_codec_file *f, int out_fd)
{
	return ect_codec_decrypt_to(f, fd_sink, &out_fd);
}
