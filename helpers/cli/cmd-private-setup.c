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
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		r = cli_compute_sigs(ctx, mpw->s, mpw->len, run->fnek, &run->sigs);
	} else {
		r = cli_private_add_keys(ctx, mpw->s, mpw->len, run->fnek, run->sigs.fekek,
					 run->sigs.fnek);
	}
	if (r)
		return -1;
	if (setup_write_files(ctx, s, mpw, wpw, run->version,
			      run->params_set ? &run->params : NULL, &run->sigs) ||
	    setup_write_fuse_flag(ctx, s))
		return -1;
	if (!s->bootstrap) {
		if (setup_self_test(ctx, s, mpw->s, mpw->len, run->fnek))
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

	if (setup_get_secrets(ctx, s, &wpw, &mpw, &run.generated))
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
	r = setup_parse(ctx, &s, argc, argv);
	if (r)
		return cli_usage(r, setup_usage);
	if (s.undo) {
		setup_print_undo();
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
