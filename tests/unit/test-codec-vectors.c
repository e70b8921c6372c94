// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec against kernel-made vectors (format doc §8.1: iqb/ecryptfs and
 * pecryptfs sample files written by a real kernel) and the computed
 * vectors of §8.2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "codec-test.h"

/* pecryptfs tests/data/aes-16.raw, bytes 0..81 (kernel-written). */
static const char pec_aes16_header[] =
	"000000000000000c 378881cc0b093639 03000002 00001000 0002 8c1d 04 07 03 01 "
	"0011223344556677 60 404811d3601cad796515bd4f09f7cac0 ed16 62 08 "
	"5f434f4e534f4c45 00000000 3515cca9baaea1f4 00";

static void check_hex(const uint8_t *got, size_t len, const char *want)
{
	char hex[2 * 64 + 1];

	tohex(got, len, hex);
	assert_string_equal(hex, want);
}

static void test_pecryptfs_aes16(void **state)
{
	uint8_t hdr[ECT_HEADER_SIZE] = { 0 }, rebuilt[ECT_HEADER_SIZE];
	uint8_t fekek[64] = { 0 }, plain[ECT_EXTENT_SIZE] = { 0 }, ct[ECT_EXTENT_SIZE];
	uint8_t iv[16], root[16], fek[16];
	struct ect_header_info info;
	struct ect_codec_file *f;
	struct ect_codec_key key = { "3515cca9baaea1f4", fekek };
	size_t n = unhex(pec_aes16_header, hdr, sizeof(hdr));

	(void)state;
	assert_int_equal(n, 82);
	assert_int_equal(ect_header_parse(hdr, sizeof(hdr), 0, &info), 0);
	assert_int_equal(info.size, 12);
	assert_int_equal(info.marker, 0x378881cc);
	assert_int_equal(info.version, 3);
	assert_int_equal(info.flags, ECT_HDR_FLAG_ENCRYPTED);
	assert_int_equal(info.metadata_size, 8192);
	assert_int_equal(info.data_offset, 8192);
	assert_int_equal(info.n_keys, 1);
	assert_string_equal(info.keys[0].sig, "3515cca9baaea1f4");
	assert_int_equal(info.keys[0].cipher_code, ECT_CIPHER_CODE_AES_128);
	assert_int_equal(info.keys[0].efek_len, 16);

	unhex("0f38a537ffd1804fb13c6ce714b09c7b", fekek, 16);
	assert_int_equal(ect_codec_open_header(hdr, sizeof(hdr), 0, -1, &key, 1, &f), 0);
	assert_int_equal(ect_codec_size(f), 12);
	assert_string_equal(ect_codec_cipher(f)->name, "aes");
	assert_int_equal(ect_codec_cipher(f)->key_bytes, 16);
	/* The unwrapped FEK is the kernel's: its root IV and ciphertext match. */
	unhex("d8c8dcec9c511399fb6acb32f28d89e2", fek, 16);
	assert_int_equal(ect_codec_root_iv(fek, 16, root), 0);
	check_hex(root, 16, "dc7ad27937b255fc59c959d3162ea07c");
	assert_int_equal(ect_codec_extent_iv(root, 0, iv), 0);
	check_hex(iv, 16, "8f4f3411dacaa96027fc8662abd77f1c");
	memcpy(plain, "Hello World\n", 12);
	assert_int_equal(ect_codec_encrypt_extents(f, 0, 1, plain, ct), 0);
	check_hex(ct, 16, "38bb59b82fa4464d4b2f49bdf5c339f3");
	assert_int_equal(ect_codec_decrypt_extents(f, 0, 1, ct, ct), 0);
	assert_memory_equal(ct, plain, sizeof(plain));
	/* Rebuilding the header from what was parsed gives the kernel's bytes. */
	assert_int_equal(ect_codec_header_build(f, rebuilt, sizeof(rebuilt)), ECT_HEADER_SIZE);
	assert_memory_equal(rebuilt, hdr, sizeof(hdr));
	ect_codec_close(f);

	/* A wrong key signature is refused before any decryption. */
	key.sig[0] = '4';
	assert_int_equal(ect_codec_open_header(hdr, sizeof(hdr), 0, -1, &key, 1, &f),
			 ECT_E_WRONG_PASSWORD);
	assert_null(f);
}

/* iqb/ecryptfs tests/data/encrypted/test: AES-256, flags 0x0300000A. */
static void test_iqb_test_file(void **state)
{
	uint8_t fekek[64] = { 0 }, fek[32], efek[32], root[16], iv[16];
	uint8_t hdr[ECT_HEADER_SIZE] = { 0 }, rebuilt[ECT_HEADER_SIZE];
	struct ect_codec_key keys[2] = { { "0000000000000000", fekek }, { "d395309aaad4de06", fekek } };
	struct ect_header_info info;
	struct ect_codec_file *f;
	gcry_cipher_hd_t hd;
	size_t n;

	(void)state;
	unhex("58116605277520b3fa1315497f2089514d53100b08096ee8ab2c752c96ebfc7e", fekek, 32);
	unhex("147cf3025f8a81859b4d688e3c2436d9352f4bec0bb85fd236c66e3afb3b4c7e", fek, 32);
	/* The sample's EFEK is not in the doc: wrap the known FEK as the kernel does. */
	assert_int_equal(gcry_cipher_open(&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_ECB, 0), 0);
	assert_int_equal(gcry_cipher_setkey(hd, fekek, 32), 0);
	assert_int_equal(gcry_cipher_encrypt(hd, efek, 32, fek, 32), 0);
	gcry_cipher_close(hd);
	n = unhex("0000000000000008 4028ddad7ca96a58 0300000a 00001000 0002 8c2d 04 09 03 01 "
		  "0011223344556677 60", hdr, sizeof(hdr));
	memcpy(hdr + n, efek, 32);
	n += 32;
	n += unhex("ed16 62 08 5f434f4e534f4c45 00000000 d395309aaad4de06 00", hdr + n, 64);
	assert_int_equal(n, 98);
	assert_int_equal(hdr[73], 0xed); /* tag 11 at 73, terminator at 97 (§1.1) */
	assert_int_equal(ect_header_parse(hdr, sizeof(hdr), 0, &info), 0);
	assert_int_equal(info.flags, ECT_HDR_FLAG_ENCRYPTED | ECT_HDR_FLAG_ENCRYPT_FILENAMES);
	assert_int_equal(info.keys[0].efek_len, 32);
	/* Two candidates; the second matches the tag 11 signature. */
	assert_int_equal(ect_codec_open_header(hdr, sizeof(hdr), 0, -1, keys, 2, &f), 0);
	assert_int_equal(ect_codec_cipher(f)->key_bytes, 32);
	assert_int_equal(ect_codec_key_index(f), 0);
	assert_int_equal(ect_codec_header_build(f, rebuilt, sizeof(rebuilt)), ECT_HEADER_SIZE);
	assert_memory_equal(rebuilt, hdr, sizeof(hdr));
	ect_codec_close(f);

	assert_int_equal(ect_codec_root_iv(fek, 32, root), 0);
	check_hex(root, 16, "e54b937c12b1eb7ab920c9a31bb97edf");
	assert_int_equal(ect_codec_extent_iv(root, 0, iv), 0);
	check_hex(iv, 16, "acc78a4a65129b9aa712467a12e6191b");
	assert_int_equal(ect_codec_extent_iv(root, 1, iv), 0);
	check_hex(iv, 16, "4c251ff52053ec18d6ac2ae608cba877");
	/* §8.2: "9", "10" (two characters) and "123456" */
	assert_int_equal(ect_codec_extent_iv(root, 9, iv), 0);
	check_hex(iv, 16, "cb6d30a6d73af3ea288e6f48d98375d2");
	assert_int_equal(ect_codec_extent_iv(root, 10, iv), 0);
	check_hex(iv, 16, "6f2f8266e656e2e3c8b59ee379d98264");
	assert_int_equal(ect_codec_extent_iv(root, 123456, iv), 0);
	check_hex(iv, 16, "27d49be2df4d4b3faa32354a3af58ece");
}

static void test_iqb_loremipsum_ivs(void **state)
{
	uint8_t fek[32], root[16], iv[16];

	(void)state;
	unhex("6ef73e9898485cb66aa43f137221572a71bd0776edac8c2fa5f816bc9b8fea39", fek, 32);
	assert_int_equal(ect_codec_root_iv(fek, 32, root), 0);
	check_hex(root, 16, "c3a7fdf43bf506c3eb679a3afcee2460");
	assert_int_equal(ect_codec_extent_iv(root, 0, iv), 0);
	check_hex(iv, 16, "fa776047c8fac4bb0cc76ca7027af4a5");
}

static void check_name(struct ect_fname_codec *c, const char *plain, const char *lower)
{
	char out[512];
	ssize_t n;

	n = ect_fname_encrypt(c, plain, strlen(plain), 0, out, sizeof(out));
	assert_int_equal(n, (ssize_t)strlen(lower));
	assert_string_equal(out, lower);
	n = ect_fname_decrypt(c, lower, strlen(lower), 0, out, sizeof(out));
	assert_int_equal(n, (ssize_t)strlen(plain));
	assert_string_equal(out, plain);
}

/* Kernel-written names from iqb: passphrase "test", AES-256 FNEK. */
static void test_iqb_names(void **state)
{
	uint8_t fnek[64];
	char sig[17];
	struct ect_fname_codec *c;

	(void)state;
	test_derive("test", test_salt_fnek, fnek, sig);
	assert_string_equal(sig, "be877764c5918621");
	assert_int_equal(ect_fname_codec_new(fnek, sig, "aes", 32, &c), 0);
	check_name(c, "loremipsum.txt",
		   "ECRYPTFS_FNEK_ENCRYPTED.FWayVrRYlN446EY.WUc7GBFqG9GB6qF3eRmJZ7NYS7ANeS4Gfi9c34ZDTU--");
	check_name(c, "test",
		   "ECRYPTFS_FNEK_ENCRYPTED.FWayVrRYlN446EY.WUc7GBFqG9GB6qF3eRmJwLxTOkMu8UtE6MkSWHGsZE--");
	ect_fname_codec_free(c);
}

/* §8.2: AES-128 names (ecryptfs_fn_key_bytes=16). */
static void test_aes128_names(void **state)
{
	static const char common[] = "ECRYPTFS_FNEK_ENCRYPTED.FWayVrRYlN446ERDD20SlK20xSkpZmIqkmbb";
	char want[128];
	uint8_t fnek[64];
	char sig[17];
	struct ect_fname_codec *c;

	(void)state;
	test_derive("Test", test_salt_fnek, fnek, sig);
	assert_string_equal(sig, "37b7af1b2b2ef27a");
	/* The names below are FNEK("test") (iqb's key) with ecryptfs_fn_key_bytes=16. */
	test_derive("test", test_salt_fnek, fnek, sig);
	assert_int_equal(ect_fname_codec_new(fnek, sig, "aes", 16, &c), 0);
	check_name(c, "test",
		   "ECRYPTFS_FNEK_ENCRYPTED.FWayVrRYlN446ERDD20SlK20xSkpZmIqkmbbHuIRSyhXenTucjO1zpyxHU--");
	snprintf(want, sizeof(want), "%s%s", common, "VRhU6uuJLKcbzicP0BDx8---");
	check_name(c, "loremipsum.txt", want);
	snprintf(want, sizeof(want), "%s%s", common, "d0fNNnapTvJ5mlBwXZxBiE--");
	check_name(c, "HelloWorld", want);
	ect_fname_codec_free(c);

	/* The FEKEK of the pecryptfs samples comes from the same passphrase. */
	test_derive("Test", test_salt_default, fnek, sig);
	assert_string_equal(sig, "3515cca9baaea1f4");
	check_hex(fnek, 16, "0f38a537ffd1804fb13c6ce714b09c7b");
}

/* §8.2: a prefix stream with a 0x00 at position 25 becomes 0x42. */
static void test_0x42_substitution(void **state)
{
	uint8_t fnek[64];
	char sig[17];
	struct ect_fname_codec *c;

	(void)state;
	test_derive("HmPR65GG1nFFBHh1PdQMIGQ7vatEmi2c3qgqxZs3zk", test_salt_fnek, fnek, sig);
	assert_string_equal(sig, "4d0f9e8d8a9d1d6c");
	assert_int_equal(ect_fname_codec_new(fnek, sig, "aes", 16, &c), 0);
	check_name(c, "test",
		   "ECRYPTFS_FNEK_ENCRYPTED.FWZB1tuBWdoRP-Sf55XoVbymY5V0-HPdXGywjF1JHoQN1FY.YxESl6Azb---");
	ect_fname_codec_free(c);
}

static void test_name_lengths(void **state)
{
	static const size_t plain[] = { 1, 142, 143, 144, 176 };
	static const size_t lower[] = { 84, 252, 252, 276, 320 };
	uint8_t fnek[64] = { 1, 2, 3 };
	char name[300], out[400];
	struct ect_fname_codec *c;

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_int_equal(ect_fname_lower_len(16, plain[i]), lower[i]);
	assert_int_equal(ect_fname_codec_new(fnek, "0102030405060708", NULL, 0, &c), 0);
	assert_int_equal(ect_fname_name_max(c), 143);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		ssize_t n;

		memset(name, 'x', plain[i]);
		n = ect_fname_encrypt(c, name, plain[i], 0, out, sizeof(out));
		if (lower[i] <= 255) {
			assert_int_equal(n, (ssize_t)lower[i]);
			assert_int_equal(ect_fname_decrypt(c, out, (size_t)n, 0, name, sizeof(name)),
					 (ssize_t)plain[i]);
		} else {
			assert_int_equal(n, ECT_E_NAME_TOO_LONG);
		}
	}
	ect_fname_codec_free(c);
	/* 8-byte blocks give the same limit (N <= 160). */
	const char *ciphers[] = { "blowfish", "des3_ede", "cast5", "twofish", "aes" };
	const size_t kb[] = { 56, 24, 16, 32, 24 };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ect_fname_codec_new(fnek, "0102030405060708", ciphers[i], kb[i], &c), 0);
		assert_int_equal(ect_fname_name_max(c), 143);
		ect_fname_codec_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pecryptfs_aes16),
		cmocka_unit_test(test_iqb_test_file),
		cmocka_unit_test(test_iqb_loremipsum_ivs),
		cmocka_unit_test(test_iqb_names),
		cmocka_unit_test(test_aes128_names),
		cmocka_unit_test(test_0x42_substitution),
		cmocka_unit_test(test_name_lengths),
	};

	/* test_fek_wrap calls libgcrypt itself; the library initialises it lazily */
	if (!gcry_check_version(NULL))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
