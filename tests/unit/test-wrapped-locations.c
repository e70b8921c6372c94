// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys module: the wrapped passphrase on removable media (issue 16). The
 * policy file's patterns (%u, %U, '*' within one component, comments), its
 * malformed lines, an unsafe policy file ignored (not root's, group or
 * world-writable, a symlink, in a directory others can write), and the
 * link ~/.ecryptfs/wrapped-passphrase: declared (its target's directory is
 * opened), the medium absent, undeclared, relative, with "..", through a
 * symlinked directory, and without a policy file. The policy must be
 * root's, so the tests need root (skip otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
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

#include "ecryptfs-tools.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"
/* the patterns are formats built from tables */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

struct env {
	char root[64];
	char policy[128]; /* root/etc/locations */
	char dot[128];	  /* root/home/.ecryptfs */
	char media[128];  /* root/media/USER */
	char user[64];
	int dotfd;
};

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void write_policy(struct env *e, const char *text, mode_t mode)
{
	FILE *f = fopen(e->policy, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(e->policy, mode), 0);
}

/* Policy text from fmt, each %s the test's root: patterns under it. */
static void policy_line(struct env *e, const char *fmt)
{
	char text[512];

	snprintf(text, sizeof(text), fmt, e->root, e->root);
	write_policy(e, text, 0644);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct passwd *pw = getpwuid(getuid());

	if (!e || !pw)
		return -1;
	snprintf(e->user, sizeof(e->user), "%s", pw->pw_name);
	snprintf(e->root, sizeof(e->root), "/tmp/ect-test-loc-XXXXXX");
	if (!mkdtemp(e->root))
		return -1;
	chmod(e->root, 0755);
	snprintf(e->policy, sizeof(e->policy), "%s/etc/locations", e->root);
	snprintf(e->dot, sizeof(e->dot), "%s/home/.ecryptfs", e->root);
	snprintf(e->media, sizeof(e->media), "%s/media/%s", e->root, e->user);
	sh("mkdir -m 755 -p '%s/etc' '%s/KEY' && mkdir -m 700 -p '%s'", e->root, e->media, e->dot);
	sh("printf wrapped >'%s/KEY/wp'", e->media);
	e->dotfd = open(e->dot, O_RDONLY | O_DIRECTORY);
	*state = e;
	return e->dotfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	close(e->dotfd);
	sh("rm -rf '%s'", e->root);
	free(e);
	return 0;
}

static int allow(struct env *e, const char *fmt, struct ect_config_error *err)
{
	char dir[256];

	snprintf(dir, sizeof(dir), fmt, e->root, e->user);
	memset(err, 0, sizeof(*err));
	return ect_wrapped_locations_allow(e->policy, getuid(), dir, err);
}

static void test_patterns(void **state)
{
	struct env *e = *state;
	struct ect_config_error err;

	if (getuid() != 0)
		skip();
	policy_line(e, "# where the keys may live\n\n  %s/media/%%u/*  \n%s/mnt/%%U/keys\n");
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), 0);
	assert_int_equal(allow(e, "%s/media/%s/other", &err), 0);
	/* '*' stays within one component */
	assert_int_equal(allow(e, "%s/media/%s/KEY/sub", &err), ECT_E_UNSAFE_PATH);
	assert_non_null(strstr(err.reason, "lists no place"));
	assert_int_equal(allow(e, "%s/media/someone-else/KEY", &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(allow(e, "%s/media/%s/.hidden", &err), ECT_E_UNSAFE_PATH);
	{
		char dir[256];

		snprintf(dir, sizeof(dir), "%s/mnt/%u/keys", e->root, (unsigned int)getuid());
		assert_int_equal(ect_wrapped_locations_allow(e->policy, getuid(), dir, &err), 0);
	}
	/* the directory asked about must be normalised */
	assert_int_equal(allow(e, "%s/media/%s/KEY/../KEY", &err), ECT_E_UNSAFE_PATH);
}

static void test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"media/%%u/*\n",	    /* relative */
		"%s/media/%%x/*\n",	    /* unknown escape */
		"%s/media/../%%u/*\n",	    /* ".." */
		"%s/media/%%u/* extra\n",   /* two words */
		"/\n",
	};
	struct env *e = *state;
	struct ect_config_error err;

	if (getuid() != 0)
		skip();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "# ok\n%s/media/%%u/*\n", e->root);
		snprintf(text + strlen(text), sizeof(text) - strlen(text), bad[i], e->root);
		write_policy(e, text, 0644);
		assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_CONFIG);
		assert_int_equal(err.line, 3); /* a bad line voids the lines before it too */
	}
}

static void test_policy_unsafe(void **state)
{
	struct env *e = *state;
	struct ect_config_error err;
	char moved[160];

	if (getuid() != 0)
		skip();
	policy_line(e, "%s/media/%%u/*\n");
	assert_int_equal(chmod(e->policy, 0664), 0);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_UNSAFE_PATH);
	assert_non_null(strstr(err.reason, "ignored"));
	assert_int_equal(chmod(e->policy, 0646), 0);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(chmod(e->policy, 0644), 0);
	assert_int_equal(chown(e->policy, 4000123, 4000123), 0);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_UNSAFE_PATH);
	assert_non_null(strstr(err.reason, "ignored"));
	assert_int_equal(chown(e->policy, 0, 0), 0);
	/* a symlink to a good policy */
	snprintf(moved, sizeof(moved), "%s/etc/real", e->root);
	assert_int_equal(rename(e->policy, moved), 0);
	assert_int_equal(symlink(moved, e->policy), 0);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(unlink(e->policy), 0);
	assert_int_equal(rename(moved, e->policy), 0);
	/* its directory writable by others */
	sh("chmod 777 '%s/etc'", e->root);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), ECT_E_UNSAFE_PATH);
	sh("chmod 755 '%s/etc'", e->root);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), 0);
	assert_int_equal(unlink(e->policy), 0);
	assert_int_equal(allow(e, "%s/media/%s/KEY", &err), -ENOENT);
}

/* Point ~/.ecryptfs/wrapped-passphrase at target (fmt with root, user). */
static int locate(struct env *e, const char *fmt, int *dirfd, char *base,
		  struct ect_config_error *err)
{
	char target[256];

	snprintf(target, sizeof(target), fmt, e->root, e->user);
	unlinkat(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, 0);
	assert_int_equal(symlinkat(target, e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE), 0);
	memset(err, 0, sizeof(*err));
	return ect_wrapped_locate_at(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, getuid(), e->policy,
				     dirfd, base, err);
}

static void test_locate_regular(void **state)
{
	struct env *e = *state;
	char base[ECT_WRAPPED_BASE_SIZE];
	struct ect_config_error err = { 0 };
	struct stat a, b;
	int fd = -1;

	sh("printf x >'%s/%s'", e->dot, ECT_WRAPPED_PASSPHRASE_FILE);
	assert_int_equal(ect_wrapped_locate_at(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, getuid(),
					       e->policy, &fd, base, &err), 0);
	assert_string_equal(base, ECT_WRAPPED_PASSPHRASE_FILE);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(e->dotfd, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	/* absent: still ~/.ecryptfs (the reader says ENOENT, a writer creates it) */
	sh("rm '%s/%s'", e->dot, ECT_WRAPPED_PASSPHRASE_FILE);
	assert_int_equal(ect_wrapped_locate_at(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, getuid(),
					       e->policy, &fd, base, &err), 0);
	close(fd);
}

static void test_locate_declared(void **state)
{
	struct env *e = *state;
	char base[ECT_WRAPPED_BASE_SIZE], key[192];
	struct ect_config_error err;
	struct stat a, b;
	int fd = -1;

	if (getuid() != 0)
		skip();
	policy_line(e, "%s/media/%%u/*\n");
	assert_int_equal(locate(e, "%s/media/%s/KEY/wp", &fd, base, &err), 0);
	assert_string_equal(base, "wp");
	snprintf(key, sizeof(key), "%s/KEY", e->media);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(key, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
}

static void test_locate_absent(void **state)
{
	struct env *e = *state;
	char base[ECT_WRAPPED_BASE_SIZE], line[256];
	struct ect_config_error err;
	int fd = -1;

	if (getuid() != 0)
		skip();
	policy_line(e, "%s/media/%%u/*\n");
	/* the medium's directory is gone (unplugged) */
	assert_int_equal(locate(e, "%s/media/%s/GONE/wp", &fd, base, &err), ECT_E_MEDIUM_ABSENT);
	assert_int_equal(fd, -1);
	ect_config_error_format(&err, line, sizeof(line));
	assert_non_null(strstr(line, "GONE"));
	assert_non_null(strstr(ect_strerror(ECT_E_MEDIUM_ABSENT), "not present"));
	/* a long label is named whole (it was cut at 79 bytes: distcheck's deep tree) */
	assert_int_equal(locate(e, "%s/media/%s/a-medium-whose-label-is-long-enough-to-run-past-"
				"eighty-bytes-in-all/wp", &fd, base, &err), ECT_E_MEDIUM_ABSENT);
	ect_config_error_format(&err, line, sizeof(line));
	assert_non_null(strstr(line, "-past-eighty-bytes-in-all: does not exist"));
	/* the directory is there, the file is not (another medium) */
	assert_int_equal(locate(e, "%s/media/%s/KEY/missing", &fd, base, &err),
			 ECT_E_MEDIUM_ABSENT);
	assert_int_equal(fd, -1);
}

static void test_locate_refused(void **state)
{
	struct env *e = *state;
	char base[ECT_WRAPPED_BASE_SIZE], link[192];
	struct ect_config_error err;
	int fd = -1;

	if (getuid() != 0)
		skip();
	policy_line(e, "%s/media/%%u/*\n");
	/* undeclared: elsewhere, relative, with "..", deeper than '*' */
	sh("mkdir -p '%s/elsewhere' && printf x >'%s/elsewhere/wp'", e->root, e->root);
	assert_int_equal(locate(e, "%s/elsewhere/wp", &fd, base, &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(locate(e, "../media/KEY/wp", &fd, base, &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(locate(e, "%s/media/%s/KEY/../KEY/wp", &fd, base, &err),
			 ECT_E_UNSAFE_PATH);
	sh("mkdir -p '%s/KEY/sub' && printf x >'%s/KEY/sub/wp'", e->media, e->media);
	assert_int_equal(locate(e, "%s/media/%s/KEY/sub/wp", &fd, base, &err), ECT_E_UNSAFE_PATH);
	/* a place that matches, reached through a symlinked directory */
	snprintf(link, sizeof(link), "%s/LINK", e->media);
	assert_int_equal(symlink("KEY", link), 0);
	assert_int_equal(locate(e, "%s/media/%s/LINK/wp", &fd, base, &err), ECT_E_UNSAFE_PATH);
	/* a link owned by someone else */
	assert_int_equal(locate(e, "%s/media/%s/KEY/wp", &fd, base, &err), 0);
	close(fd);
	assert_int_equal(fchownat(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, 4000123, 4000123,
				  AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(ect_wrapped_locate_at(e->dotfd, ECT_WRAPPED_PASSPHRASE_FILE, getuid(),
					       e->policy, &fd, base, &err), ECT_E_UNSAFE_PATH);
	/* no policy file at all: every link is undeclared */
	assert_int_equal(unlink(e->policy), 0);
	assert_int_equal(locate(e, "%s/media/%s/KEY/wp", &fd, base, &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(fd, -1);
}

/* The unlock path (PAM, mount-private) still refuses a link no policy declares. */
static void test_unwrap_undeclared(void **state)
{
	struct env *e = *state;
	struct ect_user_dirs d = { .config_fd = e->dotfd, .home_fd = -1, .uid = getuid(),
				   .gid = getgid() };
	struct ect_unlock_result res;
	struct ect_config_error err;
	char base[ECT_WRAPPED_BASE_SIZE], *pp = NULL;
	size_t len = 0;
	int fd = -1;

	if (!access(ECT_WRAPPED_LOCATIONS_FILE, F_OK))
		skip(); /* this machine declares places: not a clean test bed */
	(void)locate(e, "%s/media/%s/KEY/wp", &fd, base, &err);
	if (fd >= 0)
		close(fd);
	assert_int_equal(ect_unwrap_user(&d, "pw", 2, NULL, &pp, &len, &res), ECT_E_UNSAFE_PATH);
	assert_null(pp);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_patterns),	  T(test_bad_lines),	   T(test_policy_unsafe),
		T(test_locate_regular),	  T(test_locate_declared), T(test_locate_absent),
		T(test_locate_refused),	  T(test_unwrap_undeclared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
