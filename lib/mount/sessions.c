// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session registry: which sessions want a (user, alias) mounted.
 *
 * 111 kept a bare counter in /dev/shm that every mount bumped and only a
 * clean close decremented, so it drifted. Here each entry names a live
 * process (the session leader, with its start time so a reused pid does not
 * count), dead entries are pruned on every access, a session registers at
 * most once, and the list is emptied whenever the alias is not mounted. The
 * count is thus recomputed from facts each time. See doc/session-counter.md.
 */
#include "ect-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Bounds on what one user can make the helper store in the /run tmpfs:
 * live sessions per alias, registries (aliases) per user, bytes per file.
 */
#define ECT_SESSIONS_MAX 256
#define ECT_SESSION_FILES_MAX 16
#define ECT_SESSIONS_FILE_MAX (ECT_SESSIONS_MAX * 48)

static int proc_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* the command name may contain spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	/* p now points before field 3; starttime is field 22 */
	for (field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	errno = 0;
	*start = strtoull(p + 1, NULL, 10);
	return errno ? -errno : 0;
}

int ect_session_current(struct ect_session_id *id)
{
	pid_t sid = getsid(0);

	/*
	 * Processes in init's session (daemons, scripts started from init)
	 * belong to no login session: they register nothing, so they neither
	 * hold a mount open nor leave an entry behind.
	 */
	if (sid <= 1)
		return -ESRCH;
	id->pid = sid;
	return proc_start_time(id->pid, &id->start);
}

/*
 * Whether an entry still counts. When this process cannot see every
 * process (/proc mounted with hidepid= and no privilege), a missing /proc
 * entry proves nothing: keep it, counting too many rather than unmounting
 * under a live session.
 */
static bool entry_counts(const struct ect_session_id *id, bool sees_all)
{
	unsigned long long start;
	int r = proc_start_time(id->pid, &start);

	if (r == 0)
		return start == id->start;
	return !sees_all || (r != -ENOENT && r != -ESRCH);
}

static bool proc_sees_all(void)
{
	unsigned long long start;

	/* pid 1 is root's: visible only when no hidepid= hides others' processes */
	return proc_start_time(1, &start) == 0;
}

/* Registries in dirfd, to bound how many aliases one user can register. */
static int count_registries(int dirfd)
{
	struct dirent *d;
	DIR *dir;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while ((d = readdir(dir))) {
		size_t len = strlen(d->d_name);

		if (len > 9 && !strcmp(d->d_name + len - 9, ".sessions"))
			n++;
	}
	closedir(dir);
	return n;
}

int ect_session_alive(const struct ect_session_id *id)
{
	unsigned long long start;

	if (id->pid <= 0)
		return 0;
	return proc_start_time(id->pid, &start) == 0 && start == id->start;
}

/* Open the registry, refusing symlinks, links and files not ours. */
static int open_registry(int dirfd, const char *name, int flags)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		close(fd);
		return ECT_E_UNSAFE_PATH;
	}
	return fd;
}

int ect_sessions_update(int dirfd, const char *name, enum ect_session_op op,
			const struct ect_session_id *self, int mounted)
{
	struct ect_session_id *ids = NULL;
	char *buf = NULL, tmpname[ECT_ALIAS_MAX + 64], *line, *save = NULL;
	size_t got = 0, n = 0, len = 0;
	int fd = -1, ret;
	bool present = false, sees_all, exists;

	if (!*name || strchr(name, '/') || strlen(name) > ECT_ALIAS_MAX + 32)
		return -EINVAL;
	ids = calloc(ECT_SESSIONS_MAX + 1, sizeof(*ids));
	buf = malloc(ECT_SESSIONS_FILE_MAX + 1);
	if (!ids || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	fd = open_registry(dirfd, name, O_RDONLY);
	if (fd == -ENOENT) {
		/* nothing registered yet: an empty list, created only if needed */
		fd = -1;
	} else if (fd < 0) {
		ret = fd;
		goto out;
	}
	exists = fd >= 0;
	while (fd >= 0 && got < ECT_SESSIONS_FILE_MAX) {
		ssize_t r = read(fd, buf + got, ECT_SESSIONS_FILE_MAX - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (fd >= 0)
		close(fd);
	fd = -1;
	sees_all = proc_sees_all();

	/* Keep live, distinct entries, and only while the alias is mounted. */
	for (line = strtok_r(buf, "\n", &save); line && mounted; line = strtok_r(NULL, "\n", &save)) {
		struct ect_session_id e;
		char extra;
		int pid;
		bool dup = false;

		if (sscanf(line, "%d %llu %c", &pid, &e.start, &extra) != 2 || pid <= 0)
			continue; /* a torn or foreign line counts for nothing */
		e.pid = pid;
		for (size_t i = 0; i < n; i++)
			dup |= ids[i].pid == e.pid && ids[i].start == e.start;
		if (dup || !entry_counts(&e, sees_all) || n >= ECT_SESSIONS_MAX)
			continue;
		if (self && e.pid == self->pid && e.start == self->start) {
			present = true;
			if (op == ECT_SESSION_REMOVE)
				continue;
		}
		ids[n++] = e;
	}
	if (op == ECT_SESSION_CLEAR)
		n = 0;
	if (op == ECT_SESSION_ADD && self && !present && n < ECT_SESSIONS_MAX) {
		if (!exists && count_registries(dirfd) >= ECT_SESSION_FILES_MAX) {
			ret = -ENOSPC; /* too many aliases registered */
			goto out;
		}
		ids[n++] = *self;
	}
	/* nothing to remember: no file at all, so an idle user costs nothing */
	if (n == 0) {
		if (exists && unlinkat(dirfd, name, 0) && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		ret = 0;
		goto out;
	}

	/* Replace the file atomically: a killed helper leaves old or new, never half. */
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, ECT_SESSIONS_FILE_MAX + 1 - len, "%d %llu\n",
				 (int)ids[i].pid, ids[i].start);

		if (w < 0 || (size_t)w >= ECT_SESSIONS_FILE_MAX + 1 - len) {
			ret = -ENOSPC;
			goto out;
		}
		len += (size_t)w;
	}
	/* one fixed name (callers hold the per-user lock): a killed helper cannot pile them up */
	snprintf(tmpname, sizeof(tmpname), ".%s.tmp", name);
	unlinkat(dirfd, tmpname, 0);
	fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = ect__write_all(fd, buf, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && renameat(dirfd, tmpname, dirfd, name))
		ret = -errno;
	if (ret) {
		unlinkat(dirfd, tmpname, 0);
		goto out;
	}
	ret = (int)n;
out:
	if (fd >= 0)
		close(fd);
	free(ids);
	free(buf);
	return ret;
}
