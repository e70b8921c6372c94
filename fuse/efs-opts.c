// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse options: the kernel's eCryptfs options (so that an fstab
 * line only changes its type) sorted from FUSE's, and checked.
 */
#include "efs-opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Option name without "=value". */
static int name_is(const char *opt, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(opt, name, n) && (opt[n] == '\0' || opt[n] == '=');
}

enum efs_opt_class efs_opt_classify(const char *opt)
{
	static const char *const kernel_aliases[] = { "sig", "cipher", "key_bytes" };
	static const char *const helper_only[] = {
		"key", "passphrase_passwd", "passphrase_passwd_file", "passphrase_passwd_fd",
		"passphrase_salt", "no_sig_cache", "verbosity", "verbose",
		"ecryptfs_enable_filename_crypto",
	};

	for (size_t i = 0; i < sizeof(helper_only) / sizeof(helper_only[0]); i++)
		if (name_is(opt, helper_only[i]))
			return EFS_OPT_REFUSED;
	if (!strncmp(opt, "ecryptfs_", 9))
		return EFS_OPT_ECRYPTFS;
	for (size_t i = 0; i < sizeof(kernel_aliases) / sizeof(kernel_aliases[0]); i++)
		if (name_is(opt, kernel_aliases[i]))
			return EFS_OPT_ECRYPTFS;
	return EFS_OPT_FUSE;
}

int efs_opts_append(char **list, const char *opt)
{
	size_t old = *list ? strlen(*list) : 0, add = strlen(opt);
	char *p = realloc(*list, old + add + 2);

	if (!p)
		return -ENOMEM;
	if (old)
		p[old++] = ',';
	memcpy(p + old, opt, add + 1);
	*list = p;
	return 0;
}

int efs_opts_validate(const struct ect_mount_opts *o, char *why, size_t size)
{
	struct ect_cipher_info ci;
	const char *cipher = o->cipher[0] ? o->cipher : "aes";
	int rc;

	if (!o->nsigs) {
		snprintf(why, size, "ecryptfs_sig= is required (the signature of the file key)");
		return -EINVAL;
	}
	if (o->flags & ECT_MOPT_ENCRYPTED_VIEW) {
		snprintf(why, size, "ecryptfs_encrypted_view is not supported by ecryptfs-fuse");
		return -EINVAL;
	}
	rc = ect_cipher_lookup(cipher, o->key_bytes, &ci);
	if (rc || !ci.supported) {
		snprintf(why, size, "cipher %s with %u key bytes is not supported", cipher,
			 o->key_bytes);
		return -EINVAL;
	}
	if (o->fnek_sig[0]) {
		const char *fn = o->fn_cipher[0] ? o->fn_cipher : cipher;
		unsigned int kb = o->fn_key_bytes ? o->fn_key_bytes : o->key_bytes;

		rc = ect_cipher_lookup(fn, kb, &ci);
		if (rc || !ci.supported) {
			snprintf(why, size, "file name cipher %s with %u key bytes is not supported",
				 fn, kb);
			return -EINVAL;
		}
	} else if (o->fn_cipher[0] || o->fn_key_bytes) {
		snprintf(why, size, "ecryptfs_fn_cipher needs ecryptfs_fnek_sig");
		return -EINVAL;
	}
	return 0;
}
