// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writers of ~/.ecryptfs for ecryptfs-setup-private: Private.sig (or
 * ALIAS.sig), Private.mnt and the flag files. Each file is checked, then
 * replaced atomically through the directory fd (ect_write_file_atomic_at:
 * O_EXCL|O_NOFOLLOW temp, fchown and write on its fd, fsync, rename within
 * the directory), so neither a crash nor a planted symlink leaves a
 * half-written or redirected file (the CVE-2011-1835 lesson), and root
 * writing for a user never resolves a path the user could swap. Mode 0600,
 * as setup-private's umask 077 gives.
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ECT_CONFIG_MODE 0600

int ect_config_write_sigs_at(int dirfd, const char *alias, const struct ect_config_sigs *sigs,
			     uid_t uid, gid_t gid)
{
	char name[ECT_ALIAS_MAX + 8];
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
	snprintf(data, sizeof(data), "%s\n%s%s", sigs->fekek, sigs->fnek, sigs->fnek[0] ? "\n" : "");
	return ect_write_file_atomic_at(dirfd, name, data, strlen(data), ECT_CONFIG_MODE, uid, gid);
}

int ect_config_write_mnt_at(int dirfd, const char *mountpoint, uid_t uid, gid_t gid)
{
	char data[PATH_MAX + 1];
	size_t len;

	if (!mountpoint)
		return -EINVAL;
	len = strnlen(mountpoint, PATH_MAX);
	if (mountpoint[0] != '/' || len >= PATH_MAX || !ect__config_printable(mountpoint, len))
		return ECT_E_CONFIG;
	memcpy(data, mountpoint, len);
	data[len] = '\n';
	return ect_write_file_atomic_at(dirfd, ECT_PRIVATE_ALIAS ".mnt", data, len + 1,
					ECT_CONFIG_MODE, uid, gid);
}

int ect_config_set_flags_at(int dirfd, unsigned int flags, int on, uid_t uid, gid_t gid)
{
	int ret;

	if (flags & ~ECT_CONFIG_ALL_FLAGS)
		return -EINVAL;
	for (size_t i = 0; i < ECT_CONFIG_NFLAGS; i++) {
		const char *name = ect__config_flag_files[i].name;

		if (!(flags & ect__config_flag_files[i].flag))
			continue;
		if (on) {
			ret = ect_write_file_atomic_at(dirfd, name, "", 0, ECT_CONFIG_MODE, uid, gid);
			if (ret)
				return ret;
		} else if (unlinkat(dirfd, name, 0) && errno != ENOENT) {
			return -errno;
		}
	}
	return 0;
}

/* The path forms: the directory is opened once, then as above. */
int ect_config_write_sigs(const char *dir, const char *alias, const struct ect_config_sigs *sigs,
			  uid_t uid, gid_t gid)
{
	int dirfd, ret = ect__dir_open_for(dir, uid, &dirfd);

	if (!ret) {
		ret = ect_config_write_sigs_at(dirfd, alias, sigs, uid, gid);
		close(dirfd);
	}
	return ret;
}

int ect_config_write_mnt(const char *dir, const char *mountpoint, uid_t uid, gid_t gid)
{
	int dirfd, ret = ect__dir_open_for(dir, uid, &dirfd);

	if (!ret) {
		ret = ect_config_write_mnt_at(dirfd, mountpoint, uid, gid);
		close(dirfd);
	}
	return ret;
}

int ect_config_set_flags(const char *dir, unsigned int flags, int on, uid_t uid, gid_t gid)
{
	int dirfd, ret = ect__dir_open_for(dir, uid, &dirfd);

	if (!ret) {
		ret = ect_config_set_flags_at(dirfd, flags, on, uid, gid);
		close(dirfd);
	}
	return ret;
}
