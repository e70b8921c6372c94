// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every raise to euid 0 of mount.ecryptfs: in private mode (a user's call)
 * this is the only file that runs code with euid 0. In root mode (a caller
 * whose real uid is 0, helpers/mount/mount-root.c) the caller is root, so the
 * whole process and the ecryptfs-mount-keys it executes run as root; there is
 * nothing to raise or drop.
 *
 * Model (OpenSSH uidswap / util-linux mount): the process starts setuid
 * root, scrubs what the caller controls (fds, environment, umask, core
 * dumps), then sets its effective ids to the caller's and keeps root only
 * in the saved uid. raise()/lower() bracket the three privileged steps
 * (state directory, mount(2), umount(2)); mh_priv_drop() then sets all
 * three ids to the caller's and checks that root cannot be regained before
 * anything else runs (lib/core/become.c's ect_become_user, called with the
 * effective ids already the caller's). The real uid stays the caller's
 * throughout, which the kernel needs for ecryptfs_check_dev_ruid and the
 * keyring lookup.
 */
#include "privilege.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;


/*
 * ld.so drops unsafe variables (LD_LIBRARY_PATH, ...) from environ for a
 * setuid program but leaves their bytes in the exec-time area that
 * /proc/PID/environ shows: wipe that whole area (env_start..env_end, fields
 * 50 and 51 of /proc/self/stat) once nothing points into it any more.
 */
static void wipe_exec_environment(void)
{
	char buf[2048], *p;
	unsigned long start = 0, end = 0;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 50; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu %lu", &start, &end) != 2 || !start || end <= start ||
	    end - start > (1UL << 21))
		return;
	explicit_bzero((void *)start, end - start);
}

int mh_priv_sanitize_process(struct rlimit *caller_fsize)
{
	struct rlimit no_core = { 0, 0 }, no_fsize_limit = { RLIM_INFINITY, RLIM_INFINITY };
	int fd;

	/* fds 0-2 must exist so that no file we open becomes someone's stdout */
	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int nfd = open("/dev/null", O_RDWR);

			if (nfd < 0)
				return -errno;
			if (nfd != fd)
				return -EBADF;
		}
	}
	/*
	 * Root's mount -t ecryptfs may hand the passphrase on an inherited fd
	 * (passphrase_passwd_fd=); only a user's call is untrusted.
	 */
	if (getuid() != 0)
		ect_close_fds_except(3, NULL, 0);
	/*
	 * Wipe the inherited strings in place (they may hold anything the
	 * caller put there, and /proc/PID/environ shows them), then drop them.
	 */
	for (char **e = environ; e && *e; e++)
		explicit_bzero(*e, strlen(*e));
	if (clearenv())
		return -ENOMEM;
	wipe_exec_environment();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	umask(022);
	if (setrlimit(RLIMIT_CORE, &no_core))
		return -errno;
	/*
	 * ulimit -f would truncate /etc/mtab or the registry (and SIGXFSZ kill
	 * us mid-update): root's writes get no file size limit. Still euid 0 here.
	 * The caller's limit is kept for what the helper runs as the user.
	 */
	if (getrlimit(RLIMIT_FSIZE, caller_fsize))
		return -errno;
	if (setrlimit(RLIMIT_FSIZE, &no_fsize_limit))
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	return 0;
}

/*
 * Every euid change resets "dumpable" to fs.suid_dumpable, which an
 * administrator may have set to 1: assert 0 again after each change.
 */
static void no_dump(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int raise_priv(struct mh_priv *p)
{
	sigset_t all;

	if (p->root)
		return 0;
	if (!p->can_raise || p->dropped)
		return -EPERM;
	/*
	 * The caller may signal us (same real uid): no signal it can block may
	 * interrupt a root step halfway (e.g. with the /etc/mtab~ lock held).
	 */
	sigfillset(&all);
	if (!p->masked && !sigprocmask(SIG_BLOCK, &all, &p->saved_mask))
		p->masked = 1;
	if (seteuid(0) || setegid(0)) {
		no_dump();
		return -errno;
	}
	no_dump();
	return 0;
}

/* Failing to lower is fatal: nothing may run with root by accident. */
static void lower_priv(struct mh_priv *p, struct ect_ctx *ctx)
{
	if (p->root)
		return;
	if (setegid(p->gid) || seteuid(p->uid) || geteuid() != p->uid || getegid() != p->gid) {
		ect_err(ctx, "cannot give up root privileges: %s", strerror(errno));
		_exit(1);
	}
	no_dump();
	if (p->masked) {
		sigprocmask(SIG_SETMASK, &p->saved_mask, NULL);
		p->masked = 0;
	}
}

int mh_priv_init(struct mh_priv *p, struct ect_ctx *ctx)
{
	memset(p, 0, sizeof(*p));
	p->uid = getuid();
	p->gid = getgid();
	p->root = p->uid == 0;
	if (p->root)
		return 0;
	if (geteuid() != 0) {
		ect_err(ctx, "not installed setuid root: only root can mount (check the mode of %s)",
			ECT_ROOTSBINDIR "/mount.ecryptfs_private");
		return -EPERM;
	}
	p->can_raise = 1;
	/* the saved ids stay 0; effective ids become the caller's */
	if (setresgid((gid_t)-1, p->gid, 0) || setresuid((uid_t)-1, p->uid, 0)) {
		ect_err(ctx, "cannot switch to your user id: %s", strerror(errno));
		return -errno;
	}
	no_dump();
	return 0;
}

/* Open (creating as root) a root-owned 0700 directory name in dirfd. */
static int root_dir_at(int dirfd, const char *name, mode_t mode)
{
	struct stat st;
	int fd;

	if (mkdirat(dirfd, name, mode) && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return ECT_E_UNSAFE_PATH;
	}
	return fd;
}

int mh_priv_state_dir(struct mh_priv *p, struct ect_ctx *ctx, int *dirfd, int *lockfd)
{
	char name[32];
	struct stat st;
	int top = -1, fd = -1, lock = -1, ret;

	*dirfd = -1;
	*lockfd = -1;
	snprintf(name, sizeof(name), "%u", (unsigned int)p->uid);
	ret = raise_priv(p);
	if (ret)
		goto out;
	top = root_dir_at(AT_FDCWD, ECT_RUNDIR "/" ECT_SESSION_SUBDIR, 0755);
	if (top < 0) {
		ret = top;
		ect_err(ctx, "refusing %s: %s", ECT_RUNDIR "/" ECT_SESSION_SUBDIR,
			ret == ECT_E_UNSAFE_PATH ? "not a root-owned directory writable only by root"
						 : strerror(-ret));
		goto out;
	}
	/* root-owned: written only while raised, never by the user (issue #4, finding 2) */
	fd = root_dir_at(top, name, 0700);
	if (fd >= 0 && fchmod(fd, 0700))
		ret = -errno;
	if (fd < 0 || ret) {
		ret = fd < 0 ? fd : ret;
		ect_err(ctx, "refusing %s/%s: %s", ECT_RUNDIR "/" ECT_SESSION_SUBDIR, name,
			ret == ECT_E_UNSAFE_PATH ? "not a root-owned directory" : strerror(-ret));
		goto out;
	}
	lock = openat(fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		      0600);
	if (lock < 0 || fstat(lock, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    st.st_nlink != 1) {
		ect_err(ctx, "refusing the lock file %s/%s/lock: not a regular root-owned file",
			ECT_RUNDIR "/" ECT_SESSION_SUBDIR, name);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	ret = 0;
out:
	lower_priv(p, ctx);
	/* wait for the lock with the user's ids: the wait can be interrupted */
	if (!ret && flock(lock, LOCK_EX)) {
		ret = -errno;
		ect_err(ctx, "cannot lock %s/%s/lock: %s", ECT_RUNDIR "/" ECT_SESSION_SUBDIR, name,
			strerror(errno));
	}
	if (top >= 0)
		close(top);
	if (ret) {
		if (fd >= 0)
			close(fd);
		if (lock >= 0)
			close(lock);
		return ret;
	}
	*dirfd = fd;
	*lockfd = lock;
	return 0;
}

int mh_priv_session_current(struct mh_priv *p, struct ect_ctx *ctx, struct ect_session_id *self)
{
	int ret = raise_priv(p);

	if (!ret)
		ret = ect_session_current(self);
	lower_priv(p, ctx);
	return ret;
}

int mh_priv_sessions_update(struct mh_priv *p, struct ect_ctx *ctx, int dirfd, const char *name,
			     enum ect_session_op op, const struct ect_session_id *self, int mounted)
{
	int ret = raise_priv(p);

	if (!ret)
		ret = ect_sessions_update(dirfd, name, op, self, mounted);
	lower_priv(p, ctx);
	return ret;
}

/*
 * After mounting on "." (the cwd, req->target_fd), find the new mount again:
 * through the target's parent and name, which are checked before mount(2)
 * to be the target. Anything else (renamed away, not a new mount, not over
 * the checked lower directory) is a mismatch. *made: an fd on the new mount.
 */
static int verify_new_mount(const struct mh_priv_mount_req *req, int parent, const char *name,
			    const int *before, size_t nbefore, int *made)
{
	int fd, id, ret = ECT_E_UNSAFE_PATH;

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ret;
	id = ect_mount_id_of(fd);
	if (id < 0 || id == ect_mount_id_of(req->target_fd))
		goto out;
	for (size_t i = 0; i < nbefore; i++) {
		if (before[i] == id)
			goto out; /* an older mount, not the one just made */
	}
	if (ect_mount_is_over(fd, req->lower_fd)) {
		*made = fd;
		return 0;
	}
out:
	close(fd);
	return ret;
}

/* The parent directory of target_fd and the name target has in it. */
static int open_parent(const struct mh_priv_mount_req *req, int *parent, const char **name)
{
	struct stat a, b;
	const char *slash = req->target ? strrchr(req->target, '/') : NULL;

	*parent = -1;
	if (!slash || !slash[1] || !strcmp(slash + 1, "..") || !strcmp(slash + 1, "."))
		return ECT_E_UNSAFE_PATH;
	*name = slash + 1;
	*parent = openat(req->target_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*parent < 0)
		return -errno;
	if (fstat(req->target_fd, &a) || fstatat(*parent, *name, &b, AT_SYMLINK_NOFOLLOW) ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(*parent);
		*parent = -1;
		return ECT_E_UNSAFE_PATH;
	}
	return 0;
}

/*
 * The new mount (fd on its root) as the kernel lists it: its /etc/mtab
 * line is written from that row, never from strings we were given (issue
 * #10 finding 4), and its identity goes to *made for the registry.
 */
static void note_new_mount(struct mh_priv *p, struct ect_ctx *ctx,
			   const struct mh_priv_mount_req *req, int fd, struct ect_mount_record *made)
{
	struct ect_mount_entry *row = calloc(1, sizeof(*row));
	int id = ect_mount_id_of(fd);

	if (made && ect_mount_record_of(fd, req->lower_fd, made))
		made->mount_id = -1;
	if (!req->mtab)
		goto out;
	if (!row || id < 0 || ect_mount_find_id(NULL, id, row) != 1) {
		ect_warn(ctx, "mounted, but could not find the new mount to add to /etc/mtab");
		goto out;
	}
	if (!raise_priv(p) && mh_mtab_add(row->source, row->point, req->opts))
		ect_warn(ctx, "mounted, but could not update /etc/mtab");
	lower_priv(p, ctx);
out:
	free(row);
}

/* The registry record of a new mount, written while it is still detached. */
static int record_before_attach(int mnt_fd, void *arg)
{
	const struct mh_priv_mount_req *req = arg;
	struct ect_mount_record rec;
	int r = ect_mount_record_of(mnt_fd, req->lower_fd, &rec);

	return r ? r : ect_mount_record_store(req->record_dirfd, req->record_name, &rec);
}

int mh_priv_mount(struct mh_priv *p, struct ect_ctx *ctx, const struct mh_priv_mount_req *req,
		   struct ect_mount_record *made)
{
	int ret, saved_cwd, parent = -1, *before = NULL, newfd = -1;
	const char *name = NULL;
	size_t nbefore = 0;
	bool pinned = true;

	if (made)
		made->mount_id = -1;
	/* every mount is checked to sit on the lower directory checked by fd */
	if (req->lower_fd < 0)
		return -EINVAL;
	/* Mount onto "." after fchdir to the verified fd: nothing is re-resolved. */
	saved_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (saved_cwd < 0)
		return -errno;
	ret = open_parent(req, &parent, &name);
	if (!ret)
		ret = mh_mount_ids(&before, &nbefore);
	if (ret) {
		ect_err(ctx, "refusing %s: it changed while being checked", req->target);
		goto out;
	}
	if (fchdir(req->target_fd)) {
		ret = -errno;
		goto out;
	}
	ret = raise_priv(p);
	if (!ret) {
		ret = mh_mount_pinned(req->src, req->lower_fd, req->target_fd, req->flags, req->opts,
				       req->record_name ? record_before_attach : NULL, (void *)req,
				       &newfd);
		if (ret == -ENOSYS) /* before Linux 5.2: by path, checked afterwards */
			pinned = false;
		else if (ret == ECT_E_UNSAFE_PATH)
			ect_err(ctx, "refusing: the new mount is not over the checked %s", req->src);
	}
	if (!pinned) {
		ret = 0;
		if (mount(req->src, ".", "ecryptfs", req->flags, req->opts))
			ret = -errno;
	}
	lower_priv(p, ctx);
	if (!ret && !pinned && verify_new_mount(req, parent, name, before, nbefore, &newfd)) {
		ect_err(ctx, "refusing: %s changed between the checks and mount(2); unmounted again",
			req->src);
		ret = raise_priv(p);
		/* "." is the covered target: umount2 acts on the mount on top of it */
		if (!ret && umount2(".", MNT_DETACH | UMOUNT_NOFOLLOW))
			ect_err(ctx, "cannot unmount %s again: %s", req->target, strerror(errno));
		lower_priv(p, ctx);
		ret = ECT_E_UNSAFE_PATH;
	}
	if (!ret && newfd >= 0)
		note_new_mount(p, ctx, req, newfd, made);
out:
	if (fchdir(saved_cwd) && !ret)
		ret = -errno;
	close(saved_cwd);
	if (parent >= 0)
		close(parent);
	if (newfd >= 0)
		close(newfd);
	free(before);
	return ret;
}

/* The mtab line of an unmounted row, unless umount -n. */
static void umounted_mtab(struct ect_ctx *ctx, const struct ect_mount_entry *row, unsigned int flags)
{
	if (!(flags & ECT_UMOUNT_NO_MTAB) && mh_mtab_remove(row->source, row->point))
		ect_warn(ctx, "unmounted, but could not update /etc/mtab");
}

/* cwd to dir_fd for an unmount by a name relative to it; *saved_cwd brings us back to "/". */
static int enter_dir(int dir_fd, int *saved_cwd)
{
	int ret;

	*saved_cwd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*saved_cwd < 0)
		return -errno;
	if (!fchdir(dir_fd))
		return 0;
	ret = -errno;
	close(*saved_cwd);
	*saved_cwd = -1;
	return ret;
}

static int leave_dir(int saved_cwd, int ret)
{
	if (fchdir(saved_cwd))
		ret = ret ? ret : -errno;
	close(saved_cwd);
	return ret;
}

int mh_priv_umount(struct mh_priv *p, struct ect_ctx *ctx, int target_fd,
		    const struct ect_mount_entry *row, unsigned int flags)
{
	int ret, saved_cwd;

	/* only ever the verified fd; a root-mode unmount that is not lazy: mh_priv_umount_at */
	if (!(flags & ECT_UMOUNT_LAZY))
		return -EINVAL;
	/* back to "/" afterwards, not into the detached mount */
	ret = enter_dir(target_fd, &saved_cwd);
	if (ret)
		return ret;
	ret = raise_priv(p);
	if (!ret) {
		/* with the cwd pinning the mount, only a lazy unmount can succeed */
		if (umount2(".", MNT_DETACH | UMOUNT_NOFOLLOW))
			ret = -errno;
		else
			umounted_mtab(ctx, row, flags);
	}
	lower_priv(p, ctx);
	return leave_dir(saved_cwd, ret);
}

/* Does name in dir_fd lead (without a symlink) to the root of the mount at describes? */
static bool still_the_mount(const struct mh_priv_umount_at *at)
{
	int fd = openat(at->parent_fd, at->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool same;

	if (fd < 0)
		return false;
	same = !fstat(fd, &st) && st.st_dev == at->dev && st.st_ino == at->ino &&
	       ect_mount_id_of(fd) == at->mount_id;
	close(fd);
	return same;
}

int mh_priv_umount_at(struct mh_priv *p, struct ect_ctx *ctx, const struct mh_priv_umount_at *at,
		       const struct ect_mount_entry *row, unsigned int flags)
{
	int ret, saved_cwd;

	if (!p->root || (flags & ECT_UMOUNT_LAZY) || !at->name[0] || strchr(at->name, '/') ||
	    !strcmp(at->name, ".") || !strcmp(at->name, ".."))
		return -EINVAL;
	/*
	 * The cwd (on the parent mount) does not pin the mount below it; the
	 * name is looked up once more, in the directory checked, right before
	 * the unmount. In this namespace a mount point cannot be renamed while
	 * it is one; a name moved meanwhile from another namespace fails the
	 * check or leads to no mount root (EINVAL).
	 */
	ret = enter_dir(at->parent_fd, &saved_cwd);
	if (ret)
		return ret;
	ret = raise_priv(p);
	if (!ret && !still_the_mount(at))
		ret = ECT_E_UNSAFE_PATH;
	if (!ret) {
		if (umount2(at->name, UMOUNT_NOFOLLOW))
			ret = -errno;
		else
			umounted_mtab(ctx, row, flags);
	}
	lower_priv(p, ctx);
	return leave_dir(saved_cwd, ret);
}

int mh_priv_mount_record(struct mh_priv *p, struct ect_ctx *ctx, int dirfd, const char *name,
			  const struct ect_mount_record *rec)
{
	int ret = raise_priv(p);

	if (!ret)
		ret = ect_mount_record_store(dirfd, name, rec);
	lower_priv(p, ctx);
	return ret;
}

int mh_priv_mount_record_load(struct mh_priv *p, struct ect_ctx *ctx, int dirfd,
			       const char *name, struct ect_mount_record *rec)
{
	int ret = raise_priv(p);

	if (!ret)
		ret = ect_mount_record_load(dirfd, name, rec);
	lower_priv(p, ctx);
	return ret;
}

void mh_priv_drop(struct mh_priv *p, struct ect_ctx *ctx)
{
	if (p->root || p->dropped || !p->can_raise)
		return;
	/*
	 * The library's one drop (lib/core/become.c), from the lowered ids: the
	 * drop itself needs no root. All three uids and gids become the
	 * caller's, which an unprivileged setresuid/setresgid may set as they
	 * are the real ids; it checks them and that root (the saved uid and gid)
	 * cannot be regained. The caller's supplementary groups stay as they
	 * came: this setuid program never changed them.
	 */
	if (ect_become_user(p->uid, p->gid, ECT_GROUPS_KEEP, NULL)) {
		ect_err(ctx, "cannot drop root privileges for good; aborting");
		_exit(1);
	}
	no_dump();
	p->dropped = 1;
	p->can_raise = 0;
}
