// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The only file of mount.ecryptfs that runs code with euid 0.
 *
 * Model (OpenSSH uidswap / util-linux mount): the process starts setuid
 * root, scrubs what the caller controls (fds, environment, umask, core
 * dumps), then sets its effective ids to the caller's and keeps root only
 * in the saved uid. raise()/lower() bracket the three privileged steps
 * (state directory, mount(2), umount(2)); ect_priv_drop() then sets all
 * three ids to the caller's and checks that root cannot be regained before
 * anything else runs. The real uid stays the caller's throughout, which the
 * kernel needs for ecryptfs_check_dev_ruid and the keyring lookup.
 */
#include "privilege.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int ect_priv_sanitize_process(void)
{
	struct rlimit no_core = { 0, 0 };
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
	if (getuid() == 0)
		goto fds_done;
#ifdef HAVE_CLOSE_RANGE
	if (close_range(3, ~0U, 0))
#endif
	{
		long max = sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			close(fd);
	}
fds_done:
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

static int raise_priv(struct ect_priv *p)
{
	if (p->root)
		return 0;
	if (!p->can_raise || p->dropped)
		return -EPERM;
	if (seteuid(0) || setegid(0)) {
		no_dump();
		return -errno;
	}
	no_dump();
	return 0;
}

/* Failing to lower is fatal: nothing may run with root by accident. */
static void lower_priv(struct ect_priv *p, struct ect_ctx *ctx)
{
	if (p->root)
		return;
	if (setegid(p->gid) || seteuid(p->uid) || geteuid() != p->uid || getegid() != p->gid) {
		ect_err(ctx, "cannot give up root privileges: %s", strerror(errno));
		_exit(1);
	}
	no_dump();
}

int ect_priv_init(struct ect_priv *p, struct ect_ctx *ctx)
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

int ect_priv_state_dir(struct ect_priv *p, struct ect_ctx *ctx, int *dirfd)
{
	char name[32];
	struct stat st;
	int top = -1, fd = -1, ret, created = 0;

	*dirfd = -1;
	ret = raise_priv(p);
	if (ret)
		goto out;
	if (mkdir(ECT_RUNDIR "/" ECT_SESSION_SUBDIR, 0755) && errno != EEXIST) {
		ret = -errno;
		ect_err(ctx, "cannot create %s: %s", ECT_RUNDIR "/" ECT_SESSION_SUBDIR, strerror(errno));
		goto out;
	}
	top = open(ECT_RUNDIR "/" ECT_SESSION_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0 || fstat(top, &st)) {
		ret = -errno;
		ect_err(ctx, "cannot open %s: %s", ECT_RUNDIR "/" ECT_SESSION_SUBDIR, strerror(errno));
		goto out;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		ect_err(ctx, "refusing %s: not a root-owned directory writable only by root",
			ECT_RUNDIR "/" ECT_SESSION_SUBDIR);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	snprintf(name, sizeof(name), "%u", (unsigned int)p->uid);
	if (!mkdirat(top, name, 0700))
		created = 1;
	else if (errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	fd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (created && fchown(fd, p->uid, p->gid)) {
		ret = -errno;
		goto out;
	}
	if (fstat(fd, &st) || st.st_uid != p->uid) {
		ect_err(ctx, "refusing %s/%s: not owned by uid %u", ECT_RUNDIR "/" ECT_SESSION_SUBDIR,
			name, (unsigned int)p->uid);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	*dirfd = fd;
	fd = -1;
	ret = 0;
out:
	lower_priv(p, ctx);
	if (top >= 0)
		close(top);
	if (fd >= 0)
		close(fd);
	return ret;
}

int ect_priv_mount(struct ect_priv *p, struct ect_ctx *ctx, const char *src, int target_fd,
		   const char *mtab_target, unsigned long flags, const char *opts)
{
	int ret, saved_cwd;

	/* Mount onto "." after fchdir to the verified fd: nothing is re-resolved. */
	saved_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fchdir(target_fd))
		return -errno;
	ret = raise_priv(p);
	if (!ret) {
		if (mount(src, ".", "ecryptfs", flags, opts))
			ret = -errno;
		else if (mtab_target && ect_mtab_add(src, mtab_target, opts))
			ect_warn(ctx, "mounted, but could not update /etc/mtab");
	}
	lower_priv(p, ctx);
	if (saved_cwd >= 0) {
		if (fchdir(saved_cwd))
			ret = ret ? ret : -errno;
		close(saved_cwd);
	}
	return ret;
}

int ect_priv_umount(struct ect_priv *p, struct ect_ctx *ctx, int target_fd, const char *target,
		    unsigned int flags)
{
	int ret, saved_cwd = -1;
	bool lazy = flags & ECT_UMOUNT_LAZY;

	/* users only ever unmount the verified fd; a path is for root alone */
	if (!lazy && !p->root)
		return -EPERM;
	if (lazy) {
		saved_cwd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fchdir(target_fd))
			return -errno;
	}
	ret = raise_priv(p);
	if (!ret) {
		/* with the cwd pinning the mount, only a lazy unmount can succeed */
		if (umount2(lazy ? "." : target, (lazy ? MNT_DETACH : 0) | UMOUNT_NOFOLLOW))
			ret = -errno;
		else if (!(flags & ECT_UMOUNT_NO_MTAB) && ect_mtab_remove(target))
			ect_warn(ctx, "unmounted, but could not update /etc/mtab");
	}
	lower_priv(p, ctx);
	if (saved_cwd >= 0) {
		if (fchdir(saved_cwd))
			ret = ret ? ret : -errno;
		close(saved_cwd);
	}
	return ret;
}

void ect_priv_drop(struct ect_priv *p, struct ect_ctx *ctx)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (p->root || p->dropped || !p->can_raise)
		return;
	if (seteuid(0) == 0) {
		/* gid first: after the uid change we could no longer set it */
		if (setresgid(p->gid, p->gid, p->gid) || setresuid(p->uid, p->uid, p->uid))
			goto fail;
	} else {
		goto fail;
	}
	/* Prove it: none of these may succeed any more. */
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || setegid(0) == 0)
		goto fail;
	if (getresuid(&r, &e, &s) || r != p->uid || e != p->uid || s != p->uid)
		goto fail;
	if (getresgid(&rg, &eg, &sg) || rg != p->gid || eg != p->gid || sg != p->gid)
		goto fail;
	no_dump();
	p->dropped = 1;
	p->can_raise = 0;
	return;
fail:
	ect_err(ctx, "cannot drop root privileges for good; aborting");
	_exit(1);
}
