// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mount identity (issue #10): "is it mounted", "which mount is it" and
 * "did private mode make it" are decided from fds, mount ids and dev/ino.
 *
 * The source and target strings of /proc/self/mountinfo are what the
 * mounter passed (eCryptfs has no show_devname), so a user who can make the
 * helper mount anything can make those strings say anything; they serve
 * only to write /etc/mtab and messages. eCryptfs gives its inodes the lower
 * inode number and owner and passes statfs through to the lower file system
 * (f_fsid identifies it), which ties a mount to its lower directory.
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

int ect_mount_id_of(int fd)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int id = -1;
	FILE *f;

#ifdef STATX_MNT_ID
	struct statx stx;

	if (!statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) && (stx.stx_mask & STATX_MNT_ID))
		return (int)stx.stx_mnt_id;
#endif
	/* kernels before 5.8: the same id is in fdinfo (since 3.15) */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "mnt_id: %d", &id) == 1)
			break;
	}
	free(line);
	fclose(f);
	return id;
}

static bool same_fsid(const struct statfs *a, const struct statfs *b)
{
	return !memcmp(&a->f_fsid, &b->f_fsid, sizeof(a->f_fsid)) && a->f_blocks == b->f_blocks &&
	       a->f_files == b->f_files && a->f_bsize == b->f_bsize;
}

static bool is_ecryptfs(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && ((unsigned long)sfs.f_type & 0xffffffffUL) == ECT_ECRYPTFS_MAGIC;
}

int ect_mount_is_over(int fd, int lower_fd)
{
	struct stat m, l;
	struct statfs mfs, lfs;

	if (fstat(fd, &m) || fstat(lower_fd, &l) || fstatfs(fd, &mfs) || fstatfs(lower_fd, &lfs))
		return 0;
	if (!is_ecryptfs(fd))
		return 0;
	/*
	 * Inode number plus file system identity. Not the times: a rename of
	 * the lower directory (or a file created in it) changes its ctime at
	 * any moment and would make the check fail for no reason.
	 */
	return S_ISDIR(m.st_mode) && S_ISDIR(l.st_mode) && m.st_ino == l.st_ino &&
	       m.st_uid == l.st_uid && same_fsid(&mfs, &lfs);
}

struct find_row {
	int mount_id;
	struct ect_mount_entry *out;
	bool *root_is_top;
};

static int find_row_of(const struct ect_mountinfo_entry *e, void *arg)
{
	const struct find_row *w = arg;

	if (e->mount_id != w->mount_id || strcmp(e->fstype, "ecryptfs"))
		return 0;
	if (w->root_is_top)
		*w->root_is_top = !strcmp(e->root, "/");
	if (w->out)
		ect__mount_entry_copy(w->out, e);
	return 1;
}

/* The eCryptfs row of mount_id; *root_is_top: it mounts the whole file system. */
static int find_row(const char *mountinfo, int mount_id, struct ect_mount_entry *out,
		    bool *root_is_top)
{
	struct find_row w = { mount_id, out, root_is_top };

	return ect__mountinfo_each(mountinfo, find_row_of, &w);
}

int ect_mount_find_id(const char *mountinfo, int mount_id, struct ect_mount_entry *out)
{
	return find_row(mountinfo, mount_id, out, NULL);
}

/* 1 when fd is the root of its mount: its parent directory is on another mount. */
static bool is_mount_root(int fd, int id)
{
	int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int pid;

	if (parent < 0)
		return false;
	pid = ect_mount_id_of(parent);
	close(parent);
	return pid >= 0 && pid != id;
}

int ect_mount_find_over(const char *mountinfo, int target_fd, int lower_fd, int *mount_id,
			struct ect_mount_entry *out)
{
	bool whole = false;
	int id, r;

	if (mount_id)
		*mount_id = -1;
	if (!is_ecryptfs(target_fd))
		return 0;
	id = ect_mount_id_of(target_fd);
	if (id < 0)
		return -EIO;
	r = find_row(mountinfo, id, out, &whole);
	if (r <= 0)
		return r;
	if (!whole || !is_mount_root(target_fd, id))
		return 0;
	if (lower_fd >= 0 && !ect_mount_is_over(target_fd, lower_fd))
		return 0;
	if (mount_id)
		*mount_id = id;
	return 1;
}

int ect_mount_opts_have_user_id(const char *opts, uid_t uid)
{
	char want[32];
	size_t n = (size_t)snprintf(want, sizeof(want), "user_id=%u", (unsigned int)uid);

	for (const char *p = opts; p && *p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, want, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

int ect_mount_find_fuse_at(const char *mountinfo, int parent_fd, const char *parent_canon,
			   const char *name, uid_t uid, int *mount_id, struct ect_mount_entry *out)
{
	char *point = NULL;
	int ret, pid = ect_mount_id_of(parent_fd);

	if (mount_id)
		*mount_id = -1;
	if (pid < 0)
		return -EIO;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (asprintf(&point, "%s/%s", strcmp(parent_canon, "/") ? parent_canon : "", name) < 0)
		return -ENOMEM;
	ret = ect_mount_find_fuse_on(mountinfo, point, pid, uid, mount_id, out);
	free(point);
	return ret;
}

int ect_mount_find_fuse(struct ect_ctx *ctx, const char *mountpoint, uid_t uid, int *mount_id,
			struct ect_mount_entry *out)
{
	char *parent = strdup(mountpoint), *canon = NULL, *slash;
	size_t len;
	int fd = -1, ret;

	if (mount_id)
		*mount_id = -1;
	if (!parent)
		return -ENOMEM;
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, "..")) {
		ect_err(ctx, "refusing mount point '%s': it must end in a plain name", mountpoint);
		ret = ECT_E_UNSAFE_PATH;
		goto out;
	}
	*slash = '\0';
	ret = ect_path_open_dir(ctx, parent[0] ? parent : "/", uid, 0, &fd, &canon);
	if (!ret)
		ret = ect_mount_find_fuse_at(NULL, fd, canon, slash + 1, uid, mount_id, out);
out:
	if (fd >= 0)
		close(fd);
	free(canon);
	free(parent);
	return ret;
}

int ect_fuse_program_available(void)
{
	return access(ECT_FUSE_PROGRAM, X_OK) == 0;
}

int ect_mount_record_of(int root_fd, int lower_fd, struct ect_mount_record *rec)
{
	struct stat m, l;

	memset(rec, 0, sizeof(*rec));
	if (fstat(root_fd, &m) || fstat(lower_fd, &l))
		return -errno;
	rec->mount_id = ect_mount_id_of(root_fd);
	if (rec->mount_id < 0)
		return -EIO;
	rec->dev = (unsigned long long)m.st_dev;
	rec->ino = (unsigned long long)m.st_ino;
	rec->lower_dev = (unsigned long long)l.st_dev;
	rec->lower_ino = (unsigned long long)l.st_ino;
	return 0;
}

int ect_mount_record_store(int dirfd, const char *name, const struct ect_mount_record *rec)
{
	char buf[160], tmp[ECT_ALIAS_MAX + 64];
	int fd, n, ret = 0;
	size_t len;

	if (!*name || strchr(name, '/') || strlen(name) > ECT_ALIAS_MAX + 32)
		return -EINVAL;
	if (!rec) {
		if (unlinkat(dirfd, name, 0) && errno != ENOENT)
			return -errno;
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%d %llu %llu %llu %llu\n", rec->mount_id, rec->dev, rec->ino,
		     rec->lower_dev, rec->lower_ino);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENOSPC;
	len = (size_t)n;
	/* callers hold the per-user lock: one fixed temporary name */
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ret = ect__write_all(fd, buf, len);
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && renameat(dirfd, tmp, dirfd, name))
		ret = -errno;
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

int ect_mount_record_load(int dirfd, const char *name, struct ect_mount_record *rec)
{
	char buf[160], extra;
	size_t got = 0;
	struct stat st;
	int fd, ret;

	memset(rec, 0, sizeof(*rec));
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		close(fd);
		return ECT_E_UNSAFE_PATH;
	}
	ret = ect__read_full(fd, buf, sizeof(buf) - 1, &got);
	close(fd);
	if (ret)
		return ret;
	buf[got] = '\0';
	if (sscanf(buf, "%d %llu %llu %llu %llu %c", &rec->mount_id, &rec->dev, &rec->ino,
		   &rec->lower_dev, &rec->lower_ino, &extra) != 5 || rec->mount_id < 0)
		return ECT_E_FORMAT;
	return 0;
}
