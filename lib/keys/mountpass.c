// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A new mount passphrase, shaped like ecryptfs-setup-private's: 16 bytes
 * from the strong random source as 32 lowercase hex characters. It is
 * hashed as an ASCII passphrase later, never used as raw key bytes, so
 * recovery instructions ("32 characters of [0-9a-f]") stay true.
 */
#include "ect-internal.h"


#define ECT_MOUNT_PASSPHRASE_BYTES 16

int ect_mount_passphrase_generate(char **passphrase)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *raw = NULL;
	char *out = NULL;
	int ret;

	*passphrase = NULL;
	ret = ect__crypto_init();
	if (ret)
		return ret;
	raw = ect_secure_alloc(ECT_MOUNT_PASSPHRASE_BYTES);
	out = ect_secure_alloc(2 * ECT_MOUNT_PASSPHRASE_BYTES + 1);
	if (!raw || !out) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	/* /dev/random's role in setup-private 111: the strongest level there is. */
	ret = ect__random(raw, ECT_MOUNT_PASSPHRASE_BYTES, ECT__RANDOM_VERY_STRONG);
	if (ret)
		goto out;
	for (size_t i = 0; i < ECT_MOUNT_PASSPHRASE_BYTES; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	out[2 * ECT_MOUNT_PASSPHRASE_BYTES] = '\0';
	*passphrase = out;
	out = NULL;
	ret = 0;
out:
	ect_secure_free(raw);
	ect_secure_free(out);
	return ret;
}
