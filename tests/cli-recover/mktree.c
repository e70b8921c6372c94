// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: encrypt a plain tree into an eCryptfs lower tree with the
 * library's writer, as a mount with ecryptfs_sig (and ecryptfs_fnek_sig
 * unless --no-fne) of PASSPHRASE would. Used by the recover-private and
 * find tests; the kernel-made counterpart lives in tests/vm/scenarios/recover.
 *
 *   mktree [--no-fne] PASSPHRASE PLAIN_DIR LOWER_DIR
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecryptfs-tools.h"

static struct ect_codec_key fekek;
static struct ect_fname_codec *names;
/* hard links: plain inode -> lower directory fd and name of its first copy */
static struct {
	ino_t ino;
	int dir;
	char name[1024];
} links[64];
static int nlinks;

static int lower_name(const char *plain, char *out, size_t size, unsigned int flags)
{
	ssize_t n;

	if (!names) {
		snprintf(out, size, "%s", plain);
		return 0;
	}
	n = ect_fname_encrypt(names, plain, strlen(plain), flags, out, size);
	if (n < 0) {
		fprintf(stderr, "mktree: %s: %s\n", plain, ect_strerror((int)n));
		return -1;
	}
	return 0;
}

static int copy_file(int in_dir, const char *name, int out_dir, const char *lname,
		     const struct stat *st)
{
	struct ect_codec_create_params p = { .keys = &fekek, .nkeys = 1,
					     .filenames_encrypted = names != NULL };
	struct ect_codec_file *f = NULL;
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	int in = openat(in_dir, name, O_RDONLY | O_NOFOLLOW);
	int out = openat(out_dir, lname, O_RDWR | O_CREAT | O_EXCL, 0600);
	int ret = -1;

	if (in < 0 || out < 0)
		goto out;
	if (ect_codec_create(out, &p, &f) || ect_codec_encrypt_from_fd(f, in))
		goto out;
	if (fchmod(out, st->st_mode & 07777) || futimens(out, times))
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "mktree: %s: failed\n", name);
	ect_codec_close(f);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

static int copy_tree(int in_dir, int out_dir)
{
	DIR *d = fdopendir(in_dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return -1;
	while (!ret && (e = readdir(d))) {
		char lname[1024], target[PATH_MAX], ltarget[2048];
		struct stat st;
		ssize_t n;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    lower_name(e->d_name, lname, sizeof(lname), 0))
			return -1;
		if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
			int i;

			for (i = 0; i < nlinks && links[i].ino != st.st_ino; i++)
				;
			if (i < nlinks) {
				ret = linkat(links[i].dir, links[i].name, out_dir, lname, 0);
				continue;
			}
			if (nlinks < 64) {
				links[nlinks].ino = st.st_ino;
				links[nlinks].dir = dup(out_dir);
				snprintf(links[nlinks].name, sizeof(links[nlinks].name), "%s", lname);
				nlinks++;
			}
			ret = copy_file(dirfd(d), e->d_name, out_dir, lname, &st);
		} else if (S_ISREG(st.st_mode)) {
			ret = copy_file(dirfd(d), e->d_name, out_dir, lname, &st);
		} else if (S_ISDIR(st.st_mode)) {
			struct timespec times[2] = { st.st_atim, st.st_mtim };
			int i, o;

			if (mkdirat(out_dir, lname, 0700))
				return -1;
			i = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY);
			o = openat(out_dir, lname, O_RDONLY | O_DIRECTORY);
			if (i < 0 || o < 0)
				return -1;
			ret = copy_tree(i, o);
			if (fchmod(o, st.st_mode & 07777) || futimens(o, times))
				ret = -1;
			close(o);
		} else if (S_ISLNK(st.st_mode)) {
			struct timespec times[2] = { st.st_atim, st.st_mtim };

			n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				return -1;
			target[n] = '\0';
			if (lower_name(target, ltarget, sizeof(ltarget), ECT_FNAME_SYMLINK) ||
			    symlinkat(ltarget, out_dir, lname) ||
			    utimensat(out_dir, lname, times, AT_SYMLINK_NOFOLLOW))
				return -1;
		}
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	static uint8_t key[ECT_KEY_SIZE], fnek[ECT_KEY_SIZE];
	char fnek_sig[ECT_SIG_HEX_SIZE + 1];
	int fne = 1, a = 1, in, out;

	if (argc > 1 && !strcmp(argv[1], "--no-fne")) {
		fne = 0;
		a++;
	}
	if (argc - a != 3) {
		fprintf(stderr, "usage: mktree [--no-fne] PASSPHRASE PLAIN_DIR LOWER_DIR\n");
		return 2;
	}
	if (ect_derive_key(argv[a], strlen(argv[a]), ect_default_salt, key) ||
	    ect_key_signature(key, fekek.sig))
		return 1;
	fekek.key = key;
	if (fne && (ect_derive_key(argv[a], strlen(argv[a]), ect_fnek_salt, fnek) ||
		    ect_key_signature(fnek, fnek_sig) ||
		    ect_fname_codec_new(fnek, fnek_sig, NULL, 0, &names)))
		return 1;
	in = open(argv[a + 1], O_RDONLY | O_DIRECTORY);
	if (mkdir(argv[a + 2], 0700) && errno != EEXIST)
		return 1;
	out = open(argv[a + 2], O_RDONLY | O_DIRECTORY);
	if (in < 0 || out < 0 || copy_tree(in, out))
		return 1;
	printf("%s\n", fekek.sig);
	if (fne)
		printf("%s\n", fnek_sig);
	ect_fname_codec_free(names);
	return 0;
}
