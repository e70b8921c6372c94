// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walking a lower tree for recover/verify: depth first, sorted by lower
 * name, never following symlinks or crossing into other filesystems, with
 * names decrypted on the way when a name codec is given.
 */
#include "codec-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TREE_MAX_DEPTH 1024

struct walk {
	struct ect_fname_codec *names;
	ect_tree_fn fn;
	void *userdata;
	dev_t dev;
	char lower[PATH_MAX];
	char upper[PATH_MAX];
	char plain[PATH_MAX];
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of dirfd (without "." and ".."). */
static int list_dir(int dirfd, char ***out, size_t *count)
{
	int fd = dup(dirfd);
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 32;
		}
		v[n] = strdup(de->d_name);
		if (!v[n]) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	if (rc) {
		while (n)
			free(v[--n]);
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*out = v;
	*count = n;
	return 0;
}

/* Append "/name" (or "name" at the top) to path; -ENAMETOOLONG past PATH_MAX. */
static int path_push(char *path, size_t *len, const char *name, size_t nlen)
{
	size_t sep = *len ? 1 : 0;

	if (*len + sep + nlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (sep)
		path[(*len)++] = '/';
	memcpy(path + *len, name, nlen);
	*len += nlen;
	path[*len] = '\0';
	return 0;
}

static int walk_dir(struct walk *w, int dirfd, unsigned int depth, size_t llen, size_t ulen)
{
	char **names;
	size_t count;
	int rc;

	if (depth >= TREE_MAX_DEPTH)
		return -ELOOP;
	rc = list_dir(dirfd, &names, &count);
	if (rc)
		return rc;
	for (size_t i = 0; i < count && rc >= 0; i++) {
		struct ect_tree_entry e = { 0 };
		struct stat st;
		size_t l = llen, u = ulen, nlen = strlen(names[i]);
		const char *upper_name = names[i];
		size_t upper_len = nlen;

		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW)) {
			if (errno == ENOENT)
				continue; /* vanished while walking */
			rc = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode))
			e.type = ECT_TREE_DIR;
		else if (S_ISREG(st.st_mode))
			e.type = ECT_TREE_FILE;
		else if (S_ISLNK(st.st_mode))
			e.type = ECT_TREE_SYMLINK;
		else
			e.type = ECT_TREE_OTHER;
		if (w->names) {
			ssize_t n = ect_fname_decrypt(w->names, names[i], nlen, 0, w->plain,
						      sizeof(w->plain));

			if (n >= 0) {
				upper_name = w->plain;
				upper_len = (size_t)n;
			} else {
				e.name_error = (int)n;
			}
		}
		rc = path_push(w->lower, &l, names[i], nlen);
		if (!rc)
			rc = path_push(w->upper, &u, upper_name, upper_len);
		if (rc)
			break;
		e.dirfd = dirfd;
		e.lower_name = names[i];
		e.lower_path = w->lower;
		e.upper_path = w->upper;
		e.depth = depth;
		rc = w->fn(w->userdata, &e);
		if (rc == 0 && e.type == ECT_TREE_DIR && st.st_dev == w->dev) {
			int sub = openat(dirfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				rc = -errno;
				break;
			}
			rc = walk_dir(w, sub, depth + 1, l, u);
			close(sub);
		}
		if (rc == 1)
			rc = 0;
		w->lower[llen] = '\0';
		w->upper[ulen] = '\0';
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int ect_tree_walk(int root_fd, struct ect_fname_codec *names, ect_tree_fn fn, void *userdata)
{
	struct walk *w;
	struct stat st;
	int rc;

	if (fstat(root_fd, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->names = names;
	w->fn = fn;
	w->userdata = userdata;
	w->dev = st.st_dev;
	rc = walk_dir(w, root_fd, 0, 0, 0);
	ect_wipe(w->plain, sizeof(w->plain));
	free(w);
	return rc;
}
