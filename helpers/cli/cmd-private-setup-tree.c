// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private: the directories of a setup, made and removed
 * only through directory fds (issue #10). With -b the tree under
 * /home/.ecryptfs/USER stays root's and closed to the user until it is
 * complete, then is handed over bottom-up with fchown on the fds; the links
 * in the user's home are made by a child that has become the user. Nothing
 * is chowned, chmod'ed or re-opened by a path the user could swap.
 */
#include "cmd-private-setup.h"
#include "cmd-migrate-home.h" /* mig_remove_contents, mig_uid_present */
#include "home-layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <keyutils.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

bool setup_dir_nonempty(int fd)
{
	int own_fd = fd >= 0 ? openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	struct dirent *e;
	bool ret = false;
	DIR *d;

	if (own_fd < 0)
		return false;
	d = fdopendir(own_fd);
	if (!d) {
		close(own_fd);
		return false;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			ret = true;
	closedir(d);
	return ret;
}

bool setup_exists_at(int dirfd, const char *name)
{
	struct stat st;

	return dirfd >= 0 && !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
}

/* Remove the regular files of a directory this run made, then the directory itself. */
static void remove_dir_made(int parent, struct setup_dir *d)
{
	int own_fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st, now;
	struct dirent *e;
	DIR *dir;

	if (own_fd >= 0 && (dir = fdopendir(own_fd))) {
		while ((e = readdir(dir)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(d->fd, e->d_name, 0);
		closedir(dir);
	} else if (own_fd >= 0) {
		close(own_fd);
	}
	/* the name may have been swapped: remove it only if it is still ours */
	if (!fstat(d->fd, &st) && !fstatat(parent, d->name, &now, AT_SYMLINK_NOFOLLOW) &&
	    st.st_dev == now.st_dev && st.st_ino == now.st_ino)
		unlinkat(parent, d->name, AT_REMOVEDIR);
	d->made = 0;
}

static const char *const written[] = {
	ECT_WRAPPED_PASSPHRASE_FILE, "Private.sig", "Private.mnt", "auto-mount", "auto-umount",
	"wrapping-independent",
};

static void backup_name(char *buf, size_t size, const struct setup *s, const char *name)
{
	snprintf(buf, size, "%s.%s", name, s->backup_ts);
}

static void remove_home_links(struct ect_ctx *ctx, struct setup *s);

/* As the user: empty .Private (arg: a copy of its fd), the encrypted copies of a run undone. */
static int empty_lower(struct ect_ctx *ctx, const struct setup *s, void *arg)
{
	int r = mig_remove_contents(*(int *)arg);

	if (r)
		ect_warn(ctx, "cannot empty %s: %s", s->lower, strerror(-r));
	return r ? -1 : 0;
}

void setup_rollback(struct ect_ctx *ctx, struct setup *s)
{
	char b[256];

	/* the helper needs ~/.ecryptfs to unmount: never remove it under a mount */
	if (setup_unmount_left(ctx, s))
		return;
	if (!s->quiet_rollback)
		ect_warn(ctx, "setup failed; removing what this run created");
	if (s->wrote_files && s->cfgd.fd >= 0) {
		for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++)
			unlinkat(s->cfgd.fd, written[i], 0);
	}
	if (s->backed_up_wp) {
		backup_name(b, sizeof(b), s, ECT_WRAPPED_PASSPHRASE_FILE);
		renameat(s->cfgd.fd, b, s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE);
	}
	if (s->backed_up_sig) {
		backup_name(b, sizeof(b), s, "Private.sig");
		renameat(s->cfgd.fd, b, s->cfgd.fd, "Private.sig");
	}
	/* links to a tree this run did not make belong to the setup -f replaces */
	if (s->made_links && s->cfgd.made)
		remove_home_links(ctx, s);
	/* it was empty before this run (checked); after the handover only the user empties it */
	if (s->handed_over && s->lowerd.fd >= 0) {
		int fd = fcntl(s->lowerd.fd, F_DUPFD_CLOEXEC, 0);

		if (fd >= 0) {
			setup_run_as_user(ctx, s, empty_lower, &fd);
			close(fd);
		}
	}
	if (s->lowerd.made)
		remove_dir_made(s->top.fd, &s->lowerd);
	if (s->mntd.made)
		remove_dir_made(s->top.fd, &s->mntd);
	if (s->cfgd.made)
		remove_dir_made(s->top.fd, &s->cfgd);
	if (s->top.made)
		remove_dir_made(s->ecfd, &s->top);
	if (s->wrote_shm)
		setup_bootstrap_remove(s);
	if (s->bootstrap)
		setup_state_remove(s);
}

/*
 * An existing directory may be the user's or root's, never a third
 * party's. -1 after saying why.
 */
static int check_existing(struct ect_ctx *ctx, const struct setup *s, const struct setup_dir *d)
{
	struct stat st;

	if (fstat(d->fd, &st)) {
		ect_err(ctx, "cannot examine %s: %s", d->path, strerror(errno));
		return -1;
	}
	if (st.st_uid != s->uid && st.st_uid != 0) {
		ect_err(ctx, "%s belongs to uid %u, neither %s nor root; refusing", d->path,
			(unsigned int)st.st_uid, s->name);
		return -1;
	}
	return 0;
}

/* Open d in parent if it exists (phase "check"); 0 also when it does not. */
int setup_open_existing(struct ect_ctx *ctx, const struct setup *s, int parent, struct setup_dir *d)
{
	int r;

	if (parent < 0 || d->fd >= 0)
		return 0;
	r = ect_dir_open_at(parent, d->name, &d->fd);
	if (r == -ENOENT)
		return 0;
	if (r) {
		ect_err(ctx, "%s: %s", d->path,
			r == ECT_E_UNSAFE_PATH ? "a symlink or not a directory; refusing" :
						 ect_strerror(r));
		return -1;
	}
	return check_existing(ctx, s, d);
}

/* Open d in parent, creating it (mode 0700, root's until the handover) when absent. */
static int make_dir(struct ect_ctx *ctx, const struct setup *s, int parent, struct setup_dir *d)
{
	int r;

	if (d->fd >= 0)
		return 0;
	r = ect_dir_make_at(parent, d->name, 0700, &d->made, &d->fd);
	if (r) {
		ect_err(ctx, "cannot create %s: %s", d->path,
			r == ECT_E_UNSAFE_PATH ? "a symlink or not a directory; refusing" :
						 ect_strerror(r));
		return -1;
	}
	return d->made ? 0 : check_existing(ctx, s, d);
}

/* -b: ECRYPTFS_DIR, root's and closed to others, created when absent. */
static int open_ecryptfs_dir(struct ect_ctx *ctx, struct setup *s, bool create)
{
	struct stat st;
	bool made = false;

	if (create && s->ecfd < 0) {
		if (!mkdir(ECRYPTFS_DIR, 0755))
			made = true;
		else if (errno != EEXIST) {
			ect_err(ctx, "cannot create %s: %s", ECRYPTFS_DIR, strerror(errno));
			return -1;
		}
	}
	if (s->ecfd < 0)
		s->ecfd = open(ECRYPTFS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->ecfd < 0 && !create && errno == ENOENT)
		return 0; /* nothing there yet */
	if (s->ecfd < 0) {
		ect_err(ctx, "cannot open %s: %s", ECRYPTFS_DIR, strerror(errno));
		return -1;
	}
	if (fstat(s->ecfd, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		ect_err(ctx, "%s must be a directory of root's that only root can write; refusing",
			ECRYPTFS_DIR);
		return -1;
	}
	if (made && fchmod(s->ecfd, 0755)) {
		ect_err(ctx, "cannot set the mode of %s: %s", ECRYPTFS_DIR, strerror(errno));
		return -1;
	}
	return 0;
}

int setup_open_ecryptfs_dir(struct ect_ctx *ctx, struct setup *s)
{
	return open_ecryptfs_dir(ctx, s, true);
}

/* The directory that holds .ecryptfs and .Private. */
int setup_open_top(struct ect_ctx *ctx, struct setup *s, bool create)
{
	if (!s->bootstrap) {
		if (s->top.fd >= 0)
			return 0;
		/* the user's (or root's own) home, with the caller's rights */
		s->top.fd = open(s->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->top.fd < 0) {
			ect_err(ctx, "cannot open the home %s: %s", s->home, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (open_ecryptfs_dir(ctx, s, create))
		return -1;
	if (create)
		return make_dir(ctx, s, s->ecfd, &s->top);
	return setup_open_existing(ctx, s, s->ecfd, &s->top);
}

/* Become the target user for good: the library's one routine (ids, groups, no way back). */
static int drop_to_user(struct ect_ctx *ctx, const struct setup *s)
{
	int r = ect_become_user(s->uid, s->gid, ECT_GROUPS_USER, s->name);

	if (r == -EPERM)
		ect_err(ctx, "could regain the old ids after switching to %s; refusing", s->name);
	else if (r)
		ect_err(ctx, "cannot switch to %s: %s", s->name, ect_strerror(r));
	return r ? -1 : 0;
}

int setup_check_user_away(struct ect_ctx *ctx, const struct setup *s)
{
	char who[MIG_WHO_MAX] = "";

	/* root's own processes include this one */
	if (s->uid == 0 || !mig_uid_present(ctx, s->uid, who, sizeof(who)))
		return 0;
	ect_err(ctx, "%s is logged in or has processes (%s): log them out and stop their processes "
		     "first; nothing was changed", s->name, who);
	return -1;
}

/* root setting up a user's ~/Private: do it all as that user, in a fresh keyring session */
int setup_become_user(struct ect_ctx *ctx, const struct setup *s)
{
	if (drop_to_user(ctx, s))
		return -1;
	if (keyctl_join_session_keyring(NULL) < 0)
		ect_warn(ctx, "cannot start a keyring session for %s", s->name);
	setenv("HOME", s->home, 1);
	return 0;
}

void setup_close_dirs(struct setup *s)
{
	struct setup_dir *dirs[] = { &s->top, &s->cfgd, &s->lowerd, &s->mntd };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i]->fd >= 0)
			close(dirs[i]->fd);
		dirs[i]->fd = -1;
	}
	if (s->ecfd >= 0)
		close(s->ecfd);
	s->ecfd = -1;
}

/*
 * Run fn(ctx, s, arg) in a child that has become the user, for work in the
 * user's own home: whatever the user races there gains no more than the
 * user's rights. The child dies with this process (a kill -9 of the setup
 * stops it too). Its exit status, or -1.
 */
int setup_run_as_user(struct ect_ctx *ctx, struct setup *s, setup_user_fn fn, void *arg)
{
	pid_t parent = getpid(), pid = cli_private_fork(ctx);

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setup_close_dirs(s); /* root's directory fds stay with root */
		/* so does root's session keyring, which may hold the new home's keys */
		if (keyctl_join_session_keyring(NULL) < 0) {
			ect_err(ctx, "cannot start a keyring session for %s: %s", s->name,
				strerror(errno));
			_exit(1);
		}
		if (drop_to_user(ctx, s))
			_exit(1);
		/* set after the id change, which clears it; the parent may be gone already */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		_exit(fn(ctx, s, arg) ? 1 : 0);
	}
	return cli_private_wait(pid);
}

static int run_as_user(struct ect_ctx *ctx, struct setup *s, setup_user_fn fn)
{
	return setup_run_as_user(ctx, s, fn, NULL) == 0 ? 0 : -1;
}

static const char *const home_links[] = { ".ecryptfs", ".Private" };

void setup_home_layout(const struct setup *s, struct home_layout *l)
{
	*l = (struct home_layout){ s->home, s->cfgdir, s->lower, s->uid, s->gid };
}

/* As the user: ~/.ecryptfs and ~/.Private, symlinks to the -b tree (as 111's ln -sf). */
static int make_home_links(struct ect_ctx *ctx, const struct setup *s, void *unused)
{
	int hfd = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret;
	struct home_layout l;
	struct stat st;

	(void)unused;
	if (hfd < 0) {
		ect_err(ctx, "cannot open the home %s: %s", s->home, strerror(errno));
		return -1;
	}
	/* a bare home an earlier -b left read-only (0500): writable again until this run ends */
	if (!fstat(hfd, &st) && !(st.st_mode & S_IWUSR) && fchmod(hfd, (st.st_mode & 07777) | S_IRWXU))
		ect_warn(ctx, "cannot make %s writable: %s", s->home, strerror(errno));
	setup_home_layout(s, &l);
	ret = home_links_make(ctx, hfd, &l);
	close(hfd);
	return ret;
}

/* As the user: remove the links of make_home_links that still lead to this tree. */
static int unlink_home_links(struct ect_ctx *ctx, const struct setup *s, void *unused)
{
	const char *targets[] = { s->cfgdir, s->lower };
	int hfd = open(s->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];

	(void)ctx;
	(void)unused;
	if (hfd < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		ssize_t n = readlinkat(hfd, home_links[i], buf, sizeof(buf) - 1);

		if (n > 0 && (buf[n] = '\0', !strcmp(buf, targets[i])))
			unlinkat(hfd, home_links[i], 0);
	}
	close(hfd);
	return 0;
}

static void remove_home_links(struct ect_ctx *ctx, struct setup *s)
{
	run_as_user(ctx, s, unlink_home_links);
}

/*
 * Create the directories this run needs; from here on a failure rolls
 * back. With -b they stay root's until setup_hand_over, so the user cannot
 * reach them while root writes inside.
 */
int setup_make_tree(struct ect_ctx *ctx, struct setup *s)
{
	if (setup_open_top(ctx, s, true) || make_dir(ctx, s, s->top.fd, &s->cfgd) ||
	    make_dir(ctx, s, s->top.fd, &s->lowerd))
		return -1;
	if (!s->bootstrap && make_dir(ctx, s, s->top.fd, &s->mntd))
		return -1;
	if (s->bootstrap) {
		s->made_links = true;
		if (run_as_user(ctx, s, make_home_links))
			return -1;
	}
	return 0;
}

/* -f: keep the old wrapped-passphrase and Private.sig as NAME.TIMESTAMP. */
void setup_back_up(struct setup *s)
{
	time_t now = time(NULL);
	struct tm tm;
	char b[256];

	strftime(s->backup_ts, sizeof(s->backup_ts), "%Y%m%d%H%M%S", localtime_r(&now, &tm));
	backup_name(b, sizeof(b), s, ECT_WRAPPED_PASSPHRASE_FILE);
	s->backed_up_wp = !renameat(s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE, s->cfgd.fd, b);
	backup_name(b, sizeof(b), s, "Private.sig");
	s->backed_up_sig = !renameat(s->cfgd.fd, "Private.sig", s->cfgd.fd, b);
}

/*
 * -b, last step: give the finished tree to the user, bottom-up and only on
 * fds, so the user never owns a directory root is still writing in.
 */
int setup_hand_over(struct ect_ctx *ctx, struct setup *s)
{
	struct setup_dir *dirs[] = { &s->cfgd, &s->lowerd, &s->top };

	s->handed_over = true;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i]->made && fchown(dirs[i]->fd, s->uid, s->gid)) {
			ect_err(ctx, "cannot give %s to %s: %s", dirs[i]->path, s->name,
				strerror(errno));
			return -1;
		}
	}
	/* 111's mkdir -p leaves /home/.ecryptfs/USER 0755; what is secret inside is 0700 */
	if (s->top.made && fchmod(s->top.fd, 0755)) {
		ect_err(ctx, "cannot set the mode of %s: %s", s->top.path, strerror(errno));
		return -1;
	}
	return 0;
}


/* As the user: the bare home (never a mount on it) emptied of the plain copies, then closed. */
static int clear_bare(struct ect_ctx *ctx, const struct setup *s, void *unused)
{
	int bare = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = -1;
	struct home_layout l;
	struct statfs sfs;
	struct stat st;

	(void)unused;
	if (bare < 0 || fstatfs(bare, &sfs) || fstat(bare, &st)) {
		ect_err(ctx, "cannot open the home %s: %s", s->home, strerror(errno));
		goto out;
	}
	/* the home the copy was verified for, not whatever has its name now */
	if (s->home_id.st_ino && (st.st_dev != s->home_id.st_dev || st.st_ino != s->home_id.st_ino)) {
		ect_err(ctx, "%s is no longer the directory whose files were copied; its files stay",
			s->home);
		goto out;
	}
	if ((unsigned long)sfs.f_type == ECT_ECRYPTFS_MAGIC || st.st_uid != s->uid) {
		ect_err(ctx, "%s is mounted (is %s logged in?) or not %s's; the plain copies under it "
			     "stay until it is unmounted and this is run again", s->home, s->name, s->name);
		goto out;
	}
	/* 0500 once a killed run got that far */
	if (!(st.st_mode & S_IWUSR) && fchmod(bare, (st.st_mode & 07777) | S_IRWXU)) {
		ect_err(ctx, "cannot make %s writable: %s", s->home, strerror(errno));
		goto out;
	}
	setup_home_layout(s, &l);
	r = home_clear_bare(ctx, &l, bare);
out:
	if (bare >= 0)
		close(bare);
	return r;
}

int setup_clear_bare(struct ect_ctx *ctx, struct setup *s)
{
	return setup_run_as_user(ctx, s, clear_bare, NULL) == 0 ? 0 : -1;
}
