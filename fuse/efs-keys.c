// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-fuse keys: found in the caller's keyrings by signature, as the
 * kernel finds them (ecryptfs-add-passphrase and pam_ecryptfs put them
 * there). Read only after the daemon has forked, so that the locked pages
 * holding them belong to the process that serves the mount.
 */
#include "efs.h"

#include <errno.h>
#include <keyutils.h>
#include <string.h>

int efs_errno(int rc)
{
	if (rc >= 0)
		return 0;
	if (rc > -ECT_E_BASE)
		return rc;
	switch (rc) {
	case ECT_E_NAME_TOO_LONG:
		return -ENAMETOOLONG;
	case ECT_E_SECMEM:
		return -ENOMEM;
	case ECT_E_UNSUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* A key's presence, without reading it: the kernel's search order, then @u. */
static int key_present(const char *sig)
{
	if (request_key("user", sig, NULL, 0) >= 0)
		return 1;
	return keyctl_search(KEY_SPEC_USER_KEYRING, "user", sig, 0) >= 0;
}

int efs_keys_check(const struct ect_mount_opts *o, const char **missing)
{
	for (unsigned int i = 0; i < o->nsigs; i++) {
		if (!key_present(o->sigs[i])) {
			*missing = o->sigs[i];
			return -ENOKEY;
		}
	}
	if (o->fnek_sig[0] && !key_present(o->fnek_sig)) {
		*missing = o->fnek_sig;
		return -ENOKEY;
	}
	return 0;
}

int efs_keys_load(struct efs *e, const char **failed)
{
	const struct ect_mount_opts *o = &e->opts;
	size_t n = o->nsigs + 1;
	int rc;

	e->key_mem = ect_secure_alloc(n * ECT_KEY_SIZE);
	if (!e->key_mem)
		return ECT_E_SECMEM;
	for (unsigned int i = 0; i < o->nsigs; i++) {
		uint8_t *k = e->key_mem + i * ECT_KEY_SIZE;

		rc = ect_keyring_read_key(o->sigs[i], k);
		if (rc) {
			*failed = o->sigs[i];
			return rc;
		}
		memcpy(e->keys[i].sig, o->sigs[i], sizeof(e->keys[i].sig));
		e->keys[i].key = k;
	}
	e->nkeys = o->nsigs;
	if (o->fnek_sig[0]) {
		uint8_t *k = e->key_mem + o->nsigs * ECT_KEY_SIZE;

		rc = ect_keyring_read_key(o->fnek_sig, k);
		if (rc) {
			*failed = o->fnek_sig;
			return rc;
		}
		e->fnek = k;
	}
	/* New files: every FEKEK wraps the FEK, as the kernel's mount sigs do. */
	e->create.cipher = o->cipher[0] ? o->cipher : "aes";
	e->create.key_bytes = o->key_bytes;
	e->create.keys = e->keys;
	e->create.nkeys = e->nkeys;
	e->create.header_in_xattr = !!(o->flags & ECT_MOPT_XATTR_METADATA);
	e->create.filenames_encrypted = e->fnek != NULL;
	return 0;
}

void efs_keys_free(struct efs *e)
{
	if (e->key_mem)
		ect_secure_free(e->key_mem);
	e->key_mem = NULL;
	e->fnek = NULL;
	e->nkeys = 0;
}
