// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root mode: mount -t ecryptfs SRC DST -o OPTS runs
 * "mount.ecryptfs SRC DST [-sfnv] [-o OPTS]"; umount runs
 * "umount.ecryptfs DIR [-flnrv]". Only for a caller whose real uid is 0.
 *
 * Accepts the kernel options and 111's helper options (key=passphrase with
 * passphrase_passwd=/passphrase_passwd_file=/passphrase_passwd_fd=,
 * passphrase_salt=, ecryptfs_enable_filename_crypto=, no_sig_cache,
 * verbosity=), asks for what is missing as 111 does (never when everything
 * is given, never with verbosity=0), derives and inserts the key through the
 * library before mount(2), and hands the kernel only its own options.
 */
#include "mount-helper.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* One answer line from the terminal (or stdin); "" keeps the default. */
static int ask(const char *question, const char *def, char *answer, size_t size)
{
	FILE *in = fopen("/dev/tty", "r+e");
	FILE *out = in ? in : stderr;
	int ret = 0;

	if (!in)
		in = stdin;
	fprintf(out, "%s [%s]: ", question, def);
	fflush(out);
	if (!fgets(answer, (int)size, in)) {
		ret = -ENODATA;
		answer[0] = '\0';
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	if (!answer[0])
		snprintf(answer, size, "%s", def);
	if (in != stdin)
		fclose(in);
	return ret;
}

static int ask_yes_no(const char *question, int def)
{
	char a[16];

	if (ask(question, def ? "y" : "n", a, sizeof(a)))
		return def;
	return a[0] == 'y' || a[0] == 'Y';
}

/* The passphrase: from the options, a file, an fd, or a prompt. */
static int get_passphrase(struct ect_ctx *ctx, const struct ect_mount_opts *o, char **pw, size_t *len)
{
	char src[32];
	int r;

	if (o->passphrase) {
		*pw = ect_secure_strndup(o->passphrase, ECT_PASSPHRASE_MAX);
		*len = *pw ? strlen(*pw) : 0;
		return *pw ? 0 : ECT_E_SECMEM;
	}
	if (o->passphrase_file)
		return ect_read_secret_source(o->passphrase_file, ECT_PASSPHRASE_MAX + 1, pw, len);
	if (o->passphrase_fd >= 0) {
		snprintf(src, sizeof(src), "fd:%d", o->passphrase_fd);
		return ect_read_secret_source(src, ECT_PASSPHRASE_MAX + 1, pw, len);
	}
	if (o->verbosity == 0) {
		ect_err(ctx, "no passphrase given (passphrase_passwd=, passphrase_passwd_file= or "
			     "passphrase_passwd_fd=) and verbosity=0 forbids asking");
		return -EINVAL;
	}
	r = ect_prompt_secret("Passphrase: ", NULL, ECT_PASSPHRASE_MAX + 1, pw, len);
	return r;
}

/* Fill what is missing, asking only where 111 would and verbosity allows. */
static int complete_options(struct ect_ctx *ctx, struct ect_mount_opts *o)
{
	int interactive = o->verbosity != 0;
	char a[64];
	int r;

	if (o->key_passphrase || !o->nsigs) {
		char *pw = NULL, sig[ECT_SIG_HEX_SIZE + 1];
		uint8_t salt[ECT_SALT_SIZE];
		size_t len = 0;

		r = get_passphrase(ctx, o, &pw, &len);
		if (r) {
			ect_err(ctx, "cannot read the passphrase: %s", ect_strerror(r));
			return r;
		}
		if (len < 1 || len > ECT_PASSPHRASE_MAX) {
			ect_secure_free_str(pw);
			ect_err(ctx, "the passphrase must be 1 to %d bytes", ECT_PASSPHRASE_MAX);
			return ECT_E_PASSPHRASE_LEN;
		}
		if (o->have_salt) {
			memcpy(salt, o->salt, sizeof(salt));
		} else {
			struct passwd *pw_root = getpwuid(getuid());

			if (!pw_root || ect_rc_read_salt(pw_root->pw_dir, salt))
				memcpy(salt, ect_default_salt, sizeof(salt));
		}
		/* derivation happens here, in the library, before any mount(2) */
		r = ect_keyring_add_passphrase(pw, len, salt, sig);
		ect_secure_free_str(pw);
		ect_wipe(salt, sizeof(salt));
		if (r < 0) {
			ect_err(ctx, "cannot add the key to the keyring: %s", ect_strerror(r));
			return r;
		}
		if (ect_keyring_link_user_session())
			ect_debug(ctx, "could not link @u into @s");
		if (o->nsigs < ECT_MOUNT_SIGS_MAX) {
			memmove(o->sigs[1], o->sigs[0], sizeof(o->sigs[0]) * o->nsigs);
			memcpy(o->sigs[0], sig, sizeof(sig));
			o->nsigs++;
		}
	}
	if (!o->cipher[0]) {
		snprintf(o->cipher, sizeof(o->cipher), "aes");
		if (interactive) {
			char opt[96];

			ask("Cipher (aes, blowfish, des3_ede, twofish, cast6, cast5)", "aes", a, sizeof(a));
			snprintf(opt, sizeof(opt), "ecryptfs_cipher=%s", a);
			if (ect_mount_opts_parse(o, opt, NULL, 0)) {
				ect_err(ctx, "unknown cipher '%s'", a);
				return ECT_E_UNSUPPORTED;
			}
		}
	}
	if (!o->key_bytes) {
		o->key_bytes = 16;
		if (interactive) {
			char opt[96];

			ask("Key bytes (16, 24, 32)", "16", a, sizeof(a));
			snprintf(opt, sizeof(opt), "ecryptfs_key_bytes=%s", a);
			if (ect_mount_opts_parse(o, opt, NULL, 0)) {
				ect_err(ctx, "bad key size '%s'", a);
				return -EINVAL;
			}
		}
	}
	if (interactive && !(o->flags_given & ECT_MOPT_PASSTHROUGH) &&
	    ask_yes_no("Enable plaintext passthrough (y/n)", 0))
		o->flags |= ECT_MOPT_PASSTHROUGH;
	if (!o->fnek_sig[0] && o->enable_fnek < 0 && interactive)
		o->enable_fnek = ask_yes_no("Enable filename encryption (y/n)", 0);
	if (o->enable_fnek == 1 && !o->fnek_sig[0]) {
		memcpy(o->fnek_sig, o->sigs[0], sizeof(o->fnek_sig));
		if (interactive) {
			char opt[96];

			ask("Filename Encryption Key (FNEK) Signature", o->sigs[0], a, sizeof(a));
			snprintf(opt, sizeof(opt), "ecryptfs_fnek_sig=%s", a);
			if (ect_mount_opts_parse(o, opt, NULL, 0)) {
				ect_err(ctx, "bad FNEK signature: %s", ect_strerror(ECT_E_BAD_SIG));
				return ECT_E_BAD_SIG;
			}
		}
	}
	/* 111 always records it so that umount.ecryptfs removes the keys */
	o->flags |= ECT_MOPT_UNLINK_SIGS;
	return 0;
}

/*
 * mount(2) src on dst through fds: the mount is made on the opened target
 * and must sit on the opened lower directory (ect_priv_mount), so a path
 * swapped after realpath() cannot redirect root's mount.
 */
static int mount_checked(struct ect_ctx *ctx, struct ect_priv *p, const char *src, const char *dst,
			 int mtab, unsigned long ms_flags, const char *kopts)
{
	int tfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;

	if (tfd < 0 || sfd < 0) {
		r = -errno;
		ect_err(ctx, "cannot open %s: %s", tfd < 0 ? dst : src, strerror(errno));
	} else {
		/* CVE-2012-3409: nosuid,nodev always, root mode too (flags, not kernel options) */
		struct ect_priv_mount_req mr = {
			.src = src, .lower_fd = sfd, .target_fd = tfd, .target = dst, .mtab = mtab,
			.flags = ms_flags | MS_NOSUID | MS_NODEV, .opts = kopts,
		};

		r = ect_priv_mount(p, ctx, &mr, NULL);
	}
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return r;
}

int ect_root_mount_args(struct ect_ctx *ctx, int argc, char **argv, struct ect_mount_opts *o,
			struct root_mount_args *out)
{
	const char *args[2] = { NULL, NULL };
	char bad[64];
	int nargs = 0, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) {
			r = ect_mount_opts_parse(o, argv[++i], bad, sizeof(bad));
			if (r) {
				ect_err(ctx, "refusing option '%s': %s", bad, ect_strerror(r));
				return ECT_MNT_FAIL;
			}
		} else if (!strcmp(a, "-t") && i + 1 < argc) {
			if (strcmp(argv[++i], "ecryptfs")) {
				ect_err(ctx, "refusing type '%s': this helper mounts ecryptfs", argv[i]);
				return ECT_MNT_FAIL;
			}
		} else if (!strcmp(a, "-N")) {
			ect_err(ctx, "refusing -N: mount namespaces are not supported");
			return ECT_MNT_FAIL;
		} else if (a[0] == '-' && a[1] && strspn(a + 1, "sfnvi") == strlen(a + 1)) {
			out->no_mtab |= strchr(a, 'n') != NULL;
			out->fake |= strchr(a, 'f') != NULL;
		} else if (a[0] == '-' && a[1]) {
			ect_err(ctx, "unknown option '%s'", a);
			return ECT_MNT_USAGE;
		} else if (nargs < 2) {
			args[nargs++] = a;
		} else {
			ect_err(ctx, "too many arguments");
			return ECT_MNT_USAGE;
		}
	}
	if (nargs != 2) {
		fprintf(stderr, "Usage: mount.ecryptfs SRC DST [-o OPTIONS]  (see mount.ecryptfs(8))\n");
		return ECT_MNT_USAGE;
	}
	out->src = args[0];
	out->dst = args[1];
	return 0;
}

int ect_root_mount_main(struct ect_ctx *ctx, struct ect_priv *p, int argc, char **argv)
{
	struct ect_mount_opts o;
	struct root_mount_args a = { 0 };
	char kopts[ECT_MOUNT_OPTS_MAX], *src = NULL, *dst = NULL;
	int ret, r;

	ect_mount_opts_init(&o);
	ret = ect_root_mount_args(ctx, argc, argv, &o, &a);
	if (ret)
		goto out;
	ret = ECT_MNT_FAIL;
	src = realpath(a.src, NULL);
	dst = realpath(a.dst, NULL);
	if (!src || !dst) {
		ect_err(ctx, "cannot resolve %s: %s", !src ? a.src : a.dst, strerror(errno));
		goto out;
	}
	r = complete_options(ctx, &o);
	if (r)
		goto out;
	r = ect_mount_opts_kernel(&o, kopts, sizeof(kopts));
	if (r) {
		ect_err(ctx, "cannot build the kernel options: %s", ect_strerror(r));
		goto out;
	}
	if (a.fake) {
		ret = ECT_MNT_OK;
		goto out;
	}
	r = mount_checked(ctx, p, src, dst, !a.no_mtab, o.ms_flags, kopts);
	if (r) {
		ect_err(ctx, "mount of %s on %s failed: %s%s", src, dst, ect_strerror(r),
			r == -ENODEV ? " (this kernel has no eCryptfs)" : "");
		goto out;
	}
	ret = ECT_MNT_OK;
out:
	ect_mount_opts_clear(&o);
	free(src);
	free(dst);
	return ret;
}

static void unlink_sig_opt(struct ect_ctx *ctx, const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; (p = strstr(p, name)); p += n) {
		char sig[ECT_SIG_HEX_SIZE + 1];

		if (p != opts && p[-1] != ',')
			continue;
		if (strlen(p + n) < ECT_SIG_HEX_SIZE)
			break;
		memcpy(sig, p + n, ECT_SIG_HEX_SIZE);
		sig[ECT_SIG_HEX_SIZE] = '\0';
		if (!ect_sig_check(sig) && ect_keyring_unlink(sig) == 0)
			ect_info(ctx, "removed key %s from the user keyring", sig);
	}
}

int ect_root_umount_args(struct ect_ctx *ctx, int argc, char **argv, const char **dir, int *lazy,
			 int *no_mtab)
{
	*dir = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-t") || !strcmp(a, "-N")) && i + 1 < argc) {
			/* type and namespace come from umount(8), which already chose both */
			i++;
		} else if (a[0] == '-' && a[1] && strspn(a + 1, "flnrvdi") == strlen(a + 1)) {
			*lazy |= strchr(a, 'l') != NULL;
			*no_mtab |= strchr(a, 'n') != NULL;
		} else if (a[0] == '-' && a[1]) {
			ect_err(ctx, "unknown option '%s'", a);
			return ECT_MNT_USAGE;
		} else if (!*dir) {
			*dir = a;
		} else {
			ect_err(ctx, "too many arguments");
			return ECT_MNT_USAGE;
		}
	}
	if (!*dir) {
		fprintf(stderr, "Usage: umount.ecryptfs DIR [-flnrv]\n");
		return ECT_MNT_USAGE;
	}
	return 0;
}

/*
 * Not lazy: an fd on the mount would keep it busy, so the mount is named by
 * its mount point's directory, reached from the checked root *fd through
 * "..", and the last name of dir; *fd is closed before the unmount, and
 * ect_priv_umount_at unmounts only if that name still leads to this mount.
 */
static int umount_checked(struct ect_ctx *ctx, struct ect_priv *p, int *fd, const char *dir,
			  int mount_id, const struct ect_mount_entry *row, unsigned int flags)
{
	const char *slash = strrchr(dir, '/');
	struct ect_priv_umount_at at = { .parent_fd = -1, .mount_id = mount_id };
	struct stat st;
	int r;

	if (!slash || !slash[1] || mount_id < 0)
		return -EINVAL;
	at.name = slash + 1;
	if (fstat(*fd, &st))
		return -errno;
	at.dev = st.st_dev;
	at.ino = st.st_ino;
	/* ".." of a mount's root is the directory holding its mount point */
	at.parent_fd = openat(*fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at.parent_fd < 0)
		return -errno;
	close(*fd);
	*fd = -1;
	ect_debug(ctx, "unmounting %s (mount id %d) through its directory", dir, mount_id);
	r = ect_priv_umount_at(p, ctx, &at, row, flags);
	close(at.parent_fd);
	return r;
}

int ect_root_umount_main(struct ect_ctx *ctx, struct ect_priv *p, int argc, char **argv)
{
	struct ect_mount_entry *row = NULL;
	char *dir = NULL;
	const char *arg = NULL;
	int lazy = 0, no_mtab = 0, r, ret = ECT_MNT_FAIL, fd = -1, mount_id = -1;

	r = ect_root_umount_args(ctx, argc, argv, &arg, &lazy, &no_mtab);
	if (r)
		return r;
	dir = realpath(arg, NULL);
	row = calloc(1, sizeof(*row));
	if (!dir || !row) {
		ect_err(ctx, "cannot resolve %s: %s", arg, strerror(errno));
		goto out;
	}
	/* by identity: dir is the root of an eCryptfs mount (issue #10), not a listed string */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 ? 0 : ect_mount_find_over(NULL, fd, -1, &mount_id, row);
	if (r <= 0) {
		ect_err(ctx, "%s is not an eCryptfs mount point", dir);
		goto out;
	}
	if (lazy)
		r = ect_priv_umount(p, ctx, fd, row, ECT_UMOUNT_LAZY | (no_mtab ? ECT_UMOUNT_NO_MTAB : 0));
	else
		r = umount_checked(ctx, p, &fd, dir, mount_id, row, no_mtab ? ECT_UMOUNT_NO_MTAB : 0);
	if (r) {
		ect_err(ctx, "unmount of %s failed: %s", dir, ect_strerror(r));
		goto out;
	}
	/* Keys go only once the mount is gone: a failed unmount keeps them usable. */
	if (strstr(row->opts, "ecryptfs_unlink_sigs")) {
		unlink_sig_opt(ctx, row->opts, "ecryptfs_sig=");
		unlink_sig_opt(ctx, row->opts, "ecryptfs_fnek_sig=");
	}
	ret = ECT_MNT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(row);
	free(dir);
	return ret;
}
