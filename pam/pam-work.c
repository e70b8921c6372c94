// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the child does once it is the user: read ~/.ecryptfs through the
 * library, unwrap, put the keys in the keyring, upgrade or rewrap the
 * wrapped passphrase, and pick the helper to exec. Each function returns an
 * enum pam_ect_child_result; the parent turns it into PAM codes and text.
 */
#include "pam-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* The child logs on its own context (pam_syslog is not needed: same ident). */
struct ect_ctx *pam_ect_child_ctx(const struct pam_ect_job *job)
{
	static struct ect_ctx *ctx; /* one per child process, which is single-threaded */

	if (!ctx && !ect_ctx_new(&ctx, PAM_ECT_IDENT, ECT_LOG_SYSLOG))
		ect_ctx_set_debug(ctx, job->opts->debug ? 1 : 0);
	return ctx;
}

int pam_ect_config_dir(struct pam_ect_job *job, int *dirfd)
{
	struct stat st;
	int fd, ret = 0;

	*dirfd = -1;
	if (job->cfg_fd < 0)
		return pam_ect_map_config_error(job, -ENOENT, NULL);
	fd = fcntl(job->cfg_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return pam_ect_map_config_error(job, -errno, NULL);
	/* ect_config_dir_open's rule, on the fd the parent looked into */
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISDIR(st.st_mode) || st.st_uid != job->pw->pw_uid ||
		 (st.st_mode & (S_IWGRP | S_IWOTH)))
		ret = ECT_E_UNSAFE_PATH;
	if (ret) {
		close(fd);
		return pam_ect_map_config_error(job, ret, NULL);
	}
	*dirfd = fd;
	return PAM_ECT_OK;
}

int pam_ect_map_config_error(struct pam_ect_job *job, int err, const struct ect_config_error *cerr)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	char line[256];

	if (err == -ENOENT)
		return PAM_ECT_NOT_AUTOMOUNT;
	if (cerr && cerr->reason[0])
		ect_err(ctx, "user %s: ~/.ecryptfs/%s", job->user,
			ect_config_error_format(cerr, line, sizeof(line)));
	else
		ect_err(ctx, "user %s: ~/.ecryptfs: %s", job->user, ect_strerror(err));
	if (err == -EACCES || err == -EPERM || err == ECT_E_UNSAFE_PATH)
		return PAM_ECT_UNREADABLE;
	return PAM_ECT_CORRUPT;
}

/* The job's wrapped passphrase in ~/.ecryptfs: Private's, or ALIAS.wrapped-passphrase. */
static const char *wrapped_name(struct pam_ect_job *job)
{
	static char name[ECT_ALIAS_FILE_SIZE]; /* the child is single-threaded */

	if (ect_alias_key_file(job->alias, ECT_WRAPPED_PASSPHRASE_FILE, name, sizeof(name)))
		return ECT_WRAPPED_PASSPHRASE_FILE;
	return name;
}

/* where: the library's word on the wrapped file's place (a policy's refusal), or NULL. */
static int map_unwrap_error(struct pam_ect_job *job, int err, const struct ect_config_error *where)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	char line[256];

	switch (err) {
	case ECT_E_WRONG_PASSWORD:
		ect_notice(ctx, "user %s: the password does not open ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE,
			   job->user);
		return PAM_ECT_WRONG_PASSWORD;
	case ECT_E_MEDIUM_ABSENT:
		/* the parent tells the user which file or medium (the child's output) */
		if (where && where->reason[0])
			ect_config_error_format(where, line, sizeof(line));
		else
			snprintf(line, sizeof(line), "%s", ect_strerror(err));
		ect_err(ctx, "user %s: cannot read ~/.ecryptfs/%s: %s: %s", job->user, wrapped_name(job),
			ect_strerror(err), line);
		dprintf(STDERR_FILENO, "%s\n", line);
		return PAM_ECT_MEDIUM_ABSENT;
	case -EACCES:
	case -EPERM:
	case -ENOENT:
	case ECT_E_UNSAFE_PATH:
		if (where && where->reason[0]) {
			ect_err(ctx, "user %s: cannot read ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE
				": %s: %s", job->user, ect_strerror(err),
				ect_config_error_format(where, line, sizeof(line)));
			return PAM_ECT_UNREADABLE;
		}
		ect_err(ctx, "user %s: cannot read ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE ": %s", job->user,
			ect_strerror(err));
		return PAM_ECT_UNREADABLE;
	case ECT_E_HOSTILE_PARAMS:
		/* Logged with the costs by log_over_budget. */
		return PAM_ECT_KDF_COST;
	case ECT_E_PASSPHRASE_LEN:
		/* A login password over 64 bytes can never have wrapped the file (v1/v2). */
		ect_notice(ctx, "user %s: password length does not fit ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE,
			   job->user);
		return PAM_ECT_WRONG_PASSWORD;
	default:
		ect_err(ctx, "user %s: ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE ": %s", job->user, ect_strerror(err));
		return PAM_ECT_CORRUPT;
	}
}

static void wp_path(const struct pam_ect_job *job, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/" ECT_CONFIG_DIR_NAME "/%s", job->cfg_base, name);
}

/*
 * Backstop under the cost check: cap this child's address space near what
 * the budget needs (what is mapped now, the Argon2id matrix, and room for
 * lane threads and libgcrypt), so no allocation path can take the machine's
 * memory. Only the soft limit moves; *old restores it before any exec.
 */
#define PAM_ECT_AS_SLACK (512ULL << 20)
static bool cap_address_space(const struct pam_ect_job *job, struct rlimit *old)
{
	unsigned long long pages = 0, cap;
	long page = sysconf(_SC_PAGESIZE);
	struct rlimit lim;
	FILE *f;

	if (page <= 0 || getrlimit(RLIMIT_AS, old))
		return false;
	f = fopen("/proc/self/statm", "re");
	if (!f)
		return false;
	if (fscanf(f, "%llu", &pages) != 1)
		pages = 0;
	fclose(f);
	if (!pages)
		return false;
	cap = pages * (unsigned long long)page + (unsigned long long)job->opts->kdf_max.m_cost_kib * 1024 +
	      PAM_ECT_AS_SLACK;
	if (old->rlim_cur != RLIM_INFINITY && old->rlim_cur <= cap)
		return false;
	lim.rlim_cur = cap;
	lim.rlim_max = old->rlim_max;
	return setrlimit(RLIMIT_AS, &lim) == 0;
}

/*
 * The home fd for ~/.ecryptfsrc (the user's salt). Opened as the user; if
 * it cannot be, the default salt is what is left, as ecryptfs-utils did.
 */
static int open_home(struct pam_ect_job *job)
{
	int fd = open(job->pw->pw_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		ect_warn(pam_ect_child_ctx(job), "user %s: cannot open the home directory: %s; "
			 "using the default salt", job->user, strerror(errno));
	return fd;
}

static void warn_salt(struct pam_ect_job *job, int err, const struct ect_config_error *where)
{
	char line[256];

	if (!err)
		return;
	if (where->reason[0])
		ect_warn(pam_ect_child_ctx(job), "user %s: ~/%s; using the default salt", job->user,
			 ect_config_error_format(where, line, sizeof(line)));
	else
		ect_warn(pam_ect_child_ctx(job), "user %s: ~/.ecryptfsrc: %s; using the default salt",
			 job->user, ect_strerror(err));
}

/*
 * A file above the login's Argon2id budget (kdf_max_*) is refused by the
 * library before any derivation; say which file, its cost, the limit and
 * the way out.
 */
static void log_over_budget(struct pam_ect_job *job, int ret, const struct ect_wrap_info *info)
{
	const struct ect_argon2_params *max = &job->opts->kdf_max;
	char path[4200];

	if (ret != ECT_E_HOSTILE_PARAMS || info->version != ECT_WRAP_V3)
		return;
	wp_path(job, ECT_WRAPPED_PASSPHRASE_FILE, path, sizeof(path));
	ect_err(pam_ect_child_ctx(job),
		"user %s: %s refused: Argon2id cost %u MiB t=%u lanes=%u is over the login "
		"limit kdf_max_mib=%u kdf_max_t=%u; fix: ecryptfs-rewrap-passphrase "
		"--kdf-target-ms %d %s",
		job->user, path, info->params.m_cost_kib / 1024, info->params.t_cost,
		info->params.lanes, max->m_cost_kib / 1024, max->t_cost, ECT_ARGON2_DEFAULT_MS, path);
}

static bool flag_file(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* Exec the helper name with arg (may be NULL) and, for an alias, the alias last. */
static int set_exec(struct pam_ect_job *job, const char *name, const char *arg)
{
	int n = snprintf(job->exec_path, sizeof(job->exec_path), "%s/%s", job->opts->helper_dir, name);
	size_t i = 0;

	if (n < 0 || (size_t)n >= sizeof(job->exec_path))
		return PAM_ECT_INTERNAL;
	job->exec_argv[i++] = name;
	if (arg)
		job->exec_argv[i++] = arg;
	if (job->alias)
		job->exec_argv[i++] = job->alias;
	job->exec_argv[i] = NULL;
	return PAM_ECT_OK;
}

static int unlock_failed(struct pam_ect_job *job, int dirfd, int ret,
			 const struct ect_config_sigs *sigs, const struct ect_unlock_result *res)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	int result;

	switch (res->failed_at) {
	case ECT_UNLOCK_AT_MATCH:
		ect_err(ctx, "user %s: the unwrapped passphrase gives key %s, Private.sig names %s",
			job->user, res->fekek, sigs->fekek);
		return PAM_ECT_SIG_MISMATCH;
	case ECT_UNLOCK_AT_KEYRING:
		ect_err(ctx, "user %s: cannot add the keys to the keyring: %s", job->user,
			ect_strerror(ret));
		return PAM_ECT_KEYRING;
	default:
		log_over_budget(job, ret, &res->info);
		result = map_unwrap_error(job, ret, &res->wrap_where);
		if (result == PAM_ECT_WRONG_PASSWORD && flag_file(dirfd, ECT_WRAPPED_STALE_FILE))
			pam_ect_child_flag(job, PAM_ECT_FLAG_STALE);
		return result;
	}
}

/*
 * Unwrap with the password and put FNEK then FEKEK into @u, linked from @s
 * (the library's ect_unlock_user_keys), under the login's cost budget. With
 * ECT_UNLOCK_IS_PASSPHRASE in how, secret is the mount passphrase a token
 * record gave, and only the keys are added.
 */
static int unlock_keys(struct pam_ect_job *job, int dirfd, const struct ect_private_config *cfg,
		       const char *secret, size_t secret_len, unsigned int how)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	struct ect_user_dirs dirs = {
		.config_fd = dirfd,
		.home_fd = open_home(job),
		.uid = job->pw->pw_uid,
		.gid = job->pw->pw_gid,
		.alias = job->alias,
	};
	struct ect_unlock_opts opts = {
		.sigs = &cfg->sigs,
		.ceiling = &job->opts->kdf_max,
		.flags = ECT_UNLOCK_LINK_SESSION | ECT_UNLOCK_UPGRADE | ECT_UNLOCK_CLEAR_STALE | how,
	};
	struct ect_unlock_result res;
	struct rlimit old;
	bool capped;
	int ret;

	if (job->opts->keep_v2)
		opts.flags |= ECT_UNLOCK_KEEP_V2;
	capped = cap_address_space(job, &old);
	ret = ect_unlock_user_keys(&dirs, secret, secret_len, &opts, &res);
	if (capped)
		(void)setrlimit(RLIMIT_AS, &old);
	if (dirs.home_fd >= 0)
		close(dirs.home_fd);
	warn_salt(job, res.salt_err, &res.salt_where);
	/* The parent takes back exactly these if the mount fails, never another session's. */
	if (res.added & ECT_UNLOCK_ADDED_FNEK)
		pam_ect_child_key_added(job, res.fnek);
	if (res.added & ECT_UNLOCK_ADDED_FEKEK)
		pam_ect_child_key_added(job, res.fekek);
	/* A session keyring that is not ours to write (some daemons) only costs a warning. */
	if (res.link_err)
		ect_warn(ctx, "user %s: cannot link the user keyring into the session keyring: %s",
			 job->user, ect_strerror(res.link_err));
	if (ret)
		return unlock_failed(job, dirfd, ret, &cfg->sigs, &res);
	ect_debug(ctx, "user %s: keys %s%s%s added", job->user, res.fekek, res.fnek[0] ? " and " : "",
		  res.fnek);
	if (res.stale_removed)
		ect_notice(ctx, "user %s: the login password unlocks again; stale-wrap marker removed",
			   job->user);
	if (res.upgrade > 0) {
		ect_notice(ctx, "user %s: wrapped passphrase upgraded from v%d to v3", job->user,
			   (int)res.info.version);
		pam_ect_child_flag(job, PAM_ECT_FLAG_UPGRADED);
	} else if (res.upgrade < 0) {
		ect_err(ctx, "user %s: cannot write ~/.ecryptfs/%s: %s", job->user,
			ECT_WRAPPED_PASSPHRASE_FILE, ect_strerror(res.upgrade));
		pam_ect_child_flag(job, PAM_ECT_FLAG_UPGRADE_FAILED);
	}
	return PAM_ECT_OK;
}

static int load_config(struct pam_ect_job *job, int *dirfd, struct ect_private_config *cfg)
{
	struct ect_config_error cerr;
	int ret;

	memset(&cerr, 0, sizeof(cerr));
	memset(cfg, 0, sizeof(*cfg));
	ret = pam_ect_config_dir(job, dirfd);
	if (ret != PAM_ECT_OK)
		return ret;
	ret = ect_private_config_load(*dirfd, job->pw->pw_uid, job->pw->pw_dir, job->alias, cfg,
				      &cerr);
	if (ret) {
		close(*dirfd);
		*dirfd = -1;
		return pam_ect_map_config_error(job, ret, &cerr);
	}
	return PAM_ECT_OK;
}

/* A token record (pam-token.c), else the password's wrapped-passphrase. */
static int open_protectors(struct pam_ect_job *job, int dirfd, const struct ect_private_config *cfg)
{
	char *pp = NULL;
	size_t pp_len = 0;
	struct rlimit old;
	bool capped;
	int result;

	/* a token AND password record derives with Argon2id too: the same backstop */
	capped = cap_address_space(job, &old);
	result = pam_ect_token_passphrase(job, dirfd, &pp, &pp_len);
	if (capped)
		(void)setrlimit(RLIMIT_AS, &old);
	if (result == PAM_ECT_OK) {
		result = unlock_keys(job, dirfd, cfg, pp, pp_len, ECT_UNLOCK_IS_PASSPHRASE);
		ect_secure_free(pp);
		return result;
	}
	if (result != PAM_ECT_NO_TOKEN)
		return result;
	if (!job->password || !job->password[0])
		return PAM_ECT_NO_PASSWORD;
	/* the first login of a -b home made without a password: 111's hand-off (Private only) */
	result = job->alias ? PAM_ECT_NO_BOOTSTRAP :
			      pam_ect_bootstrap_wrap(job, dirfd, &cfg->sigs, job->password);
	if (result != PAM_ECT_OK && result != PAM_ECT_NO_BOOTSTRAP)
		return result;
	return unlock_keys(job, dirfd, cfg, job->password, strlen(job->password), 0);
}

int pam_ect_job_open(struct pam_ect_job *job)
{
	struct ect_private_config cfg;
	int dirfd = -1;
	int mounted;
	int result;

	result = load_config(job, &dirfd, &cfg);
	if (result != PAM_ECT_OK)
		return result;
	if (cfg.flags & ECT_FLAG_AUTO_MOUNT_REFUSED) {
		ect_err(pam_ect_child_ctx(job), "user %s: ~/.ecryptfs/%s.%s refused: a symbolic link, "
			"not a regular file, or not the user's; %s is not mounted at login", job->user,
			job->alias, ECT_ALIAS_AUTO_MOUNT_EXT, job->alias);
		result = PAM_ECT_BAD_FLAG;
		goto out;
	}
	if (!(cfg.flags & ECT_FLAG_AUTO_MOUNT)) {
		result = PAM_ECT_NOT_AUTOMOUNT;
		goto out;
	}
	/* by identity: our mount point is the root of an eCryptfs mount over our lower directory */
	mounted = pam_ect_private_mounted(job->pw->pw_uid, &cfg);
	if (mounted == 1)
		pam_ect_child_flag(job, PAM_ECT_FLAG_MOUNTED);
	/*
	 * Another session mounted it: the helper only needs the keys to count us
	 * in. Not on a retry: they were gone when the helper looked.
	 */
	if (mounted == 1 && !job->unlock_always && ect_keyring_find(cfg.sigs.fekek) > 0) {
		ect_debug(pam_ect_child_ctx(job), "user %s: %s already mounted", job->user,
			  cfg.mountpoint);
	} else {
		result = open_protectors(job, dirfd, &cfg);
		if (result != PAM_ECT_OK)
			goto out;
	}
	result = set_exec(job, "mount.ecryptfs_private", NULL);
out:
	ect_private_config_free(&cfg);
	if (dirfd >= 0)
		close(dirfd);
	return result;
}

int pam_ect_job_close(struct pam_ect_job *job)
{
	struct ect_private_config cfg;
	int dirfd = -1;
	int result;

	result = load_config(job, &dirfd, &cfg);
	if (result != PAM_ECT_OK)
		return result;
	/* an alias this login counted is uncounted whatever its flag says now */
	if (!job->alias && !(cfg.flags & ECT_FLAG_AUTO_UMOUNT))
		result = PAM_ECT_NOT_AUTOMOUNT;
	else
		result = set_exec(job, "umount.ecryptfs_private", "-d");
	ect_private_config_free(&cfg);
	close(dirfd);
	return result;
}

int pam_ect_job_drop_keys(struct pam_ect_job *job)
{
	int result = PAM_ECT_OK;

	for (unsigned int i = 0; job->drop && i < job->drop->count; i++) {
		const char *sig = job->drop->sig[i];
		int ret = ect_keyring_unlink(sig);

		if (ret == 0) {
			ect_debug(pam_ect_child_ctx(job), "user %s: key %s this login added removed",
				  job->user, sig);
		} else if (ret != -ENOKEY) {
			ect_err(pam_ect_child_ctx(job), "user %s: cannot remove key %s from the keyring: %s",
				job->user, sig, ect_strerror(ret));
			result = PAM_ECT_KEYRING;
		}
	}
	return result;
}

int pam_ect_job_rewrap(struct pam_ect_job *job)
{
	struct ect_ctx *ctx = pam_ect_child_ctx(job);
	struct ect_unlock_opts opts = {
		.ceiling = &job->opts->kdf_max,
		.flags = job->opts->keep_v2 ? ECT_UNLOCK_KEEP_V2 : 0,
	};
	struct ect_user_dirs dirs = { .home_fd = -1, .uid = job->pw->pw_uid, .gid = job->pw->pw_gid,
				      .alias = job->alias };
	struct ect_rewrap_result res;
	struct rlimit old;
	struct stat st;
	bool capped;
	int result;
	int ret;

	result = pam_ect_config_dir(job, &dirs.config_fd);
	if (result != PAM_ECT_OK)
		return result;
	/* an alias protected by its token records only: no password to change */
	if (job->alias && fstatat(dirs.config_fd, wrapped_name(job), &st, AT_SYMLINK_NOFOLLOW)) {
		close(dirs.config_fd);
		return PAM_ECT_NOT_AUTOMOUNT;
	}
	dirs.home_fd = open_home(job);
	capped = cap_address_space(job, &old);
	ret = ect_rewrap_user(&dirs, job->old_password, strlen(job->old_password), job->password,
			      strlen(job->password), &opts, &res);
	if (capped)
		(void)setrlimit(RLIMIT_AS, &old);
	warn_salt(job, res.salt_err, &res.salt_where);
	if (ret && res.failed_at == ECT_UNLOCK_AT_UNWRAP) {
		log_over_budget(job, ret, &res.old);
		result = map_unwrap_error(job, ret, &res.wrap_where);
		if (result == PAM_ECT_WRONG_PASSWORD && !job->alias) {
			/* The file was wrapped with yet another password: say so at next login. */
			job->old_password = NULL;
			(void)pam_ect_job_mark_stale(job);
		}
		goto out;
	}
	if (ret) {
		ect_err(ctx, "user %s: cannot write ~/.ecryptfs/%s: %s", job->user,
			wrapped_name(job), ect_strerror(ret));
		result = PAM_ECT_WRITE_FAILED;
		goto out;
	}
	if (res.stale_removed)
		ect_notice(ctx, "user %s: stale-wrap marker removed", job->user);
	ect_notice(ctx, "user %s: ~/.ecryptfs/%s rewrapped with the new password", job->user,
		   wrapped_name(job));
	if (res.old.version != ECT_WRAP_V3 && res.written == ECT_WRAP_V3)
		pam_ect_child_flag(job, PAM_ECT_FLAG_UPGRADED);
	result = PAM_ECT_OK;
out:
	if (dirs.home_fd >= 0)
		close(dirs.home_fd);
	close(dirs.config_fd);
	return result;
}

int pam_ect_job_mark_stale(struct pam_ect_job *job)
{
	char text[640];
	int dirfd;
	time_t now = time(NULL);
	struct tm tm;
	int n;
	int ret;

	gmtime_r(&now, &tm);
	n = snprintf(text, sizeof(text),
		     "The login password of %s was changed on %04d-%02d-%02d %02d:%02d UTC without the\n"
		     "old one, so ~/.ecryptfs/" ECT_WRAPPED_PASSPHRASE_FILE " still needs the old password.\n"
		     "Recover: ecryptfs-rewrap-passphrase --from-mount-passphrase ~/.ecryptfs/"
		     ECT_WRAPPED_PASSPHRASE_FILE "\n",
		     job->user, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	if (n < 0 || (size_t)n >= sizeof(text))
		return PAM_ECT_INTERNAL;
	ret = pam_ect_config_dir(job, &dirfd);
	if (ret != PAM_ECT_OK)
		return ret;
	ret = ect_write_file_atomic_at(dirfd, ECT_WRAPPED_STALE_FILE, text, (size_t)n, 0600,
				       job->pw->pw_uid, job->pw->pw_gid);
	close(dirfd);
	if (ret) {
		ect_err(pam_ect_child_ctx(job), "user %s: cannot write ~/.ecryptfs/%s: %s", job->user,
			ECT_WRAPPED_STALE_FILE, ect_strerror(ret));
		return PAM_ECT_WRITE_FAILED;
	}
	pam_ect_child_flag(job, PAM_ECT_FLAG_STALE);
	return job->old_password ? PAM_ECT_OK : PAM_ECT_NO_OLD_PASSWORD;
}
