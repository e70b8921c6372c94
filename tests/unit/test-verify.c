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

#include "ecryptfs-tools.h"

/* pecryptfs tests/data/aes-16.raw, bytes 0..81 (kernel-written; format doc §8.1 B) */
static const char aes16_hex[] =
	"000000000000000c378881cc0b09363903000002000010000002"
	"8c1d0407030100112233445566776040"
	"4811d3601cad796515bd4f09f7cac0ed"
	"1662085f434f4e534f4c4500000000"
	"3515cca9baaea1f400";
#define AES16_SIG "3515cca9baaea1f4"
#define OTHER_SIG "0011223344556677"
#define LOWER_SIZE 12288

static uint8_t header[LOWER_SIZE];

static void load_header(void)
{
	size_t n = strlen(aes16_hex) / 2;

	memset(header, 0, sizeof(header));
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(aes16_hex + 2 * i, "%2x", &b), 1);
		header[i] = (uint8_t)b;
	}
}

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

/* ---- setup checks on a real tree -------------------------------------- */

struct home {
	char root[64];
	char home[PATH_MAX];
	char path[PATH_MAX];
	struct ect_verify_target t;
	struct ect_verify_opts o;
	struct ect_report r;
};

static const char *at(struct home *h, const char *rel)
{
	snprintf(h->path, sizeof(h->path), "%s/%s", h->home, rel);
	return h->path;
}

static void put(struct home *h, const char *rel, const void *data, size_t len, mode_t mode)
{
	int fd = open(at(h, rel), O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void put_str(struct home *h, const char *rel, const char *s)
{
	put(h, rel, s, strlen(s), 0600);
}

/* A wrapped-passphrase v2 blob as 111 writes it: ':' 0x02 salt8 sig16 ct32. */
static void put_wrapped_v2(struct home *h)
{
	uint8_t blob[58];

	blob[0] = ':';
	blob[1] = 0x02;
	memset(blob + 2, 0x5a, 8);
	memcpy(blob + 10, "0123456789abcdef", 16);
	memset(blob + 26, 0xa5, 32);
	put(h, ".ecryptfs/wrapped-passphrase", blob, sizeof(blob), 0600);
}

/* A correct setup: private directory, names encrypted, one valid lower file. */
static int setup_home(void **state)
{
	struct home *h = calloc(1, sizeof(*h));
	char enc_name[128];

	assert_non_null(h);
	snprintf(h->root, sizeof(h->root), "/tmp/ect-verify-XXXXXX");
	assert_non_null(mkdtemp(h->root));
	snprintf(h->home, sizeof(h->home), "%s/home", h->root);
	assert_int_equal(mkdir(h->home, 0700), 0);
	assert_int_equal(mkdir(at(h, ".ecryptfs"), 0700), 0);
	assert_int_equal(mkdir(at(h, ".Private"), 0700), 0);
	assert_int_equal(mkdir(at(h, "Private"), 0500), 0);
	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n" OTHER_SIG "\n");
	snprintf(h->path, sizeof(h->path), "%s/Private\n", h->home);
	{
		char mnt[PATH_MAX];

		snprintf(mnt, sizeof(mnt), "%s", h->path);
		put_str(h, ".ecryptfs/Private.mnt", mnt);
	}
	put_str(h, ".ecryptfs/auto-mount", "");
	put_str(h, ".ecryptfs/auto-umount", "");
	put_wrapped_v2(h);
	load_header();
	snprintf(enc_name, sizeof(enc_name),
		 ".Private/" ECT_FNEK_PREFIX "FWayVrRYlN446EY.WUc7GBFqG9GB6qF3eRmJwLxTOkMu8UtE6MkSWHGsZE--");
	put(h, enc_name, header, sizeof(header), 0600);
	h->t.user = "tester";
	h->t.uid = getuid();
	h->t.gid = getgid();
	h->t.home = h->home;
	snprintf(h->path, sizeof(h->path), "%s/mountinfo", h->root);
	{
		FILE *f = fopen(h->path, "w");

		assert_non_null(f);
		fprintf(f, "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
		fclose(f);
	}
	h->o.mountinfo = strdup(h->path);
	h->o.shm_dir = strdup(h->root);
	*state = h;
	return 0;
}

static int teardown_home(void **state)
{
	struct home *h = *state;
	char cmd[PATH_MAX + 16];

	ect_report_free(&h->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->root);
	assert_int_equal(system(cmd), 0);
	free((void *)h->o.mountinfo);
	free((void *)h->o.shm_dir);
	free(h);
	return 0;
}

static const struct ect_finding *find(const struct ect_report *r, const char *check,
				      enum ect_severity sev)
{
	for (size_t i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].check, check) && r->items[i].severity == sev)
			return &r->items[i];
	return NULL;
}

static void dump(const struct ect_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		print_message("  %s %s %s\n", ect_severity_name(r->items[i].severity),
			      r->items[i].check, r->items[i].message);
}

static void run(struct home *h)
{
	ect_report_free(&h->r);
	assert_int_equal(ect_verify_user(&h->t, &h->o, &h->r), 0);
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
	assert_non_null(strstr(f->fix, "chmod 700"));
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

	assert_int_equal(chmod(at(h, ".ecryptfs/wrapped-passphrase"), 0644), 0);
	run(h);
	assert_non_null(strstr(find(&h->r, "wrapped-passphrase", ECT_SEV_WARN)->fix, "chmod 600"));
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
	assert_int_equal(ect_report_add(&r, ECT_SEV_FAIL, "x", "rm\n-rf", "a\nfail forged"), 0);
	assert_null(strchr(r.items[0].message, '\n'));
	assert_null(strchr(r.items[0].fix, '\n'));
	assert_int_equal(ect_report_worst(&r), ECT_SEV_FAIL);
	ect_report_free(&r);
	assert_int_equal(ect_report_worst(&r), ECT_SEV_OK);
}

/* ---- whole home: /home/.ecryptfs/USER, linked from HOME --------------- */

/*
 * A correct whole home as ecryptfs-utils 111's setup -b leaves it
 * unmounted: ROOT/ecr/tester/{.ecryptfs,.Private}, HOME holding only the
 * two links and 111's README/desktop links, Private.mnt naming HOME.
 */
static int setup_whole_home(void **state)
{
	struct home *h;
	char base[PATH_MAX], link[PATH_MAX], cmd[PATH_MAX * 3];
	struct ect_argon2_params floor;

	setup_home(state);
	h = *state;
	snprintf(base, sizeof(base), "%s/ecr/tester", h->root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && mv '%s/.ecryptfs' '%s/.Private' '%s/' && "
		 "rmdir '%s/Private'", base, h->home, h->home, base, h->home);
	assert_int_equal(system(cmd), 0);
	snprintf(link, sizeof(link), "%s/.ecryptfs", base);
	assert_int_equal(symlink(link, at(h, ".ecryptfs")), 0);
	snprintf(link, sizeof(link), "%s/.Private", base);
	assert_int_equal(symlink(link, at(h, ".Private")), 0);
	assert_int_equal(symlink("/usr/share/ecryptfs-utils/ecryptfs-mount-private.txt",
				 at(h, "README.txt")), 0);
	assert_int_equal(symlink("/usr/share/ecryptfs-utils/ecryptfs-mount-private.desktop",
				 at(h, "Access-Your-Private-Data.desktop")), 0);
	snprintf(link, sizeof(link), "%s\n", h->home);
	put_str(h, ".ecryptfs/Private.mnt", link);
	ect_argon2_params_floor(&floor);
	assert_int_equal(ect_wrap_file(at(h, ".ecryptfs/wrapped-passphrase"), ECT_WRAP_V3,
				       "0123456789abcdef0123456789abcdef", 32, "login pw", 8, &floor,
				       (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(chmod(h->home, 0500), 0);
	snprintf(link, sizeof(link), "%s/ecr", h->root);
	h->o.ecryptfs_root = strdup(link);
	return 0;
}

static int teardown_whole_home(void **state)
{
	struct home *h = *state;

	chmod(h->home, 0700);
	free((void *)h->o.ecryptfs_root);
	return teardown_home(state);
}

/* with the home writable for the test's own changes */
static void home_rw(struct home *h)
{
	assert_int_equal(chmod(h->home, 0700), 0);
}

static void test_verify_not_set_up(void **state)
{
	struct home *h = *state;
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/.ecryptfs' '%s/.Private'", h->home, h->home);
	assert_int_equal(system(cmd), 0);
	ect_report_free(&h->r);
	assert_int_equal(ect_verify_user(&h->t, &h->o, &h->r), 1);
	assert_non_null(find(&h->r, "setup", ECT_SEV_INFO));
	assert_true(ect_report_worst(&h->r) <= ECT_SEV_INFO);
}

static void test_whole_home_clean(void **state)
{
	struct home *h = *state;

	run(h);
	if (ect_report_worst(&h->r) > ECT_SEV_INFO)
		dump(&h->r);
	assert_true(ect_report_worst(&h->r) <= ECT_SEV_INFO);
	assert_non_null(find(&h->r, "links", ECT_SEV_OK));
	assert_non_null(find(&h->r, "plain-underneath", ECT_SEV_OK));
	assert_non_null(find(&h->r, "lower-headers", ECT_SEV_OK));
	assert_non_null(find(&h->r, "wrapped-passphrase", ECT_SEV_OK));
	assert_non_null(strstr(find(&h->r, "private-mnt", ECT_SEV_OK)->message, "encrypted home"));
	/* locked: whether sshd's keys file exists inside cannot be seen */
	assert_non_null(find(&h->r, "ssh-keys", ECT_SEV_INFO));
}

static void test_whole_home_link_missing(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	home_rw(h);
	assert_int_equal(unlink(at(h, ".Private")), 0);
	run(h);
	f = find(&h->r, "links", ECT_SEV_FAIL);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "/.Private is missing"));
	assert_non_null(strstr(f->fix, "ln -sfn"));
}

static void test_whole_home_link_elsewhere(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	home_rw(h);
	assert_int_equal(unlink(at(h, ".ecryptfs")), 0);
	assert_int_equal(symlink("/etc", at(h, ".ecryptfs")), 0);
	run(h);
	f = find(&h->r, "links", ECT_SEV_FAIL);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "links to /etc, not to"));
	/* the configuration is still read from the base, not through the link */
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_OK));
}

static void test_whole_home_plain_underneath(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	home_rw(h);
	put_str(h, ".bashrc", "alias secret=1\n");
	run(h);
	f = find(&h->r, "plain-underneath", ECT_SEV_FAIL);
	assert_non_null(f);
	assert_non_null(strstr(f->message, ".bashrc"));
	/* a regular README.txt is not 111's link: plain text too */
	assert_int_equal(unlink(at(h, ".bashrc")), 0);
	assert_int_equal(unlink(at(h, "README.txt")), 0);
	put_str(h, "README.txt", "mine\n");
	run(h);
	assert_non_null(find(&h->r, "plain-underneath", ECT_SEV_FAIL));
}

static void test_whole_home_mnt_not_home(void **state)
{
	struct home *h = *state;
	char mnt[PATH_MAX];

	home_rw(h);
	assert_int_equal(mkdir(at(h, "Private"), 0700), 0);
	snprintf(mnt, sizeof(mnt), "%s/Private\n", h->home);
	put_str(h, ".ecryptfs/Private.mnt", mnt);
	run(h);
	assert_non_null(strstr(find(&h->r, "private-mnt", ECT_SEV_FAIL)->message,
			       "is an encrypted home"));
}

static void test_whole_home_base_unsafe(void **state)
{
	struct home *h = *state;
	char base[PATH_MAX];

	snprintf(base, sizeof(base), "%s/ecr/tester", h->root);
	assert_int_equal(chmod(base, 0777), 0);
	run(h);
	assert_non_null(find(&h->r, "base", ECT_SEV_FAIL));
	assert_int_equal(chmod(base, 0700), 0);
	/* the configuration directory itself a symlink: refused, not followed */
	snprintf(base, sizeof(base), "%s/ecr/tester/.ecryptfs", h->root);
	{
		char moved[PATH_MAX];

		snprintf(moved, sizeof(moved), "%s/elsewhere", h->root);
		assert_int_equal(rename(base, moved), 0);
		assert_int_equal(symlink(moved, base), 0);
	}
	run(h);
	assert_non_null(strstr(find(&h->r, "dotecryptfs", ECT_SEV_FAIL)->message, "not followed"));
	assert_null(find(&h->r, "private-sig", ECT_SEV_OK));
}

/* A link to a directory another uid owns is never followed (root only: needs chown). */
static void test_private_link_foreign_owner(void **state)
{
	struct home *h = *state;
	char other[PATH_MAX];

	if (geteuid() != 0)
		skip();
	snprintf(other, sizeof(other), "%s/other", h->root);
	assert_int_equal(rename(at(h, ".ecryptfs"), other), 0);
	assert_int_equal(chown(other, 12345, 12345), 0);
	assert_int_equal(symlink(other, at(h, ".ecryptfs")), 0);
	run(h);
	assert_non_null(strstr(find(&h->r, "dotecryptfs", ECT_SEV_FAIL)->message, "not followed"));
	/* the same link to the user's own directory is followed, and said so */
	assert_int_equal(chown(other, getuid(), getgid()), 0);
	run(h);
	assert_non_null(find(&h->r, "dotecryptfs", ECT_SEV_INFO));
	assert_non_null(find(&h->r, "private-sig", ECT_SEV_OK));
}

static void put_shm(struct home *h)
{
	int fd;

	snprintf(h->path, sizeof(h->path), "%s/.ecryptfs-tester", h->root);
	fd = open(h->path, O_WRONLY | O_CREAT | O_TRUNC, 0400);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
}

/* The waiting bootstrap passphrase is the only copy: wrap it, never remove it. */
static void test_bootstrap_advice(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	assert_int_equal(unlink(at(h, ".ecryptfs/wrapped-passphrase")), 0);
	put_shm(h);
	run(h);
	f = find(&h->r, "bootstrap-passphrase", ECT_SEV_WARN);
	assert_non_null(f);
	assert_non_null(strstr(f->fix, "passwd tester"));
	assert_non_null(strstr(f->fix, "ecryptfs-wrap-passphrase --passphrase-file"));
	assert_non_null(strstr(f->message, "only copy"));
	for (size_t i = 0; i < h->r.count; i++) {
		assert_null(strstr(h->r.items[i].fix, "rm "));
		assert_null(strstr(h->r.items[i].fix, "shred"));
		assert_null(strstr(h->r.items[i].message, "delete"));
	}
	/* once wrapped-passphrase exists: still no removal advice */
	put_wrapped_v2(h);
	run(h);
	f = find(&h->r, "bootstrap-passphrase", ECT_SEV_WARN);
	assert_non_null(f);
	assert_string_equal(f->fix, "");
	if (geteuid() != 0)
		return;
	/* another user's file under this user's name: not this user's passphrase */
	snprintf(h->path, sizeof(h->path), "%s/.ecryptfs-tester", h->root);
	assert_int_equal(chown(h->path, 12345, 12345), 0);
	run(h);
	assert_non_null(find(&h->r, "bootstrap-passphrase", ECT_SEV_FAIL));
}

/* sshd's keys file inside the encrypted home, seen through plain lower names. */
static void test_whole_home_ssh_keys(void **state)
{
	struct home *h = *state;
	const struct ect_finding *f;

	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n");
	assert_int_equal(mkdir(at(h, ".Private/.ssh"), 0700), 0);
	put(h, ".Private/.ssh/authorized_keys", header, sizeof(header), 0600);
	run(h);
	f = find(&h->r, "ssh-keys", ECT_SEV_WARN);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "/.ssh/authorized_keys is inside the encrypted"));
	assert_non_null(strstr(f->fix, "AuthorizedKeysFile /etc/ssh/authorized_keys/%u"));
	/* sshd -T's own spelling, with tokens */
	h->o.authorized_keys = "%h/.ssh/authorized_keys";
	run(h);
	assert_non_null(find(&h->r, "ssh-keys", ECT_SEV_WARN));
	/* keys outside the home: nothing to say */
	h->o.authorized_keys = "/etc/ssh/authorized_keys/%u";
	run(h);
	assert_null(find(&h->r, "ssh-keys", ECT_SEV_WARN));
	assert_null(find(&h->r, "ssh-keys", ECT_SEV_INFO));
	/* a copy in the bare home (the old work-around): reported, and not plaintext */
	h->o.authorized_keys = NULL;
	home_rw(h);
	assert_int_equal(mkdir(at(h, ".ssh"), 0700), 0);
	put_str(h, ".ssh/authorized_keys", "ssh-ed25519 AAAA test\n");
	run(h);
	assert_non_null(find(&h->r, "ssh-keys", ECT_SEV_INFO));
	assert_null(find(&h->r, "plain-underneath", ECT_SEV_FAIL));
	/* but a private key lying there is */
	put_str(h, ".ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	run(h);
	assert_non_null(find(&h->r, "plain-underneath", ECT_SEV_FAIL));
}

#define HOME_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown_home)
#define WHOLE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_whole_home, teardown_whole_home)

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
		HOME_TEST(test_verify_swap),
		HOME_TEST(test_verify_not_set_up),
		HOME_TEST(test_private_link_foreign_owner),
		HOME_TEST(test_bootstrap_advice),
		WHOLE_TEST(test_whole_home_clean),
		WHOLE_TEST(test_whole_home_link_missing),
		WHOLE_TEST(test_whole_home_link_elsewhere),
		WHOLE_TEST(test_whole_home_plain_underneath),
		WHOLE_TEST(test_whole_home_mnt_not_home),
		WHOLE_TEST(test_whole_home_base_unsafe),
		WHOLE_TEST(test_whole_home_ssh_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
