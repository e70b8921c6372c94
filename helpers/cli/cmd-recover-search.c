// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding ".Private" directories for ecryptfs-recover-private when none is
 * named. 111 ran `find / -type d -name .Private` and word-split the result;
 * this walks /home first, then the rest of /, bounded in depth and entries,
 * without following symlinks, without entering pseudo filesystems, system
 * directories or mounted eCryptfs upper trees. Paths with spaces are fine.
 */
#include "cmd-recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define SEARCH_DEPTH_MAX 8	/* /media/USER/DISK/home/.ecryptfs/USER/.Private is 7 */
#define SEARCH_VISIT_MAX 500000 /* directory entries, then give up */

int dir_list_add(struct dir_list *l, const char *path)
{
	char *copy;

	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->paths[i], path))
			return 0;
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **p = realloc(l->paths, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	l->paths[l->count++] = copy;
	return 0;
}

void dir_list_free(struct dir_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof(*l));
}

/* Filesystems that never hold a user's lower directory. */
static bool pseudo_fs(int fd)
{
	static const long skip[] = {
		0x9fa0,	    /* proc */
		0x62656572, /* sysfs */
		0x1cd1,	    /* devpts */
		0x27e0eb,   /* cgroup */
		0x63677270, /* cgroup2 */
		0x64626720, /* debugfs */
		0x74726163, /* tracefs */
		0x73636673, /* securityfs */
		0x6165676c, /* pstore */
		0xcafe4a11, /* bpf */
		0x62656570, /* configfs */
		0x19800202, /* mqueue */
		0x958458f6, /* hugetlbfs */
		0x0187,	    /* autofs */
		0x42494e4d, /* binfmt_misc */
		0xf15f,	    /* ecryptfs: a mounted upper tree, not a lower one */
		0x65735543, /* fusectl */
		0x01021994, /* tmpfs: /run, /dev/shm, /tmp in RAM */
	};
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return true;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if ((long)sf.f_type == skip[i])
			return true;
	return false;
}

/* Top-level directories of / that are not searched. */
static bool system_dir(const char *name)
{
	static const char *const names[] = {
		"proc", "sys", "dev", "run", "boot", "usr", "bin", "sbin", "lib", "lib32",
		"lib64", "libx32", "etc", "snap", "var", "lost+found",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

struct search {
	struct ect_ctx *ctx;
	struct dir_list *out;
	const char *skip; /* a directory already searched (root/home) */
	unsigned long visited;
	bool truncated;
};

static int walk(struct search *s, int fd0, char *path, size_t len, int depth, bool top)
{
	DIR *d;
	struct dirent *e;
	int ret = 0;

	/* the starting directory is searched whatever it is on (tests use tmpfs) */
	if (depth > 0 && pseudo_fs(fd0)) {
		close(fd0);
		return 0;
	}
	d = fdopendir(fd0);
	if (!d) {
		close(fd0);
		return 0;
	}
	while (!ret && (e = readdir(d))) {
		size_t nlen = strlen(e->d_name);
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++s->visited > SEARCH_VISIT_MAX) {
			s->truncated = true;
			break;
		}
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if (top && system_dir(e->d_name))
			continue;
		if (len + nlen + 2 >= PATH_MAX)
			continue;
		snprintf(path + len, PATH_MAX - len, "%s%s", len && path[len - 1] == '/' ? "" : "/",
			 e->d_name);
		if (s->skip && !strcmp(path, s->skip))
			goto next;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
			goto next;
		if (!strcmp(e->d_name, ".Private")) {
			ret = dir_list_add(s->out, path);
			goto next; /* nothing to find inside a lower tree */
		}
		if (depth + 1 >= SEARCH_DEPTH_MAX)
			goto next;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			ret = walk(s, fd, path, strlen(path), depth + 1, false);
next:
		path[len] = '\0';
	}
	closedir(d);
	return ret;
}

static int search_from(struct search *s, const char *dir, bool top)
{
	char *path = malloc(PATH_MAX);
	int fd, ret;

	if (!path)
		return -ENOMEM;
	snprintf(path, PATH_MAX, "%s", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = fd < 0 ? 0 : walk(s, fd, path, strlen(path), 0, top);
	free(path);
	return ret;
}

int recover_search(struct ect_ctx *ctx, const char *root, struct dir_list *out)
{
	struct search s = { .ctx = ctx, .out = out };
	char home[PATH_MAX];
	int ret;

	/* the usual places first, so they are listed first */
	snprintf(home, sizeof(home), "%s%shome", root, root[strlen(root) - 1] == '/' ? "" : "/");
	ret = search_from(&s, home, false);
	s.skip = home;
	if (!ret)
		ret = search_from(&s, root, true);
	if (s.truncated)
		ect_warn(ctx, "search stopped after %d entries; name the directory instead",
			 SEARCH_VISIT_MAX);
	return ret;
}
