// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_unlock_user_keys and ect_rewrap_user against the real kernel keyring
 * in a throwaway keyring context (keyring_sandbox_run), with a home made in
 * /tmp by the sandboxed user. v3 files use the floor cost, so each case is
 * cheap. Needs root; skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <keyutils.h>
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

#include "keys-fixtures.h"

#define PASS "0123456789abcdef0123456789abcdef" /* a mount passphrase */
#define LOGIN "login password"
#define RC_SALT_HEX "a1b2c3d4e5f60718"

struct home {
	char root[64];
	int home_fd;
	int cfg_fd;
	struct ect_user_dirs dirs;
};

static int write_at(int dirfd, const char *name, const char *text)
{
	return ect_write_file_atomic_at(dirfd, name, text, strlen(text), 0600, (uid_t)-1, (gid_t)-1);
}

/* A home with ~/.ecryptfs and, when rc is not NULL, that ~/.ecryptfsrc. */
static int home_make(struct home *h, const char *rc)
{
	snprintf(h->root, sizeof(h->root), "/tmp/ect-unlock-XXXXXX");
	if (!mkdtemp(h->root))
		return -1;
	h->home_fd = open(h->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->home_fd < 0 || mkdirat(h->home_fd, ECT_CONFIG_DIR_NAME, 0700))
		return -1;
	if (rc && write_at(h->home_fd, ".ecryptfsrc", rc))
		return -1;
	if (ect_config_dir_open(h->root, geteuid(), &h->cfg_fd))
		return -1;
	h->dirs = (struct ect_user_dirs){ .config_fd = h->cfg_fd, .home_fd = h->home_fd,
					  .uid = geteuid(), .gid = getegid() };
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void home_drop(struct home *h)
{
	close(h->cfg_fd);
	close(h->home_fd);
	nftw(h->root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int write_wrap(struct home *h, enum ect_wrap_version v, const char *pw)
{
	struct ect_argon2_params p;
	uint8_t *blob = NULL;
	size_t size = 0;
	int ret;

	ect_argon2_params_floor(&p);
	ret = ect_wrap(v, PASS, strlen(PASS), pw, strlen(pw), &p, &blob, &size);
	if (!ret)
		ret = ect_write_file_atomic_at(h->cfg_fd, ECT_WRAPPED_PASSPHRASE_FILE, blob, size, 0600,
					       (uid_t)-1, (gid_t)-1);
	free(blob);
	return ret;
}

static int sig_of(const uint8_t *salt, char sig[ECT_SIG_HEX_SIZE + 1])
{
	uint8_t key[ECT_KEY_SIZE];
	int ret = ect_derive_key(PASS, strlen(PASS), salt, key);

	if (!ret)
		ret = ect_key_signature(key, sig);
	ect_wipe(key, sizeof(key));
	return ret;
}

/* The sigs setup-private wrote for PASS: FEKEK with fekek_salt, FNEK when fnek. */
static int sigs_for(const uint8_t *fekek_salt, bool fnek, struct ect_config_sigs *sigs)
{
	memset(sigs, 0, sizeof(*sigs));
	if (sig_of(fekek_salt, sigs->fekek))
		return -1;
	return fnek ? sig_of(ect_fnek_salt, sigs->fnek) : 0;
}

static enum ect_wrap_version file_version(struct home *h)
{
	struct ect_wrap_info info;
	uint8_t buf[ECT_WRAP_FILE_MAX];
	ssize_t n;
	int fd = openat(h->cfg_fd, ECT_WRAPPED_PASSPHRASE_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || ect_wrap_identify(buf, (size_t)n, &info))
		return 0;
	return info.version;
}

static bool exists_in(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void run(int (*body)(void *), unsigned int slot)
{
	int ret;

	if (geteuid() != 0) {
		print_message("[  SKIP    ] unlock tests need root (they use a throwaway uid)\n");
		skip();
	}
	ret = keyring_sandbox_run(body, NULL, slot);
	if (ret < 0)
		fail_msg("could not make a throwaway keyring context");
	assert_int_equal(ret, 0);
}

/* 111's setup-private with salt= in ~/.ecryptfsrc: the FEKEK uses that salt. */
static int body_rc_salt(void *arg)
{
	const struct ect_unlock_opts base = { 0 };
	struct ect_unlock_opts o = base;
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	uint8_t salt[ECT_SALT_SIZE];
	struct home h;

	(void)arg;
	KCHECK(home_make(&h, "cipher=aes\nsalt=" RC_SALT_HEX "\n") == 0);
	KCHECK(ect_salt_from_hex(RC_SALT_HEX, salt) == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(sigs_for(salt, true, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.salt_err == 0 && res.failed_at == ECT_UNLOCK_AT_NONE);
	KCHECK(res.info.version == ECT_WRAP_V2);
	KCHECK(!strcmp(res.fekek, sigs.fekek) && !strcmp(res.fnek, sigs.fnek));
	KCHECK(res.added == (ECT_UNLOCK_ADDED_FEKEK | ECT_UNLOCK_ADDED_FNEK));
	KCHECK(ect_keyring_find(sigs.fekek) > 0 && ect_keyring_find(sigs.fnek) > 0);
	/* Again: the keys are there already, so this call adds (and owns) none. */
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.added == 0);
	/* Without a home fd the default salt gives another FEKEK: a mismatch. */
	keyctl_clear(KEY_SPEC_USER_KEYRING);
	h.dirs.home_fd = -1;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == ECT_E_KEY_MISMATCH);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_MATCH && res.added == 0);
	KCHECK(strcmp(res.fekek, sigs.fekek) != 0);
	/* what it added for the comparison was taken back */
	KCHECK(ect_keyring_find(res.fekek) < 0 && ect_keyring_find(sigs.fnek) < 0);
	home_drop(&h);
	return 0;
}

/* A malformed salt line: the default salt, and the caller is told where. */
static int body_bad_rc(void *arg)
{
	struct ect_unlock_opts o = { 0 };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	KCHECK(home_make(&h, "salt = 0011\n") == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V3, LOGIN) == 0);
	KCHECK(sigs_for(ect_default_salt, false, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.salt_err == ECT_E_CONFIG && !strcmp(res.salt_where.file, ".ecryptfsrc"));
	KCHECK(res.added == ECT_UNLOCK_ADDED_FEKEK && res.fnek[0] == '\0');
	home_drop(&h);
	return 0;
}

static int body_wrong_password(void *arg)
{
	struct ect_unlock_opts o = { .flags = ECT_UNLOCK_UPGRADE | ECT_UNLOCK_CLEAR_STALE };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	KCHECK(home_make(&h, NULL) == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(write_at(h.cfg_fd, ECT_WRAPPED_STALE_FILE, "stale\n") == 0);
	KCHECK(sigs_for(ect_default_salt, true, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, "other", 5, &o, &res) == ECT_E_WRONG_PASSWORD);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_UNWRAP && res.added == 0 && res.upgrade == 0);
	KCHECK(ect_keyring_find(sigs.fekek) < 0 && ect_keyring_find(sigs.fnek) < 0);
	KCHECK(exists_in(h.cfg_fd, ECT_WRAPPED_STALE_FILE));
	KCHECK(file_version(&h) == ECT_WRAP_V2);
	home_drop(&h);
	return 0;
}

/* Reached by identity: a symlink under the name is refused, not followed. */
static int body_symlink(void *arg)
{
	struct ect_unlock_opts o = { 0 };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	KCHECK(home_make(&h, NULL) == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(renameat(h.cfg_fd, ECT_WRAPPED_PASSPHRASE_FILE, h.cfg_fd, "elsewhere") == 0);
	KCHECK(symlinkat("elsewhere", h.cfg_fd, ECT_WRAPPED_PASSPHRASE_FILE) == 0);
	KCHECK(sigs_for(ect_default_salt, false, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == ECT_E_UNSAFE_PATH);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_UNWRAP && ect_keyring_find(sigs.fekek) < 0);
	/* the refusal's reason reaches the caller, not only "unsafe path" */
	KCHECK(!strcmp(res.wrap_where.file, "elsewhere") && res.wrap_where.reason[0]);
	home_drop(&h);
	return 0;
}

/* v2 is upgraded to v3 after a good unlock, unless wrap-format-v2 or KEEP_V2 says no. */
static int body_upgrade(void *arg)
{
	struct ect_argon2_params floor;
	struct ect_unlock_opts o = { .params = &floor,
				     .flags = ECT_UNLOCK_UPGRADE | ECT_UNLOCK_CLEAR_STALE };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	ect_argon2_params_floor(&floor);
	KCHECK(home_make(&h, NULL) == 0);
	KCHECK(sigs_for(ect_default_salt, true, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(write_at(h.cfg_fd, ECT_WRAP_FORMAT_V2_FILE, "") == 0);
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.upgrade == 0 && file_version(&h) == ECT_WRAP_V2);
	KCHECK(unlinkat(h.cfg_fd, ECT_WRAP_FORMAT_V2_FILE, 0) == 0);
	o.flags |= ECT_UNLOCK_KEEP_V2;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.upgrade == 0 && file_version(&h) == ECT_WRAP_V2);
	o.flags &= ~ECT_UNLOCK_KEEP_V2;
	KCHECK(write_at(h.cfg_fd, ECT_WRAPPED_STALE_FILE, "stale\n") == 0);
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.upgrade == 1 && res.info.version == ECT_WRAP_V2 && res.stale_removed == 1);
	KCHECK(file_version(&h) == ECT_WRAP_V3 && !exists_in(h.cfg_fd, ECT_WRAPPED_STALE_FILE));
	/* the upgraded file still opens with the same password and gives the same keys */
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.info.version == ECT_WRAP_V3 && res.upgrade == 0);
	home_drop(&h);
	return 0;
}

static int body_rewrap(void *arg)
{
	struct ect_argon2_params floor;
	struct ect_unlock_opts o = { .params = &floor };
	struct ect_unlock_opts check = { 0 };
	struct ect_unlock_result ures;
	struct ect_rewrap_result res;
	struct ect_config_sigs sigs, other;
	uint8_t salt[ECT_SALT_SIZE];
	struct home h;

	(void)arg;
	ect_argon2_params_floor(&floor);
	KCHECK(home_make(&h, "salt=" RC_SALT_HEX "\n") == 0);
	KCHECK(ect_salt_from_hex(RC_SALT_HEX, salt) == 0);
	KCHECK(sigs_for(salt, true, &sigs) == 0);
	KCHECK(sigs_for(ect_default_salt, true, &other) == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(write_at(h.cfg_fd, ECT_WRAPPED_STALE_FILE, "stale\n") == 0);
	/* a check against other keys refuses and leaves the file as it was */
	o.sigs = &other;
	KCHECK(ect_rewrap_user(&h.dirs, LOGIN, strlen(LOGIN), "new", 3, &o, &res) ==
	       ECT_E_KEY_MISMATCH);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_MATCH && res.written == 0);
	KCHECK(file_version(&h) == ECT_WRAP_V2 && exists_in(h.cfg_fd, ECT_WRAPPED_STALE_FILE));
	/* checked against the user's own keys (rc salt) it goes to v3 */
	o.sigs = &sigs;
	KCHECK(ect_rewrap_user(&h.dirs, LOGIN, strlen(LOGIN), "new", 3, &o, &res) == 0);
	KCHECK(res.old.version == ECT_WRAP_V2 && res.written == ECT_WRAP_V3 && res.stale_removed);
	KCHECK(file_version(&h) == ECT_WRAP_V3);
	KCHECK(ect_rewrap_user(&h.dirs, LOGIN, strlen(LOGIN), "x", 1, &o, &res) ==
	       ECT_E_WRONG_PASSWORD);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_UNWRAP);
	/* wrap-format-v2 takes it back to v2 (111 can open it again) */
	KCHECK(write_at(h.cfg_fd, ECT_WRAP_FORMAT_V2_FILE, "") == 0);
	KCHECK(ect_rewrap_user(&h.dirs, "new", 3, "newer", 5, &o, &res) == 0);
	KCHECK(res.old.version == ECT_WRAP_V3 && res.written == ECT_WRAP_V2);
	KCHECK(file_version(&h) == ECT_WRAP_V2);
	check.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, "newer", 5, &check, &ures) == 0);
	home_drop(&h);
	return 0;
}

/* A v3 file above the caller's ceiling is refused before any derivation. */
static int body_ceiling(void *arg)
{
	struct ect_argon2_params ceiling;
	struct ect_unlock_opts o = { .ceiling = &ceiling };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	ect_argon2_params_floor(&ceiling);
	ceiling.m_cost_kib -= 1; /* just below the file's cost */
	KCHECK(home_make(&h, NULL) == 0);
	KCHECK(write_wrap(&h, ECT_WRAP_V3, LOGIN) == 0);
	KCHECK(sigs_for(ect_default_salt, false, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) ==
	       ECT_E_HOSTILE_PARAMS);
	KCHECK(res.failed_at == ECT_UNLOCK_AT_UNWRAP && res.info.version == ECT_WRAP_V3);
	home_drop(&h);
	return 0;
}

/*
 * An upgrade with no cost given calibrates (the real cost, once in this
 * suite), but never writes a file above the ceiling the next login reads it
 * with: PAM's kdf_max_* may sit below what calibration picks.
 */
static int body_upgrade_within_ceiling(void *arg)
{
	struct ect_argon2_params ceiling;
	struct ect_unlock_opts o = { .ceiling = &ceiling, .flags = ECT_UNLOCK_UPGRADE };
	struct ect_unlock_result res;
	struct ect_config_sigs sigs;
	struct home h;

	(void)arg;
	ect_argon2_params_floor(&ceiling);
	KCHECK(home_make(&h, NULL) == 0);
	KCHECK(sigs_for(ect_default_salt, false, &sigs) == 0);
	o.sigs = &sigs;
	KCHECK(write_wrap(&h, ECT_WRAP_V2, LOGIN) == 0);
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.upgrade == 1 && file_version(&h) == ECT_WRAP_V3);
	KCHECK(ect_unlock_user_keys(&h.dirs, LOGIN, strlen(LOGIN), &o, &res) == 0);
	KCHECK(res.info.version == ECT_WRAP_V3 && res.info.params.m_cost_kib <= ceiling.m_cost_kib &&
	       res.info.params.t_cost <= ceiling.t_cost);
	home_drop(&h);
	return 0;
}

/* 111's v1 fixture wp03 ('a' x 64 under 'z' x 64) opens only with its salt 5a175a175a175a17. */
#define WP03_SALT "5a175a175a175a17"

static int copy_wp03(struct home *h, const char *name)
{
	void *data = NULL;
	size_t size = 0;
	int ret = ect_read_file(ECT_FIXTURES_DEFAULT "/ecryptfs-utils-111-v1/wp03", 4096, 0, &data,
				&size);

	if (!ret)
		ret = ect_write_file_atomic_at(h->cfg_fd, name, data, size, 0600, (uid_t)-1,
					       (gid_t)-1);
	free(data);
	return ret;
}

static int fekek_of(const char *pp, const char *salt_hex, char sig[ECT_SIG_HEX_SIZE + 1])
{
	uint8_t salt[ECT_SALT_SIZE], key[ECT_KEY_SIZE];
	int ret = ect_salt_from_hex(salt_hex, salt);

	if (!ret)
		ret = ect_derive_key(pp, strlen(pp), salt, key);
	if (!ret)
		ret = ect_key_signature(key, sig);
	ect_wipe(key, sizeof(key));
	return ret;
}

/*
 * The variants the CLI uses: unwrap only (recover-private: nothing written,
 * even when asked to upgrade), a file by another name, no sigs
 * (insert-wrapped: both keys, nothing compared), and a rewrap from the mount
 * passphrase checked with the salt= FEKEK. Each needs the user's salt.
 */
static int body_variants(void *arg)
{
	struct ect_unlock_opts o = { .file = "wp03", .flags = ECT_UNLOCK_UPGRADE };
	struct ect_unlock_result res;
	struct ect_rewrap_result rres;
	struct ect_config_sigs sigs = { 0 };
	char a64[65], z64[65], *pp = NULL;
	size_t pp_len = 0;
	struct home h;

	(void)arg;
	memset(a64, 'a', 64);
	a64[64] = '\0';
	memset(z64, 'z', 64);
	z64[64] = '\0';
	KCHECK(home_make(&h, "salt=" WP03_SALT "\n") == 0);
	KCHECK(copy_wp03(&h, "wp03") == 0);
	KCHECK(write_at(h.cfg_fd, ECT_WRAPPED_STALE_FILE, "stale\n") == 0);
	KCHECK(ect_unwrap_user(&h.dirs, z64, 64, &o, &pp, &pp_len, &res) == 0);
	KCHECK(pp_len == 64 && !strcmp(pp, a64) && res.info.version == ECT_WRAP_V1);
	KCHECK(res.upgrade == 0 && res.failed_at == ECT_UNLOCK_AT_NONE);
	ect_secure_free_str(pp);
	/* insert-wrapped: no sigs, both keys, the FEKEK from salt= */
	o.flags = ECT_UNLOCK_CLEAR_STALE;
	KCHECK(ect_unlock_user_keys(&h.dirs, z64, 64, &o, &res) == 0);
	KCHECK(fekek_of(a64, WP03_SALT, sigs.fekek) == 0 && !strcmp(res.fekek, sigs.fekek));
	KCHECK(res.added == (ECT_UNLOCK_ADDED_FEKEK | ECT_UNLOCK_ADDED_FNEK));
	/* the stale marker is wrapped-passphrase's, not wp03's */
	KCHECK(res.stale_removed == 0 && exists_in(h.cfg_fd, ECT_WRAPPED_STALE_FILE));
	/* the wp03 file was not upgraded by either call */
	KCHECK(ect_unwrap_user(&h.dirs, z64, 64, &o, &pp, &pp_len, &res) == 0);
	KCHECK(res.info.version == ECT_WRAP_V1);
	ect_secure_free_str(pp);
	/* from the mount passphrase into wrapped-passphrase, checked by the salt= FEKEK */
	o = (struct ect_unlock_opts){ .sigs = &sigs, .flags = ECT_UNLOCK_OLD_IS_PASSPHRASE };
	KCHECK(ect_rewrap_user(&h.dirs, a64, 64, "new", 3, &o, &rres) == 0);
	KCHECK(rres.written == ECT_WRAP_V3 && rres.stale_removed == 1);
	o = (struct ect_unlock_opts){ .sigs = &sigs };
	KCHECK(ect_unlock_user_keys(&h.dirs, "new", 3, &o, &res) == 0);
	/* without the home (the default salt) none of it works */
	h.dirs.home_fd = -1;
	o = (struct ect_unlock_opts){ .file = "wp03" };
	KCHECK(ect_unwrap_user(&h.dirs, z64, 64, &o, &pp, &pp_len, &res) == ECT_E_WRONG_PASSWORD);
	KCHECK(pp == NULL && res.failed_at == ECT_UNLOCK_AT_UNWRAP);
	o = (struct ect_unlock_opts){ .sigs = &sigs, .flags = ECT_UNLOCK_OLD_IS_PASSPHRASE };
	KCHECK(ect_rewrap_user(&h.dirs, a64, 64, "x", 1, &o, &rres) == ECT_E_KEY_MISMATCH);
	KCHECK(rres.failed_at == ECT_UNLOCK_AT_MATCH && rres.written == 0);
	/* a file name is a plain name */
	o.file = "../wp03";
	KCHECK(ect_unwrap_user(&h.dirs, z64, 64, &o, &pp, &pp_len, &res) == -EINVAL);
	home_drop(&h);
	return 0;
}

/* One cmocka test per body, each in its own throwaway keyring context. */
#define SANDBOXED(name, slot)                 \
	static void test_##name(void **state) \
	{                                     \
		(void)state;                  \
		run(body_##name, slot);       \
	}
SANDBOXED(rc_salt, 0)
SANDBOXED(bad_rc, 1)
SANDBOXED(wrong_password, 2)
SANDBOXED(symlink, 3)
SANDBOXED(upgrade, 4)
SANDBOXED(rewrap, 5)
SANDBOXED(ceiling, 6)
SANDBOXED(upgrade_within_ceiling, 7)
SANDBOXED(variants, 8)

static void test_bad_args(void **state)
{
	struct ect_user_dirs d = { .config_fd = -1, .home_fd = -1 };
	struct ect_unlock_result res;
	struct ect_rewrap_result rres;

	(void)state;
	assert_int_equal(ect_unlock_user_keys(&d, "x", 1, NULL, &res), -EINVAL);
	assert_int_equal(ect_rewrap_user(&d, "x", 1, "y", 1, NULL, &rres), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rc_salt),	 cmocka_unit_test(test_bad_rc),
		cmocka_unit_test(test_wrong_password), cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_upgrade),	 cmocka_unit_test(test_rewrap),
		cmocka_unit_test(test_ceiling),	 cmocka_unit_test(test_upgrade_within_ceiling),
		cmocka_unit_test(test_variants), cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
