// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys module: ~/.ecryptfs and ~/.ecryptfsrc. Every malformed form must be
 * ECT_E_CONFIG naming the file and line; symlinks, FIFOs and foreign-owned
 * files are refused; the writers round-trip through the readers.
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
#include <unistd.h>

#include <cmocka.h>

#include "ecryptfs-tools.h"

#define FOREIGN_UID 4000123 /* an owner that is not us, for the root-only checks */

struct env {
	char home[64];
	char dir[96]; /* home/.ecryptfs */
	int dirfd;
	int homefd;
	uid_t uid;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->home, sizeof(e->home), "/tmp/ect-test-config-XXXXXX");
	if (!mkdtemp(e->home))
		return -1;
	snprintf(e->dir, sizeof(e->dir), "%s/.ecryptfs", e->home);
	if (mkdir(e->dir, 0700))
		return -1;
	e->uid = geteuid();
	if (ect_config_dir_open(e->home, e->uid, &e->dirfd))
		return -1;
	e->homefd = open(e->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->homefd < 0)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[256];

	close(e->dirfd);
	close(e->homefd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->home);
	if (system(cmd))
		return -1;
	free(e);
	return 0;
}

static void put(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void puts_(int dirfd, const char *name, const char *data)
{
	put(dirfd, name, data, strlen(data), 0600);
}

static void expect_config_error(int ret, const struct ect_config_error *err, const char *file,
				unsigned int line, const char *input)
{
	if (ret != ECT_E_CONFIG || strcmp(err->file, file) || err->line != line)
		print_error("input \"%s\": ret %d, %s:%u: %s (want %s:%u)\n", input, ret, err->file,
			    err->line, err->reason, file, line);
	assert_int_equal(ret, ECT_E_CONFIG);
	assert_string_equal(err->file, file);
	assert_int_equal(err->line, line);
	assert_true(err->reason[0] != '\0');
}

/* ---- ALIAS.sig ---- */

static void test_sigs_good(void **state)
{
	struct env *e = *state;
	struct ect_config_sigs s;
	struct ect_config_error err;

	puts_(e->dirfd, "Private.sig", "0123456789abcdef\n");
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), 0);
	assert_string_equal(s.fekek, "0123456789abcdef");
	assert_string_equal(s.fnek, "");
	puts_(e->dirfd, "Private.sig", "0123456789abcdef\nfedcba9876543210\n");
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, "Private", &s, &err), 0);
	assert_string_equal(s.fekek, "0123456789abcdef");
	assert_string_equal(s.fnek, "fedcba9876543210");
	puts_(e->dirfd, "work.sig", "00000000000000aa\n");
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, "work", &s, &err), 0);
	assert_string_equal(s.fekek, "00000000000000aa");
}

static void test_sigs_malformed(void **state)
{
	static const struct {
		const char *data;
		unsigned int line;
	} bad[] = {
		{ "", 1 },
		{ "0123456789abcdef", 1 },
		{ "0123456789abcde\n", 1 },
		{ "0123456789abcdef0\n", 1 },
		{ "0123456789ABCDEF\n", 1 },
		{ "0123456789abcdeg\n", 1 },
		{ "0123456789abcdef\r\n", 1 },
		{ " 0123456789abcdef\n", 1 },
		{ "0123456789abcdef \n", 1 },
		{ "\n", 1 },
		{ "0123456789abcdef\n\n", 2 },
		{ "0123456789abcdef\n0123\n", 2 },
		{ "0123456789abcdef\nfedcba9876543210", 2 },
		{ "0123456789abcdef\nfedcba987654321x\n", 2 },
		{ "0123456789abcdef\nfedcba9876543210\n0123456789abcdef\n", 3 },
		{ "0123456789abcdef\nfedcba9876543210\n\n", 3 },
	};
	struct env *e = *state;
	struct ect_config_sigs s;
	struct ect_config_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		puts_(e->dirfd, "Private.sig", bad[i].data);
		memset(&err, 0, sizeof(err));
		ret = ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err);
		expect_config_error(ret, &err, "Private.sig", bad[i].line, bad[i].data);
		assert_string_equal(s.fekek, ""); /* nothing half-filled */
	}
	/* A NUL byte is a whole-file fault. */
	put(e->dirfd, "Private.sig", "0123456789abcdef\n\0", 18, 0600);
	expect_config_error(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), &err,
			    "Private.sig", 0, "NUL");
}

static void test_sigs_unsafe_files(void **state)
{
	struct env *e = *state;
	struct ect_config_sigs s;
	struct ect_config_error err;
	char big[ECT_CONFIG_FILE_MAX + 2];

	/* Missing. */
	unlinkat(e->dirfd, "Private.sig", 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), -ENOENT);
	assert_string_equal(err.file, "Private.sig");
	/* A symlink, even to a good file. */
	puts_(e->dirfd, "good.sig", "0123456789abcdef\n");
	assert_int_equal(symlinkat("good.sig", e->dirfd, "Private.sig"), 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), ECT_E_UNSAFE_PATH);
	assert_string_equal(err.file, "Private.sig");
	unlinkat(e->dirfd, "Private.sig", 0);
	/* A FIFO must not hang the reader. */
	assert_int_equal(mkfifoat(e->dirfd, "Private.sig", 0600), 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), ECT_E_UNSAFE_PATH);
	unlinkat(e->dirfd, "Private.sig", 0);
	/* A directory. */
	assert_int_equal(mkdirat(e->dirfd, "Private.sig", 0700), 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), ECT_E_UNSAFE_PATH);
	unlinkat(e->dirfd, "Private.sig", AT_REMOVEDIR);
	/* Writable by others. */
	put(e->dirfd, "Private.sig", "0123456789abcdef\n", 17, 0622);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), ECT_E_UNSAFE_PATH);
	/* Over the size cap. */
	memset(big, '0', sizeof(big));
	put(e->dirfd, "Private.sig", big, sizeof(big), 0600);
	expect_config_error(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &s, &err), &err,
			    "Private.sig", 0, "big");
	/* Owned by someone else: the caller's uid is what counts. */
	puts_(e->dirfd, "Private.sig", "0123456789abcdef\n");
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid + 1, NULL, &s, &err),
			 ECT_E_UNSAFE_PATH);
	assert_non_null(strstr(err.reason, "owned by"));
	if (geteuid() == 0) {
		assert_int_equal(fchownat(e->dirfd, "Private.sig", FOREIGN_UID, 0, 0), 0);
		assert_int_equal(ect_config_read_sigs_at(e->dirfd, 0, NULL, &s, &err),
				 ECT_E_UNSAFE_PATH);
	}
	/* Hostile aliases never reach the file system. */
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, "../Private", &s, &err),
			 ECT_E_CONFIG);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, "", &s, &err), ECT_E_CONFIG);
}

/* ---- aliases ---- */

static void test_alias_check(void **state)
{
	static const char *const bad[] = { "", "a/b", "/", "..", "a..b", "..x", "a,b", "a\nb",
					   "a\tb", "a\x7f", "\x01", "-f", "-d", "--" };
	char long_ok[ECT_ALIAS_MAX + 1], too_long[ECT_ALIAS_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ect_alias_check(bad[i]), ECT_E_CONFIG);
	assert_int_equal(ect_alias_check(NULL), ECT_E_CONFIG);
	assert_int_equal(ect_alias_check("Private"), 0);
	assert_int_equal(ect_alias_check("my-alias_1.x"), 0);
	memset(long_ok, 'a', ECT_ALIAS_MAX);
	long_ok[ECT_ALIAS_MAX] = '\0';
	assert_int_equal(ect_alias_check(long_ok), 0);
	memset(too_long, 'a', ECT_ALIAS_MAX + 1);
	too_long[ECT_ALIAS_MAX + 1] = '\0';
	assert_int_equal(ect_alias_check(too_long), ECT_E_CONFIG);
}

/* ---- the directory ---- */

static void test_dir_open(void **state)
{
	struct env *e = *state;
	char home2[128], link[160];
	int fd;

	assert_int_equal(ect_config_dir_open(e->home, e->uid + 1, &fd), ECT_E_UNSAFE_PATH);
	assert_int_equal(fd, -1);
	assert_int_equal(chmod(e->dir, 0770), 0);
	assert_int_equal(ect_config_dir_open(e->home, e->uid, &fd), ECT_E_UNSAFE_PATH);
	assert_int_equal(chmod(e->dir, 0700), 0);
	assert_int_equal(ect_config_dir_open("relative", e->uid, &fd), -EINVAL);
	/* An encrypted home links ~/.ecryptfs elsewhere: that is followed. */
	snprintf(home2, sizeof(home2), "%s/home2", e->home);
	assert_int_equal(mkdir(home2, 0700), 0);
	snprintf(link, sizeof(link), "%s/.ecryptfs", home2);
	assert_int_equal(symlink(e->dir, link), 0);
	assert_int_equal(ect_config_dir_open(home2, e->uid, &fd), 0);
	close(fd);
	/* A file where the directory should be. */
	unlink(link);
	assert_int_equal(close(open(link, O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(ect_config_dir_open(home2, e->uid, &fd), -ENOTDIR);
}

/* ---- Private.mnt ---- */

static void test_mnt(void **state)
{
	static const struct {
		const char *data;
		unsigned int line;
	} bad[] = {
		{ "", 1 },	   { "\n", 1 },		 { "relative/path\n", 1 },
		{ "/a\n/b\n", 2 }, { "/a\n\n", 2 },	 { "/a\x01b\n", 1 },
		{ "/a\r\n", 1 },   { "~/Private\n", 1 },
	};
	struct env *e = *state;
	struct ect_config_error err;
	char *mnt = NULL, want[128];

	unlinkat(e->dirfd, "Private.mnt", 0);
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err), 0);
	snprintf(want, sizeof(want), "%s/Private", e->home);
	assert_string_equal(mnt, want);
	free(mnt);
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, "rel", &mnt, &err), -EINVAL);
	puts_(e->dirfd, "Private.mnt", "/home/u\n");
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err), 0);
	assert_string_equal(mnt, "/home/u");
	free(mnt);
	puts_(e->dirfd, "Private.mnt", "/with space/no newline");
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err), 0);
	assert_string_equal(mnt, "/with space/no newline");
	free(mnt);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		puts_(e->dirfd, "Private.mnt", bad[i].data);
		mnt = (char *)"untouched";
		expect_config_error(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err),
				    &err, "Private.mnt", bad[i].line, bad[i].data);
		assert_null(mnt);
	}
	assert_int_equal(symlinkat("/etc/passwd", e->dirfd, "x"), 0);
	assert_int_equal(renameat(e->dirfd, "x", e->dirfd, "Private.mnt"), 0);
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err),
			 ECT_E_UNSAFE_PATH);
}

/* ---- flag files ---- */

static void test_flags(void **state)
{
	struct env *e = *state;
	struct ect_config_error err;
	unsigned int flags = 99;

	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, 0);
	puts_(e->dirfd, "auto-mount", "");
	puts_(e->dirfd, "wrapping-independent", "anything");
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, ECT_FLAG_AUTO_MOUNT | ECT_FLAG_WRAPPING_INDEPENDENT);
	assert_int_equal(symlinkat("auto-mount", e->dirfd, "auto-umount"), 0);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err),
			 ECT_E_UNSAFE_PATH);
	assert_string_equal(err.file, "auto-umount");
	unlinkat(e->dirfd, "auto-umount", 0);
	assert_int_equal(mkdirat(e->dirfd, "auto-umount", 0700), 0);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err),
			 ECT_E_UNSAFE_PATH);
	unlinkat(e->dirfd, "auto-umount", AT_REMOVEDIR);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid + 1, &flags, &err),
			 ECT_E_UNSAFE_PATH);
	assert_string_equal(err.file, "auto-mount");
}

/* ---- ALIAS.conf ---- */

static void test_alias_conf_good(void **state)
{
	struct env *e = *state;
	struct ect_alias_conf c;
	struct ect_config_error err;

	puts_(e->dirfd, "work.conf", "/home/u/.Work /home/u/Work ecryptfs\n");
	assert_int_equal(ect_config_read_alias_at(e->dirfd, e->uid, "work", &c, &err), 0);
	assert_string_equal(c.source, "/home/u/.Work");
	assert_string_equal(c.mountpoint, "/home/u/Work");
	ect_alias_conf_free(&c);
	puts_(e->dirfd, "work.conf",
	      "# my work files\n\n  \t\n/home/u/My\\040Files\t/home/u/back\\134slash ecryptfs none 0 0");
	assert_int_equal(ect_config_read_alias_at(e->dirfd, e->uid, "work", &c, &err), 0);
	assert_string_equal(c.source, "/home/u/My Files");
	assert_string_equal(c.mountpoint, "/home/u/back\\slash");
	ect_alias_conf_free(&c);
}

static void test_alias_conf_malformed(void **state)
{
	static const struct {
		const char *data;
		unsigned int line;
	} bad[] = {
		{ "", 1 },
		{ "# only a comment\n", 1 },
		{ "/a /b ext4\n", 1 },
		{ "/a /b ecryptfs rw\n", 1 },
		{ "/a /b ecryptfs ecryptfs_sig=0123456789abcdef\n", 1 },
		{ "/a /b\n", 1 },
		{ "/a\n", 1 },
		{ "/a /b ecryptfs none 0 0 extra\n", 1 },
		{ "rel /b ecryptfs\n", 1 },
		{ "/a rel ecryptfs\n", 1 },
		{ "/a /b ecryptfs none x\n", 1 },
		{ "/a /b ecryptfs none 0 -1\n", 1 },
		{ "/a /b ecryptfs\n/c /d ecryptfs\n", 2 },
		{ "# c\n\n/a\\041 /b ecryptfs\n", 3 },
		{ "/a\\011b /b ecryptfs\n", 1 },
		{ "/a /b ecryptfs\r\n", 1 },
		{ "# ok\n\x01\n/a /b ecryptfs\n", 2 },
	};
	struct env *e = *state;
	struct ect_alias_conf c;
	struct ect_config_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		puts_(e->dirfd, "work.conf", bad[i].data);
		expect_config_error(ect_config_read_alias_at(e->dirfd, e->uid, "work", &c, &err), &err,
				    "work.conf", bad[i].line, bad[i].data);
		assert_null(c.source);
	}
	puts_(e->dirfd, "work.conf", "/a /b ecryptfs\n");
	assert_int_equal(ect_config_read_alias_at(e->dirfd, e->uid + 1, "work", &c, &err),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_config_read_alias_at(e->dirfd, e->uid, "a/../work", &c, &err),
			 ECT_E_CONFIG);
}

/* ---- loader ---- */

static void test_private_config_load(void **state)
{
	struct env *e = *state;
	struct ect_private_config cfg;
	struct ect_config_error err;
	char want[128];

	unlinkat(e->dirfd, "Private.sig", 0);
	unlinkat(e->dirfd, "Private.mnt", 0);
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, NULL, &cfg, &err),
			 -ENOENT);
	assert_string_equal(err.file, "Private.sig");
	assert_null(cfg.alias);

	puts_(e->dirfd, "Private.sig", "0123456789abcdef\nfedcba9876543210\n");
	puts_(e->dirfd, "auto-umount", "");
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, NULL, &cfg, &err), 0);
	assert_string_equal(cfg.alias, "Private");
	snprintf(want, sizeof(want), "%s/.Private", e->home);
	assert_string_equal(cfg.source, want);
	snprintf(want, sizeof(want), "%s/Private", e->home);
	assert_string_equal(cfg.mountpoint, want);
	assert_string_equal(cfg.sigs.fekek, "0123456789abcdef");
	assert_string_equal(cfg.sigs.fnek, "fedcba9876543210");
	assert_int_equal(cfg.flags, ECT_FLAG_AUTO_UMOUNT);
	ect_private_config_free(&cfg);

	/* Private.fuse: per alias, with the flag files' rules */
	puts_(e->dirfd, "Private.fuse", "");
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, NULL, &cfg, &err), 0);
	assert_int_equal(cfg.flags, ECT_FLAG_AUTO_UMOUNT | ECT_FLAG_FUSE);
	ect_private_config_free(&cfg);
	unlinkat(e->dirfd, "Private.fuse", 0);
	assert_int_equal(symlinkat("auto-umount", e->dirfd, "Private.fuse"), 0);
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, NULL, &cfg, &err),
			 ECT_E_UNSAFE_PATH);
	assert_string_equal(err.file, "Private.fuse");
	unlinkat(e->dirfd, "Private.fuse", 0);

	puts_(e->dirfd, "work.conf", "/srv/lower /srv/upper ecryptfs none\n");
	puts_(e->dirfd, "work.sig", "00000000000000aa\n");
	puts_(e->dirfd, "work.fuse", "");
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, "work", &cfg, &err), 0);
	assert_true(cfg.flags & ECT_FLAG_FUSE);
	ect_private_config_free(&cfg);
	unlinkat(e->dirfd, "work.fuse", 0);
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, "work", &cfg, &err), 0);
	assert_false(cfg.flags & ECT_FLAG_FUSE);
	assert_string_equal(cfg.source, "/srv/lower");
	assert_string_equal(cfg.mountpoint, "/srv/upper");
	assert_string_equal(cfg.sigs.fekek, "00000000000000aa");
	assert_string_equal(cfg.sigs.fnek, "");
	ect_private_config_free(&cfg);

	puts_(e->dirfd, "work.sig", "bad\n");
	expect_config_error(ect_private_config_load(e->dirfd, e->uid, e->home, "work", &cfg, &err),
			    &err, "work.sig", 1, "bad");
	assert_null(cfg.source);
	assert_int_equal(ect_private_config_load(e->dirfd, e->uid, e->home, "..", &cfg, &err),
			 ECT_E_CONFIG);
}

static void test_error_format(void **state)
{
	struct ect_config_error err = { "Private.sig", 2, "expected 16 hex digits" };
	char buf[256];

	(void)state;
	assert_string_equal(ect_config_error_format(&err, buf, sizeof(buf)),
			    "Private.sig:2: expected 16 hex digits");
	err.line = 0;
	assert_string_equal(ect_config_error_format(&err, buf, sizeof(buf)),
			    "Private.sig: expected 16 hex digits");
}

/* ---- writers ---- */

static void expect_mode(int dirfd, const char *name, mode_t mode, uid_t uid)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, uid);
}

static void test_writers_round_trip(void **state)
{
	struct env *e = *state;
	struct ect_config_sigs in = { "0123456789abcdef", "" }, out;
	struct ect_config_error err;
	unsigned int flags;
	char *mnt, target[128], buf[8] = { 0 };
	int fd;

	assert_int_equal(ect_config_write_sigs(e->dir, NULL, &in, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &out, &err), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	expect_mode(e->dirfd, "Private.sig", 0600, e->uid);
	snprintf(in.fnek, sizeof(in.fnek), "fedcba9876543210");
	assert_int_equal(ect_config_write_sigs(e->dir, "work", &in, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, "work", &out, &err), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	assert_int_equal(ect_config_write_mnt(e->dir, "/home/u", (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err), 0);
	assert_string_equal(mnt, "/home/u");
	free(mnt);
	expect_mode(e->dirfd, "Private.mnt", 0600, e->uid);

	assert_int_equal(ect_config_set_flags(e->dir, ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT, 1,
					      (uid_t)-1, (gid_t)-1),
			 0);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT);
	expect_mode(e->dirfd, "auto-mount", 0600, e->uid);
	assert_int_equal(ect_config_set_flags(e->dir, ECT_FLAG_AUTO_MOUNT |
							      ECT_FLAG_WRAPPING_INDEPENDENT,
					      0, (uid_t)-1, (gid_t)-1),
			 0);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, ECT_FLAG_AUTO_UMOUNT);
	assert_int_equal(ect_config_set_flags(e->dir, 1u << 8, 1, (uid_t)-1, (gid_t)-1), -EINVAL);

	/* A symlink planted under the name is replaced, never written through. */
	snprintf(target, sizeof(target), "%s/target", e->home);
	fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	unlinkat(e->dirfd, "Private.sig", 0);
	assert_int_equal(symlinkat(target, e->dirfd, "Private.sig"), 0);
	assert_int_equal(ect_config_write_sigs(e->dir, NULL, &in, (uid_t)-1, (gid_t)-1), 0);
	expect_mode(e->dirfd, "Private.sig", 0600, e->uid);
	fd = open(target, O_RDONLY | O_CLOEXEC);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);

	if (geteuid() == 0) {
		/* Bootstrap mode: root writes for the user through the directory fd. */
		assert_int_equal(ect_config_write_mnt_at(e->dirfd, "/home/u", FOREIGN_UID, FOREIGN_UID),
				 0);
		expect_mode(e->dirfd, "Private.mnt", 0600, FOREIGN_UID);
		assert_int_equal(ect_config_read_mnt_at(e->dirfd, FOREIGN_UID, e->home, &mnt, &err),
				 0);
		free(mnt);
		/* the path forms give no file away in a directory that is not its owner's */
		assert_int_equal(ect_config_write_sigs(e->dir, NULL, &in, FOREIGN_UID, FOREIGN_UID),
				 ECT_E_UNSAFE_PATH);
		assert_int_equal(ect_config_set_flags(e->dir, ECT_FLAG_AUTO_MOUNT, 1, FOREIGN_UID,
						      FOREIGN_UID),
				 ECT_E_UNSAFE_PATH);
		expect_mode(e->dirfd, "Private.sig", 0600, e->uid);
	}
}

/* The fd forms write through the directory fd, wherever its name now leads. */
static void test_writers_at(void **state)
{
	struct env *e = *state;
	struct ect_config_sigs in = { "0123456789abcdef", "fedcba9876543210" }, out;
	struct ect_config_error err;
	char moved[128], other[128];
	unsigned int flags;
	char *mnt;
	int fd;

	snprintf(moved, sizeof(moved), "%s/moved", e->home);
	snprintf(other, sizeof(other), "%s/other", e->home);
	assert_int_equal(mkdir(other, 0700), 0);
	/* the user swaps ~/.ecryptfs for a symlink after it was opened */
	assert_int_equal(rename(e->dir, moved), 0);
	assert_int_equal(symlink(other, e->dir), 0);
	assert_int_equal(ect_config_write_sigs_at(e->dirfd, NULL, &in, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_config_write_mnt_at(e->dirfd, "/home/u", (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_config_set_flags_at(e->dirfd, ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT,
						 1, (uid_t)-1, (gid_t)-1),
			 0);
	fd = open(other, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(faccessat(fd, "Private.sig", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	close(fd);
	assert_int_equal(ect_config_read_sigs_at(e->dirfd, e->uid, NULL, &out, &err), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	assert_int_equal(ect_config_read_mnt_at(e->dirfd, e->uid, e->home, &mnt, &err), 0);
	assert_string_equal(mnt, "/home/u");
	free(mnt);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT);
	expect_mode(e->dirfd, "auto-mount", 0600, e->uid);
	assert_int_equal(ect_config_set_flags_at(e->dirfd, ECT_FLAG_AUTO_MOUNT, 0, (uid_t)-1,
						 (gid_t)-1),
			 0);
	assert_int_equal(ect_config_read_flags_at(e->dirfd, e->uid, &flags, &err), 0);
	assert_int_equal(flags, ECT_FLAG_AUTO_UMOUNT);
	/* bad input is refused by the fd forms as well */
	assert_int_equal(ect_config_write_mnt_at(e->dirfd, "relative", (uid_t)-1, (gid_t)-1),
			 ECT_E_CONFIG);
	assert_int_equal(ect_config_write_sigs_at(e->dirfd, "../x", &in, (uid_t)-1, (gid_t)-1),
			 ECT_E_CONFIG);
	assert_int_equal(unlink(e->dir), 0);
	assert_int_equal(rename(moved, e->dir), 0);
}

static void test_writers_refuse_bad_input(void **state)
{
	struct env *e = *state;
	struct ect_config_sigs upper = { "0123456789ABCDEF", "" };
	struct ect_config_sigs bad_fnek = { "0123456789abcdef", "xyz" };
	struct ect_config_sigs ok = { "0123456789abcdef", "" };

	assert_int_equal(ect_config_write_sigs(e->dir, NULL, &upper, (uid_t)-1, (gid_t)-1),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_config_write_sigs(e->dir, NULL, &bad_fnek, (uid_t)-1, (gid_t)-1),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_config_write_sigs(e->dir, "../x", &ok, (uid_t)-1, (gid_t)-1),
			 ECT_E_CONFIG);
	assert_int_equal(ect_config_write_mnt(e->dir, "relative", (uid_t)-1, (gid_t)-1),
			 ECT_E_CONFIG);
	assert_int_equal(ect_config_write_mnt(e->dir, "/a\n/b", (uid_t)-1, (gid_t)-1),
			 ECT_E_CONFIG);
	assert_int_equal(ect_config_write_mnt(e->dir, "", (uid_t)-1, (gid_t)-1), ECT_E_CONFIG);
}

/* ---- ~/.ecryptfsrc ---- */

static void test_rc_salt(void **state)
{
	static const struct {
		const char *data;
		uint8_t salt[ECT_SALT_SIZE];
	} good[] = {
		{ "salt=a1b2c3d4e5f60718\n", { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18 } },
		{ "salt=A1B2C3D4E5F60718", { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18 } },
		{ "# c\ncipher=aes\nsalt=0102030405060708\nsalt=1111111111111111\n",
		  { 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ "passphrase_salt=0102030405060708\n", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } },
		{ "key=passphrase\n", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } },
		{ "#salt=zz\n", { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } },
		{ "key=passphrase salt=0102030405060708\n",
		  { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } },
	};
	static const struct {
		const char *data;
		unsigned int line;
	} bad[] = {
		{ "salt=abc\n", 1 },
		{ "salt=zzzzzzzzzzzzzzzz\n", 1 },
		{ "salt=a1b2c3d4e5f6071899\n", 1 },
		{ "salt = a1b2c3d4e5f60718\n", 1 },
		{ "  salt=a1b2c3d4e5f60718\n", 1 },
		{ "cipher=aes\nsalt=a1b2c3d4e5f60718\r\n", 2 },
		{ "salt=a1b2c3d4e5f60718\nsalt=\n", 2 },
	};
	struct env *e = *state;
	struct ect_config_error err;
	uint8_t salt[ECT_SALT_SIZE];
	char big[16 * 1024 + 1];

	unlinkat(e->homefd, ".ecryptfsrc", 0);
	assert_int_equal(ect_rc_read_salt(e->home, salt), 0);
	assert_memory_equal(salt, ect_default_salt, ECT_SALT_SIZE);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		puts_(e->homefd, ".ecryptfsrc", good[i].data);
		assert_int_equal(ect_rc_read_salt(e->home, salt), 0);
		assert_memory_equal(salt, good[i].salt, ECT_SALT_SIZE);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		puts_(e->homefd, ".ecryptfsrc", bad[i].data);
		assert_int_equal(ect_rc_read_salt(e->home, salt), ECT_E_CONFIG);
		expect_config_error(ect_rc_read_salt_at(e->homefd, e->uid, salt, &err), &err,
				    ".ecryptfsrc", bad[i].line, bad[i].data);
		assert_memory_equal(salt, ect_default_salt, ECT_SALT_SIZE);
	}
	memset(big, '#', sizeof(big));
	put(e->homefd, ".ecryptfsrc", big, sizeof(big), 0600);
	assert_int_equal(ect_rc_read_salt(e->home, salt), ECT_E_CONFIG);
	unlinkat(e->homefd, ".ecryptfsrc", 0);
	puts_(e->homefd, "rc-target", "salt=0102030405060708\n");
	assert_int_equal(symlinkat("rc-target", e->homefd, ".ecryptfsrc"), 0);
	assert_int_equal(ect_rc_read_salt(e->home, salt), ECT_E_UNSAFE_PATH);
	unlinkat(e->homefd, ".ecryptfsrc", 0);
	puts_(e->homefd, ".ecryptfsrc", "salt=0102030405060708\n");
	assert_int_equal(ect_rc_read_salt_at(e->homefd, e->uid + 1, salt, &err), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_rc_read_salt_at(e->homefd, e->uid, salt, &err), 0);
	assert_int_equal(salt[7], 8);
	assert_int_equal(ect_rc_read_salt("/nonexistent-ect-home", salt), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sigs_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigs_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigs_unsafe_files, setup, teardown),
		cmocka_unit_test(test_alias_check),
		cmocka_unit_test_setup_teardown(test_dir_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mnt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_conf_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_conf_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_config_load, setup, teardown),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test_setup_teardown(test_writers_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers_refuse_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rc_salt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
