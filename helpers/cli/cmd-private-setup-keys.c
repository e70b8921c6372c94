// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private: the secrets of a run, the signatures and files
 * they give, and the mount / write / unmount / mount / read self-test that
 * proves them through the setuid helper.
 */
#include "cmd-private-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mount, write, unmount, mount, read back, remove, unmount: as 111's self-test. */
int setup_self_test(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len, bool fnek)
{
	char fekek[ECT_SIG_HEX_SIZE + 1], fnek_sig[ECT_SIG_HEX_SIZE + 1], path[4096];
	char *data = NULL, *back = NULL;
	size_t back_len = 0;
	int fd, ret = -1;

	if (ect_mount_passphrase_generate(&data))
		return -1;
	printf("Testing mount/write/umount/read...\n");
	if (cli_private_run_helper(ctx, "mount.ecryptfs_private", NULL, NULL)) {
		ect_err(ctx, "the test mount failed (see the message above)");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/.ecryptfs-setup-test", s->mnt);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data) || fsync(fd)) {
		ect_err(ctx, "cannot write a test file in %s: %s", s->mnt, strerror(errno));
		if (fd >= 0)
			close(fd);
		cli_private_run_helper(ctx, "umount.ecryptfs_private", "-f", NULL);
		goto out;
	}
	close(fd);
	if (cli_private_run_helper(ctx, "umount.ecryptfs_private", NULL, NULL)) {
		ect_err(ctx, "the test unmount failed");
		goto out;
	}
	/* unmounting dropped the keys, as it will at every logout */
	if (cli_private_add_keys(ctx, pass, len, fnek, fekek, fnek_sig))
		goto out;
	if (cli_private_run_helper(ctx, "mount.ecryptfs_private", NULL, NULL)) {
		ect_err(ctx, "the second test mount failed");
		goto out;
	}
	if (ect_read_file(path, 4096, 1, (void **)&back, &back_len) || back_len != strlen(data) ||
	    memcmp(back, data, back_len)) {
		ect_err(ctx, "the test file did not read back as written");
		unlink(path);
		cli_private_run_helper(ctx, "umount.ecryptfs_private", "-f", NULL);
		goto out;
	}
	unlink(path);
	if (cli_private_run_helper(ctx, "umount.ecryptfs_private", NULL, NULL)) {
		ect_err(ctx, "the final test unmount failed");
		goto out;
	}
	printf("Testing succeeded.\n");
	ret = 0;
out:
	if (back)
		ect_secure_free(back);
	ect_secure_free_str(data);
	return ret;
}

/* The wrapping and the mount passphrase, asked or read before anything is created. */
int setup_get_secrets(struct ect_ctx *ctx, const struct setup *s, struct cli_secret *wpw,
		      struct cli_secret *mpw, bool *generated)
{
	char prompt[160];
	struct cli_secret_spec spec = {
		.what = s->wrapping ? "wrapping passphrase" : "login passphrase",
		.source = s->pwfile,
		.arg = s->loginpass_arg,
		.prompt = prompt,
		.confirm_prompt = s->wrapping ? "Enter your wrapping passphrase (again): " : NULL,
	};
	struct cli_secret_spec mspec = {
		.what = "mount passphrase",
		.source = s->ppfile,
		.arg = s->mountpass_arg,
	};
	int r;

	snprintf(prompt, sizeof(prompt), s->wrapping ? "Enter your wrapping passphrase: " :
						       "Enter your login passphrase [%s]: ",
		 s->name);
	if (!setup_bootstrap_wanted(s) && cli_get_secret(ctx, &spec, wpw))
		return -1;
	if (!setup_bootstrap_wanted(s) && !wpw->len) {
		ect_err(ctx, "the %s is empty", spec.what);
		return -1;
	}
	if (!s->wrapping && !s->nopwcheck && wpw->len && cli_private_check_login(ctx, s->name, wpw->s))
		return -1;
	if (s->mountpass_arg || s->ppfile) {
		if (cli_get_secret(ctx, &mspec, mpw))
			return -1;
		if (mpw->len < 1 || mpw->len > ECT_PASSPHRASE_MAX) {
			ect_err(ctx, "the mount passphrase must be 1 to %d bytes", ECT_PASSPHRASE_MAX);
			return -1;
		}
		return 0;
	}
	r = ect_mount_passphrase_generate(&mpw->s);
	if (r) {
		ect_err(ctx, "cannot generate a mount passphrase: %s", ect_strerror(r));
		return -1;
	}
	mpw->len = strlen(mpw->s);
	*generated = true;
	return 0;
}

/* The files of ~/.ecryptfs, each atomically through the directory fd. */
int setup_write_files(struct ect_ctx *ctx, struct setup *s, const struct cli_secret *mpw,
		      const struct cli_secret *wpw, enum ect_wrap_version version,
		      const struct ect_argon2_params *params, const struct ect_config_sigs *sigs)
{
	uid_t u = s->file_uid;
	gid_t g = s->file_gid;
	uint8_t *blob = NULL;
	size_t size = 0;
	int r;

	s->wrote_files = true;
	/* -b without a password: wrapped later by PAM, from /dev/shm */
	r = setup_bootstrap_wanted(s) ? 0 :
		ect_wrap(version, mpw->s, mpw->len, wpw->s, wpw->len, params, &blob, &size);
	if (!r && blob) {
		r = ect_write_file_atomic_at(s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE, blob, size, 0600, u, g);
		free(blob);
	}
	if (r) {
		ect_err(ctx, "cannot write %s/wrapped-passphrase: %s", s->cfgdir, ect_strerror(r));
		return -1;
	}
	r = ect_config_write_sigs_at(s->cfgd.fd, NULL, sigs, u, g);
	if (!r)
		r = ect_config_write_mnt_at(s->cfgd.fd, s->mnt, u, g);
	if (!r && !s->noautomount)
		r = ect_config_set_flags_at(s->cfgd.fd, ECT_FLAG_AUTO_MOUNT, 1, u, g);
	if (!r && !s->noautoumount)
		r = ect_config_set_flags_at(s->cfgd.fd, ECT_FLAG_AUTO_UMOUNT, 1, u, g);
	if (!r && s->wrapping)
		r = ect_config_set_flags_at(s->cfgd.fd, ECT_FLAG_WRAPPING_INDEPENDENT, 1, u, g);
	if (r) {
		ect_err(ctx, "cannot write the files in %s: %s", s->cfgdir, ect_strerror(r));
		return -1;
	}
	return 0;
}
