// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the verify module, part 4 (issue #15): the Private.fuse
 * flag (a symlink, a foreign or writable file refused as the mount helper
 * refuses them), whether ecryptfs-fuse is installed when the flag asks for
 * it or the kernel has no eCryptfs, and whether the mount in place is the
 * kernel's or ecryptfs-fuse's. A fake sysfs and ecryptfs-fuse path
 * (verify-fixtures.c) make the answers the same on every host.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "verify-fixtures.h"

static void install_fuse(struct home *h)
{
	FILE *f = fopen(h->fuse_program, "w");

	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(h->fuse_program, 0755), 0);
}

static void remove_kernel(struct home *h)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/fs/ecryptfs/version", h->sysfs);
	assert_int_equal(unlink(path), 0);
}

/* the finding of check with sev, whose message holds want */
static void expect(struct home *h, const char *check, enum ect_severity sev, const char *want)
{
	const struct ect_finding *f = find(&h->r, check, sev);

	if (!f || !strstr(f->message, want)) {
		dump(&h->r);
		fail_msg("no %s finding of check %s saying '%s'", ect_severity_name(sev), check, want);
	}
}

static void no_fuse_complaint(struct home *h)
{
	if (find(&h->r, "fuse", ECT_SEV_WARN) || find(&h->r, "fuse", ECT_SEV_FAIL)) {
		dump(&h->r);
		fail_msg("a fuse warning on a working setup");
	}
}

static void test_kernel_no_flag(void **state)
{
	struct home *h = *state;

	run(h);
	expect(h, "fuse", ECT_SEV_OK, "kernel");
	no_fuse_complaint(h);
}

static void test_flag_set_installed(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.fuse", "");
	install_fuse(h);
	run(h);
	expect(h, "fuse", ECT_SEV_OK, "Private.fuse is set");
	no_fuse_complaint(h);
}

static void test_flag_set_not_installed(void **state)
{
	struct home *h = *state;

	put_str(h, ".ecryptfs/Private.fuse", "");
	run(h);
	expect(h, "fuse", ECT_SEV_FAIL, "not installed");
	/* the kernel could mount it: dropping the flag is the fix */
	assert_int_equal(find(&h->r, "fuse", ECT_SEV_FAIL)->fix.kind, ECT_FIX_REMOVE);
	assert_non_null(strstr(find(&h->r, "fuse", ECT_SEV_FAIL)->fix.path, "Private.fuse"));
}

static void test_flag_symlink(void **state)
{
	struct home *h = *state;

	install_fuse(h);
	assert_int_equal(symlink("/etc/passwd", at(h, ".ecryptfs/Private.fuse")), 0);
	run(h);
	expect(h, "fuse", ECT_SEV_FAIL, "symbolic link");
}

static void test_flag_not_regular(void **state)
{
	struct home *h = *state;

	install_fuse(h);
	assert_int_equal(mkdir(at(h, ".ecryptfs/Private.fuse"), 0700), 0);
	run(h);
	expect(h, "fuse", ECT_SEV_FAIL, "not a regular file");
}

static void test_flag_writable(void **state)
{
	struct home *h = *state;

	install_fuse(h);
	put(h, ".ecryptfs/Private.fuse", "", 0, 0666);
	run(h);
	expect(h, "fuse", ECT_SEV_FAIL, "writable by other users");
}

static void test_no_kernel_fuse_installed(void **state)
{
	struct home *h = *state;

	remove_kernel(h);
	install_fuse(h);
	run(h);
	expect(h, "fuse", ECT_SEV_INFO, "ecryptfs-fuse");
	no_fuse_complaint(h);
}

static void test_no_kernel_no_fuse(void **state)
{
	struct home *h = *state;

	remove_kernel(h);
	run(h);
	expect(h, "fuse", ECT_SEV_WARN, "not installed");
}

static void write_mountinfo(struct home *h, const char *type, const char *opts)
{
	FILE *f = fopen(h->o.mountinfo, "w");

	assert_non_null(f);
	fprintf(f, "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
	fprintf(f, "40 22 0:40 / %s/Private rw,nosuid,nodev,relatime shared:30 - %s %s/.Private %s\n",
		h->home, type, h->home, opts);
	fclose(f);
}

static void test_mounted_fuse(void **state)
{
	struct home *h = *state;
	char opts[128];

	remove_kernel(h);
	install_fuse(h);
	snprintf(opts, sizeof(opts), "rw,user_id=%u,group_id=%u", (unsigned int)h->t.uid,
		 (unsigned int)h->t.gid);
	write_mountinfo(h, "fuse.ecryptfs-fuse", opts);
	run(h);
	expect(h, "mounted", ECT_SEV_INFO, "through ecryptfs-fuse");
}

/* root may not look into the user's FUSE mount: the mount point still passes */
static void test_mounted_fuse_closed_to_root(void **state)
{
	struct home *h = *state;
	char opts[128];

	install_fuse(h);
	snprintf(opts, sizeof(opts), "rw,user_id=%u,group_id=%u", (unsigned int)h->t.uid,
		 (unsigned int)h->t.gid);
	write_mountinfo(h, "fuse.ecryptfs-fuse", opts);
	/* the tests may run as root: a mount point that cannot be opened stands for EACCES */
	assert_int_equal(rmdir(at(h, "Private")), 0);
	put_str(h, "Private", "");
	run(h);
	expect(h, "private-mnt", ECT_SEV_OK, "ecryptfs-fuse");
}

static void test_mounted_fuse_of_other_user(void **state)
{
	struct home *h = *state;

	remove_kernel(h);
	install_fuse(h);
	/* another user's ecryptfs-fuse on the same path is not this setup's mount */
	write_mountinfo(h, "fuse.ecryptfs-fuse", "rw,user_id=4242,group_id=4242");
	run(h);
	expect(h, "mounted", ECT_SEV_INFO, "not mounted");
}

static void test_mounted_kernel(void **state)
{
	struct home *h = *state;
	char opts[128];

	snprintf(opts, sizeof(opts), "rw,ecryptfs_fnek_sig=%s,ecryptfs_sig=%s", OTHER_SIG, AES16_SIG);
	write_mountinfo(h, "ecryptfs", opts);
	run(h);
	expect(h, "mounted", ECT_SEV_INFO, "kernel");
}

#define HOME_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown_home)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HOME_TEST(test_kernel_no_flag),
		HOME_TEST(test_flag_set_installed),
		HOME_TEST(test_flag_set_not_installed),
		HOME_TEST(test_flag_symlink),
		HOME_TEST(test_flag_not_regular),
		HOME_TEST(test_flag_writable),
		HOME_TEST(test_no_kernel_fuse_installed),
		HOME_TEST(test_no_kernel_no_fuse),
		HOME_TEST(test_mounted_fuse),
		HOME_TEST(test_mounted_fuse_closed_to_root),
		HOME_TEST(test_mounted_fuse_of_other_user),
		HOME_TEST(test_mounted_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
