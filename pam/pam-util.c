// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-call setup, logging through pam_syslog, user messages, the ~/.ecryptfs peek. */
#include "pam-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modutil.h>

static void log_to_pam(void *userdata, int priority, const char *message)
{
	pam_syslog(userdata, priority, "%s", message);
}

int pam_ect_call_begin(struct pam_ect_call *c, pam_handle_t *pamh, int argc, const char **argv)
{
	struct passwd *res = NULL;
	long bufsize = sysconf(_SC_GETPW_R_SIZE_MAX);
	int ret;

	memset(c, 0, sizeof(*c));
	c->cfg_fd = -1;
	c->pamh = pamh;
	ret = pam_ect_parse_opts(pamh, argc, argv, &c->opts);
	if (ret != PAM_SUCCESS)
		return ret;
	if (ect_ctx_new(&c->ctx, PAM_ECT_IDENT, ECT_LOG_SYSLOG))
		return PAM_BUF_ERR;
	ect_ctx_set_log_fn(c->ctx, log_to_pam, pamh);
	ect_ctx_set_debug(c->ctx, c->opts.debug ? 1 : 0);

	ret = pam_get_user(pamh, &c->user, NULL);
	if (ret != PAM_SUCCESS)
		return ret == PAM_CONV_AGAIN ? PAM_INCOMPLETE : ret;
	if (!c->user || !*c->user)
		return PAM_USER_UNKNOWN;
	if (bufsize < 1024)
		bufsize = 16384;
	c->pwbuf = malloc((size_t)bufsize);
	if (!c->pwbuf)
		return PAM_BUF_ERR;
	ret = getpwnam_r(c->user, &c->pw, c->pwbuf, (size_t)bufsize, &res);
	if (ret || !res) {
		ect_debug(c->ctx, "no passwd entry for '%s'", c->user);
		return PAM_USER_UNKNOWN;
	}
	if (!c->pw.pw_dir || c->pw.pw_dir[0] != '/' ||
	    strlen(c->pw.pw_dir) >= sizeof(c->cfg_base)) {
		ect_err(c->ctx, "home directory of '%s' is not an absolute path", c->user);
		return PAM_USER_UNKNOWN;
	}
	memcpy(c->cfg_base, c->pw.pw_dir, strlen(c->pw.pw_dir) + 1);
	return PAM_SUCCESS;
}

void pam_ect_call_end(struct pam_ect_call *c)
{
	if (c->cfg_fd >= 0)
		close(c->cfg_fd);
	free(c->pwbuf);
	ect_ctx_free(c->ctx);
	memset(c, 0, sizeof(*c));
}

void pam_ect_tell(struct pam_ect_call *c, bool error, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (c->opts.quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A failing conversation (no tty, screen locker) must not change the hook's result. */
	if (error)
		(void)pam_error(c->pamh, "%s", msg);
	else
		(void)pam_info(c->pamh, "%s", msg);
}

static bool exists_in(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, 0) == 0;
}

int pam_ect_private_mounted(uid_t uid, const struct ect_private_config *cfg)
{
	struct ect_mount_entry *row = calloc(1, sizeof(*row));
	char *src = NULL;
	int tfd = -1, sfd = -1, ret;

	if (!row)
		return -ENOMEM;
	/* walked as the user, symlinks only of the user or root, "..": the real parent */
	ret = ect_path_open_dir(NULL, cfg->source, uid, 0, &sfd, &src);
	/* ecryptfs-fuse's mount by its row: root may not look into it */
	if (!ret)
		ret = ect_mount_find_fuse(NULL, cfg->mountpoint, uid, NULL, row);
	if (ret == 1)
		ret = !strcmp(row->source, src);
	else if (!ret)
		ret = ect_path_open_dir(NULL, cfg->mountpoint, uid, 0, &tfd, NULL);
	if (!ret && tfd >= 0)
		ret = ect_mount_find_over(NULL, tfd, sfd, NULL, NULL);
	free(row);
	free(src);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}

/* openat of a directory, never following a symlink in its last name; fd or -errno. */
static int open_dir_at(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/*
 * PAM_ECT_HOME_TREE/USER/.ecryptfs of a whole home whose home lacks the
 * link (mounted without 111's links inside): the tree must be root's and
 * closed to others, USER's directory a real one of the user, .ecryptfs a
 * real one of the user that others cannot write (also for a whole home
 * whose ecryptfs-fuse daemon died: ENOTCONN, issue 15). Each is opened once,
 * through its parent's fd and without following a symlink, and checked by
 * fstat of that fd: nothing is looked up again by name. Called as the user.
 */
static int open_home_tree(struct pam_ect_call *c)
{
	char base[sizeof(c->cfg_base)];
	const char *name = c->pw.pw_name;
	int top, user = -1, fd = -ENOENT;
	struct stat st;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	if ((size_t)snprintf(base, sizeof(base), PAM_ECT_HOME_TREE "/%s", name) >= sizeof(base))
		return -ENAMETOOLONG;
	top = open_dir_at(AT_FDCWD, PAM_ECT_HOME_TREE, &st);
	if (top < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		goto out;
	user = open_dir_at(top, name, &st);
	if (user < 0 || st.st_uid != c->pw.pw_uid)
		goto out;
	fd = open_dir_at(user, ECT_CONFIG_DIR_NAME, &st);
	if (fd >= 0 && (st.st_uid != c->pw.pw_uid || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(fd);
		fd = -ENOENT;
	}
	if (fd >= 0)
		memcpy(c->cfg_base, base, strlen(base) + 1);
	else
		fd = -ENOENT;
out:
	if (user >= 0)
		close(user);
	if (top >= 0)
		close(top);
	return fd;
}

struct peek_job {
	struct pam_ect_call *c;
	const char *path;
};

/* The detached peek child (ect_spawn_detached): it becomes the user, opens, replies. */
static void peek_child(void *arg, int sock)
{
	struct peek_job *job = arg;
	int fd;

	if (pam_ect_child_fds(&sock, 1, -1) || chdir("/"))
		_exit(1);
	if (pam_ect_child_become(&job->c->pw))
		_exit(1);
	fd = open(job->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ect_dir_reply_exit(sock, fd < 0 ? -errno : 0, fd, NULL);
}

/*
 * open(path) as the user for good (issue 15): a whole home mounted through
 * ecryptfs-fuse admits only a process whose real, effective AND saved uids
 * are the user's, which this one (root with the user's fsuid) is not: its
 * own open gets EACCES, and only then is this called. A detached child of
 * the application becomes the user (pam_ect_child_become), opens the path
 * exactly as before and sends the fd and the kernel's name of it. The name
 * is opened again here, without any symlink, and the two must be the same
 * directory on the same mount: the fd used is this process's own. The
 * child is never waited for (an open stuck in the user's FUSE daemon cannot
 * be killed); its reply is, for PAM_ECT_PEEK_TIMEOUT_MS. Called with the
 * user's fsuid (pam_modutil_drop_priv). fd or negative: the child's open's
 * error, -ETIMEDOUT, -EPROTO (the child died or answered wrongly),
 * ECT_E_UNSAFE_PATH (it opened something this process cannot confirm).
 */
static int open_dir_as_user(struct pam_ect_call *c, const char *path)
{
	struct peek_job job = { c, path };
	char *name = NULL, *again = NULL;
	int sock, got = -1, own = -1, r;
	bool childs;

	sock = ect_spawn_detached(peek_child, &job);
	if (sock < 0)
		return sock;
	r = ect_dir_reply_recv(sock, PAM_ECT_PEEK_TIMEOUT_MS, &got, &name, &childs);
	close(sock);
	if (r == -ETIMEDOUT && !childs)
		ect_err(c->ctx, "user %s: opening %s as the user timed out (a hung FUSE file "
				"system?)", c->user, path);
	else if (r == -EPROTO && !childs)
		ect_err(c->ctx, "user %s: opening %s as the user failed: the child died or "
				"answered wrongly", c->user, path);
	if (r)
		goto out;
	/* from here on the child's open succeeded: any doubt is a refusal, never "none" */
	r = ect_path_open_dir(c->ctx, name, c->pw.pw_uid, ECT_PATH_NO_SYMLINKS, &own, &again);
	if (r || strcmp(name, again) || !ect_same_dir(own, got)) {
		ect_err(c->ctx, "user %s: refusing %s: what the user opened is not %s", c->user, path,
			name);
		r = ECT_E_UNSAFE_PATH;
		goto out;
	}
	r = own;
	own = -1;
out:
	if (got >= 0)
		close(got);
	if (own >= 0)
		close(own);
	free(name);
	free(again);
	return r;
}

/* Is there an entry by that name (a link too: the child refuses it with a reason)? */
static bool entry_in(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool alias_has(int fd, const char *alias, const char *base)
{
	char name[ECT_ALIAS_FILE_SIZE];

	return !ect_alias_key_file(alias, base, name, sizeof(name)) && entry_in(fd, name);
}

/* Put alias into list (room PAM_ECT_ALIASES_MAX) unless full; *count counts them all. */
static size_t keep_alias(char (*list)[ECT_ALIAS_MAX + 1], size_t *kept, size_t *count,
			 const char *alias)
{
	size_t at = *kept;

	if (*kept < PAM_ECT_ALIASES_MAX)
		memcpy(list[(*kept)++], alias, strlen(alias) + 1);
	(*count)++;
	return at;
}

/*
 * The aliases other than Private: those ALIAS.auto-mount marks for login,
 * and those with a password or token protector (chauthtok). Each list is
 * picked from all the aliases before it is cut to PAM_ECT_ALIASES_MAX, in
 * byte order, so the same ones come at every login (review finding L1).
 */
static void peek_aliases(int fd, struct pam_ect_peek *peek)
{
	char(*all)[ECT_ALIAS_MAX + 1] = NULL;
	size_t n = 0, got = 0;

	if (ect_config_list_aliases_at(fd, NULL, 0, &n) || !n)
		return;
	all = calloc(n, sizeof(*all));
	if (!all || ect_config_list_aliases_at(fd, all, n, &got)) {
		free(all);
		return;
	}
	for (size_t i = 0; i < n && i < got; i++) {
		unsigned char by = (alias_has(fd, all[i], ECT_WRAPPED_PASSPHRASE_FILE) ?
				    PAM_ECT_BY_PASSWORD : 0) |
				   (alias_has(fd, all[i], ECT_TOKEN_FILE) ? PAM_ECT_BY_TOKEN : 0);
		size_t at;

		if (alias_has(fd, all[i], ECT_ALIAS_AUTO_MOUNT_EXT))
			(void)keep_alias(peek->aliases, &peek->n_aliases, &peek->n_marked, all[i]);
		if (!by)
			continue;
		at = keep_alias(peek->protected, &peek->n_protected, &peek->n_protected_all, all[i]);
		if (at < PAM_ECT_ALIASES_MAX)
			peek->protected_by[at] = by;
	}
	free(all);
}

/*
 * Only existence checks, as the user (NFS root_squash homes, no root stat
 * of user paths). Contents are read by the child, through the fd kept in
 * c->cfg_fd: the tree looked at here, never the name again. The name may
 * be a symlink (a whole home links it to PAM_ECT_HOME_TREE/USER/.ecryptfs);
 * it is followed once, here, as the user.
 */
int pam_ect_peek_home(struct pam_ect_call *c, struct pam_ect_peek *peek)
{
	PAM_MODUTIL_DEF_PRIVS(privs);
	char path[4096];
	int ret = 0;
	int fd;

	memset(peek, 0, sizeof(*peek));
	if (c->cfg_fd >= 0) {
		close(c->cfg_fd);
		c->cfg_fd = -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/.ecryptfs", c->pw.pw_dir) >= sizeof(path))
		return -ENAMETOOLONG;
	if (pam_modutil_drop_priv(c->pamh, &privs, &c->pw))
		return -EPERM;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	/* as the user for good: an ecryptfs-fuse home admits no one else (issue 15) */
	if (fd == -EACCES)
		fd = open_dir_as_user(c, path);
	/* a dead ecryptfs-fuse home (ENOTCONN) is still unmounted and its keys dropped */
	if ((fd == -ENOENT && c->home_tree_fallback) || fd == -ENOTCONN)
		fd = open_home_tree(c);
	ret = fd < 0 ? fd : 0;
	peek->bootstrap = pam_ect_bootstrap_pending(c->pw.pw_name);
	if (fd >= 0) {
		peek->private_auto_mount = exists_in(fd, "auto-mount");
		peek_aliases(fd, peek);
		peek->auto_mount = peek->private_auto_mount || peek->n_aliases;
		peek->wrapping_independent = exists_in(fd, "wrapping-independent");
		peek->wrapped_passphrase = exists_in(fd, ECT_WRAPPED_PASSPHRASE_FILE);
		peek->token_records = exists_in(fd, ECT_TOKEN_FILE);
		if (peek->wrapping_independent) {
			struct ect_private_config cfg = { 0 };
			struct ect_config_error cerr;

			/* Library reader without crypto: safe in the application's process. */
			if (ect_private_config_load(fd, c->pw.pw_uid, c->pw.pw_dir, NULL, &cfg, &cerr) == 0)
				peek->mounted = pam_ect_private_mounted(c->pw.pw_uid, &cfg) == 1;
			ect_private_config_free(&cfg);
		}
		c->cfg_fd = fd;
	}
	if (pam_modutil_regain_priv(c->pamh, &privs))
		return -EPERM;
	return ret == -ENOTDIR ? -ENOENT : ret;
}

/*
 * Unlink from @u the keys a login added when its session did not count (the
 * mount failed): nothing may stay unlocked for a session that will not
 * unmount. Only keys the child reported as added by itself, never those
 * another session had put there. Returns true when they are gone.
 */
bool pam_ect_drop_added_keys(struct pam_ect_call *c, const struct pam_ect_keys *keys)
{
	struct pam_ect_job job;
	int r;

	if (!keys->count)
		return true;
	pam_ect_job_init(c, &job, pam_ect_job_drop_keys);
	job.drop = keys;
	r = pam_ect_run_child(c, &job);
	if (r != PAM_ECT_OK) {
		ect_err(c->ctx, "user %s: the keys this login added could not be removed (%d)", c->user,
			r);
		return false;
	}
	ect_debug(c->ctx, "user %s: %u key(s) this login added removed", c->user, keys->count);
	return true;
}

/* The keys of every failed open (Private, each alias) kept for close_session. */
struct kept_keys {
	unsigned int n;
	struct pam_ect_keys keys[1 + PAM_ECT_ALIASES_MAX];
};

static void kept_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

void pam_ect_keep_for_close(struct pam_ect_call *c, const struct pam_ect_keys *keys)
{
	const void *data = NULL;
	struct kept_keys *kept;

	if (pam_get_data(c->pamh, PAM_ECT_DATA_ADDED_KEYS, &data) == PAM_SUCCESS && data) {
		kept = (struct kept_keys *)(uintptr_t)data; /* ours, set below */
	} else {
		kept = calloc(1, sizeof(*kept));
		if (!kept || pam_set_data(c->pamh, PAM_ECT_DATA_ADDED_KEYS, kept, kept_cleanup) !=
				     PAM_SUCCESS) {
			free(kept);
			ect_err(c->ctx, "user %s: out of memory; the keys left will not be retried "
				"at logout", c->user);
			return;
		}
	}
	if (kept->n < sizeof(kept->keys) / sizeof(kept->keys[0]))
		kept->keys[kept->n++] = *keys;
}

void pam_ect_drop_kept_keys(struct pam_ect_call *c)
{
	const void *data = NULL;
	const struct kept_keys *kept;

	if (pam_get_data(c->pamh, PAM_ECT_DATA_ADDED_KEYS, &data) != PAM_SUCCESS || !data)
		return;
	kept = data;
	for (unsigned int i = 0; i < kept->n; i++)
		(void)pam_ect_drop_added_keys(c, &kept->keys[i]);
	(void)pam_set_data(c->pamh, PAM_ECT_DATA_ADDED_KEYS, NULL, NULL);
}
