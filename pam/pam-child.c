// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The forked child: becomes the user for good (checked), does the job with
 * the library, and may exec a helper with an empty environment. The parent
 * collects the child's report over a pipe and the helper's stdout/stderr
 * over another, so the user gets the helper's own words.
 *
 * The child inherits the application's descriptors, and the application's
 * libc state that names some of them: sshd holds its syslog socket on fd 3
 * (issue 12). The child therefore forgets that socket (closelog) before it
 * closes anything, and keeps its report pipe high, at a number nothing in
 * the application could have cached, so syslog() reconnecting in the child
 * can never land on the report pipe.
 */
#include "pam-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

/* The child's report pipe is moved to the first free descriptor from here. */
#define REPORT_FD_MIN 64
#define REC_FLAGS 'F'
#define REC_EXEC 'E'
#define REC_EXEC_FAILED 'X'
#define REC_KEY_ADDED 'K' /* value: signature length; the signature follows */
#define OUTPUT_TIMEOUT_MS 120000

/* One record in one write: a pipe write up to PIPE_BUF is never split. */
static void report_data(int fd, unsigned char type, const void *data, unsigned char len)
{
	unsigned char rec[2 + 255] = { type, len };
	ssize_t n;

	if (len)
		memcpy(rec + 2, data, len);
	do
		n = write(fd, rec, 2 + (size_t)len);
	while (n < 0 && errno == EINTR);
}

static void report(int fd, unsigned char type, unsigned char value)
{
	unsigned char rec[2] = { type, value };
	ssize_t n;

	do
		n = write(fd, rec, sizeof(rec));
	while (n < 0 && errno == EINTR);
}

void pam_ect_child_flag(struct pam_ect_job *job, unsigned int flag)
{
	report(job->report_fd, REC_FLAGS, (unsigned char)flag);
}

void pam_ect_child_key_added(struct pam_ect_job *job, const char *sig)
{
	report_data(job->report_fd, REC_KEY_ADDED, sig, ECT_SIG_HEX_SIZE);
}

/* Close every descriptor from first on except keep_lo and keep_hi (keep_lo <= keep_hi). */
static void close_from(int first, int keep_lo, int keep_hi)
{
#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned int)first, (unsigned int)keep_lo - 1, 0) == 0 &&
	    (keep_hi <= keep_lo + 1 ||
	     close_range((unsigned int)keep_lo + 1, (unsigned int)keep_hi - 1, 0) == 0) &&
	    close_range((unsigned int)keep_hi + 1, ~0U, 0) == 0)
		return;
#endif
	for (int fd = first; fd < 1024 || fd <= keep_hi; fd++)
		if (fd != keep_lo && fd != keep_hi)
			close(fd);
}

/*
 * The child's descriptors: 0 = /dev/null, 1 and 2 = the output pipe (what
 * an exec'd helper writes), job->report_fd >= REPORT_FD_MIN = the report
 * pipe, job->cfg_fd above it = the ~/.ecryptfs the parent checked (both
 * close-on-exec: the helper never sees them); nothing else. Returns 0 or -1.
 */
static int child_fds(struct pam_ect_job *job, int out_fd, int status_fd)
{
	int devnull, out, cfg = -1;

	/* libc's syslog names the application's socket by number: forget it first. */
	closelog();
	job->report_fd = fcntl(status_fd, F_DUPFD_CLOEXEC, REPORT_FD_MIN);
	if (job->report_fd < 0)
		return -1;
	/* kept by fd, never reopened by name; -1 when the parent has none */
	if (job->cfg_fd >= 0) {
		cfg = fcntl(job->cfg_fd, F_DUPFD_CLOEXEC, job->report_fd + 1);
		if (cfg < 0)
			return -1;
	}
	job->cfg_fd = cfg;
	/* out_fd may be 0..2 in an application started without them: move it first. */
	out = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		return -1;
	close_from(3, job->report_fd, cfg >= 0 ? cfg : job->report_fd);
	return 0;
}

static void child_main(struct pam_ect_call *c, struct pam_ect_job *job, int out_fd, int status_fd)
{
	static char *const clean_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	sigset_t none;
	int ret;

	if (child_fds(job, out_fd, status_fd))
		_exit(PAM_ECT_INTERNAL);
	clearenv();
	umask(077);
	if (chdir("/"))
		_exit(PAM_ECT_INTERNAL);

	/* for good, checked (lib/core/become.c); the only supplementary group is the user's gid */
	ret = ect_become_user(job->pw->pw_uid, job->pw->pw_gid, ECT_GROUPS_GID, NULL);
	if (ret) {
		pam_syslog(c->pamh, LOG_ERR, "cannot switch to user '%s': %s", job->user, strerror(-ret));
		_exit(PAM_ECT_PRIV);
	}
	(void)ect_harden_process();

	ret = job->fn(job);
	if (ret != PAM_ECT_OK || !job->exec_path[0])
		_exit(ret);

	report(job->report_fd, REC_EXEC, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execve(job->exec_path, (char *const *)job->exec_argv, clean_env);
	ret = errno;
	pam_syslog(c->pamh, LOG_ERR, "cannot run %s: %s", job->exec_path, strerror(ret));
	report(job->report_fd, REC_EXEC_FAILED, (unsigned char)ret);
	_exit(PAM_ECT_EXEC_FAILED);
}

static bool read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* A key record: remember the signature, whatever else the child did. */
static bool read_key_added(int fd, unsigned char len, struct pam_ect_keys *keys)
{
	char sig[ECT_SIG_HEX_SIZE + 1];

	if (len != ECT_SIG_HEX_SIZE || !read_full(fd, sig, len))
		return false;
	sig[len] = '\0';
	if (ect_sig_check(sig) == 0 && keys->count < 2)
		memcpy(keys->sig[keys->count++], sig, sizeof(sig));
	return true;
}

/* Read the helper's words until every writer is gone (or a generous timeout). */
static void collect_output(int fd, char *buf, size_t size)
{
	size_t used = 0;
	char sink[256];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, OUTPUT_TIMEOUT_MS);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (used + 1 < size)
			n = read(fd, buf + used, size - 1 - used);
		else
			n = read(fd, sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + 1 < size)
			used += (size_t)n;
	}
	buf[used] = '\0';
}

int pam_ect_run_child(struct pam_ect_call *c, struct pam_ect_job *job)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int out_pipe[2] = { -1, -1 }, status_pipe[2] = { -1, -1 };
	bool exec_seen = false, exec_failed = false;
	unsigned char rec[2];
	int result = PAM_ECT_INTERNAL;
	int wstatus = 0;
	pid_t pid, w;

	job->helper_status = -1;
	job->output[0] = '\0';
	job->child_flags = 0;
	memset(&job->added, 0, sizeof(job->added));
	if (pipe2(out_pipe, O_CLOEXEC) || pipe2(status_pipe, O_CLOEXEC)) {
		ect_err(c->ctx, "pipe: %s", strerror(errno));
		goto out;
	}
	/* The application may ignore SIGCHLD, which would make waitpid fail. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (pid < 0) {
		ect_err(c->ctx, "fork: %s", strerror(errno));
		sigaction(SIGCHLD, &old, NULL);
		goto out;
	}
	if (pid == 0)
		child_main(c, job, out_pipe[1], status_pipe[1]);

	close(out_pipe[1]);
	out_pipe[1] = -1;
	close(status_pipe[1]);
	status_pipe[1] = -1;
	collect_output(out_pipe[0], job->output, sizeof(job->output));
	while (read_full(status_pipe[0], rec, sizeof(rec))) {
		if (rec[0] == REC_FLAGS)
			job->child_flags |= rec[1];
		else if (rec[0] == REC_EXEC)
			exec_seen = true;
		else if (rec[0] == REC_EXEC_FAILED)
			exec_failed = true;
		else if (rec[0] == REC_KEY_ADDED && !read_key_added(status_pipe[0], rec[1], &job->added))
			break;
	}
	do
		w = waitpid(pid, &wstatus, 0);
	while (w < 0 && errno == EINTR);
	sigaction(SIGCHLD, &old, NULL);
	if (w != pid) {
		ect_err(c->ctx, "waitpid: %s", strerror(errno));
		goto out;
	}
	if (exec_seen && !exec_failed) {
		result = PAM_ECT_HELPER;
		job->helper_status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	} else if (WIFEXITED(wstatus)) {
		result = WEXITSTATUS(wstatus);
	} else {
		ect_err(c->ctx, "child killed by signal %d", WTERMSIG(wstatus));
	}
out:
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (status_pipe[i] >= 0)
			close(status_pipe[i]);
	}
	return result;
}
