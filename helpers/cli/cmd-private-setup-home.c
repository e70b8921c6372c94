// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private -b: the files already in the home go into the new
 * encrypted home, so that a kill -9 or a power loss at any point loses
 * nothing and a rerun of the same command finishes the job.
 *
 * Root mounts the new home in a mount namespace of its own (a kill takes
 * the mount with it), by directory fds; the rest runs in
 * children that have become the user: copy every entry in (migrate-home's
 * resumable tree copy: hard links stay links), verify it through the mount,
 * and only then remove the plain entries. A root-owned state file in the
 * root-only /home/.ecryptfs records how far the run got: before the
 * verified copy (SETUP_PHASE_COPY) the plain home is untouched and a rerun
 * undoes the killed run and sets up afresh; after it (SETUP_PHASE_CLEAR) a
 * rerun only removes the plain copies left, which needs no secret.
 */
#include "cmd-private-setup.h"
#include "home-layout.h"

#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define STATE_PREFIX SETUP_STATE_PREFIX
#define STATE_MAX 1024

/* ---- the state file ---- */

static void state_name(const struct setup *s, char *buf, size_t size)
{
	snprintf(buf, size, STATE_PREFIX "%s", s->name);
}

int setup_state_write(struct ect_ctx *ctx, struct setup *s, enum setup_phase phase)
{
	char buf[STATE_MAX], name[300];
	int n, r;

	state_name(s, name, sizeof(name));
	n = snprintf(buf, sizeof(buf),
		     "# ecryptfs-setup-private -b of %s: do not edit; run it again to finish\n"
		     "uid=%u\nphase=%d\nmade_top=%d\nmade_cfg=%d\nmade_lower=%d\nbackup=%s\n"
		     "backed_up_wp=%d\nbacked_up_sig=%d\nshm=%d\nhome=%llu:%llu\nlower=%llu:%llu\n",
		     s->name, (unsigned int)s->uid, (int)phase, s->top.made, s->cfgd.made,
		     s->lowerd.made, s->backup_ts[0] ? s->backup_ts : "-", s->backed_up_wp,
		     s->backed_up_sig, setup_bootstrap_wanted(s),
		     (unsigned long long)s->home_id.st_dev, (unsigned long long)s->home_id.st_ino,
		     (unsigned long long)s->lower_id.st_dev, (unsigned long long)s->lower_id.st_ino);
	r = ect_write_file_atomic_at(s->ecfd, name, buf, (size_t)n, 0600, 0, 0);
	if (r)
		ect_err(ctx, "cannot write the state file %s/%s: %s", ECRYPTFS_DIR, name,
			ect_strerror(r));
	return r ? -1 : 0;
}

void setup_state_remove(struct setup *s)
{
	char name[300];

	state_name(s, name, sizeof(name));
	if (s->ecfd >= 0 && !unlinkat(s->ecfd, name, 0))
		fsync(s->ecfd);
}

struct state {
	int phase, made_top, made_cfg, made_lower, wp, sig, shm;
	char backup[32];
	unsigned long long home_dev, home_ino, lower_dev, lower_ino;
};

/* 1 and *st when there is a state file, 0 when none, -1 after one line. */
static int state_read(struct ect_ctx *ctx, const struct setup *s, struct state *st)
{
	char buf[STATE_MAX], name[300], *line, *save = NULL;
	unsigned int uid = (unsigned int)-1;
	struct stat fst;
	ssize_t n = -1;
	int fd;

	state_name(s, name, sizeof(name));
	fd = openat(s->ecfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0 && !fstat(fd, &fst) && S_ISREG(fst.st_mode) && fst.st_uid == 0 &&
	    !(fst.st_mode & 077))
		n = read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	memset(st, 0, sizeof(*st));
	for (buf[n > 0 ? n : 0] = '\0', line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		sscanf(line, "uid=%u", &uid);
		sscanf(line, "phase=%d", &st->phase);
		sscanf(line, "made_top=%d", &st->made_top);
		sscanf(line, "made_cfg=%d", &st->made_cfg);
		sscanf(line, "made_lower=%d", &st->made_lower);
		sscanf(line, "backup=%31s", st->backup);
		sscanf(line, "backed_up_wp=%d", &st->wp);
		sscanf(line, "backed_up_sig=%d", &st->sig);
		sscanf(line, "shm=%d", &st->shm);
		sscanf(line, "home=%llu:%llu", &st->home_dev, &st->home_ino);
		sscanf(line, "lower=%llu:%llu", &st->lower_dev, &st->lower_ino);
	}
	if (n <= 0 || uid != s->uid || (st->phase != SETUP_PHASE_COPY && st->phase != SETUP_PHASE_CLEAR)) {
		ect_err(ctx, "the state file %s/%s of an interrupted setup is damaged, not root's or "
			     "not %s's; check it, remove it, then run again", ECRYPTFS_DIR, name, s->name);
		return -1;
	}
	return 1;
}

/* ---- one run per user at a time ---- */

#define LOCK_SUFFIX ".lock"

int setup_lock(struct ect_ctx *ctx, struct setup *s)
{
	char name[300];
	struct stat st, named;

	if (setup_open_ecryptfs_dir(ctx, s))
		return -1;
	snprintf(name, sizeof(name), STATE_PREFIX "%s" LOCK_SUFFIX, s->name);
	s->lockfd = openat(s->ecfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lockfd < 0 || fstat(s->lockfd, &st)) {
		ect_err(ctx, "cannot open the lock file %s/%s: %s", ECRYPTFS_DIR, name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) || st.st_nlink != 1) {
		ect_err(ctx, "the lock file %s/%s is not a regular file of root's, mode 0600; "
			     "check it, remove it, then run again", ECRYPTFS_DIR, name);
		return -1;
	}
	/* the name still ours once locked: a run that ended meanwhile removes it */
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) ||
	    fstatat(s->ecfd, name, &named, AT_SYMLINK_NOFOLLOW) || named.st_dev != st.st_dev ||
	    named.st_ino != st.st_ino) {
		ect_err(ctx, "another ecryptfs-setup-private -b for %s is running (%s/%s is locked); "
			     "nothing done: let it end, then run again", s->name, ECRYPTFS_DIR, name);
		return -1;
	}
	/* its own fd of the directory: setup_close_dirs may close ecfd midway */
	s->lockdirfd = fcntl(s->ecfd, F_DUPFD_CLOEXEC, 0);
	s->locked = true;
	return 0;
}

void setup_unlock(struct setup *s)
{
	char name[300];

	if (!s->locked)
		return;
	/* removed while still held: a waiting run sees the name gone, or a new file */
	snprintf(name, sizeof(name), STATE_PREFIX "%s" LOCK_SUFFIX, s->name);
	if (s->lockdirfd >= 0 && !unlinkat(s->lockdirfd, name, 0))
		fsync(s->lockdirfd);
	if (s->lockdirfd >= 0)
		close(s->lockdirfd);
	close(s->lockfd);
	s->lockfd = s->lockdirfd = -1;
	s->locked = false;
}

/* ---- resuming a killed run ---- */

/* An eCryptfs mount on the home (the user logged in since): nothing is touched under it. */
static bool home_mounted(const struct setup *s)
{
	int fd = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sfs;
	bool ret = fd >= 0 && !fstatfs(fd, &sfs) && (unsigned long)sfs.f_type == ECT_ECRYPTFS_MAGIC;

	if (fd >= 0)
		close(fd);
	return ret;
}

static bool owned_by_root(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) && st.st_uid == 0;
}

/* The killed run's tree, links and bootstrap file removed, as its own rollback would have. */
static int undo(struct ect_ctx *ctx, struct setup *s, const struct state *st)
{
	struct stat l;

	if (setup_open_existing(ctx, s, s->top.fd, &s->cfgd) ||
	    setup_open_existing(ctx, s, s->top.fd, &s->lowerd))
		return -1;
	/* root's means never handed over: made by the killed run before it recorded so */
	s->top.made = (st->made_top || owned_by_root(s->top.fd)) && s->top.fd >= 0;
	s->cfgd.made = (st->made_cfg || owned_by_root(s->cfgd.fd)) && s->cfgd.fd >= 0;
	s->lowerd.made = (st->made_lower || owned_by_root(s->lowerd.fd)) && s->lowerd.fd >= 0;
	s->wrote_files = s->made_links = true;
	if (strcmp(st->backup, "-"))
		snprintf(s->backup_ts, sizeof(s->backup_ts), "%s", st->backup);
	s->backed_up_wp = st->wp;
	s->backed_up_sig = st->sig;
	/* the user's once handed over: then only the user empties it */
	s->handed_over = s->lowerd.fd >= 0 && !fstat(s->lowerd.fd, &l) && l.st_uid == s->uid;
	s->quiet_rollback = true;
	setup_rollback(ctx, s);
	if (st->shm)
		setup_bootstrap_remove(s);
	setup_state_remove(s);
	/* from here on a fresh run: nothing of the killed one is this run's */
	setup_close_dirs(s);
	s->top.made = s->cfgd.made = s->lowerd.made = 0;
	s->wrote_files = s->made_links = s->handed_over = s->quiet_rollback = false;
	s->backed_up_wp = s->backed_up_sig = false;
	s->backup_ts[0] = '\0';
	return 0;
}

static bool same_id(int fd, unsigned long long dev, unsigned long long ino, struct stat *st)
{
	return fd >= 0 && ino && !fstat(fd, st) && (unsigned long long)st->st_dev == dev &&
	       (unsigned long long)st->st_ino == ino;
}

/*
 * The clear phase deletes the plain home: only the home and .Private the
 * killed run verified its copy for, and only while a copy of the mount
 * passphrase exists (wrapped, or waiting in /dev/shm). 0, or -1 after one line.
 */
static int clear_still_safe(struct ect_ctx *ctx, struct setup *s, const struct state *st)
{
	int home = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool same, keyed;

	/* kept: the clear acts on this directory only (clear_bare) */
	same = same_id(home, st->home_dev, st->home_ino, &s->home_id);
	if (home >= 0)
		close(home);
	if (setup_open_existing(ctx, s, s->top.fd, &s->cfgd) ||
	    setup_open_existing(ctx, s, s->top.fd, &s->lowerd))
		return -1;
	same = same && same_id(s->lowerd.fd, st->lower_dev, st->lower_ino, &s->lower_id);
	keyed = setup_exists_at(s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE) ||
		setup_bootstrap_exists(s);
	if (same && keyed)
		return 0;
	ect_err(ctx, "the state file %s/" STATE_PREFIX "%s says to remove the plain files of %s, but "
		     "%s; nothing removed: check, remove the state file, then run again", ECRYPTFS_DIR,
		s->name, s->home, !same ? "the home or its .Private is not the one it was written for"
					: "no copy of the mount passphrase is left (no wrapped-"
					  "passphrase, no /dev/shm file)");
	return -1;
}

int setup_resume(struct ect_ctx *ctx, struct setup *s)
{
	struct state st;
	int r;

	if (!s->bootstrap)
		return 0;
	if (setup_open_top(ctx, s, false))
		return -1;
	if (s->ecfd < 0)
		return 0;
	r = state_read(ctx, s, &st);
	if (r <= 0)
		return r;
	if (home_mounted(s)) {
		ect_err(ctx, "an interrupted setup of %s's encrypted home waits to be finished, but "
			     "%s is mounted: log %s out, then run again", s->name, s->home, s->name);
		return -1;
	}
	if (st.phase == SETUP_PHASE_COPY) {
		fprintf(stderr, "INFO: undoing the interrupted setup of %s's encrypted home (the files "
				"in %s were not touched yet), then setting it up again\n", s->name, s->home);
		return undo(ctx, s, &st);
	}
	if (clear_still_safe(ctx, s, &st))
		return -1;
	fprintf(stderr, "INFO: finishing the interrupted setup of %s's encrypted home: the files are "
			"in it and verified; removing their plain copies from %s\n", s->name, s->home);
	if (setup_clear_bare(ctx, s))
		return -1;
	setup_state_remove(s);
	printf("Done: the files that were in %s are now only inside the encrypted home.\n"
	       "%s should run ecryptfs-unwrap-passphrase and record the mount passphrase.\n",
	       s->home, s->name);
	return 1;
}

/* ---- the move ---- */

/* A mount namespace of our own: the new home's mount dies with this process. */
static int own_namespace(struct ect_ctx *ctx)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		ect_err(ctx, "cannot make a private mount namespace: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Detach the mount whose root is mfd (exactly that one), then let it go. */
static int unmount_new_home(struct ect_ctx *ctx, struct setup *s, int mfd)
{
	char path[64];
	int r;

	syncfs(mfd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	r = umount2(path, MNT_DETACH);
	if (r)
		ect_err(ctx, "cannot unmount %s: %s", s->home, strerror(errno));
	close(mfd);
	return r ? -1 : 0;
}

/* What the user's children work on. */
struct move {
	int bare, mfd, lower; /* lower: .Private, reopened in our mount namespace */
	bool fnek;
};

/*
 * The keys added straight into a fresh session keyring of this process
 * alone (root's user keyring is not linked into it): the kernel mount
 * finds them there and keeps its own references, and the keyring dies
 * with the process, so no kill leaves them in root's user keyring.
 */
static int add_session_keys(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
			    char *fekek, char *fnek_sig)
{
	uint8_t salt[ECT_SALT_SIZE];
	int r;

	if (keyctl_join_session_keyring(NULL) < 0) {
		ect_err(ctx, "cannot start a keyring session of the setup's own: %s", strerror(errno));
		return -1;
	}
	cli_rc_salt(ctx, salt);
	r = ect_keyring_add_mount_keys_in(KEY_SPEC_SESSION_KEYRING, pass, len, salt,
					  ECT_KEYS_FNEK_FIRST, fekek, fnek ? fnek_sig : NULL);
	ect_wipe(salt, sizeof(salt));
	if (r) {
		ect_err(ctx, "cannot add the keys to the setup's own keyring: %s", ect_strerror(r));
		return -1;
	}
	return 0;
}

/* As root, before the handover: the new home mounted over the bare one, with root's keys, by fds. */
static int mount_new_home(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len,
			  bool fnek, const struct move *mv, char *fekek, char *fnek_sig)
{
	char opts[512], source[64], target[64];

	if (add_session_keys(ctx, pass, len, fnek, fekek, fnek_sig))
		return -1;
	if (ect_private_mount_opts(fekek, fnek ? fnek_sig : NULL, opts, sizeof(opts))) {
		ect_err(ctx, "cannot build the mount options");
		return -1;
	}
	snprintf(source, sizeof(source), "/proc/self/fd/%d", mv->lower);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", mv->bare);
	if (mount(source, target, "ecryptfs", MS_NOSUID | MS_NODEV, opts)) {
		ect_err(ctx, "cannot mount the new encrypted home %s: %s", s->home, strerror(errno));
		return -1;
	}
	return 0;
}

/* dirfd's directory opened again by path in this mount namespace, checked to be the same. */
static int reopen_same(int dirfd, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat a, b;

	if (fd >= 0 && (fstat(fd, &a) || fstat(dirfd, &b) || a.st_dev != b.st_dev ||
			a.st_ino != b.st_ino)) {
		close(fd);
		errno = ESTALE;
		fd = -1;
	}
	return fd;
}

static int copy_step(struct ect_ctx *ctx, const struct setup *s, void *arg)
{
	const struct move *mv = arg;
	struct home_layout l;

	setup_home_layout(s, &l);
	return home_copy_in(ctx, &l, mv->bare, mv->mfd, mv->fnek);
}

static int verify_step(struct ect_ctx *ctx, const struct setup *s, void *arg)
{
	const struct move *mv = arg;
	struct home_layout l;

	setup_home_layout(s, &l);
	return home_verify_in(ctx, &l, mv->bare, mv->mfd, mv->lower);
}

/* Verification reads from the disk, not from what the copy left in the page cache. */
static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		if (write(fd, "3\n", 2) < 0) {
			/* best effort */
		}
		close(fd);
	}
}

/* Mounted, handed over: copy and verify as the user. 0 or -1 (said why); unmounts. */
static int copy_and_verify(struct ect_ctx *ctx, struct setup *s, struct move *mv)
{
	int r;

	fprintf(stderr, "INFO: Encrypting the files in %s.\n", s->home);
	r = setup_run_as_user(ctx, s, copy_step, mv);
	if (!r) {
		drop_caches();
		r = setup_run_as_user(ctx, s, verify_step, mv);
	}
	if (unmount_new_home(ctx, s, mv->mfd))
		r = -1;
	mv->mfd = -1;
	if (r)
		ect_err(ctx, "the files in %s could not be copied into the encrypted home (see "
			     "above); they are untouched", s->home);
	return r ? -1 : 0;
}

/*
 * -b, last step: as 111, mount the new home (by fds, in our own mount
 * namespace) while the tree is root's, and hand it over; then, as the
 * user, copy what is in the home in and verify it; record it; remove the
 * plain copies. 0, or an enum
 * home_populate_result (HOME_NOTHING_MOVED also when the handover failed).
 */
int setup_populate_home(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len,
			bool fnek)
{
	char fekek[ECT_SIG_HEX_SIZE + 1] = "", fnek_sig[ECT_SIG_HEX_SIZE + 1] = "";
	struct move mv = { .bare = -1, .mfd = -1, .lower = -1, .fnek = fnek };
	int r = HOME_NOTHING_MOVED;
	struct home_layout l;

	setup_home_layout(s, &l);
	if (own_namespace(ctx))
		return HOME_NOTHING_MOVED;
	mv.bare = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mv.bare < 0) {
		ect_err(ctx, "cannot open the home %s: %s", s->home, strerror(errno));
		return HOME_NOTHING_MOVED;
	}
	/* still root's and closed to the user: its name cannot have been swapped */
	mv.lower = reopen_same(s->lowerd.fd, s->lower);
	if (mv.lower < 0) {
		ect_err(ctx, "cannot open %s again: %s", s->lower, strerror(errno));
		goto out;
	}
	/*
	 * Mounted before the handover: the private mount options check that
	 * the lower directory is the mounter's (ecryptfs_check_dev_ruid). The
	 * mount's root keeps root's attributes until unmounted, so the copy
	 * leaves the root's alone (keep_root); permissions are the lower's.
	 */
	if (mount_new_home(ctx, s, pass, len, fnek, &mv, fekek, fnek_sig))
		goto out;
	if (home_open_mounted(ctx, &l, mv.bare, mv.lower, &mv.mfd)) {
		/* not where it should be: detach it if it is ours, wherever the name leads */
		int fd = open(s->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0 && ect_mount_is_over(fd, mv.lower) == 1)
			unmount_new_home(ctx, s, fd);
		else if (fd >= 0)
			close(fd);
		goto out;
	}
	if (setup_hand_over(ctx, s)) {
		unmount_new_home(ctx, s, mv.mfd);
		goto out;
	}
	if (copy_and_verify(ctx, s, &mv))
		goto out;
	/* the only copy of a generated passphrase must exist before any plain file goes */
	if (setup_bootstrap_wanted(s)) {
		if (setup_bootstrap_write(ctx, s, pass, len))
			goto out;
		s->wrote_shm = true;
	}
	/* the admin holds the passphrase before a power cut can take the only copy (RAM) */
	if (s->show_recovery)
		setup_print_recovery(s, pass);
	/* what a rerun of the clear phase checks it still acts on */
	if (fstat(mv.bare, &s->home_id) || fstat(s->lowerd.fd, &s->lower_id)) {
		ect_err(ctx, "cannot stat %s or %s: %s", s->home, s->lower, strerror(errno));
		goto out;
	}
	if (setup_state_write(ctx, s, SETUP_PHASE_CLEAR))
		goto out;
	/* the commit point: from here on a rerun finishes, never undoes */
	r = setup_clear_bare(ctx, s) ? HOME_PART_MOVED : 0;
	if (!r)
		setup_state_remove(s);
out:
	if (fekek[0])
		ect_keyring_unlink_in(KEY_SPEC_SESSION_KEYRING, fekek);
	if (fnek_sig[0])
		ect_keyring_unlink_in(KEY_SPEC_SESSION_KEYRING, fnek_sig);
	if (mv.lower >= 0)
		close(mv.lower);
	close(mv.bare);
	return r;
}
