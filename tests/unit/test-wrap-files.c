// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wrap module, file forms: atomic 0600 writes, nothing partial left on
 * failure, symlinks / non-regular / empty / oversized files refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "wrap-helpers.h"

/* ---- file forms ----------------------------------------------------------- */

struct tmpdir {
	char path[1024];
};

static int setup_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	snprintf(t->path, sizeof(t->path), "%s/test-wrap-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->path))
		return -1;
	*state = t;
	return 0;
}

static int teardown_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_files(void **state)
{
	struct tmpdir *t = *state;
	struct ect_argon2_params p;
	struct ect_wrap_info info;
	char path[PATH_MAX], link[PATH_MAX], big[PATH_MAX], *pass = NULL;
	size_t len = 0;
	struct stat st;
	int fd;

	floor_params(&p);
	snprintf(path, sizeof(path), "%s/wrapped-passphrase", t->path);
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V3, "mount", 5, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, &info), 0);
	assert_string_equal(pass, "mount");
	assert_int_equal(info.version, ECT_WRAP_V3);
	ect_secure_free_str(pass);

	/* A failed wrap leaves the old file exactly as it was, and no temp file. */
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V2, "", 0, "pw", 2, NULL, (uid_t)-1,
				       (gid_t)-1),
			 ECT_E_PASSPHRASE_LEN);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, NULL), 0);
	ect_secure_free_str(pass);
	assert_int_equal(count_entries(t->path), 1);

	/* v2 through the file form. */
	assert_int_equal(ect_wrap_file(path, ECT_WRAP_V2, "mount2", 6, "pw", 2, NULL, (uid_t)-1,
				       (gid_t)-1),
			 0);
	assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, &info), 0);
	assert_string_equal(pass, "mount2");
	assert_int_equal(info.version, ECT_WRAP_V2);
	ect_secure_free_str(pass);

	/* Missing or non-directory parent: an error and nothing written. */
	snprintf(big, sizeof(big), "%s/no-such-dir/wrapped-passphrase", t->path);
	assert_int_equal(ect_wrap_file(big, ECT_WRAP_V3, "m", 1, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 -ENOENT);
	snprintf(big, sizeof(big), "%s/wrapped-passphrase/child", t->path);
	assert_int_equal(ect_wrap_file(big, ECT_WRAP_V3, "m", 1, "pw", 2, &p, (uid_t)-1,
				       (gid_t)-1),
			 -ENOTDIR);
	assert_int_equal(count_entries(t->path), 1);

	/*
	 * A write that fails half-way (file size limit: EFBIG, as on a full
	 * disk) leaves neither a partial file nor a temp file, and the old
	 * file intact.
	 */
	{
		struct rlimit saved, tiny;
		void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);

		assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
		tiny = saved;
		tiny.rlim_cur = 20;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
		assert_int_equal(ect_wrap_file(path, ECT_WRAP_V3, "new", 3, "pw", 2, &p, (uid_t)-1,
					       (gid_t)-1),
				 -EFBIG);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
		signal(SIGXFSZ, old_handler);
		assert_int_equal(count_entries(t->path), 1);
		assert_int_equal(ect_unwrap_file(path, "pw", 2, NULL, &pass, &len, NULL), 0);
		assert_string_equal(pass, "mount2");
		ect_secure_free_str(pass);
	}

	/* An unwritable directory (not for root, who writes anyway). */
	if (geteuid() != 0) {
		snprintf(big, sizeof(big), "%s/ro", t->path);
		assert_int_equal(mkdir(big, 0500), 0);
		snprintf(link, sizeof(link), "%s/ro/wrapped-passphrase", t->path);
		assert_int_equal(ect_wrap_file(link, ECT_WRAP_V2, "m", 1, "pw", 2, NULL, (uid_t)-1,
					       (gid_t)-1),
				 -EACCES);
		assert_int_equal(count_entries(big), 0);
		assert_int_equal(rmdir(big), 0);
	}

	/* Symlinks and non-regular files are refused. */
	snprintf(link, sizeof(link), "%s/link", t->path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(ect_unwrap_file(link, "pw", 2, NULL, &pass, &len, NULL), -ELOOP);
	assert_null(pass);
	assert_int_equal(ect_unwrap_file(t->path, "pw", 2, NULL, &pass, &len, NULL),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(unlink(link), 0);

	/* Empty and oversized files. */
	snprintf(big, sizeof(big), "%s/empty", t->path);
	fd = open(big, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ect_unwrap_file(big, "pw", 2, NULL, &pass, &len, NULL), ECT_E_TRUNCATED);
	fd = open(big, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ECT_WRAP_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(ect_unwrap_file(big, "pw", 2, NULL, &pass, &len, NULL), -EFBIG);
	assert_int_equal(ect_unwrap_file("/nonexistent/wrapped", "pw", 2, NULL, &pass, &len, NULL),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files, setup_tmpdir, teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
