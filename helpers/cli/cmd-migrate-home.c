// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home -u USER: turn a plain home into an encrypted home
 * (111's command), crash-safe and resumable.
 *
 * The plain home H stays where it is, untouched, until the very end. The
 * encrypted home is built beside it: a stage directory H.XXXXXXXX gets the
 * bare layout from `ecryptfs setup-private -b` (run in a private mount
 * namespace where H is a bind of the stage, so setup-private's own layout
 * code fills the stage, not H), the data go into /home/.ecryptfs/USER/.Private
 * through an eCryptfs mount on the stage that only this process's mount
 * namespace sees (a kill leaves no mount behind), and every file is compared
 * through a fresh mount. The commit is one renameat2(RENAME_EXCHANGE) of H and
 * the stage: before it a login finds the plain home, after it the complete,
 * verified encrypted one, and the plain copy sits under the stage's name, as
 * 111 leaves it. A state file beside the homes (root's, written atomically)
 * records the stage and both directory inodes, so a rerun knows where it
 * stopped: before the setup finished it starts over, after it the copy
 * resumes, and a home whose inode is the stage's has been committed.
 */
#include "cmd-migrate-home.h"
#include "cmd-private-setup.h" /* ECRYPTFS_DIR */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

static const char migrate_usage[] =
	"Usage: ecryptfs-migrate-home -u USER [--password-file SRC]\n"
	"\n"
	"Move USER's plain home into an encrypted home (/home/.ecryptfs/USER), keeping\n"
	"owners, modes, times, xattrs, ACLs, hard links, symlinks and special files.\n"
	"Run as root while USER is logged out. A run that was interrupted is finished\n"
	"by running the same command again.\n"
	"\n"
	"Options:\n"
	"  -u, --user USER        the user whose home is migrated\n"
	"  --password-file SRC    USER's login password from SRC (file, - or fd:N);\n"
	"                         default: asked on the terminal\n"
	"  -h, --help             show this help\n"
	"\n"
	"WARNING: make a backup of the home on another system or medium first.\n";

static int parse(struct ect_ctx *ctx, struct mig *m, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if ((!strcmp(a, "-u") || !strcmp(a, "--user")) && i + 1 < argc) {
			m->user_arg = argv[++i];
		} else if (!strncmp(a, "--user=", 7)) {
			m->user_arg = a + 7;
		} else if (!strcmp(a, "--password-file") && i + 1 < argc) {
			m->pwfile = argv[++i];
		} else if (!strncmp(a, "--password-file=", 16)) {
			m->pwfile = a + 16;
		} else {
			ect_err(ctx, "unknown option or missing value: '%s'", a);
			return -1;
		}
	}
	if (!m->user_arg) {
		ect_err(ctx, "which user? (-u USER)");
		return -1;
	}
	return 0;
}

/* ---- the user and the directories ---- */

static int resolve(struct mig *m)
{
	struct passwd *pw = getpwnam(m->user_arg);
	char *slash;
	struct stat st;

	if (!pw) {
		ect_err(m->ctx, "no such user: %s", m->user_arg);
		return -1;
	}
	if (pw->pw_uid == 0 || ect_username_check(pw->pw_name) || !pw->pw_dir ||
	    pw->pw_dir[0] != '/' || strlen(pw->pw_dir) < 2) {
		ect_err(m->ctx, "refusing user %s: root, an unusual name or an unusual home", pw->pw_name);
		return -1;
	}
	m->name = strdup(pw->pw_name);
	m->home = strdup(pw->pw_dir);
	m->uid = pw->pw_uid;
	m->gid = pw->pw_gid;
	if (!m->name || !m->home)
		return -1;
	while (strlen(m->home) > 1 && m->home[strlen(m->home) - 1] == '/')
		m->home[strlen(m->home) - 1] = '\0';
	slash = strrchr(m->home, '/');
	m->parent = slash == m->home ? strdup("/") : strndup(m->home, slash - m->home);
	m->base = strdup(slash + 1);
	if (!m->parent || !m->base || asprintf(&m->statename, STATE_PREFIX "%s", m->name) < 0)
		return -1;
	/* root's directory, writable by root alone: nobody can swap the names in it */
	m->parent_fd = open(m->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->parent_fd < 0 || fstat(m->parent_fd, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		ect_err(m->ctx, "%s must be a directory of root's that only root can write to",
			m->parent);
		return -1;
	}
	return 0;
}

bool mig_exists_at(int dirfd, const char *name)
{
	struct stat st;

	return !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
}

/* The plain home, opened and checked: a directory of the user's on a filesystem eCryptfs sits on. */
static int open_home(struct mig *m)
{
	struct stat st;
	struct statfs sfs;

	m->home_fd = openat(m->parent_fd, m->base,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
	if (m->home_fd < 0 || fstat(m->home_fd, &st)) {
		ect_err(m->ctx, "cannot open the home %s: %s", m->home, strerror(errno));
		return -1;
	}
	if (st.st_uid != m->uid) {
		ect_err(m->ctx, "%s is not owned by %s; nothing was changed", m->home, m->name);
		return -1;
	}
	m->home_mode = st.st_mode & 07777;
	if (fstatfs(m->home_fd, &sfs) || (unsigned long)sfs.f_type == ECT_ECRYPTFS_MAGIC ||
	    !ect_fstype_allowed((unsigned long)sfs.f_type)) {
		ect_err(m->ctx, "%s is on a filesystem eCryptfs cannot use as its lower layer (%s); "
				"nothing was changed", m->home, ect_fstype_name((unsigned long)sfs.f_type));
		return -1;
	}
	return 0;
}

/* /home/.ecryptfs and, when it exists, /home/.ecryptfs/USER (-1 when absent). */
int mig_open_ecryptfs_dir(struct mig *m, int *top, int *user)
{
	struct stat st;

	*user = -1;
	*top = open(ECRYPTFS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*top < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(*top, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		ect_err(m->ctx, "%s must be root's and writable by root alone", ECRYPTFS_DIR);
		return -1;
	}
	*user = openat(*top, m->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*user < 0 && errno != ENOENT) {
		ect_err(m->ctx, "%s/%s is not a directory: %s", ECRYPTFS_DIR, m->name, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_size(const char *what, uint64_t bytes)
{
	fprintf(stderr, "INFO: %s %.1f MiB\n", what, bytes / 1048576.0);
}

/* Everything that must hold before anything is changed. */
static int preflight(struct mig *m, struct mig_scan *scan)
{
	int top, user, ret = -1;
	struct statvfs vfs;

	if (open_home(m))
		return -1;
	if (mig_exists_at(m->home_fd, ".ecryptfs") || mig_exists_at(m->home_fd, ".Private")) {
		ect_err(m->ctx, "%s already has .ecryptfs or .Private: it is encrypted or set up for "
				"~/Private already; nothing was changed", m->home);
		return -1;
	}
	if (mig_open_ecryptfs_dir(m, &top, &user))
		goto out;
	if (user >= 0 && (mig_exists_at(user, ".ecryptfs") || mig_exists_at(user, ".Private"))) {
		ect_err(m->ctx, "%s/%s already holds an eCryptfs setup; move it away first; "
				"nothing was changed", ECRYPTFS_DIR, m->name);
		goto out;
	}
	m->st.made_userdir = user < 0;
	if (mig_check_logged_out(m))
		goto out;
	fprintf(stderr, "INFO: Checking %s, this may take a few moments.\n", m->home);
	if (mig_scan_tree(m->ctx, m->home_fd, scan))
		goto out;
	if (scan->long_names) {
		ect_err(m->ctx, "%lu name(s) above are longer than %d bytes and cannot be encrypted: "
				"rename them or move them out of %s, then run again; nothing was changed",
			scan->long_names, MIG_NAME_MAX, m->home);
		goto out;
	}
	if (fstatvfs(top >= 0 ? top : m->parent_fd, &vfs)) {
		ect_err(m->ctx, "cannot read the free space: %s", strerror(errno));
		goto out;
	}
	print_size("size of the home:", scan->bytes);
	print_size("needed for the encrypted copy:", scan->need + scan->need / 10);
	print_size("free:", (uint64_t)vfs.f_bavail * vfs.f_frsize);
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < scan->need + scan->need / 10 ||
	    vfs.f_favail < scan->entries + 64) {
		ect_err(m->ctx, "not enough free disk space (or inodes) for the encrypted copy of %s; "
				"nothing was changed", m->home);
		goto out;
	}
	ret = 0;
out:
	if (top >= 0)
		close(top);
	if (user >= 0)
		close(user);
	return ret;
}

int mig_get_password(struct mig *m)
{
	char prompt[160];
	struct cli_secret_spec spec = {
		.what = "login password",
		.source = m->pwfile,
		.prompt = prompt,
	};

	if (m->pw.s)
		return 0;
	snprintf(prompt, sizeof(prompt), "Enter %s's login password: ", m->name);
	if (cli_get_secret(m->ctx, &spec, &m->pw))
		return -1;
	if (!m->pw.len) {
		ect_err(m->ctx, "the login password is empty");
		return -1;
	}
	return 0;
}

/* ---- the stage and setup-private -b ---- */

static int make_stage(struct mig *m)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[8];
	struct stat st;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -1;
	snprintf(m->st.stage, sizeof(m->st.stage), "%s.", m->base);
	for (size_t i = 0; i < sizeof(rnd); i++)
		m->st.stage[strlen(m->base) + 1 + i] = chars[rnd[i] % (sizeof(chars) - 1)];
	m->st.stage[strlen(m->base) + 1 + sizeof(rnd)] = '\0';
	m->st.phase = PHASE_SETUP;
	if (mig_state_write(m))
		return -1;
	if (mkdirat(m->parent_fd, m->st.stage, 0700)) {
		ect_err(m->ctx, "cannot create %s/%s: %s", m->parent, m->st.stage, strerror(errno));
		return -1;
	}
	m->stage_fd = openat(m->parent_fd, m->st.stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (m->stage_fd < 0 || fstat(m->stage_fd, &st) || st.st_uid != 0 ||
	    fchown(m->stage_fd, m->uid, m->gid) || fchmod(m->stage_fd, 0700)) {
		ect_err(m->ctx, "cannot prepare %s/%s: %s", m->parent, m->st.stage, strerror(errno));
		return -1;
	}
	m->st.stage_ino = st.st_ino;
	return mig_state_write(m);
}

/*
 * `ecryptfs setup-private -b -u USER --password-file fd:3` in a private
 * mount namespace where the home is a bind of the stage: setup-private's
 * layout (links, mount point) lands in the stage, the plain home is never
 * seen by it. The password goes through a pipe, never argv.
 */
static int run_setup(struct mig *m)
{
	int pfd[2];
	pid_t pid;
	int status;

	if (pipe2(pfd, O_CLOEXEC)) {
		ect_err(m->ctx, "pipe: %s", strerror(errno));
		return -1;
	}
	if (cli_write_line(pfd[1], m->pw.s, m->pw.len)) {
		ect_err(m->ctx, "cannot pass the password to setup-private");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[1]);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		char src[64], dst[64];

		if (mig_enter_private_ns(m))
			_exit(126);
		snprintf(src, sizeof(src), "/proc/self/fd/%d", m->stage_fd);
		snprintf(dst, sizeof(dst), "/proc/self/fd/%d", m->home_fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) ||
		    (pfd[0] == 3 ? fcntl(3, F_SETFD, 0) : dup2(pfd[0], 3) != 3)) {
			fprintf(stderr, "%s: cannot prepare the setup's mount namespace: %s\n",
				ect_ctx_ident(m->ctx), strerror(errno));
			_exit(126);
		}
		execl("/proc/self/exe", "ecryptfs", "setup-private", "-b", "-u", m->name,
		      "--password-file", "fd:3", (char *)NULL);
		fprintf(stderr, "%s: cannot run ecryptfs setup-private: %s\n", ect_ctx_ident(m->ctx),
			strerror(errno));
		_exit(127);
	}
	close(pfd[0]);
	if (pid < 0) {
		ect_err(m->ctx, "cannot fork: %s", strerror(errno));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ect_err(m->ctx, "ecryptfs setup-private -b failed (see above); %s is unchanged", m->home);
		return -1;
	}
	return 0;
}

/* Remove directory name in dirfd with what it holds; 0 when absent. */
static int remove_named(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return errno == ENOENT ? 0 : unlinkat(dirfd, name, 0) ? -errno : 0;
	r = mig_remove_contents(fd);
	close(fd);
	if (!r && unlinkat(dirfd, name, AT_REMOVEDIR))
		r = -errno;
	return r;
}

/* Undo an unfinished setup phase: the stage and, when this migration made it, the user's tree. */
static int undo_setup(struct mig *m)
{
	int top = -1, user = -1, r = 0;
	struct stat st;

	if (m->st.stage[0] && !fstatat(m->parent_fd, m->st.stage, &st, AT_SYMLINK_NOFOLLOW) &&
	    (!m->st.stage_ino || st.st_ino == m->st.stage_ino)) {
		int fd = openat(m->parent_fd, m->st.stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		r = fd < 0 ? -errno : mig_remove_contents(fd);
		if (fd >= 0)
			close(fd);
		if (!r && unlinkat(m->parent_fd, m->st.stage, AT_REMOVEDIR))
			r = -errno;
	}
	if (!r && !mig_open_ecryptfs_dir(m, &top, &user) && user >= 0) {
		if (m->st.made_userdir) {
			r = mig_remove_contents(user);
			if (!r && unlinkat(top, m->name, AT_REMOVEDIR))
				r = -errno;
		} else {
			/* preflight found neither: the setup made them */
			r = remove_named(user, ".ecryptfs");
			if (!r)
				r = remove_named(user, ".Private");
		}
	}
	/* the inner setup's state file: a later setup -b must not act on a tree no longer there */
	if (!r && top >= 0) {
		char name[300];

		snprintf(name, sizeof(name), SETUP_STATE_PREFIX "%s", m->name);
		if (unlinkat(top, name, 0) && errno != ENOENT)
			r = -errno;
	}
	if (top >= 0)
		close(top);
	if (user >= 0)
		close(user);
	if (r)
		ect_err(m->ctx, "cannot remove the unfinished setup in %s/%s: %s", m->parent, m->st.stage,
			strerror(-r));
	return r ? -1 : 0;
}

/* ---- commit ---- */

/*
 * A login in the few system calls between the last check and the exchange
 * found the plain home and may write to it after it was verified: its
 * processes are there now. Then the exchange is undone and a rerun goes on
 * from the verification. (Nothing of the user's can have mounted the new
 * home yet: that takes a whole PAM login.)
 */
static int recheck_after_switch(struct mig *m)
{
	char who[MIG_WHO_MAX] = "";

	if (!mig_user_present(m, who, sizeof(who)))
		return 0;
	if (renameat2(m->parent_fd, m->base, m->parent_fd, m->st.stage, RENAME_EXCHANGE)) {
		ect_err(m->ctx, "%s logged in during the switch (%s) and it cannot be undone: %s; "
				"%s is the encrypted home, what they changed since is in %s/%s",
			m->name, who, strerror(errno), m->home, m->parent, m->st.stage);
		return -1;
	}
	fsync(m->parent_fd);
	ect_err(m->ctx, "%s logged in during the switch (%s): switched back, %s is the plain home "
			"again; run this again once they have logged out", m->name, who, m->home);
	return -1;
}

static int commit(struct mig *m)
{
	struct stat h, s;

	if (mig_check_logged_out(m))
		return -1;
	if (fstatat(m->parent_fd, m->base, &h, AT_SYMLINK_NOFOLLOW) || h.st_ino != m->st.home_ino ||
	    fstatat(m->parent_fd, m->st.stage, &s, AT_SYMLINK_NOFOLLOW) || s.st_ino != m->st.stage_ino) {
		ect_err(m->ctx, "%s or %s/%s changed during the migration; nothing was switched",
			m->home, m->parent, m->st.stage);
		return -1;
	}
	/* the commit point: one atomic swap of the two names */
	if (renameat2(m->parent_fd, m->base, m->parent_fd, m->st.stage, RENAME_EXCHANGE)) {
		ect_err(m->ctx, "cannot switch %s to the encrypted home: %s; %s is unchanged", m->home,
			strerror(errno), m->home);
		return -1;
	}
	fsync(m->parent_fd);
	return recheck_after_switch(m);
}

static void print_notes(struct mig *m)
{
	printf("\n========================================================================\n"
	       "%s now has an encrypted home (data in %s/%s/.Private).\n"
	       "The plain home was kept as %s/%s (mode now 0700).\n\n"
	       " 1. Once %s has logged in and found everything, remove the plain copy:\n"
	       "      rm -rf %s/%s\n"
	       "    Deleted plain text may remain readable on the disk blocks: only\n"
	       "    overwriting the free space (or the whole disk) removes it for sure.\n"
	       " 2. To roll back while %s is logged out:\n"
	       "      mv -T %s %s.encrypted && mv -T %s/%s %s && chmod %o %s\n"
	       "    (then remove %s.encrypted and %s/%s).\n"
	       " 3. %s should run 'ecryptfs-unwrap-passphrase' and record the mount\n"
	       "    passphrase: it is the only way to the data if the password is lost.\n"
	       " 4. Encrypt swap as well ('ecryptfs-setup-swap').\n"
	       "========================================================================\n",
	       m->name, ECRYPTFS_DIR, m->name, m->parent, m->st.stage, m->name, m->parent, m->st.stage,
	       m->name, m->home, m->home, m->parent, m->st.stage, m->home, m->home_mode, m->home,
	       m->home, ECRYPTFS_DIR, m->name, m->name);
}

/* After the swap: the plain copy closed to others (111: chmod 700), the state file gone. */
static int finish(struct mig *m)
{
	struct stat st;
	int fd = openat(m->parent_fd, m->st.stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || st.st_ino != m->st.home_ino) {
		ect_err(m->ctx, "the plain copy %s/%s is not where the state file says", m->parent,
			m->st.stage);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m->home_mode = st.st_mode & 07777;
	if (m->home_mode != 0700 && fchmod(fd, 0700))
		ect_warn(m->ctx, "cannot close %s/%s to others: %s", m->parent, m->st.stage,
			 strerror(errno));
	fsync(fd);
	close(fd);
	if (unlinkat(m->parent_fd, m->statename, 0) && errno != ENOENT) {
		ect_err(m->ctx, "cannot remove the state file: %s", strerror(errno));
		return -1;
	}
	fsync(m->parent_fd);
	print_notes(m);
	return 0;
}

/* ---- the flow ---- */

static int migrate(struct mig *m)
{
	struct mig_scan scan;
	struct stat h;
	int r = mig_state_read(m);

	if (r < 0)
		return -1;
	if (r == 1) {
		if (fstatat(m->parent_fd, m->base, &h, AT_SYMLINK_NOFOLLOW)) {
			ect_err(m->ctx, "%s is missing; see %s/%s", m->home, m->parent, m->statename);
			return -1;
		}
		if (h.st_ino == m->st.stage_ino) {
			fprintf(stderr, "INFO: The switch to the encrypted home was done; finishing.\n");
			return finish(m);
		}
		if (h.st_ino != m->st.home_ino) {
			ect_err(m->ctx, "%s is neither the plain home nor the encrypted one of the "
					"unfinished migration in %s/%s", m->home, m->parent, m->statename);
			return -1;
		}
		fprintf(stderr, "INFO: Resuming an interrupted migration of %s.\n", m->home);
		if (m->st.phase == PHASE_SETUP) {
			if (undo_setup(m) || unlinkat(m->parent_fd, m->statename, 0))
				return -1;
			memset(&m->st, 0, sizeof(m->st));
		}
	}
	if (m->st.phase != PHASE_COPY) {
		if (preflight(m, &scan) || mig_get_password(m))
			return -1;
		fstatat(m->parent_fd, m->base, &h, AT_SYMLINK_NOFOLLOW);
		m->st.home_ino = h.st_ino;
		if (make_stage(m) || run_setup(m)) {
			undo_setup(m);
			unlinkat(m->parent_fd, m->statename, 0);
			return -1;
		}
		m->st.phase = PHASE_COPY;
		if (mig_state_write(m))
			return -1;
	} else {
		if (open_home(m) || mig_check_logged_out(m) || mig_scan_tree(m->ctx, m->home_fd, &scan))
			return -1;
		m->stage_fd = openat(m->parent_fd, m->st.stage,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (m->stage_fd < 0 || fstat(m->stage_fd, &h) || h.st_ino != m->st.stage_ino) {
			ect_err(m->ctx, "the stage %s/%s is missing or replaced", m->parent, m->st.stage);
			return -1;
		}
	}
	if (mig_copy_and_verify(m, &scan) || commit(m))
		return -1;
	return finish(m);
}

int cmd_migrate_home(struct ect_ctx *ctx, int argc, char **argv)
{
	struct mig m = { .ctx = ctx, .parent_fd = -1, .home_fd = -1, .stage_fd = -1 };
	int r = parse(ctx, &m, argc, argv), ret = ECT_EXIT_FAILURE;

	if (r)
		return cli_usage(r, migrate_usage);
	if (geteuid() != 0 || getuid() != 0) {
		ect_err(ctx, "this program must be run by root");
		return ECT_EXIT_FAILURE;
	}
	umask(077);
	if (!resolve(&m) && !migrate(&m))
		ret = ECT_EXIT_OK;
	cli_secret_free(&m.pw);
	if (m.parent_fd >= 0)
		close(m.parent_fd);
	if (m.home_fd >= 0)
		close(m.home_fd);
	if (m.stage_fd >= 0)
		close(m.stage_fd);
	free(m.name);
	free(m.home);
	free(m.parent);
	free(m.base);
	free(m.statename);
	return ret;
}

const struct cli_cmd cmds_migrate[] = {
	{ "migrate-home", "ecryptfs-migrate-home", cmd_migrate_home,
	  "move a plain home into an encrypted home (root)" },
	{ NULL, NULL, NULL, NULL },
};

