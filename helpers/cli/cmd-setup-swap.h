/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs setup-swap (cmd-setup-swap.c) and its helpers: the external
 * programs it runs (cmd-setup-swap-run.c, through cli-run.c) and the crypttab/fstab edits
 * (cmd-setup-swap-tab.c).
 */
#ifndef ECT_CMD_SETUP_SWAP_H
#define ECT_CMD_SETUP_SWAP_H

#include "cli-run.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SWAP_CRYPTTAB "/etc/crypttab"
#define SWAP_FSTAB "/etc/fstab"
#define SWAP_BACKUP_SUFFIX ".before-setup-swap"
/* Random key each boot; AES-256 in XTS mode (two 256-bit keys). */
#define SWAP_CRYPT_OPTS "plain,cipher=aes-xts-plain64,size=512,swap"
#define SWAP_CIPHER "aes-xts-plain64"
#define SWAP_KEY_BITS "512"
#define SWAP_GPT_TYPE "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"
#define SWAP_NAME_MAX 32

enum swap_state {
	SWAP_TODO,	 /* plain swap to encrypt */
	SWAP_ENCRYPTED,	 /* already on dm-crypt: left alone */
	SWAP_CONFIGURED, /* already in crypttab, active until the next boot */
	SWAP_RAM,	 /* zram: never reaches a disk */
};

struct swap_area {
	char path[PATH_MAX];	 /* as /proc/swaps or the command line names it */
	/*
	 * The area examined (O_PATH, no symlink followed), and the name the
	 * programs get for it: /proc/PID/fd/N of this process, so that blkid,
	 * swapoff, cryptsetup and swapon act on what was examined, never on
	 * what path leads to by then.
	 */
	int fd;
	char by_fd[48];
	bool active;		 /* in /proc/swaps */
	bool is_file;
	dev_t rdev;		 /* block device number, or the file's st_dev */
	ino_t ino;		 /* the file's inode (files only) */
	enum swap_state state;
	char source[PATH_MAX + 16]; /* crypttab field 2: PARTUUID=... or the file */
	char name[SWAP_NAME_MAX];   /* cryptswapN */
	/* blkid -p of the area */
	char fs_type[32], fs_uuid[64], fs_label[128];
	char part_scheme[16], part_uuid[64], part_type[64];
	unsigned long long part_flags;
	/* the whole disk holding a GPT swap partition (from sysfs) */
	char disk[PATH_MAX];
	unsigned int partno;
};

/* cmd-setup-swap-run.c */

/*
 * Before acting on a: does a->path still name the area examined? The
 * programs act through a->by_fd, but crypttab keeps the name (swap files),
 * so a name that now leads elsewhere stops the run. 0, or -1 after an ERROR.
 */
int swap_recheck(const struct swap_area *a);

/* Fill a's blkid fields from "blkid -p -o export". 0 or an ERROR already printed (-1). */
int swap_probe(struct swap_area *a);
/* For a partition: its disk and number, from sysfs (never from the name). */
int swap_find_disk(struct swap_area *a);
/* Set GPT attribute 63 ("do not automount") on a's partition, keeping the others. */
int swap_set_noauto(struct swap_area *a);

/* cmd-setup-swap-tab.c */

/* A whole table file, NUL-terminated; a missing file reads as empty. */
struct swap_tab {
	const char *path;
	char *data;
	size_t len;
	bool exists;
	mode_t mode;
};

int swap_tab_load(struct swap_tab *t, const char *path);
void swap_tab_free(struct swap_tab *t);
/* The crypttab name whose source is a's device or file, or NULL (static buffer). */
const char *swap_crypttab_find(const struct swap_tab *crypttab, const struct swap_area *a);
/* Is NAME already a crypttab target or a /dev/mapper name? */
bool swap_name_taken(const struct swap_tab *crypttab, const char *name);
/*
 * The new crypttab and fstab for the areas with state SWAP_TODO: crypttab
 * gets one line each; fstab gets its swap lines for those areas commented
 * out and one /dev/mapper line each. All other bytes stay as they were.
 */
int swap_tab_add(const struct swap_tab *crypttab, const struct swap_area *areas, size_t n,
		 char **out, size_t *outlen);
int swap_fstab_edit(const struct swap_tab *fstab, const struct swap_area *areas, size_t n,
		    char **out, size_t *outlen);
/* Save the old file as PATH.before-setup-swap, then replace it atomically. */
int swap_tab_replace(const struct swap_tab *t, const char *data, size_t len);

#endif /* ECT_CMD_SETUP_SWAP_H */
