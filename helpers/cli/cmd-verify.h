/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-verify-private: spelling out the library's fixes
 * (struct ect_fix) as shell commands, in cmd-verify-fix.c.
 */
#ifndef ECT_CMD_VERIFY_H
#define ECT_CMD_VERIFY_H

#include "ecryptfs-tools.h"

/*
 * The shell command that carries out fix, malloc'ed: "" for ECT_FIX_NONE,
 * and also "" with *unprintable set when a name holds a control character
 * (no one-line command can name it safely). NULL when out of memory.
 */
char *verify_fix_command(const struct ect_fix *fix, int *unprintable);

#endif /* ECT_CMD_VERIFY_H */
