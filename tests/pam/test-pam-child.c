// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_ect_run_child (pam/pam-child.c), the module's fork-and-serve, with
 * stand-in jobs: the parent must hear the child out however long it is
 * silent, and let go once it ended even if a daemon keeps its output pipe.
 *
 * Found by the VM load scenarios: with 20 users logging in at once the
 * child spent over two minutes in the key derivation without a word, the
 * parent stopped listening after 120 s, missed the record of the helper's
 * exec and took the helper's exit status 0 for the child's (an "internal
 * error"): the login failed though the helper had mounted and counted it,
 * so the logout never unmounted. Linked with the module's sources; runs
 * as root (the child becomes "nobody"), skips otherwise.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pam-internal.h"

/* The call and passwd entry of "nobody", whom the child becomes. */
static int setup(void **state)
{
	struct pam_ect_call *c = calloc(1, sizeof(*c));
	struct passwd *pw = getpwnam("nobody");

	if (!c || !pw || ect_ctx_new(&c->ctx, "test-pam-child", ECT_LOG_STDERR))
		return -1;
	c->pw = *pw;
	c->user = "nobody";
	c->cfg_fd = -1;
	*state = c;
	return 0;
}

/* A daemon a test's helper left behind, killed whatever the test's outcome. */
static pid_t daemon_left;

static int teardown(void **state)
{
	struct pam_ect_call *c = *state;

	if (daemon_left > 1)
		kill(daemon_left, SIGKILL);
	daemon_left = 0;

	ect_ctx_free(c->ctx);
	free(c);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static void exec_sh(struct pam_ect_job *job, const char *script)
{
	snprintf(job->exec_path, sizeof(job->exec_path), "/bin/sh");
	job->exec_argv[0] = "sh";
	job->exec_argv[1] = "-c";
	job->exec_argv[2] = script;
	job->exec_argv[3] = NULL;
}

/* Silent for 3 s (the old parent, its 120 s limit cut to 1 s, failed here), then a helper. */
#define SILENT_MS 3000

static int job_silent_then_helper(struct pam_ect_job *job)
{
	sleep_ms(SILENT_MS);
	exec_sh(job, "echo helper said this; exit 7");
	return PAM_ECT_OK;
}

static void silent_child_is_heard_out(void **state)
{
	struct pam_ect_call *c = *state;
	struct pam_ect_job job;

	pam_ect_job_init(c, &job, job_silent_then_helper);
	/* the helper's status, not taken for the child's own result */
	assert_int_equal(pam_ect_run_child(c, &job), PAM_ECT_HELPER);
	assert_int_equal(job.helper_status, 7);
	assert_non_null(strstr(job.output, "helper said this"));
}

/* The helper leaves a daemon on its stdout (as a FUSE mount's could) and exits. */
static int job_helper_leaves_daemon(struct pam_ect_job *job)
{
	exec_sh(job, "sleep 300 & echo daemon $!; exit 0");
	return PAM_ECT_OK;
}

static void daemon_on_the_output_does_not_hold_the_login(void **state)
{
	struct pam_ect_call *c = *state;
	struct pam_ect_job job;
	const char *at;
	long daemon;

	pam_ect_job_init(c, &job, job_helper_leaves_daemon);
	assert_int_equal(pam_ect_run_child(c, &job), PAM_ECT_HELPER);
	assert_int_equal(job.helper_status, 0);
	at = strstr(job.output, "daemon ");
	assert_non_null(at);
	daemon = strtol(at + 7, NULL, 10);
	assert_true(daemon > 1);
	daemon_left = (pid_t)daemon;
	/* back while the daemon still holds the pipe: nobody waited for it */
	assert_int_equal(kill((pid_t)daemon, 0), 0);
}

/* The helper leaves a daemon on its stdout and ends a second later. */
static int job_helper_leaves_daemon_slowly(struct pam_ect_job *job)
{
	exec_sh(job, "sleep 300 & echo daemon $!; sleep 1; exit 0");
	return PAM_ECT_OK;
}

/* Another thread of the application sets SIGCHLD to SIG_IGN: children are reaped at exit. */
static void *ignore_sigchld_soon(void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	(void)arg;
	sleep_ms(300);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGCHLD, &ign, NULL);
	return NULL;
}

/*
 * The child is reaped by the kernel (another thread ignored SIGCHLD after
 * the fork) while a daemon holds the output pipe: the parent must still see
 * the end, not spin or wait for the daemon (review finding P1: the first
 * version looped at full CPU here, waitid saying ECHILD for ever).
 */
static void child_reaped_elsewhere_ends_the_wait(void **state)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct pam_ect_call *c = *state;
	struct pam_ect_job job;
	pthread_t other;
	const char *at;

	pam_ect_job_init(c, &job, job_helper_leaves_daemon_slowly);
	assert_int_equal(pthread_create(&other, NULL, ignore_sigchld_soon, NULL), 0);
	/* the status is lost (waitpid: ECHILD): whatever it makes of that, it returns */
	assert_int_equal(pam_ect_run_child(c, &job), PAM_ECT_INTERNAL);
	assert_int_equal(pthread_join(other, NULL), 0);
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, NULL);
	at = strstr(job.output, "daemon ");
	assert_non_null(at);
	daemon_left = (pid_t)strtol(at + 7, NULL, 10);
}

/* A child that ends without a helper: its own status, as before. */
static int job_fails(struct pam_ect_job *job)
{
	(void)job;
	return PAM_ECT_CORRUPT;
}

static void child_status_without_helper(void **state)
{
	struct pam_ect_call *c = *state;
	struct pam_ect_job job;

	pam_ect_job_init(c, &job, job_fails);
	assert_int_equal(pam_ect_run_child(c, &job), PAM_ECT_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(silent_child_is_heard_out, setup, teardown),
		cmocka_unit_test_setup_teardown(daemon_on_the_output_does_not_hold_the_login, setup,
						teardown),
		cmocka_unit_test_setup_teardown(child_status_without_helper, setup, teardown),
		cmocka_unit_test_setup_teardown(child_reaped_elsewhere_ends_the_wait, setup,
						teardown),
	};
	if (geteuid() != 0) {
		printf("1..0 # SKIP the child becomes another user: run as root\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	/* a parent that never lets go fails the test instead of hanging make check */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
