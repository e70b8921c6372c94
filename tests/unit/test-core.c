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
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

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
	ect_secure_free(p, 64);
	s = ect_secure_strndup("secretsecret", 6);
	assert_string_equal(s, "secret");
	ect_secure_free_str(s);
	ect_secure_free(NULL, 10);
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
	ect_secure_free(data, size + 1);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
