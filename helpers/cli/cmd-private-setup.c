// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-setup-private: create ~/.ecryptfs, ~/.Private and ~/Private in
 * ecryptfs-utils 111's layout, with a fresh random mount passphrase wrapped
 * under the login (or an independent wrapping) passphrase, then prove it
 * works with a mount / write / unmount / mount / read / unmount round trip
 * through the setuid helper. Whatever this run created is removed again
 * when any step fails, so a failed setup leaves nothing half-made.
 *
 * Root setting up a user works only through directory fds: with -b the
 * tree under /home/.ecryptfs/USER stays root's until it is complete and is
 * then handed over bottom-up with fchown on fds; the links in the user's
 * home are made by a child that has become the user; without -b the whole
 * run is the user's (setup_become_user). Nothing is chowned, chmod'ed or opened
 * by a path a user could swap (issue #10).
 */
#include "cmd-private-setup.h"
#include "home-layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char setup_usage[] =
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

static int parse(struct ect_ctx *ctx, struct setup *s, int argc, char **argv)
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

static void print_undo(void)
{
	printf("To undo an ecryptfs-setup-private (this destroys the encrypted data):\n"
	       "  1. Copy out what you want to keep from ~/Private while it is mounted.\n"
	       "  2. ecryptfs-umount-private\n"
	       "  3. chmod 700 ~/Private && rmdir ~/Private\n"
	       "  4. rm -rf ~/.Private ~/.ecryptfs\n"
	       "With an encrypted home (-b), see ecryptfs-setup-private(1).\n");
}

/* An eCryptfs mount sits on path: decided by its fd, not by the mount table's strings (issue #10). */
static bool mounted_on(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool ret;

	if (fd < 0)
		return false;
	ret = ect_mount_find_over(NULL, fd, -1, NULL, NULL) == 1;
	close(fd);
	return ret;
}

/*
 * ~/Private left mounted by a killed run (or helper): unmount it through
 * the helper while the configuration it needs is still there. -1 after one
 * line saying what to run; the caller must then keep ~/.ecryptfs.
 */
int setup_unmount_left(struct ect_ctx *ctx, const struct setup *s)
{
	if (s->bootstrap || !mounted_on(s->mnt))
		return 0;
	cli_private_run_helper(ctx, "umount.ecryptfs_private", "-f", NULL);
	if (!mounted_on(s->mnt))
		return 0;
	ect_err(ctx, "%s is still mounted and 'umount.ecryptfs_private -f' could not unmount it; "
		     "%s is kept: run 'umount.ecryptfs_private -f' (or as root 'umount %s'), then "
		     "ecryptfs-setup-private again", s->mnt, s->cfgdir, s->mnt);
	return -1;
}

/* Signatures of the mount passphrase without touching a keyring (bootstrap). */
static int compute_sigs(struct ect_ctx *ctx, const char *pass, size_t len, bool fnek,
			struct ect_config_sigs *sigs)
{
	uint8_t salt[ECT_SALT_SIZE], *key = ect_secure_alloc(ECT_KEY_SIZE);
	int r;

	if (!key)
		return ECT_E_SECMEM;
	cli_rc_salt(ctx, salt);
	r = ect_derive_key(pass, len, salt, key);
	if (!r)
		r = ect_key_signature(key, sigs->fekek);
	sigs->fnek[0] = '\0';
	if (!r && fnek) {
		r = ect_derive_key(pass, len, ect_fnek_salt, key);
		if (!r)
			r = ect_key_signature(key, sigs->fnek);
	}
	ect_secure_free(key);
	return r;
}

/* mount, write, unmount, mount, read back, remove, unmount: as 111's self-test. */
static int self_test(struct ect_ctx *ctx, struct setup *s, const char *pass, size_t len, bool fnek)
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

static int resolve_user(struct ect_ctx *ctx, struct setup *s)
{
	struct passwd *pw = s->user ? getpwnam(s->user) : getpwuid(getuid());

	if (!pw) {
		ect_err(ctx, "no such user: %s", s->user ? s->user : "(your uid)");
		return -1;
	}
	if (getuid() != 0 && pw->pw_uid != getuid()) {
		ect_err(ctx, "only root can set up another user (-u %s)", pw->pw_name);
		return -1;
	}
	if (s->bootstrap && getuid() != 0) {
		ect_err(ctx, "-b (bootstrap an encrypted home) must run as root");
		return -1;
	}
	if (ect_username_check(pw->pw_name) || !pw->pw_dir || pw->pw_dir[0] != '/') {
		ect_err(ctx, "refusing user %s: unusual name or home", pw->pw_name);
		return -1;
	}
	s->name = strdup(pw->pw_name);
	s->home = strdup(pw->pw_dir);
	s->uid = pw->pw_uid;
	s->gid = pw->pw_gid;
	return s->name && s->home ? 0 : -1;
}

/* The wrapping and the mount passphrase, asked or read before anything is created. */
static int get_secrets(struct ect_ctx *ctx, const struct setup *s, struct cli_secret *wpw,
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
static int write_files(struct ect_ctx *ctx, struct setup *s, const struct cli_secret *mpw,
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

void setup_print_recovery(struct setup *s, const char *pass)
{
	if (s->recovery_shown)
		return;
	s->recovery_shown = true;
	printf("\n************************************************************************\n"
		       "YOUR RECOVERY (MOUNT) PASSPHRASE, shown this once. Write it down and keep it\n"
		       "safe: with it your data can be recovered if the login password is lost.\n\n"
		       "    %s\n\n"
		       "(ecryptfs-unwrap-passphrase shows it again while you know the %s.)\n"
		       "************************************************************************\n\n",
		       pass, s->wrapping ? "wrapping passphrase" : "login password");
	fflush(stdout);
}

static void print_done(struct setup *s, const struct cli_secret *mpw, bool generated)
{
	if (generated)
		setup_print_recovery(s, mpw->s);
	printf("Done configuring %s on %s (lower directory %s).\n", s->bootstrap ? "the encrypted home" : "~/Private",
	       s->mnt, s->lower);
	if (s->bootstrap)
		printf("The files that were in %s are now inside the encrypted home; it is unmounted "
		       "until %s logs in.\n", s->home, s->name);
}

/* What one run decides before it touches anything, and what it makes. */
struct setup_run {
	struct ect_config_sigs sigs;
	struct ect_argon2_params params;
	enum ect_wrap_version version;
	bool params_set, fnek, generated;
};

/* Phase 1: the wrapping format, the kernel, warnings about the options. An exit code or 0. */
static int setup_options(struct ect_ctx *ctx, struct setup *s, struct setup_run *run)
{
	if (cli_wrap_params(ctx, &s->wopts, ECT_WRAP_V3, &run->version, &run->params,
				&run->params_set))
		return ECT_EXIT_USAGE;
	if (setup_check_backend(ctx, s, &run->fnek))
		return ECT_EXIT_FAILURE;
	run->fnek = run->fnek && !s->no_fnek;
	if (s->loginpass_arg || s->mountpass_arg)
		fprintf(stderr, "WARNING: a passphrase given with -l or -m on the command line is "
				"visible to other users (ps, /proc); prefer --password-file and "
				"--passphrase-file.\n");
	return 0;
}

/* Phase 2: the checks before anything is created. 0, or -1 (said why). */
static int setup_check_free(struct ect_ctx *ctx, struct setup *s)
{
	if (setup_open_top(ctx, s, false) || setup_open_existing(ctx, s, s->top.fd, &s->cfgd) ||
	    setup_open_existing(ctx, s, s->top.fd, &s->lowerd))
		return -1;
	if (!s->force &&
	    setup_exists_at(s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE) != setup_exists_at(s->cfgd.fd, "Private.sig") &&
	    !setup_dir_nonempty(s->lowerd.fd)) {
		/* a setup killed between its two files: nothing was encrypted with it */
		ect_warn(ctx, "%s holds an unfinished setup; replacing it (the old file is kept as a "
			      "backup)", s->cfgdir);
		s->force = 1;
	}
	if (!s->force && (setup_exists_at(s->cfgd.fd, ECT_WRAPPED_PASSPHRASE_FILE) || setup_exists_at(s->cfgd.fd, "Private.sig"))) {
		ect_err(ctx, "%s already holds a setup (wrapped-passphrase or Private.sig); use --force "
			     "to replace it (the old files are kept as backups)", s->cfgdir);
		return -1;
	}
	if (setup_dir_nonempty(s->lowerd.fd)) {
		ect_err(ctx, "%s is not empty; refusing to set up over existing encrypted data",
			s->lower);
		return -1;
	}
	if (s->bootstrap && mounted_on(s->mnt)) {
		ect_err(ctx, "%s is mounted; unmount it first", s->mnt);
		return -1;
	}
	/* left by a killed run; the lower directory is empty, nothing is lost */
	if (setup_unmount_left(ctx, s))
		return -1;
	if (setup_bootstrap_wanted(s) && setup_bootstrap_check(ctx, s))
		return -1;
	return 0;
}

/*
 * Phase 3: create the tree, the keys and the files, and test them. 0, or -1
 * (said why): the caller rolls back.
 */
static int setup_create(struct ect_ctx *ctx, struct setup *s, struct setup_run *run,
			const struct cli_secret *wpw, const struct cli_secret *mpw)
{
	int r;

	/* -b: from here on a rerun after a kill finds a state file and undoes this run */
	if (s->bootstrap && (setup_open_ecryptfs_dir(ctx, s) ||
			     setup_state_write(ctx, s, SETUP_PHASE_COPY)))
		return -1;
	/* create; from here on a failure rolls back */
	if (setup_make_tree(ctx, s))
		return -1;
	if (s->force)
		setup_back_up(s);
	/* now with what this run made and backed up */
	if (s->bootstrap && setup_state_write(ctx, s, SETUP_PHASE_COPY))
		return -1;
	if (s->bootstrap) {
		r = compute_sigs(ctx, mpw->s, mpw->len, run->fnek, &run->sigs);
	} else {
		r = cli_private_add_keys(ctx, mpw->s, mpw->len, run->fnek, run->sigs.fekek,
					 run->sigs.fnek);
	}
	if (r)
		return -1;
	if (write_files(ctx, s, mpw, wpw, run->version, run->params_set ? &run->params : NULL,
			&run->sigs) ||
	    setup_write_fuse_flag(ctx, s))
		return -1;
	if (!s->bootstrap) {
		if (self_test(ctx, s, mpw->s, mpw->len, run->fnek))
			return -1;
		/* 111: the unmounted ~/Private is read-only so nothing lands unencrypted */
		if (fchmod(s->mntd.fd, 0500))
			ect_warn(ctx, "cannot make %s read-only: %s", s->mnt, strerror(errno));
	}
	return 0;
}

/*
 * Phase 4: -b fills the new home; then the summary. 0 when done, 1 when the
 * files are in but plain copies are left (no rollback then), -1 to roll back.
 */
static int setup_finish(struct ect_ctx *ctx, struct setup *s, const struct setup_run *run,
			const struct cli_secret *mpw)
{
	int r;

	if (s->bootstrap) {
		/* as 111: mount the new home, link inside; then move what is there in, and unmount */
		r = setup_populate_home(ctx, s, mpw->s, mpw->len, run->fnek);
		if (r && r != HOME_PART_MOVED)
			return -1;
		/* every file is in the new home now: no rollback past this point */
		if (r == HOME_PART_MOVED) {
			print_done(s, mpw, run->generated);
			if (setup_bootstrap_wanted(s))
				setup_bootstrap_done(s);
			ect_err(ctx, "the encrypted home of %s holds all the files, but plain copies of "
				     "some are still in the bare %s (see above): run "
				     "'ecryptfs-setup-private -b -u %s' again to remove them",
				s->name, s->home, s->name);
			return 1;
		}
	}
	print_done(s, mpw, run->generated);
	if (setup_bootstrap_wanted(s))
		setup_bootstrap_done(s);
	return 0;
}

static int do_setup(struct ect_ctx *ctx, struct setup *s)
{
	struct cli_secret wpw = { 0 }, mpw = { 0 };
	struct setup_run run = { .params_set = false };
	int ret = ECT_EXIT_FAILURE, r;

	r = setup_options(ctx, s, &run);
	if (r)
		return r;
	/* a -b run killed midway: finish it, or undo it and start afresh */
	r = setup_resume(ctx, s);
	if (r)
		return r > 0 ? ECT_EXIT_OK : ECT_EXIT_FAILURE;
	if (setup_check_free(ctx, s))
		return ECT_EXIT_FAILURE;

	if (get_secrets(ctx, s, &wpw, &mpw, &run.generated))
		goto out;
	s->show_recovery = run.generated;
	if (setup_create(ctx, s, &run, &wpw, &mpw))
		goto fail;
	r = setup_finish(ctx, s, &run, &mpw);
	if (r < 0)
		goto fail;
	if (!r)
		ret = ECT_EXIT_OK;
	goto out;
fail:
	setup_remove_fuse_flag(s); /* before the rollback empties ~/.ecryptfs */
	setup_rollback(ctx, s);
	/* only the keys this run added (none when it failed before adding them) */
	if (!s->bootstrap && run.sigs.fekek[0]) {
		ect_keyring_unlink(run.sigs.fekek);
		if (run.fnek)
			ect_keyring_unlink(run.sigs.fnek);
	}
out:
	cli_secret_free(&wpw);
	cli_secret_free(&mpw);
	return ret;
}

/* The paths and directory names of the layout (see struct setup). */
static int layout(struct setup *s)
{
	if (s->bootstrap) {
		if (asprintf(&s->base, ECRYPTFS_DIR "/%s", s->name) < 0 ||
		    asprintf(&s->cfgdir, "%s/.ecryptfs", s->base) < 0 ||
		    asprintf(&s->lower, "%s/.Private", s->base) < 0 || !(s->mnt = strdup(s->home)))
			return -1;
	} else if (asprintf(&s->cfgdir, "%s/.ecryptfs", s->home) < 0 ||
		   asprintf(&s->lower, "%s/.Private", s->home) < 0 ||
		   asprintf(&s->mnt, "%s/Private", s->home) < 0) {
		return -1;
	}
	s->top = (struct setup_dir){ s->name, s->bootstrap ? s->base : s->home, -1, 0 };
	s->cfgd = (struct setup_dir){ ".ecryptfs", s->cfgdir, -1, 0 };
	s->lowerd = (struct setup_dir){ ".Private", s->lower, -1, 0 };
	s->mntd = (struct setup_dir){ "Private", s->mnt, -1, 0 };
	/* -b: root writes the files for the user; else the user (or root) writes their own */
	s->file_uid = getuid() == 0 ? s->uid : (uid_t)-1;
	s->file_gid = getuid() == 0 ? s->gid : (gid_t)-1;
	return 0;
}

int cmd_setup_private(struct ect_ctx *ctx, int argc, char **argv)
{
	struct setup s;
	int r, ret = ECT_EXIT_FAILURE;

	memset(&s, 0, sizeof(s));
	s.ecfd = -1;
	s.top.fd = s.cfgd.fd = s.lowerd.fd = s.mntd.fd = s.lockfd = s.lockdirfd = -1;
	r = parse(ctx, &s, argc, argv);
	if (r)
		return cli_usage(r, setup_usage);
	if (s.undo) {
		print_undo();
		return ECT_EXIT_OK;
	}
	if (resolve_user(ctx, &s))
		goto out;
	if (!s.bootstrap && getuid() == 0 && s.uid != 0 && setup_become_user(ctx, &s))
		goto out;
	if (layout(&s))
		goto out;
	/*
	 * -b: a second run for the same user would undo this one's work in
	 * progress; the user's own processes would use the files it moves
	 */
	if (s.bootstrap && getuid() == 0 &&
	    (setup_lock(ctx, &s) || setup_check_user_away(ctx, &s)))
		goto out;
	ret = do_setup(ctx, &s);
out:
	setup_unlock(&s);
	setup_close_dirs(&s);
	free(s.name);
	free(s.home);
	free(s.base);
	free(s.cfgdir);
	free(s.lower);
	free(s.mnt);
	return ret;
}
