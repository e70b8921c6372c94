// SPDX-License-Identifier: GPL-2.0-or-later
/* Dispatcher of the ecryptfs multi-call program. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd *const families[] = {
	cmds_keys,
	cmds_private,
	cmds_recover,
	cmds_verify,
	cmds_migrate,
	cmds_swap,
	cmds_token,
	cmds_alias,
};

static const struct cli_cmd *find_cmd(const char *name, int by_compat)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (const struct cli_cmd *c = families[f]; c->name; c++) {
			const char *n = by_compat ? c->compat_name : c->name;

			if (n && !strcmp(n, name))
				return c;
		}
	}
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: ecryptfs COMMAND [ARGS...]\n\nCommands:\n");
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (const struct cli_cmd *c = families[f]; c->name; c++)
			fprintf(out, "  %-34s %s\n", c->name, c->summary);
	fprintf(out, "\nEach command is also installed under its ecryptfs-utils name "
		     "(ecryptfs-COMMAND).\nSee ecryptfs(1).\n");
}

static void list_compat_names(void)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (const struct cli_cmd *c = families[f]; c->name; c++)
			if (c->compat_name)
				printf("%s\n", c->compat_name);
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 && argv[0] ? argv[0] : "ecryptfs";
	const char *base = strrchr(self, '/');
	const struct cli_cmd *cmd;
	struct ect_ctx *ctx = NULL;
	int ret;

	base = base ? base + 1 : self;
	/* libtool's uninstalled wrapper runs the binary as lt-NAME */
	if (!strncmp(base, "lt-", 3))
		base += 3;
	cmd = find_cmd(base, 1);
	if (!cmd) {
		if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			usage(argc < 2 ? stderr : stdout);
			return argc < 2 ? ECT_EXIT_USAGE : ECT_EXIT_OK;
		}
		if (!strcmp(argv[1], "--version")) {
			printf("ecryptfs-tools %s\n", PACKAGE_VERSION);
			return ECT_EXIT_OK;
		}
		if (!strcmp(argv[1], "--list-compat-names")) {
			list_compat_names();
			return ECT_EXIT_OK;
		}
		cmd = find_cmd(argv[1], 0);
		if (!cmd) {
			fprintf(stderr, "ecryptfs: unknown command '%s' (see ecryptfs --help)\n", argv[1]);
			return ECT_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	/* Secrets pass through this process: keep them out of core dumps. */
	ect_harden_process();
	if (ect_ctx_new(&ctx, cmd->compat_name ? cmd->compat_name : cmd->name, ECT_LOG_STDERR)) {
		fprintf(stderr, "%s: out of memory\n", base);
		return ECT_EXIT_FAILURE;
	}
	ect_ctx_debug_from_env(ctx);
	ret = cmd->run(ctx, argc, argv);
	ect_ctx_free(ctx);
	return ret;
}
