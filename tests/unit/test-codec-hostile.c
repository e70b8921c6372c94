// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec against corrupt, truncated and hostile input: every rejection the
 * kernel makes gives a clear error, nothing crashes, nothing is read past
 * the buffer (run under valgrind or ASan to make the last point strict).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec-test.h"

static const char good_header[] =
	"000000000000000c 378881cc0b093639 03000002 00001000 0002 8c1d 04 07 03 01 "
	"0011223344556677 60 404811d3601cad796515bd4f09f7cac0 ed16 62 08 "
	"5f434f4e534f4c45 00000000 3515cca9baaea1f4 00";

static uint8_t hdr[ECT_HEADER_SIZE];
static struct ect_header_info info;

static int setup(void **state)
{
	(void)state;
	memset(hdr, 0, sizeof(hdr));
	unhex(good_header, hdr, sizeof(hdr));
	return 0;
}

static int parse(size_t len, int xattr)
{
	return ect_header_parse(hdr, len, xattr, &info);
}

static void test_header_basic_rejections(void **state)
{
	(void)state;
	assert_int_equal(parse(sizeof(hdr), 0), 0);
	assert_int_equal(ect_header_parse(NULL, 0, 0, &info), ECT_E_NOT_ECRYPTFS);
	assert_int_equal(parse(0, 0), ECT_E_NOT_ECRYPTFS);
	assert_int_equal(parse(10, 0), ECT_E_TRUNCATED);
	assert_int_equal(parse(18, 0), ECT_E_TRUNCATED);
	assert_int_equal(parse(24, 0), ECT_E_TRUNCATED);
	assert_int_equal(parse(26, 0), ECT_E_TRUNCATED);
	/* Every truncation inside the packets is an error, never a crash. */
	for (size_t len = 27; len < 81; len++)
		assert_int_equal(parse(len, 0), ECT_E_TRUNCATED);
	assert_int_equal(parse(81, 1), 0); /* the xattr form has no terminator */
	hdr[9] ^= 1;			   /* LP #509180: a flipped marker byte */
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_NOT_ECRYPTFS);
	assert_int_equal(ect_header_is_ecryptfs(hdr, sizeof(hdr)), 0);
}

static void test_header_fields(void **state)
{
	(void)state;
	hdr[16] = 4;
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_VERSION);
	setup(NULL);
	hdr[25] = 1; /* one 4096-byte header extent: below the kernel's minimum */
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_FORMAT);
	assert_int_equal(parse(sizeof(hdr), 1), 0); /* xattr headers are not size-checked */
	setup(NULL);
	hdr[0] = 0x80; /* size beyond loff_t */
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_FORMAT);
	setup(NULL);
	/* Version 0: packets at offset 20, metadata 8192. */
	memmove(hdr + 20, hdr + 26, 60);
	hdr[16] = 0;
	assert_int_equal(parse(sizeof(hdr), 0), 0);
	assert_int_equal(info.metadata_size, 8192);
	assert_int_equal(info.n_keys, 1);
	setup(NULL);
	/* A huge header (0xffffffff x 0xffff) parses; data simply is not there. */
	memset(hdr + 20, 0xff, 6);
	assert_int_equal(parse(sizeof(hdr), 0), 0);
	assert_int_equal(info.data_offset, (uint64_t)0xffffffff * 0xffff);
}

static void test_packet_rejections(void **state)
{
	static const struct {
		size_t off;
		uint8_t val;
		int rc;
	} cases[] = {
		{ 27, 5, ECT_E_FORMAT },	  /* tag 3 body below 13 */
		{ 27, 0xff, ECT_E_FORMAT },	  /* five-byte length */
		{ 27, 0xe0, ECT_E_FORMAT },	  /* reserved length byte */
		{ 27, 0xdf, ECT_E_TRUNCATED },	  /* 2-byte length past the buffer */
		{ 27, 0x1e, ECT_E_FORMAT },	  /* length off by one: tag 11 misplaced */
		{ 28, 0x05, ECT_E_FORMAT },	  /* tag 3 version */
		{ 29, 0x42, ECT_E_UNSUPPORTED },  /* unknown cipher code */
		{ 29, 0x0b, ECT_E_UNSUPPORTED },  /* cast6: parses; see below */
		{ 30, 0x04, ECT_E_UNSUPPORTED },  /* S2K specifier */
		{ 31, 0x02, ECT_E_UNSUPPORTED },  /* hash id */
		{ 57, 0x8c, ECT_E_FORMAT },	  /* tag 3 not followed by tag 11 */
		{ 58, 0x15, ECT_E_FORMAT },	  /* tag 11 signature length 7 */
		{ 59, 0x63, ECT_E_FORMAT },	  /* tag 11 format byte */
		{ 60, 0x07, ECT_E_FORMAT },	  /* tag 11 file name length */
		{ 26, 0x00, ECT_E_FORMAT },	  /* no packets at all */
		{ 26, 0xed, ECT_E_FORMAT },	  /* tag 11 on its own */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		setup(NULL);
		hdr[cases[i].off] = cases[i].val;
		rc = parse(sizeof(hdr), 0);
		if (cases[i].val == 0x0b) {
			/*
			 * cast6-16 is a valid header; opening it is unsupported
			 * where the kernel offers no cast6 (AF_ALG), as on hosts
			 * without it; test-crypto-kernel covers the other case.
			 */
			struct ect_codec_file *f;
			uint8_t k[64] = { 0 };
			struct ect_codec_key key = { "3515cca9baaea1f4", k };
			struct ect_cipher_info ci;

			assert_int_equal(rc, 0);
			if (ect_cipher_lookup("cast6", 16, &ci) == ECT_E_UNSUPPORTED)
				assert_int_equal(ect_codec_open_header(hdr, sizeof(hdr), 0, -1,
								       &key, 1, &f),
						 ECT_E_UNSUPPORTED);
			continue;
		}
		if (rc != cases[i].rc)
			fail_msg("case %zu: offset %zu = 0x%02x gave %d, want %d", i, cases[i].off,
				 cases[i].val, rc, cases[i].rc);
	}
}

static void test_tag1_and_many_keys(void **state)
{
	size_t i = 26;

	(void)state;
	/* A lone tag 1 (public key): recognised, unsupported. */
	memset(hdr + 26, 0, 200);
	hdr[i++] = 0x01;
	hdr[i++] = 10 + 4;
	hdr[i++] = 0x03;
	unhex("0102030405060708", hdr + i, 8);
	i += 8;
	hdr[i++] = 0x01;
	i += 4;
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_UNSUPPORTED);
	assert_int_equal(info.n_pubkey, 1);
	assert_string_equal(info.pubkey_sig, "0102030405060708");
	hdr[28] = 0x02; /* bad tag 1 version */
	assert_int_equal(parse(sizeof(hdr), 0), ECT_E_FORMAT);

	/* 40 pairs: 32 kept, the rest counted; all within the parsed page. */
	setup(NULL);
	for (i = 1; i < 40; i++)
		memcpy(hdr + 26 + i * 55, hdr + 26, 55);
	assert_int_equal(parse(sizeof(hdr), 0), 0);
	assert_int_equal(info.n_keys, ECT_HEADER_MAX_KEYS);
	assert_int_equal(info.n_keys_dropped, 40 - ECT_HEADER_MAX_KEYS);
	/* A buffer that ends inside the packet set is truncated. */
	assert_int_equal(parse(26 + 30 * 55 + 10, 0), ECT_E_TRUNCATED);
	/* Parsing stops at 4096 bytes, like the kernel: 74 pairs fit exactly. */
	for (i = 40; i < 80; i++)
		memcpy(hdr + 26 + i * 55, hdr + 26, 55);
	assert_int_equal(parse(sizeof(hdr), 0), 0);
	assert_int_equal(info.n_keys + info.n_keys_dropped, (4096 - 26) / 55);
}

static void test_random_headers(void **state)
{
	unsigned int seed = 12345;
	struct ect_codec_file *f;
	uint8_t k[64] = { 0 };
	struct ect_codec_key key = { "3515cca9baaea1f4", k };

	(void)state;
	for (int round = 0; round < 20000; round++) {
		int flips;
		size_t len;

		setup(NULL);
		seed = seed * 1103515245u + 12345u;
		flips = 1 + (seed >> 16) % 4;
		for (int j = 0; j < flips; j++) {
			seed = seed * 1103515245u + 12345u;
			hdr[16 + (seed >> 8) % 80] = (uint8_t)(seed >> 24);
		}
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % 2 ? sizeof(hdr) : (seed >> 12) % 120;
		assert_true(parse(len, (int)(seed >> 30) & 1) <= 0);
		if (!ect_codec_open_header(hdr, len, 0, -1, &key, 1, &f))
			ect_codec_close(f);
	}
}

static int tmp_fd(void)
{
	char path[] = "/tmp/test-codec-hostile-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static int discard(void *u, const void *d, size_t n)
{
	(void)u;
	(void)d;
	(void)n;
	return 0;
}

static void test_short_lower_files(void **state)
{
	uint8_t k[64] = { 0 }, buf[8192];
	struct ect_codec_key key = { "3515cca9baaea1f4", k };
	struct ect_codec_file *f;
	int fd = tmp_fd();

	(void)state;
	/* A header that claims 40000 bytes, with one data extent present. */
	hdr[6] = 0x9c;
	hdr[7] = 0x40;
	assert_int_equal(pwrite(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	memset(buf, 0x5a, 4096);
	assert_int_equal(pwrite(fd, buf, 4096, 8192), 4096);
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &f), 0);
	assert_int_equal(ect_codec_size(f), 40000);
	assert_int_equal(ect_codec_pread(f, buf, 100, 0), 100); /* garbage, but there */
	assert_int_equal(ect_codec_pread(f, buf, 100, 5000), ECT_E_TRUNCATED);
	assert_int_equal(ect_codec_decrypt_to(f, discard, NULL), ECT_E_TRUNCATED);
	ect_codec_close(f);
	/* A size of 2^63-1 fails fast instead of looping. */
	memset(hdr, 0xff, 8);
	hdr[0] = 0x7f;
	assert_int_equal(pwrite(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &f), 0);
	assert_int_equal(ect_codec_decrypt_to(f, discard, NULL), ECT_E_TRUNCATED);
	assert_int_equal(ect_codec_pread(f, buf, 10, INT64_MAX - 20), -EFBIG);
	ect_codec_close(f);
	/* A huge header offset: reads fail cleanly. */
	setup(NULL);
	memset(hdr + 20, 0xff, 6);
	assert_int_equal(pwrite(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &f), 0);
	assert_int_equal(ect_codec_pread(f, buf, 12, 0), ECT_E_TRUNCATED);
	ect_codec_close(f);
	/* Empty and tiny lower files. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(ect_codec_open_fd(fd, ECT_CODEC_NO_XATTR, &key, 1, &f), ECT_E_NOT_ECRYPTFS);
	assert_int_equal(pwrite(fd, hdr, 12, 0), 12);
	assert_int_equal(ect_codec_open_fd(fd, ECT_CODEC_NO_XATTR, &key, 1, &f), ECT_E_TRUNCATED);
	assert_int_equal(ect_codec_open_fd(-1, 0, &key, 1, &f), -EBADF);
	close(fd);
}

static void test_hostile_names(void **state)
{
	static const char *bad[] = {
		"ECRYPTFS_FNEK_ENCRYPTED.",			    /* prefix only */
		"ECRYPTFS_FNEK_ENCRYPTED.!!!!!!!!",		    /* unknown chars decode to 0 */
		"ECRYPTFS_FNEK_ENCRYPTED.F",			    /* shorter than a byte */
		"ECRYPTFS_FNEK_ENCRYPTED.FW",			    /* tag only */
		"ECRYPTFS_FNEK_ENCRYPTED.FWay",			    /* length, no body */
		"ECRYPTFS_FNEK_ENCRYPTED.FZ--------------",	    /* length 0x90.. */
		"ECRYPTFS_FNEK_ENCRYPTED.Fzzzzzzzzzzzzzzzzzzzz",    /* 0xff length byte */
		"ECRYPTFS_FNEK_ENCRYPTED.EWayVrRYlN446EY.WUc7GBFq", /* wrong tag */
	};
	uint8_t k[64] = { 9 };
	struct ect_fname_codec *c;
	struct ect_cipher_info ci;
	char out[8192], back[4096], *huge;
	ssize_t n;
	unsigned int seed = 1;

	(void)state;
	assert_int_equal(ect_fname_codec_new(k, "be877764c5918621", "aes", 32, &c), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = ect_fname_decrypt(c, bad[i], strlen(bad[i]), 0, back, sizeof(back));
		if (n != ECT_E_FORMAT && n != ECT_E_TRUNCATED && n != ECT_E_NOT_ECRYPTFS)
			fail_msg("name %zu gave %zd", i, n);
	}
	/* A real name whose packet is cut short. */
	n = ect_fname_encrypt(c, "hello", 5, 0, out, sizeof(out));
	assert_true(n > 40);
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n - 8, 0, back, sizeof(back)),
			 ECT_E_TRUNCATED);
	/* Decrypting to '/' or ".." is refused for components, allowed for targets. */
	n = ect_fname_encrypt(c, "../etc/x", 8, ECT_FNAME_SYMLINK, out, sizeof(out));
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, sizeof(back)), ECT_E_FORMAT);
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, ECT_FNAME_SYMLINK, back, sizeof(back)), 8);
	n = ect_fname_encrypt(c, "..", 2, ECT_FNAME_SYMLINK, out, sizeof(out));
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, sizeof(back)), ECT_E_FORMAT);
	/* Output buffers too small. */
	n = ect_fname_encrypt(c, "hello", 5, 0, out, sizeof(out));
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, 5), -ENOSPC);
	/* Symlink targets past PATH_MAX. */
	huge = malloc(20000);
	memset(huge, 'a', 20000);
	assert_int_equal(ect_fname_encrypt(c, huge, 4000, ECT_FNAME_SYMLINK, out, sizeof(out)),
			 ECT_E_NAME_TOO_LONG);
	memcpy(huge, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN);
	assert_int_equal(ect_fname_decrypt(c, huge, 20000, ECT_FNAME_SYMLINK, back, sizeof(back)),
			 ECT_E_FORMAT);
	/* Random garbage behind the prefix never crashes. */
	for (int round = 0; round < 20000; round++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = ECT_FNEK_PREFIX_LEN + (seed >> 8) % 300;
		for (size_t i = ECT_FNEK_PREFIX_LEN; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			huge[i] = (char)(seed >> 16);
		}
		n = ect_fname_decrypt(c, huge, len, (seed >> 30) & 1, back, sizeof(back));
		assert_true(n < 0 || (size_t)n == strlen(back));
		assert_true(ect_fname_peek(huge, len, NULL, NULL) <= 0);
	}
	free(huge);
	ect_fname_codec_free(c);
	assert_int_equal(ect_fname_codec_new(k, "nothex", "aes", 32, &c), ECT_E_BAD_SIG);
	if (ect_cipher_lookup("cast6", 16, &ci) == ECT_E_UNSUPPORTED)
		assert_int_equal(ect_fname_codec_new(k, "be877764c5918621", "cast6", 16, &c),
				 ECT_E_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_header_basic_rejections, setup),
		cmocka_unit_test_setup(test_header_fields, setup),
		cmocka_unit_test_setup(test_packet_rejections, setup),
		cmocka_unit_test_setup(test_tag1_and_many_keys, setup),
		cmocka_unit_test_setup(test_random_headers, setup),
		cmocka_unit_test_setup(test_short_lower_files, setup),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
