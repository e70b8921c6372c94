// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-stat: header details of lower files. The first six lines are
 * ecryptfs-utils 111's, byte for byte; more detail follows them.
 */
#include "cmd-recover.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void print_key(unsigned int i, const struct ect_stat_key *k)
{
	struct ect_cipher_info ci;

	if (k->tag == 1) {
		printf("Key %u: public key (tag 1), key id [%s], %u encrypted bytes\n", i + 1,
		       k->sig, k->efek_len);
		return;
	}
	printf("Key %u: passphrase (tag 3), signature [%s], ", i + 1, k->sig);
	if (ect_cipher_by_code(k->cipher_code, 0, &ci) == 0 ||
	    ect_cipher_by_code(k->cipher_code, k->efek_len, &ci) == 0)
		printf("cipher [%s] ", ci.name);
	else
		printf("cipher code [0x%02x] (unknown) ", k->cipher_code);
	printf("encrypted key bytes [%u], salt label [", k->efek_len);
	for (int j = 0; j < ECT_SALT_SIZE; j++)
		printf("%02x", k->salt[j]);
	printf("]\n");
}

static void print_info(const struct ect_stat_info *info)
{
	/* ecryptfs-utils 111 (libecryptfs ecryptfs_parse_stat) */
	printf("File version: [%u]\n", info->version);
	printf("Decrypted file size: [%" PRIu64 "]\n", info->plaintext_size);
	printf("Number of header bytes at front of file: [%" PRIu64 "]\n", info->metadata_size);
	printf("Metadata in the %s region\n",
	       info->flags & ECT_HDR_FLAG_METADATA_IN_XATTR ? "extended attribute" : "header");
	printf("%s\n", info->flags & ECT_HDR_FLAG_ENCRYPTED ? "Encrypted" : "Plaintext");
	printf("HMAC %s\n", info->flags & ECT_HDR_FLAG_HMAC ? "enabled" : "disabled");
	/* more detail */
	printf("Header read from: [%s]\n", info->in_xattr ? "user.ecryptfs xattr" : "file");
	printf("Marker: [%08x %08x] (valid)\n", info->marker1, info->marker2);
	printf("Flags: [0x%06x]%s%s%s%s\n", info->flags,
	       info->flags & ECT_HDR_FLAG_ENCRYPTED ? " encrypted" : "",
	       info->flags & ECT_HDR_FLAG_METADATA_IN_XATTR ? " xattr-metadata" : "",
	       info->flags & ECT_HDR_FLAG_ENCRYPT_FILENAMES ? " filenames-encrypted" : "",
	       info->flags & ECT_HDR_FLAG_HMAC ? " hmac" : "");
	if (info->version)
		printf("Header extents: [%u x %u]\n", info->extent_count, info->extent_size);
}

/* Returns nonzero when the lower file is shorter than its header says. */
static int print_sizes(const struct ect_stat_info *info)
{
	uint64_t extents = (info->plaintext_size + ECT_EXTENT_SIZE - 1) / ECT_EXTENT_SIZE;
	uint64_t expected = info->metadata_size + extents * ECT_EXTENT_SIZE;

	if (info->lower_size >= expected) {
		printf("Lower file size: [%" PRIu64 "] (%" PRIu64 " data extents)\n",
		       info->lower_size, extents);
		return 0;
	}
	printf("Lower file size: [%" PRIu64 "] (TRUNCATED: the decrypted size needs %" PRIu64
	       ")\n", info->lower_size, expected);
	return 1;
}

static int stat_one(struct ect_ctx *ctx, const char *path)
{
	struct ect_stat_info info;
	int ret = ect_stat_file(path, &info);
	int damaged = ret == ECT_E_FORMAT || ret == ECT_E_TRUNCATED || ret == ECT_E_VERSION ||
		      ret == ECT_E_UNSUPPORTED;

	if (ret && ret != ECT_E_NOT_ECRYPTFS && !damaged) {
		ect_err(ctx, "%s: %s", path,
			ret == -ELOOP ? "a symbolic link; give the lower file itself" :
			ret == -EINVAL ? "not a regular file" : ect_strerror(ret));
		return ECT_EXIT_FAILURE;
	}
	if (ret == ECT_E_NOT_ECRYPTFS) {
		ect_err(ctx, "%s: %s", path, info.problem);
		printf("Valid eCryptfs metadata information not found in [%s]\n", path);
		return ECT_EXIT_FAILURE;
	}
	print_info(&info);
	for (unsigned int i = 0; i < info.nkeys; i++)
		print_key(i, &info.keys[i]);
	if (ret) {
		ect_err(ctx, "%s: %s header: %s", path,
			ret == ECT_E_UNSUPPORTED ? "unsupported" : "damaged", info.problem);
		return ECT_EXIT_FAILURE;
	}
	if (print_sizes(&info)) {
		ect_err(ctx, "%s: lower file is truncated", path);
		return ECT_EXIT_FAILURE;
	}
	return ECT_EXIT_OK;
}

int cmd_stat(struct ect_ctx *ctx, int argc, char **argv)
{
	int status = ECT_EXIT_OK;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: ecryptfs-stat LOWER_FILE...\n"
			"Print the eCryptfs header of encrypted (lower) files.\n"
			"Exit: 0 valid, 1 not eCryptfs, damaged or unreadable, 2 usage.\n");
		return argc < 2 ? ECT_EXIT_USAGE : ECT_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (argc > 2)
			printf("%s%s:\n", i > 1 ? "\n" : "", argv[i]);
		if (stat_one(ctx, argv[i]) != ECT_EXIT_OK)
			status = ECT_EXIT_FAILURE;
	}
	return status;
}
