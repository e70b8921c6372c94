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

int mh_mount_ids(int **ids, size_t *n)
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
