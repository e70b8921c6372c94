// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse option handling (fuse/efs-opts.c, no libfuse needed): the
 * kernel's eCryptfs options are ours, the mount helper's key options are
 * refused, everything else goes to FUSE; a parsed set is checked for what
 * ecryptfs-fuse can serve. Also the auth token reader behind its keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecryptfs-tools.h"
#include "efs-opts.h"

static void test_classify(void **state)
{
	static const char *const ours[] = {
		"ecryptfs_sig=0123456789abcdef", "ecryptfs_fnek_sig=0123456789abcdef",
		"ecryptfs_cipher=aes", "ecryptfs_key_bytes=16", "ecryptfs_passthrough",
		"ecryptfs_xattr_metadata", "ecryptfs_unlink_sigs", "sig=0123456789abcdef",
		"cipher=aes", "key_bytes=32",
	};
	static const char *const refused[] = {
		"key=passphrase:passphrase_passwd=x", "key", "passphrase_passwd=secret",
		"passphrase_passwd_file=/f", "passphrase_passwd_fd=3", "no_sig_cache",
		"verbosity=1", "ecryptfs_enable_filename_crypto=y",
	};
	static const char *const fuses[] = {
		"ro", "rw", "allow_other", "default_permissions", "fsname=x", "signature",
		"keyboard", "ciphers", "max_read=4096",
	};

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		assert_int_equal(efs_opt_classify(ours[i]), EFS_OPT_ECRYPTFS);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(efs_opt_classify(refused[i]), EFS_OPT_REFUSED);
	for (size_t i = 0; i < sizeof(fuses) / sizeof(fuses[0]); i++)
		assert_int_equal(efs_opt_classify(fuses[i]), EFS_OPT_FUSE);
}

static void test_append(void **state)
{
	char *list = NULL;

	assert_int_equal(efs_opts_append(&list, "ecryptfs_sig=0123456789abcdef"), 0);
	assert_int_equal(efs_opts_append(&list, "ecryptfs_passthrough"), 0);
	assert_string_equal(list, "ecryptfs_sig=0123456789abcdef,ecryptfs_passthrough");
	free(list);
}

/* Parse list and validate it; why gets the message. */
static int check(const char *list, char *why, size_t size)
{
	struct ect_mount_opts o;
	char bad[64];
	int rc;

	ect_mount_opts_init(&o);
	why[0] = '\0';
	rc = ect_mount_opts_parse(&o, list, bad, sizeof(bad));
	if (!rc)
		rc = efs_opts_validate(&o, why, size);
	ect_mount_opts_clear(&o);
	return rc;
}

static void test_validate(void **state)
{
	char why[160];

	assert_int_equal(check("ecryptfs_sig=0123456789abcdef,ecryptfs_fnek_sig=fedcba9876543210,"
			       "ecryptfs_cipher=aes,ecryptfs_key_bytes=16", why, sizeof(why)), 0);
	assert_int_equal(check("ecryptfs_sig=0123456789abcdef,ecryptfs_cipher=aes,"
			       "ecryptfs_key_bytes=32,ecryptfs_xattr_metadata,ecryptfs_passthrough",
			       why, sizeof(why)), 0);
	assert_int_equal(check("ecryptfs_cipher=aes", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "ecryptfs_sig"));
	assert_int_equal(check("ecryptfs_sig=0123456789abcdef,ecryptfs_encrypted_view", why,
			       sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "encrypted_view"));
	assert_int_equal(check("ecryptfs_sig=0123456789abcdef,ecryptfs_cipher=aes,"
			       "ecryptfs_key_bytes=20", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "aes"));
	assert_int_equal(check("ecryptfs_sig=0123456789abcdef,ecryptfs_fn_cipher=aes", why,
			       sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "fnek_sig"));
}

static void test_auth_tok_key(void **state)
{
	uint8_t key[ECT_KEY_SIZE], back[ECT_KEY_SIZE], tok[ECT_AUTH_TOK_SIZE];
	const char *sig = "0123456789abcdef";

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i + 1);
	assert_int_equal(ect_auth_tok_build(key, sig, ect_default_salt, tok), 0);
	assert_int_equal(ect_auth_tok_key(tok, sizeof(tok), sig, back), 0);
	assert_memory_equal(key, back, sizeof(key));
	assert_int_equal(ect_auth_tok_key(tok, sizeof(tok), NULL, back), 0);
	assert_int_equal(ect_auth_tok_key(tok, sizeof(tok), "fedcba9876543210", back),
			 ECT_E_KEY_MISMATCH);
	assert_int_equal(ect_auth_tok_key(tok, sizeof(tok) - 1, sig, back), ECT_E_FORMAT);
	tok[2] = 1; /* token type: private key */
	assert_int_equal(ect_auth_tok_key(tok, sizeof(tok), sig, back), ECT_E_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_auth_tok_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
