/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the verify unit tests (test-verify.c, test-verify-home.c): the
 * kernel-written header of pecryptfs' aes-16.raw and a temporary home with a
 * correct ~/Private setup to break one part at a time.
 */
#ifndef ECT_TEST_VERIFY_FIXTURES_H
#define ECT_TEST_VERIFY_FIXTURES_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ecryptfs-tools.h"

#define AES16_SIG "3515cca9baaea1f4"
#define OTHER_SIG "0011223344556677"
#define LOWER_SIZE 12288

/* the lower file: header then zeroed extents; load_header() (re)fills it */
extern uint8_t header[LOWER_SIZE];
void load_header(void);

struct home {
	char root[64];
	char home[PATH_MAX];
	char path[PATH_MAX];
	struct ect_verify_target t;
	struct ect_verify_opts o;
	struct ect_report r;
	/* o.sysfs: ROOT/sys with fs/ecryptfs/version (the kernel has eCryptfs) */
	char sysfs[PATH_MAX];
	/* o.fuse_program: ROOT/ecryptfs-fuse, absent (not installed) */
	char fuse_program[PATH_MAX];
};

/* h->home/rel in h->path */
const char *at(struct home *h, const char *rel);
void put(struct home *h, const char *rel, const void *data, size_t len, mode_t mode);
void put_str(struct home *h, const char *rel, const char *s);
void put_wrapped_v2(struct home *h);
/* the same blob at h->home/rel (an alias's NAME.wrapped-passphrase) with mode */
void put_wrapped_v2_at(struct home *h, const char *rel, mode_t mode);
/* cmocka setup/teardown: a correct private directory, names encrypted, one valid lower file */
int setup_home(void **state);
int teardown_home(void **state);
const struct ect_finding *find(const struct ect_report *r, const char *check,
			       enum ect_severity sev);
void dump(const struct ect_report *r);
/* ect_verify_user on h into h->r, which must return 0 */
void run(struct home *h);

#endif /* ECT_TEST_VERIFY_FIXTURES_H */
