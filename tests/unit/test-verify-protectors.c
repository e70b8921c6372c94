// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the verify module, part 3: the protectors of the mount
 * passphrase (issue 16). verify-private lists the password (wrapped
 * passphrase and its version) and each token record (URI, token, key,
 * policy) and warns about insecure ones: a record file others can read or
 * write, a symlink, a corrupt file, a module that is not root's, a missing
 * module, a weak Argon2id cost. The records are written byte by byte as
 * ecryptfs-wrapped-passphrase(5) lays them out: parsing needs no token.
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

#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "verify-fixtures.h"

/* a root-owned regular file below root-owned directories: a safe "module" */
#define SAFE_MODULE "/usr/bin/env"
#define TOKEN_FILE ".ecryptfs/" ECT_TOKEN_FILE

struct rec {
	uint8_t b[2048];
	size_t n;
};

static void add(struct rec *r, const void *p, size_t n)
{
	assert_true(r->n + n <= sizeof(r->b));
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void add8(struct rec *r, unsigned int v)
{
	uint8_t b = (uint8_t)v;

	add(r, &b, 1);
}

static void add16(struct rec *r, size_t v)
{
	add8(r, (unsigned int)(v >> 8));
	add8(r, (unsigned int)v);
}

static void add32(struct rec *r, uint32_t v)
{
	add16(r, v >> 16);
	add16(r, v & 0xffff);
}

static void fill(struct rec *r, unsigned int byte, size_t n)
{
	uint8_t b[512];

	memset(b, (int)byte, n);
	add(r, b, n);
}

/* One record: policy, module, key id 01, a fake wrapped secret and AEAD. */
static void make_record(struct rec *r, enum ect_token_policy policy, const char *module,
			uint32_t t, uint32_t m_kib)
{
	char uri[512];

	snprintf(uri, sizeof(uri), "pkcs11:token=ect-t;id=%%01?module-path=%s", module);
	r->n = 0;
	add8(r, 1);
	add8(r, policy);
	add8(r, ECT_TOKEN_RSA_OAEP_SHA1);
	add16(r, strlen(uri));
	add(r, uri, strlen(uri));
	add8(r, 1);
	add8(r, 1);
	add16(r, 256);
	fill(r, 0x33, 256);
	if (policy == ECT_TOKEN_AND_PASSWORD) {
		add8(r, 1);
		add32(r, t);
		add32(r, m_kib);
		add32(r, 1);
		add8(r, 16);
		fill(r, 0x44, 16);
	}
	add8(r, 1);
	fill(r, 0x55, 12);
	fill(r, 0x66, 1 + ECT_PASSPHRASE_MAX + 16);
}

/* The list file rel: "ECTK" 1 count, then (len, record) each. */
static void put_records_at(struct home *h, const char *rel, const struct rec *recs,
			   size_t count, mode_t mode)
{
	struct rec file = { .n = 0 };

	add(&file, "ECTK", 4);
	add8(&file, 1);
	add8(&file, (unsigned int)count);
	for (size_t i = 0; i < count; i++) {
		add16(&file, recs[i].n);
		add(&file, recs[i].b, recs[i].n);
	}
	put(h, rel, file.b, file.n, mode);
}

static void put_records(struct home *h, const struct rec *recs, size_t count, mode_t mode)
{
	put_records_at(h, TOKEN_FILE, recs, count, mode);
}

static void put_one(struct home *h, enum ect_token_policy policy, const char *module,
		    mode_t mode)
{
	struct rec r;

	make_record(&r, policy, module, 3, 65536);
	put_records(h, &r, 1, mode);
}

/* A finding of check with sev whose message holds every string given. */
static const struct ect_finding *find_msg(const struct ect_report *rep, const char *check,
					  enum ect_severity sev, const char *a, const char *b)
{
	for (size_t i = 0; i < rep->count; i++) {
		const struct ect_finding *f = &rep->items[i];

		if (!strcmp(f->check, check) && f->severity == sev && strstr(f->message, a) &&
		    (!b || strstr(f->message, b)))
			return f;
	}
	dump(rep);
	return NULL;
}

static void test_password_only(void **state)
{
	struct home *h = *state;

	run(h);
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO, "password (v2)", NULL));
	assert_null(find(&h->r, "token-protector", ECT_SEV_INFO));
}

static void test_token_or_password(void **state)
{
	struct home *h = *state;
	struct rec r[2];

	make_record(&r[0], ECT_TOKEN_ALONE, SAFE_MODULE, 0, 0);
	make_record(&r[1], ECT_TOKEN_AND_PASSWORD, SAFE_MODULE, 3, 65536);
	put_records(h, r, 2, 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO, "password (v2)",
				 "token record 0 (token OR password)"));
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO,
				 "token record 1 (token AND password)", NULL));
	assert_non_null(find_msg(&h->r, "token-protector", ECT_SEV_INFO, "token ect-t",
				 "pkcs11:token=ect-t;id=%01?module-path=" SAFE_MODULE));
	assert_null(find(&h->r, "token-protector", ECT_SEV_WARN));
	assert_null(find(&h->r, "token-records", ECT_SEV_WARN));
	assert_null(find(&h->r, "token-records", ECT_SEV_FAIL));
}

/* Token alone: no wrapped-passphrase is the policy, not a fault. */
static void test_token_alone(void **state)
{
	struct home *h = *state;

	assert_int_equal(unlink(at(h, ".ecryptfs/wrapped-passphrase")), 0);
	put_one(h, ECT_TOKEN_ALONE, SAFE_MODULE, 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO,
				 "token record 0 (token alone)", NULL));
	assert_null(find(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_WARN));
}

static void test_records_readable(void **state)
{
	struct home *h = *state;

	put_one(h, ECT_TOKEN_ALONE, SAFE_MODULE, 0644);
	run(h);
	assert_non_null(find_msg(&h->r, "token-records", ECT_SEV_WARN, "readable by other", NULL));
	put_one(h, ECT_TOKEN_ALONE, SAFE_MODULE, 0666);
	run(h);
	assert_non_null(find_msg(&h->r, "token-records", ECT_SEV_FAIL, "writable by other", NULL));
}

static void test_records_symlink(void **state)
{
	struct home *h = *state;
	char target[PATH_MAX];

	snprintf(target, sizeof(target), "%s/elsewhere", h->root);
	put_one(h, ECT_TOKEN_ALONE, SAFE_MODULE, 0600);
	assert_int_equal(rename(at(h, TOKEN_FILE), target), 0);
	assert_int_equal(symlink(target, at(h, TOKEN_FILE)), 0);
	run(h);
	assert_non_null(find_msg(&h->r, "token-records", ECT_SEV_FAIL, "symbolic link", NULL));
}

static void test_records_corrupt(void **state)
{
	struct home *h = *state;

	put_str(h, TOKEN_FILE, "ECTX not a record list");
	assert_int_equal(chmod(at(h, TOKEN_FILE), 0600), 0);
	run(h);
	assert_non_null(find_msg(&h->r, "token-records", ECT_SEV_FAIL, ECT_TOKEN_FILE, NULL));
}

static void test_module_unsafe(void **state)
{
	struct home *h = *state;
	char module[PATH_MAX];

	/* under /tmp: a directory others can write */
	snprintf(module, sizeof(module), "%s/p11.so", h->root);
	put_str(h, "../p11.so", "not a module");
	put_one(h, ECT_TOKEN_ALONE, module, 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "token-protector", ECT_SEV_WARN, module, "root"));
}

static void test_module_missing(void **state)
{
	struct home *h = *state;

	put_one(h, ECT_TOKEN_ALONE, "/nonexistent/ect/p11.so", 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "token-protector", ECT_SEV_WARN, "/nonexistent/ect/p11.so",
				 "not installed"));
}

static void test_and_weak_cost(void **state)
{
	struct home *h = *state;
	struct rec r;

	make_record(&r, ECT_TOKEN_AND_PASSWORD, SAFE_MODULE, 1, 8);
	put_records(h, &r, 1, 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "token-protector", ECT_SEV_WARN, "Argon2id", NULL));
}

/*
 * Issue 16: wrapped-passphrase as a symlink to removable media is judged by
 * the policy login uses: declared is fine, undeclared fails, a declared one
 * whose medium is absent warns.
 */
static void media_link(struct home *h, int declare, int present)
{
	char dir[PATH_MAX], target[PATH_MAX], policy[PATH_MAX];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/etc", h->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(policy, sizeof(policy), "%s/locations", dir);
	assert_non_null(f = fopen(policy, "w"));
	fprintf(f, "# removable media\n%s/media/%%U/*\n", declare ? h->root : "/nowhere");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(policy, 0644), 0);
	h->o.wrapped_locations = strdup(policy);
	snprintf(dir, sizeof(dir), "%s/media", h->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/media/%u", h->root, (unsigned int)getuid());
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/media/%u/stick", h->root, (unsigned int)getuid());
	if (present)
		assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(target, sizeof(target), "%s/wrapped-passphrase", dir);
	if (present)
		assert_int_equal(rename(at(h, ".ecryptfs/wrapped-passphrase"), target), 0);
	else
		assert_int_equal(unlink(at(h, ".ecryptfs/wrapped-passphrase")), 0);
	assert_int_equal(symlink(target, at(h, ".ecryptfs/wrapped-passphrase")), 0);
}

static void test_media_declared(void **state)
{
	struct home *h = *state;

	media_link(h, 1, 1);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_INFO,
				 "/stick/wrapped-passphrase", "locations:2"));
	assert_null(find(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_FAIL));
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO, "password (v2)", NULL));
	free((void *)h->o.wrapped_locations);
}

static void test_media_undeclared(void **state)
{
	struct home *h = *state;

	media_link(h, 0, 1);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_FAIL,
				 "symbolic link", "lists no place"));
	free((void *)h->o.wrapped_locations);
}

static void test_media_absent(void **state)
{
	struct home *h = *state;

	media_link(h, 1, 0);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_WARN, "not present",
				 "login will fail until the medium is present"));
	assert_null(find(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_FAIL));
	free((void *)h->o.wrapped_locations);
}

/*
 * Issue 16: every alias NAME besides Private (NAME.conf, NAME.sig, its own
 * NAME.wrapped-passphrase and NAME.wrapped-passphrase.token, the flag
 * NAME.auto-mount) gets one info line and the checks Private's key files get.
 */
static void put_alias(struct home *h, const char *name, int at_login)
{
	char rel[128], text[2 * PATH_MAX];

	snprintf(rel, sizeof(rel), ".ecryptfs/%s.conf", name);
	snprintf(text, sizeof(text), "# %s\n%s/%s-lower %s/%s ecryptfs none 0 0\n", name,
		 h->root, name, h->root, name);
	put_str(h, rel, text);
	snprintf(rel, sizeof(rel), ".ecryptfs/%s.sig", name);
	put_str(h, rel, OTHER_SIG "\n");
	snprintf(rel, sizeof(rel), ".ecryptfs/%s.auto-mount", name);
	if (at_login)
		put_str(h, rel, "");
}

static void test_alias_password(void **state)
{
	struct home *h = *state;
	char want[PATH_MAX];

	put_alias(h, "Work", 1);
	put_wrapped_v2_at(h, ".ecryptfs/Work.wrapped-passphrase", 0600);
	run(h);
	snprintf(want, sizeof(want), "mount point %s/Work, lower directory %s/Work-lower", h->root,
		 h->root);
	assert_non_null(find_msg(&h->r, "alias", ECT_SEV_INFO, "alias Work: ", want));
	assert_non_null(find_msg(&h->r, "alias", ECT_SEV_INFO, "alias Work: ",
				 "PAM mounts it at login (Work.auto-mount)"));
	assert_non_null(find_msg(&h->r, "alias", ECT_SEV_INFO, "alias Work: ",
				 "protectors: password (v2)"));
	/* its wrapped passphrase is judged as Private's: v2 warns */
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_WARN,
				 "Work.wrapped-passphrase is version 2", NULL));
	assert_non_null(find_msg(&h->r, "private-sig", ECT_SEV_OK, "Work.sig", OTHER_SIG));
	/* Private's own line still lists Private's protectors alone */
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_INFO,
				 "mount passphrase: password (v2)", NULL));
	assert_null(find(&h->r, "protectors", ECT_SEV_WARN));
}

static void test_alias_token(void **state)
{
	struct home *h = *state;
	struct rec r;

	put_alias(h, "Bank", 0);
	make_record(&r, ECT_TOKEN_ALONE, SAFE_MODULE, 0, 0);
	put_records_at(h, ".ecryptfs/Bank.wrapped-passphrase.token", &r, 1, 0600);
	run(h);
	assert_non_null(find_msg(&h->r, "alias", ECT_SEV_INFO, "alias Bank: ",
				 "PAM does not mount it (no Bank.auto-mount)"));
	assert_non_null(find_msg(&h->r, "alias", ECT_SEV_INFO, "alias Bank: ",
				 "protectors: token record 0 (token alone)"));
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_INFO,
				 "Bank.wrapped-passphrase is absent", "token records"));
	assert_non_null(find_msg(&h->r, "token-protector", ECT_SEV_INFO,
				 "Bank.wrapped-passphrase.token record 0", "token ect-t"));
	assert_null(find(&h->r, "protectors", ECT_SEV_WARN));
	/* Private has no token records: its line is untouched by Bank's */
	assert_null(find_msg(&h->r, "protectors", ECT_SEV_INFO, "token record", NULL));
	put_str(h, ".ecryptfs/Bank.wrapped-passphrase.token", "ECTX not a record list");
	run(h);
	assert_non_null(find_msg(&h->r, "token-records", ECT_SEV_FAIL,
				 "Bank.wrapped-passphrase.token", NULL));
}

static void test_alias_unsafe_files(void **state)
{
	struct home *h = *state;
	char target[PATH_MAX];

	put_alias(h, "Work", 0);
	put_wrapped_v2_at(h, ".ecryptfs/Work.wrapped-passphrase", 0640);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_WARN,
				 "Work.wrapped-passphrase is readable by other", NULL));
	put_wrapped_v2_at(h, ".ecryptfs/Work.wrapped-passphrase", 0660);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_FAIL,
				 "Work.wrapped-passphrase is writable by other", NULL));
	/* a symbolic link no policy declares: refused as login refuses it */
	snprintf(target, sizeof(target), "%s/elsewhere", h->root);
	assert_int_equal(rename(at(h, ".ecryptfs/Work.wrapped-passphrase"), target), 0);
	assert_int_equal(symlink(target, at(h, ".ecryptfs/Work.wrapped-passphrase")), 0);
	run(h);
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_FAIL,
				 "Work.wrapped-passphrase is a symbolic link", NULL));
}

static void test_alias_no_protector(void **state)
{
	struct home *h = *state;

	put_alias(h, "Work", 0);
	run(h);
	assert_non_null(find_msg(&h->r, "protectors", ECT_SEV_WARN, "alias Work",
				 "no protector"));
	assert_non_null(find_msg(&h->r, ECT_WRAPPED_PASSPHRASE_FILE, ECT_SEV_WARN,
				 "Work.wrapped-passphrase is missing", NULL));
}

static void test_alias_sig(void **state)
{
	struct home *h = *state;

	put_alias(h, "Work", 0);
	put_wrapped_v2_at(h, ".ecryptfs/Work.wrapped-passphrase", 0600);
	put_str(h, ".ecryptfs/Work.sig", "not a signature\n");
	run(h);
	assert_non_null(find_msg(&h->r, "private-sig", ECT_SEV_FAIL, "Work.sig", NULL));
	assert_int_equal(unlink(at(h, ".ecryptfs/Work.sig")), 0);
	run(h);
	assert_non_null(find_msg(&h->r, "private-sig", ECT_SEV_FAIL, "Work.sig", NULL));
}

#define HOME_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown_home)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HOME_TEST(test_password_only),	   HOME_TEST(test_token_or_password),
		HOME_TEST(test_token_alone),	   HOME_TEST(test_records_readable),
		HOME_TEST(test_records_symlink),   HOME_TEST(test_records_corrupt),
		HOME_TEST(test_module_unsafe),	   HOME_TEST(test_module_missing),
		HOME_TEST(test_and_weak_cost),	   HOME_TEST(test_media_declared),
		HOME_TEST(test_media_undeclared),  HOME_TEST(test_media_absent),
		HOME_TEST(test_alias_password),	   HOME_TEST(test_alias_token),
		HOME_TEST(test_alias_unsafe_files), HOME_TEST(test_alias_no_protector),
		HOME_TEST(test_alias_sig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
