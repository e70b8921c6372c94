// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the verify module, part 2: a whole encrypted home
 * (/home/.ecryptfs/USER linked from HOME, as 111's setup -b leaves it), an
 * account without a setup, links that must not be followed, the waiting
 * bootstrap passphrase and sshd's AuthorizedKeysFile. Real trees in a
 * temporary directory, one deliberately broken part per test.
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
	assert_int_equal(f->fix.kind, ECT_FIX_SYMLINK);
	assert_string_equal(f->fix.path, at(h, ".Private"));
	assert_non_null(strstr(f->fix.path2, "/.Private"));
	assert_string_equal(f->fix.user, "tester");
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
	assert_int_equal(f->fix.kind, ECT_FIX_WRAP_BOOTSTRAP);
	assert_string_equal(f->fix.user, "tester");
	assert_non_null(strstr(f->fix.path, "/.ecryptfs-tester"));
	assert_string_equal(f->fix.path2, at(h, ".ecryptfs/wrapped-passphrase"));
	assert_non_null(strstr(f->message, "only copy"));
	/* no fix acts on the clear copy but the one that wraps it */
	for (size_t i = 0; i < h->r.count; i++) {
		const struct ect_fix *x = &h->r.items[i].fix;

		if (x->kind != ECT_FIX_WRAP_BOOTSTRAP)
			assert_true(!x->path || !strstr(x->path, ".ecryptfs-tester"));
		assert_null(strstr(h->r.items[i].message, "delete"));
	}
	/* once wrapped-passphrase exists: still no removal advice */
	put_wrapped_v2(h);
	run(h);
	f = find(&h->r, "bootstrap-passphrase", ECT_SEV_WARN);
	assert_non_null(f);
	assert_int_equal(f->fix.kind, ECT_FIX_NONE);
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
	assert_int_equal(f->fix.kind, ECT_FIX_SSH_KEYS_OUTSIDE);
	assert_string_equal(f->fix.user, "tester");
	assert_non_null(strstr(f->fix.path, "/.ssh/authorized_keys"));
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
