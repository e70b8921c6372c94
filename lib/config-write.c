// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writers of ~/.ecryptfs for ecryptfs-setup-private: Private.sig (or
 * ALIAS.sig), Private.mnt and the flag files. Each file is checked, then
 * replaced atomically (ect_write_file_atomic: O_EXCL temp, fsync, rename),
 * so neither a crash nor a planted symlink leaves a half-written or
 * redirected file (the CVE-2011-1835 lesson). Mode 0600, as setup-private's
 * umask 077 gives.
 */
#include "config-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ECT_CONFIG_MODE 0600

static int config_path(const char *dir, const char *name, char *path, size_t size)
{
	if (!dir || !*dir)
		return -EINVAL;
	if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int ect_config_write_sigs(const char *dir, const char *alias, const struct ect_config_sigs *sigs,
			  uid_t uid, gid_t gid)
{
	char name[ECT_ALIAS_MAX + 8], path[PATH_MAX];
	char data[2 * (ECT_SIG_HEX_SIZE + 1) + 1];
	int ret;

	alias = alias ? alias : ECT_PRIVATE_ALIAS;
	if (ect_alias_check(alias))
		return ECT_E_CONFIG;
	ret = ect_sig_check(sigs->fekek);
	if (ret)
		return ret;
	if (sigs->fnek[0]) {
		ret = ect_sig_check(sigs->fnek);
		if (ret)
			return ret;
	}
	snprintf(name, sizeof(name), "%s.sig", alias);
	ret = config_path(dir, name, path, sizeof(path));
	if (ret)
		return ret;
	snprintf(data, sizeof(data), "%s\n%s%s", sigs->fekek, sigs->fnek, sigs->fnek[0] ? "\n" : "");
	return ect_write_file_atomic(path, data, strlen(data), ECT_CONFIG_MODE, uid, gid);
}

int ect_config_write_mnt(const char *dir, const char *mountpoint, uid_t uid, gid_t gid)
{
	char path[PATH_MAX], data[PATH_MAX + 1];
	size_t len;
	int ret;

	if (!mountpoint)
		return -EINVAL;
	len = strnlen(mountpoint, PATH_MAX);
	if (mountpoint[0] != '/' || len >= PATH_MAX || !ect__config_printable(mountpoint, len))
		return ECT_E_CONFIG;
	ret = config_path(dir, ECT_PRIVATE_ALIAS ".mnt", path, sizeof(path));
	if (ret)
		return ret;
	memcpy(data, mountpoint, len);
	data[len] = '\n';
	return ect_write_file_atomic(path, data, len + 1, ECT_CONFIG_MODE, uid, gid);
}

int ect_config_set_flags(const char *dir, unsigned int flags, int on, uid_t uid, gid_t gid)
{
	char path[PATH_MAX];
	int ret;

	if (flags & ~ECT_CONFIG_ALL_FLAGS)
		return -EINVAL;
	for (size_t i = 0; i < ECT_CONFIG_NFLAGS; i++) {
		if (!(flags & ect__config_flag_files[i].flag))
			continue;
		ret = config_path(dir, ect__config_flag_files[i].name, path, sizeof(path));
		if (ret)
			return ret;
		if (on) {
			ret = ect_write_file_atomic(path, "", 0, ECT_CONFIG_MODE, uid, gid);
			if (ret)
				return ret;
		} else if (unlink(path) && errno != ENOENT) {
			return -errno;
		}
	}
	return 0;
}
