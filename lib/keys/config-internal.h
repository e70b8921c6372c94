/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the configuration readers and writers (config*.c); never installed. */
#ifndef ECT_CONFIG_INTERNAL_H
#define ECT_CONFIG_INTERNAL_H

#include "ect-internal.h"

/* Record where a fault is (err may be NULL); returns ret for "return config_fail(...)". */
int ect__config_fail(struct ect_config_error *err, int ret, const char *file, unsigned int line,
		     const char *fmt, ...) ECT_PRINTF(5, 6);

enum ect_config_open {
	ECT_CONFIG_CONTENT = 0, /* content matters: also refuse group/world-writable files */
	ECT_CONFIG_ANY_MODE = 1,
	ECT_CONFIG_BINARY = 2, /* or'ed in: NUL bytes allowed (wrapped-passphrase) */
};

/*
 * Read name (a plain name, no '/') from dirfd with the [privileged-safe]
 * checks: O_NOFOLLOW, regular file, owner uid unless (uid_t)-1, at most max
 * bytes, no NUL bytes unless ECT_CONFIG_BINARY. *data is malloc'ed and NUL-terminated. -ENOENT
 * when absent (err filled as well).
 */
int ect__config_read_at(int dirfd, const char *name, uid_t uid, enum ect_config_open mode,
			size_t max, char **data, size_t *size, struct ect_config_error *err);

/* The flag files of ~/.ecryptfs and their ECT_FLAG_* bits. */
#define ECT_CONFIG_NFLAGS 3
#define ECT_CONFIG_ALL_FLAGS \
	(ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT | ECT_FLAG_WRAPPING_INDEPENDENT)
struct ect_config_flag_file {
	const char *name;
	unsigned int flag;
};
extern const struct ect_config_flag_file ect__config_flag_files[ECT_CONFIG_NFLAGS];

/* true when s[0..len) has no control characters (C0, DEL). */
bool ect__config_printable(const char *s, size_t len);

#endif /* ECT_CONFIG_INTERNAL_H */
