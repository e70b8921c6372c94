// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-verify-private's fix commands (helpers/cli/cmd-verify-fix.c,
 * compiled in): the spelling of each kind, and hostile names (quotes,
 * spaces, $(...), paths longer than the old 320-byte command buffer) run
 * through a real /bin/sh act on exactly the named file; names with a
 * control character get no command at all. The quoting itself
 * (cli_shell_quote, helpers/cli/cli-util.c, compiled in too): what a shell
 * reads back, and where it is cut short.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli-util.h"
#include "cmd-verify.h"

static void expect_command(enum ect_fix_kind kind, unsigned int mode, const char *user,
			   const char *path, const char *path2, const char *want)
{
	struct ect_fix fix = {
		.kind = kind, .mode = mode, .user = (char *)user, .path = (char *)path,
		.path2 = (char *)path2,
	};
	int unprintable = -1;
	char *got = verify_fix_command(&fix, &unprintable);

	assert_non_null(got);
	assert_int_equal(unprintable, 0);
	assert_string_equal(got, want);
	free(got);
}

/* The commands ecryptfs-verify-private has always printed, byte for byte. */
static void test_fix_spelling(void **state)
{
	(void)state;
	expect_command(ECT_FIX_NONE, 0, NULL, NULL, NULL, "");
	expect_command(ECT_FIX_CHOWN, 0, "ann", "/h/ann/.ecryptfs", NULL,
		       "chown ann: '/h/ann/.ecryptfs'");
	expect_command(ECT_FIX_CHMOD, 0700, NULL, "/h/a", NULL, "chmod 700 '/h/a'");
	expect_command(ECT_FIX_CHMOD, 0600, NULL, "/h/a", NULL, "chmod 600 '/h/a'");
	expect_command(ECT_FIX_CHMOD_DROP, 022, NULL, "/h/a", NULL, "chmod go-w '/h/a'");
	expect_command(ECT_FIX_CHMOD_DROP, 005, NULL, "/h/a", NULL, "chmod o-rx '/h/a'");
	expect_command(ECT_FIX_MKDIR, 0700, "ann", "/h/a/Private", NULL,
		       "install -d -m 700 -o ann '/h/a/Private'");
	expect_command(ECT_FIX_TOUCH, 0, NULL, "/h/a/.ecryptfs/auto-mount", NULL,
		       "touch '/h/a/.ecryptfs/auto-mount'");
	expect_command(ECT_FIX_SYMLINK, 0, "ann", "/h/a/.Private", "/h/.ecryptfs/ann/.Private",
		       "ln -sfn '/h/.ecryptfs/ann/.Private' '/h/a/.Private' && chown -h ann: "
		       "'/h/a/.Private'");
	expect_command(ECT_FIX_WRITE_MNT, 0, "ann", "/e/ann/.ecryptfs/Private.mnt", "/h/ann",
		       "echo '/h/ann' > '/e/ann/.ecryptfs/Private.mnt' && chown ann: "
		       "'/e/ann/.ecryptfs/Private.mnt'");
	expect_command(ECT_FIX_WRAP, 0, NULL, "/h/w", NULL, "ecryptfs-wrap-passphrase '/h/w'");
	expect_command(ECT_FIX_REWRAP, 0, NULL, "/h/w", NULL, "ecryptfs-rewrap-passphrase '/h/w'");
	expect_command(ECT_FIX_WRAP_BOOTSTRAP, 0, "ann", "/dev/shm/.ecryptfs-ann", "/h/w",
		       "passwd ann  # pam_ecryptfs wraps it, then removes it; by hand: "
		       "ecryptfs-wrap-passphrase --passphrase-file '/dev/shm/.ecryptfs-ann' '/h/w' "
		       "&& chown ann: '/h/w'");
	expect_command(ECT_FIX_SETUP_PRIVATE, 0, NULL, NULL, NULL, "ecryptfs-setup-private");
	expect_command(ECT_FIX_SETUP_PRIVATE_FORCE, 0, NULL, NULL, NULL,
		       "ecryptfs-setup-private --force");
	expect_command(ECT_FIX_MOVE_UNDERNEATH, 0, NULL, "/h/ann", NULL,
		       "mkdir -p /run/bare && mount --bind \"$(dirname '/h/ann')\" /run/bare  # "
		       "then move them into the mounted home and umount /run/bare");
	expect_command(ECT_FIX_SSH_KEYS_OUTSIDE, 0, "ann", "/h/ann/.ssh/authorized_keys", NULL,
		       "install -d -m 755 /etc/ssh/authorized_keys && install -m 644 "
		       "'/h/ann/.ssh/authorized_keys' /etc/ssh/authorized_keys/ann  # and in "
		       "sshd_config: AuthorizedKeysFile /etc/ssh/authorized_keys/%u");
	expect_command(ECT_FIX_MOVE_PLAINTEXT, 0, NULL, "/h/a/.Private/x", "/h/a/Private",
		       "ecryptfs-mount-private; mv -i '/h/a/.Private/x' '/h/a/Private'/");
	expect_command(ECT_FIX_INSPECT_HEADER, 0, NULL, "/h/a/.Private/x", NULL,
		       "ecryptfs-stat '/h/a/.Private/x'");
	expect_command(ECT_FIX_SETUP_SWAP, 0, NULL, NULL, NULL, "ecryptfs-setup-swap");
	expect_command(ECT_FIX_REMOVE, 0, NULL, "/h/a/.ecryptfs/Private.fuse", NULL,
		       "rm '/h/a/.ecryptfs/Private.fuse'");
	expect_command(ECT_FIX_LOAD_MODULE, 0, NULL, NULL, NULL, "modprobe ecryptfs");
	/* a user name a shell would read differently is quoted */
	expect_command(ECT_FIX_CHOWN, 0, "a b", "/h", NULL, "chown 'a b': '/h'");
}

/* What /bin/sh makes of printf %s QUOTED: the word it reads back. */
static void expect_sh_reads(const char *quoted, const char *want)
{
	char command[512], got[256];
	size_t n;
	FILE *p;

	snprintf(command, sizeof(command), "printf %%s %s", quoted);
	p = popen(command, "r");
	assert_non_null(p);
	n = fread(got, 1, sizeof(got) - 1, p);
	got[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(got, want);
}

static void test_shell_quote(void **state)
{
	static const char hostile[] = "it's \"$(touch x)\" `id` \\ ''";
	char q[4 * sizeof(hostile) + 3];

	(void)state;
	assert_string_equal(cli_shell_quote("/h/a b", q, sizeof(q)), "'/h/a b'");
	assert_string_equal(cli_shell_quote("it's", q, sizeof(q)), "'it'\\''s'");
	assert_string_equal(cli_shell_quote("", q, sizeof(q)), "''");
	cli_shell_quote(hostile, q, sizeof(q));
	expect_sh_reads(q, hostile);
	/* 4 * strlen + 3 bytes hold the worst case, all quotes, whole */
	assert_string_equal(cli_shell_quote("''", q, 4 * 2 + 3), "''\\'''\\'''");
	expect_sh_reads(q, "''");
	/* too small: cut short, still one quoted word, never a dangling quote */
	assert_string_equal(cli_shell_quote("abcdef", q, 7), "'a'");
	assert_string_equal(cli_shell_quote("''", q, 4 * 2 + 2), "''\\'''");
	expect_sh_reads(q, "'");
	assert_string_equal(cli_shell_quote("abc", q, 3), "''");
	assert_string_equal(cli_shell_quote("abc", q, 2), "");
}

static void run_sh(const char *command)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A file under a hostile directory name, deeper than 320 bytes: the printed
 * chmod, run by a real shell, changes that file and runs nothing else.
 */
static void test_fix_hostile_path_runs(void **state)
{
	char root[] = "/tmp/ect-fix.XXXXXX", path[PATH_MAX], pwned[PATH_MAX];
	struct ect_fix fix = { .kind = ECT_FIX_CHMOD, .mode = 0600 };
	char long_name[251];
	struct stat st;
	int unprintable;
	char *command;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	snprintf(pwned, sizeof(pwned), "%s/pwned", root);
	snprintf(path, sizeof(path), "%s/it's a \"home\" $(touch pwned) `touch pwned` \\", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", long_name);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/wrapped 'passphrase'");
	assert_true(strlen(path) > 320);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);

	fix.path = path;
	command = verify_fix_command(&fix, &unprintable);
	assert_non_null(command);
	assert_int_equal(unprintable, 0);
	assert_int_equal(chdir(root), 0);
	run_sh(command);
	free(command);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(access(pwned, F_OK), -1);

	/* cleanup: the two directories and the file */
	assert_int_equal(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(rmdir(root), 0);
}

/* A newline in a name cannot be printed on one line safely: no command, and it says so. */
static void test_fix_control_character(void **state)
{
	struct ect_fix fix = { .kind = ECT_FIX_INSPECT_HEADER, .path = (char *)"/h/a\nb" };
	int unprintable = 0;
	char *command;

	(void)state;
	command = verify_fix_command(&fix, &unprintable);
	assert_non_null(command);
	assert_int_equal(unprintable, 1);
	assert_string_equal(command, "");
	free(command);
	fix.kind = ECT_FIX_SYMLINK;
	fix.path = (char *)"/h/a";
	fix.path2 = (char *)"/h/\033[2Jb";
	fix.user = (char *)"ann";
	command = verify_fix_command(&fix, &unprintable);
	assert_non_null(command);
	assert_int_equal(unprintable, 1);
	free(command);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_spelling),
		cmocka_unit_test(test_fix_hostile_path_runs),
		cmocka_unit_test(test_fix_control_character),
		cmocka_unit_test(test_shell_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
