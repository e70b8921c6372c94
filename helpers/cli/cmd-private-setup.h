/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-setup-private: the state of one run, and the directory work of
 * cmd-private-setup-tree.c (creation through directory fds, the links in
 * the home, the handover to the user and the rollback).
 */
#ifndef ECT_CMD_PRIVATE_SETUP_H
#define ECT_CMD_PRIVATE_SETUP_H

#include "cmd-private.h"

#include <sys/stat.h>
#include <sys/types.h>

#define ECRYPTFS_DIR "/home/.ecryptfs" /* 111's home of -b trees */
#define SETUP_STATE_PREFIX ".setup-" /* -b: ECRYPTFS_DIR/.setup-USER, the state of a run */

/* One directory this run uses: its fd and whether this run made it. */
struct setup_dir {
	const char *name; /* in the parent fd */
	const char *path; /* for messages */
	int fd;
	int made;
};

struct setup {
	int force, wrapping, no_fnek, bootstrap, noautomount, noautoumount, undo, nopwcheck;
	int kdf_floor, fuse;
	const char *user;
	char *loginpass_arg, *mountpass_arg;
	const char *pwfile, *ppfile;
	struct cli_wrap_opts wopts;
	/* the target user; owner of the files root writes (-1: the caller) */
	char *name, *home;
	uid_t uid, file_uid;
	gid_t gid, file_gid;
	/* paths */
	char *cfgdir, *lower, *mnt, *base;
	/*
	 * -b: ECRYPTFS_DIR, then top = base; else top = the home. cfgd
	 * (.ecryptfs) and lowerd (.Private) are in top, mntd (Private) too
	 * without -b; with -b the mountpoint is the home (path only).
	 */
	int ecfd;
	struct setup_dir top, cfgd, lowerd, mntd;
	/* what this run did, for the rollback */
	bool made_links, wrote_files, handed_over, wrote_shm, quiet_rollback;
	/* -b: ECRYPTFS_DIR/.setup-USER.lock, held for the whole run */
	int lockfd, lockdirfd;
	bool locked;
	/* a generated mount passphrase: shown before -b removes any plain file */
	bool show_recovery, recovery_shown;
	char backup_ts[32];
	bool backed_up_wp, backed_up_sig;
	/* --fuse: this run wrote ~/.ecryptfs/Private.fuse */
	bool made_fuse_flag;
	/* -b: the plain home and .Private whose copies the clear phase removes (state file) */
	struct stat home_id, lower_id;
};
/* cmd-private-setup-args.c: the command line. 0, 1 for --help, -1 after one line. */
extern const char setup_usage[];
int setup_parse(struct ect_ctx *ctx, struct setup *s, int argc, char **argv);
/* --undo: how to undo a setup by hand. */
void setup_print_undo(void);

/*
 * cmd-private-setup-keys.c: the secrets, asked or read before anything is
 * created (*generated: the mount passphrase is a fresh random one).
 */
int setup_get_secrets(struct ect_ctx *ctx, const struct setup *s, struct cli_secret *wpw,
		      struct cli_secret *mpw, bool *generated);
/* The files of ~/.ecryptfs (params NULL: the format's defaults); -1 after one line. */
int setup_write_files(struct ect_ctx *ctx, struct setup *s, const struct cli_secret *mpw,
		      const struct cli_secret *wpw, enum ect_wrap_version version,
		      const struct ect_argon2_params *params, const struct ect_config_sigs *sigs);
/* mount, write, unmount, mount, read back, unmount through the helper; -1 after one line. */
int setup_self_test(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len, bool fnek);

/* -b: ECRYPTFS_DIR (s->ecfd), created when absent; root's, writable by root alone. */
int setup_open_ecryptfs_dir(struct ect_ctx *ctx, struct setup *s);
/* Open (check) or create (create) what holds .ecryptfs and .Private: base with -b, else the home. */
int setup_open_top(struct ect_ctx *ctx, struct setup *s, bool create);
/* Open d in parent if it exists (checked: the user's or root's); 0 also when it does not. */
int setup_open_existing(struct ect_ctx *ctx, const struct setup *s, int parent, struct setup_dir *d);
bool setup_dir_nonempty(int fd);
bool setup_exists_at(int dirfd, const char *name);
/* Create the missing directories (root's until setup_hand_over) and, with -b, the home links. */
int setup_make_tree(struct ect_ctx *ctx, struct setup *s);
/* -f: keep the old wrapped-passphrase and Private.sig as NAME.TIMESTAMP. */
void setup_back_up(struct setup *s);
/* -b, last step: fchown the directories this run made to the user, bottom-up. */
int setup_hand_over(struct ect_ctx *ctx, struct setup *s);
/*
 * -b, last step: mount the new home as root while the tree is root's, hand
 * the tree over (setup_hand_over), move the files in as the user, unmount
 * (home-layout.h). 0, or an enum home_populate_result.
 */
int setup_populate_home(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len,
			bool fnek);
/* The recovery (mount) passphrase banner, once, flushed. */
void setup_print_recovery(struct setup *s, const char *pass);
/* Remove what this run made, through the directory fds. */
void setup_rollback(struct ect_ctx *ctx, struct setup *s);
/* Unmount a ~/Private left mounted through the helper; -1 (said what to run) when it stays. */
int setup_unmount_left(struct ect_ctx *ctx, const struct setup *s);
/* root setting up a user's ~/Private: become that user for good, in a fresh keyring session. */
int setup_become_user(struct ect_ctx *ctx, const struct setup *s);
void setup_close_dirs(struct setup *s);

struct home_layout;
/* The whole-home layout of this setup (home-layout.h). */
void setup_home_layout(const struct setup *s, struct home_layout *l);
/* Work run by setup_run_as_user in a child that has become the user. */
typedef int (*setup_user_fn)(struct ect_ctx *ctx, const struct setup *s, void *arg);
/* fn in a child that has become the user for good and dies with us: its exit status, or -1. */
int setup_run_as_user(struct ect_ctx *ctx, struct setup *s, setup_user_fn fn, void *arg);
/* As the user: the plain copies out of the bare home, its README and desktop links, mode 0500. */
int setup_clear_bare(struct ect_ctx *ctx, struct setup *s);

/*
 * -b: the move of the files already in the home is recorded in a root-owned
 * state file, /home/.ecryptfs/.setup-USER (cmd-private-setup-home.c), so a
 * rerun after a kill finds its way: in SETUP_PHASE_COPY the plain home is
 * untouched and the run is undone, then done again; in SETUP_PHASE_CLEAR
 * the encrypted home is complete and verified and only the plain copies are
 * left to remove.
 */
enum setup_phase { SETUP_PHASE_COPY = 1, SETUP_PHASE_CLEAR = 2 };
/*
 * -b moves (or, on a rerun, removes) the files of the home: refused while
 * the user has a process, a logind session or a registered session. 0, or
 * -1 after one line.
 */
int setup_check_user_away(struct ect_ctx *ctx, const struct setup *s);
int setup_state_write(struct ect_ctx *ctx, struct setup *s, enum setup_phase phase);
void setup_state_remove(struct setup *s);
/*
 * Before the checks of a -b run: a state file left by a killed run is acted
 * on. 0: nothing (left) to do, go on with a fresh setup; 1: the killed run
 * is finished now; -1 after one line.
 */
int setup_resume(struct ect_ctx *ctx, struct setup *s);
/*
 * -b: one run per user at a time: an exclusive flock on the root-only
 * ECRYPTFS_DIR/.setup-USER.lock, held until setup_unlock (which removes it)
 * or the process ends. -1 after one line when another run holds it.
 */
int setup_lock(struct ect_ctx *ctx, struct setup *s);
void setup_unlock(struct setup *s);

/* -b without a password: the mount passphrase waits in /dev/shm (cmd-private-bootstrap.c). */
bool setup_bootstrap_wanted(const struct setup *s);
/* Refuse (one line) when /dev/shm/.ecryptfs-USER exists: it is not this run's. */
int setup_bootstrap_check(struct ect_ctx *ctx, const struct setup *s);
/* Create it: owner USER, mode 0400, the bare passphrase; never replaces a file. */
int setup_bootstrap_write(struct ect_ctx *ctx, const struct setup *s, const char *pass, size_t len);
/* Whether USER's own file of that name is there. */
bool setup_bootstrap_exists(const struct setup *s);
/* Remove it (a setup undone): only USER's file of that name. */
void setup_bootstrap_remove(const struct setup *s);
/* Say where it waits and what wraps it. */
void setup_bootstrap_done(const struct setup *s);

/* cmd-private-setup-backend.c: the kernel's eCryptfs or ecryptfs-fuse (issue #15) */
/*
 * Refuse (one line, nothing created) when neither can mount the setup, or
 * -b without the kernel's; *fnek: filename encryption is available.
 */
int setup_check_backend(struct ect_ctx *ctx, const struct setup *s, bool *fnek);
/* --fuse: write ~/.ecryptfs/Private.fuse before the self-test mounts. */
int setup_write_fuse_flag(struct ect_ctx *ctx, struct setup *s);
/* Rollback: remove the flag when this run wrote it. */
void setup_remove_fuse_flag(struct setup *s);

#endif /* ECT_CMD_PRIVATE_SETUP_H */
