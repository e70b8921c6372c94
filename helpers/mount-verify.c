// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mount identity checks for the private mount (finding 1 of issue #4).
 *
 * mount(2) takes the lower directory as a path string, which the kernel
 * resolves again: a user who swaps ~/.Private (or a parent) for a symlink
 * between our fd checks and mount(2) would get a different lower directory.
 * "/proc/self/fd/N" as the source would pin the object but then shows in
 * /proc/mounts instead of the path (eCryptfs has no show_devname), which
 * breaks every tool that finds the mount by its source. So the mount is made
 * by path and checked afterwards: the new mount's root must be an eCryptfs
 * root whose inode is the checked lower directory's (eCryptfs gives its
 * inodes the lower inode number and copies the owner; statfs is passed
 * through to the lower file system, so f_fsid identifies it).
 */
#include "privilege.h"

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

int ect_mount_ids(int **ids, size_t *n)
{
	char *line = NULL;
	size_t cap = 0, count = 0, room = 0;
	int *v = NULL, ret = 0, id;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	*ids = NULL;
	*n = 0;
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%d ", &id) != 1)
			continue;
		if (count == room) {
			int *nv = realloc(v, (room ? room * 2 : 64) * sizeof(*v));

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
			room = room ? room * 2 : 64;
		}
		v[count++] = id;
	}
	free(line);
	fclose(f);
	if (ret) {
		free(v);
		return ret;
	}
	*ids = v;
	*n = count;
	return 0;
}

static int same_fsid(const struct statfs *a, const struct statfs *b)
{
	return !memcmp(&a->f_fsid, &b->f_fsid, sizeof(a->f_fsid)) && a->f_blocks == b->f_blocks &&
	       a->f_files == b->f_files && a->f_bsize == b->f_bsize;
}

int ect_mount_is_over(int fd, int lower_fd)
{
	struct stat m, l;
	struct statfs mfs, lfs;

	if (fstat(fd, &m) || fstat(lower_fd, &l) || fstatfs(fd, &mfs) || fstatfs(lower_fd, &lfs))
		return 0;
	if (((unsigned long)mfs.f_type & 0xffffffffUL) != ECT_ECRYPTFS_MAGIC)
		return 0;
	/*
	 * Inode number plus file system identity. Not the times: a rename of
	 * the lower directory (or a file created in it) changes its ctime at
	 * any moment and would make the check fail for no reason.
	 */
	return S_ISDIR(m.st_mode) && S_ISDIR(l.st_mode) && m.st_ino == l.st_ino &&
	       m.st_uid == l.st_uid && same_fsid(&mfs, &lfs);
}
