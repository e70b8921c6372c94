// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bootstrap hand-off of ecryptfs-utils 111: `ecryptfs-setup-private -b`
 * run by root without a password leaves the mount passphrase in
 * /dev/shm/.ecryptfs-USER; the first password set through PAM (chauthtok)
 * or the first login (session open, after auth proved the password) wraps
 * it into ~/.ecryptfs/wrapped-passphrase and removes it.
 *
 * It is the only copy of the mount passphrase, so the child (already the
 * user) takes it only when it is the user's own regular file, closed to
 * others, and gives the keys named in Private.sig; anything else is left in
 * place with one log line. It is removed only after the wrapped file is on
 * disk (temp file, fsync, rename) and unwraps to the same passphrase.
 */
#include "pam-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file and what was read from it. */
struct boot_file {
	int dirfd;	 /* /dev/shm */
	char name[300];	 /* .ecryptfs-USER */
	struct stat st;	 /* of the file read */
	char *pp;	 /* its content, locked memory */
	size_t len;
};

bool pam_ect_bootstrap_pending(const char *user)
{
	char path[320];
	struct stat st;

	snprintf(path, sizeof(path), PAM_ECT_BOOTSTRAP_DIR "/" PAM_ECT_BOOTSTRAP_PREFIX "%s", user);
	return lstat(path, &st) == 0;
}

static int refuse(struct pam_ect_job *job, const char *why)
{
	ect_err(pam_ect_child_ctx(job),
		"user %s: " PAM_ECT_BOOTSTRAP_DIR "/" PAM_ECT_BOOTSTRAP_PREFIX "%s refused: %s; "
		"left in place and not used", job->user, job->user, why);
	return PAM_ECT_BOOTSTRAP_REFUSED;
}

/* What is wrong with the file as it stands, or NULL. */
static const char *check_stat(const struct stat *st, uid_t uid, char *buf, size_t size)
{
	if (S_ISLNK(st->st_mode))
		return "it is a symlink";
	if (!S_ISREG(st->st_mode))
		return "it is not a regular file";
	if (st->st_uid != uid) {
		snprintf(buf, size, "it is owned by uid %u, not by the user", (unsigned int)st->st_uid);
		return buf;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(buf, size, "its mode %04o opens it to others (0400 or 0600 expected)",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	if (st->st_nlink != 1)
		return "it has more than one hard link";
	if (st->st_size < 1 || st->st_size > ECT_PASSPHRASE_MAX)
		return "it does not hold a 1 to 64 byte passphrase";
	return NULL;
}

static int read_content(struct pam_ect_job *job, struct boot_file *f)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(f->dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return refuse(job, errno == ELOOP ? "it is a symlink" : strerror(errno));
	if (fstat(fd, &st) || st.st_dev != f->st.st_dev || st.st_ino != f->st.st_ino ||
	    st.st_size != f->st.st_size) {
		close(fd);
		return refuse(job, "it changed while being read");
	}
	f->pp = ect_secure_alloc(ECT_PASSPHRASE_MAX + 1);
	if (!f->pp) {
		close(fd);
		return PAM_ECT_INTERNAL;
	}
	do
		n = read(fd, f->pp, ECT_PASSPHRASE_MAX + 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n != f->st.st_size || memchr(f->pp, '\0', (size_t)n))
		return refuse(job, "it could not be read whole, or holds a NUL byte");
	f->len = (size_t)n;
	return PAM_ECT_OK;
}

/* Open and check /dev/shm/.ecryptfs-USER; PAM_ECT_NO_BOOTSTRAP when there is none. */
static int take_file(struct pam_ect_job *job, struct boot_file *f)
{
	struct stat dir;
	const char *why;
	char buf[96];

	snprintf(f->name, sizeof(f->name), PAM_ECT_BOOTSTRAP_PREFIX "%s", job->pw->pw_name);
	f->dirfd = open(PAM_ECT_BOOTSTRAP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (f->dirfd < 0 || fstat(f->dirfd, &dir))
		return PAM_ECT_NO_BOOTSTRAP;
	if (dir.st_uid != 0 || ((dir.st_mode & S_IWOTH) && !(dir.st_mode & S_ISVTX)))
		return refuse(job, PAM_ECT_BOOTSTRAP_DIR " is not root's sticky directory");
	if (fstatat(f->dirfd, f->name, &f->st, AT_SYMLINK_NOFOLLOW))
		return PAM_ECT_NO_BOOTSTRAP;
	why = check_stat(&f->st, job->pw->pw_uid, buf, sizeof(buf));
	if (why)
		return refuse(job, why);
	return read_content(job, f);
}

/* Does the passphrase give the keys Private.sig names (FEKEK with salt, FNEK if named)? */
static int sigs_match(const struct boot_file *f, const uint8_t *salt,
		      const struct ect_config_sigs *sigs, bool *match)
{
	uint8_t *key = ect_secure_alloc(ECT_KEY_SIZE);
	char sig[ECT_SIG_HEX_SIZE + 1];
	int ret;

	*match = false;
	if (!key)
		return ECT_E_SECMEM;
	ret = ect_derive_key(f->pp, f->len, salt, key);
	if (!ret)
		ret = ect_key_signature(key, sig);
	if (!ret && !strcmp(sig, sigs->fekek) && sigs->fnek[0]) {
		ret = ect_derive_key(f->pp, f->len, ect_fnek_salt, key);
		if (!ret)
			ret = ect_key_signature(key, sig);
		*match = !ret && !strcmp(sig, sigs->fnek);
	} else if (!ret) {
		*match = !strcmp(sig, sigs->fekek);
	}
	ect_secure_free(key);
	return ret;
}

/* Read wrapped-passphrase back and unwrap it: the same passphrase, or an error. */
static int verify_written(struct pam_ect_job *job, int dirfd, const struct boot_file *f,
			  const char *password, const uint8_t *salt)
{
	uint8_t blob[ECT_WRAP_FILE_MAX];
	struct ect_wrap_info info;
	char *back = NULL;
	size_t back_len = 0;
	ssize_t n;
	int fd, ret;

	fd = openat(dirfd, ECT_WRAPPED_PASSPHRASE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, blob, sizeof(blob));
	while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	ret = ect_unwrap_capped(blob, (size_t)n, password, strlen(password), salt,
			       &job->opts->kdf_max, &back, &back_len, &info);
	if (!ret && (back_len != f->len || ect_memcmp_const(back, f->pp, f->len)))
		ret = ECT_E_FORMAT;
	ect_secure_free(back);
	return ret;
}

static int wrap_and_write(struct pam_ect_job *job, int dirfd, const struct boot_file *f,
			  const char *password)
{
	const struct ect_user_dirs d = { .config_fd = dirfd, .home_fd = -1, .uid = (uid_t)-1,
					 .gid = (gid_t)-1 };
	enum ect_wrap_version version =
		ect_user_wrap_version(&d, job->opts->keep_v2 ? ECT_UNLOCK_KEEP_V2 : 0);
	uint8_t *blob = NULL;
	size_t size = 0;
	int ret;

	ret = ect_wrap(version, f->pp, f->len, password, strlen(password), NULL, &blob, &size);
	if (!ret)
		ret = ect_write_file_atomic_at(dirfd, ECT_WRAPPED_PASSPHRASE_FILE, blob, size, 0600,
					       (uid_t)-1, (gid_t)-1);
	free(blob);
	return ret;
}

/* Remove the file read, only if the name still is that file. */
static void remove_file(struct pam_ect_job *job, const struct boot_file *f)
{
	struct stat now;
	const char *why = NULL;

	if (fstatat(f->dirfd, f->name, &now, AT_SYMLINK_NOFOLLOW))
		why = strerror(errno);
	else if (now.st_dev != f->st.st_dev || now.st_ino != f->st.st_ino)
		why = "the name now holds another file";
	else if (unlinkat(f->dirfd, f->name, 0))
		why = strerror(errno);
	if (why)
		ect_warn(pam_ect_child_ctx(job), "user %s: wrapped, but " PAM_ECT_BOOTSTRAP_DIR "/%s "
			 "was not removed: %s; remove it by hand", job->user, f->name, why);
}

int pam_ect_bootstrap_wrap(struct pam_ect_job *job, int dirfd, const struct ect_config_sigs *sigs,
			   const char *password)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	struct boot_file f = { .dirfd = -1 };
	uint8_t salt[ECT_SALT_SIZE];
	struct stat st;
	bool match;
	int result, ret;

	if (fstatat(dirfd, ECT_WRAPPED_PASSPHRASE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return PAM_ECT_NO_BOOTSTRAP; /* wrapped already: the file is stale, never used */
	result = take_file(job, &f);
	if (result != PAM_ECT_OK)
		goto out;
	if (ect_rc_read_salt(job->pw->pw_dir, salt))
		memcpy(salt, ect_default_salt, sizeof(salt));
	ret = sigs_match(&f, salt, sigs, &match);
	if (ret || !match) {
		result = ret ? PAM_ECT_INTERNAL :
			       refuse(job, "its passphrase does not give the keys named in Private.sig");
		goto out;
	}
	ret = wrap_and_write(job, dirfd, &f, password);
	if (!ret)
		ret = verify_written(job, dirfd, &f, password, salt);
	if (ret) {
		ect_err(ctx, "user %s: cannot wrap " PAM_ECT_BOOTSTRAP_DIR "/%s into %s/.ecryptfs/"
			ECT_WRAPPED_PASSPHRASE_FILE ": %s; the file is kept", job->user, f.name, job->cfg_base, ect_strerror(ret));
		/* a file that does not unwrap to it must not hide the waiting passphrase */
		(void)unlinkat(dirfd, ECT_WRAPPED_PASSPHRASE_FILE, 0);
		result = PAM_ECT_WRITE_FAILED;
		goto out;
	}
	remove_file(job, &f);
	ect_notice(ctx, "user %s: bootstrap passphrase wrapped into %s/.ecryptfs/"
		   ECT_WRAPPED_PASSPHRASE_FILE " and removed from " PAM_ECT_BOOTSTRAP_DIR, job->user, job->cfg_base);
	result = PAM_ECT_OK;
out:
	ect_secure_free(f.pp);
	ect_wipe(salt, sizeof(salt));
	if (f.dirfd >= 0)
		close(f.dirfd);
	return result;
}

int pam_ect_job_bootstrap(struct pam_ect_job *job)
{
	struct ect_config_error cerr;
	struct ect_config_sigs sigs;
	int dirfd = -1;
	int result, ret;

	result = pam_ect_config_dir(job, &dirfd);
	if (result != PAM_ECT_OK)
		return result;
	memset(&cerr, 0, sizeof(cerr));
	ret = ect_config_read_sigs_at(dirfd, job->pw->pw_uid, NULL, &sigs, &cerr);
	if (ret) {
		result = pam_ect_map_config_error(job, ret, &cerr);
		goto out;
	}
	result = pam_ect_bootstrap_wrap(job, dirfd, &sigs, job->password);
out:
	close(dirfd);
	return result;
}
