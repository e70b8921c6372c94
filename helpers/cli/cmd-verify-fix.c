// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-verify-private's fix commands: the library reports what fixes a
 * finding as data (struct ect_fix); this file spells it out for a POSIX
 * shell. Every path is quoted whole, never cut short: a shortened path
 * names another file.
 */
#include "cmd-verify.h"
#include "cli-util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_control(const char *s)
{
	for (; s && *s; s++)
		if (iscntrl((unsigned char)*s))
			return 1;
	return 0;
}

/* s in single quotes, whole (cli_shell_quote with room for every byte); -1 without memory. */
static int put_quoted(FILE *out, const char *s)
{
	size_t size = 4 * strlen(s) + 8;
	char *q = malloc(size);

	if (!q)
		return -1;
	fputs(cli_shell_quote(s, q, size), out);
	free(q);
	return 0;
}

/* A user name as-is when it is plain (the usual case), else quoted. */
static int put_user(FILE *out, const char *user)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-";
	const char *u = user ? user : "";

	if (*u && strspn(u, plain) == strlen(u))
		return fputs(u, out) < 0 ? -1 : 0;
	return put_quoted(out, u);
}

/* chmod's symbolic clear of the bits in mode, e.g. 022 "go-w", 005 "o-rx". */
static void put_mode_drop(FILE *out, unsigned int mode)
{
	static const char classes[] = "ugo", perms[] = "rwx";

	for (int c = 0; c < 3; c++)
		if (mode & (07u << (3 * (2 - c))))
			fputc(classes[c], out);
	fputc('-', out);
	for (int p = 0; p < 3; p++)
		if (mode & (0111u * (4u >> p)))
			fputc(perms[p], out);
}

/* fmt with %p (path), %P (path2), %u (user), %o (mode), %d (mode to clear), %% */
static int put_command(FILE *out, const struct ect_fix *fix, const char *fmt)
{
	int ret = 0;

	for (; *fmt && !ret; fmt++) {
		if (*fmt != '%') {
			fputc(*fmt, out);
			continue;
		}
		switch (*++fmt) {
		case 'p':
			ret = put_quoted(out, fix->path ? fix->path : "");
			break;
		case 'P':
			ret = put_quoted(out, fix->path2 ? fix->path2 : "");
			break;
		case 'u':
			ret = put_user(out, fix->user);
			break;
		case 'o':
			fprintf(out, "%o", fix->mode);
			break;
		case 'd':
			put_mode_drop(out, fix->mode);
			break;
		default:
			fputc('%', out);
			break;
		}
	}
	return ret;
}

static const char *command_format(enum ect_fix_kind kind)
{
	switch (kind) {
	case ECT_FIX_NONE:
		return "";
	case ECT_FIX_CHOWN:
		return "chown %u: %p";
	case ECT_FIX_CHMOD:
		return "chmod %o %p";
	case ECT_FIX_CHMOD_DROP:
		return "chmod %d %p";
	case ECT_FIX_MKDIR:
		return "install -d -m %o -o %u %p";
	case ECT_FIX_TOUCH:
		return "touch %p";
	case ECT_FIX_SYMLINK:
		return "ln -sfn %P %p && chown -h %u: %p";
	case ECT_FIX_WRITE_MNT:
		return "echo %P > %p && chown %u: %p";
	case ECT_FIX_WRAP:
		return "ecryptfs-wrap-passphrase %p";
	case ECT_FIX_REWRAP:
		return "ecryptfs-rewrap-passphrase %p";
	case ECT_FIX_WRAP_BOOTSTRAP:
		/* the clear copy is the only one: wrap it, never remove it first */
		return "passwd %u  # pam_ecryptfs wraps it, then removes it; by hand: "
		       "ecryptfs-wrap-passphrase --passphrase-file %p %P && chown %u: %P";
	case ECT_FIX_SETUP_PRIVATE:
		return "ecryptfs-setup-private";
	case ECT_FIX_SETUP_PRIVATE_FORCE:
		return "ecryptfs-setup-private --force";
	case ECT_FIX_MOVE_UNDERNEATH:
		return "mkdir -p /run/bare && mount --bind \"$(dirname %p)\" /run/bare  # then move "
		       "them into the mounted home and umount /run/bare";
	case ECT_FIX_SSH_KEYS_OUTSIDE:
		return "install -d -m 755 /etc/ssh/authorized_keys && install -m 644 %p "
		       "/etc/ssh/authorized_keys/%u  # and in sshd_config: AuthorizedKeysFile "
		       "/etc/ssh/authorized_keys/%%u";
	case ECT_FIX_MOVE_PLAINTEXT:
		return "ecryptfs-mount-private; mv -i %p %P/";
	case ECT_FIX_INSPECT_HEADER:
		return "ecryptfs-stat %p";
	case ECT_FIX_SETUP_SWAP:
		return "ecryptfs-setup-swap";
	case ECT_FIX_REMOVE:
		return "rm %p";
	case ECT_FIX_LOAD_MODULE:
		return "modprobe ecryptfs";
	}
	return "";
}

char *verify_fix_command(const struct ect_fix *fix, int *unprintable)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	*unprintable = fix->kind != ECT_FIX_NONE &&
		       (has_control(fix->path) || has_control(fix->path2) || has_control(fix->user));
	if (*unprintable)
		return strdup("");
	out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	if (put_command(out, fix, command_format(fix->kind)) | ferror(out) | fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}
