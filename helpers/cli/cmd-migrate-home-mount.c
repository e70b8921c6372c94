// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: the encrypted home mounted on the stage in this
 * process's own mount namespace (nobody else sees it; a kill takes it
 * away), the copy into it, and the verification through a fresh mount.
 */
#include "cmd-migrate-home.h"
#include "cmd-private-setup.h" /* ECRYPTFS_DIR */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* ---- the mount ---- */

struct mnt {
	int lower_fd;
	char opts[ECT_MOUNT_OPTS_MAX];
	struct ect_config_sigs sigs;
};

/*
 * The keys of the new setup into root's keyring: the library's unlock with
 * the login password, checked against Private.sig (keys taken back on a
 * mismatch). The salt is that of the home setup-private -b derived
 * Private.sig with, run by root as here: the real user's (root's)
 * ~/.ecryptfsrc, as ecryptfs-utils 111's migrate-home did.
 */
static int unlock_keys(struct mig *m, int cfg, const struct ect_config_sigs *sigs)
{
	struct ect_user_dirs d = { .config_fd = cfg, .home_fd = -1, .uid = m->uid, .gid = m->gid };
	const struct ect_unlock_opts o = { .sigs = sigs, .flags = ECT_UNLOCK_LINK_SESSION };
	struct ect_unlock_result res;
	char *home = cli_home();
	int r;

	if (home)
		d.home_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(home);
	r = ect_unlock_user_keys(&d, m->pw.s, m->pw.len, &o, &res);
	if (d.home_fd >= 0)
		close(d.home_fd);
	cli_salt_warning(m->ctx, res.salt_err, &res.salt_where);
	if (!r && res.link_err)
		r = res.link_err;
	if (!r)
		return 0;
	if (res.failed_at == ECT_UNLOCK_AT_UNWRAP)
		ect_err(m->ctx, "cannot unwrap %s/%s/.ecryptfs/wrapped-passphrase with this password: %s",
			ECRYPTFS_DIR, m->name, ect_strerror(r));
	else if (res.failed_at == ECT_UNLOCK_AT_MATCH)
		ect_err(m->ctx, "the unwrapped mount passphrase does not match Private.sig");
	else
		ect_err(m->ctx, "cannot add the keys to root's keyring: %s", ect_strerror(r));
	return -1;
}

/* Keys into root's keyring (checked against Private.sig), the lower fd and the mount options. */
static int prepare_mount(struct mig *m, struct mnt *mt)
{
	int top = -1, user = -1, cfg = -1, ret = -1;
	struct ect_config_error err;
	struct stat st;

	mt->lower_fd = -1;
	if (mig_open_ecryptfs_dir(m, &top, &user) || user < 0) {
		ect_err(m->ctx, "%s/%s is missing", ECRYPTFS_DIR, m->name);
		goto out;
	}
	cfg = openat(user, ".ecryptfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	mt->lower_fd = openat(user, ".Private", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfg < 0 || mt->lower_fd < 0 || fstat(mt->lower_fd, &st) || st.st_uid != m->uid) {
		ect_err(m->ctx, "%s/%s/.ecryptfs or .Private is missing or not %s's", ECRYPTFS_DIR,
			m->name, m->name);
		goto out;
	}
	if (ect_config_read_sigs_at(cfg, m->uid, NULL, &mt->sigs, &err)) {
		ect_err(m->ctx, "cannot read %s/%s/.ecryptfs/Private.sig", ECRYPTFS_DIR, m->name);
		goto out;
	}
	if (mig_get_password(m) || unlock_keys(m, cfg, &mt->sigs))
		goto out;
	snprintf(mt->opts, sizeof(mt->opts),
		 "ecryptfs_cipher=aes,ecryptfs_key_bytes=16,ecryptfs_sig=%s%s%s", mt->sigs.fekek,
		 mt->sigs.fnek[0] ? ",ecryptfs_fnek_sig=" : "", mt->sigs.fnek);
	ret = 0;
out:
	if (top >= 0)
		close(top);
	if (user >= 0)
		close(user);
	if (cfg >= 0)
		close(cfg);
	return ret;
}

/* Mount the lower directory on the stage (this namespace only); the mount root's fd. */
static int mount_stage(struct mig *m, const struct mnt *mt)
{
	char src[64], dst[64];
	struct statfs sfs;
	int fd;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", mt->lower_fd);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", m->stage_fd);
	if (mount(src, dst, "ecryptfs", MS_NOSUID | MS_NODEV, mt->opts)) {
		ect_err(m->ctx, "cannot mount the encrypted home on %s/%s: %s", m->parent, m->st.stage,
			strerror(errno));
		return -1;
	}
	fd = openat(m->parent_fd, m->st.stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstatfs(fd, &sfs) || (unsigned long)sfs.f_type != ECT_ECRYPTFS_MAGIC) {
		ect_err(m->ctx, "the encrypted home did not appear on %s/%s", m->parent, m->st.stage);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int umount_stage(struct mig *m, int root_fd)
{
	char path[NAME_MAX + 64];

	syncfs(root_fd);
	close(root_fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", m->parent_fd, m->st.stage);
	if (umount2(path, 0)) {
		ect_err(m->ctx, "cannot unmount the encrypted home from %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* 111's layout inside the mounted home: .ecryptfs and .Private lead to the user's tree. */
static int layout_links(struct mig *m, int root_fd)
{
	static const char *const names[] = { ".ecryptfs", ".Private" };

	for (size_t i = 0; i < 2; i++) {
		char target[512];

		if (mig_exists_at(root_fd, names[i]))
			continue;
		snprintf(target, sizeof(target), "%s/%s/%s", ECRYPTFS_DIR, m->name, names[i]);
		if (symlinkat(target, root_fd, names[i]) ||
		    fchownat(root_fd, names[i], m->uid, m->gid, AT_SYMLINK_NOFOLLOW)) {
			ect_err(m->ctx, "cannot link %s in the encrypted home: %s", names[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* fd reopened by path in this mount namespace: the same inode as oldfd, or -1. */
static int reopen_same(int oldfd, int dirfd, const char *name, int flags)
{
	struct stat a, b;
	int fd;

	if (fstat(oldfd, &a))
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, &b) || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

static void replace_fd(int *fd, int newfd)
{
	close(*fd);
	*fd = newfd;
}

int mig_enter_private_ns(struct mig *m)
{
	int parent, stage, home;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		ect_err(m->ctx, "cannot make a private mount namespace: %s", strerror(errno));
		return -1;
	}
	/* fds from before belong to the old namespace's mounts: mount(2) refuses them */
	parent = reopen_same(m->parent_fd, AT_FDCWD, m->parent, 0);
	stage = parent < 0 ? -1 : reopen_same(m->stage_fd, parent, m->st.stage, O_NOFOLLOW);
	home = stage < 0 ? -1 : reopen_same(m->home_fd, parent, m->base, O_NOFOLLOW | O_NOATIME);
	if (home < 0) {
		ect_err(m->ctx, "cannot find %s and %s/%s again in the private mount namespace: %s",
			m->home, m->parent, m->st.stage, strerror(errno));
		if (parent >= 0)
			close(parent);
		if (stage >= 0)
			close(stage);
		return -1;
	}
	replace_fd(&m->parent_fd, parent);
	replace_fd(&m->stage_fd, stage);
	replace_fd(&m->home_fd, home);
	return 0;
}

/* Copy, unmount, mount afresh (cold caches), verify, unmount. */
int mig_copy_and_verify(struct mig *m, const struct mig_scan *scan)
{
	struct mig_tree t = { .ctx = m->ctx, .src_root = m->home_fd };
	struct mnt mt = { .lower_fd = -1 };
	int root, ret = -1;

	if (mig_enter_private_ns(m))
		return -1;
	t.src_root = m->home_fd;
	if (prepare_mount(m, &mt))
		goto out;
	t.total_files = scan->entries;
	t.total_bytes = scan->bytes;
	root = mount_stage(m, &mt);
	if (root < 0)
		goto out;
	t.dst_root = root;
	fprintf(stderr, "INFO: Encrypting the files of %s, this may take a while.\n", m->home);
	if (layout_links(m, root) || mig_copy_tree(&t)) {
		ect_err(m->ctx, "the copy stopped; %s is unchanged: fix the cause and run "
				"ecryptfs-migrate-home -u %s again to go on", m->home, m->name);
		umount_stage(m, root);
		goto out;
	}
	if (umount_stage(m, root))
		goto out;
	/* read back from the disk, not from the page cache */
	{
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			sync();
			if (write(fd, "3\n", 2) < 0) {
				/* best effort */
			}
			close(fd);
		}
	}
	root = mount_stage(m, &mt);
	if (root < 0)
		goto out;
	t.dst_root = root;
	fprintf(stderr, "INFO: Verifying every file through the encrypted home.\n");
	/* reading moved the access times; all times go on last, then are checked */
	if (mig_verify_tree(&t) || mig_times_tree(&t, mt.lower_fd)) {
		ect_err(m->ctx, "verification failed; %s is unchanged: run ecryptfs-migrate-home -u %s "
				"again to copy what differs", m->home, m->name);
		umount_stage(m, root);
		goto out;
	}
	/* the mount's root keeps the attributes it had at mount time: check on a fresh one */
	if (umount_stage(m, root) || (root = mount_stage(m, &mt)) < 0)
		goto out;
	t.dst_root = root;
	if (mig_times_tree(&t, -1)) {
		ect_err(m->ctx, "verification of the times failed; %s is unchanged: run "
				"ecryptfs-migrate-home -u %s again", m->home, m->name);
		umount_stage(m, root);
		goto out;
	}
	if (umount_stage(m, root))
		goto out;
	ret = 0;
out:
	if (mt.lower_fd >= 0)
		close(mt.lower_fd);
	ect_keyring_unlink(mt.sigs.fekek);
	if (mt.sigs.fnek[0])
		ect_keyring_unlink(mt.sigs.fnek);
	mig_tree_free(&t);
	return ret;
}

