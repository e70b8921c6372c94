/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The recover command family, split over cmd-recover*.c, cmd-stat.c, cmd-find.c. */
#ifndef ECT_CMD_RECOVER_H
#define ECT_CMD_RECOVER_H

#include "cli-util.h"

#include <limits.h>
#include <stdbool.h>

int cmd_stat(struct ect_ctx *ctx, int argc, char **argv);
int cmd_find(struct ect_ctx *ctx, int argc, char **argv);
int cmd_recover_private(struct ect_ctx *ctx, int argc, char **argv);

/* recover-private exit codes (ecryptfs-recover-private(1)) */
enum {
	RECOVER_EXIT_OK = 0,
	RECOVER_EXIT_FAILURE = 1, /* nothing recovered, or a step failed */
	RECOVER_EXIT_USAGE = 2,
	RECOVER_EXIT_PARTIAL = 3, /* userspace: tree written, some files failed */
	RECOVER_EXIT_NOT_FOUND = 4, /* no .Private directory found */
};

/* A growing list of candidate directories. */
struct dir_list {
	char **paths;
	size_t count, cap;
};
int dir_list_add(struct dir_list *l, const char *path);
void dir_list_free(struct dir_list *l);

/*
 * Find directories named ".Private" under /home and / (bounded depth, no
 * symlinks, not into pseudo or system filesystems). root: "/" normally,
 * another directory in tests.
 */
int recover_search(struct ect_ctx *ctx, const char *root, struct dir_list *out);

/* Keys for one lower directory: the mount passphrase's derived keys. */
struct recover_keys {
	char fekek_sig[ECT_SIG_HEX_SIZE + 1];
	char fnek_sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t *fekek; /* ECT_KEY_SIZE bytes of locked memory */
	uint8_t *fnek;
	bool fne;	/* names in the lower directory are encrypted */
	unsigned int fn_key_bytes; /* from an encrypted name's cipher code, else 16 */
};
void recover_keys_free(struct recover_keys *k);

struct recover_opts {
	const char *dest;	/* --userspace DESTDIR */
	bool rw, yes, userspace, progress;
	unsigned int threads;	/* 0: online CPUs */
};
/*
 * Decrypt the tree under lower into dest (created 0700 if missing, must
 * be empty) with the userspace codec. Returns RECOVER_EXIT_OK,
 * RECOVER_EXIT_PARTIAL or RECOVER_EXIT_FAILURE.
 */
int recover_userspace(struct ect_ctx *ctx, const char *lower, const struct recover_keys *keys,
		      const struct recover_opts *o);

/* Where recover-private's secrets come from (NULL: ask). */
struct recover_secrets {
	const char *password_file;
	const char *passphrase_file;
	const char *pin_file;
	const char *wrapped;
};

/* A yes/no question on standard input, as 111 asks; default yes, EOF no. */
bool recover_ask_yes(const char *question);

/*
 * The mount passphrase through a token record of the wrapped-passphrase.token
 * beside wrapped (cmd-recover-token.c): used with --pin-file, or when an
 * interactive user says yes. Returns 0 with pass set, 1 when no token is to
 * be used (no records, declined), or a negative error already reported in
 * one line.
 */
int recover_token(struct ect_ctx *ctx, const char *dir, const char *wrapped,
		  const struct recover_secrets *sec, bool interactive, struct cli_secret *pass);

#endif /* ECT_CMD_RECOVER_H */
