// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-find: map plaintext names to lower (encrypted) names and back.
 *
 * Without keys (ecryptfs-utils 111 behaviour): PATH lies on a mounted
 * eCryptfs or in its lower directory; the other side has the same inode
 * numbers, so each path component is matched by inode in one directory
 * (111 ran find(1) over whole mounts for that).
 *
 * With the mount passphrase (or the login password and the wrapped
 * passphrase): names are translated by the userspace codec, no mount needed.
 */
#include "cmd-recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char find_usage[] =
	"Usage: ecryptfs-find PATH\n"
	"       ecryptfs-find [--passphrase-file SRC | --password-file SRC\n"
	"                     [--wrapped-passphrase FILE]] [--fn-key-bytes N] NAME...\n"
	"PATH on a mounted eCryptfs (or in its lower directory): print the other side's\n"
	"path, matched by inode. With keys: encrypt plaintext names, decrypt names that\n"
	"start with ECRYPTFS_FNEK_ENCRYPTED.; a NAME with '/' is mapped per component.\n"
	"SRC is a file, '-' (standard input) or fd:N. Without a source, the mount\n"
	"passphrase is asked for.\n";

/* The entry of dir whose inode number is ino; its name into out. */
static int name_by_inode(const char *dir, ino_t ino, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* d_ino is the lower inode on both sides; confirm with lstat */
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) || st.st_ino != ino)
			continue;
		if ((size_t)snprintf(out, size, "%s", e->d_name) >= size)
			ret = -ENAMETOOLONG;
		else
			ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/* Longest mount (as lower source or upper point) that contains abs. */
static int find_mount(const char *abs, struct ect_mount_entry *m, int *from_upper)
{
	char prefix[PATH_MAX];

	snprintf(prefix, sizeof(prefix), "%s", abs);
	for (;;) {
		int ret = ect_mountinfo_find_ecryptfs(NULL, NULL, prefix, m);

		if (ret < 0)
			return ret;
		if (ret) {
			*from_upper = 1;
			return 0;
		}
		ret = ect_mountinfo_find_ecryptfs(NULL, prefix, NULL, m);
		if (ret < 0)
			return ret;
		if (ret) {
			*from_upper = 0;
			return 0;
		}
		char *slash = strrchr(prefix, '/');

		if (!slash || slash == prefix)
			return -ENOENT;
		*slash = '\0';
	}
}

static int find_by_inode(struct ect_ctx *ctx, const char *arg)
{
	char abs[PATH_MAX], from[PATH_MAX], to[PATH_MAX], name[NAME_MAX + 1];
	struct ect_mount_entry *m = malloc(sizeof(*m));
	int from_upper, ret = ECT_EXIT_FAILURE;
	const char *rel;
	char *save = NULL, *c;

	if (!m)
		return ECT_EXIT_FAILURE;
	if (!realpath(arg, abs)) {
		/* 111's message */
		fprintf(stderr, "ERROR: [%s] not found\n", arg);
		goto out;
	}
	if (find_mount(abs, m, &from_upper)) {
		ect_err(ctx, "%s is not on a mounted eCryptfs nor in the lower directory of one "
			     "(give keys to translate names without a mount: see --help)", arg);
		goto out;
	}
	snprintf(from, sizeof(from), "%s", from_upper ? m->point : m->source);
	snprintf(to, sizeof(to), "%s", from_upper ? m->source : m->point);
	rel = abs + strlen(from);
	{
		char *relcopy = strdup(rel);

		if (!relcopy)
			goto out;
		for (c = strtok_r(relcopy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
			struct stat st;
			size_t flen = strlen(from), tlen = strlen(to);

			if (flen + strlen(c) + 2 > sizeof(from)) {
				ret = ECT_EXIT_FAILURE;
				break;
			}
			snprintf(from + flen, sizeof(from) - flen, "/%s", c);
			if (lstat(from, &st)) {
				ect_err(ctx, "%s: %s", from, strerror(errno));
				break;
			}
			ret = name_by_inode(to, st.st_ino, name, sizeof(name));
			if (ret) {
				ect_err(ctx, "no entry of %s has the inode of %s", to, from);
				ret = ECT_EXIT_FAILURE;
				break;
			}
			if (tlen + strlen(name) + 2 > sizeof(to)) {
				ret = ECT_EXIT_FAILURE;
				break;
			}
			snprintf(to + tlen, sizeof(to) - tlen, "/%s", name);
		}
		if (!c) {
			printf("%s\n", to);
			ret = ECT_EXIT_OK;
		}
		free(relcopy);
	}
out:
	free(m);
	return ret;
}

/* ---- with keys --------------------------------------------------------- */

static unsigned int key_bytes_of(const char *names[], int n)
{
	for (int i = 0; i < n; i++) {
		const char *p = strstr(names[i], ECT_FNEK_PREFIX);
		char sig[ECT_SIG_HEX_SIZE + 1];
		uint8_t code;

		if (!p)
			continue;
		if (!ect_fname_peek(p, strcspn(p, "/"), sig, &code)) {
			struct ect_cipher_info ci;

			if (!ect_cipher_by_code(code, 0, &ci))
				return ci.key_bytes;
		}
	}
	return 16;
}

static int translate(struct ect_ctx *ctx, struct ect_fname_codec *codec, const char *name)
{
	char *copy = strdup(name), *save = NULL, *c;
	char out[PATH_MAX * 2 + 2];
	size_t w = 0;
	int ret = ECT_EXIT_OK;

	if (!copy)
		return ECT_EXIT_FAILURE;
	out[0] = '\0';
	if (name[0] == '/')
		out[w++] = '/';
	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char piece[PATH_MAX];
		ssize_t n;

		if (!strncmp(c, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN))
			n = ect_fname_decrypt(codec, c, strlen(c), 0, piece, sizeof(piece));
		else
			n = ect_fname_encrypt(codec, c, strlen(c), 0, piece, sizeof(piece));
		if (n < 0) {
			ect_err(ctx, "%s: %s", c,
				n == ECT_E_WRONG_PASSWORD ?
					"encrypted with another filename key" :
					ect_strerror((int)n));
			ret = ECT_EXIT_FAILURE;
			break;
		}
		if (w + (size_t)n + 2 > sizeof(out)) {
			ret = ECT_EXIT_FAILURE;
			break;
		}
		if (w && out[w - 1] != '/')
			out[w++] = '/';
		memcpy(out + w, piece, (size_t)n);
		w += (size_t)n;
		out[w] = '\0';
	}
	if (ret == ECT_EXIT_OK)
		printf("%s\n", out);
	free(copy);
	return ret;
}

/* The mount passphrase: from its source, or unwrapped with the login password. */
static int get_mount_passphrase(struct ect_ctx *ctx, const char *pass_src, const char *pw_src,
				const char *wrapped, struct cli_secret *out)
{
	struct cli_secret pw = { 0 };
	struct cli_secret_spec spec = { 0 };
	char *home = NULL, *path = NULL;
	int ret;

	if (!pw_src && !wrapped) {
		spec.what = "mount passphrase";
		spec.source = pass_src;
		spec.prompt = "Mount passphrase: ";
		return cli_get_secret(ctx, &spec, out);
	}
	spec.what = "login password";
	spec.source = pw_src;
	spec.prompt = "Login password: ";
	if (!wrapped) {
		home = cli_home();
		path = home ? cli_path_join(home, ECT_CONFIG_DIR_NAME "/"
						ECT_WRAPPED_PASSPHRASE_FILE) :
			      NULL;
		wrapped = path;
	}
	ret = ECT_EXIT_FAILURE;
	if (!wrapped)
		goto out;
	if (cli_get_secret(ctx, &spec, &pw))
		goto out;
	{
		uint8_t salt[ECT_SALT_SIZE];
		int r;

		cli_rc_salt(ctx, salt);
		r = ect_unwrap_file(wrapped, pw.s, pw.len, salt, &out->s, &out->len, NULL);
		if (r) {
			ect_err(ctx, "%s: %s", wrapped, ect_strerror(r));
			goto out;
		}
	}
	ret = ECT_EXIT_OK;
out:
	cli_secret_free(&pw);
	free(path);
	free(home);
	return ret;
}

static int find_with_keys(struct ect_ctx *ctx, const char *pass_src, const char *pw_src,
			  const char *wrapped, const char *kb, const char *names[], int n)
{
	struct cli_secret pass = { 0 };
	struct ect_fname_codec *codec = NULL;
	char sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t *fnek = ect_secure_alloc(ECT_KEY_SIZE);
	unsigned int key_bytes = key_bytes_of(names, n);
	int ret = ECT_EXIT_FAILURE, r;

	if (!fnek) {
		ect_err(ctx, "%s", ect_strerror(ECT_E_SECMEM));
		return ECT_EXIT_FAILURE;
	}
	if (kb) {
		char *end;
		unsigned long v = strtoul(kb, &end, 10);

		if (*end || (v != 16 && v != 24 && v != 32)) {
			ect_err(ctx, "--fn-key-bytes must be 16, 24 or 32");
			ret = ECT_EXIT_USAGE;
			goto out;
		}
		key_bytes = (unsigned int)v;
	}
	if (get_mount_passphrase(ctx, pass_src, pw_src, wrapped, &pass))
		goto out;
	r = ect_derive_key(pass.s, pass.len, ect_fnek_salt, fnek);
	if (!r)
		r = ect_key_signature(fnek, sig);
	if (!r)
		r = ect_fname_codec_new(fnek, sig, "aes", key_bytes, &codec);
	if (r) {
		ect_err(ctx, "%s", ect_strerror(r));
		goto out;
	}
	ret = ECT_EXIT_OK;
	for (int i = 0; i < n; i++)
		if (translate(ctx, codec, names[i]))
			ret = ECT_EXIT_FAILURE;
out:
	ect_fname_codec_free(codec);
	cli_secret_free(&pass);
	ect_secure_free(fnek);
	return ret;
}

int cmd_find(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *pass_src = NULL, *pw_src = NULL, *wrapped = NULL, *kb = NULL;
	int with_keys = 0, npos, r;
	const struct cli_opt opts[] = {
		{ "passphrase-file", &pass_src, NULL },
		{ "password-file", &pw_src, NULL },
		{ "wrapped-passphrase", &wrapped, NULL },
		{ "fn-key-bytes", &kb, NULL },
		{ "keys", NULL, &with_keys },
		{ NULL, NULL, NULL },
	};

	r = cli_parse(ctx, argc, argv, opts, &npos);
	if (r || npos < 1)
		return cli_usage(r, find_usage);
	if (pass_src && (pw_src || wrapped)) {
		ect_err(ctx, "give either the mount passphrase or the login password, not both");
		return ECT_EXIT_USAGE;
	}
	if (pass_src || pw_src || wrapped || kb || with_keys)
		return find_with_keys(ctx, pass_src, pw_src, wrapped, kb,
				      (const char **)argv + 1, npos);
	if (npos != 1)
		return cli_usage(0, find_usage);
	return find_by_inode(ctx, argv[1]);
}
