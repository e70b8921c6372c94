/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole encrypted home as ecryptfs-utils 111's `ecryptfs-setup-private
 * -b` leaves it, for setup-private -b and migrate-home:
 *
 *   /home/.ecryptfs/USER/.ecryptfs   configuration (Private.mnt = HOME)
 *   /home/.ecryptfs/USER/.Private    the lower (encrypted) directory
 *   HOME/.ecryptfs, HOME/.Private    symlinks to those two, both in the bare
 *                                    directory and inside the mounted home
 *   HOME/README.txt, HOME/Access-Your-Private-Data.desktop
 *                                    symlinks in the bare directory only
 *   HOME (bare)                      mode 0500, so nothing lands there unencrypted
 *
 * Root mounts the new home (in a mount namespace of its own, so that a kill
 * leaves no mount behind) while the tree is still root's and closed to the
 * user (a user swapping names there cannot redirect it); everything done in
 * the user's own home then runs as the user, so whatever the user races
 * there gains no more than the user's rights.
 */
#ifndef ECT_HOME_LAYOUT_H
#define ECT_HOME_LAYOUT_H

#include "cmd-private.h"

#include <sys/types.h>

/*
 * Installed by this package (helpers/cli/cli-private.am) at ecryptfs-utils
 * 111's path, $(datadir)/ecryptfs-utils: the links 111 made keep working.
 */
#ifndef ECT_HOME_INFO_DIR
#define ECT_HOME_INFO_DIR "/usr/share/ecryptfs-utils"
#endif
#define HOME_README_TARGET ECT_HOME_INFO_DIR "/ecryptfs-mount-private.txt"
#define HOME_DESKTOP_TARGET ECT_HOME_INFO_DIR "/ecryptfs-mount-private.desktop"

struct home_layout {
	const char *home;   /* the mount point, the user's home */
	const char *cfgdir; /* /home/.ecryptfs/USER/.ecryptfs */
	const char *lower;  /* /home/.ecryptfs/USER/.Private */
	uid_t uid;
	gid_t gid;
};

/* setup_populate_home's results besides 0. */
enum home_populate_result {
	HOME_NOTHING_MOVED = 1, /* failed; the bare home is as it was, the setup may be rolled back */
	HOME_PART_MOVED = 2,	/* the encrypted home is complete, plain copies remain: keep the setup */
};

/* HOME/.ecryptfs and HOME/.Private in dirfd, replacing what has those names (111's ln -sf). */
int home_links_make(struct ect_ctx *ctx, int dirfd, const struct home_layout *l);
/*
 * Refuse (-1, one line naming the entry) a tree that cannot move into
 * eCryptfs as the user: entries of another owner, devices or sockets,
 * names over 143 bytes when file names are encrypted.
 */
int home_check_movable(struct ect_ctx *ctx, int dirfd, const char *path, const struct home_layout *l,
		       bool fnek);
/*
 * The root of the eCryptfs mount now on l->home, checked by identity: stacked
 * on the directory lower (an fd), and not the bare directory bare. 0 and
 * *mfd, or -1 after one line.
 */
int home_open_mounted(struct ect_ctx *ctx, const struct home_layout *l, int bare, int lower, int *mfd);
/* target is what the bare home's README.txt or desktop link leads to. */
bool home_info_target(const char *target);
/*
 * The move of the files already in the home, in three steps that each run as
 * the user, so that a kill at any point loses nothing (the caller records the
 * step reached, see cmd-private-setup-state.c):
 * home_copy_in: with the new home mounted (mfd its root) over the bare
 * directory bare, link .ecryptfs and .Private inside and copy every entry of
 * the bare home in (owners, modes, xattrs, hard links kept; migrate-home's
 * resumable copy), after checking it fits; the bare home is not changed.
 * home_verify_in: compare every entry through the mount, then set the exact
 * times on the lower inodes (lower: the lower directory's fd).
 * home_clear_bare: once the copy is verified, remove the plain entries of the
 * bare home (never the layout's links), then add the README and desktop links
 * and make it 0500. Each: 0, or -1 after one line.
 */
int home_copy_in(struct ect_ctx *ctx, const struct home_layout *l, int bare, int mfd, bool fnek);
int home_verify_in(struct ect_ctx *ctx, const struct home_layout *l, int bare, int mfd, int lower);
int home_clear_bare(struct ect_ctx *ctx, const struct home_layout *l, int bare);

#endif /* ECT_HOME_LAYOUT_H */
