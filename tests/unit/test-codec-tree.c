// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_tree_walk: sorted depth-first order, names decrypted on the way,
 * undecodable names reported per entry, symlinks never followed,
 * directories skippable by the callback.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec-test.h"

struct seen {
	char paths[32][512];
	int types[32];
	int errors[32];
	int n;
	const char *skip; /* upper path whose contents to skip */
};

static int record(void *userdata, const struct ect_tree_entry *e)
{
	struct seen *s = userdata;

	assert_true(s->n < 32);
	snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", e->upper_path);
	s->types[s->n] = e->type;
	s->errors[s->n] = e->name_error;
	s->n++;
	return s->skip && !strcmp(s->skip, e->upper_path) ? 1 : 0;
}

static char root[] = "/tmp/test-codec-tree-XXXXXX";

static void mkfile(const char *rel)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void mksub(const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void test_plain_walk(void **state)
{
	struct seen s = { 0 };
	char p[4096];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	mksub("b-dir");
	mkfile("b-dir/inner");
	mksub("b-dir/deeper");
	mkfile("b-dir/deeper/leaf");
	mkfile("a-file");
	mksub("c-skip");
	mkfile("c-skip/hidden");
	snprintf(p, sizeof(p), "%s/d-link", root);
	assert_int_equal(symlink("b-dir", p), 0); /* must not be followed */
	fd = open(root, O_RDONLY | O_DIRECTORY);
	s.skip = "c-skip";
	assert_int_equal(ect_tree_walk(fd, NULL, record, &s), 0);
	close(fd);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.paths[0], "a-file");
	assert_int_equal(s.types[0], ECT_TREE_FILE);
	assert_string_equal(s.paths[1], "b-dir");
	assert_int_equal(s.types[1], ECT_TREE_DIR);
	assert_string_equal(s.paths[2], "b-dir/deeper");
	assert_string_equal(s.paths[3], "b-dir/deeper/leaf");
	assert_string_equal(s.paths[4], "b-dir/inner");
	assert_string_equal(s.paths[5], "c-skip");
	assert_string_equal(s.paths[6], "d-link");
	assert_int_equal(s.types[6], ECT_TREE_SYMLINK);
	assert_int_equal(system((snprintf(p, sizeof(p), "rm -rf '%s'", root), p)), 0);
}

static int stop_at_second(void *userdata, const struct ect_tree_entry *e)
{
	int *count = userdata;

	(void)e;
	return ++*count == 2 ? -ECANCELED : 0;
}

static void test_encrypted_walk(void **state)
{
	static const uint8_t fnek[64] = { 7, 7, 7 };
	struct ect_fname_codec *c;
	struct seen s = { 0 };
	char enc[300], enc2[300], rel[700];
	int fd, count = 0;

	(void)state;
	strcpy(root, "/tmp/test-codec-tree-XXXXXX");
	assert_non_null(mkdtemp(root));
	assert_int_equal(ect_fname_codec_new(fnek, "0707070707070707", "aes", 16, &c), 0);
	assert_true(ect_fname_encrypt(c, "Documents", 9, 0, enc, sizeof(enc)) > 0);
	mksub(enc);
	assert_true(ect_fname_encrypt(c, "r\xc3\xa9sum\xc3\xa9.txt", 12, 0, enc2, sizeof(enc2)) > 0);
	snprintf(rel, sizeof(rel), "%s/%s", enc, enc2);
	mkfile(rel);
	mkfile("lost+found-like-plain-name"); /* no prefix: reported, not fatal */
	fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ect_tree_walk(fd, c, record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.paths[0], "Documents");
	assert_int_equal(s.errors[0], 0);
	assert_string_equal(s.paths[1], "Documents/r\xc3\xa9sum\xc3\xa9.txt");
	assert_string_equal(s.paths[2], "lost+found-like-plain-name");
	assert_int_equal(s.errors[2], ECT_E_NOT_ECRYPTFS);
	assert_int_equal(ect_tree_walk(fd, c, stop_at_second, &count), -ECANCELED);
	assert_int_equal(count, 2);
	close(fd);
	assert_int_equal(ect_tree_walk(-1, c, record, &s), -EBADF);
	ect_fname_codec_free(c);
	assert_int_equal(system((snprintf(rel, sizeof(rel), "rm -rf '%s'", root), rel)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_walk),
		cmocka_unit_test(test_encrypted_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
