// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Several private directories (aliases, issue 16): the names of each
 * alias's key files in ~/.ecryptfs, and the list of aliases. The default
 * alias, Private, keeps ecryptfs-utils 111's names; the others prefix them
 * with "ALIAS.", so one directory holds every alias's files and none can
 * name another's (the suffix is fixed, the alias has no '/').
 */
#include "config-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ect_alias_key_file(const char *alias, const char *base, char *name, size_t size)
{
	int n;

	if (!base || !*base || strchr(base, '/') || !name || !size)
		return -EINVAL;
	if (!alias || !strcmp(alias, ECT_PRIVATE_ALIAS))
		n = snprintf(name, size, "%s", base);
	else if (ect_alias_check(alias))
		return ECT_E_CONFIG;
	else
		n = snprintf(name, size, "%s.%s", alias, base);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* "ALIAS.conf" of a usable alias other than Private: copy ALIAS into out. */
static bool alias_of_conf(const char *name, char out[ECT_ALIAS_MAX + 1])
{
	size_t len = strlen(name);

	if (len <= 5 || strcmp(name + len - 5, ".conf") || len - 5 > ECT_ALIAS_MAX)
		return false;
	memcpy(out, name, len - 5);
	out[len - 5] = '\0';
	return !ect_alias_check(out) && strcmp(out, ECT_PRIVATE_ALIAS);
}

/*
 * Keep the max smallest names in byte order, sorted: alias goes in its
 * place among the n kept so far (n <= max), the largest falls off when full.
 * So the cut does not depend on the directory's order (review finding L1).
 */
static void keep_smallest(char (*aliases)[ECT_ALIAS_MAX + 1], size_t max, size_t n,
			  const char *alias)
{
	size_t at = n;

	while (at > 0 && strcmp(aliases[at - 1], alias) > 0)
		at--;
	if (at >= max)
		return;
	if (n == max)
		n--; /* the largest falls off */
	memmove(aliases[at + 1], aliases[at], (n - at) * sizeof(*aliases));
	memcpy(aliases[at], alias, strlen(alias) + 1);
}

int ect_config_list_aliases_at(int dirfd, char (*aliases)[ECT_ALIAS_MAX + 1], size_t max,
			       size_t *count)
{
	char alias[ECT_ALIAS_MAX + 1];
	struct dirent *e;
	DIR *dir;
	int fd;

	if (!count || (max && !aliases))
		return -EINVAL;
	*count = 0;
	/* a fresh open of ".": the caller's fd keeps its offset and flags */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((errno = 0, e = readdir(dir))) {
		struct stat st;

		if (!alias_of_conf(e->d_name, alias))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		keep_smallest(aliases, max, *count < max ? *count : max, alias);
		(*count)++;
	}
	fd = errno;
	closedir(dir);
	return fd ? -fd : 0;
}
