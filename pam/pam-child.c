// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The forked child: becomes the user for good (checked), does the job with
 * the library, and may exec a helper with an empty environment. The parent
 * collects the child's report over a socket pair and the helper's
 * stdout/stderr over a pipe, so the user gets the helper's own words. The
 * report channel also carries the one question a child may ask: a token's
 * PIN, which only the parent can put to the user (the conversation is the
 * application's).
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#define REC_FLAGS 'F'
#define REC_EXEC 'E'
#define REC_EXEC_FAILED 'X'
#define REC_KEY_ADDED 'K' /* value: signature length; the signature follows */
#define REC_PIN_ASK 'P'	  /* value: length of pin-flags byte + token label, which follow */
/* how often to look whether the child ended, where pidfd_open is missing */
#define CHILD_TICK_MS 1000

static bool read_full(int fd, void *buf, size_t size);

/* One record in one write; the child is the channel's only writer. */
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

int pam_ect_child_ask_pin(struct pam_ect_job *job, const char *label, unsigned int flags,
			  char **pin, size_t *pin_len)
{
	unsigned char ask[1 + 64];
	unsigned char head[2];
	size_t n = strnlen(label, sizeof(ask) - 1);
	char *buf;

	*pin = NULL;
	*pin_len = 0;
	ask[0] = (unsigned char)flags;
	memcpy(ask + 1, label, n);
	report_data(job->report_fd, REC_PIN_ASK, ask, (unsigned char)(1 + n));
	if (!read_full(job->report_fd, head, sizeof(head)))
		return -EPIPE;
	/* room for any length first: the reply is read off the channel whatever it says */
	buf = ect_secure_alloc(256);
	if (!buf)
		return ECT_E_SECMEM;
	if (head[1] && !read_full(job->report_fd, buf, head[1])) {
		ect_secure_free(buf);
		return -EPIPE;
	}
	if (!head[0] || !head[1]) {
		ect_secure_free(buf);
		return -ECANCELED; /* no PIN given: the conversation failed or was refused */
	}
	buf[head[1]] = '\0';
	*pin = buf;
	*pin_len = head[1];
	return 0;
}

int pam_ect_child_fds(int *keep, size_t nkeep, int out_fd)
{
	int devnull, out, next = PAM_ECT_CHILD_FD_MIN;

	/* libc's syslog names the application's socket by number: forget it first. */
	closelog();
	/* each kept fd above anything the application could have cached, in order */
	for (size_t i = 0; i < nkeep; i++) {
		int moved = fcntl(keep[i], F_DUPFD_CLOEXEC, next);

		/* RLIMIT_NOFILE at or below the minimum: the lowest free one will do */
		if (moved < 0 && errno == EINVAL)
			moved = fcntl(keep[i], F_DUPFD_CLOEXEC, 3);
		keep[i] = moved;
		if (keep[i] < 0)
			return -1;
		next = keep[i] + 1;
	}
	/* out_fd may be 0..2 in an application started without them: move it first. */
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	out = out_fd >= 0 ? fcntl(out_fd, F_DUPFD_CLOEXEC, 3) : devnull;
	if (out < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		return -1;
	ect_close_fds_except(3, keep, nkeep);
	return 0;
}

int pam_ect_child_become(const struct passwd *pw)
{
	struct rlimit no_core = { 0, 0 };
	int ret;

	/* the application's memory is ours: no core of it, before and after the switch */
	if (setrlimit(RLIMIT_CORE, &no_core))
		return -errno;
	/* for good, checked (lib/core/become.c); the only supplementary group is the user's gid */
	ret = ect_become_user(pw->pw_uid, pw->pw_gid, ECT_GROUPS_GID, NULL);
	if (ret)
		return ret;
	(void)ect_harden_process();
	return 0;
}

/*
 * The child's descriptors: 0 = /dev/null, 1 and 2 = the output pipe (what
 * an exec'd helper writes), job->report_fd >= PAM_ECT_CHILD_FD_MIN = the
 * report pipe, job->cfg_fd above it = the ~/.ecryptfs the parent checked
 * (both close-on-exec: the helper never sees them); nothing else. Returns
 * 0 or -1.
 */
static int child_fds(struct pam_ect_job *job, int out_fd, int status_fd)
{
	int keep[2] = { status_fd, job->cfg_fd };

	/* kept by fd, never reopened by name; -1 when the parent has none */
	if (pam_ect_child_fds(keep, job->cfg_fd >= 0 ? 2 : 1, out_fd))
		return -1;
	job->report_fd = keep[0];
	job->cfg_fd = job->cfg_fd >= 0 ? keep[1] : -1;
	return 0;
}

/*
 * The environment of the child's own work: empty but for where a PKCS#11
 * module finds its configuration (SoftHSM2's token directory, OpenSC's
 * driver settings), which the user could set anyway: the child is the
 * user by then, and the module it loads is root's (ect__p11_module_check).
 * Helpers it execs get clean_env, without these.
 */
static void keep_token_env_only(void)
{
	static const char *const names[] = { "SOFTHSM2_CONF", "OPENSC_CONF" };
	char *kept[2] = { NULL, NULL };

	for (size_t i = 0; i < 2; i++) {
		const char *v = getenv(names[i]);

		kept[i] = v && v[0] == '/' ? strdup(v) : NULL;
	}
	clearenv();
	for (size_t i = 0; i < 2; i++) {
		if (kept[i])
			(void)setenv(names[i], kept[i], 1);
		free(kept[i]);
	}
}

static void child_main(struct pam_ect_call *c, struct pam_ect_job *job, int out_fd, int status_fd)
{
	static char *const clean_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	sigset_t none;
	int ret;

	if (child_fds(job, out_fd, status_fd))
		_exit(PAM_ECT_INTERNAL);
	keep_token_env_only();
	umask(077);
	if (chdir("/"))
		_exit(PAM_ECT_INTERNAL);

	ret = pam_ect_child_become(job->pw);
	if (ret) {
		pam_syslog(c->pamh, LOG_ERR, "cannot switch to user '%s': %s", job->user, strerror(-ret));
		_exit(PAM_ECT_PRIV);
	}

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

/* Append what fd holds to buf (size bytes, kept NUL-terminated); false at EOF. */
static bool read_output(int fd, char *buf, size_t size, size_t *used)
{
	char sink[256];
	ssize_t n;

	do {
		if (*used + 1 < size)
			n = read(fd, buf + *used, size - 1 - *used);
		else
			n = read(fd, sink, sizeof(sink));
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	if (*used + 1 < size)
		*used += (size_t)n;
	buf[*used] = '\0';
	return true;
}

/* The child asks for a PIN: ask the user (pam-token.c), answer in one record. */
static bool answer_pin(struct pam_ect_call *c, struct pam_ect_job *job, int fd, unsigned char len)
{
	unsigned char ask[256];
	unsigned char reply[2 + 255];
	char label[256];
	char *pin = NULL;
	size_t pin_len = 0;
	bool ok;

	if (!len || !read_full(fd, ask, len))
		return false;
	memcpy(label, ask + 1, len - 1u);
	label[len - 1u] = '\0';
	if (pam_ect_token_ask_pin(c, job, label, ask[0], &pin) == 0 && strlen(pin) > 255) {
		ect_notice(c->ctx, "user %s: a PIN over 255 bytes was not passed on", c->user);
		ect_secure_free_str(pin); /* no token takes one; never cut one short */
		pin = NULL;
	}
	pin_len = pin ? strlen(pin) : 0;
	reply[0] = pin ? 1 : 0;
	reply[1] = (unsigned char)pin_len;
	memcpy(reply + 2, pin ? pin : "", pin_len);
	ok = send(fd, reply, 2 + pin_len, MSG_NOSIGNAL) == (ssize_t)(2 + pin_len);
	explicit_bzero(reply, sizeof(reply));
	ect_secure_free_str(pin);
	return ok;
}

/*
 * One report record from the child; false when the channel is done or
 * broken, or (!may_ask) at a PIN question: a child that ended reads no answer.
 */
static bool read_record(struct pam_ect_call *c, struct pam_ect_job *job, int fd, bool may_ask,
			bool *exec_seen, bool *exec_failed)
{
	unsigned char rec[2];

	if (!read_full(fd, rec, sizeof(rec)))
		return false;
	switch (rec[0]) {
	case REC_FLAGS:
		job->child_flags |= rec[1];
		if (rec[1] & (PAM_ECT_FLAG_PIN_WRONG | PAM_ECT_FLAG_PIN_LOCKED))
			job->pin_spent = true;
		return true;
	case REC_EXEC:
		*exec_seen = true;
		return true;
	case REC_EXEC_FAILED:
		*exec_failed = true;
		return true;
	case REC_KEY_ADDED:
		return read_key_added(fd, rec[1], &job->added);
	case REC_PIN_ASK:
		return may_ask && answer_pin(c, job, fd, rec[1]);
	default:
		return false;
	}
}

/* pidfd_open(2), by number: glibc before 2.36 has no wrapper. -1 when unavailable. */
static int child_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/*
 * Has the child (or the helper it became) ended? It stays waitable
 * (WNOWAIT) for the caller's waitpid. ECHILD: another thread of the
 * application reaped it (or SIGCHLD is ignored there again): ended too.
 */
static bool child_ended(pid_t pid)
{
	siginfo_t info = { 0 };

	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return info.si_pid == pid;
}

static bool readable_now(struct pollfd *p)
{
	int r;

	if (p->fd < 0)
		return false;
	do
		r = poll(p, 1, 0);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/*
 * The child ended: take what it and the helper left, never waiting for
 * more, and at most DRAIN_READS reads of each: a daemon the helper started
 * may hold the output pipe open and keep writing.
 */
#define DRAIN_READS 64
static void drain_child(struct pam_ect_call *c, struct pam_ect_job *job, struct pollfd p[2],
			size_t *used, bool *exec_seen, bool *exec_failed)
{
	for (int i = 0; i < DRAIN_READS && readable_now(&p[0]) &&
			read_output(p[0].fd, job->output, sizeof(job->output), used); i++)
		;
	/* the child wrote each record whole: readable means complete */
	for (int i = 0; i < DRAIN_READS && readable_now(&p[1]) &&
			read_record(c, job, p[1].fd, false, exec_seen, exec_failed); i++)
		;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Serve the child until it and any helper are done: the helper's words on
 * out_fd, the child's records (and PIN questions) on report_fd, for as long
 * as the child lives, however long it is silent: a login among dozens
 * spends minutes in the key derivation under load, and a record missed
 * (the helper's exec) would read the helper's exit status as the child's.
 * The caller waits for the child anyway. Its end is seen through a pidfd,
 * or, where pidfd_open is missing, looked for every CHILD_TICK_MS however
 * busy the pipes are. Once it ended, what is left is taken and the pipes
 * are let go, even if a daemon the helper started still holds the output.
 */
static void serve_child(struct pam_ect_call *c, struct pam_ect_job *job, pid_t pid, int out_fd,
			int report_fd, bool *exec_seen, bool *exec_failed)
{
	struct pollfd p[3] = { { .fd = out_fd, .events = POLLIN },
			       { .fd = report_fd, .events = POLLIN },
			       { .fd = child_pidfd(pid), .events = POLLIN } };
	long long next_look = now_ms() + CHILD_TICK_MS;
	size_t used = 0;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int r = poll(p, 3, p[2].fd >= 0 ? -1 : CHILD_TICK_MS);
		bool ended = false;

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && p[0].fd >= 0 && p[0].revents &&
		    !read_output(out_fd, job->output, sizeof(job->output), &used))
			p[0].fd = -1;
		if (r > 0 && p[1].fd >= 0 && p[1].revents &&
		    !read_record(c, job, report_fd, true, exec_seen, exec_failed)) {
			/* a child waiting for an answer must see the end, not wait forever */
			(void)shutdown(report_fd, SHUT_RDWR);
			p[1].fd = -1;
		}
		/* a readable pidfd: the process ended (reaped by now or not) */
		if (p[2].fd >= 0) {
			ended = r > 0 && p[2].revents;
		} else if (now_ms() >= next_look) {
			ended = child_ended(pid);
			next_look = now_ms() + CHILD_TICK_MS;
		}
		if (ended) {
			drain_child(c, job, p, &used, exec_seen, exec_failed);
			break;
		}
	}
	if (p[2].fd >= 0)
		close(p[2].fd);
}

int pam_ect_run_child(struct pam_ect_call *c, struct pam_ect_job *job)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int out_pipe[2] = { -1, -1 }, status_pipe[2] = { -1, -1 };
	bool exec_seen = false, exec_failed = false;
	int result = PAM_ECT_INTERNAL;
	int wstatus = 0;
	pid_t pid, w;

	job->helper_status = -1;
	job->output[0] = '\0';
	job->child_flags = 0;
	memset(&job->added, 0, sizeof(job->added));
	/* a socket pair, not a pipe: the parent answers PIN questions on it */
	if (pipe2(out_pipe, O_CLOEXEC) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, status_pipe)) {
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
	serve_child(c, job, pid, out_pipe[0], status_pipe[0], &exec_seen, &exec_failed);
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
