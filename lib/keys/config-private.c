// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Readers of ~/.ecryptfs: ALIAS.sig, Private.mnt, the flag files, ALIAS.conf
 * and the loader that puts one private directory's settings together.
 * Strict where ecryptfs-utils was lax: every malformed line is an error
 * naming the file and line. All [privileged-safe] (see the header).
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *alias_or_default(const char *alias)
{
	return alias ? alias : ECT_PRIVATE_ALIAS;
}

static int bad_alias(struct ect_config_error *err)
{
	return ect__config_fail(err, ECT_E_CONFIG, "", 0,
				"invalid alias: 1 to %d bytes without '/', '..', ',' or control characters",
				ECT_ALIAS_MAX);
}

/* "ALIAS.EXT" after checking the alias. */
static int alias_file(const char *alias, const char *ext, char *name, size_t size,
		      struct ect_config_error *err)
{
	if (ect_alias_check(alias))
		return bad_alias(err);
	if (snprintf(name, size, "%s.%s", alias, ext) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* One "16 lower-case hex + '\n'" line at p (end is the end of the file). */
static int parse_sig_line(const char *p, const char *end, char sig[ECT_SIG_HEX_SIZE + 1],
			  const char *name, unsigned int line, struct ect_config_error *err)
{
	size_t i;

	for (i = 0; p + i < end && p[i] != '\n'; i++) {
		if (i >= ECT_SIG_HEX_SIZE)
			return ect__config_fail(err, ECT_E_CONFIG, name, line,
						"longer than a 16-digit key signature");
		if (p[i] >= 'A' && p[i] <= 'F')
			return ect__config_fail(err, ECT_E_CONFIG, name, line,
						"upper-case hex: key signatures are lower-case");
		if (!is_lower_hex(p[i]))
			return ect__config_fail(err, ECT_E_CONFIG, name, line,
						"expected exactly 16 lower-case hex digits, found byte 0x%02x",
						(unsigned char)p[i]);
	}
	if (i != ECT_SIG_HEX_SIZE)
		return ect__config_fail(err, ECT_E_CONFIG, name, line,
					"expected exactly 16 lower-case hex digits, found %zu", i);
	if (p + i == end)
		return ect__config_fail(err, ECT_E_CONFIG, name, line, "does not end with a newline");
	memcpy(sig, p, ECT_SIG_HEX_SIZE);
	sig[ECT_SIG_HEX_SIZE] = '\0';
	return 0;
}

int ect_config_read_sigs_at(int dirfd, uid_t uid, const char *alias, struct ect_config_sigs *sigs,
			    struct ect_config_error *err)
{
	char name[ECT_ALIAS_MAX + 8];
	char *data = NULL;
	const char *p, *end;
	size_t size;
	int ret;

	memset(sigs, 0, sizeof(*sigs));
	ret = alias_file(alias_or_default(alias), "sig", name, sizeof(name), err);
	if (ret)
		return ret;
	ret = ect__config_read_at(dirfd, name, uid, ECT_CONFIG_CONTENT, ECT_CONFIG_FILE_MAX, &data,
				  &size, err);
	if (ret)
		return ret;
	p = data;
	end = data + size;
	if (p == end) {
		ret = ect__config_fail(err, ECT_E_CONFIG, name, 1,
				       "empty: expected the FEKEK signature (16 hex digits)");
		goto out;
	}
	ret = parse_sig_line(p, end, sigs->fekek, name, 1, err);
	if (ret)
		goto out;
	p += ECT_SIG_HEX_SIZE + 1;
	if (p < end) {
		ret = parse_sig_line(p, end, sigs->fnek, name, 2, err);
		if (ret)
			goto out;
		p += ECT_SIG_HEX_SIZE + 1;
	}
	if (p < end) {
		ret = ect__config_fail(err, ECT_E_CONFIG, name, 3,
				       "more than two lines (FEKEK and FNEK signatures)");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		memset(sigs, 0, sizeof(*sigs));
	free(data);
	return ret;
}

/* An absolute path without control characters that fits in PATH_MAX. */
static int check_abs_path(const char *path, size_t len, const char *name, unsigned int line,
			  const char *what, struct ect_config_error *err)
{
	if (len == 0)
		return ect__config_fail(err, ECT_E_CONFIG, name, line, "%s is empty", what);
	if (path[0] != '/')
		return ect__config_fail(err, ECT_E_CONFIG, name, line, "%s is not an absolute path",
					what);
	if (len >= PATH_MAX)
		return ect__config_fail(err, ECT_E_CONFIG, name, line, "%s is too long", what);
	if (!ect__config_printable(path, len))
		return ect__config_fail(err, ECT_E_CONFIG, name, line,
					"%s contains a control character", what);
	return 0;
}

int ect_config_read_mnt_at(int dirfd, uid_t uid, const char *home, char **mountpoint,
			   struct ect_config_error *err)
{
	static const char name[] = ECT_PRIVATE_ALIAS ".mnt";
	char *data = NULL, *nl;
	size_t size, len;
	int ret;

	*mountpoint = NULL;
	ret = ect__config_read_at(dirfd, name, uid, ECT_CONFIG_CONTENT, PATH_MAX + 1, &data, &size,
				  err);
	if (ret == -ENOENT) {
		/* ecryptfs-utils' default: HOME/Private. */
		if (!home || home[0] != '/')
			return ect__config_fail(err, -EINVAL, name, 0,
						"absent, and the home directory is not absolute");
		if (asprintf(mountpoint, "%s/%s", home, ECT_PRIVATE_ALIAS) < 0) {
			*mountpoint = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	if (ret)
		return ret;
	len = size;
	nl = memchr(data, '\n', size);
	if (nl) {
		if ((size_t)(nl - data) != size - 1) {
			ret = ect__config_fail(err, ECT_E_CONFIG, name, 2,
					       "only one line (the mountpoint) is allowed");
			goto out;
		}
		len = size - 1;
		*nl = '\0';
	}
	ret = check_abs_path(data, len, name, 1, "the mountpoint", err);
	if (ret)
		goto out;
	*mountpoint = data;
	data = NULL;
out:
	free(data);
	return ret;
}

/* 1 when the flag file name is there (a regular file of uid's), 0 when absent. */
static int flag_file_at(int dirfd, uid_t uid, const char *name, struct ect_config_error *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		return ect__config_fail(err, -errno, name, 0, "cannot stat");
	}
	if (S_ISLNK(st.st_mode))
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
					"is a symbolic link (refused)");
	if (!S_ISREG(st.st_mode))
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0, "is not a regular file");
	if (uid != (uid_t)-1 && st.st_uid != uid)
		return ect__config_fail(err, ECT_E_UNSAFE_PATH, name, 0,
					"is owned by uid %u, not by uid %u", (unsigned int)st.st_uid,
					(unsigned int)uid);
	return 1;
}

int ect_config_read_flags_at(int dirfd, uid_t uid, unsigned int *flags,
			     struct ect_config_error *err)
{
	*flags = 0;
	for (size_t i = 0; i < ECT_CONFIG_NFLAGS; i++) {
		int r = flag_file_at(dirfd, uid, ect__config_flag_files[i].name, err);

		if (r < 0)
			return r;
		if (r)
			*flags |= ect__config_flag_files[i].flag;
	}
	return 0;
}

/* ALIAS.fuse: this private directory is mounted through ecryptfs-fuse. */
static int read_fuse_flag(int dirfd, uid_t uid, const char *alias, unsigned int *flags,
			  struct ect_config_error *err)
{
	char name[ECT_ALIAS_MAX + 8];
	int r = alias_file(alias, "fuse", name, sizeof(name), err);

	if (!r)
		r = flag_file_at(dirfd, uid, name, err);
	if (r > 0)
		*flags |= ECT_FLAG_FUSE;
	return r < 0 ? r : 0;
}

/*
 * ALIAS.auto-mount: PAM mounts this alias at login and the last logout
 * unmounts it. The shared auto-mount and auto-umount are Private's only.
 * One that is there but refused sets ECT_FLAG_AUTO_MOUNT_REFUSED.
 */
static int read_auto_mount_flag(int dirfd, uid_t uid, const char *alias, unsigned int *flags,
				struct ect_config_error *err)
{
	char name[ECT_ALIAS_MAX + 16];
	int r = alias_file(alias, ECT_ALIAS_AUTO_MOUNT_EXT, name, sizeof(name), err);

	*flags &= ~(unsigned int)(ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT);
	if (!r)
		r = flag_file_at(dirfd, uid, name, err);
	if (r > 0)
		*flags |= ECT_FLAG_AUTO_MOUNT | ECT_FLAG_AUTO_UMOUNT;
	/* a swapped flag marks nothing, and must not stop the unmount: the login refuses it */
	if (r == ECT_E_UNSAFE_PATH) {
		*flags |= ECT_FLAG_AUTO_MOUNT_REFUSED;
		r = 0;
	}
	return r < 0 ? r : 0;
}

void ect_alias_conf_free(struct ect_alias_conf *conf)
{
	if (!conf)
		return;
	free(conf->source);
	free(conf->mountpoint);
	conf->source = NULL;
	conf->mountpoint = NULL;
}

/*
 * Decode one blank-separated fstab field in place: \040 (space) and \134
 * (backslash) as getmntent(3) writes them. Other escapes are refused (a
 * tab or newline would be a control character anyway). Returns the field
 * length or a negative error.
 */
static long decode_field(char *f, const char *name, unsigned int line,
			 struct ect_config_error *err)
{
	static const struct {
		const char *esc;
		char c;
	} escapes[] = { { "\\040", ' ' }, { "\\134", '\\' } };
	char *in = f, *out = f;

	while (*in) {
		if (*in != '\\') {
			*out++ = *in++;
			continue;
		}
		size_t i;

		for (i = 0; i < ECT_ARRAY_SIZE(escapes); i++)
			if (!strncmp(in, escapes[i].esc, 4))
				break;
		if (i == ECT_ARRAY_SIZE(escapes))
			return ect__config_fail(err, ECT_E_CONFIG, name, line,
						"unsupported escape (only \\040 and \\134)");
		*out++ = escapes[i].c;
		in += 4;
	}
	*out = '\0';
	return out - f;
}

static bool is_decimal(const char *s)
{
	if (!*s || strlen(s) > 9)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Parse the one entry line of ALIAS.conf (NUL-terminated, no '\n'). */
static int parse_alias_entry(char *line, const char *name, unsigned int lineno,
			     struct ect_alias_conf *conf, struct ect_config_error *err)
{
	static const char *const what[] = { "source", "mountpoint", "type", "options", "dump",
					    "pass" };
	char *field[ECT_ARRAY_SIZE(what)];
	size_t nfields = 0;
	char *save = NULL, *tok;
	int ret;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nfields == ECT_ARRAY_SIZE(field))
			return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
						"too many fields (expected SRC DST ecryptfs [OPTS [DUMP [PASS]]])");
		field[nfields++] = tok;
	}
	if (nfields < 3)
		return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					"too few fields (expected SRC DST ecryptfs [OPTS])");
	for (size_t i = 0; i < nfields; i++) {
		long len = decode_field(field[i], name, lineno, err);

		if (len < 0)
			return (int)len;
		if (i < 2) {
			ret = check_abs_path(field[i], (size_t)len, name, lineno, what[i], err);
			if (ret)
				return ret;
		} else if (!ect__config_printable(field[i], (size_t)len)) {
			return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
						"%s contains a control character", what[i]);
		}
	}
	if (strcmp(field[2], "ecryptfs"))
		return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					"file system type must be \"ecryptfs\"");
	if (nfields > 3 && strcmp(field[3], "none"))
		return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					"mount options are not supported here (use \"none\")");
	for (size_t i = 4; i < nfields; i++)
		if (!is_decimal(field[i]))
			return ect__config_fail(err, ECT_E_CONFIG, name, lineno,
						"%s field must be a number", what[i]);
	conf->source = strdup(field[0]);
	conf->mountpoint = strdup(field[1]);
	if (!conf->source || !conf->mountpoint) {
		ect_alias_conf_free(conf);
		return -ENOMEM;
	}
	return 0;
}

static bool has_control_but_tab(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

static bool is_blank_or_comment(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == '#';
}

int ect_config_read_alias_at(int dirfd, uid_t uid, const char *alias, struct ect_alias_conf *conf,
			     struct ect_config_error *err)
{
	char name[ECT_ALIAS_MAX + 8];
	char *data = NULL, *line, *next;
	unsigned int lineno = 0;
	bool found = false;
	size_t size;
	int ret;

	memset(conf, 0, sizeof(*conf));
	ret = alias_file(alias, "conf", name, sizeof(name), err);
	if (ret)
		return ret;
	ret = ect__config_read_at(dirfd, name, uid, ECT_CONFIG_CONTENT, ECT_CONFIG_FILE_MAX, &data,
				  &size, err);
	if (ret)
		return ret;
	for (line = data; line < data + size; line = next) {
		char *nl = strchr(line, '\n');

		lineno++;
		if (nl) {
			*nl = '\0';
			next = nl + 1;
		} else {
			next = data + size;
		}
		if (has_control_but_tab(line)) {
			ret = ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					       "contains a control character");
			goto out;
		}
		if (is_blank_or_comment(line))
			continue;
		if (found) {
			ret = ect__config_fail(err, ECT_E_CONFIG, name, lineno,
					       "more than one entry (exactly one line is allowed)");
			goto out;
		}
		ret = parse_alias_entry(line, name, lineno, conf, err);
		if (ret)
			goto out;
		found = true;
	}
	if (!found)
		ret = ect__config_fail(err, ECT_E_CONFIG, name, lineno ? lineno : 1,
				       "no entry (expected SRC DST ecryptfs [OPTS])");
out:
	if (ret)
		ect_alias_conf_free(conf);
	free(data);
	return ret;
}

void ect_private_config_free(struct ect_private_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->alias);
	free(cfg->source);
	free(cfg->mountpoint);
	memset(cfg, 0, sizeof(*cfg));
}

int ect_private_config_load(int dirfd, uid_t uid, const char *home, const char *alias,
			    struct ect_private_config *cfg, struct ect_config_error *err)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	alias = alias_or_default(alias);
	if (ect_alias_check(alias))
		return bad_alias(err);
	cfg->alias = strdup(alias);
	if (!cfg->alias)
		return -ENOMEM;
	if (!strcmp(alias, ECT_PRIVATE_ALIAS)) {
		if (!home || home[0] != '/') {
			ret = -EINVAL;
			goto out;
		}
		if (asprintf(&cfg->source, "%s/.%s", home, ECT_PRIVATE_ALIAS) < 0) {
			cfg->source = NULL;
			ret = -ENOMEM;
			goto out;
		}
		ret = ect_config_read_mnt_at(dirfd, uid, home, &cfg->mountpoint, err);
	} else {
		struct ect_alias_conf conf;

		ret = ect_config_read_alias_at(dirfd, uid, alias, &conf, err);
		cfg->source = conf.source;
		cfg->mountpoint = conf.mountpoint;
	}
	if (ret)
		goto out;
	ret = ect_config_read_sigs_at(dirfd, uid, alias, &cfg->sigs, err);
	if (ret)
		goto out;
	ret = ect_config_read_flags_at(dirfd, uid, &cfg->flags, err);
	if (!ret && strcmp(alias, ECT_PRIVATE_ALIAS))
		ret = read_auto_mount_flag(dirfd, uid, alias, &cfg->flags, err);
	if (!ret)
		ret = read_fuse_flag(dirfd, uid, alias, &cfg->flags, err);
out:
	if (ret)
		ect_private_config_free(cfg);
	return ret;
}
