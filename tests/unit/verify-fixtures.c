// SPDX-License-Identifier: GPL-2.0-or-later
/* Fixtures of the verify unit tests; see verify-fixtures.h. */
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

/* test paths are short; truncation warnings on PATH_MAX buffers are noise here */
#pragma GCC diagnostic ignored "-Wformat-truncation"


#include "verify-fixtures.h"

/* pecryptfs tests/data/aes-16.raw, bytes 0..81 (kernel-written; format doc §8.1 B) */
static const char aes16_hex[] =
	"000000000000000c378881cc0b09363903000002000010000002"
	"8c1d0407030100112233445566776040"
	"4811d3601cad796515bd4f09f7cac0ed"
	"1662085f434f4e534f4c4500000000"
	"3515cca9baaea1f400";
uint8_t header[LOWER_SIZE];

void load_header(void)
{
	size_t n = strlen(aes16_hex) / 2;

	memset(header, 0, sizeof(header));
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(aes16_hex + 2 * i, "%2x", &b), 1);
		header[i] = (uint8_t)b;
	}
}

/* ---- setup checks on a real tree -------------------------------------- */


const char *at(struct home *h, const char *rel)
{
	snprintf(h->path, sizeof(h->path), "%s/%s", h->home, rel);
	return h->path;
}

void put(struct home *h, const char *rel, const void *data, size_t len, mode_t mode)
{
	int fd = open(at(h, rel), O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

void put_str(struct home *h, const char *rel, const char *s)
{
	put(h, rel, s, strlen(s), 0600);
}

/* A wrapped-passphrase v2 blob as 111 writes it: ':' 0x02 salt8 sig16 ct32. */
void put_wrapped_v2(struct home *h)
{
	put_wrapped_v2_at(h, ".ecryptfs/wrapped-passphrase", 0600);
}

void put_wrapped_v2_at(struct home *h, const char *rel, mode_t mode)
{
	uint8_t blob[58];

	blob[0] = ':';
	blob[1] = 0x02;
	memset(blob + 2, 0x5a, 8);
	memcpy(blob + 10, "0123456789abcdef", 16);
	memset(blob + 26, 0xa5, 32);
	put(h, rel, blob, sizeof(blob), mode);
}

/* A correct setup: private directory, names encrypted, one valid lower file. */
int setup_home(void **state)
{
	struct home *h = calloc(1, sizeof(*h));
	char enc_name[128];

	assert_non_null(h);
	snprintf(h->root, sizeof(h->root), "/tmp/ect-verify-XXXXXX");
	assert_non_null(mkdtemp(h->root));
	snprintf(h->home, sizeof(h->home), "%s/home", h->root);
	assert_int_equal(mkdir(h->home, 0700), 0);
	assert_int_equal(mkdir(at(h, ".ecryptfs"), 0700), 0);
	assert_int_equal(mkdir(at(h, ".Private"), 0700), 0);
	assert_int_equal(mkdir(at(h, "Private"), 0500), 0);
	put_str(h, ".ecryptfs/Private.sig", AES16_SIG "\n" OTHER_SIG "\n");
	snprintf(h->path, sizeof(h->path), "%s/Private\n", h->home);
	{
		char mnt[PATH_MAX];

		snprintf(mnt, sizeof(mnt), "%s", h->path);
		put_str(h, ".ecryptfs/Private.mnt", mnt);
	}
	put_str(h, ".ecryptfs/auto-mount", "");
	put_str(h, ".ecryptfs/auto-umount", "");
	put_wrapped_v2(h);
	load_header();
	snprintf(enc_name, sizeof(enc_name),
		 ".Private/" ECT_FNEK_PREFIX "FWayVrRYlN446EY.WUc7GBFqG9GB6qF3eRmJwLxTOkMu8UtE6MkSWHGsZE--");
	put(h, enc_name, header, sizeof(header), 0600);
	h->t.user = "tester";
	h->t.uid = getuid();
	h->t.gid = getgid();
	h->t.home = h->home;
	snprintf(h->path, sizeof(h->path), "%s/mountinfo", h->root);
	{
		FILE *f = fopen(h->path, "w");

		assert_non_null(f);
		fprintf(f, "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
		fclose(f);
	}
	h->o.mountinfo = strdup(h->path);
	h->o.shm_dir = strdup(h->root);
	/* the kernel has eCryptfs and ecryptfs-fuse is not installed, whatever the host has */
	snprintf(h->sysfs, sizeof(h->sysfs), "%s/sys", h->root);
	snprintf(h->path, sizeof(h->path), "mkdir -p '%s/fs/ecryptfs' && echo 127 > '%s/fs/ecryptfs/version'",
		 h->sysfs, h->sysfs);
	assert_int_equal(system(h->path), 0);
	h->o.sysfs = h->sysfs;
	snprintf(h->fuse_program, sizeof(h->fuse_program), "%s/ecryptfs-fuse", h->root);
	h->o.fuse_program = h->fuse_program;
	*state = h;
	return 0;
}

int teardown_home(void **state)
{
	struct home *h = *state;
	char cmd[PATH_MAX + 16];

	ect_report_free(&h->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->root);
	assert_int_equal(system(cmd), 0);
	free((void *)h->o.mountinfo);
	free((void *)h->o.shm_dir);
	free(h);
	return 0;
}

const struct ect_finding *find(const struct ect_report *r, const char *check,
				      enum ect_severity sev)
{
	for (size_t i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].check, check) && r->items[i].severity == sev)
			return &r->items[i];
	return NULL;
}

void dump(const struct ect_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		print_message("  %s %s %s\n", ect_severity_name(r->items[i].severity),
			      r->items[i].check, r->items[i].message);
}

void run(struct home *h)
{
	ect_report_free(&h->r);
	assert_int_equal(ect_verify_user(&h->t, &h->o, &h->r), 0);
}
