// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checks only a whole encrypted home needs: the HOME/.ecryptfs and
 * HOME/.Private links (in the bare home and in the mounted one, as
 * ecryptfs-utils 111 makes them), Private.mnt naming HOME, and nothing but
 * 111's README.txt and desktop links lying in plain text in the bare
 * directory under the mount. Also sshd's AuthorizedKeysFile: inside an
 * encrypted home sshd cannot read it while the home is locked.
 * And for every setup, the protectors of the mount passphrase (issue 16):
 * wrapped-passphrase and the token records, with what makes one unsafe.
 */
#include "verify-internal.h"
#include "../keys/token-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define DEFAULT_AUTHORIZED_KEYS ".ssh/authorized_keys .ssh/authorized_keys2"

/*
 * The bare directory under a whole home: HOME itself when unmounted; when
 * mounted, HOME in a detached clone of its parent's mount (no submounts),
 * which needs CAP_SYS_ADMIN. Returns an fd or -errno.
 */
static int open_bare_home(struct ect_vrun *v)
{
	char parent[PATH_MAX];
	const char *name;
	int tree, fd;

	if (!v->mounted)
		return v->home_fd >= 0 ? openat(v->home_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
				       : -ENOENT;
	ect__fmt(parent, sizeof(parent), "%s", v->t->home);
	name = strrchr(parent, '/');
	if (!name || !name[1])
		return -EINVAL;
	if (name == parent)
		parent[1] = '\0';
	else
		parent[name - parent] = '\0';
	name = strrchr(v->t->home, '/') + 1;
	tree = open_tree(AT_FDCWD, parent, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return -errno;
	fd = openat(tree, name, OPEN_DIR_FLAGS);
	if (fd < 0)
		fd = -errno;
	close(tree);
	return fd;
}

/* One link of HOME (NAME -> base/NAME) in the directory dfd, described as where. */
static int check_link(struct ect_vrun *v, int dfd, const char *where, const char *name)
{
	char want[PATH_MAX], got[PATH_MAX], path[PATH_MAX];
	const struct ect__fix_spec *fix;
	struct stat st;
	ssize_t n;

	ect__fmt(want, sizeof(want), "%s/%s", v->base, name);
	ect__fmt(path, sizeof(path), "%s/%s", v->t->home, name);
	fix = ECT_FIX(ECT_FIX_SYMLINK, .user = v->t->user, .path = path, .path2 = want);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return ect__report_fix(v->r, ECT_SEV_FAIL, "links", fix,
				      "%s is missing in the %s home: tools that look there cannot "
				      "find %s", path, where, want);
	if (!S_ISLNK(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "links",
				      "%s in the %s home is not a link to %s: a second, separate "
				      "setup", path, where, want);
	n = readlinkat(dfd, name, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	if (strcmp(got, want))
		return ect__report_fix(v->r, ECT_SEV_FAIL, "links", fix,
				      "%s in the %s home links to %s, not to %s", path, where, got,
				      want);
	return ect_report_add(v->r, ECT_SEV_OK, "links", "%s in the %s home links to %s",
			      path, where, want);
}

static int check_links(struct ect_vrun *v, int dfd, const char *where)
{
	int ret = check_link(v, dfd, where, ".ecryptfs");

	return ret ? ret : check_link(v, dfd, where, ".Private");
}

/* Only names that start with authorized_keys in a bare ~/.ssh (public keys). */
static int only_public_keys(int dfd)
{
	struct dirent *e;
	int ok = 1, fd = openat(dfd, ".ssh", OPEN_DIR_FLAGS);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (ok && (e = readdir(d)))
		ok = e->d_name[0] == '.' || !strncmp(e->d_name, "authorized_keys", 15);
	closedir(d);
	return ok;
}

/* What may lie in the bare home: the links and 111's README/desktop links. */
static int allowed_underneath(int dfd, const char *name)
{
	static const char *const links[] = { ".ecryptfs", ".Private", "README.txt",
					     "Access-Your-Private-Data.desktop" };
	struct stat st;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return 1; /* gone meanwhile */
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (!strcmp(name, links[i]))
			return S_ISLNK(st.st_mode);
	/* the documented work-around for key logins while locked */
	return !strcmp(name, ".ssh") && S_ISDIR(st.st_mode) && only_public_keys(dfd);
}

static int check_underneath(struct ect_vrun *v, int bare)
{
	char example[256] = "";
	unsigned int plain = 0;
	struct dirent *e;
	struct stat st;
	int fd = openat(bare, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return ect_report_add(v->r, ECT_SEV_WARN, "plain-underneath",
				      "cannot list the bare home %s: %s", v->t->home, strerror(errno));
	}
	while ((e = readdir(d))) {
		if (allowed_underneath(bare, e->d_name))
			continue;
		if (!plain++)
			ect__fmt(example, sizeof(example), "%s", e->d_name);
	}
	closedir(d);
	if (plain) {
		return ect__report_fix(v->r, ECT_SEV_FAIL, "plain-underneath",
				       ECT_FIX(ECT_FIX_MOVE_UNDERNEATH, .path = v->t->home),
				      "%u entries lie unencrypted in the bare home under the mount "
				      "(e.g. %s): whoever reads the disk reads them", plain, example);
	}
	if (!fstat(bare, &st) && (st.st_mode & 0200))
		return ect_report_add(v->r, ECT_SEV_INFO, "plain-underneath",
				      "the bare home %s is writable by %s (mode %03o; 111 makes it "
				      "500): files written while it is locked stay unencrypted",
				      v->t->home, v->t->user, (unsigned int)(st.st_mode & 07777));
	return ect_report_add(v->r, ECT_SEV_OK, "plain-underneath",
			      "the bare home %s holds only the links", v->t->home);
}

int ect__verify_whole_home(struct ect_vrun *v)
{
	char mnt_file[PATH_MAX];
	int bare, ret = 0;

	if (!v->whole_home)
		return 0;
	if (strcmp(v->mnt, v->t->home)) {
		ect__fmt(mnt_file, sizeof(mnt_file), "%s/Private.mnt", v->dot);
		ret = ect__report_fix(v->r, ECT_SEV_FAIL, "private-mnt",
				      ECT_FIX(ECT_FIX_WRITE_MNT, .user = v->t->user,
					      .path = mnt_file, .path2 = v->t->home),
				     "Private.mnt names %s, but %s is an encrypted home: login "
				     "mounts it in the wrong place", v->mnt, v->base);
	}
	if (!ret && v->mounted && v->home_fd >= 0)
		ret = check_links(v, v->home_fd, "mounted");
	if (ret)
		return ret;
	bare = open_bare_home(v);
	if (bare < 0)
		return ect_report_add(v->r, ECT_SEV_INFO, "plain-underneath",
				      "cannot look under the mounted home %s: %s (root can)",
				      v->t->home, strerror(-bare));
	ret = check_links(v, bare, v->mounted ? "bare" : "unmounted");
	if (!ret)
		ret = check_underneath(v, bare);
	close(bare);
	return ret;
}

/* ---- sshd's AuthorizedKeysFile --------------------------------------- */

/* sshd's expansion of one AuthorizedKeysFile entry: %% %h %u %U, then relative to HOME. */
static void expand_keys_path(struct ect_vrun *v, const char *pat, size_t len, char *out,
			     size_t size)
{
	char exp[PATH_MAX];
	size_t w = 0;

	for (size_t i = 0; i < len && w + 1 < sizeof(exp); i++) {
		char tmp[32] = { pat[i], 0 };
		const char *add = tmp;

		if (pat[i] == '%' && i + 1 < len) {
			switch (pat[++i]) {
			case 'h':
				add = v->t->home;
				break;
			case 'u':
				add = v->t->user;
				break;
			case 'U':
				snprintf(tmp, sizeof(tmp), "%u", (unsigned int)v->t->uid);
				break;
			case '%':
				break;
			default:
				tmp[1] = pat[i];
			}
		}
		w += (size_t)snprintf(exp + w, sizeof(exp) - w, "%s", add);
		if (w >= sizeof(exp))
			w = sizeof(exp) - 1;
	}
	exp[w] = '\0';
	if (exp[0] == '/')
		ect__fmt(out, size, "%s", exp);
	else
		ect__fmt(out, size, "%s/%s", v->t->home, exp);
}

/* Does rel (a relative path) exist under dfd, every component without following symlinks? */
static int exists_under(int dfd, const char *rel)
{
	char buf[PATH_MAX], *save = NULL, *tok, *next;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;
	struct stat st;

	ect__fmt(buf, sizeof(buf), "%s", rel);
	for (tok = strtok_r(buf, "/", &save); fd >= 0 && tok; tok = next) {
		int sub;

		next = strtok_r(NULL, "/", &save);
		if (!next) {
			found = !fstatat(fd, tok, &st, AT_SYMLINK_NOFOLLOW);
			break;
		}
		sub = openat(fd, tok, OPEN_DIR_FLAGS);
		close(fd);
		fd = sub;
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* One AuthorizedKeysFile entry inside the encrypted directory; 1 when reported. */
static int check_keys_file(struct ect_vrun *v, const char *path, const char *rel, int *ret)
{
	const struct ect__fix_spec *fix;
	int seen = 0, bare_copy = 0, fd, bare;

	if (v->mounted && !ect_path_open_dir(NULL, v->mnt, v->t->uid, 0, &fd, NULL)) {
		seen = exists_under(fd, rel);
		close(fd);
	}
	/* without filename encryption the lower names are the plain ones */
	if (!seen && v->nsig == 1 && v->lower_fd >= 0)
		seen = exists_under(v->lower_fd, rel);
	if (v->whole_home && !strcmp(v->mnt, v->t->home)) {
		bare = open_bare_home(v);
		if (bare >= 0) {
			bare_copy = exists_under(bare, rel);
			close(bare);
		}
	}
	fix = ECT_FIX(ECT_FIX_SSH_KEYS_OUTSIDE, .user = v->t->user, .path = path);
	if (bare_copy) {
		*ret = ect__report_fix(v->r, ECT_SEV_INFO, "ssh-keys", fix,
				      "sshd reads %s from the bare home while the home is locked "
				      "and from the encrypted one while it is mounted: keep both in "
				      "sync, or keep keys outside the home", path);
		return 1;
	}
	if (seen) {
		*ret = ect__report_fix(v->r, ECT_SEV_WARN, "ssh-keys", fix,
				      "%s is inside the encrypted %s: sshd cannot read it while it "
				      "is locked, so key logins fail until a password login mounts "
				      "it (without passwords, %s is locked out)", path, v->mnt,
				      v->t->user);
		return 1;
	}
	if (!v->mounted) {
		*ret = ect__report_fix(v->r, ECT_SEV_INFO, "ssh-keys", fix,
				      "sshd looks for %s inside the encrypted %s, which it cannot "
				      "read while locked (whether it exists cannot be seen now)",
				      path, v->mnt);
		return 1;
	}
	return 0;
}

int ect__verify_ssh_keys(struct ect_vrun *v)
{
	const char *pats = v->o->authorized_keys ? v->o->authorized_keys : DEFAULT_AUTHORIZED_KEYS;
	size_t mlen = strlen(v->mnt);
	int ret = 0;

	while (*pats) {
		size_t len = strcspn(pats, " \t");
		char path[PATH_MAX];

		if (len && !(len == 4 && !strncmp(pats, "none", 4))) {
			expand_keys_path(v, pats, len, path, sizeof(path));
			if (!strncmp(path, v->mnt, mlen) && path[mlen] == '/' &&
			    check_keys_file(v, path, path + mlen + 1, &ret))
				return ret;
		}
		pats += len;
		pats += strspn(pats, " \t");
	}
	return ret;
}

/* ---- protectors: wrapped-passphrase and the token records ---- */

bool ect__verify_has_tokens(struct ect_vrun *v)
{
	struct stat st;

	return v->dot_fd >= 0 && !fstatat(v->dot_fd, v->token_file, &st, AT_SYMLINK_NOFOLLOW);
}

static const char *token_policy(const struct ect_token_info *info, int have_password)
{
	if (info->policy == ECT_TOKEN_AND_PASSWORD)
		return "token AND password";
	return have_password ? "token OR password" : "token alone";
}

/* One record: what it is, and whether its module and cost are safe. */
static int check_token_record(struct ect_vrun *v, const char *path, size_t i,
			      const struct ect_token_info *info, int have_password)
{
	struct ect_p11_uri *u = calloc(1, sizeof(*u));
	int ret, safe;

	if (!u)
		return -ENOMEM;
	if (ect__p11_uri_parse(info->uri, u)) {
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "token-protector",
				     "%s record %zu: malformed PKCS#11 URI %s", path, i, info->uri);
		goto out;
	}
	ret = ect_report_add(v->r, ECT_SEV_INFO, "token-protector",
			     "%s record %zu: %s, %s key id=%s on token %s: %s", path,
			     i, token_policy(info, have_password), info->mech_name, info->key_id,
			     u->token[0] ? u->token : "(any)", info->uri);
	safe = ret ? 0 : ect__p11_module_check(u->module_path);
	if (safe == -ENOENT)
		ret = ect_report_add(v->r, ECT_SEV_WARN, "token-protector",
				     "record %zu: module %s is not installed: this record cannot "
				     "open here", i, u->module_path);
	else if (safe)
		ret = ect_report_add(v->r, ECT_SEV_WARN, "token-protector",
				     "record %zu: module %s or a directory above it is not owned "
				     "by root or is writable by others: it is never loaded, and "
				     "whoever can write it could read PINs", i, u->module_path);
	if (!ret && info->policy == ECT_TOKEN_AND_PASSWORD &&
	    ect_argon2_params_check(&info->params))
		ret = ect_report_add(v->r, ECT_SEV_WARN, "token-protector",
				     "record %zu: the password's Argon2id t=%u m=%u KiB lanes=%u "
				     "is below the current floor; unwrapping refuses it", i,
				     info->params.t_cost, info->params.m_cost_kib,
				     info->params.lanes);
out:
	free(u);
	return ret;
}

/* The record file: a regular file of the user's that nobody else can read. */
static int check_token_file(struct ect_vrun *v, const char *path)
{
	struct stat st;

	if (fstatat(v->dot_fd, v->token_file, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 1 : ect_report_add(v->r, ECT_SEV_FAIL, "token-records",
							    "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "token-records",
				      "%s is a symbolic link: login refuses it", path);
	if (!S_ISREG(st.st_mode))
		return ect_report_add(v->r, ECT_SEV_FAIL, "token-records",
				      "%s is not a regular file", path);
	return ect__verify_owner_mode(v, "token-records", path, &st, 077, 0600);
}

static void append(char *out, size_t size, const char *fmt, ...) ECT_PRINTF(3, 4);
static void append(char *out, size_t size, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, size - used, fmt, ap);
	va_end(ap);
}

int ect__verify_protector_list(struct ect_vrun *v, char *line, size_t size)
{
	static const char *const version_name[] = { "", "v1", "v2", "v3" };
	struct ect_token_info *infos = NULL;
	struct ect_user_dirs d = { .config_fd = v->dot_fd, .home_fd = -1, .uid = v->t->uid,
				   .gid = v->t->gid, .alias = v->alias };
	int have_password = v->wrap_version > 0, ret;
	size_t n = 0, before = v->r->count;
	char path[PATH_MAX];

	line[0] = '\0';
	ect__fmt(path, sizeof(path), "%s/%s", v->dot, v->token_file);
	ret = check_token_file(v, path);
	if (ret < 0)
		return ret;
	if (!ret && v->r->count == before) {
		infos = calloc(ECT_TOKEN_MAX, sizeof(*infos));
		if (!infos)
			return -ENOMEM;
		ret = ect_token_list_user(&d, infos, ECT_TOKEN_MAX, &n);
		if (ret)
			ret = ect_report_add(v->r, ECT_SEV_FAIL, "token-records",
					     "%s: %s; no token opens the mount passphrase", path,
					     ect_strerror(ret));
	} else {
		ret = 0;
	}
	for (size_t i = 0; !ret && i < n; i++)
		ret = check_token_record(v, path, i, &infos[i], have_password);
	if (have_password && v->wrap_version < (int)ECT_ARRAY_SIZE(version_name))
		append(line, size, "password (%s)", version_name[v->wrap_version]);
	for (size_t i = 0; i < n; i++)
		append(line, size, "%stoken record %zu (%s)", line[0] ? ", " : "", i,
		       token_policy(&infos[i], have_password));
	free(infos);
	if (ret || line[0])
		return ret;
	if (v->alias)
		return ect_report_add(v->r, ECT_SEV_WARN, "protectors",
				      "alias %s: no protector opens its mount passphrase: only "
				      "the mount passphrase itself does", v->alias);
	return ect_report_add(v->r, ECT_SEV_WARN, "protectors",
			      "no protector opens the mount passphrase: only the mount "
			      "passphrase itself does");
}

int ect__verify_protectors(struct ect_vrun *v)
{
	char line[sizeof(((struct ect_finding *)0)->message)];
	int ret = ect__verify_protector_list(v, line, sizeof(line));

	if (ret || !line[0])
		return ret;
	return ect_report_add(v->r, ECT_SEV_INFO, "protectors",
			      "protectors of the mount passphrase: %s", line);
}
