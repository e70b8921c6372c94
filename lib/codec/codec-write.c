// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec: writing lower files the kernel reads (format doc §1, §3.4-§3.6,
 * §10.5): random FEK and marker, one tag 3/11 pair per key, whole
 * zero-filled extents, encrypted zero extents for gaps, header size kept
 * equal to the plaintext size.
 */
#include "codec-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ECRYPTFS_DEFAULT_SALT_HEX, the label ecryptfs-utils puts in tag 3. */
static const uint8_t codec_default_salt[ECT_SALT_SIZE] = { 0x00, 0x11, 0x22, 0x33,
							   0x44, 0x55, 0x66, 0x77 };

static int wrap_fek(struct ect_codec_file *f, const struct ect_codec_key *key,
		    const uint8_t *salt, struct ect_header_key *hk)
{
	uint8_t *buf = ect_secure_alloc(ECT_FEK_MAX);
	size_t len = f->cipher.key_bytes;
	int rc;

	if (!buf)
		return ECT_E_SECMEM;
	rc = codec__sig_from_hex(key->sig, (uint8_t[ECT_SIG_SIZE]){ 0 });
	if (rc)
		goto out;
	memcpy(buf, f->fek, len);
	/* AES-192: the kernel encrypts the FEK zero-padded to 32 bytes. */
	if (len % f->cipher.block_size)
		len += f->cipher.block_size - len % f->cipher.block_size;
	rc = codec__ecb(&f->cipher, key->key, 1, buf, hk->efek, len);
	if (rc)
		goto out;
	memcpy(hk->sig, key->sig, ECT_SIG_HEX_SIZE);
	hk->sig[ECT_SIG_HEX_SIZE] = '\0';
	hk->cipher_code = f->cipher.code;
	hk->efek_len = (uint8_t)len;
	memcpy(hk->salt, salt, ECT_SALT_SIZE);
out:
	ect_secure_free(buf);
	return rc;
}

static int write_header(struct ect_codec_file *f)
{
	uint8_t *hdr;
	ssize_t len;
	int rc = 0;

	hdr = calloc(1, f->info.metadata_size);
	if (!hdr)
		return -ENOMEM;
	len = ect_codec_header_build(f, hdr, f->info.metadata_size);
	if (len < 0)
		rc = (int)len;
	else if (f->info.in_xattr)
		rc = fsetxattr(f->fd, ECT_HEADER_XATTR, hdr, (size_t)len, 0) ? -errno : 0;
	else
		rc = codec__pwrite_full(f->fd, hdr, (size_t)len, 0);
	free(hdr);
	return rc;
}

int ect_codec_create(int fd, const struct ect_codec_create_params *p,
		     struct ect_codec_file **out)
{
	struct ect_codec_file *f = NULL;
	uint8_t *fek = NULL;
	uint32_t meta = p->metadata_size ? p->metadata_size : ECT_HEADER_SIZE;
	size_t room = CODEC_PACKETS_OFFSET + 1;
	int rc;

	*out = NULL;
	if (!p->keys || !p->nkeys || p->nkeys > ECT_HEADER_MAX_KEYS)
		return -EINVAL;
	if (meta < ECT_HEADER_SIZE || meta % ECT_EXTENT_SIZE || meta / ECT_EXTENT_SIZE > 0xffff)
		return -EINVAL;
	rc = ect__crypto_init();
	if (rc)
		return rc;
	f = calloc(1, sizeof(*f));
	fek = ect_secure_alloc(ECT_FEK_MAX);
	if (!f || !fek) {
		rc = f ? ECT_E_SECMEM : -ENOMEM;
		goto out;
	}
	f->fd = fd;
	f->writable = fd >= 0;
	f->key_index = 0;
	rc = ect_cipher_lookup(p->cipher, p->key_bytes, &f->cipher);
	if (rc)
		goto out;
	rc = ect__random(fek, f->cipher.key_bytes, ECT__RANDOM_STRONG);
	if (!rc)
		rc = codec__set_fek(f, fek);
	if (rc)
		goto out;
	rc = codec__open_cbc(f);
	if (rc)
		goto out;
	rc = ect__nonce(&f->info.marker, sizeof(f->info.marker));
	if (rc)
		goto out;
	f->info.version = ECT_FILE_VERSION;
	f->info.flags = ECT_HDR_FLAG_ENCRYPTED;
	if (p->header_in_xattr)
		f->info.flags |= ECT_HDR_FLAG_METADATA_IN_XATTR;
	if (p->filenames_encrypted)
		f->info.flags |= ECT_HDR_FLAG_ENCRYPT_FILENAMES;
	f->info.metadata_size = meta;
	f->info.in_xattr = !!p->header_in_xattr;
	f->info.data_offset = p->header_in_xattr ? 0 : meta;
	for (size_t k = 0; k < p->nkeys; k++) {
		if (!p->keys[k].key) {
			rc = -EINVAL;
			goto out;
		}
		rc = wrap_fek(f, &p->keys[k], p->salt ? p->salt : codec_default_salt,
			      &f->info.keys[k]);
		if (rc)
			goto out;
		room += 2 + CODEC_TAG_3_MIN_BODY + f->info.keys[k].efek_len + 2 + CODEC_TAG_11_BODY;
		f->info.n_keys++;
	}
	if (room > ECT_HEADER_PARSE_MAX) {
		rc = -E2BIG; /* the kernel would not see every key */
		goto out;
	}
	if (fd >= 0)
		rc = write_header(f);
out:
	ect_secure_free(fek);
	if (rc) {
		ect_codec_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

/* Store f->size in header bytes 0..7, in the file or the xattr. */
int codec__write_size(struct ect_codec_file *f)
{
	uint8_t be[8];
	uint8_t *x;
	ssize_t n;
	int rc = 0;

	codec__put_be64(be, f->size);
	if (!f->info.in_xattr)
		return codec__pwrite_full(f->fd, be, sizeof(be), 0);
	/* As ecryptfs_write_inode_size_to_xattr(): read, patch, write back. */
	x = malloc(ECT_HEADER_PARSE_MAX);
	if (!x)
		return -ENOMEM;
	n = fgetxattr(f->fd, ECT_HEADER_XATTR, x, ECT_HEADER_PARSE_MAX);
	if (n < 8)
		rc = n < 0 ? -errno : ECT_E_TRUNCATED;
	else {
		memcpy(x, be, sizeof(be));
		if (fsetxattr(f->fd, ECT_HEADER_XATTR, x, (size_t)n, XATTR_REPLACE))
			rc = -errno;
	}
	free(x);
	return rc;
}

/*
 * Extents e0..e1 of a write of buf at [off, end) into a file whose size was
 * old_size: partial extents are read and merged, the kernel's zero tail
 * kept, extents past the old end start as zeros. f's own cipher state and
 * batch buffer; the header size is not touched. Extent ranges of one write
 * are independent, so clones may run them side by side.
 */
int codec__write_extents(struct ect_codec_file *f, const uint8_t *buf, uint64_t off, uint64_t end,
			 uint64_t old_size, uint64_t e0, uint64_t e1)
{
	uint64_t old_count = old_size / ECT_EXTENT_SIZE + (old_size % ECT_EXTENT_SIZE != 0);
	uint8_t *batch;
	int rc;

	if (e1 < e0)
		return 0;
	batch = codec__batch(f, e1 - e0 < CODEC_BATCH_EXTENTS ? (size_t)(e1 - e0 + 1)
							     : CODEC_BATCH_EXTENTS);
	if (!batch)
		return -ENOMEM;
	for (uint64_t e = e0; e <= e1;) {
		size_t count = e1 - e + 1 < CODEC_BATCH_EXTENTS ? (size_t)(e1 - e + 1)
								 : CODEC_BATCH_EXTENTS;
		uint64_t pos;

		for (size_t i = 0; i < count; i++) {
			uint8_t *x = batch + i * ECT_EXTENT_SIZE;
			uint64_t xs = (e + i) * ECT_EXTENT_SIZE, xe = xs + ECT_EXTENT_SIZE;
			uint64_t cs, ce;

			if (!(off <= xs && end >= xe) && e + i < old_count) {
				rc = codec__load_extents(f, e + i, 1, x);
				if (rc)
					return rc;
				if (xe > old_size) /* keep the kernel's zero tail */
					memset(x + (old_size - xs), 0, (size_t)(xe - old_size));
			} else if (!(off <= xs && end >= xe)) {
				memset(x, 0, ECT_EXTENT_SIZE);
			}
			cs = off > xs ? off : xs;
			ce = end < xe ? end : xe;
			if (cs < ce)
				memcpy(x + (cs - xs), buf + (cs - off), (size_t)(ce - cs));
		}
		rc = ect_codec_encrypt_extents(f, e, count, batch, batch);
		if (!rc)
			rc = codec__extent_offset(f, e, &pos);
		if (!rc)
			rc = codec__pwrite_full(f->fd, batch, count * ECT_EXTENT_SIZE, pos);
		if (rc)
			return rc;
		e += count;
	}
	return 0;
}

int codec__write_check(const struct ect_codec_file *f, size_t len, uint64_t off)
{
	if (!f->writable || f->fd < 0)
		return -EBADF;
	if (len > SSIZE_MAX || off > CODEC_SIZE_MAX - len)
		return -EFBIG;
	return 0;
}

/* Write [off, off+len) without touching the header size field. */
static ssize_t write_range(struct ect_codec_file *f, const uint8_t *buf, size_t len, uint64_t off)
{
	uint64_t end = off + len, first;
	int rc;

	if (!len)
		return (!f->writable || f->fd < 0) ? -EBADF : 0;
	rc = codec__write_check(f, len, off);
	if (rc)
		return rc;
	/* Start at the old end when writing past it: the gap gets encrypted zeros. */
	first = (off < f->size ? off : f->size) / ECT_EXTENT_SIZE;
	rc = codec__write_extents(f, buf, off, end, f->size, first, (end - 1) / ECT_EXTENT_SIZE);
	if (rc)
		return rc;
	if (end > f->size)
		f->size = end;
	return (ssize_t)len;
}

ssize_t ect_codec_pwrite(struct ect_codec_file *f, const void *buf, size_t len, uint64_t off)
{
	uint64_t before = f->size;
	ssize_t n = write_range(f, buf, len, off);
	int rc;

	if (n > 0 && f->size != before) {
		rc = codec__write_size(f);
		if (rc)
			return rc;
	}
	return n;
}

int ect_codec_encrypt_from(struct ect_codec_file *f, ect_codec_source_fn source, void *userdata)
{
	size_t cap = (size_t)CODEC_BATCH_EXTENTS * ECT_EXTENT_SIZE;
	uint8_t *buf = malloc(cap);
	uint64_t before = f->size;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t fill = 0;
		ssize_t n = 1;

		while (fill < cap && n > 0) {
			n = source(userdata, buf + fill, cap - fill);
			if (n > 0)
				fill += (size_t)n;
		}
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (fill) {
			ssize_t w = write_range(f, buf, fill, f->size);

			if (w < 0) {
				rc = (int)w;
				break;
			}
		}
		if (n == 0)
			break;
	}
	if (f->size != before) {
		int src = codec__write_size(f);

		if (!rc)
			rc = src;
	}
	ect_wipe(buf, cap);
	free(buf);
	return rc;
}

static ssize_t fd_source(void *userdata, void *buf, size_t len)
{
	int fd = *(int *)userdata;

	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int ect_codec_encrypt_from_fd(struct ect_codec_file *f, int in_fd)
{
	return ect_codec_encrypt_from(f, fd_source, &in_fd);
}

/* Shrink: zero the new last extent's tail, store the size, cut the lower file. */
static int shrink(struct ect_codec_file *f, uint64_t size)
{
	uint64_t n = size / ECT_EXTENT_SIZE, pos;
	size_t keep = (size_t)(size % ECT_EXTENT_SIZE);
	uint8_t *x;
	int rc;

	if (keep) {
		x = codec__batch(f, 1);
		if (!x)
			return -ENOMEM;
		rc = codec__load_extents(f, n, 1, x);
		if (!rc) {
			memset(x + keep, 0, ECT_EXTENT_SIZE - keep);
			rc = ect_codec_encrypt_extents(f, n, 1, x, x);
		}
		if (!rc)
			rc = codec__extent_offset(f, n, &pos);
		if (!rc)
			rc = codec__pwrite_full(f->fd, x, ECT_EXTENT_SIZE, pos);
		if (rc)
			return rc;
	}
	f->size = size;
	rc = codec__write_size(f);
	if (!rc)
		rc = codec__extent_offset(f, ect_codec_extent_count(f), &pos);
	if (!rc && ftruncate(f->fd, (off_t)pos))
		rc = -errno;
	return rc;
}

int ect_codec_truncate(struct ect_codec_file *f, uint64_t size)
{
	ssize_t n;

	if (!f->writable || f->fd < 0)
		return -EBADF;
	if (size > CODEC_SIZE_MAX)
		return -EFBIG;
	if (size < f->size)
		return shrink(f, size);
	if (size == f->size)
		return 0;
	/* As the kernel: write one zero byte at the new end; the gap gets zero extents. */
	n = ect_codec_pwrite(f, "", 1, size - 1);
	return n < 0 ? (int)n : 0;
}
