/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * External programs run by the ecryptfs commands (cli-run.c), safe in a
 * command that runs as root with the caller's environment.
 */
#ifndef ECT_CLI_RUN_H
#define ECT_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* Room for cli_find_program's answer. */
#define ECT_CLI_PROGRAM_MAX 64

/*
 * The absolute path of program NAME in /usr/sbin, /sbin, /usr/bin or /bin
 * (in that order, never $PATH) into path. 0, or -ENOENT when none has it.
 */
int cli_find_program(const char *name, char *path, size_t size);

/* Where a program's standard output goes: at most size - 1 bytes, NUL-terminated. */
struct cli_output {
	char *buf;
	size_t size;
	size_t len;	/* bytes kept */
	bool truncated; /* the program wrote more than fitted (the rest was dropped) */
};

/*
 * Run argv[0] (an absolute path) with argv, never through a shell: the
 * environment is only a fixed PATH and LC_ALL=C, stdin is /dev/null, no fd
 * but 0..2 is inherited, the signal mask is empty. With out, its stdout is
 * read into out; with quiet, its stderr goes to /dev/null. Returns the exit
 * status (0..255), 128 + the signal that killed it, or a negative errno
 * when it could not be started.
 */
int cli_run(const char *const argv[], struct cli_output *out, bool quiet);

#endif /* ECT_CLI_RUN_H */
