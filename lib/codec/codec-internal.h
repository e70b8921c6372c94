/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Codec module internals: shared between lib/codec-*.c, never installed. */
#ifndef ECT_CODEC_INTERNAL_H
#define ECT_CODEC_INTERNAL_H

#include "ect-internal.h"

#include <limits.h>

/* Fixed header layout (format doc §1.1). */
#define CODEC_MARKER_OFFSET 8
#define CODEC_MAGIC_MARKER 0x3c81b7f5u
#define CODEC_FLAGS_OFFSET 16
#define CODEC_PACKETS_OFFSET 26	   /* versions 1..3 */
#define CODEC_PACKETS_OFFSET_V0 20 /* version 0: no extent fields */

/* Packet tags (§2). */
#define CODEC_TAG_1 0x01
#define CODEC_TAG_3 0x8c
#define CODEC_TAG_11 0xed
#define CODEC_TAG_70 0x46
#define CODEC_TAG_3_MIN_BODY 13		/* version .. iteration byte */
#define CODEC_TAG_11_BODY 22		/* 'b' 0x08 "_CONSOLE" date sig */
#define CODEC_TAG_1_MIN_BODY 10
#define CODEC_MAX_ENCRYPTED_KEY 512	/* ECRYPTFS_MAX_ENCRYPTED_KEY_BYTES */
#define CODEC_PACKET_LEN_MAX 8383	/* largest 2-byte length the kernel parses */

/* Extents per batch for streaming and parallel work (256 KiB). */
#define CODEC_BATCH_EXTENTS 64

/* Largest plaintext size accepted from a header: the kernel's loff_t. */
#define CODEC_SIZE_MAX ((uint64_t)INT64_MAX)

struct ect_codec_file {
	struct ect_header_info info;
	struct ect_cipher_info cipher;
	int key_index;
	enum ect__cipher_algo algo; /* the backend's cipher id */
	uint8_t *fek;	     /* locked; cipher.key_bytes used */
	uint8_t *root_iv;    /* locked; 16 bytes */
	struct ect__cipher *cbc; /* contents: setkey once, setiv per extent */
	/*
	 * MD5 for the extent IVs, opened once: ect__hash() (libgcrypt's one-shot
	 * hash) runs the RNG's fast poll (RDRAND, getrusage) on every call once
	 * the RNG is in use, which costs more than decrypting the extent.
	 */
	struct ect__md *md5;
	struct ect__cipher *ecb; /* same key, ECB: grouped CBC encryption (lazy) */
	int fd;		     /* lower file, not owned; -1 for none */
	int writable;
	uint64_t size;	     /* plaintext size, kept current by writes */
	/*
	 * Work buffers, lazy and sized to the largest request so far (a 4 KiB
	 * file never gets, faults in and wipes 256 KiB): batch_extents of
	 * batch (at most CODEC_BATCH_EXTENTS), stage_extents of stage (at most
	 * CODEC_STAGE_EXTENTS).
	 */
	uint8_t *batch;
	uint8_t *stage;
	size_t batch_extents, stage_extents;
	/* Clones for ect_codec_p{read,write}_parallel's other chunks, lazy. */
	struct ect_codec_file **helpers;
	unsigned int nhelpers;
};

/* Kernel cipher table lookups (codec-packets.c). */
/* The backend's id for ci's cipher and key size; 0 when it has none. */
enum ect__cipher_algo codec__cipher_algo(const struct ect_cipher_info *ci);
/* Big-endian helpers. */
static inline uint32_t codec__be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void codec__put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint64_t codec__be64(const uint8_t *p)
{
	return (uint64_t)codec__be32(p) << 32 | codec__be32(p + 4);
}

static inline void codec__put_be64(uint8_t *p, uint64_t v)
{
	codec__put_be32(p, v >> 32);
	codec__put_be32(p + 4, (uint32_t)v);
}

/*
 * OpenPGP-style packet length (1 or 2 bytes). Returns 0 and sets *len and
 * *used, ECT_E_TRUNCATED when avail is too short, ECT_E_FORMAT otherwise.
 */
int codec__parse_packet_len(const uint8_t *p, size_t avail, size_t *len, size_t *used);
/* Writes 1 or 2 bytes; returns the count, or ECT_E_FORMAT past 8383. */
int codec__write_packet_len(uint8_t *p, size_t len);

/* Hex of an 8-byte signature, lowercase, NUL-terminated; and back. */
void codec__sig_to_hex(const uint8_t sig[ECT_SIG_SIZE], char hex[ECT_SIG_HEX_SIZE + 1]);
int codec__sig_from_hex(const char *hex, uint8_t sig[ECT_SIG_SIZE]);

/*
 * ECB over whole blocks with key[0..ci->key_bytes) of cipher ci (FEK
 * wrapping, tag 70). encrypt 1 / 0 decrypt; in and out may be the same.
 */
int codec__ecb(const struct ect_cipher_info *ci, const uint8_t *key, int encrypt,
	       const void *in, void *out, size_t len);

/* Tag 3 + tag 11 for one key into p (room checked by the caller: 2+13+64+24). */
int codec__write_key_pair(uint8_t *p, size_t room, const struct ect_header_key *k);

/* CBC-encrypt count extents stepping up to 32 at once (codec-extents.c). */
int codec__encrypt_grouped(struct ect_codec_file *f, uint64_t first, size_t count,
			   const uint8_t *in, uint8_t *out);
/* IV of extent n with f's MD5 handle. */
int codec__extent_iv(struct ect_codec_file *f, uint64_t n, uint8_t iv[16]);
/* MD5 of len bytes with a reusable handle (see struct ect_codec_file). */
void codec__md5(struct ect__md *h, const void *in, size_t len, uint8_t out[16]);
/* Open a CBC handle (and the MD5 handle) for f->cipher with f->fek. */
int codec__open_cbc(struct ect_codec_file *f);
/* Allocate f's FEK / root IV in locked memory and derive the root IV. */
int codec__set_fek(struct ect_codec_file *f, const uint8_t *fek);
/* Read and decrypt count whole extents from f's fd (ECT_E_TRUNCATED if short). */
int codec__load_extents(struct ect_codec_file *f, uint64_t first, size_t count, uint8_t *buf);
/* Lower offset of data extent n; -EFBIG past off_t. */
int codec__extent_offset(const struct ect_codec_file *f, uint64_t n, uint64_t *off);
/*
 * f's staging buffer for grouped encryption and its batch buffer, of at
 * least n extents (1 <= n <= CODEC_STAGE_EXTENTS / CODEC_BATCH_EXTENTS;
 * NULL past that or when out of memory). Growing wipes and frees the old
 * buffer: hold the pointer only while nothing else on f asks for one.
 */
#define CODEC_STAGE_EXTENTS 32
uint8_t *codec__stage(struct ect_codec_file *f, size_t n);
uint8_t *codec__batch(struct ect_codec_file *f, size_t n);
/* Full pread / pwrite loops: bytes done (short only at EOF) or -errno. */
ssize_t codec__pread_full(int fd, void *buf, size_t len, uint64_t off);
int codec__pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* A read's length clipped to the plaintext size past off (0: nothing to read). */
static inline size_t codec__read_len(const struct ect_codec_file *f, size_t len, uint64_t off)
{
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	return len > SSIZE_MAX ? SSIZE_MAX : len;
}

/* Writer pieces (codec-write.c), shared with the parallel writer. */
int codec__write_check(const struct ect_codec_file *f, size_t len, uint64_t off);
int codec__write_extents(struct ect_codec_file *f, const uint8_t *buf, uint64_t off, uint64_t end,
			 uint64_t old_size, uint64_t e0, uint64_t e1);
/* Store f->size in header bytes 0..7, in the file or the xattr. */
int codec__write_size(struct ect_codec_file *f);
/* Free f's helper clones (ect_codec_close). */
void codec__helpers_free(struct ect_codec_file *f);

#endif /* ECT_CODEC_INTERNAL_H */
