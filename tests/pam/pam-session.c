// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam-session: drive a real PAM stack like pamtester, but keep the handle
 * open while a command runs, as login or sshd keep it for the length of a
 * session. The VM scenarios, the demo and the login benchmark use it.
 *
 *   pam-session [-q] [-D] [-r] [-L] SERVICE USER OP... [-- COMMAND ARG...]
 *
 * OPs, run in order on one handle: auth, acct, setcred, open, close,
 * chauthtok, run (COMMAND, as the caller, with PAM_USER in the environment).
 * Prompts are answered with lines from standard input, read once at start
 * (so COMMAND gets a closed stdin). PAM text and errors are printed as
 * "pam-session: info: ..." and "pam-session: error: ...".
 * -q does not print prompts. -D hands the stack's failure delay (pam_faildelay,
 * pam_unix's 2 s) to a PAM_FAIL_DELAY callback that only reports it instead
 * of sleeping, so tests of refused logins do not wait seconds each. -r prints
 * the peak memory (max RSS) of this process and of its waited-for children
 * (the module's unwrap child, the mount helper) at the end: the benchmark's
 * memory column. -L does what sshd does at start: closes the inherited
 * descriptors above 2 and opens the syslog connection before pam_start
 * (openlog with LOG_NDELAY), so the socket takes fd 3, printed as "pam-session: syslog
 * socket on fd N"; a module's child must not mistake it for its own.
 * Prints each OP's result; exits with the first failing PAM code (or
 * COMMAND's status as 100 + status), 0 when everything succeeded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_ANSWERS 16

struct answers {
	char *line[MAX_ANSWERS];
	int count;
	int next;
	int quiet;
};

static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct answers *a = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if (!a->quiet)
				printf("pam-session: prompt: %s\n", msg[i]->msg);
			r[i].resp = strdup(a->next < a->count ? a->line[a->next++] : "");
			break;
		case PAM_ERROR_MSG:
			printf("pam-session: error: %s\n", msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			printf("pam-session: info: %s\n", msg[i]->msg);
			break;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

static int run_command(char **argv, const char *user)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 100 + 127;
	if (pid == 0) {
		setenv("PAM_USER", user, 1);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 100 + 127;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 100 + (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* PAM_FAIL_DELAY: report the delay the stack asked for instead of sleeping it. */
static void no_fail_delay(int status, unsigned int usec, void *data)
{
	(void)data;
	if (status != PAM_SUCCESS)
		printf("pam-session: fail delay %u ms not waited (-D)\n", usec / 1000);
}

/* Like sshd: only stdio inherited, then openlog now; say where the socket went. */
static int open_syslog_early(void)
{
	struct stat st;
	int lowest;

	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	lowest = dup(0);

	if (lowest < 0) {
		perror("pam-session: dup");
		return -1;
	}
	close(lowest);
	openlog("pam-session", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	if (fstat(lowest, &st) || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "pam-session: -L: no syslog socket on fd %d (is a syslog daemon running?)\n",
			lowest);
		return -1;
	}
	printf("pam-session: syslog socket on fd %d\n", lowest);
	fflush(stdout);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct answers a = { 0 };
	struct pam_conv conv = { converse, &a };
	pam_handle_t *pamh = NULL;
	char **cmd = NULL;
	char buf[1024];
	bool skip_delay = false, report_rss = false, early_syslog = false;
	int result = 0;
	int ret;

	while (argc > 1 && (!strcmp(argv[1], "-q") || !strcmp(argv[1], "-D") || !strcmp(argv[1], "-r") ||
			    !strcmp(argv[1], "-L"))) {
		if (argv[1][1] == 'q')
			a.quiet = 1;
		else if (argv[1][1] == 'D')
			skip_delay = true;
		else if (argv[1][1] == 'L')
			early_syslog = true;
		else
			report_rss = true;
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: pam-session [-q] [-D] [-r] [-L] SERVICE USER OP... [-- COMMAND ARG...]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			argv[i] = NULL;
			cmd = argv + i + 1;
			argc = i;
			break;
		}
	if (!isatty(0))
		while (a.count < MAX_ANSWERS && fgets(buf, sizeof(buf), stdin)) {
			buf[strcspn(buf, "\n")] = '\0';
			a.line[a.count++] = strdup(buf);
		}
	if (early_syslog && open_syslog_early())
		return 2;
	ret = pam_start(argv[1], argv[2], &conv, &pamh);
	if (ret != PAM_SUCCESS) {
		fprintf(stderr, "pam-session: pam_start: %s\n", pam_strerror(pamh, ret));
		return 2;
	}
	if (skip_delay) {
		void (*fn)(int, unsigned int, void *) = no_fail_delay;

		ret = pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)fn);
		if (ret != PAM_SUCCESS) {
			fprintf(stderr, "pam-session: PAM_FAIL_DELAY: %s\n", pam_strerror(pamh, ret));
			return 2;
		}
	}
	for (int i = 3; i < argc && result == 0; i++) {
		const char *op = argv[i];
		double t0 = now_ms();

		if (!strcmp(op, "auth"))
			ret = pam_authenticate(pamh, 0);
		else if (!strcmp(op, "acct"))
			ret = pam_acct_mgmt(pamh, 0);
		else if (!strcmp(op, "setcred"))
			ret = pam_setcred(pamh, PAM_ESTABLISH_CRED);
		else if (!strcmp(op, "open"))
			ret = pam_open_session(pamh, 0);
		else if (!strcmp(op, "close"))
			ret = pam_close_session(pamh, 0);
		else if (!strcmp(op, "chauthtok"))
			ret = pam_chauthtok(pamh, 0);
		else if (!strcmp(op, "run")) {
			if (!cmd || !cmd[0]) {
				fprintf(stderr, "pam-session: run needs -- COMMAND\n");
				result = 2;
				break;
			}
			result = run_command(cmd, argv[2]);
			printf("pam-session: run: %s\n", result ? "failed" : "ok");
			fflush(stdout);
			continue;
		} else {
			fprintf(stderr, "pam-session: unknown operation %s\n", op);
			result = 2;
			break;
		}
		printf("pam-session: %s: %d %s (%.1f ms)\n", op, ret, pam_strerror(pamh, ret), now_ms() - t0);
		fflush(stdout);
		if (ret != PAM_SUCCESS)
			result = ret;
	}
	pam_end(pamh, result ? PAM_ABORT : PAM_SUCCESS);
	if (report_rss) {
		struct rusage self, children;

		if (!getrusage(RUSAGE_SELF, &self) && !getrusage(RUSAGE_CHILDREN, &children))
			printf("pam-session: maxrss: self %ld KiB, children %ld KiB\n", self.ru_maxrss,
			       children.ru_maxrss);
	}
	for (int i = 0; i < a.count; i++) {
		explicit_bzero(a.line[i], strlen(a.line[i]));
		free(a.line[i]);
	}
	return result;
}
