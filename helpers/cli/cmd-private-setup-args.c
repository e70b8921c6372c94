// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private: the command line (options, usage, the undo text).
 */
#include "cmd-private-setup.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char setup_usage[] =
	"Usage: ecryptfs-setup-private [-f] [-w] [-n] [-u USER] [-l LOGINPASS] [-m MOUNTPASS]\n"
	"                              [-b] [--fuse] [--noautomount] [--noautoumount] [--nopwcheck]\n"
	"                              [--wrap-format v2|v3] [--kdf-target-ms N | --kdf-floor]\n"
	"                              [--password-file SRC]\n"
	"                              [--passphrase-file SRC] [--undo]\n"
	"\n"
	"Set up an encrypted private directory (~/.Private mounted on ~/Private).\n"
	"\n"
	"Options:\n"
	"  -f, --force            replace an existing setup (the old files are kept as backups)\n"
	"  -w, --wrapping         wrap with a passphrase other than the login password\n"
	"  -n, --no-fnek          do not encrypt file names\n"
	"  -u, --username USER    set up USER (root only)\n"
	"  -l, --loginpass PASS   the login (wrapping) passphrase; visible to other users!\n"
	"  -m, --mountpass PASS   the mount passphrase (default: random); visible to other users!\n"
	"  -b, --bootstrap        whole encrypted home under /home/.ecryptfs/USER (root only)\n"
	"  --fuse                 mount through ecryptfs-fuse even when the kernel has eCryptfs\n"
	"  --noautomount          do not mount at login\n"
	"  --noautoumount         do not unmount at logout\n"
	"  --nopwcheck            do not check the login password with PAM\n"
	"  --wrap-format v2|v3    wrapped-passphrase format (default v3; v2 for ecryptfs-utils)\n"
	"  --kdf-target-ms N      v3 unlock cost in milliseconds\n"
	"  --kdf-floor            v3 at the cheapest cost (tests only: weak against guessing)\n"
	"  --password-file SRC    read the login/wrapping passphrase from SRC (file, - or fd:N)\n"
	"  --passphrase-file SRC  read the mount passphrase from SRC (file, - or fd:N)\n"
	"  --undo                 print how to undo a setup\n"
	"  -h, --help             show this help\n";

static int take_value(struct ect_ctx *ctx, int argc, char **argv, int *i, const char *arg,
		      const char *name, char **out)
{
	size_t n = strlen(name);

	if (!strncmp(arg, name, n) && arg[n] == '=') {
		*out = (char *)arg + n + 1;
		return 1;
	}
	if (strcmp(arg, name))
		return 0;
	if (*i + 1 >= argc) {
		ect_err(ctx, "option %s needs a value", name);
		return -1;
	}
	*out = argv[++*i];
	return 1;
}

int setup_parse(struct ect_ctx *ctx, struct setup *s, int argc, char **argv)
{
	static const struct {
		const char *s, *l;
		size_t off;
	} flags[] = {
		{ "-f", "--force", offsetof(struct setup, force) },
		{ "-w", "--wrapping", offsetof(struct setup, wrapping) },
		{ "-n", "--no-fnek", offsetof(struct setup, no_fnek) },
		{ "-b", "--bootstrap", offsetof(struct setup, bootstrap) },
		{ NULL, "--noautomount", offsetof(struct setup, noautomount) },
		{ NULL, "--noautoumount", offsetof(struct setup, noautoumount) },
		{ NULL, "--undo", offsetof(struct setup, undo) },
		{ NULL, "--nopwcheck", offsetof(struct setup, nopwcheck) },
		{ NULL, "--kdf-floor", offsetof(struct setup, kdf_floor) },
		{ NULL, "--fuse", offsetof(struct setup, fuse) },
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *v = NULL;
		bool done = false;
		int r;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			if ((flags[k].s && !strcmp(a, flags[k].s)) || !strcmp(a, flags[k].l)) {
				*(int *)((char *)s + flags[k].off) = 1;
				done = true;
			}
		}
		if (done)
			continue;
#define VALUE(sname, lname, dest)                                                    \
	if ((r = take_value(ctx, argc, argv, &i, a, lname, &v)) ||                   \
	    (sname && (r = take_value(ctx, argc, argv, &i, a, sname, &v)))) {         \
		if (r < 0)                                                           \
			return -1;                                                   \
		dest;                                                                \
		continue;                                                            \
	}
		VALUE("-u", "--username", s->user = v)
		VALUE("-l", "--loginpass", s->loginpass_arg = v)
		VALUE("-m", "--mountpass", s->mountpass_arg = v)
		VALUE((const char *)NULL, "--wrap-format", s->wopts.format = v)
		VALUE((const char *)NULL, "--kdf-target-ms", s->wopts.target_ms = v)
		VALUE((const char *)NULL, "--password-file", s->pwfile = v)
		VALUE((const char *)NULL, "--passphrase-file", s->ppfile = v)
#undef VALUE
		ect_err(ctx, "unknown option or argument '%s'", a);
		return -1;
	}
	s->wopts.kdf_floor = s->kdf_floor;
	return 0;
}

void setup_print_undo(void)
{
	printf("To undo an ecryptfs-setup-private (this destroys the encrypted data):\n"
	       "  1. Copy out what you want to keep from ~/Private while it is mounted.\n"
	       "  2. ecryptfs-umount-private\n"
	       "  3. chmod 700 ~/Private && rmdir ~/Private\n"
	       "  4. rm -rf ~/.Private ~/.ecryptfs\n"
	       "With an encrypted home (-b), see ecryptfs-setup-private(1).\n");
}
