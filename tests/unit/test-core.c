// SPDX-License-Identifier: GPL-2.0-or-later
/* Core module: errors, logging, secure memory, secret input, atomic files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/securebits.h>

#include "ecryptfs-tools.h"

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(ect_strerror(ECT_E_WRONG_PASSWORD), "wrong password or passphrase");
	assert_string_equal(ect_strerror(-ENOKEY), "required key not in the keyring");
	assert_string_equal(ect_strerror(-EDQUOT), "keyring quota exceeded (too many keys)");
	assert_string_equal(ect_strerror(-ENOENT), "No such file or directory");
	assert_string_equal(ect_strerror(0), "success");
	for (int e = ECT_E_WRONG_PASSWORD; e > ECT_E_LAST; e--)
		assert_string_not_equal(ect_strerror(e), "unknown ecryptfs-tools error");
	assert_string_equal(ect_strerror(ECT_E_LAST), "unknown ecryptfs-tools error");
}

struct captured {
	int count;
	int last_prio;
	char last[1100];
};

static void capture(void *userdata, int prio, const char *msg)
{
	struct captured *c = userdata;

	c->count++;
	c->last_prio = prio;
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static void test_log_sanitize_and_debug(void **state)
{
	struct ect_ctx *ctx;
	struct captured c = { 0 };

	(void)state;
	assert_int_equal(ect_ctx_new(&ctx, "t", ECT_LOG_NONE), 0);
	ect_ctx_set_log_fn(ctx, capture, &c);
	ect_err(ctx, "name %s", "evil\nFAKE LINE");
	assert_int_equal(c.count, 1);
	assert_int_equal(c.last_prio, LOG_ERR);
	assert_string_equal(c.last, "name evil?FAKE LINE");
	ect_debug(ctx, "hidden");
	assert_int_equal(c.count, 1);
	ect_ctx_set_debug(ctx, 1);
	ect_debug(ctx, "shown");
	assert_int_equal(c.count, 2);
	ect_ctx_free(ctx);
}

static void test_log_ratelimit(void **state)
{
	struct ect_ctx *ctx;
	struct captured c = { 0 };

	(void)state;
	assert_int_equal(ect_ctx_new(&ctx, "t", ECT_LOG_NONE), 0);
	ect_ctx_set_log_fn(ctx, capture, &c);
	ect_ctx_set_ratelimit(ctx, 3600, 5);
	for (int i = 0; i < 100; i++)
		ect_warn(ctx, "flood %d", i);
	assert_int_equal(c.count, 5);
	assert_string_equal(c.last, "flood 4");
	ect_ctx_free(ctx);
}

static void test_secure_alloc(void **state)
{
	unsigned char *p;
	char *s;

	(void)state;
	p = ect_secure_alloc(64);
	assert_non_null(p);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0xaa, 64);
	ect_secure_free(p);
	s = ect_secure_strndup("secretsecret", 6);
	assert_string_equal(s, "secret");
	ect_secure_free_str(s);
	ect_secure_free(NULL);
	assert_int_equal(ect_memcmp_const("abc", "abc", 3), 0);
	assert_int_not_equal(ect_memcmp_const("abc", "abd", 3), 0);
}

static int pipe_with(const char *data, size_t n)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], data, n), (ssize_t)n);
	close(fds[1]);
	return fds[0];
}

static void test_read_secret_line(void **state)
{
	char *s;
	size_t len;
	int fd;

	(void)state;
	fd = pipe_with("pass one\r\nsecond\nthird", 22);
	assert_int_equal(ect_read_secret_line(fd, 64, &s, &len), 0);
	assert_string_equal(s, "pass one");
	assert_int_equal(len, 8);
	ect_secure_free_str(s);
	assert_int_equal(ect_read_secret_line(fd, 64, &s, &len), 0);
	assert_string_equal(s, "second");
	ect_secure_free_str(s);
	assert_int_equal(ect_read_secret_line(fd, 64, &s, &len), 0);
	assert_string_equal(s, "third");
	ect_secure_free_str(s);
	assert_int_equal(ect_read_secret_line(fd, 64, &s, &len), -ENODATA);
	assert_null(s);
	close(fd);

	fd = pipe_with("0123456789", 10);
	assert_int_equal(ect_read_secret_line(fd, 9, &s, &len), -EMSGSIZE);
	assert_null(s);
	close(fd);

	fd = pipe_with("\n", 1);
	assert_int_equal(ect_read_secret_line(fd, 9, &s, &len), 0);
	assert_int_equal(len, 0);
	ect_secure_free_str(s);
	close(fd);
}

static void test_read_secret_source(void **state)
{
	char path[] = "/tmp/ect-test-secret-XXXXXX";
	char src[32];
	char *s;
	size_t len;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "from file\nignored\n", 18), 18);
	close(fd);
	assert_int_equal(ect_read_secret_source(path, 64, &s, &len), 0);
	assert_string_equal(s, "from file");
	ect_secure_free_str(s);
	unlink(path);
	assert_int_equal(ect_read_secret_source(path, 64, &s, &len), -ENOENT);

	fd = pipe_with("via fd\n", 7);
	snprintf(src, sizeof(src), "fd:%d", fd);
	assert_int_equal(ect_read_secret_source(src, 64, &s, &len), 0);
	assert_string_equal(s, "via fd");
	ect_secure_free_str(s);
	close(fd);
	assert_int_equal(ect_read_secret_source("fd:x", 64, &s, &len), -EINVAL);
}

static void test_atomic_write_and_read(void **state)
{
	char dir[] = "/tmp/ect-test-dir-XXXXXX";
	char path[256];
	void *data;
	size_t size;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_int_equal(ect_write_file_atomic(path, "hello", 5, 0600, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(ect_read_file(path, 100, 1, &data, &size), 0);
	assert_int_equal(size, 5);
	assert_memory_equal(data, "hello", 5);
	ect_secure_free(data);
	assert_int_equal(ect_read_file(path, 4, 0, &data, &size), -EFBIG);
	assert_null(data);

	/* Replacement is complete and leaves no temp files behind. */
	assert_int_equal(ect_write_file_atomic(path, "world!", 6, 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(ect_read_file(path, 100, 0, &data, &size), 0);
	assert_int_equal(size, 6);
	free(data);
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);

	/* Symlinks and directories are refused. */
	char link[300];

	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(ect_read_file(link, 100, 0, &data, &size), -ELOOP);
	assert_int_equal(ect_read_file(dir, 100, 0, &data, &size), ECT_E_UNSAFE_PATH);

	/* A write into a missing directory fails and creates nothing. */
	snprintf(path, sizeof(path), "%s/missing/file", dir);
	assert_int_equal(ect_write_file_atomic(path, "x", 1, 0600, (uid_t)-1, (gid_t)-1), -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

#define FOREIGN_UID 4000123 /* an owner that is not us, for the root-only checks */

static int count_entries(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "exit $(ls -A %s | wc -l)", dir);
	return WEXITSTATUS(system(cmd));
}

static void read_back(int dirfd, const char *name, const char *want)
{
	char buf[64] = { 0 };
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(want));
	assert_string_equal(buf, want);
	close(fd);
}

static void test_atomic_write_at(void **state)
{
	char dir[] = "/tmp/ect-test-at-XXXXXX", sub[64], moved[64], other[64], path[96], cmd[96];
	struct stat st;
	int dfd, sfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(ect_write_file_atomic_at(dfd, "f", "abc", 3, 0640, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(fstatat(dfd, "f", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	read_back(dfd, "f", "abc");
	assert_int_equal(count_entries(dir), 1); /* no temp file left */

	/* only plain names */
	assert_int_equal(ect_write_file_atomic_at(dfd, "a/b", "x", 1, 0600, (uid_t)-1, (gid_t)-1), -EINVAL);
	assert_int_equal(ect_write_file_atomic_at(dfd, "..", "x", 1, 0600, (uid_t)-1, (gid_t)-1), -EINVAL);
	assert_int_equal(ect_write_file_atomic_at(dfd, "", "x", 1, 0600, (uid_t)-1, (gid_t)-1), -EINVAL);

	/* a symlink under the name is replaced, its target untouched */
	snprintf(path, sizeof(path), "%s/outside", dir);
	assert_int_equal(ect_write_file_atomic(path, "keep", 4, 0600, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(unlinkat(dfd, "f", 0), 0);
	assert_int_equal(symlinkat("outside", dfd, "f"), 0);
	assert_int_equal(ect_write_file_atomic_at(dfd, "f", "new", 3, 0600, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(fstatat(dfd, "f", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	read_back(dfd, "outside", "keep");

	/* the directory fd is pinned: swapping its name for a symlink changes nothing */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(moved, sizeof(moved), "%s/moved", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	sfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(sfd >= 0);
	assert_int_equal(rename(sub, moved), 0);
	assert_int_equal(symlink(other, sub), 0);
	assert_int_equal(ect_write_file_atomic_at(sfd, "x", "in", 2, 0600, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(count_entries(other), 0);
	assert_int_equal(count_entries(moved), 1);

	if (geteuid() == 0) {
		/* root hands the file over on its fd */
		assert_int_equal(ect_write_file_atomic_at(sfd, "y", "u", 1, 0600, FOREIGN_UID,
							  FOREIGN_UID), 0);
		assert_int_equal(fstatat(sfd, "y", &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(st.st_uid, FOREIGN_UID);
		assert_int_equal(st.st_mode & 07777, 0600);
		/* the path form gives a file away only in a directory of its new owner */
		snprintf(path, sizeof(path), "%s/z", other);
		assert_int_equal(ect_write_file_atomic(path, "u", 1, 0600, FOREIGN_UID, FOREIGN_UID),
				 ECT_E_UNSAFE_PATH);
		assert_int_equal(count_entries(other), 0);
		assert_int_equal(chown(other, FOREIGN_UID, FOREIGN_UID), 0);
		assert_int_equal(ect_write_file_atomic(path, "u", 1, 0600, FOREIGN_UID, FOREIGN_UID), 0);
	}
	close(sfd);
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_dir_make_at(void **state)
{
	char dir[] = "/tmp/ect-test-mkdir-XXXXXX", cmd[96];
	struct stat st, again;
	mode_t old_umask = umask(077);
	int dfd, fd, fd2, made;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(ect_dir_open_at(dfd, "d", &fd), -ENOENT);
	assert_int_equal(fd, -1);
	/* made with the mode asked for, whatever the umask */
	assert_int_equal(ect_dir_make_at(dfd, "d", 0711, &made, &fd), 0);
	assert_int_equal(made, 1);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0711);
	assert_int_equal(st.st_uid, geteuid());
	/* an existing one is opened, not made */
	assert_int_equal(ect_dir_make_at(dfd, "d", 0700, &made, &fd2), 0);
	assert_int_equal(made, 0);
	assert_int_equal(fstat(fd2, &again), 0);
	assert_int_equal(st.st_ino, again.st_ino);
	assert_int_equal(again.st_mode & 07777, 0711);
	close(fd2);
	assert_int_equal(ect_dir_open_at(dfd, "d", &fd2), 0);
	close(fd2);
	close(fd);
	/* a symlink to a directory and a file are refused and left alone */
	assert_int_equal(symlinkat("d", dfd, "l"), 0);
	assert_int_equal(ect_dir_make_at(dfd, "l", 0700, &made, &fd), ECT_E_UNSAFE_PATH);
	assert_int_equal(made, 0);
	assert_int_equal(fd, -1);
	assert_int_equal(ect_dir_open_at(dfd, "l", &fd), ECT_E_UNSAFE_PATH);
	assert_int_equal(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	fd = openat(dfd, "r", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ect_dir_make_at(dfd, "r", 0700, &made, &fd), ECT_E_UNSAFE_PATH);
	assert_int_equal(fstatat(dfd, "r", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	/* only plain names */
	assert_int_equal(ect_dir_make_at(dfd, "a/b", 0700, &made, &fd), -EINVAL);
	assert_int_equal(ect_dir_make_at(dfd, "..", 0700, &made, &fd), -EINVAL);
	assert_int_equal(ect_dir_open_at(dfd, ".", &fd), -EINVAL);
	close(dfd);
	umask(old_umask);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * ect_become_user in a child (it changes the process for good): afterwards
 * every id is the user's, and neither root nor the old gid comes back.
 * Needs root.
 */
static void test_become_user(void **state)
{
	const uid_t uid = 65534;
	const gid_t gid = 65534;
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uid_t r, e, s;
		gid_t rg, eg, sg;

		if (ect_become_user(uid, gid, ECT_GROUPS_GID, NULL))
			_exit(1);
		if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid)
			_exit(2);
		if (getresgid(&rg, &eg, &sg) || rg != gid || eg != gid || sg != gid)
			_exit(3);
		if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || setegid(0) == 0)
			_exit(4);
		if (getgroups(0, NULL) != 1)
			_exit(5);
		/* and again, as the user: no-op to itself, still no way up */
		_exit(ect_become_user(uid, gid, ECT_GROUPS_GID, NULL) ? 6 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Run check() in a child; its exit status (0: all held). */
static int in_child(int (*check)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(check());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static const gid_t two_groups[2] = { 65534, 100 };

/* Are the supplementary groups still two_groups (in any order)? */
static int still_two_groups(void)
{
	gid_t now[8];
	int n = getgroups(8, now);

	if (n != 2)
		return 0;
	return (now[0] == two_groups[0] && now[1] == two_groups[1]) ||
	       (now[0] == two_groups[1] && now[1] == two_groups[0]);
}

/* After a drop to 65534:65534 every id is the user's and no way up is left. */
static int dropped_for_good(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (getresuid(&r, &e, &s) || r != 65534 || e != 65534 || s != 65534)
		return 0;
	if (getresgid(&rg, &eg, &sg) || rg != 65534 || eg != 65534 || sg != 65534)
		return 0;
	return setuid(0) && seteuid(0) && setgid(0) && setegid(0);
}

/*
 * The setuid helper's shape (helpers/mount/privilege.c): real ids the
 * caller's, root in the saved ids and, while raised, the effective ones;
 * the caller's groups. The drop takes root away and keeps the groups.
 */
static int helper_drop(id_t effective)
{
	if (setgroups(2, two_groups) || setresgid(65534, effective, 0) ||
	    setresuid(65534, effective, 0))
		return 10;
	if (ect_become_user(65534, 65534, ECT_GROUPS_KEEP, NULL))
		return 1;
	if (!dropped_for_good())
		return 2;
	return still_two_groups() ? 0 : 3;
}

static int helper_drop_lowered(void)
{
	return helper_drop(65534);
}

static int helper_drop_raised(void)
{
	return helper_drop(0);
}

/* A process that is 65534 in all its ids, with two_groups. */
static int be_65534_with_two_groups(void)
{
	return setgroups(2, two_groups) || setresgid(65534, 65534, 65534) ||
	       setresuid(65534, 65534, 65534);
}

/* The PAM child run by an application that already is the user keeps its groups. */
static int already_the_user(void)
{
	if (be_65534_with_two_groups())
		return 10;
	if (ect_become_user(65534, 65534, ECT_GROUPS_GID, NULL))
		return 1;
	return still_two_groups() ? 0 : 3;
}

/*
 * su to root: the application's real ids are the user's, the effective
 * ones root's. Becoming root is allowed; root can reach any id, so there
 * is no way back to check (and trying setuid(user) would be wrong).
 */
static int su_to_root(void)
{
	uid_t r, e, s;

	if (setresgid(65534, 0, 0) || setresuid(65534, 0, 0))
		return 10;
	if (ect_become_user(0, 0, ECT_GROUPS_GID, NULL))
		return 1;
	if (getresuid(&r, &e, &s) || r != 0 || e != 0 || s != 0)
		return 2;
	return getgroups(0, NULL) == 1 ? 0 : 3;
}

/* A user's process cannot become another user, not even with the groups left alone. */
static int other_user_refused(void)
{
	if (be_65534_with_two_groups())
		return 10;
	if (ect_become_user(65533, 65533, ECT_GROUPS_GID, NULL) != -EPERM)
		return 1;
	return ect_become_user(65533, 65534, ECT_GROUPS_KEEP, NULL) == -EPERM ? 0 : 2;
}

/*
 * Refused before any change (in a child all the same: a wrong answer would
 * change us); real root may not hand its own groups to a user.
 */
static int invalid_args(void)
{
	if (ect_become_user((uid_t)-1, 65534, ECT_GROUPS_GID, NULL) != -EINVAL ||
	    ect_become_user(65534, (gid_t)-1, ECT_GROUPS_GID, NULL) != -EINVAL ||
	    ect_become_user(65534, 65534, ECT_GROUPS_USER, NULL) != -EINVAL ||
	    ect_become_user(65534, 65534, (enum ect_become_groups)3, NULL) != -EINVAL ||
	    ect_become_user(65534, 65534, ECT_GROUPS_KEEP, NULL) != -EINVAL)
		return 1;
	return geteuid() == 0 && getuid() == 0 ? 0 : 2;
}

static void test_become_user_groups(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(invalid_args), 0);
	assert_int_equal(in_child(helper_drop_lowered), 0);
	assert_int_equal(in_child(helper_drop_raised), 0);
	assert_int_equal(in_child(already_the_user), 0);
	assert_int_equal(in_child(other_user_refused), 0);
	assert_int_equal(in_child(su_to_root), 0);
}

/*
 * With SECBIT_NO_SETUID_FIXUP root keeps its capabilities across the uid
 * change: setresuid succeeds, yet the old ids can be regained. Only the
 * check after the change (OpenSSH's) sees that, and must fail the drop.
 */
static int regainable(gid_t gid)
{
	if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0))
		return 10;
	return ect_become_user(65534, gid, ECT_GROUPS_GID, NULL) == -EPERM ? 0 : 1;
}

/* gid 0 stays, so only the uid check can see it */
static int regainable_uid(void)
{
	return regainable(0);
}

static int regainable_both(void)
{
	return regainable(65534);
}

static void test_become_user_cannot_regain(void **state)
{
	int r;

	(void)state;
	if (geteuid() != 0)
		skip();
	r = in_child(regainable_uid);
	if (r == 10)
		skip(); /* no CAP_SETPCAP here */
	assert_int_equal(r, 0);
	assert_int_equal(in_child(regainable_both), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_log_sanitize_and_debug),
		cmocka_unit_test(test_log_ratelimit),
		cmocka_unit_test(test_secure_alloc),
		cmocka_unit_test(test_read_secret_line),
		cmocka_unit_test(test_read_secret_source),
		cmocka_unit_test(test_atomic_write_and_read),
		cmocka_unit_test(test_atomic_write_at),
		cmocka_unit_test(test_dir_make_at),
		cmocka_unit_test(test_become_user),
		cmocka_unit_test(test_become_user_groups),
		cmocka_unit_test(test_become_user_cannot_regain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
