/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regress-tool: the system-call parts of the regression suite
 * (tests/regress), one subcommand per case that a shell cannot drive.
 * Exit: 0 pass, 1 the file system misbehaved, 2 the test could not run,
 * 77 the case does not apply here (the reason on stderr).
 */
#ifndef REGRESS_TOOL_H
#define REGRESS_TOOL_H

#include <stddef.h>
#include <stdint.h>

#define RT_PASS 0
#define RT_FAIL 1
#define RT_ERROR 2
#define RT_SKIP 77

/* Print "what: detail" to stderr and return rc. */
int rt_say(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read the whole of path (at most cap bytes) into buf; returns the length or -errno. */
long rt_read_file(const char *path, uint8_t *buf, size_t cap);
/* path reads back as exactly the len bytes of want (when: for the message). */
int rt_check_file(const char *path, const uint8_t *want, size_t len, const char *when);
/* Deterministic pseudo-random numbers from a seed the caller prints. */
uint64_t rt_rand(uint64_t *state);

int rt_extend_random(int argc, char **argv);
int rt_trunc_random(int argc, char **argv);
int rt_dir_concurrent(int argc, char **argv);
int rt_file_concurrent(int argc, char **argv);
int rt_stat_race(int argc, char **argv);
int rt_fsx(int argc, char **argv);

#endif
