// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys module: several private directories (aliases, issue 16). The key
 * files' names per alias (Private keeps ecryptfs-utils 111's), the list of
 * aliases, each alias's own auto-mount flag, and the unwrap and token
 * operations reaching the alias's files and never Private's.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecryptfs-tools.h"

#define SIG_A "0123456789abcdef\n"
#define SIG_B "fedcba9876543210\n"

struct env {
	char home[64];
	int dirfd;
	struct ect_user_dirs d;
};

static void put(struct env *e, const char *name, const void *data, size_t len)
{
	assert_int_equal(ect_write_file_atomic_at(e->dirfd, name, data, len, 0600, (uid_t)-1,
						  (gid_t)-1), 0);
}

static void put_str(struct env *e, const char *name, const char *text)
{
	put(e, name, text, strlen(text));
}

static bool exists(struct env *e, const char *name)
{
	struct stat st;

	return fstatat(e->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char dir[96];

	if (!e)
		return -1;
	snprintf(e->home, sizeof(e->home), "/tmp/ect-test-alias-XXXXXX");
	if (!mkdtemp(e->home))
		return -1;
	snprintf(dir, sizeof(dir), "%s/.ecryptfs", e->home);
	if (mkdir(dir, 0700) || ect_config_dir_open(e->home, geteuid(), &e->dirfd))
		return -1;
	e->d = (struct ect_user_dirs){ .config_fd = e->dirfd, .home_fd = -1, .uid = geteuid(),
				       .gid = getegid() };
	*state = e;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct env *e = *state;

	close(e->dirfd);
	nftw(e->home, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

static void test_key_file_names(void **state)
{
	char name[ECT_ALIAS_FILE_SIZE];

	(void)state;
	/* Private keeps 111's names exactly */
	assert_int_equal(ect_alias_key_file(NULL, ECT_WRAPPED_PASSPHRASE_FILE, name, sizeof(name)), 0);
	assert_string_equal(name, "wrapped-passphrase");
	assert_int_equal(ect_alias_key_file("Private", ECT_TOKEN_FILE, name, sizeof(name)), 0);
	assert_string_equal(name, "wrapped-passphrase.token");
	/* other aliases: ALIAS. in front */
	assert_int_equal(ect_alias_key_file("Work", ECT_WRAPPED_PASSPHRASE_FILE, name, sizeof(name)), 0);
	assert_string_equal(name, "Work.wrapped-passphrase");
	assert_int_equal(ect_alias_key_file("Work", ECT_TOKEN_FILE, name, sizeof(name)), 0);
	assert_string_equal(name, "Work.wrapped-passphrase.token");
	assert_int_equal(ect_alias_key_file("Work", "auto-mount", name, sizeof(name)), 0);
	assert_string_equal(name, "Work.auto-mount");
	/* bad input */
	assert_int_equal(ect_alias_key_file("../x", ECT_TOKEN_FILE, name, sizeof(name)), ECT_E_CONFIG);
	assert_int_equal(ect_alias_key_file("a/b", ECT_TOKEN_FILE, name, sizeof(name)), ECT_E_CONFIG);
	assert_int_equal(ect_alias_key_file("", ECT_TOKEN_FILE, name, sizeof(name)), ECT_E_CONFIG);
	assert_int_equal(ect_alias_key_file("Work", "a/b", name, sizeof(name)), -EINVAL);
	assert_int_equal(ect_alias_key_file("Work", ECT_TOKEN_FILE, name, 10), -ENAMETOOLONG);
}

static void test_list_aliases(void **state)
{
	struct env *e = *state;
	char aliases[4][ECT_ALIAS_MAX + 1];
	size_t n = 99;

	assert_int_equal(ect_config_list_aliases_at(e->dirfd, aliases, 4, &n), 0);
	assert_int_equal(n, 0);
	put_str(e, "Private.sig", SIG_A);
	put_str(e, "Work.conf", "/tmp/l /tmp/u ecryptfs\n");
	put_str(e, "Bank.conf", "/tmp/l2 /tmp/u2 ecryptfs\n");
	put_str(e, "Private.conf", "/tmp/l3 /tmp/u3 ecryptfs\n"); /* the default is no alias */
	put_str(e, "a..b.conf", "");				     /* not a valid alias */
	put_str(e, ".conf", "");
	put_str(e, "Work.conf.bak", "");
	assert_int_equal(symlinkat("Work.conf", e->dirfd, "Link.conf"), 0); /* links are not */
	assert_int_equal(mkdirat(e->dirfd, "Dir.conf", 0700), 0);
	assert_int_equal(ect_config_list_aliases_at(e->dirfd, aliases, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(aliases[0], "Bank");
	assert_string_equal(aliases[1], "Work");
	/* too small: the count still says how many */
	assert_int_equal(ect_config_list_aliases_at(e->dirfd, aliases, 1, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ect_config_list_aliases_at(e->dirfd, NULL, 1, &n), -EINVAL);
}

/*
 * More aliases than room (review finding L1): the first max in byte order,
 * whatever the directory's order, so PAM mounts the same ones each login.
 * Made in reverse order, so that neither creation nor hash order gives it.
 */
static void test_list_aliases_cut_in_byte_order(void **state)
{
	struct env *e = *state;
	char aliases[4][ECT_ALIAS_MAX + 1];
	char name[32];
	size_t n = 0;

	for (int i = 19; i >= 0; i--) {
		snprintf(name, sizeof(name), "A%02d.conf", i);
		put_str(e, name, "/tmp/l /tmp/u ecryptfs\n");
	}
	assert_int_equal(ect_config_list_aliases_at(e->dirfd, aliases, 4, &n), 0);
	assert_int_equal(n, 20);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "A%02d", i);
		assert_string_equal(aliases[i], name);
	}
}

/* Private's auto-mount is not an alias's: each alias has ALIAS.auto-mount. */
static void test_alias_auto_mount(void **state)
{
	struct env *e = *state;
	struct ect_private_config cfg;
	struct ect_config_error err;

	put_str(e, "Private.sig", SIG_A);
	put_str(e, "auto-mount", "");
	put_str(e, "auto-umount", "");
	put_str(e, "Work.conf", "/tmp/l /tmp/u ecryptfs\n");
	put_str(e, "Work.sig", SIG_B);
	assert_int_equal(ect_private_config_load(e->dirfd, geteuid(), e->home, NULL, &cfg, &err), 0);
	assert_int_equal(cfg.flags & (ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT),
			 ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT);
	ect_private_config_free(&cfg);
	assert_int_equal(ect_private_config_load(e->dirfd, geteuid(), e->home, "Work", &cfg, &err), 0);
	assert_int_equal(cfg.flags & (ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT), 0);
	assert_string_equal(cfg.sigs.fekek, "fedcba9876543210");
	ect_private_config_free(&cfg);
	put_str(e, "Work.auto-mount", "");
	(void)unlinkat(e->dirfd, "auto-mount", 0);
	(void)unlinkat(e->dirfd, "auto-umount", 0);
	assert_int_equal(ect_private_config_load(e->dirfd, geteuid(), e->home, "Work", &cfg, &err), 0);
	assert_int_equal(cfg.flags & (ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT),
			 ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT);
	ect_private_config_free(&cfg);
	assert_int_equal(ect_private_config_load(e->dirfd, geteuid(), e->home, NULL, &cfg, &err), 0);
	assert_int_equal(cfg.flags & ECT_FLAG_AUTO_MOUNT, 0);
	ect_private_config_free(&cfg);
	/*
	 * a link is refused, not followed: not marked, and said so; the load
	 * goes on, so that the unmount of a mounted alias does (finding L5)
	 */
	(void)unlinkat(e->dirfd, "Work.auto-mount", 0);
	assert_int_equal(symlinkat("/etc/passwd", e->dirfd, "Work.auto-mount"), 0);
	assert_int_equal(ect_private_config_load(e->dirfd, geteuid(), e->home, "Work", &cfg, &err), 0);
	assert_int_equal(cfg.flags & (ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT |
				      ECT_FLAG_AUTO_MOUNT_REFUSED), ECT_FLAG_AUTO_MOUNT_REFUSED);
	ect_private_config_free(&cfg);
}

static void put_wrapped(struct env *e, const char *name, const char *pp, const char *pw)
{
	uint8_t *blob = NULL;
	size_t size = 0;

	assert_int_equal(ect_wrap(ECT_WRAP_V2, pp, strlen(pp), pw, strlen(pw), NULL, &blob, &size), 0);
	put(e, name, blob, size);
	free(blob);
}

/* An alias's unwrap reads ALIAS.wrapped-passphrase, never Private's. */
static void test_alias_unwrap(void **state)
{
	struct env *e = *state;
	struct ect_unlock_result res;
	char *pp = NULL;
	size_t len = 0;

	put_wrapped(e, "wrapped-passphrase", "private passphrase", "login");
	put_wrapped(e, "Work.wrapped-passphrase", "work passphrase", "work password");
	e->d.alias = "Work";
	assert_int_equal(ect_unwrap_user(&e->d, "work password", 13, NULL, &pp, &len, &res), 0);
	assert_int_equal(len, strlen("work passphrase"));
	assert_memory_equal(pp, "work passphrase", len);
	ect_secure_free_str(pp);
	pp = NULL;
	assert_int_equal(ect_unwrap_user(&e->d, "login", 5, NULL, &pp, &len, &res),
			 ECT_E_WRONG_PASSWORD);
	e->d.alias = NULL;
	assert_int_equal(ect_unwrap_user(&e->d, "login", 5, NULL, &pp, &len, &res), 0);
	assert_memory_equal(pp, "private passphrase", len);
	ect_secure_free_str(pp);
	pp = NULL;
	/* an alias without its own file has no password protector */
	e->d.alias = "Bank";
	assert_int_equal(ect_unwrap_user(&e->d, "login", 5, NULL, &pp, &len, &res), -ENOENT);
	e->d.alias = "../x";
	assert_int_equal(ect_unwrap_user(&e->d, "login", 5, NULL, &pp, &len, &res), -EINVAL);
}

/* Token records and "the last protector" are counted per alias. */
static void test_alias_token_files(void **state)
{
	static const uint8_t one_record[] = { 'E', 'C', 'T', 'K', 1, 1, 0, 1, 'X' };
	struct env *e = *state;
	struct ect_token_info info[ECT_TOKEN_MAX];
	size_t n = 0;

	put_wrapped(e, "wrapped-passphrase", "private passphrase", "login");
	put(e, "wrapped-passphrase.token", one_record, sizeof(one_record));
	put_wrapped(e, "Work.wrapped-passphrase", "work passphrase", "work password");
	e->d.alias = "Work";
	assert_int_equal(ect_token_list_user(&e->d, info, ECT_TOKEN_MAX, &n), 0);
	assert_int_equal(n, 0);
	/* Private's record does not protect Work */
	assert_int_equal(ect_token_remove_user(&e->d, ECT_TOKEN_PASSWORD), ECT_E_LAST_PROTECTOR);
	assert_true(exists(e, "Work.wrapped-passphrase"));
	assert_int_equal(ect_token_remove_user(&e->d, 0), -ENOENT);
	/* a damaged file of Work's is Work's error only */
	put_str(e, "Work.wrapped-passphrase.token", "junk");
	assert_int_not_equal(ect_token_list_user(&e->d, info, ECT_TOKEN_MAX, &n), 0);
	e->d.alias = NULL;
	assert_int_equal(ect_token_remove_user(&e->d, ECT_TOKEN_PASSWORD), 0);
	assert_false(exists(e, "wrapped-passphrase"));
	assert_true(exists(e, "Work.wrapped-passphrase"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_file_names),
		cmocka_unit_test_setup_teardown(test_list_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_aliases_cut_in_byte_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_auto_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_unwrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_token_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
