// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Private mode: mount.ecryptfs_private [ALIAS] and
 * umount.ecryptfs_private [-f] [-d] [ALIAS], with ecryptfs-utils 111's
 * semantics (~/.ecryptfs/ALIAS.conf + ALIAS.sig, default ~/.Private on
 * Private.mnt or ~/Private) and its CVE lessons applied:
 *  - everything here runs with the user's effective ids; only the steps in
 *    privilege.c raise them;
 *  - paths are opened through fds (pathwalk.c; ~/.ecryptfs and the lower
 *    directory by a child that is the user for good, mount-asuser.c, then
 *    checked again here) and the checked fd is the one
 *    mounted on; lower and upper directories must be owned by the user and on
 *    an allowlisted filesystem; the kernel re-checks the lower owner
 *    (ecryptfs_check_dev_ruid, always on);
 *  - keys must already be in the user's keyring: nothing is derived, nothing
 *    prompted, libgcrypt is never initialised;
 *  - a per-user lock serialises concurrent calls and the session registry
 *    (sessions.c) decides when the last session unmounts.
 */
#include "mount-helper.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <keyutils.h>

static void usage(struct ect_ctx *ctx, int umount)
{
	if (umount)
		fprintf(stderr, "Usage: umount.ecryptfs_private [-f] [-d] [ALIAS]\n");
	else
		fprintf(stderr, "Usage: mount.ecryptfs_private [ALIAS]\n");
	(void)ctx;
}

int mh_private_parse_args(struct ect_ctx *ctx, struct private_req *r, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1]) {
			for (const char *c = a + 1; *c; c++) {
				if (*c == 'f' && r->umount) {
					r->force = 1;
				} else if (*c == 'd' && r->umount) {
					r->delayed = 1;
				} else if (*c == 'h') {
					usage(ctx, r->umount);
					return ECT_MNT_USAGE;
				} else {
					ect_err(ctx, "unknown option '-%c'", *c);
					usage(ctx, r->umount);
					return ECT_MNT_USAGE;
				}
			}
		} else if (!r->alias) {
			r->alias = a;
		} else {
			ect_err(ctx, "only one ALIAS may be given");
			return ECT_MNT_USAGE;
		}
	}
	if (r->alias && ect_alias_check(r->alias)) {
		ect_err(ctx, "refusing alias: it must be 1-%d characters without '/', '..', ',' or "
			     "control characters (tab, newline, ...)", ECT_ALIAS_MAX);
		return ECT_MNT_FAIL;
	}
	return 0;
}

static int keys_present(struct ect_ctx *ctx, const struct ect_config_sigs *sigs)
{
	const char *need[2] = { sigs->fekek, sigs->fnek };

	for (int i = 0; i < 2; i++) {
		if (!need[i][0])
			continue;
		if (ect_keyring_find(need[i]) < 0) {
			ect_err(ctx, "key %s is not in your keyring (@u); run ecryptfs-mount-private, or "
				     "ecryptfs-insert-wrapped-passphrase-into-keyring first", need[i]);
			return 0;
		}
	}
	return 1;
}

/*
 * A directory of the user's (the lower one), opened by a child that is the
 * user for good and checked again here (mount-asuser.c): an ecryptfs-fuse
 * mount admits no process that keeps root as its saved uid (issue 15).
 */
static int user_dir(struct ect_ctx *ctx, struct mh_priv *p, const char *path, unsigned int flags,
		    int *fd, char **canonical)
{
	const struct mh_user_path what = { .kind = MH_USER_DIR, .path = path, .flags = flags };

	return mh_user_open(ctx, p, &what, fd, canonical);
}

static void session_name(char *buf, size_t size, const char *alias)
{
	snprintf(buf, size, "%s.sessions", alias);
}

/* The registry's record of the mount private mode made for alias (issue #10 finding 5). */
static void record_name(char *buf, size_t size, const char *alias)
{
	snprintf(buf, size, "%s.mount", alias);
}

/*
 * Is the alias mounted? By identity only (issue #10): tfd is the root of
 * an eCryptfs mount stacked on sfd. Never by the strings of the mount table,
 * which another user's mount can make say anything. 1, 0, or -1 (logged)
 * when the table cannot be read or tfd holds another eCryptfs mount.
 */
static int mounted_over(struct ect_ctx *ctx, int tfd, int sfd, const char *dst, int *id,
			struct ect_mount_entry *row)
{
	int r = ect_mount_find_over(NULL, tfd, sfd, id, row);

	if (r < 0) {
		ect_err(ctx, "cannot read the mount table: %s", ect_strerror(r));
		return -1;
	}
	if (r == 0 && ect_mount_find_over(NULL, tfd, -1, NULL, NULL) == 1) {
		ect_err(ctx, "refusing: %s holds an eCryptfs mount of another directory", dst);
		return -1;
	}
	return r;
}

/*
 * Mount through ecryptfs-fuse as the user, then record it by the mount id
 * the kernel gives it (the root is the user's daemon's: not looked into).
 */
static int fuse_mount(struct ect_ctx *ctx, struct mh_priv *p, const struct ect_private_config *cfg,
		      int statefd, int sfd, int tfd, const char *src, const char *dst,
		      const char *opts)
{
	struct ect_mount_record made = { .mount_id = -1 };
	struct ect_mount_entry *row = calloc(1, sizeof(*row));
	char regname[ECT_ALIAS_MAX + 16];
	struct stat l, t;
	int ret = ECT_MNT_FAIL, r;
	bool opened_up = false;

	if (!row || fstat(tfd, &t))
		goto out;
	/*
	 * fusermount3 wants a mount point its user may write; setup-private
	 * leaves it 0500 (111's read-only reminder). Through the checked fd,
	 * with the user's own right as its owner, and back after.
	 */
	if (!(t.st_mode & S_IWUSR)) {
		if (fchmod(tfd, (t.st_mode & 07777) | S_IWUSR)) {
			ect_err(ctx, "cannot make %s writable for fusermount3: %s", dst, strerror(errno));
			goto out;
		}
		opened_up = true;
	}
	ret = mh_fuse_mount(ctx, p, src, dst, opts);
	if (opened_up && fchmod(tfd, t.st_mode & 07777))
		ect_warn(ctx, "could not give %s its mode %04o back: %s", dst,
			 (unsigned int)(t.st_mode & 07777), strerror(errno));
	if (ret)
		goto out;
	/* fusermount3 resolved dst again: the new mount must sit on the very name checked */
	r = mh_fuse_mounted(ctx, p->uid, cfg->mountpoint, src, &made.mount_id, row);
	if (r != 1 || strcmp(row->point, dst) || fstat(sfd, &l)) {
		ect_err(ctx, "ecryptfs-fuse ran, but %s is not its mount of %s (is the last name of "
			     "%s a symbolic link?); see findmnt %s", dst, src, cfg->mountpoint, dst);
		ret = ECT_MNT_FAIL;
		goto out;
	}
	made.lower_dev = (unsigned long long)l.st_dev;
	made.lower_ino = (unsigned long long)l.st_ino;
	record_name(regname, sizeof(regname), cfg->alias);
	r = mh_priv_mount_record(p, ctx, statefd, regname, &made);
	if (r)
		ect_warn(ctx, "mounted, but not recorded (%s): umount.ecryptfs_private will not "
			      "unmount %s", ect_strerror(r), dst);
out:
	free(row);
	return ret;
}

/*
 * Through the kernel on the checked fds; -ENODEV (no eCryptfs in this
 * kernel, none it could load) sends the caller to ecryptfs-fuse.
 */
static int kernel_mount(struct ect_ctx *ctx, struct mh_priv *p, const struct ect_private_config *cfg,
			int statefd, int sfd, int tfd, const char *src, const char *dst,
			const char *opts)
{
	char regname[ECT_ALIAS_MAX + 16];
	struct ect_mount_record made;
	struct mh_priv_mount_req mr = {
		.src = src, .lower_fd = sfd, .target_fd = tfd, .target = dst, .mtab = 1,
		.flags = MS_NOSUID | MS_NODEV, .opts = opts,
		.record_dirfd = statefd, .record_name = regname,
	};
	int r;

	/* recorded before it is attached: a kill cannot leave it unrecorded */
	record_name(regname, sizeof(regname), cfg->alias);
	r = mh_priv_mount(p, ctx, &mr, &made);
	if (r == -ENODEV && ect_fuse_program_available()) {
		ect_info(ctx, "this kernel has no eCryptfs: mounting %s with ecryptfs-fuse", dst);
		return -ENODEV;
	}
	if (r) {
		if (r == -EPERM)
			ect_err(ctx, "mount of %s on %s failed: the kernel refused (is %s yours?)",
				src, dst, src);
		else if (r == -ENODEV)
			ect_err(ctx, "mount failed: this kernel has no eCryptfs (modprobe ecryptfs) "
				     "and %s is not installed", ECT_FUSE_PROGRAM);
		else if (r != ECT_E_UNSAFE_PATH)
			ect_err(ctx, "mount of %s on %s failed: %s", src, dst, ect_strerror(r));
		return ECT_MNT_FAIL;
	}
	/* again for Linux < 5.2, where the mount is made by path */
	r = made.mount_id < 0 ? -EIO : mh_priv_mount_record(p, ctx, statefd, regname, &made);
	if (r)
		ect_warn(ctx, "mounted, but not recorded (%s): umount.ecryptfs_private will not "
			      "unmount %s", ect_strerror(r), dst);
	return ECT_MNT_OK;
}

static int do_mount(struct ect_ctx *ctx, struct mh_priv *p, const struct ect_private_config *cfg,
		    int statefd)
{
	char opts[ECT_MOUNT_OPTS_MAX], *src = NULL, *dst = NULL, regname[ECT_ALIAS_MAX + 16];
	struct ect_mount_entry *row = calloc(1, sizeof(*row));
	struct ect_session_id self;
	int sfd = -1, tfd = -1, ret = ECT_MNT_FAIL, r, n;
	bool has_self;
	const unsigned int flags = ECT_PATH_CHECK_OWNER | ECT_PATH_CHECK_FSTYPE;

	if (!row)
		goto out;
	if (!keys_present(ctx, &cfg->sigs)) {
		ret = ECT_MNT_NO_KEY;
		goto out;
	}
	/* The kernel finds the keys through the session keyring. */
	if (ect_keyring_link_user_session())
		ect_debug(ctx, "could not link @u into @s");
	if (user_dir(ctx, p, cfg->source, flags, &sfd, &src))
		goto out;
	r = ect_private_mount_opts(cfg->sigs.fekek, cfg->sigs.fnek, opts, sizeof(opts));
	if (r) {
		ect_err(ctx, "refusing signatures in %s.sig: %s", cfg->alias, ect_strerror(r));
		goto out;
	}
	/* outside a login session nothing is registered (doc/session-counter.md) */
	r = mh_priv_session_current(p, ctx, &self);
	has_self = r == 0;
	if (r && r != -ESRCH)
		ect_warn(ctx, "cannot identify your login session (%s): this mount is not counted",
			 ect_strerror(r));
	/* a FUSE mount first: its root is not ours to open */
	r = mh_fuse_mounted(ctx, p->uid, cfg->mountpoint, src, NULL, row);
	if (r < 0)
		goto out;
	if (r == 0) {
		if (ect_path_open_dir(ctx, cfg->mountpoint, p->uid, flags, &tfd, &dst))
			goto out;
		r = mounted_over(ctx, tfd, sfd, dst, NULL, NULL);
		if (r < 0)
			goto out;
	}
	if (r) {
		ect_info(ctx, "%s is already mounted", dst ? dst : cfg->mountpoint);
	} else {
		r = -ENODEV;
		if (!(cfg->flags & ECT_FLAG_FUSE))
			r = kernel_mount(ctx, p, cfg, statefd, sfd, tfd, src, dst, opts);
		if (r == -ENODEV)
			r = fuse_mount(ctx, p, cfg, statefd, sfd, tfd, src, dst, opts);
		if (r) {
			ret = r;
			goto out;
		}
	}
	session_name(regname, sizeof(regname), cfg->alias);
	n = mh_priv_sessions_update(p, ctx, statefd, regname, ECT_SESSION_ADD,
				     has_self ? &self : NULL, 1);
	if (n < 0)
		ect_warn(ctx, "mounted, but the session registry could not be updated: %s",
			 ect_strerror(n));
	ret = ECT_MNT_OK;
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	free(row);
	free(src);
	free(dst);
	return ret;
}

/*
 * The mount on tfd over sfd must be the one private mode made for this
 * alias: the registry's record names its mount id, superblock, root and
 * lower directory. A root-mode mount (or one made before the record
 * existed) is not the user's to unmount, even over their own directory.
 */
static bool made_by_us(struct ect_ctx *ctx, struct mh_priv *p, int statefd, const char *alias,
		       int tfd, int sfd)
{
	struct ect_mount_record want, have;
	char name[ECT_ALIAS_MAX + 16];

	record_name(name, sizeof(name), alias);
	if (mh_priv_mount_record_load(p, ctx, statefd, name, &want) ||
	    ect_mount_record_of(tfd, sfd, &have))
		return false;
	return want.mount_id == have.mount_id && want.dev == have.dev && want.ino == have.ino &&
	       want.lower_dev == have.lower_dev && want.lower_ino == have.lower_ino;
}

/*
 * The same for an ecryptfs-fuse mount, found by its mount id (its root is
 * not ours to fstat): the id recorded and the lower directory checked.
 */
static bool fuse_made_by_us(struct ect_ctx *ctx, struct mh_priv *p, int statefd,
			    const char *alias, int mount_id, int sfd)
{
	struct ect_mount_record want;
	char name[ECT_ALIAS_MAX + 16];
	struct stat l;

	record_name(name, sizeof(name), alias);
	if (mh_priv_mount_record_load(p, ctx, statefd, name, &want) || fstat(sfd, &l))
		return false;
	return want.mount_id == mount_id && want.lower_dev == (unsigned long long)l.st_dev &&
	       want.lower_ino == (unsigned long long)l.st_ino;
}

/* What an unmount checked: the two directories and the mount found on them. */
struct umount_target {
	int tfd, sfd;
	const char *src, *dst;
	const struct ect_mount_entry *row;
	int mounted;
	int fuse_id;	/* >= 0: an ecryptfs-fuse mount, this mount id; tfd and row unused */
};

/*
 * The checks of an unmount, up to and with the session registry.
 * 1: go ahead; 0: refused (logged); -1: nothing to do, success (-d).
 */
static int umount_allowed(struct ect_ctx *ctx, struct mh_priv *p, const struct private_req *req,
			  const struct ect_private_config *cfg, int have_sigs, int statefd,
			  const struct umount_target *t)
{
	const char *src = t->src, *dst = t->dst;
	int mounted = t->mounted;
	char want[64], regname[ECT_ALIAS_MAX + 16];
	struct ect_session_id self;
	bool has_self;
	int r, left;

	/* an ecryptfs-fuse mount shows no key: its options went to the user's daemon */
	if (mounted && have_sigs && t->fuse_id < 0) {
		/* the mount must be the one made with this alias's key */
		snprintf(want, sizeof(want), "ecryptfs_sig=%s", cfg->sigs.fekek);
		if (!strstr(t->row->opts, want)) {
			ect_err(ctx, "refusing: %s is mounted with a different key than %s.sig names",
				dst, cfg->alias);
			return 0;
		}
	}
	if (mounted && !(t->fuse_id >= 0 ?
				 fuse_made_by_us(ctx, p, statefd, cfg->alias, t->fuse_id, t->sfd) :
				 made_by_us(ctx, p, statefd, cfg->alias, t->tfd, t->sfd))) {
		ect_err(ctx, "refusing: %s was not mounted by mount.ecryptfs_private for you (or "
			     "before it kept a record); root can unmount it with umount", dst);
		return 0;
	}
	if (!mounted) {
		record_name(regname, sizeof(regname), cfg->alias);
		(void)mh_priv_mount_record(p, ctx, statefd, regname, NULL);
	}
	r = mh_priv_session_current(p, ctx, &self);
	has_self = r == 0;
	/*
	 * Not knowing which session we are (e.g. /proc hidden from us) must
	 * never unmount a home other sessions still use: keep it mounted.
	 */
	if (r && r != -ESRCH && mounted && !req->force) {
		ect_err(ctx, "cannot identify your login session (%s; is /proc mounted with hidepid?): "
			     "not unmounting %s; use -f to force", ect_strerror(r), dst);
		return 0;
	}
	session_name(regname, sizeof(regname), cfg->alias);
	left = mh_priv_sessions_update(p, ctx, statefd, regname,
					req->force ? ECT_SESSION_CLEAR : ECT_SESSION_REMOVE,
					has_self ? &self : NULL, mounted);
	if (left < 0) {
		ect_err(ctx, "cannot update the session registry: %s", ect_strerror(left));
		return 0;
	}
	if (!mounted) {
		ect_err(ctx, "%s is not mounted from %s", dst, src);
		return 0;
	}
	if (left > 0) {
		if (req->delayed)
			ect_info(ctx, "%d other session(s) still use %s; not unmounting", left, dst);
		else
			ect_err(ctx, "sessions still open (%d), not unmounting %s; use -f to force", left,
				dst);
		return req->delayed ? -1 : 0;
	}
	return 1;
}

/* Unmount what umount_allowed let through: the kernel's by the checked fd, FUSE's as the user. */
static int umount_checked(struct ect_ctx *ctx, struct mh_priv *p, const struct umount_target *t)
{
	if (t->fuse_id < 0)
		return mh_priv_umount(p, ctx, t->tfd, t->row, ECT_UMOUNT_LAZY);
	return mh_fuse_umount(ctx, p, t->row->point);
}

static int do_umount(struct ect_ctx *ctx, struct mh_priv *p, const struct private_req *req,
		     const struct ect_private_config *cfg, int have_sigs, int statefd)
{
	char *src = NULL, *dst = NULL, regname[ECT_ALIAS_MAX + 16];
	struct ect_mount_entry *row = calloc(1, sizeof(*row));
	struct umount_target t = { .tfd = -1, .fuse_id = -1 };
	int tfd = -1, sfd = -1, ret = ECT_MNT_FAIL, r, mounted, fuse_id = -1;

	if (!row)
		goto out;
	if (user_dir(ctx, p, cfg->source, ECT_PATH_CHECK_OWNER, &sfd, &src))
		goto out;
	/* an ecryptfs-fuse mount by its row on the parent: its root is not ours to open */
	mounted = mh_fuse_mounted(ctx, p->uid, cfg->mountpoint, src, &fuse_id, row);
	if (mounted < 0)
		goto out;
	if (!mounted) {
		if (ect_path_open_dir(ctx, cfg->mountpoint, p->uid, ECT_PATH_CHECK_OWNER, &tfd,
				      &dst))
			goto out;
		/* by identity: tfd is the root of an eCryptfs mount over sfd (issue #10) */
		mounted = mounted_over(ctx, tfd, sfd, dst, NULL, row);
		if (mounted < 0)
			goto out;
	}
	t = (struct umount_target){
		.tfd = tfd, .sfd = sfd, .src = src, .dst = dst ? dst : row->point, .row = row,
		.mounted = mounted, .fuse_id = fuse_id,
	};
	r = umount_allowed(ctx, p, req, cfg, have_sigs, statefd, &t);
	if (r <= 0) {
		ret = r < 0 ? ECT_MNT_OK : ECT_MNT_FAIL;
		goto out;
	}
	/* 111: drop the keys so that root cannot mount without the user */
	if (have_sigs) {
		ect_keyring_unlink(cfg->sigs.fekek);
		if (cfg->sigs.fnek[0])
			ect_keyring_unlink(cfg->sigs.fnek);
	}
	r = umount_checked(ctx, p, &t);
	if (!r) {
		record_name(regname, sizeof(regname), cfg->alias);
		(void)mh_priv_mount_record(p, ctx, statefd, regname, NULL);
	}
	mh_priv_drop(p, ctx);
	if (r) {
		ect_err(ctx, "unmount of %s failed: %s", t.dst, ect_strerror(r));
		goto out;
	}
	ret = ECT_MNT_OK;
out:
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	free(row);
	free(src);
	free(dst);
	return ret;
}

/* name, a real directory below dirfd (no symlink), owned by uid; -1 otherwise. */
static int open_owned_dir_at(int dirfd, const char *name, uid_t uid, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, st) || !S_ISDIR(st->st_mode) || st->st_uid != uid)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * A whole home whose ecryptfs-fuse daemon died: every name in it is
 * ENOTCONN, ~/.ecryptfs too, yet the mount is there and the keys are in
 * the keyring. To unmount it and drop them, the configuration is read
 * where setup-private -b keeps it, ECT_HOME_TREE/USER/.ecryptfs, with
 * pam_ecryptfs's rules: the tree root's and closed to others (root's own
 * symlinks may lead to it, as /home -> var/home), then each step opened
 * through its parent's fd without following a symlink and checked by
 * fstat of that fd: USER's directory the user's, .ecryptfs the user's and
 * closed to others. *tree: ECT_HOME_TREE/USER, the home the
 * configuration's defaults (.Private) are taken from.
 */
static int home_tree_config(struct ect_ctx *ctx, struct mh_priv *p, const char *name, int *cfgfd,
			    char **tree)
{
	struct stat st;
	int top = -1, user = -1, r;

	*tree = NULL;
	*cfgfd = -1;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return ECT_E_UNSAFE_PATH;
	r = ect_path_open_dir(ctx, ECT_HOME_TREE, 0, ECT_PATH_CHECK_OWNER, &top, NULL);
	if (!r && (fstat(top, &st) || (st.st_mode & (S_IWGRP | S_IWOTH))))
		r = ECT_E_UNSAFE_PATH;
	if (!r) {
		user = open_owned_dir_at(top, name, p->uid, &st);
		*cfgfd = user < 0 ? -1 : open_owned_dir_at(user, ECT_CONFIG_DIR_NAME, p->uid, &st);
		if (*cfgfd < 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
			r = ECT_E_UNSAFE_PATH;
	}
	if (!r && asprintf(tree, "%s/%s", ECT_HOME_TREE, name) < 0) {
		*tree = NULL;
		r = -ENOMEM;
	}
	if (r && *cfgfd >= 0) {
		close(*cfgfd);
		*cfgfd = -1;
	}
	if (user >= 0)
		close(user);
	if (top >= 0)
		close(top);
	if (!r)
		ect_info(ctx, "your home answers ENOTCONN (its ecryptfs-fuse daemon died?): using "
			      "%s/%s/%s", ECT_HOME_TREE, name, ECT_CONFIG_DIR_NAME);
	return r;
}

int mh_private_main(struct ect_ctx *ctx, struct mh_priv *p, int umount, int argc, char **argv)
{
	struct private_req req = { .umount = umount };
	struct ect_private_config cfg = { 0 };
	struct ect_config_error cerr;
	struct passwd *pw;
	char ebuf[256], *tree = NULL;
	int ret, statefd = -1, lockfd = -1, cfgfd = -1, r;

	ret = mh_private_parse_args(ctx, &req, argc, argv);
	if (ret)
		goto out;
	ret = ECT_MNT_FAIL;
	pw = getpwuid(p->uid);
	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/') {
		ect_err(ctx, "cannot find your home directory (uid %u)", (unsigned int)p->uid);
		goto out;
	}
	if (ect_username_check(pw->pw_name)) {
		ect_err(ctx, "refusing user name '%s': unusual characters", pw->pw_name);
		goto out;
	}
	/* as the user: a whole home's ~/.ecryptfs is a link inside its FUSE mount (issue 15) */
	r = mh_user_open(ctx, p, &(struct mh_user_path){ MH_USER_CONFIG_DIR, pw->pw_dir, 0 },
			 &cfgfd, NULL);
	if (r == -ENOTCONN && umount)
		r = home_tree_config(ctx, p, pw->pw_name, &cfgfd, &tree);
	if (r) {
		ect_err(ctx, "refusing %s/.ecryptfs: %s", pw->pw_dir, ect_strerror(r));
		goto out;
	}
	memset(&cerr, 0, sizeof(cerr));
	r = ect_private_config_load(cfgfd, p->uid, tree ? tree : pw->pw_dir, req.alias, &cfg, &cerr);
	if (r) {
		if (cerr.file[0])
			ect_err(ctx, "~/.ecryptfs/%s", ect_config_error_format(&cerr, ebuf, sizeof(ebuf)));
		else
			ect_err(ctx, "cannot read the configuration of '%s': %s",
				req.alias ? req.alias : "Private", ect_strerror(r));
		goto out;
	}
	/*
	 * Privileged step 1, only for a user with a valid configuration: the
	 * root-owned state directory and the user's lock (nothing else in /run).
	 */
	if (mh_priv_state_dir(p, ctx, &statefd, &lockfd))
		goto out;
	if (umount)
		ret = do_umount(ctx, p, &req, &cfg, 1, statefd);
	else
		ret = do_mount(ctx, p, &cfg, statefd);
out:
	mh_priv_drop(p, ctx);
	ect_private_config_free(&cfg);
	free(tree);
	if (cfgfd >= 0)
		close(cfgfd);
	if (lockfd >= 0)
		close(lockfd);
	if (statefd >= 0)
		close(statefd);
	return ret;
}
