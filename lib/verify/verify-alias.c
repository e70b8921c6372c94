// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every alias besides Private (issue 16): ALIAS.conf names its mount point
 * and lower directory, ALIAS.auto-mount says whether PAM mounts it at
 * login, and its own key files (ALIAS.wrapped-passphrase,
 * ALIAS.wrapped-passphrase.token, ALIAS.sig) get the very checks Private's
 * get: the same functions, pointed at the alias.
 */
#include "verify-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* more than anyone keeps; the rest is named, not checked */
#define ALIASES_MAX 64

int ect__verify_use_alias(struct ect_vrun *v, const char *alias)
{
	int ret = ect_alias_key_file(alias, ECT_WRAPPED_PASSPHRASE_FILE, v->wrapped_file,
				     sizeof(v->wrapped_file));

	if (!ret)
		ret = ect_alias_key_file(alias, ECT_TOKEN_FILE, v->token_file,
					 sizeof(v->token_file));
	if (ret)
		return ret;
	v->alias = alias;
	v->wrap_version = 0;
	return 0;
}

/* ALIAS.conf as the mount helper reads it; 1 when it refused (reported). */
static int read_conf(struct ect_vrun *v, const char *alias, struct ect_alias_conf *conf)
{
	struct ect_config_error err = { .line = 0 };
	char why[256];
	int ret = ect_config_read_alias_at(v->dot_fd, v->t->uid, alias, conf, &err);

	if (!ret)
		return 0;
	if (ret == ECT_E_CONFIG || ret == ECT_E_UNSAFE_PATH)
		ect_config_error_format(&err, why, sizeof(why));
	else
		ect__fmt(why, sizeof(why), "%s.conf: %s", alias, ect_strerror(ret));
	ret = ect_report_add(v->r, ECT_SEV_FAIL, "alias",
			     "alias %s: %s/%s; the mount helper refuses it, so it cannot be "
			     "mounted", alias, v->dot, why);
	return ret ? ret : 1;
}

/* One alias: its key files as Private's are checked, then its line. */
static int verify_alias(struct ect_vrun *v, const char *alias)
{
	char line[sizeof(((struct ect_finding *)0)->message)], flag[ECT_ALIAS_FILE_SIZE];
	struct ect_alias_conf conf = { .source = NULL };
	struct ect_config_sigs sigs;
	struct stat st;
	int ret, at_login;

	ret = ect__verify_use_alias(v, alias);
	if (!ret)
		ret = ect__verify_wrapped(v);
	if (!ret)
		ret = ect__verify_protector_list(v, line, sizeof(line));
	if (!ret)
		ret = ect__verify_sig(v, &sigs);
	if (!ret)
		ret = ect_alias_key_file(alias, ECT_ALIAS_AUTO_MOUNT_EXT, flag, sizeof(flag));
	if (!ret)
		ret = read_conf(v, alias, &conf);
	if (ret)
		return ret < 0 ? ret : 0;
	/* existence is the setting, as PAM reads it */
	at_login = !fstatat(v->dot_fd, flag, &st, AT_SYMLINK_NOFOLLOW);
	ret = ect_report_add(v->r, ECT_SEV_INFO, "alias",
			     "alias %s: mount point %s, lower directory %s; %s%s); protectors: %s",
			     alias, conf.mountpoint, conf.source,
			     at_login ? "PAM mounts it at login (" : "PAM does not mount it (no ",
			     flag, line[0] ? line : "none");
	ect_alias_conf_free(&conf);
	return ret;
}

int ect__verify_aliases(struct ect_vrun *v)
{
	char(*aliases)[ECT_ALIAS_MAX + 1] = calloc(ALIASES_MAX, sizeof(*aliases));
	int wrap_version = v->wrap_version, ret;
	size_t n = 0;

	if (!aliases)
		return -ENOMEM;
	ret = ect_config_list_aliases_at(v->dot_fd, aliases, ALIASES_MAX, &n);
	if (ret)
		ret = ect_report_add(v->r, ECT_SEV_FAIL, "alias", "cannot list the aliases in %s: %s",
				     v->dot, ect_strerror(ret));
	for (size_t i = 0; !ret && i < n && i < ALIASES_MAX; i++)
		ret = verify_alias(v, aliases[i]);
	if (!ret && n > ALIASES_MAX)
		ret = ect_report_add(v->r, ECT_SEV_WARN, "alias",
				     "%zu aliases in %s: only the first %d were checked", n, v->dot,
				     ALIASES_MAX);
	/* back to Private's files before the names go */
	if (!ret)
		ret = ect__verify_use_alias(v, NULL);
	v->alias = NULL;
	v->wrap_version = wrap_version;
	free(aliases);
	return ret;
}
