// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: the times, to the nanosecond. eCryptfs truncates
 * times set through it to whole seconds (its superblock keeps the default
 * time granularity), so they are set on the lower inodes, which carry the
 * times the mount shows. The upper and lower inodes share their inode
 * number: each lower name is found by listing the lower directory. Nothing
 * here lists an upper directory or reads an upper file (lookups only), and
 * lower directories are read with O_NOATIME: the pass changes no time it
 * sets, and the check pass after it reads the times through the mount.
 */
#include "cmd-migrate-home.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lower_entry {
	ino_t ino;
	char *name;
};

static void free_lower(struct lower_entry *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].name);
	free(l);
}

/* The (inode, name) pairs of the lower directory ldir. */
static int list_lower(int ldir, struct lower_entry **out, size_t *count)
{
	char **names;
	size_t n;
	struct lower_entry *l;
	int r = mig_list_dir(ldir, &names, &n);

	*out = NULL;
	*count = 0;
	if (r)
		return r;
	l = calloc(n ? n : 1, sizeof(*l));
	if (!l) {
		mig_free_list(names, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (fstatat(ldir, names[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		l[*count].ino = st.st_ino;
		l[(*count)++].name = names[i];
		names[i] = NULL;
	}
	mig_free_list(names, n);
	*out = l;
	return 0;
}

static const char *lower_of(const struct lower_entry *l, size_t n, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].ino == ino)
			return l[i].name;
	return NULL;
}

/*
 * The access time of a regular file is not checked: eCryptfs reads the
 * header of each file when it first looks it up after a mount, and under
 * relatime that moves the lower file's access time (ctime is newer).
 */
static int check_times(struct mig_tree *t, const struct stat *ss, const struct stat *us, const char *path)
{
	if (ss->st_mtim.tv_sec == us->st_mtim.tv_sec && ss->st_mtim.tv_nsec == us->st_mtim.tv_nsec &&
	    (S_ISREG(ss->st_mode) ||
	     (ss->st_atim.tv_sec == us->st_atim.tv_sec && ss->st_atim.tv_nsec == us->st_atim.tv_nsec)))
		return 0;
	ect_err(t->ctx, "verify: the times of %s differ in the encrypted home (mtime %lld.%09ld/%lld.%09ld, "
			"atime %lld.%09ld/%lld.%09ld)", path,
		(long long)ss->st_mtim.tv_sec, ss->st_mtim.tv_nsec, (long long)us->st_mtim.tv_sec,
		us->st_mtim.tv_nsec, (long long)ss->st_atim.tv_sec, ss->st_atim.tv_nsec,
		(long long)us->st_atim.tv_sec, us->st_atim.tv_nsec);
	return -1;
}

/* sdir: source; udir: upper (O_PATH, lookups only); ldir: lower, or -1 to only check. */
static int times_dir(struct mig_tree *t, int sdir, int udir, int ldir, const char *rel)
{
	struct lower_entry *low = NULL;
	size_t nlow = 0, n;
	char **names;
	int r = mig_list_dir(sdir, &names, &n);

	if (!r && ldir >= 0)
		r = list_lower(ldir, &low, &nlow);
	if (r) {
		ect_err(t->ctx, "times: cannot read %s: %s", *rel ? rel : "the home", strerror(-r));
		mig_free_list(names, n);
		return -1;
	}
	for (size_t i = 0; i < n && !r; i++) {
		char *path = mig_join(rel, names[i]);
		const char *lname = NULL;
		struct stat ss, us;

		r = -1;
		if (!path || fstatat(sdir, names[i], &ss, AT_SYMLINK_NOFOLLOW) ||
		    fstatat(udir, names[i], &us, AT_SYMLINK_NOFOLLOW)) {
			ect_err(t->ctx, "times: cannot stat %s: %s", path ? path : names[i], strerror(errno));
			goto next;
		}
		if (ldir >= 0 && !(lname = lower_of(low, nlow, us.st_ino))) {
			ect_err(t->ctx, "times: no lower file of %s (inode %llu)", path,
				(unsigned long long)us.st_ino);
			goto next;
		}
		if (S_ISDIR(ss.st_mode)) {
			int s = mig_open_dir_at(sdir, names[i], O_NOATIME);
			int u = openat(udir, names[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int l = ldir < 0 ? -1 : mig_open_dir_at(ldir, lname, O_NOATIME);

			if (s >= 0 && u >= 0 && (ldir < 0 || l >= 0))
				r = times_dir(t, s, u, l, path);
			else
				ect_err(t->ctx, "times: cannot open %s: %s", path, strerror(errno));
			if (s >= 0)
				close(s);
			if (u >= 0)
				close(u);
			if (l >= 0)
				close(l);
			if (r)
				goto next;
		}
		if (ldir < 0) {
			r = check_times(t, &ss, &us, path);
		} else {
			struct timespec ts[2] = { ss.st_atim, ss.st_mtim };

			r = utimensat(ldir, lname, ts, AT_SYMLINK_NOFOLLOW);
			if (r)
				ect_err(t->ctx, "cannot set the times of %s: %s", path, strerror(errno));
		}
next:
		free(path);
	}
	free_lower(low, nlow);
	mig_free_list(names, n);
	return r;
}

int mig_times_tree(struct mig_tree *t, int lower_root)
{
	struct stat ss, us;
	int r = times_dir(t, t->src_root, t->dst_root, lower_root, "");

	if (r || t->keep_root)
		return r ? -1 : 0;
	if (fstat(t->src_root, &ss))
		return -1;
	if (lower_root >= 0) {
		struct timespec ts[2] = { ss.st_atim, ss.st_mtim };

		if (futimens(lower_root, ts)) {
			ect_err(t->ctx, "cannot set the times of the home directory: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fstat(t->dst_root, &us))
		return -1;
	return check_times(t, &ss, &us, "the home directory");
}
