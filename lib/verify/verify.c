// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-user setup checks for ecryptfs-verify-private: ~/.ecryptfs and its
 * files (ecryptfs-utils-compat.md §2.3), the wrapped passphrase, the home
 * and lower directories, the mount state and the name-length limit. Every
 * finding names its check, says what is wrong in one line and, where one
 * exists, what fixes it (the CLI spells it out as a command).
 */
#include "verify-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void ect__fmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

static int path_join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

#define check_owner_mode ect__verify_owner_mode

/* Owner and group/other-write checks shared by every file and directory. */
int ect__verify_owner_mode(struct ect_vrun *v, const char *check, const char *path,
			   const struct stat *st, mode_t warn_bits, mode_t want)
{
	if (st->st_uid != v->t->uid)
		return ect__report_fix(v->r, ECT_SEV_FAIL, check,
				       ECT_FIX(ECT_FIX_CHOWN, .user = v->t->user, .path = path),
				       "%s is owned by uid %u, not by %s", path,
				       (unsigned int)st->st_uid, v->t->user);
	if (st->st_mode & 022) {
		return ect__report_fix(v->r, ECT_SEV_FAIL, check,
				       ECT_FIX(ECT_FIX_CHMOD, .mode = want, .path = path),
				      "%s is writable by other users (mode %03o)", path,
				      (unsigned int)(st->st_mode & 07777));
	}
	if (st->st_mode & warn_bits) {
		return ect__report_fix(v->r, ECT_SEV_WARN, check,
				       ECT_FIX(ECT_FIX_CHMOD, .mode = want, .path = path),
				      "%s is readable by other users (mode %03o)", path,
				      (unsigned int)(st->st_mode & 07777));
	}
	return 0;
}

static int check_home(struct ect_vrun *v)
{
	const char *home = v->t->home;
	struct stat st;

	if (v->home_fd < 0 || fstat(v->home_fd, &st))
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", "home directory %s: %s", home,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", "home %s is not a directory",
				      home);
	if (st.st_uid != v->t->uid && st.st_uid != 0) {
		return ect__report_fix(v->r, ECT_SEV_FAIL, "home",
				       ECT_FIX(ECT_FIX_CHOWN, .user = v->t->user, .path = home),
				      "home %s is owned by uid %u, not by %s or root", home,
				      (unsigned int)st.st_uid, v->t->user);
	}
	/* another user who can write here can swap .ecryptfs or .Private */
	if (st.st_mode & 022) {
		return ect__report_fix(v->r, ECT_SEV_FAIL, "home",
				       ECT_FIX(ECT_FIX_CHMOD_DROP, .mode = 022, .path = home),
				      "home %s is writable by other users (mode %03o): they can "
				      "replace .ecryptfs or .Private",
				      home, (unsigned int)(st.st_mode & 07777));
	}
	if (st.st_mode & 005) {
		return ect__report_fix(v->r, ECT_SEV_INFO, "home",
				       ECT_FIX(ECT_FIX_CHMOD_DROP, .mode = 005, .path = home),
				      "home %s is open to all users (mode %03o): file names and "
				      "sizes outside the encrypted directory are visible",
				      home, (unsigned int)(st.st_mode & 07777));
	}
	return ect_report_add(v->r, ECT_SEV_OK, "home", "home %s: owner and mode are safe",
			      home);
}

/* Did a check add a finding since before (i.e. did it complain)? */
static int complained(struct ect_vrun *v, size_t before)
{
	return v->r->count > before;
}

/* Returns 1 when the configuration directory is usable, 0 when checks must stop, <0 on error. */
static int check_dotecryptfs(struct ect_vrun *v)
{
	struct stat st;
	size_t before;
	int ret;

	if (v->dot_fd < 0)
		return 0; /* the layout check said why */
	if (fstat(v->dot_fd, &st))
		return -errno;
	before = v->r->count;
	ret = check_owner_mode(v, "dotecryptfs", v->dot, &st, 0, 0700);
	if (ret)
		return ret;
	if (!complained(v, before))
		ret = ect_report_add(v->r, ECT_SEV_OK, "dotecryptfs",
				     "%s exists, owner and mode are safe", v->dot);
	return ret ? ret : 1;
}

static int check_wrap_format(struct ect_vrun *v, int dfd, const char *base, const char *path)
{
	const struct ect__fix_spec *fix = ECT_FIX(ECT_FIX_REWRAP, .path = path);
	struct ect_wrap_info info;
	char *blob = NULL;
	size_t size = 0;
	int ret;

	ret = ect_path_read_file(NULL, dfd, base, v->t->uid, ECT_WRAP_FILE_MAX, &blob, &size);
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				      "cannot read %s: %s", path, ect_strerror(ret));
	ret = ect_wrap_identify(blob, size, &info);
	free(blob);
	if (!ret)
		v->wrap_version = (int)info.version;
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s is not a wrapped passphrase: %s; login cannot unwrap the "
				      "mount passphrase", path, ect_strerror(ret));
	switch (info.version) {
	case ECT_WRAP_V1:
		return ect__report_fix(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE, fix,
				      "%s is version 1: a salt shared by every user (CVE-2014-9687) "
				      "and weak SHA-512 stretching; precomputed tables crack it",
				      path);
	case ECT_WRAP_V2:
		return ect__report_fix(v->r, ECT_SEV_WARN, ECT_WRAPPED_PASSPHRASE_FILE, fix,
				      "%s is version 2: 65536 x SHA-512 stretching is cheap to "
				      "attack offline; version 3 uses Argon2id", path);
	case ECT_WRAP_V3:
		ret = ect_argon2_params_check(&info.params);
		if (ret == ECT_E_WEAK_PARAMS)
			return ect__report_fix(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE, fix,
					      "%s: Argon2id t=%u m=%u KiB lanes=%u is below the "
					      "current floor; unwrapping refuses it", path,
					      info.params.t_cost, info.params.m_cost_kib,
					      info.params.lanes);
		if (ret)
			return ect__report_fix(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE, fix,
					      "%s: Argon2id t=%u m=%u KiB lanes=%u: %s", path,
					      info.params.t_cost, info.params.m_cost_kib,
					      info.params.lanes, ect_strerror(ret));
		return ect_report_add(v->r, ECT_SEV_OK, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s is version 3 (Argon2id t=%u m=%u KiB lanes=%u)", path,
				      info.params.t_cost, info.params.m_cost_kib,
				      info.params.lanes);
	}
	return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
			      "%s: unknown version %d", path, (int)info.version);
}

/*
 * 111's bootstrap (root's `setup-private -b` without a password) leaves the
 * mount passphrase in /dev/shm/.ecryptfs-USER until the first password
 * change or login wraps it. Until then it is the only copy, in RAM: the
 * advice must lead to wrapping it, never to removing it.
 */
static int check_bootstrap(struct ect_vrun *v, int have_wrapped, const char *wrapped)
{
	const char *shm_dir = v->o->shm_dir ? v->o->shm_dir : "/dev/shm";
	char shm[PATH_MAX];
	struct stat st;

	ect__fmt(shm, sizeof(shm), "%s/.ecryptfs-%s", shm_dir, v->t->user);
	if (lstat(shm, &st))
		return 0;
	if (!S_ISREG(st.st_mode) || (st.st_uid != v->t->uid && st.st_uid != 0))
		return ect_report_add(v->r, ECT_SEV_FAIL, "bootstrap-passphrase",
				      "%s is %s owned by uid %u, not by %s: pam_ecryptfs does not "
				      "wrap it (stale, or planted by another user)", shm,
				      S_ISREG(st.st_mode) ? "a file" : "not a regular file",
				      (unsigned int)st.st_uid, v->t->user);
	if (have_wrapped)
		return ect_report_add(v->r, ECT_SEV_WARN, "bootstrap-passphrase",
				      "%s still holds a mount passphrase in clear although %s "
				      "exists; keep it until `ecryptfs-unwrap-passphrase %s` shows "
				      "the same passphrase", shm, wrapped, wrapped);
	return ect__report_fix(v->r, ECT_SEV_WARN, "bootstrap-passphrase",
			       ECT_FIX(ECT_FIX_WRAP_BOOTSTRAP, .user = v->t->user, .path = shm,
				       .path2 = wrapped),
			      "%s holds the only copy of the mount passphrase, in clear and in "
			      "RAM: a reboot loses it and the data with it; wrap it now (the next "
			      "password change or login does) and record it offline", shm);
}

/*
 * A symlink to removable media: judged by the lookup login uses
 * (ect_wrapped_locate_at), so what it refuses, verify-private fails.
 */
static int check_wrapped_link(struct ect_vrun *v, const char *path)
{
	struct ect_config_error err = { .line = 0 };
	char base[ECT_WRAPPED_BASE_SIZE], target[PATH_MAX], why[256];
	struct stat st;
	ssize_t n;
	int dfd, ret;

	n = readlinkat(v->dot_fd, v->wrapped_file, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	ret = ect_wrapped_locate_at(v->dot_fd, v->wrapped_file, v->t->uid,
				    v->o->wrapped_locations, &dfd, base, &err);
	ect_config_error_format(&err, why, sizeof(why));
	if (ret == ECT_E_MEDIUM_ABSENT)
		return ect_report_add(v->r, ECT_SEV_WARN, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s links to %s on a removable medium that is not present "
				      "(%s): login will fail until the medium is present", path,
				      target, why);
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s is a symbolic link login refuses: %s", path, why);
	ret = ect_report_add(v->r, ECT_SEV_INFO, ECT_WRAPPED_PASSPHRASE_FILE,
			     "%s links to %s, a place declared by %s", path, target, why);
	if (!ret && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW))
		ret = ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				     "%s: %s", target, strerror(errno));
	else if (!ret && !S_ISREG(st.st_mode))
		ret = ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				     "%s is not a regular file", target);
	else if (!ret)
		ret = check_owner_mode(v, ECT_WRAPPED_PASSPHRASE_FILE, target, &st, 077, 0600);
	if (!ret)
		ret = check_wrap_format(v, dfd, base, target);
	close(dfd);
	return ret;
}

int ect__verify_wrapped(struct ect_vrun *v)
{
	char path[PATH_MAX];
	struct stat st;
	size_t before;
	int have, ret = 0;

	if (path_join(path, sizeof(path), v->dot, v->wrapped_file))
		return -ENAMETOOLONG;
	have = !fstatat(v->dot_fd, v->wrapped_file, &st, AT_SYMLINK_NOFOLLOW);
	if (!have && errno != ENOENT)
		return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE, "%s: %s", path,
				      strerror(errno));
	before = v->r->count;
	if (!v->alias) /* 111's bootstrap copy is Private's passphrase */
		ret = check_bootstrap(v, have, path);
	if (ret || (!have && complained(v, before)))
		return ret;
	if (!have && ect__verify_has_tokens(v))
		return ect_report_add(v->r, ECT_SEV_INFO, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s is absent: only the token records open the mount "
				      "passphrase (see protectors)", path);
	if (!have)
		return ect__report_fix(v->r, ECT_SEV_WARN, ECT_WRAPPED_PASSPHRASE_FILE,
				       ECT_FIX(ECT_FIX_WRAP, .path = path),
				       "%s is missing: login cannot mount; only the mount "
				       "passphrase opens the data", path);
	if (S_ISLNK(st.st_mode))
		return check_wrapped_link(v, path);
	if (!S_ISREG(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, ECT_WRAPPED_PASSPHRASE_FILE,
				      "%s is not a regular file", path);
	ret = check_owner_mode(v, ECT_WRAPPED_PASSPHRASE_FILE, path, &st, 077, 0600);
	if (ret)
		return ret;
	return check_wrap_format(v, v->dot_fd, v->wrapped_file, path);
}

/*
 * Private.sig and Private.mnt are read by the keys module's readers, the
 * same ones the mount helper and PAM use: what they refuse, login refuses.
 */
static int open_dot(struct ect_vrun *v)
{
	return openat(v->dot_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int config_fault(struct ect_vrun *v, const char *check, int ret,
			const struct ect_config_error *err)
{
	char line[256];

	if (ret == ECT_E_CONFIG || ret == ECT_E_UNSAFE_PATH || ret == ECT_E_BAD_SIG)
		return ect_report_add(v->r, ECT_SEV_FAIL, check, "%s/%s; the mount helper "
				      "refuses it", v->dot,
				      ect_config_error_format(err, line, sizeof(line)));
	return ect_report_add(v->r, ECT_SEV_FAIL, check, "%s: %s", v->dot, ect_strerror(ret));
}

int ect__verify_sig(struct ect_vrun *v, struct ect_config_sigs *sigs)
{
	struct ect_config_error err = { 0 };
	char path[PATH_MAX], name[ECT_ALIAS_MAX + 8];
	struct ect_config_sigs got;
	struct stat st;
	int fd, ret;

	memset(sigs, 0, sizeof(*sigs));
	ect__fmt(name, sizeof(name), "%s.sig", v->alias ? v->alias : ECT_PRIVATE_ALIAS);
	if (path_join(path, sizeof(path), v->dot, name))
		return -ENAMETOOLONG;
	if (fstatat(v->dot_fd, name, &st, AT_SYMLINK_NOFOLLOW))
		return ect__report_fix(v->r, ECT_SEV_FAIL, "private-sig",
				       v->alias ? NULL : ECT_FIX(ECT_FIX_SETUP_PRIVATE_FORCE),
				      "%s: %s; nothing says which key opens the data", path,
				      strerror(errno));
	ret = check_owner_mode(v, "private-sig", path, &st, 0, 0600);
	if (ret)
		return ret;
	fd = open_dot(v);
	if (fd < 0)
		return ect_report_add(v->r, ECT_SEV_FAIL, "private-sig", "%s: %s", v->dot,
				      strerror(errno));
	ret = ect_config_read_sigs_at(fd, v->t->uid, v->alias, &got, &err);
	close(fd);
	if (ret)
		return config_fault(v, "private-sig", ret, &err);
	*sigs = got;
	if (sigs->fnek[0])
		return ect_report_add(v->r, ECT_SEV_OK, "private-sig",
				      "%s: file key %s, filename key %s (names encrypted)", path,
				      sigs->fekek, sigs->fnek);
	return ect_report_add(v->r, ECT_SEV_OK, "private-sig",
			      "%s: file key %s, names not encrypted", path, sigs->fekek);
}

/* Private.sig: the keys the mount and the lower files must use. */
static int check_sig(struct ect_vrun *v)
{
	struct ect_config_sigs sigs;
	int ret = ect__verify_sig(v, &sigs);

	if (ret || !sigs.fekek[0])
		return ret;
	memcpy(v->sigs[0], sigs.fekek, sizeof(v->sigs[0]));
	memcpy(v->sigs[1], sigs.fnek, sizeof(v->sigs[1]));
	v->nsig = sigs.fnek[0] ? 2 : 1;
	return 0;
}

/* Private.mnt: the mount point; missing means HOME/Private. */
static int check_mnt(struct ect_vrun *v)
{
	struct ect_config_error err = { 0 };
	char path[PATH_MAX];
	char *mnt = NULL;
	struct stat st;
	int fd, ret;

	if (path_join(path, sizeof(path), v->dot, "Private.mnt"))
		return -ENAMETOOLONG;
	ect__fmt(v->mnt, sizeof(v->mnt), "%s/Private", v->t->home);
	if (fstatat(v->dot_fd, "Private.mnt", &st, AT_SYMLINK_NOFOLLOW)) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "private-mnt",
				     "%s is missing: the mount point is %s", path, v->mnt);
	} else {
		fd = open_dot(v);
		if (fd < 0)
			return ect_report_add(v->r, ECT_SEV_FAIL, "private-mnt", "%s: %s",
					      v->dot, strerror(errno));
		ret = ect_config_read_mnt_at(fd, v->t->uid, v->t->home, &mnt, &err);
		close(fd);
		if (ret)
			return config_fault(v, "private-mnt", ret, &err);
		ect__fmt(v->mnt, sizeof(v->mnt), "%s", mnt);
		free(mnt);
		ret = check_owner_mode(v, "private-mnt", path, &st, 0, 0600);
	}
	if (ret)
		return ret;
	/* the mount helper's walker: only root's or the user's symlinks are followed */
	fd = -1;
	if (ect_path_open_dir(NULL, v->mnt, v->t->uid, 0, &fd, NULL) || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		/* root may not look into the user's ecryptfs-fuse mount: its row stands in */
		if (ect__verify_fuse_mounted_on(v))
			return ect_report_add(v->r, ECT_SEV_OK, "private-mnt", "mount point %s "
					      "(an ecryptfs-fuse mount of %s's)", v->mnt, v->t->user);
		return ect__report_fix(v->r, ECT_SEV_FAIL, "private-mnt",
				       ECT_FIX(ECT_FIX_MKDIR, .mode = 0700, .user = v->t->user,
					       .path = v->mnt),
				      "mount point %s is not a directory", v->mnt);
	}
	close(fd);
	if (st.st_uid != v->t->uid) {
		return ect__report_fix(v->r, ECT_SEV_FAIL, "private-mnt",
				       ECT_FIX(ECT_FIX_CHOWN, .user = v->t->user, .path = v->mnt),
				      "mount point %s is owned by uid %u; the mount helper refuses it",
				      v->mnt, (unsigned int)st.st_uid);
	}
	return ect_report_add(v->r, ECT_SEV_OK, "private-mnt", "mount point %s (%s)", v->mnt,
			      strcmp(v->mnt, v->t->home) ? "private directory" : "encrypted home");
}

static int check_lower_dir(struct ect_vrun *v)
{
	struct stat st;
	int ret;
	size_t before = v->r->count;

	if (v->lower_fd < 0)
		return 0; /* the layout check said why */
	if (fstat(v->lower_fd, &st))
		return -errno;
	v->lower_ok = 1;
	ret = check_owner_mode(v, "lower-dir", v->lower, &st, 077, 0700);
	if (ret || complained(v, before))
		return ret;
	return ect_report_add(v->r, ECT_SEV_OK, "lower-dir", "%s exists, owner and mode are safe",
			      v->lower);
}

static int flag_exists(struct ect_vrun *v, const char *name)
{
	struct stat st;

	return !fstatat(v->dot_fd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode);
}

/* One ~/.ecryptfs flag file: "set" is OK; "unset" has severity sev and creating the flag as fix. */
static int check_flag(struct ect_vrun *v, const char *name, enum ect_severity sev,
		      const char *set, const char *unset)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), v->dot, name))
		return -ENAMETOOLONG;
	if (flag_exists(v, name))
		return ect_report_add(v->r, ECT_SEV_OK, name, "%s is set: %s", name, set);
	return ect__report_fix(v->r, sev, name, ECT_FIX(ECT_FIX_TOUCH, .path = path),
			       "%s is not set: %s", name, unset);
}

static int check_flags(struct ect_vrun *v)
{
	char set[PATH_MAX + 64], unset[PATH_MAX + 96];
	int home_layout = !strcmp(v->mnt, v->t->home);
	int ret;

	ect__fmt(set, sizeof(set), "login mounts %s", v->mnt);
	ect__fmt(unset, sizeof(unset), "login does not mount %s%s", v->mnt,
		 home_layout ? ", so the user logs in to an empty home" : "");
	ret = check_flag(v, "auto-mount", home_layout ? ECT_SEV_WARN : ECT_SEV_INFO, set, unset);
	if (ret)
		return ret;
	ect__fmt(set, sizeof(set), "the last logout unmounts %s", v->mnt);
	ect__fmt(unset, sizeof(unset), "%s stays mounted and readable by root after logout",
		 v->mnt);
	ret = check_flag(v, "auto-umount", ECT_SEV_INFO, set, unset);
	if (ret)
		return ret;
	if (flag_exists(v, "wrapping-independent"))
		ret = ect_report_add(v->r, ECT_SEV_INFO, "wrapping",
				     "wrapping-independent is set: the wrapping passphrase is not "
				     "the login password");
	return ret;
}

static int check_mounted(struct ect_vrun *v)
{
	struct ect_mount_entry *m = malloc(sizeof(*m));
	char real[PATH_MAX], link[64], want[2][64];
	ssize_t n;
	int ret;

	if (!m)
		return -ENOMEM;
	ret = ect_mountinfo_find_ecryptfs(v->o->mountinfo, v->lower, v->mnt, m);
	/* the lower directory as the kernel names it, by its fd (a link's target) */
	ect__fmt(link, sizeof(link), "/proc/self/fd/%d", v->lower_fd);
	n = v->lower_fd >= 0 ? readlink(link, real, sizeof(real) - 1) : -1;
	if (ret == 0 && n > 0) {
		real[n] = '\0';
		ret = ect_mountinfo_find_ecryptfs(v->o->mountinfo, real, NULL, m);
	}
	v->mounted = ret > 0;
	if (ret < 0) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted",
				     "cannot tell whether %s is mounted: %s", v->mnt, strerror(-ret));
	} else if (!ret) {
		int fuse = 0;

		ret = ect__verify_fuse_mount(v, &fuse);
		if (!ret && !fuse)
			ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted", "%s is not mounted now",
					     v->mnt);
	} else {
		ect__fmt(want[0], sizeof(want[0]), "ecryptfs_sig=%s", v->sigs[0]);
		ect__fmt(want[1], sizeof(want[1]), "ecryptfs_fnek_sig=%s", v->sigs[1]);
		if (v->nsig && !strstr(m->opts, want[0]))
			ret = ect_report_add(v->r, ECT_SEV_WARN, "mounted",
					     "%s is mounted at %s with a key other than "
					     "Private.sig's %s", m->source, m->point, v->sigs[0]);
		else if (v->nsig == 2 && !strstr(m->opts, want[1]))
			ret = ect_report_add(v->r, ECT_SEV_WARN, "mounted",
					     "%s is mounted at %s without Private.sig's filename "
					     "key %s: names show as ciphertext", m->source, m->point,
					     v->sigs[1]);
		else
			ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted",
					     "%s is mounted at %s now (kernel eCryptfs)", m->source,
					     m->point);
	}
	free(m);
	return ret;
}

static int check_name_max(struct ect_vrun *v)
{
	struct statvfs sv;
	unsigned long max;

	if (fstatvfs(v->lower_fd, &sv))
		return 0;
	max = ect_fne_name_max(sv.f_namemax, 16, v->nsig == 2);
	return ect_report_add(v->r, ECT_SEV_INFO, "name-max",
			      "file names in %s can be at most %lu bytes%s", v->mnt, max,
			      v->nsig == 2 ? " (encrypted names need room)" : "");
}

static int verify_user(struct ect_vrun *v)
{
	int ret = ect__verify_layout(v);

	if (ret == 1) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "setup",
				     "not set up: no %s/.ecryptfs, %s/.Private or %s", v->t->home,
				     v->t->home, v->base);
		return ret ? ret : 1;
	}
	if (!ret)
		ret = check_home(v);
	if (!ret)
		ret = check_dotecryptfs(v);
	if (ret <= 0)
		return ret;
	ret = ect__verify_use_alias(v, NULL);
	if (!ret)
		ret = ect__verify_wrapped(v);
	if (!ret)
		ret = ect__verify_protectors(v);
	if (!ret)
		ret = check_sig(v);
	if (!ret)
		ret = check_mnt(v);
	if (!ret)
		ret = check_flags(v);
	if (!ret)
		ret = ect__verify_fuse(v);
	if (!ret)
		ret = check_lower_dir(v);
	if (!ret)
		ret = check_mounted(v);
	if (!ret)
		ret = ect__verify_whole_home(v);
	if (!ret)
		ret = ect__verify_ssh_keys(v);
	if (!ret && v->lower_ok)
		ret = ect__verify_lower(v);
	if (!ret && v->lower_ok)
		ret = check_name_max(v);
	if (!ret)
		ret = ect__verify_aliases(v);
	return ret;
}

int ect_verify_user(const struct ect_verify_target *target, const struct ect_verify_opts *opts,
		    struct ect_report *report)
{
	static const struct ect_verify_opts defaults;
	struct ect_vrun v = {
		.t = target, .o = opts ? opts : &defaults, .r = report,
		.home_fd = -1, .base_fd = -1, .dot_fd = -1, .lower_fd = -1,
	};
	int ret;

	if (!target || !target->home || !target->user || target->home[0] != '/')
		return -EINVAL;
	ret = verify_user(&v);
	ect__verify_close(&v);
	return ret;
}
