// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the verify module: the diagnostic header reader on the
 * kernel-written pecryptfs aes-16 header (ecryptfs-format.md §8.1 B), and
 * the setup checks on real directory trees built in a temporary home, one
 * deliberately broken setup per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

/* test paths are short; truncation warnings on PATH_MAX buffers are noise here */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "verify-fixtures.h"
#include "ect-private.h"

/* ---- header reader ---------------------------------------------------- */

static void test_stat_parse_kernel_header(void **state)
{
	struct ect_stat_info info;

	(void)state;
	load_header();
	assert_int_equal(ect_stat_parse(header, 4096, 0, &info), 0);
	assert_int_equal(info.plaintext_size, 12);
	assert_int_equal(info.marker1 ^ ECT_HEADER_MARKER, info.marker2);
	assert_int_equal(info.version, 3);
	assert_int_equal(info.flags, ECT_HDR_FLAG_ENCRYPTED);
	assert_int_equal(info.extent_size, 4096);
	assert_int_equal(info.extent_count, 2);
	assert_int_equal(info.metadata_size, 8192);
	assert_int_equal(info.nkeys, 1);
	assert_int_equal(info.keys[0].tag, 3);
	assert_int_equal(info.keys[0].cipher_code, 0x07);
	assert_int_equal(info.keys[0].efek_len, 16);
	assert_memory_equal(info.keys[0].salt, "\x00\x11\x22\x33\x44\x55\x66\x77", 8);
	assert_string_equal(info.keys[0].sig, AES16_SIG);
}

static void test_stat_parse_faults(void **state)
{
	struct ect_stat_info info;
	uint8_t b[4096];

	(void)state;
	load_header();
	memcpy(b, header, sizeof(b));
	b[9] ^= 1; /* LP #509180: a flipped marker byte */
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_NOT_ECRYPTFS);

	memcpy(b, header, sizeof(b));
	b[25] = 1; /* one header extent: 4096 < 8192 */
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_FORMAT);
	assert_non_null(strstr(info.problem, "8192"));
	assert_int_equal(info.plaintext_size, 12); /* fields before the fault stay */

	memcpy(b, header, sizeof(b));
	b[16] = 4;
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_VERSION);

	/* a tag 3 whose tag 11 is missing */
	memcpy(b, header, sizeof(b));
	b[57] = 0;
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_FORMAT);
	assert_non_null(strstr(info.problem, "tag 11"));

	/* an unknown cipher code: named with its offset, fields kept */
	memcpy(b, header, sizeof(b));
	b[29] = 0xee;
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_UNSUPPORTED);
	assert_non_null(strstr(info.problem, "cipher code at byte 29"));
	assert_int_equal(info.version, 3);

	/* packet set cut short */
	assert_int_equal(ect_stat_parse(header, 60, 0, &info), ECT_E_TRUNCATED);
	assert_int_equal(ect_stat_parse(header, 10, 0, &info), ECT_E_NOT_ECRYPTFS);

	/* a 2-byte packet length running past the buffer */
	memcpy(b, header, sizeof(b));
	b[27] = 0xdf;
	b[28] = 0xff;
	assert_int_equal(ect_stat_parse(b, sizeof(b), 0, &info), ECT_E_TRUNCATED);
}

static void test_stat_xattr(void **state)
{
	char path[] = "/tmp/ect-verify-xattr-XXXXXX";
	struct ect_stat_info info;
	int fd;

	(void)state;
	load_header();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, header + 8192, 4096), 4096);
	/* the xattr value is the header up to the last packet (format doc §1.6) */
	header[19] |= ECT_HDR_FLAG_METADATA_IN_XATTR;
	if (fsetxattr(fd, "user.ecryptfs", header, 81, 0)) {
		close(fd);
		unlink(path);
		skip();
	}
	assert_int_equal(ect_stat_fd(fd, &info), 0);
	assert_true(info.in_xattr);
	assert_int_equal(info.metadata_size, 0);
	assert_int_equal(info.lower_size, 4096);
	assert_string_equal(info.keys[0].sig, AES16_SIG);
	close(fd);
	assert_int_equal(ect_stat_file(path, &info), 0);
	unlink(path);
}

static void test_name_max(void **state)
{
	(void)state;
	assert_int_equal(ect_fne_name_max(255, 16, 1), 143);
	assert_int_equal(ect_fne_name_max(255, 8, 1), 143);
	assert_int_equal(ect_fne_name_max(255, 16, 0), 255);
	assert_int_equal(ect_fne_name_max(1024, 16, 0), 1024);
	assert_true(ect_fne_name_max(1024, 16, 1) > 143);
	assert_int_equal(ect_fne_name_max(20, 16, 1), 0);
}

static void test_verify_correct_setup(void **state)
{
	struct home *h = *state;

	run(h);
	/* v2 is a warning (weak stretching); nothing else may complain */
	if (ect_report_worst(&h->r) > ECT_SEV_WARN)
		dump(&h->r);
	assert_true(ect_report_worst(&h->r) <= ECT_SEV_WARN);
	assert_non_null(find(&h->r, "wrapped-passphrase", ECT_SEV_WARN));
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_OK));
	assert_non_null(find(&h->r, "private-mnt", ECT_SEV_OK));
	assert_non_null(find(&h->r, "lower-headers", ECT_SEV_OK));
	assert_non_null(find(&h->r, "lower-names", ECT_SEV_OK));
	assert_non_null(find(&h->r, "mounted", ECT_SEV_INFO));
	assert_non_null(strstr(find(&h->r, "name-max", ECT_SEV_INFO)->message, "143"));
	for (size_t i = 0; i < h->r.count; i++)
		if (h->r.items[i].severity == ECT_SEV_WARN)
			assert_string_equal(h->r.items[i].check, "wrapped-passphrase");
}

/* With a v3 wrapped passphrase at the floor cost, a correct setup is clean. */
static void test_verify_clean_v3(void **state)
{
	struct home *h = *state;
	struct ect_argon2_params floor;

	ect_argon2_params_floor(&floor);
	assert_int_equal(ect_wrap_file(at(h, ".ecryptfs/wrapped-passphrase"), ECT_WRAP_V3,
				       "0123456789abcdef0123456789abcdef", 32, "login pw", 8, &floor,
				       (uid_t)-1, (gid_t)-1), 0);
	run(h);
	if (ect_report_worst(&h->r) > ECT_SEV_INFO)
		dump(&h->r);
	assert_true(ect_report_worst(&h->r) <= ECT_SEV_INFO);
	assert_non_null(find(&h->r, "wrapped-passphrase", ECT_SEV_OK));
}

static void test_verify_missing_dotecryptfs(void **state)
{
	struct home *h = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", at(h, ".ecryptfs"));
	assert_int_equal(system(cmd), 0);
	run(h);
	assert_non_null(find(&h->r, "dotecryptfs", ECT_SEV_FAIL));
}

static void test_verify_dotecryptfs_mode(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	assert_int_equal(chmod(at(h, ".ecryptfs"), 0777), 0);
	run(h);
	f = find(&h->r, "dotecryptfs", ECT_SEV_FAIL);
	assert_non_null(f);
	assert_int_equal(f->fix.kind, ECT_FIX_CHMOD);
	assert_int_equal(f->fix.mode, 0700);
	assert_string_equal(f->fix.path, at(h, ".ecryptfs"));
}

static void test_verify_home_writable(void **state)
{
	struct home *h = *state;

	assert_int_equal(chmod(h->home, 0777), 0);
	run(h);
	assert_non_null(find(&h->r, "home", ECT_SEV_FAIL));
}

static void test_verify_wrapped_v1(void **state)
{
	struct home *h = *state;
	/* wp01 layout: 16 hex sig + 16 bytes ciphertext */
	static const char v1[32] = "6ee51761d91019e7\x01\x02\x03\x04\x05\x06\x07\x08"
				   "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10";

	put(h, ".ecryptfs/wrapped-passphrase", v1, sizeof(v1), 0600);
	run(h);
	assert_non_null(find(&h->r, "wrapped-passphrase", ECT_SEV_FAIL));
}

static void test_verify_wrapped_readable(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	assert_int_equal(chmod(at(h, ".ecryptfs/wrapped-passphrase"), 0644), 0);
	run(h);
	f = find(&h->r, "wrapped-passphrase", ECT_SEV_WARN);
	assert_non_null(f);
	assert_int_equal(f->fix.kind, ECT_FIX_CHMOD);
	assert_int_equal(f->fix.mode, 0600);
	assert_string_equal(f->fix.path, at(h, ".ecryptfs/wrapped-passphrase"));
}

static void test_verify_wrapped_missing(void **state)
{
	struct home *h = *state;

	assert_int_equal(unlink(at(h, ".ecryptfs/wrapped-passphrase")), 0);
	run(h);
	assert_non_null(find(&h->r, "wrapped-passphrase", ECT_SEV_WARN));
	/* the bootstrap leftover in /dev/shm */
	snprintf(h->path, sizeof(h->path), "%s/.ecryptfs-tester", h->root);
	{
		int fd = open(h->path, O_WRONLY | O_CREAT, 0400);

		assert_true(fd >= 0);
		close(fd);
	}
	run(h);
	assert_non_null(find(&h->r, "bootstrap-passphrase", ECT_SEV_WARN));
}

static void test_verify_sig_malformed(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.sig", "3515CCA9BAAEA1F4\n");
	run(h);
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_FAIL));
	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n" OTHER_SIG "\n" OTHER_SIG "\n");
	run(h);
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_FAIL));
	put_str(h, ".ecryptfs/Private.sig", "");
	run(h);
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_FAIL));
	/* the mount helper's reader wants every line ended */
	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n" OTHER_SIG);
	run(h);
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_FAIL));
}

static void test_verify_mnt_bad(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.mnt", "relative/path\n");
	run(h);
	assert_non_null(find(&h->r, "private-mnt", ECT_SEV_FAIL));
	put_str(h, ".ecryptfs/Private.mnt", "/nonexistent/ect-verify\n");
	run(h);
	assert_non_null(find(&h->r, "private-mnt", ECT_SEV_FAIL));
}

static void test_verify_home_layout_without_automount(void **state)
{
	struct home *h = *state;
	char mnt[PATH_MAX];

	snprintf(mnt, sizeof(mnt), "%s\n", h->home);
	put_str(h, ".ecryptfs/Private.mnt", mnt);
	assert_int_equal(unlink(at(h, ".ecryptfs/auto-mount")), 0);
	run(h);
	assert_non_null(find(&h->r, "auto-mount", ECT_SEV_WARN));
}

static void test_verify_lower_plaintext(void **state)
{
	struct home *h = *state;

	put_str(h, ".Private/notes.txt", "secret plans, in clear\n");
	run(h);
	assert_non_null(find(&h->r, "lower-plaintext", ECT_SEV_FAIL));
	/* the plain name is also reported since names should be encrypted */
	assert_non_null(find(&h->r, "lower-names", ECT_SEV_WARN));
}

static void test_verify_lower_damaged(void **state)
{
	struct home *h = *state;
	uint8_t b[LOWER_SIZE];

	load_header();
	memcpy(b, header, sizeof(b));
	b[25] = 1;
	put(h, ".Private/" ECT_FNEK_PREFIX "damaged", b, sizeof(b), 0600);
	run(h);
	assert_non_null(find(&h->r, "lower-headers", ECT_SEV_FAIL));
}

static void test_verify_lower_foreign_key(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.sig", OTHER_SIG "\n" OTHER_SIG "\n");
	run(h);
	assert_non_null(find(&h->r, "lower-keys", ECT_SEV_FAIL));
}

static void test_verify_names_without_fnek(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n");
	run(h);
	assert_non_null(find(&h->r, "lower-names", ECT_SEV_FAIL));
}

static void test_verify_lower_mode(void **state)
{
	struct home *h = *state;

	assert_int_equal(chmod(at(h, ".Private"), 0755), 0);
	run(h);
	assert_non_null(find(&h->r, "lower-dir", ECT_SEV_WARN));
}

static void test_verify_fifo_in_lower(void **state)
{
	struct home *h = *state;

	/* a FIFO must neither hang the walk nor count as a file */
	assert_int_equal(mkfifo(at(h, ".Private/" ECT_FNEK_PREFIX "fifo"), 0600), 0);
	assert_int_equal(symlink("/etc/passwd", at(h, ".Private/" ECT_FNEK_PREFIX "link")), 0);
	run(h);
	assert_null(find(&h->r, "lower-plaintext", ECT_SEV_FAIL));
	assert_non_null(find(&h->r, "lower-headers", ECT_SEV_OK));
}

static void write_mountinfo(struct home *h, const char *sig)
{
	FILE *f = fopen(h->o.mountinfo, "w");
	char lower[PATH_MAX], mnt[PATH_MAX];

	assert_non_null(f);
	snprintf(lower, sizeof(lower), "%s/.Private", h->home);
	snprintf(mnt, sizeof(mnt), "%s/Private", h->home);
	fprintf(f, "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
	fprintf(f, "40 22 0:40 / %s rw,nosuid,nodev,relatime shared:30 - ecryptfs %s "
		   "rw,ecryptfs_fnek_sig=%s,ecryptfs_sig=%s,ecryptfs_cipher=aes,"
		   "ecryptfs_key_bytes=16,ecryptfs_unlink_sigs\n", mnt, lower, OTHER_SIG, sig);
	fclose(f);
}

static void test_verify_mounted(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	write_mountinfo(h, AES16_SIG);
	run(h);
	f = find(&h->r, "mounted", ECT_SEV_INFO);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "mounted at"));
	write_mountinfo(h, OTHER_SIG);
	run(h);
	assert_non_null(find(&h->r, "mounted", ECT_SEV_WARN));
}

static void test_mountinfo_escapes(void **state)
{
	struct home *h = *state;
	struct ect_mount_entry m;
	FILE *f = fopen(h->o.mountinfo, "w");

	assert_non_null(f);
	fprintf(f, "40 22 0:40 / /home/a\\040b/Private rw shared:3 - ecryptfs "
		   "/home/a\\040b/.Private rw,ecryptfs_sig=%s\n", AES16_SIG);
	fclose(f);
	assert_int_equal(ect_mountinfo_find_ecryptfs(h->o.mountinfo, "/home/a b/.Private", NULL,
						     &m), 1);
	assert_string_equal(m.point, "/home/a b/Private");
	assert_string_equal(m.source, "/home/a b/.Private");
	assert_non_null(strstr(m.opts, AES16_SIG));
	assert_int_equal(ect_mountinfo_find_ecryptfs(h->o.mountinfo, NULL, "/home/a b/Private",
						     NULL), 1);
	assert_int_equal(ect_mountinfo_find_ecryptfs(h->o.mountinfo, "/home/a", "/x", NULL), 0);
}

/*
 * Two mounts stacked on one mount point: the report describes the top one,
 * the one ~/Private reaches, as the mount module's lookup does (the verify
 * module's own reader took the first line).
 */
static void test_mountinfo_stacked(void **state)
{
	struct home *h = *state;
	struct ect_mount_entry m;
	int id = 0;
	FILE *f = fopen(h->o.mountinfo, "w");

	assert_non_null(f);
	fprintf(f, "40 22 0:40 / /home/a/Private rw - ecryptfs /home/a/.Private rw,ecryptfs_sig=%s\n"
		   "41 40 0:41 / /home/a/Private rw - ecryptfs /home/a/.Private rw,ecryptfs_sig=%s\n",
		OTHER_SIG, AES16_SIG);
	fclose(f);
	assert_int_equal(ect_mountinfo_find_ecryptfs(h->o.mountinfo, NULL, "/home/a/Private", &m), 1);
	assert_non_null(strstr(m.opts, AES16_SIG));
	assert_int_equal(ect_mount_lookup(h->o.mountinfo, "/home/a/.Private", "/home/a/Private",
					  ECT_MATCH_SOURCE_AND_TARGET, &id, NULL, 0), 1);
	assert_int_equal(id, 41);
}

/* Swap checks against a fake sysfs tree keyed by a real file's device. */
static void test_verify_swap(void **state)
{
	struct home *h = *state;
	char swaps[PATH_MAX], swapfile[PATH_MAX], sysdir[PATH_MAX], devdir[PATH_MAX], cmd[PATH_MAX * 2];
	struct ect_report r = { 0 };
	struct stat st;
	FILE *f;

	snprintf(swapfile, sizeof(swapfile), "%s/swap file", h->root);
	put(h, "../swap file", "x", 1, 0600);
	assert_int_equal(stat(swapfile, &st), 0);
	snprintf(swaps, sizeof(swaps), "%s/swaps", h->root);
	f = fopen(swaps, "w");
	assert_non_null(f);
	fprintf(f, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	fprintf(f, "%s/swap\\040file file 1024 0 -2\n", h->root);
	fclose(f);
	snprintf(sysdir, sizeof(sysdir), "%s/sys", h->root);
	snprintf(devdir, sizeof(devdir), "%s/dev/block/%u:%u/dm", sysdir, major(st.st_dev),
		 minor(st.st_dev));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", devdir);
	assert_int_equal(system(cmd), 0);
	h->o.swaps = swaps;
	h->o.sysfs = sysdir;

	assert_int_equal(ect_verify_system(&h->o, &r), 0);
	assert_non_null(find(&r, "swap", ECT_SEV_FAIL));
	ect_report_free(&r);

	snprintf(cmd, sizeof(cmd), "echo CRYPT-LUKS2-0123-cryptswap > '%s/uuid'", devdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ect_verify_system(&h->o, &r), 0);
	assert_non_null(find(&r, "swap", ECT_SEV_OK));
	ect_report_free(&r);
	h->o.swaps = NULL;
	h->o.sysfs = NULL;
}

static void test_report_sanitises(void **state)
{
	struct ect_report r = { 0 };

	(void)state;
	assert_int_equal(ect_report_add(&r, ECT_SEV_FAIL, "x", "a\nfail forged"), 0);
	assert_null(strchr(r.items[0].message, '\n'));
	assert_int_equal(r.items[0].fix.kind, ECT_FIX_NONE);
	assert_int_equal(ect_report_worst(&r), ECT_SEV_FAIL);
	ect_report_free(&r);
	assert_int_equal(ect_report_worst(&r), ECT_SEV_OK);
}

#define HOME_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown_home)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_parse_kernel_header),
		cmocka_unit_test(test_stat_parse_faults),
		cmocka_unit_test(test_stat_xattr),
		cmocka_unit_test(test_name_max),
		cmocka_unit_test(test_report_sanitises),
		HOME_TEST(test_verify_correct_setup),
		HOME_TEST(test_verify_clean_v3),
		HOME_TEST(test_verify_missing_dotecryptfs),
		HOME_TEST(test_verify_dotecryptfs_mode),
		HOME_TEST(test_verify_home_writable),
		HOME_TEST(test_verify_wrapped_v1),
		HOME_TEST(test_verify_wrapped_readable),
		HOME_TEST(test_verify_wrapped_missing),
		HOME_TEST(test_verify_sig_malformed),
		HOME_TEST(test_verify_mnt_bad),
		HOME_TEST(test_verify_home_layout_without_automount),
		HOME_TEST(test_verify_lower_plaintext),
		HOME_TEST(test_verify_lower_damaged),
		HOME_TEST(test_verify_lower_foreign_key),
		HOME_TEST(test_verify_names_without_fnek),
		HOME_TEST(test_verify_lower_mode),
		HOME_TEST(test_verify_fifo_in_lower),
		HOME_TEST(test_verify_mounted),
		HOME_TEST(test_mountinfo_escapes),
		HOME_TEST(test_mountinfo_stacked),
		HOME_TEST(test_verify_swap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
