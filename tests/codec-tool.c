// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * codec-tool: a small test driver for the library codec, used by the
 * real-kernel scenarios (tests/vm/scenarios/codec) to decrypt trees a
 * kernel wrote and to write trees a kernel must read. Not installed; the
 * user-facing tool is "ecryptfs recover". Secrets come from files only.
 */
#include "ecryptfs-tools.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

struct tool {
	uint8_t *fekek, *fnek; /* locked */
	struct ect_codec_key key;
	char fnek_sig[ECT_SIG_HEX_SIZE + 1];
	struct ect_fname_codec *names;
	const char *cipher;
	size_t key_bytes, fn_key_bytes;
	int xattr;
	unsigned int threads;
	struct ect_codec_pool *pool;
	int out_root;
	int failures;
};

static void usage(void)
{
	fputs("usage: codec-tool [-p PASSFILE | -r KEYFILE] [-s SALTHEX] [-f] [-c CIPHER] [-k BYTES]\n"
	      "                  [-K FNBYTES] [-x] [-j THREADS] COMMAND ARGS\n"
	      "commands: sigs | derive KEYFILE | info LOWER | decrypt LOWER OUT | encrypt IN LOWER\n"
	      "          decrypt-tree LOWERDIR OUTDIR | encrypt-tree SRCDIR LOWERDIR\n"
	      "          encrypt-name NAME | decrypt-name LOWER | encrypt-target T | decrypt-target L\n",
	      stderr);
}

static int fail(const char *what, const char *path, int rc)
{
	fprintf(stderr, "codec-tool: %s %s: %s\n", what, path ? path : "", ect_strerror(rc));
	return 1;
}

static int load_keys(struct tool *t, const char *passfile, const char *salthex, int fnek)
{
	uint8_t salt[ECT_SALT_SIZE];
	char *pass;
	size_t len;
	int rc;

	rc = salthex ? ect_salt_from_hex(salthex, salt) : 0;
	if (rc)
		return fail("salt", salthex, rc);
	if (!salthex)
		memcpy(salt, ect_default_salt, sizeof(salt));
	rc = ect_read_secret_source(passfile, ECT_PASSPHRASE_MAX, &pass, &len);
	if (rc)
		return fail("passphrase", passfile, rc);
	t->fekek = ect_secure_alloc(ECT_KEY_SIZE);
	t->fnek = ect_secure_alloc(ECT_KEY_SIZE);
	if (!t->fekek || !t->fnek)
		rc = ECT_E_SECMEM;
	if (!rc)
		rc = ect_derive_key(pass, len, salt, t->fekek);
	if (!rc)
		rc = ect_key_signature(t->fekek, t->key.sig);
	if (!rc && fnek)
		rc = ect_derive_key(pass, len, ect_fnek_salt, t->fnek);
	if (!rc && fnek)
		rc = ect_key_signature(t->fnek, t->fnek_sig);
	if (!rc && fnek)
		rc = ect_fname_codec_new(t->fnek, t->fnek_sig, t->cipher, t->fn_key_bytes, &t->names);
	ect_secure_free_str(pass);
	if (rc)
		return fail("keys", NULL, rc);
	t->key.key = t->fekek;
	return 0;
}

/* -r FILE: the derived keys written by "derive" (FEKEK, then FNEK). */
static int load_raw_keys(struct tool *t, const char *path, int fnek)
{
	void *data;
	size_t size;
	int rc;

	rc = ect_read_file(path, 2 * ECT_KEY_SIZE, 1, &data, &size);
	if (rc)
		return fail("key file", path, rc);
	t->fekek = ect_secure_alloc(ECT_KEY_SIZE);
	t->fnek = ect_secure_alloc(ECT_KEY_SIZE);
	if (!t->fekek || !t->fnek)
		rc = ECT_E_SECMEM;
	else if (size != 2 * ECT_KEY_SIZE)
		rc = ECT_E_FORMAT;
	if (!rc) {
		memcpy(t->fekek, data, ECT_KEY_SIZE);
		memcpy(t->fnek, (uint8_t *)data + ECT_KEY_SIZE, ECT_KEY_SIZE);
		rc = ect_key_signature(t->fekek, t->key.sig);
	}
	if (!rc && fnek)
		rc = ect_key_signature(t->fnek, t->fnek_sig);
	if (!rc && fnek)
		rc = ect_fname_codec_new(t->fnek, t->fnek_sig, t->cipher, t->fn_key_bytes, &t->names);
	ect_secure_free(data);
	if (rc)
		return fail("keys", path, rc);
	t->key.key = t->fekek;
	return 0;
}

/* derive OUT: both derived keys to a new 0600 file, so scenarios derive once. */
static int cmd_derive(struct tool *t, const char *path)
{
	uint8_t *both = ect_secure_alloc(2 * ECT_KEY_SIZE);
	int rc;

	if (!both)
		return fail("derive", path, ECT_E_SECMEM);
	memcpy(both, t->fekek, ECT_KEY_SIZE);
	memcpy(both + ECT_KEY_SIZE, t->fnek, ECT_KEY_SIZE);
	rc = ect_write_file_atomic(path, both, 2 * ECT_KEY_SIZE, 0600, (uid_t)-1, (gid_t)-1);
	ect_secure_free(both);
	return rc ? fail("derive", path, rc) : 0;
}

static int cmd_info(const char *path)
{
	uint8_t hdr[ECT_HEADER_PARSE_MAX];
	struct ect_header_info info;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	int rc;

	if (fd < 0)
		return fail("open", path, -errno);
	n = pread(fd, hdr, sizeof(hdr), 0);
	rc = n < 0 ? -errno : ect_header_parse(hdr, (size_t)n, 0, &info);
	if (rc == ECT_E_NOT_ECRYPTFS) {
		n = fgetxattr(fd, ECT_HEADER_XATTR, hdr, sizeof(hdr));
		rc = n < 0 ? ECT_E_NOT_ECRYPTFS : ect_header_parse(hdr, (size_t)n, 1, &info);
	}
	close(fd);
	if (rc)
		return fail("header", path, rc);
	printf("size %llu\nversion %u\nflags 0x%02x\nmetadata_size %llu\nin_xattr %d\n",
	       (unsigned long long)info.size, info.version, (unsigned int)info.flags,
	       (unsigned long long)info.metadata_size, info.in_xattr);
	for (unsigned int i = 0; i < info.n_keys; i++)
		printf("key %s cipher 0x%02x efek %u\n", info.keys[i].sig, info.keys[i].cipher_code,
		       info.keys[i].efek_len);
	return 0;
}

/* Decrypt lower (at dirfd/name) into out_fd. */
static int decrypt_file(struct tool *t, int dirfd, const char *name, int out_fd)
{
	struct ect_codec_file *f;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = ect_codec_open_fd(fd, 0, &t->key, 1, &f);
	if (!rc) {
		rc = t->pool ? ect_codec_decrypt_to_fd_parallel(f, t->pool, out_fd)
			     : ect_codec_decrypt_to_fd(f, out_fd);
		ect_codec_close(f);
	}
	close(fd);
	return rc;
}

static int encrypt_file(struct tool *t, int in_fd, int lower_fd)
{
	struct ect_codec_create_params p = { t->cipher, t->key_bytes, &t->key, 1, NULL,
					     t->xattr, t->names != NULL, 0 };
	struct ect_codec_file *f;
	int rc = ect_codec_create(lower_fd, &p, &f);

	if (rc)
		return rc;
	rc = ect_codec_encrypt_from_fd(f, in_fd);
	ect_codec_close(f);
	return rc;
}

static int decrypt_entry(void *userdata, const struct ect_tree_entry *e)
{
	struct tool *t = userdata;
	struct stat st;
	char target[PATH_MAX], plain[PATH_MAX];
	ssize_t n;
	int fd, rc = 0;

	if (e->name_error) {
		fprintf(stderr, "codec-tool: name %s: %s\n", e->lower_path, ect_strerror(e->name_error));
		t->failures++;
		return 1;
	}
	if (fstatat(e->dirfd, e->lower_name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	switch (e->type) {
	case ECT_TREE_DIR:
		if (mkdirat(t->out_root, e->upper_path, 0700) && errno != EEXIST)
			rc = -errno;
		break;
	case ECT_TREE_FILE:
		fd = openat(t->out_root, e->upper_path,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0777);
		if (fd < 0)
			return -errno;
		rc = decrypt_file(t, e->dirfd, e->lower_name, fd);
		close(fd);
		break;
	case ECT_TREE_SYMLINK:
		n = readlinkat(e->dirfd, e->lower_name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (t->names) {
			n = ect_fname_decrypt(t->names, target, (size_t)n, ECT_FNAME_SYMLINK, plain,
					      sizeof(plain));
			if (n < 0) {
				rc = (int)n;
				break;
			}
		} else {
			memcpy(plain, target, (size_t)n + 1);
		}
		if (symlinkat(plain, t->out_root, e->upper_path))
			rc = -errno;
		break;
	default:
		break;
	}
	if (rc) {
		fprintf(stderr, "codec-tool: %s: %s\n", e->lower_path, ect_strerror(rc));
		t->failures++;
	}
	return 0;
}

/* Encrypt each component of a plain relative path. */
static int lower_path(struct tool *t, const char *path, char *out, size_t outsize)
{
	size_t o = 0;
	char comp[PATH_MAX];

	if (!t->names) {
		if (strlen(path) >= outsize)
			return -ENAMETOOLONG;
		strcpy(out, path);
		return 0;
	}
	while (*path) {
		size_t len = strcspn(path, "/");
		ssize_t n;

		memcpy(comp, path, len);
		comp[len] = '\0';
		if (o)
			out[o++] = '/';
		n = ect_fname_encrypt(t->names, comp, len, 0, out + o, outsize - o);
		if (n < 0)
			return (int)n;
		o += (size_t)n;
		path += len;
		if (*path == '/')
			path++;
	}
	return 0;
}

static int encrypt_entry(void *userdata, const struct ect_tree_entry *e)
{
	struct tool *t = userdata;
	char lower[PATH_MAX * 2], target[PATH_MAX], enc[PATH_MAX];
	struct stat st;
	ssize_t n;
	int in, out, rc;

	rc = lower_path(t, e->upper_path, lower, sizeof(lower));
	if (rc)
		goto out;
	if (fstatat(e->dirfd, e->lower_name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	switch (e->type) {
	case ECT_TREE_DIR:
		if (mkdirat(t->out_root, lower, st.st_mode & 0777) && errno != EEXIST)
			rc = -errno;
		break;
	case ECT_TREE_FILE:
		in = openat(e->dirfd, e->lower_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return -errno;
		out = openat(t->out_root, lower, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     st.st_mode & 0777);
		if (out < 0) {
			rc = -errno;
			close(in);
			break;
		}
		rc = encrypt_file(t, in, out);
		close(in);
		close(out);
		break;
	case ECT_TREE_SYMLINK:
		n = readlinkat(e->dirfd, e->lower_name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (t->names) {
			n = ect_fname_encrypt(t->names, target, (size_t)n, ECT_FNAME_SYMLINK, enc,
					      sizeof(enc));
			if (n < 0) {
				rc = (int)n;
				break;
			}
		} else {
			memcpy(enc, target, (size_t)n + 1);
		}
		if (symlinkat(enc, t->out_root, lower))
			rc = -errno;
		break;
	default:
		break;
	}
out:
	if (rc) {
		fprintf(stderr, "codec-tool: %s: %s\n", e->upper_path, ect_strerror(rc));
		t->failures++;
		return 1;
	}
	return 0;
}

static int run_tree(struct tool *t, const char *from, const char *to, int decrypt)
{
	int root = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (root < 0)
		return fail("open", from, -errno);
	if (mkdir(to, 0700) && errno != EEXIST)
		return fail("mkdir", to, -errno);
	t->out_root = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->out_root < 0)
		return fail("open", to, -errno);
	rc = ect_tree_walk(root, decrypt ? t->names : NULL, decrypt ? decrypt_entry : encrypt_entry, t);
	close(root);
	close(t->out_root);
	if (rc < 0)
		return fail("walk", from, rc);
	return t->failures ? 1 : 0;
}

static int cmd_name(struct tool *t, const char *s, int decrypt, unsigned int flags)
{
	char out[PATH_MAX * 2];
	ssize_t n;

	if (!t->names)
		return fail("names", "need -f", -EINVAL);
	n = decrypt ? ect_fname_decrypt(t->names, s, strlen(s), flags, out, sizeof(out))
		    : ect_fname_encrypt(t->names, s, strlen(s), flags, out, sizeof(out));
	if (n < 0)
		return fail(decrypt ? "decrypt" : "encrypt", s, (int)n);
	printf("%s\n", out);
	return 0;
}

static int open_out(const char *path)
{
	if (!strcmp(path, "-"))
		return dup(STDOUT_FILENO);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
}

int main(int argc, char **argv)
{
	struct tool t = { .cipher = "aes", .threads = 1 };
	const char *passfile = NULL, *salthex = NULL, *rawfile = NULL, *cmd;
	int fnek = 0, opt, rc = 2, in, out;

	while ((opt = getopt(argc, argv, "p:r:s:fc:k:K:xj:")) != -1) {
		switch (opt) {
		case 'p': passfile = optarg; break;
		case 'r': rawfile = optarg; break;
		case 's': salthex = optarg; break;
		case 'f': fnek = 1; break;
		case 'c': t.cipher = optarg; break;
		case 'k': t.key_bytes = strtoul(optarg, NULL, 10); break;
		case 'K': t.fn_key_bytes = strtoul(optarg, NULL, 10); break;
		case 'x': t.xattr = 1; break;
		case 'j': t.threads = (unsigned int)strtoul(optarg, NULL, 10); break;
		default: usage(); return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	cmd = argv[optind++];
	if (!t.fn_key_bytes)
		t.fn_key_bytes = t.key_bytes;
	if (!strcmp(cmd, "info") && argc - optind == 1)
		return cmd_info(argv[optind]);
	if (!passfile && !rawfile) {
		usage();
		return 2;
	}
	if (!strcmp(cmd, "derive"))
		fnek = 1;
	if (rawfile ? load_raw_keys(&t, rawfile, fnek) : load_keys(&t, passfile, salthex, fnek))
		return 1;
	if (t.threads != 1 && ect_codec_pool_new(t.threads, &t.pool))
		return fail("pool", NULL, -ENOMEM);
	if (!strcmp(cmd, "sigs")) {
		printf("%s\n%s\n", t.key.sig, fnek ? t.fnek_sig : "");
		rc = 0;
	} else if (!strcmp(cmd, "derive") && argc - optind == 1) {
		rc = cmd_derive(&t, argv[optind]);
	} else if (!strcmp(cmd, "decrypt") && argc - optind == 2) {
		out = open_out(argv[optind + 1]);
		if (out < 0)
			return fail("open", argv[optind + 1], -errno);
		rc = decrypt_file(&t, AT_FDCWD, argv[optind], out);
		close(out);
		rc = rc ? fail("decrypt", argv[optind], rc) : 0;
	} else if (!strcmp(cmd, "encrypt") && argc - optind == 2) {
		in = open(argv[optind], O_RDONLY | O_CLOEXEC);
		out = open(argv[optind + 1], O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (in < 0 || out < 0)
			return fail("open", argv[optind], -errno);
		rc = encrypt_file(&t, in, out);
		rc = rc ? fail("encrypt", argv[optind], rc) : 0;
		close(in);
		close(out);
	} else if (!strcmp(cmd, "decrypt-tree") && argc - optind == 2) {
		rc = run_tree(&t, argv[optind], argv[optind + 1], 1);
	} else if (!strcmp(cmd, "encrypt-tree") && argc - optind == 2) {
		rc = run_tree(&t, argv[optind], argv[optind + 1], 0);
	} else if (!strcmp(cmd, "encrypt-name") && argc - optind == 1) {
		rc = cmd_name(&t, argv[optind], 0, 0);
	} else if (!strcmp(cmd, "decrypt-name") && argc - optind == 1) {
		rc = cmd_name(&t, argv[optind], 1, 0);
	} else if (!strcmp(cmd, "encrypt-target") && argc - optind == 1) {
		rc = cmd_name(&t, argv[optind], 0, ECT_FNAME_SYMLINK);
	} else if (!strcmp(cmd, "decrypt-target") && argc - optind == 1) {
		rc = cmd_name(&t, argv[optind], 1, ECT_FNAME_SYMLINK);
	} else {
		usage();
	}
	ect_codec_pool_free(t.pool);
	ect_fname_codec_free(t.names);
	ect_secure_free(t.fekek);
	ect_secure_free(t.fnek);
	return rc;
}
