/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-migrate-home: the state of one run, shared by the flow
 * (cmd-migrate-home.c) and the tree work (cmd-migrate-home-tree.c: scan,
 * copy, verify, remove), which acts through directory fds only.
 */
#ifndef ECT_CMD_MIGRATE_HOME_H
#define ECT_CMD_MIGRATE_HOME_H

#include "cli-util.h"

#include <limits.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MIG_NAME_MAX 143 /* longest name eCryptfs can encrypt (FNEK) */

/* What a scan of the plain home found. */
struct mig_scan {
	uint64_t entries, files, bytes; /* bytes: apparent sizes of regular files */
	uint64_t need;			/* estimate of the encrypted copy, bytes */
	unsigned long long_names;	/* names over MIG_NAME_MAX bytes (printed) */
};

/* One hard-link group: the source inode and where its first name went. */
struct mig_link {
	dev_t dev;
	ino_t ino;
	ino_t target_ino;
	char *path; /* relative to the target root */
};

struct mig_tree {
	struct ect_ctx *ctx;
	int src_root, dst_root; /* directory fds */
	struct mig_link *links;
	size_t nlinks, links_cap;
	/* progress */
	uint64_t total_files, done_files, total_bytes, done_bytes;
	time_t last_report;
	unsigned long security_skipped; /* security.* xattrs the target refused */
	const char *what;		/* "copying" or "verifying" */
	bool keep_root;			/* leave dst_root's own owner, mode, xattrs, times alone */
};

/* Walk the plain home: count, estimate, print long names. 0 or -1 (said why). */
int mig_scan_tree(struct ect_ctx *ctx, int home_fd, struct mig_scan *scan);
/* Make the tree under dst_root equal to src_root (resumable). 0 or -1 (said why). */
int mig_copy_tree(struct mig_tree *t);
/* Compare every entry through the mount (content, metadata, links). 0 or -1. */
int mig_verify_tree(struct mig_tree *t);
/*
 * Set the times of every entry on its lower inode (lower_root: the lower
 * directory's fd), or with lower_root -1 check them through the mount.
 */
int mig_times_tree(struct mig_tree *t, int lower_root);
/* Remove everything in dirfd (not dirfd itself), never following a symlink. */
int mig_remove_contents(int dirfd);
void mig_tree_free(struct mig_tree *t);

int cmd_migrate_home(struct ect_ctx *ctx, int argc, char **argv);

/* ---- the run (cmd-migrate-home{,-state,-mount}.c) ---- */
#define STATE_PREFIX ".ecryptfs-migrate-"

enum phase { PHASE_SETUP = 1, PHASE_COPY = 2 };

/* The state file: what a rerun needs to find its way. */
struct state {
	int phase;
	char stage[NAME_MAX + 1];
	unsigned long long home_ino, stage_ino;
	int made_userdir; /* /home/.ecryptfs/USER is this migration's */
};

struct mig {
	struct ect_ctx *ctx;
	const char *user_arg, *pwfile;
	char *name, *home, *parent, *base, *statename;
	uid_t uid;
	gid_t gid;
	int parent_fd, home_fd, stage_fd;
	mode_t home_mode;
	struct state st;
	struct cli_secret pw;
};


/* Room for what mig_user_present names. */
#define MIG_WHO_MAX 700
/* Has uid a process, a logind session or a registered session? who: which. */
bool mig_uid_present(struct ect_ctx *ctx, uid_t uid, char *who, size_t size);
/* mig_uid_present for the user being migrated. */
bool mig_user_present(struct mig *m, char *who, size_t size);
/* 0 when the user has no process, logind session or registered session; else -1 (said which). */
int mig_check_logged_out(struct mig *m);
/* The state file, written atomically in the homes' parent; read: 1 found, 0 none, -1 bad. */
int mig_state_write(struct mig *m);
int mig_state_read(struct mig *m);
bool mig_exists_at(int dirfd, const char *name);
/* /home/.ecryptfs and /home/.ecryptfs/USER (-1 when absent), checked. */
int mig_open_ecryptfs_dir(struct mig *m, int *top, int *user);
int mig_get_password(struct mig *m);
/* Unshare the mount namespace (private propagation); parent, home and stage fds reopened in it. */
int mig_enter_private_ns(struct mig *m);
/* In a private mount namespace: mount, copy, remount, verify, unmount. */
int mig_copy_and_verify(struct mig *m, const struct mig_scan *scan);

/* ---- shared by the tree files (cmd-migrate-home-{tree,copy,verify}.c) ---- */
#define MIG_XATTR_LIST_MAX 65536
#define MIG_XATTR_VALUE_MAX 65536
#define MIG_COPY_BUF 65536

/* An entry: its fd when it is a regular file or a directory we opened, else dirfd + name. */
struct mig_ent {
	int dirfd;
	const char *name;
	int fd;
	char proc[64]; /* /proc/self/fd/D/NAME prefix, for the l* xattr calls */
	char *lpath;
};

/* The entries of dirfd, sorted, without . and ..; free with mig_free_list. */
int mig_list_dir(int dirfd, char ***names, size_t *n);
void mig_free_list(char **names, size_t n);
/* openat of a directory, never following a symlink, O_CLOEXEC | extra. */
int mig_open_dir_at(int dirfd, const char *name, int extra);
/* rel/name, malloc'ed (name alone when rel is ""). */
char *mig_join(const char *rel, const char *name);
bool mig_is_layout_link(const char *name);
int mig_remove_entry(int dirfd, const char *name, const struct stat *st);
int mig_ent_init(struct mig_ent *e, int dirfd, const char *name, int fd);
void mig_ent_free(struct mig_ent *e);
ssize_t mig_ent_listxattr(const struct mig_ent *e, char *buf, size_t size);
ssize_t mig_ent_getxattr(const struct mig_ent *e, const char *n, void *buf, size_t size);
int mig_ent_setxattr(const struct mig_ent *e, const char *n, const void *v, size_t size);
bool mig_is_security(const char *n);
/* Set (copy) or compare (verify) the metadata of d to that of s, whose stat is st. */
typedef int mig_meta_fn(struct mig_tree *t, const struct mig_ent *s, const struct mig_ent *d,
			const struct stat *st, const char *path);
mig_meta_fn mig_apply_meta;
/*
 * Last step of a walk: the home directory itself through meta (skipped with
 * keep_root), and the final progress line.
 */
int mig_tree_root(struct mig_tree *t, mig_meta_fn *meta);
void mig_progress(struct mig_tree *t, bool last);
struct mig_link *mig_find_link(struct mig_tree *t, const struct stat *st);
int mig_add_link(struct mig_tree *t, const struct stat *st, ino_t target_ino, const char *path);

#endif /* ECT_CMD_MIGRATE_HOME_H */
