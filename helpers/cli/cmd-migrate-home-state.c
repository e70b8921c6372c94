// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-migrate-home: is the user around (processes, logind, the session
 * registry), and the state file a rerun finds its way by.
 */
#include "cmd-migrate-home.h"
#include "cli-run.h"
#include "cmd-private-setup.h" /* ECRYPTFS_DIR */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define STATE_MAX 4096

/* ---- is the user around? ---- */

static bool proc_has_uid(uid_t uid, char *who, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[300], line[256];
		unsigned int u[4];
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Uid: %u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4) {
				found = u[0] == uid || u[1] == uid || u[2] == uid || u[3] == uid;
				break;
			}
		}
		fclose(f);
		if (found)
			snprintf(who, size, "process %s", de->d_name);
	}
	closedir(d);
	return found;
}

/* loginctl's list of sessions is small; more than this means it cannot be judged. */
#define LOGIND_LIST_MAX 65536

/*
 * A logind session of uid, asked of loginctl through cli_run: no shell,
 * no caller's environment (root runs this with the caller's PATH,
 * LD_PRELOAD, SYSTEMD_PAGER...). Without loginctl or logind (it fails) the
 * process check stands alone; an answer too long to read counts as a
 * session, since it cannot be ruled out.
 */
static bool logind_has_uid(struct ect_ctx *ctx, uid_t uid, char *who, size_t size)
{
	char loginctl[ECT_CLI_PROGRAM_MAX], *buf, *line, *save = NULL;
	struct cli_output out = { .size = LOGIND_LIST_MAX };
	bool found = false;
	int rc;

	if (cli_find_program("loginctl", loginctl, sizeof(loginctl)))
		return false;
	buf = out.buf = malloc(out.size);
	if (!buf) {
		snprintf(who, size, "no memory to list the logind sessions");
		return true;
	}
	rc = cli_run((const char *const[]){ loginctl, "list-sessions", "--no-legend",
						"--no-pager", NULL },
			 &out, true);
	if (rc) {
		ect_warn(ctx, "%s list-sessions failed (%s %d): only processes and the "
				 "session registry were checked", loginctl,
			 rc < 0 ? "error" : "status", rc < 0 ? -rc : rc);
		goto out;
	}
	if (out.truncated) {
		snprintf(who, size, "%s list-sessions printed more than %d bytes", loginctl,
			 LOGIND_LIST_MAX);
		found = true;
		goto out;
	}
	for (line = strtok_r(buf, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char sid[64];
		unsigned int u;

		if (sscanf(line, "%63s %u", sid, &u) == 2 && u == uid) {
			found = true;
			snprintf(who, size, "logind session %s", sid);
		}
	}
out:
	free(buf);
	return found;
}

/* A live session in the project's registry (ECT_RUNDIR/ecryptfs-tools/UID/ALIAS.sessions). */
static bool registry_has_session(uid_t uid, char *who, size_t size)
{
	char dir[256];
	DIR *d;
	struct dirent *de;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/%s/%u", ECT_RUNDIR, ECT_SESSION_SUBDIR, (unsigned int)uid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[600], line[128];
		FILE *f;
		int fd;

		if (len <= 9 || strcmp(de->d_name + len - 9, ".sessions"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		f = fd >= 0 ? fdopen(fd, "r") : NULL;
		if (!f) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while (!found && fgets(line, sizeof(line), f)) {
			unsigned long pid;
			unsigned long long start;
			char statp[64];

			if (sscanf(line, "%lu %llu", &pid, &start) != 2)
				continue;
			snprintf(statp, sizeof(statp), "/proc/%lu", pid);
			if (!access(statp, F_OK)) {
				found = true;
				snprintf(who, size, "session of process %lu in %s", pid, path);
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

bool mig_uid_present(struct ect_ctx *ctx, uid_t uid, char *who, size_t size)
{
	return proc_has_uid(uid, who, size) || logind_has_uid(ctx, uid, who, size) ||
	       registry_has_session(uid, who, size);
}

bool mig_user_present(struct mig *m, char *who, size_t size)
{
	return mig_uid_present(m->ctx, m->uid, who, size);
}

int mig_check_logged_out(struct mig *m)
{
	char who[MIG_WHO_MAX] = "";

	if (mig_user_present(m, who, sizeof(who))) {
		ect_err(m->ctx, "%s is logged in or has processes (%s): log them out and stop "
				"their processes first; nothing was changed", m->name, who);
		return -1;
	}
	return 0;
}

/* ---- state file ---- */

int mig_state_write(struct mig *m)
{
	char buf[STATE_MAX];
	int n = snprintf(buf, sizeof(buf),
			 "# ecryptfs-migrate-home of %s: do not edit; rerun the command to finish\n"
			 "user=%s\nuid=%u\nhome=%s\nphase=%d\nstage=%s\nhome_ino=%llu\n"
			 "stage_ino=%llu\nmade_userdir=%d\n",
			 m->name, m->name, (unsigned int)m->uid, m->home, m->st.phase, m->st.stage,
			 m->st.home_ino, m->st.stage_ino, m->st.made_userdir);
	int r = ect_write_file_atomic_at(m->parent_fd, m->statename, buf, n, 0600, 0, 0);

	if (r)
		ect_err(m->ctx, "cannot write the state file %s/%s: %s", m->parent, m->statename,
			ect_strerror(r));
	return r ? -1 : 0;
}

/* 1 when there is a state file (read into m->st), 0 when none, -1 after saying why. */
int mig_state_read(struct mig *m)
{
	char buf[STATE_MAX], *line, *save = NULL;
	struct stat st;
	ssize_t n;
	unsigned int uid = 0;
	int fd = openat(m->parent_fd, m->statename, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) || (n = read(fd, buf, sizeof(buf) - 1)) < 0) {
		ect_err(m->ctx, "the state file %s/%s is not a root-owned private file; remove it "
				"only if no migration of %s is under way", m->parent, m->statename, m->name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	buf[n] = '\0';
	memset(&m->st, 0, sizeof(m->st));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		sscanf(line, "phase=%d", &m->st.phase);
		sscanf(line, "uid=%u", &uid);
		sscanf(line, "stage=%255s", m->st.stage);
		sscanf(line, "home_ino=%llu", &m->st.home_ino);
		sscanf(line, "stage_ino=%llu", &m->st.stage_ino);
		sscanf(line, "made_userdir=%d", &m->st.made_userdir);
	}
	if (uid != m->uid || (m->st.phase != PHASE_SETUP && m->st.phase != PHASE_COPY) ||
	    strncmp(m->st.stage, m->base, strlen(m->base)) || strchr(m->st.stage, '/') ||
	    !m->st.home_ino) {
		ect_err(m->ctx, "the state file %s/%s is damaged or not %s's", m->parent, m->statename,
			m->name);
		return -1;
	}
	return 1;
}

