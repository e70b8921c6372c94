/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Declarations shared inside the library; never installed. */
#ifndef ECT_INTERNAL_H
#define ECT_INTERNAL_H

#include "ecryptfs-tools.h"

#include <stdbool.h>
#include <time.h>

#define ECT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ECT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

struct ect_ctx {
	char ident[64];
	enum ect_log_sink sink;
	ect_log_fn log_fn;
	void *log_userdata;
	int debug;
	/* rate limiter: at most burst lines per interval */
	unsigned int rl_interval;
	unsigned int rl_burst;
	time_t rl_window_start;
	unsigned int rl_count;
	unsigned int rl_suppressed;
};

/*
 * Initialise libgcrypt (version check, locked pool) once per process.
 * Called lazily by code that needs crypto or locked memory, so programs that
 * never touch secrets (the setuid helper) never initialise it: libgcrypt's
 * pool setup would otherwise change the process's uids.
 */
int ect__crypto_init(void);

/*
 * Exactly 2*n hex digits (either case) into n bytes; -EINVAL, with out
 * untouched, on any other character. The caller checks the length.
 */
int ect__hex_decode(const char *hex, uint8_t *out, size_t n);
/* n bytes as lowercase hex, NUL-terminated: out holds 2*n+1 bytes. */
void ect__hex_encode(const uint8_t *in, size_t n, char *out);

/* Map a gcry_error_t to ECT_E_CRYPTO (or -ENOMEM), logging nothing. */
int ect__gcry_err(unsigned int gcry_error);

/*
 * read(2) until cap bytes or end of file, retrying EINTR (lib/core/fileio.c).
 * *n = bytes read; *n == cap means there may be more. 0 or -errno.
 */
int ect__read_full(int fd, void *buf, size_t cap, size_t *n);
/* write(2) all size bytes, retrying EINTR and short writes (lib/core/fileio.c). 0 or -errno. */
int ect__write_all(int fd, const void *data, size_t size);
/*
 * Open directory path (O_RDONLY) for writing files that will belong to uid
 * (-1: the caller): ECT_E_UNSAFE_PATH when uid is another owner than the
 * caller and the directory is not uid's (lib/core/fileio.c).
 */
int ect__dir_open_for(const char *path, uid_t uid, int *fd);

#endif /* ECT_INTERNAL_H */
