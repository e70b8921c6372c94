/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the verify module (verify*.c); never installed. */
#ifndef ECT_VERIFY_INTERNAL_H
#define ECT_VERIFY_INTERNAL_H

#include "ect-internal.h"

#include <limits.h>
#include <sys/stat.h>

#define ECT_VERIFY_ECRYPTFS_ROOT "/home/.ecryptfs"

/*
 * State of one user's check run. Every file is reached through the fds
 * below, opened without following a symlink the user could plant (root
 * runs these checks over every account); the paths are for messages.
 */
struct ect_vrun {
	const struct ect_verify_target *t;
	const struct ect_verify_opts *o;
	struct ect_report *r;
	int home_fd;	      /* HOME as passwd names it (the mounted view when mounted) */
	int base_fd;	      /* /home/.ecryptfs/USER of a whole home, else -1 */
	int dot_fd;	      /* the configuration directory, -1 when unusable */
	int lower_fd;	      /* the lower directory, -1 when unusable */
	int whole_home;	      /* /home/.ecryptfs/USER exists: the encrypted-home layout */
	int mounted;	      /* an eCryptfs mount of the lower directory or on mnt exists */
	int fuse_mounted;     /* that mount is the user's ecryptfs-fuse on mnt */
	char base[PATH_MAX];  /* /home/.ecryptfs/USER */
	char dot[PATH_MAX];   /* HOME/.ecryptfs, or base/.ecryptfs of a whole home */
	char lower[PATH_MAX]; /* HOME/.Private, or base/.Private of a whole home */
	char mnt[PATH_MAX];   /* Private.mnt, or HOME/Private */
	char sigs[2][ECT_SIG_HEX_SIZE + 1];
	int nsig;	      /* valid signatures read from Private.sig */
	int lower_ok;	      /* the lower directory exists and can be walked */
	int wrap_version;     /* of wrapped_file: ECT_WRAP_V*, 0 when absent or unreadable */
	/* whose key files the key checks look at (ect__verify_use_alias); NULL: Private */
	const char *alias;
	char wrapped_file[ECT_ALIAS_FILE_SIZE]; /* wrapped-passphrase or ALIAS.wrapped-passphrase */
	char token_file[ECT_ALIAS_FILE_SIZE];	/* wrapped-passphrase.token or ALIAS.... */
};

/* snprintf for paths in messages; truncation is acceptable there. */
void ect__fmt(char *out, size_t size, const char *fmt, ...) ECT_PRINTF(3, 4);

/* A fix as a check describes it; the report keeps copies of the strings. */
struct ect__fix_spec {
	enum ect_fix_kind kind;
	unsigned int mode;
	const char *user;
	const char *path;
	const char *path2;
};
/* ECT_FIX(kind, .path = ..., ...) */
#define ECT_FIX(...) (&(const struct ect__fix_spec){ .kind = __VA_ARGS__ })
/* ect_report_add with a fix (NULL: none); -ENOMEM if it cannot. */
int ect__report_fix(struct ect_report *report, enum ect_severity severity, const char *check,
		    const struct ect__fix_spec *fix, const char *fmt, ...) ECT_PRINTF(5, 6);
/* Owner and group/other-write checks of one file or directory (fix: chown/chmod). */
int ect__verify_owner_mode(struct ect_vrun *v, const char *check, const char *path,
			   const struct stat *st, mode_t warn_bits, mode_t want);
/* Sample lower files: headers, signatures, plaintext, name encryption. */
int ect__verify_lower(struct ect_vrun *v);
/*
 * Find the layout and open home_fd, base_fd, dot_fd and lower_fd (the
 * latter two stay -1 when unusable, with a finding saying why). Returns 0,
 * 1 when the account has no eCryptfs setup at all, or a negative error.
 */
int ect__verify_layout(struct ect_vrun *v);
/* Whole home: the links in HOME, Private.mnt is HOME, nothing plain underneath. */
int ect__verify_whole_home(struct ect_vrun *v);
/*
 * Point the key checks below at alias's key files (NULL: Private's, as
 * ecryptfs-utils 111 names them); sets wrap_version to 0.
 */
int ect__verify_use_alias(struct ect_vrun *v, const char *alias);
/*
 * The wrapped passphrase (wrapped_file): type, owner, mode, a symlink as
 * login judges it, version and cost; sets wrap_version.
 */
int ect__verify_wrapped(struct ect_vrun *v);
/* ALIAS.sig of v->alias (Private.sig) as the mount helper reads it, into *sigs. */
int ect__verify_sig(struct ect_vrun *v, struct ect_config_sigs *sigs);
/*
 * The protectors of the mount passphrase: the password (wrapped_file, as
 * ect__verify_wrapped found it) and the token records (token_file), with
 * warnings about unsafe ones and a warning when there is none. line gets
 * them in one phrase ("" when none), e.g. "password (v3), token record 0
 * (token OR password)".
 */
int ect__verify_protector_list(struct ect_vrun *v, char *line, size_t size);
/* Private's protectors: ect__verify_protector_list and its info line. */
int ect__verify_protectors(struct ect_vrun *v);
/* verify-alias.c: each alias besides Private, its line and its key checks. */
int ect__verify_aliases(struct ect_vrun *v);
/* true when the configuration directory holds token_file (any kind). */
bool ect__verify_has_tokens(struct ect_vrun *v);
/* sshd's AuthorizedKeysFile inside the encrypted home. */
int ect__verify_ssh_keys(struct ect_vrun *v);
void ect__verify_close(struct ect_vrun *v);
/*
 * verify-fuse.c (issue #15): Private.fuse, the kernel's eCryptfs and
 * ecryptfs-fuse; and the user's ecryptfs-fuse mount on mnt (*found, with
 * its finding; sets mounted and fuse_mounted).
 */
int ect__verify_fuse(struct ect_vrun *v);
int ect__verify_fuse_mount(struct ect_vrun *v, int *found);
/* 1 when the user's ecryptfs-fuse mount is on mnt (no finding). */
int ect__verify_fuse_mounted_on(struct ect_vrun *v);

#endif /* ECT_VERIFY_INTERNAL_H */
