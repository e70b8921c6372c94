// SPDX-License-Identifier: GPL-2.0-or-later
/* One error space: negative errno or ECT_E_*, each with one line of text. */
#include "ect-internal.h"

#include <errno.h>
#include <string.h>

static const char *const ect_error_text[] = {
	[1] = "wrong password or passphrase",
	[2] = "malformed or corrupt data",
	[3] = "data is truncated",
	[4] = "unsupported format version",
	[5] = "passphrase must be 1 to 64 bytes",
	[6] = "key-derivation cost is below the accepted minimum (file may have been tampered with)",
	[7] = "key-derivation cost is above the accepted maximum (refusing a hostile file)",
	[8] = "malformed configuration",
	[9] = "cryptographic library failure",
	[10] = "not an eCryptfs file",
	[11] = "the kernel has no eCryptfs support (try: modprobe ecryptfs)",
	[12] = "unsafe path: wrong owner, type or a symbolic link",
	[13] = "mount option not allowed",
	[14] = "cipher or feature not supported",
	[15] = "out of locked memory for secrets",
	[16] = "key signature must be exactly 16 hexadecimal characters",
	[17] = "name is too long to encrypt",
	[18] = "the passphrase gives other keys than the signature file names",
	[19] = "no token matching the PKCS#11 URI is present",
	[20] = "wrong PIN for the token",
	[21] = "the token's PIN is locked (too many wrong PINs)",
	[22] = "the token has no RSA or EC P-256/P-384 key with this id or label",
	[23] = "malformed PKCS#11 URI (needs module-path=, the token and id= or object=)",
	[24] = "refusing to remove the last protector of the mount passphrase",
	[25] = "the removable medium that holds the wrapped passphrase is not present",
	[26] = "the file system ignores file modes: others could read the file (mount a FAT medium "
	       "with dmask=0077)",
};

ECT_STATIC_ASSERT(ECT_ARRAY_SIZE(ect_error_text) == (size_t)(-ECT_E_LAST - ECT_E_BASE),
		  "every ECT_E_ code has a message");

/* Friendlier wording for the errnos that keyring and mount calls return. */
static const char *errno_text(int e)
{
	switch (e) {
	case ENOKEY:
		return "required key not in the keyring";
	case EKEYREVOKED:
		return "keyring or key has been revoked";
	case EKEYEXPIRED:
		return "key has expired";
	case EDQUOT:
		return "keyring quota exceeded (too many keys)";
	case ENODEV:
		return "no such filesystem type (is the ecryptfs module loaded?)";
	default:
		break;
	}
	const char *s = strerrordesc_np(e);

	return s ? s : "unknown error";
}

const char *ect_strerror(int err)
{
	if (err >= 0)
		return "success";
	if (err <= -ECT_E_BASE) {
		int idx = -err - ECT_E_BASE;

		if (idx > 0 && (size_t)idx < ECT_ARRAY_SIZE(ect_error_text) && ect_error_text[idx])
			return ect_error_text[idx];
		return "unknown ecryptfs-tools error";
	}
	return errno_text(-err);
}
