/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer targets in tests/fuzz (see README.md there). */
#ifndef ECT_FUZZ_COMMON_H
#define ECT_FUZZ_COMMON_H

#include "ecryptfs-tools.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort (a libFuzzer crash) when an invariant of a parser's output fails. */
#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(#cond, __FILE__, __LINE__); \
	} while (0)
_Noreturn void fuzz_fail(const char *what, const char *file, int line);

/*
 * A private scratch directory (under $TMPDIR, else /dev/shm, else /tmp),
 * made once per process and removed at exit, for the parsers that read
 * files through a directory fd. Returns its fd; *path (may be NULL) its name.
 */
int fuzz_scratch_dir(const char **path);
/* Replace name in the scratch directory by data, mode 0600. */
void fuzz_put_file(const char *name, const void *data, size_t size);
/* "SCRATCH/name" in a static buffer. */
const char *fuzz_scratch_path(const char *name);

/* data as a NUL-terminated malloc'ed string (embedded NULs cut it). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* A context that logs nothing, made once. */
struct ect_ctx *fuzz_ctx(void);

#endif /* ECT_FUZZ_COMMON_H */
