// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-user setup checks for ecryptfs-verify-private: ~/.ecryptfs and its
 * files (ecryptfs-utils-compat.md §2.3), the wrapped passphrase, the home
 * and lower directories, the mount state and the name-length limit. Every
 * finding names its check, says what is wrong in one line and, where one
 * exists, the command that fixes it.
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

char *ect_shell_quote(const char *s, char *out, size_t size)
{
	size_t w = 0;

	if (size < 3) {
		if (size)
			out[0] = '\0';
		return out;
	}
	out[w++] = '\'';
	for (; *s && w + 5 < size; s++) {
		if (*s == '\'') {
			memcpy(out + w, "'\\''", 4);
			w += 4;
		} else {
			out[w++] = *s;
		}
	}
	out[w++] = '\'';
	out[w] = '\0';
	return out;
}

static int path_join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Owner and group/other-write checks shared by every file and directory. */
static int check_owner_mode(struct ect_vrun *v, const char *check, const char *path,
			    const struct stat *st, mode_t warn_bits, mode_t want)
{
	char q[PATH_MAX + 8], fix[sizeof(((struct ect_finding *)0)->fix)];

	ect_shell_quote(path, q, sizeof(q));
	if (st->st_uid != v->t->uid) {
		ect__fmt(fix, sizeof(fix), "chown %s: %s", v->t->user, q);
		return ect_report_add(v->r, ECT_SEV_FAIL, check, fix, "%s is owned by uid %u, not by %s",
				      path, (unsigned int)st->st_uid, v->t->user);
	}
	if (st->st_mode & 022) {
		ect__fmt(fix, sizeof(fix), "chmod %o %s", (unsigned int)want, q);
		return ect_report_add(v->r, ECT_SEV_FAIL, check, fix,
				      "%s is writable by other users (mode %03o)", path,
				      (unsigned int)(st->st_mode & 07777));
	}
	if (st->st_mode & warn_bits) {
		ect__fmt(fix, sizeof(fix), "chmod %o %s", (unsigned int)want, q);
		return ect_report_add(v->r, ECT_SEV_WARN, check, fix,
				      "%s is readable by other users (mode %03o)", path,
				      (unsigned int)(st->st_mode & 07777));
	}
	return 0;
}

static int check_home(struct ect_vrun *v)
{
	const char *home = v->t->home;
	char q[PATH_MAX + 8], fix[320];
	struct stat st;

	if (stat(home, &st))
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", "", "home directory %s: %s", home,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", "", "home %s is not a directory",
				      home);
	ect_shell_quote(home, q, sizeof(q));
	if (st.st_uid != v->t->uid && st.st_uid != 0) {
		ect__fmt(fix, sizeof(fix), "chown %s: %s", v->t->user, q);
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", fix,
				      "home %s is owned by uid %u, not by %s or root", home,
				      (unsigned int)st.st_uid, v->t->user);
	}
	/* another user who can write here can swap .ecryptfs or .Private */
	if (st.st_mode & 022) {
		ect__fmt(fix, sizeof(fix), "chmod go-w %s", q);
		return ect_report_add(v->r, ECT_SEV_FAIL, "home", fix,
				      "home %s is writable by other users (mode %03o): they can "
				      "replace .ecryptfs or .Private",
				      home, (unsigned int)(st.st_mode & 07777));
	}
	if (st.st_mode & 005) {
		ect__fmt(fix, sizeof(fix), "chmod o-rx %s", q);
		return ect_report_add(v->r, ECT_SEV_INFO, "home", fix,
				      "home %s is open to all users (mode %03o): file names and "
				      "sizes outside the encrypted directory are visible",
				      home, (unsigned int)(st.st_mode & 07777));
	}
	return ect_report_add(v->r, ECT_SEV_OK, "home", "", "home %s: owner and mode are safe",
			      home);
}

/* Did a check add a finding since before (i.e. did it complain)? */
static int complained(struct ect_vrun *v, size_t before)
{
	return v->r->count > before;
}

/* Returns 1 when ~/.ecryptfs is usable, 0 when checks must stop, <0 on error. */
static int check_dotecryptfs(struct ect_vrun *v)
{
	struct stat lst, st;
	size_t before;
	int ret;

	if (lstat(v->dot, &lst)) {
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "dotecryptfs", "ecryptfs-setup-private",
				     "%s: %s; this user has no eCryptfs setup", v->dot,
				     strerror(errno));
		return ret ? ret : 0;
	}
	if (S_ISLNK(lst.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(v->dot, target, sizeof(target) - 1);

		target[n > 0 ? n : 0] = '\0';
		ret = ect_report_add(v->r, ECT_SEV_INFO, "dotecryptfs", "",
				     "%s links to %s (encrypted-home layout)", v->dot, target);
		if (ret)
			return ret;
	}
	if (stat(v->dot, &st) || !S_ISDIR(st.st_mode)) {
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "dotecryptfs", "", "%s is not a directory",
				     v->dot);
		return ret ? ret : 0;
	}
	before = v->r->count;
	ret = check_owner_mode(v, "dotecryptfs", v->dot, &st, 0, 0700);
	if (ret)
		return ret;
	if (!complained(v, before))
		ret = ect_report_add(v->r, ECT_SEV_OK, "dotecryptfs", "",
				     "%s exists, owner and mode are safe", v->dot);
	return ret ? ret : 1;
}

static int check_wrap_format(struct ect_vrun *v, const char *path)
{
	char q[PATH_MAX + 8], fix[320];
	struct ect_wrap_info info;
	void *blob = NULL;
	size_t size = 0;
	int ret;

	ret = ect_read_file(path, ECT_WRAP_FILE_MAX, 0, &blob, &size);
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", "",
				      "cannot read %s: %s", path, ect_strerror(ret));
	ret = ect_wrap_identify(blob, size, &info);
	free(blob);
	ect_shell_quote(path, q, sizeof(q));
	ect__fmt(fix, sizeof(fix), "ecryptfs-rewrap-passphrase %s", q);
	if (ret)
		return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", "",
				      "%s is not a wrapped passphrase: %s; login cannot unwrap the "
				      "mount passphrase", path, ect_strerror(ret));
	switch (info.version) {
	case ECT_WRAP_V1:
		return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", fix,
				      "%s is version 1: a salt shared by every user (CVE-2014-9687) "
				      "and weak SHA-512 stretching; precomputed tables crack it",
				      path);
	case ECT_WRAP_V2:
		return ect_report_add(v->r, ECT_SEV_WARN, "wrapped-passphrase", fix,
				      "%s is version 2: 65536 x SHA-512 stretching is cheap to "
				      "attack offline; version 3 uses Argon2id", path);
	case ECT_WRAP_V3:
		ret = ect_argon2_params_check(&info.params);
		if (ret == ECT_E_WEAK_PARAMS)
			return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", fix,
					      "%s: Argon2id t=%u m=%u KiB lanes=%u is below the "
					      "current floor; unwrapping refuses it", path,
					      info.params.t_cost, info.params.m_cost_kib,
					      info.params.lanes);
		if (ret)
			return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", fix,
					      "%s: Argon2id t=%u m=%u KiB lanes=%u: %s", path,
					      info.params.t_cost, info.params.m_cost_kib,
					      info.params.lanes, ect_strerror(ret));
		return ect_report_add(v->r, ECT_SEV_OK, "wrapped-passphrase", "",
				      "%s is version 3 (Argon2id t=%u m=%u KiB lanes=%u)", path,
				      info.params.t_cost, info.params.m_cost_kib,
				      info.params.lanes);
	}
	return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", "",
			      "%s: unknown version %d", path, (int)info.version);
}

static int check_wrapped(struct ect_vrun *v)
{
	char path[PATH_MAX], shm[PATH_MAX], q[PATH_MAX + 8], fix[320];
	const char *shm_dir = v->o->shm_dir ? v->o->shm_dir : "/dev/shm";
	struct stat st;
	int have_shm, ret;

	if (path_join(path, sizeof(path), v->dot, "wrapped-passphrase"))
		return -ENAMETOOLONG;
	ect__fmt(shm, sizeof(shm), "%s/.ecryptfs-%s", shm_dir, v->t->user);
	have_shm = !lstat(shm, &st);
	if (have_shm) {
		ect_shell_quote(shm, q, sizeof(q));
		ect__fmt(fix, sizeof(fix), "passwd %s   # then: rm -f %s", v->t->user, q);
		ret = ect_report_add(v->r, ECT_SEV_WARN, "bootstrap-passphrase", fix,
				     "%s holds the mount passphrase in clear, waiting to be wrapped "
				     "at the next password change or login", shm);
		if (ret)
			return ret;
	}
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", "", "%s: %s",
					      path, strerror(errno));
		if (have_shm)
			return 0;
		ect_shell_quote(path, q, sizeof(q));
		ect__fmt(fix, sizeof(fix), "ecryptfs-wrap-passphrase %s", q);
		return ect_report_add(v->r, ECT_SEV_WARN, "wrapped-passphrase", fix,
				      "%s is missing: login cannot mount; only the mount "
				      "passphrase opens the data", path);
	}
	if (!S_ISREG(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "wrapped-passphrase", "",
				      "%s is not a regular file", path);
	ret = check_owner_mode(v, "wrapped-passphrase", path, &st, 077, 0600);
	if (ret)
		return ret;
	return check_wrap_format(v, path);
}

/*
 * Private.sig and Private.mnt are read by the keys module's readers, the
 * same ones the mount helper and PAM use: what they refuse, login refuses.
 */
static int open_dot(struct ect_vrun *v)
{
	return open(v->dot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int config_fault(struct ect_vrun *v, const char *check, int ret,
			const struct ect_config_error *err)
{
	char line[256];

	if (ret == ECT_E_CONFIG || ret == ECT_E_UNSAFE_PATH || ret == ECT_E_BAD_SIG)
		return ect_report_add(v->r, ECT_SEV_FAIL, check, "", "%s/%s; the mount helper "
				      "refuses it", v->dot,
				      ect_config_error_format(err, line, sizeof(line)));
	return ect_report_add(v->r, ECT_SEV_FAIL, check, "", "%s: %s", v->dot, ect_strerror(ret));
}

static int check_sig(struct ect_vrun *v)
{
	struct ect_config_error err = { 0 };
	struct ect_config_sigs sigs;
	char path[PATH_MAX];
	struct stat st;
	int fd, ret;

	if (path_join(path, sizeof(path), v->dot, "Private.sig"))
		return -ENAMETOOLONG;
	if (lstat(path, &st))
		return ect_report_add(v->r, ECT_SEV_FAIL, "private-sig", "ecryptfs-setup-private --force",
				      "%s: %s; nothing says which key opens the data", path,
				      strerror(errno));
	ret = check_owner_mode(v, "private-sig", path, &st, 0, 0600);
	if (ret)
		return ret;
	fd = open_dot(v);
	if (fd < 0)
		return ect_report_add(v->r, ECT_SEV_FAIL, "private-sig", "", "%s: %s", v->dot,
				      strerror(errno));
	ret = ect_config_read_sigs_at(fd, v->t->uid, NULL, &sigs, &err);
	close(fd);
	if (ret)
		return config_fault(v, "private-sig", ret, &err);
	memcpy(v->sigs[0], sigs.fekek, sizeof(v->sigs[0]));
	memcpy(v->sigs[1], sigs.fnek, sizeof(v->sigs[1]));
	v->nsig = sigs.fnek[0] ? 2 : 1;
	if (v->nsig == 2)
		return ect_report_add(v->r, ECT_SEV_OK, "private-sig", "",
				      "%s: file key %s, filename key %s (names encrypted)", path,
				      v->sigs[0], v->sigs[1]);
	return ect_report_add(v->r, ECT_SEV_OK, "private-sig", "",
			      "%s: file key %s, names not encrypted", path, v->sigs[0]);
}

/* Private.mnt: the mount point; missing means HOME/Private. */
static int check_mnt(struct ect_vrun *v)
{
	struct ect_config_error err = { 0 };
	char path[PATH_MAX], q[PATH_MAX + 8], fix[320];
	char *mnt = NULL;
	struct stat st;
	int fd, ret;

	if (path_join(path, sizeof(path), v->dot, "Private.mnt"))
		return -ENAMETOOLONG;
	ect__fmt(v->mnt, sizeof(v->mnt), "%s/Private", v->t->home);
	if (lstat(path, &st)) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "private-mnt", "",
				     "%s is missing: the mount point is %s", path, v->mnt);
	} else {
		fd = open_dot(v);
		if (fd < 0)
			return ect_report_add(v->r, ECT_SEV_FAIL, "private-mnt", "", "%s: %s",
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
	ect_shell_quote(v->mnt, q, sizeof(q));
	if (stat(v->mnt, &st) || !S_ISDIR(st.st_mode)) {
		ect__fmt(fix, sizeof(fix), "install -d -m 700 -o %s %s", v->t->user, q);
		return ect_report_add(v->r, ECT_SEV_FAIL, "private-mnt", fix,
				      "mount point %s is not a directory", v->mnt);
	}
	if (st.st_uid != v->t->uid) {
		ect__fmt(fix, sizeof(fix), "chown %s: %s", v->t->user, q);
		return ect_report_add(v->r, ECT_SEV_FAIL, "private-mnt", fix,
				      "mount point %s is owned by uid %u; the mount helper refuses it",
				      v->mnt, (unsigned int)st.st_uid);
	}
	return ect_report_add(v->r, ECT_SEV_OK, "private-mnt", "", "mount point %s (%s)", v->mnt,
			      strcmp(v->mnt, v->t->home) ? "private directory" : "encrypted home");
}

static int check_lower_dir(struct ect_vrun *v)
{
	struct stat st;
	int ret;
	size_t before = v->r->count;

	if (stat(v->lower, &st))
		return ect_report_add(v->r, ECT_SEV_FAIL, "lower-dir", "",
				      "encrypted directory %s: %s", v->lower, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "lower-dir", "", "%s is not a directory",
				      v->lower);
	v->lower_ok = 1;
	ret = check_owner_mode(v, "lower-dir", v->lower, &st, 077, 0700);
	if (ret || complained(v, before))
		return ret;
	return ect_report_add(v->r, ECT_SEV_OK, "lower-dir", "", "%s exists, owner and mode are safe",
			      v->lower);
}

static int flag_exists(struct ect_vrun *v, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return !path_join(path, sizeof(path), v->dot, name) && !lstat(path, &st) &&
	       S_ISREG(st.st_mode);
}

/* One ~/.ecryptfs flag file: "set" is OK; "unset" has severity sev and "touch FLAG" as fix. */
static int check_flag(struct ect_vrun *v, const char *name, enum ect_severity sev,
		      const char *set, const char *unset)
{
	char q[PATH_MAX + 8], fix[320], path[PATH_MAX];

	if (path_join(path, sizeof(path), v->dot, name))
		return -ENAMETOOLONG;
	if (flag_exists(v, name))
		return ect_report_add(v->r, ECT_SEV_OK, name, "", "%s is set: %s", name, set);
	ect_shell_quote(path, q, sizeof(q));
	ect__fmt(fix, sizeof(fix), "touch %s", q);
	return ect_report_add(v->r, sev, name, fix, "%s is not set: %s", name, unset);
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
		ret = ect_report_add(v->r, ECT_SEV_INFO, "wrapping", "",
				     "wrapping-independent is set: the wrapping passphrase is not "
				     "the login password");
	return ret;
}

static int check_mounted(struct ect_vrun *v)
{
	struct ect_mount_entry *m = malloc(sizeof(*m));
	char real[PATH_MAX], want[64];
	int ret;

	if (!m)
		return -ENOMEM;
	ret = ect_mountinfo_find_ecryptfs(v->o->mountinfo, v->lower, v->mnt, m);
	if (ret == 0 && realpath(v->lower, real))
		ret = ect_mountinfo_find_ecryptfs(v->o->mountinfo, real, NULL, m);
	if (ret < 0) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted", "",
				     "cannot tell whether %s is mounted: %s", v->mnt, strerror(-ret));
	} else if (!ret) {
		ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted", "", "%s is not mounted now",
				     v->mnt);
	} else {
		ect__fmt(want, sizeof(want), "ecryptfs_sig=%s", v->sigs[0]);
		if (v->nsig && !strstr(m->opts, want))
			ret = ect_report_add(v->r, ECT_SEV_WARN, "mounted", "",
					     "%s is mounted at %s with a key other than "
					     "Private.sig's %s", m->source, m->point, v->sigs[0]);
		else
			ret = ect_report_add(v->r, ECT_SEV_INFO, "mounted", "",
					     "%s is mounted at %s now", m->source, m->point);
	}
	free(m);
	return ret;
}

static int check_name_max(struct ect_vrun *v)
{
	struct statvfs sv;
	unsigned long max;

	if (statvfs(v->lower, &sv))
		return 0;
	max = ect_fne_name_max(sv.f_namemax, 16, v->nsig == 2);
	return ect_report_add(v->r, ECT_SEV_INFO, "name-max", "",
			      "file names in %s can be at most %lu bytes%s", v->mnt, max,
			      v->nsig == 2 ? " (encrypted names need room)" : "");
}

int ect_verify_user(const struct ect_verify_target *target, const struct ect_verify_opts *opts,
		    struct ect_report *report)
{
	static const struct ect_verify_opts defaults;
	struct ect_vrun v = { .t = target, .o = opts ? opts : &defaults, .r = report };
	int ret;

	if (!target || !target->home || !target->user || target->home[0] != '/')
		return -EINVAL;
	if (path_join(v.dot, sizeof(v.dot), target->home, ".ecryptfs") ||
	    path_join(v.lower, sizeof(v.lower), target->home, ".Private"))
		return -ENAMETOOLONG;
	ret = check_home(&v);
	if (ret)
		return ret;
	ret = check_dotecryptfs(&v);
	if (ret <= 0)
		return ret;
	ret = check_wrapped(&v);
	if (!ret)
		ret = check_sig(&v);
	if (!ret)
		ret = check_mnt(&v);
	if (!ret)
		ret = check_flags(&v);
	if (!ret)
		ret = check_lower_dir(&v);
	if (!ret)
		ret = check_mounted(&v);
	if (!ret && v.lower_ok)
		ret = ect__verify_lower(&v);
	if (!ret && v.lower_ok)
		ret = check_name_max(&v);
	return ret;
}
