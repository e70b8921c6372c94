// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec round trips: every libgcrypt-backed kernel cipher and the sizes
 * that matter (0, 1, 4095, 4096, 4097, 40 KiB + 1, several MiB), several
 * keys per file, header in the xattr, random-access reads, writes with
 * gaps checked against a plain model, the worker pool, names and symlinks.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec-test.h"

static uint8_t key_a[64], key_b[64], key_c[64];

static int temp_fd(void)
{
	return test_temp_fd("test-codec");
}

static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

struct membuf {
	uint8_t *data;
	size_t len, cap;
};

static int mem_sink(void *userdata, const void *data, size_t len)
{
	struct membuf *m = userdata;

	if (m->len + len > m->cap)
		return -ENOSPC;
	memcpy(m->data + m->len, data, len);
	m->len += len;
	return 0;
}

static uint64_t file_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint64_t)st.st_size;
}

/* Write size bytes with cipher/key_bytes, read back, compare, check layout. */
static void roundtrip(const char *cipher, size_t kb, size_t size, int xattr)
{
	struct ect_codec_key keys[2] = { { "", key_a }, { "", key_b } };
	struct ect_codec_create_params p = { cipher, kb, keys, 2, NULL, xattr, 1, 0 };
	struct ect_codec_file *f;
	uint8_t *plain = malloc(size + 1), *back = malloc(size + 1);
	struct membuf m = { back, 0, size + 1 };
	uint64_t extents = (size + 4095) / 4096;
	int fd = temp_fd();
	int rc;

	assert_non_null(plain);
	assert_non_null(back);
	strcpy(keys[0].sig, "aaaaaaaaaaaaaaaa");
	strcpy(keys[1].sig, "bbbbbbbbbbbbbbbb");
	fill_pattern(plain, size, (unsigned int)size);
	rc = ect_codec_create(fd, &p, &f);
	if (xattr && rc == -ENOTSUP) {
		close(fd);
		free(plain);
		free(back);
		return;
	}
	assert_int_equal(rc, 0);
	if (size)
		assert_int_equal(ect_codec_pwrite(f, plain, size, 0), (ssize_t)size);
	assert_int_equal(ect_codec_size(f), size);
	ect_codec_close(f);
	/* The kernel's lower size: header (unless xattr) + whole extents. */
	assert_int_equal(file_size(fd), (xattr ? 0 : 8192) + extents * 4096);

	/* Only the second key is offered: the second pair opens it. */
	assert_int_equal(ect_codec_open_fd(fd, 0, &keys[1], 1, &f), 0);
	assert_int_equal(ect_codec_key_index(f), 1);
	assert_int_equal(ect_codec_size(f), size);
	assert_int_equal(ect_codec_info(f)->in_xattr, xattr);
	assert_int_equal(ect_codec_info(f)->flags,
			 ECT_HDR_FLAG_ENCRYPTED | ECT_HDR_FLAG_ENCRYPT_FILENAMES |
				 (xattr ? ECT_HDR_FLAG_METADATA_IN_XATTR : 0));
	assert_int_equal(ect_codec_decrypt_to(f, mem_sink, &m), 0);
	assert_int_equal(m.len, size);
	assert_memory_equal(back, plain, size);
	/* Random access: an unaligned window in the middle, and past the end. */
	if (size > 10) {
		size_t off = size / 3, len = size / 2;

		assert_int_equal(ect_codec_pread(f, back, len, off), (ssize_t)len);
		assert_memory_equal(back, plain + off, len);
		assert_int_equal(ect_codec_pread(f, back, 100, size), 0);
		assert_int_equal(ect_codec_pread(f, back, 100, size - 5), 5);
	}
	/* The zero-filled tail the kernel writes. */
	if (size % 4096) {
		uint8_t ext[4096];

		assert_int_equal(ect_codec_read_extent(f, extents - 1, ext), 0);
		for (size_t i = size % 4096; i < 4096; i++)
			assert_int_equal(ext[i], 0);
	}
	ect_codec_close(f);

	keys[0].key = key_c;
	strcpy(keys[0].sig, "cccccccccccccccc");
	assert_int_equal(ect_codec_open_fd(fd, 0, keys, 1, &f), ECT_E_WRONG_PASSWORD);
	close(fd);
	free(plain);
	free(back);
}

static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 40 * 1024 + 1 };

static void test_roundtrip_ciphers(void **state)
{
	static const struct {
		const char *name;
		size_t kb;
	} ciphers[] = {
		{ "aes", 16 }, { "aes", 24 }, { "aes", 32 }, { "blowfish", 16 }, { "blowfish", 32 },
		{ "blowfish", 56 }, { "des3_ede", 24 }, { "cast5", 16 }, { "twofish", 16 },
		{ "twofish", 32 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			roundtrip(ciphers[c].name, ciphers[c].kb, sizes[s], 0);
}

static void test_roundtrip_xattr(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		roundtrip("aes", 16, sizes[s], 1);
		roundtrip("aes", 32, sizes[s], 1);
	}
}

static void test_roundtrip_large(void **state)
{
	(void)state;
	roundtrip("aes", 16, 3 * 1024 * 1024 + 123, 0);
	roundtrip("aes", 32, 5 * 1024 * 1024, 0);
}

static void test_xattr_layout(void **state)
{
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 1, 0, 0 };
	struct ect_codec_file *f;
	uint8_t x[4096];
	int fd = temp_fd();
	ssize_t n;

	(void)state;
	if (ect_codec_create(fd, &p, &f) == -ENOTSUP) {
		close(fd);
		skip();
	}
	ect_codec_close(f);
	/* 26 + tag 3 (31) + tag 11 (24): no terminator, no padding (§1.6). */
	n = fgetxattr(fd, ECT_HEADER_XATTR, x, sizeof(x));
	assert_int_equal(n, 81);
	assert_int_equal(x[19], 0x06);
	assert_int_equal(file_size(fd), 0);
	assert_int_equal(ect_codec_open_fd(fd, ECT_CODEC_NO_XATTR, &key, 1, &f), ECT_E_NOT_ECRYPTFS);
	assert_int_equal(ect_codec_open_fd(fd, ECT_CODEC_XATTR_ONLY, &key, 1, &f), 0);
	ect_codec_close(f);
	close(fd);
}

/* Random writes against a plain model, including gaps past the end. */
static void test_pwrite_model(void **state)
{
	enum { MAX = 64 * 1024 };
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f;
	uint8_t *model = calloc(1, MAX), *buf = malloc(MAX), *back = malloc(MAX);
	uint64_t size = 0;
	unsigned int seed = 7;
	int fd = temp_fd();

	(void)state;
	assert_int_equal(ect_codec_create(fd, &p, &f), 0);
	/* A write far past the end: the gap must read back as zeros. */
	fill_pattern(buf, 100, 1);
	assert_int_equal(ect_codec_pwrite(f, buf, 100, 10000), 100);
	memcpy(model + 10000, buf, 100);
	size = 10100;
	for (int i = 0; i < 60; i++) {
		uint64_t off, len;

		seed = seed * 1103515245u + 12345u;
		off = (seed >> 8) % (MAX - 1);
		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 8) % 9000;
		if (off + len > MAX)
			len = MAX - off;
		fill_pattern(buf, len, seed);
		assert_int_equal(ect_codec_pwrite(f, buf, len, off), (ssize_t)len);
		memcpy(model + off, buf, len);
		if (off + len > size)
			size = off + len;
	}
	ect_codec_close(f);
	assert_int_equal(file_size(fd), 8192 + (size + 4095) / 4096 * 4096);
	assert_int_equal(ect_codec_open_fd(fd, ECT_CODEC_WRITE, &key, 1, &f), 0);
	assert_int_equal(ect_codec_size(f), size);
	assert_int_equal(ect_codec_pread(f, back, MAX, 0), (ssize_t)size);
	assert_memory_equal(back, model, size);
	/* Appending through the reopened handle updates the header too. */
	assert_int_equal(ect_codec_pwrite(f, "tail", 4, size), 4);
	ect_codec_close(f);
	assert_int_equal(ect_codec_open_fd(fd, 0, &key, 1, &f), 0);
	assert_int_equal(ect_codec_size(f), size + 4);
	ect_codec_close(f);
	close(fd);
	free(model);
	free(buf);
	free(back);
}

static void test_stream_and_pool(void **state)
{
	enum { SIZE = 4 * 1024 * 1024 + 777 };
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "aes", 32, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f;
	struct ect_codec_pool *pool;
	uint8_t *plain = malloc(SIZE), *back = malloc(SIZE);
	int src = temp_fd(), lower = temp_fd(), out = temp_fd(), out2 = temp_fd();

	(void)state;
	fill_pattern(plain, SIZE, 99);
	assert_int_equal(write(src, plain, SIZE), SIZE);
	assert_int_equal(lseek(src, 0, SEEK_SET), 0);
	assert_int_equal(ect_codec_create(lower, &p, &f), 0);
	assert_int_equal(ect_codec_encrypt_from_fd(f, src), 0);
	ect_codec_close(f);

	assert_int_equal(ect_codec_open_fd(lower, 0, &key, 1, &f), 0);
	assert_int_equal(ect_codec_pool_new(2, &pool), 0);
	assert_int_equal(ect_codec_pool_threads(pool), 2);
	assert_int_equal(ect_codec_decrypt_to_fd_parallel(f, pool, out), 0);
	assert_int_equal(pread(out, back, SIZE, 0), SIZE);
	assert_memory_equal(back, plain, SIZE);
	assert_int_equal(file_size(out), SIZE);
	assert_int_equal(ect_codec_decrypt_to_fd(f, out2), 0);
	assert_int_equal(pread(out2, back, SIZE, 0), SIZE);
	assert_memory_equal(back, plain, SIZE);
	ect_codec_pool_free(pool);
	ect_codec_close(f);
	close(src);
	close(lower);
	close(out);
	close(out2);
	free(plain);
	free(back);
}

/* Grouped encryption (many extents per call) equals one CBC message per extent. */
static void test_grouped_equals_single(void **state)
{
	static const char *ciphers[] = { "aes", "blowfish", "des3_ede", "twofish" };
	static const size_t kb[] = { 32, 56, 24, 16 };
	enum { N = 70 };
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	uint8_t *plain = malloc(N * 4096), *grouped = malloc(N * 4096), *single = malloc(N * 4096);

	(void)state;
	fill_pattern(plain, N * 4096, 5);
	for (size_t c = 0; c < 4; c++) {
		struct ect_codec_create_params p = { ciphers[c], kb[c], &key, 1, NULL, 0, 0, 0 };
		struct ect_codec_file *f;

		assert_int_equal(ect_codec_create(-1, &p, &f), 0);
		assert_int_equal(ect_codec_encrypt_extents(f, 1000, N, plain, grouped), 0);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(ect_codec_encrypt_extents(f, 1000 + i, 1, plain + i * 4096,
								   single + i * 4096), 0);
		assert_memory_equal(grouped, single, N * 4096);
		/* in place too */
		memcpy(single, plain, N * 4096);
		assert_int_equal(ect_codec_encrypt_extents(f, 1000, N, single, single), 0);
		assert_memory_equal(grouped, single, N * 4096);
		assert_int_equal(ect_codec_decrypt_extents(f, 1000, N, single, single), 0);
		assert_memory_equal(plain, single, N * 4096);
		ect_codec_close(f);
	}
	free(plain);
	free(grouped);
	free(single);
}

static void test_cipher_table(void **state)
{
	struct ect_cipher_info ci;
	int rc;

	(void)state;
	assert_int_equal(ect_cipher_lookup(NULL, 0, &ci), 0);
	assert_string_equal(ci.name, "aes");
	assert_int_equal(ci.code, ECT_CIPHER_CODE_AES_128);
	assert_int_equal(ect_cipher_lookup("aes", 24, &ci), 0);
	assert_int_equal(ci.code, ECT_CIPHER_CODE_AES_192);
	assert_int_equal(ect_cipher_lookup("aes", 20, &ci), -EINVAL);
	assert_int_equal(ect_cipher_lookup("rot13", 16, &ci), -EINVAL);
	/* cast6 runs on the kernel's AF_ALG where it is offered (test-crypto-kernel) */
	rc = ect_cipher_lookup("cast6", 16, &ci);
	assert_true(rc == 0 || rc == ECT_E_UNSUPPORTED);
	assert_int_equal(ci.code, ECT_CIPHER_CODE_CAST6);
	assert_int_equal(ci.supported, rc == 0);
	assert_int_equal(ect_cipher_lookup("blowfish", 56, &ci), 0);
	assert_int_equal(ci.block_size, 8);
	assert_int_equal(ect_cipher_by_code(ECT_CIPHER_CODE_AES_192, 0, &ci), 0);
	assert_int_equal(ci.key_bytes, 24);
	assert_int_equal(ect_cipher_by_code(0x42, 16, &ci), ECT_E_UNSUPPORTED);
}

static void test_create_refusals(void **state)
{
	struct ect_codec_key key = { "aaaaaaaaaaaaaaaa", key_a };
	struct ect_codec_create_params p = { "cast6", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f;
	struct ect_cipher_info ci;

	(void)state;
	if (ect_cipher_lookup("cast6", 16, &ci) == ECT_E_UNSUPPORTED)
		assert_int_equal(ect_codec_create(-1, &p, &f), ECT_E_UNSUPPORTED);
	p.cipher = "rot13";
	assert_int_equal(ect_codec_create(-1, &p, &f), -EINVAL);
	p.cipher = "aes";
	p.nkeys = 0;
	assert_int_equal(ect_codec_create(-1, &p, &f), -EINVAL);
	p.nkeys = 1;
	p.metadata_size = 4096;
	assert_int_equal(ect_codec_create(-1, &p, &f), -EINVAL);
	p.metadata_size = 0;
	strcpy(key.sig, "not-hex-at-all!!");
	assert_int_equal(ect_codec_create(-1, &p, &f), ECT_E_BAD_SIG);
	/* A memory-only handle cannot write. */
	strcpy(key.sig, "aaaaaaaaaaaaaaaa");
	assert_int_equal(ect_codec_create(-1, &p, &f), 0);
	assert_int_equal(ect_codec_pwrite(f, "x", 1, 0), -EBADF);
	ect_codec_close(f);
}

static void test_names_roundtrip(void **state)
{
	struct ect_fname_codec *c;
	char name[4096], out[8192], back[4096], sig[17];
	uint8_t pkt[4096], code;
	ssize_t n;

	(void)state;
	assert_int_equal(ect_fname_codec_new(key_a, "aaaaaaaaaaaaaaaa", "aes", 16, &c), 0);
	/* UTF-8: 143 bytes is the limit, whatever the characters. */
	name[0] = '\0';
	while (strlen(name) + 3 <= 141)
		strcat(name, "\xe6\x97\xa5");
	strcat(name, "ab");
	assert_int_equal(strlen(name), 143);
	n = ect_fname_encrypt(c, name, 143, 0, out, sizeof(out));
	assert_int_equal(n, 252);
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, sizeof(back)), 143);
	assert_string_equal(back, name);
	assert_int_equal(ect_fname_peek(out, (size_t)n, sig, &code), 0);
	assert_string_equal(sig, "aaaaaaaaaaaaaaaa");
	assert_int_equal(code, ECT_CIPHER_CODE_AES_128);
	/* "." and ".." pass through; '/' and empty names are refused. */
	assert_int_equal(ect_fname_encrypt(c, "..", 2, 0, out, sizeof(out)), 2);
	assert_string_equal(out, "..");
	assert_int_equal(ect_fname_encrypt(c, "a/b", 3, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(ect_fname_encrypt(c, "", 0, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(ect_fname_encrypt(c, "abc", 3, 0, out, 20), -ENOSPC);
	/* Symlink targets of 160+ bytes use a 2-byte tag 70 length. */
	for (size_t len = 1; len < 400; len += 17) {
		memset(name, 'a', len);
		for (size_t i = 3; i < len; i += 7)
			name[i] = '/';
		name[len] = '\0';
		n = ect_fname_encrypt(c, name, len, ECT_FNAME_SYMLINK, out, sizeof(out));
		assert_true(n > 0);
		assert_int_equal((size_t)n, ect_fname_lower_len(16, len));
		assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, ECT_FNAME_SYMLINK, back,
						   sizeof(back)), (ssize_t)len);
		assert_string_equal(back, name);
		assert_true(ect_fname_decode(out + 24, (size_t)n - 24, pkt, sizeof(pkt)) > 2);
		assert_int_equal(pkt[1] >= 192, 9 + (17 + len + 15) / 16 * 16 >= 192);
	}
	/* Plain lower names: refused, passed through, or the kernel's rule. */
	assert_int_equal(ect_fname_decrypt(c, "lost+found", 10, 0, back, sizeof(back)),
			 ECT_E_NOT_ECRYPTFS);
	assert_int_equal(ect_fname_decrypt(c, "lost+found", 10, ECT_FNAME_PASSTHROUGH, back,
					   sizeof(back)), 10);
	assert_int_equal(ect_fname_decrypt(c, "lost+found", 10, ECT_FNAME_KERNEL_RULES, back,
					   sizeof(back)), 10);
	memset(name, 'p', 30);
	assert_int_equal(ect_fname_decrypt(c, name, 30, ECT_FNAME_KERNEL_RULES, back, sizeof(back)),
			 ECT_E_NOT_ECRYPTFS);
	ect_fname_codec_free(c);

	/* Another FNEK's name is recognised as such. */
	assert_int_equal(ect_fname_codec_new(key_a, "aaaaaaaaaaaaaaaa", "aes", 16, &c), 0);
	n = ect_fname_encrypt(c, "x", 1, 0, out, sizeof(out));
	ect_fname_codec_free(c);
	assert_int_equal(ect_fname_codec_new(key_b, "bbbbbbbbbbbbbbbb", "aes", 16, &c), 0);
	assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, sizeof(back)),
			 ECT_E_WRONG_PASSWORD);
	ect_fname_codec_free(c);
}

static void test_names_ciphers(void **state)
{
	static const char *ciphers[] = { "aes", "aes", "blowfish", "des3_ede", "cast5", "twofish" };
	static const size_t kb[] = { 24, 32, 16, 24, 16, 32 };
	char out[512], back[256];

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		struct ect_fname_codec *c;

		assert_int_equal(ect_fname_codec_new(key_c, "cccccccccccccccc", ciphers[i], kb[i], &c), 0);
		for (size_t len = 1; len <= 143; len += 13) {
			char name[144];
			ssize_t n;

			memset(name, 'A' + (int)(len % 26), len);
			n = ect_fname_encrypt(c, name, len, 0, out, sizeof(out));
			assert_true(n > 0 && n <= 255);
			assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, back, sizeof(back)),
					 (ssize_t)len);
			assert_memory_equal(back, name, len);
		}
		ect_fname_codec_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cipher_table),
		cmocka_unit_test(test_grouped_equals_single),
		cmocka_unit_test(test_roundtrip_ciphers),
		cmocka_unit_test(test_roundtrip_xattr),
		cmocka_unit_test(test_roundtrip_large),
		cmocka_unit_test(test_xattr_layout),
		cmocka_unit_test(test_pwrite_model),
		cmocka_unit_test(test_stream_and_pool),
		cmocka_unit_test(test_create_refusals),
		cmocka_unit_test(test_names_roundtrip),
		cmocka_unit_test(test_names_ciphers),
	};

	fill_pattern(key_a, 64, 1);
	fill_pattern(key_b, 64, 2);
	fill_pattern(key_c, 64, 3);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
