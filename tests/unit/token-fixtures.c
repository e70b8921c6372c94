// SPDX-License-Identifier: GPL-2.0-or-later
#include "token-fixtures.h"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (!access(buf, X_OK))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

bool token_fixture_available(void)
{
	return !access(TOKEN_MODULE, R_OK) && in_path("softhsm2-util");
}

int token_fixture_run(const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int keypair(const char *type, const char *id, const char *label)
{
	const char *argv[] = { "pkcs11-tool", "--module", TOKEN_MODULE, "--token-label",
			       TOKEN_LABEL, "--login", "--pin", TOKEN_PIN, "--keypairgen",
			       "--key-type", type, "--id", id, "--label", label, NULL };

	return token_fixture_run(argv);
}

int token_fixture_make(struct token_fixture *f)
{
	const char *init[] = { "softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
			       "--so-pin", "87654321", "--pin", TOKEN_PIN, NULL };
	FILE *conf;

	snprintf(f->dir, sizeof(f->dir), "/tmp/ect-token-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->tokens, sizeof(f->tokens), "%s/tokens", f->dir);
	snprintf(f->conf, sizeof(f->conf), "%s/softhsm2.conf", f->dir);
	if (mkdir(f->tokens, 0700) || !(conf = fopen(f->conf, "w")))
		return -1;
	fprintf(conf, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n",
		f->tokens);
	if (fclose(conf) || setenv("SOFTHSM2_CONF", f->conf, 1))
		return -1;
	if (token_fixture_run(init)) {
		fprintf(stderr, "softhsm2-util --init-token failed\n");
		return -1;
	}
	if (!in_path("pkcs11-tool")) {
		fprintf(stderr, "pkcs11-tool not found (Debian: opensc)\n");
		return -1;
	}
	if (keypair("rsa:2048", "01", "ect-rsa") || keypair("EC:prime256v1", "02", "ect-ec") ||
	    keypair("EC:secp384r1", "03", "ect-ec384") || keypair("EC:secp521r1", "04", "ect-ec521")) {
		fprintf(stderr, "pkcs11-tool --keypairgen failed\n");
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void token_fixture_remove(struct token_fixture *f)
{
	if (f->dir[0])
		(void)nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
