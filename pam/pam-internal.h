/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_ecryptfs internals. The module is thin: it parses options, keeps the
 * login password between auth and session, forks a child that drops to the
 * user and calls the library, and turns outcomes into PAM codes and messages.
 *
 * Two rules shape the code:
 *  - The PAM application's own process never initialises libgcrypt: its
 *    secure-memory setup permanently drops root when ruid != 0 == euid,
 *    which would break su and passwd. Secrets in this process live in
 *    ect_secure_alloc's pages, which do not need libgcrypt; every library
 *    call that does crypto runs in the forked child, after it became the user.
 *  - Nothing touches a user's files as root: the parent peeks at ~/.ecryptfs
 *    with pam_modutil_drop_priv(), the child reads everything else.
 */
#ifndef PAM_ECRYPTFS_INTERNAL_H
#define PAM_ECRYPTFS_INTERNAL_H

#include "ecryptfs-tools.h"
#include "ect-private.h"

#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#define PAM_ECT_IDENT "pam_ecryptfs"
/* pam_set_data names; module-private by prefix. */
#define PAM_ECT_DATA_AUTHTOK "ecryptfs_tools_authtok"
#define PAM_ECT_DATA_COUNTED "ecryptfs_tools_counted"
/* Keys a failed open added and could not take back at once: close_session retries. */
#define PAM_ECT_DATA_ADDED_KEYS "ecryptfs_tools_added_keys"
/* The aliases other than Private this handle's open counted, one a line: close uncounts them. */
#define PAM_ECT_DATA_ALIASES "ecryptfs_tools_aliases"
/* The most aliases marked for login (ALIAS.auto-mount) one login mounts. */
#define PAM_ECT_ALIASES_MAX 16

/* ---- options (pam-options.c) ------------------------------------------- */
struct pam_ect_opts {
	bool debug;
	bool quiet;	   /* no pam_info/pam_error text for the user */
	bool keep_v2;	   /* write v2 when rewrapping (old ecryptfs-utils must read it) */
	char helper_dir[256]; /* where mount/umount.ecryptfs_private live */
	/* kdf_max_mib=, kdf_max_t=: the most Argon2id cost one login may spend */
	struct ect_argon2_params kdf_max;
	/* token_pin=: where a token protector's PIN comes from */
	enum { PAM_ECT_PIN_ASK, PAM_ECT_PIN_PASSWORD } token_pin;
};

/*
 * Default login budget: twice the memory calibration ever writes on this
 * machine (256 MiB, RAM / 8 on small ones), so any file our tools made
 * passes, and the most passes calibration writes.
 */
#define PAM_ECT_KDF_MAX_MIB_DEFAULT (2 * ECT_ARGON2_CALIBRATE_MAX_M_KIB / 1024)
#define PAM_ECT_KDF_MAX_T_DEFAULT ECT_ARGON2_MAX_T

/* Parse argv; logs and skips unknown options. Returns PAM_SUCCESS or PAM_SERVICE_ERR. */
int pam_ect_parse_opts(pam_handle_t *pamh, int argc, const char **argv, struct pam_ect_opts *o);
/*
 * Refuse a helper directory a user other than root or `owner` could change;
 * on success dir (size bytes) becomes the checked path, without symlinks.
 */
int pam_ect_helper_dir_trusted(char *dir, size_t size, uid_t owner);

/* ---- per-call state (pam-util.c) ---------------------------------------- */
struct pam_ect_call {
	pam_handle_t *pamh;
	struct pam_ect_opts opts;
	struct ect_ctx *ctx;	/* logging only in the parent: pam_syslog */
	const char *user;
	struct passwd pw;
	char *pwbuf;
	/*
	 * What holds .ecryptfs: the home, or (password hooks, when the home
	 * lacks it: a mounted whole home without 111's links) the home's tree
	 * PAM_ECT_HOME_TREE/USER. Set by pam_ect_peek_home.
	 */
	bool home_tree_fallback;
	char cfg_base[4096];
	/*
	 * The ~/.ecryptfs pam_ect_peek_home opened and looked into, or -1. The
	 * child reads through this fd, never the name again: what it reads is
	 * the tree the parent checked, whatever the name holds by then.
	 */
	int cfg_fd;
};

/*
 * Options, context, user and passwd entry. Returns PAM_SUCCESS,
 * PAM_USER_UNKNOWN, PAM_SERVICE_ERR, PAM_BUF_ERR (or a pam_get_user code).
 */
int pam_ect_call_begin(struct pam_ect_call *c, pam_handle_t *pamh, int argc, const char **argv);
void pam_ect_call_end(struct pam_ect_call *c);

/* Message to the user through the conversation, unless quiet; never fails the hook. */
void pam_ect_tell(struct pam_ect_call *c, bool error, const char *fmt, ...) ECT_PRINTF(3, 4);

/*
 * Is there a ~/.ecryptfs for this user, and which flags does it hold?
 * Looked up with the user's privileges. Returns 0 (found), -ENOENT (no
 * encrypted directory), or another negative errno (e.g. -EACCES).
 */
struct pam_ect_peek {
	bool auto_mount;	 /* Private's auto-mount, or an alias marked for login */
	bool private_auto_mount; /* auto-mount: Private is mounted at login */
	bool wrapping_independent;
	bool wrapped_passphrase;
	bool token_records; /* wrapped-passphrase.token exists */
	bool mounted; /* only looked up with wrapping_independent */
	bool bootstrap; /* /dev/shm/.ecryptfs-USER exists (not checked: the child does) */
	/*
	 * The aliases other than Private with ALIAS.auto-mount: the first
	 * PAM_ECT_ALIASES_MAX in byte order; n_marked counts them all.
	 */
	size_t n_aliases, n_marked;
	char aliases[PAM_ECT_ALIASES_MAX][ECT_ALIAS_MAX + 1];
	/* The same for those with ALIAS.wrapped-passphrase or its token records (chauthtok). */
	size_t n_protected, n_protected_all;
	char protected[PAM_ECT_ALIASES_MAX][ECT_ALIAS_MAX + 1];
	unsigned char protected_by[PAM_ECT_ALIASES_MAX]; /* PAM_ECT_BY_* */
};
#define PAM_ECT_BY_PASSWORD 1 /* ALIAS.wrapped-passphrase */
#define PAM_ECT_BY_TOKEN 2    /* ALIAS.wrapped-passphrase.token */
int pam_ect_peek_home(struct pam_ect_call *c, struct pam_ect_peek *peek);
/*
 * 1 when cfg's mount point is the root of an eCryptfs mount stacked on its
 * lower directory, by identity (fds, mount ids, dev/ino; issue #10), never by
 * the mount table's strings. 0 when not, negative errno when a path cannot
 * be opened. Call with the user's (fs)uid.
 */
int pam_ect_private_mounted(uid_t uid, const struct ect_private_config *cfg);

/* ---- the child (pam-child.c) -------------------------------------------- */

/* What the child reports when it exits by itself (before any exec). */
enum pam_ect_child_result {
	PAM_ECT_OK = 0,
	PAM_ECT_NOT_AUTOMOUNT = 1,   /* no auto-mount / auto-umount flag: nothing to do */
	PAM_ECT_NO_PASSWORD = 2,     /* home locked and no password to open it */
	PAM_ECT_WRONG_PASSWORD = 3,  /* wrapped-passphrase does not open with it */
	PAM_ECT_CORRUPT = 4,	     /* wrapped-passphrase or Private.sig malformed */
	PAM_ECT_UNREADABLE = 5,	     /* ~/.ecryptfs files cannot be read */
	PAM_ECT_KEYRING = 6,	     /* adding keys failed */
	PAM_ECT_SIG_MISMATCH = 7,    /* unwrapped passphrase is not the one in Private.sig */
	PAM_ECT_WRITE_FAILED = 8,    /* could not write the rewrapped file */
	PAM_ECT_PRIV = 9,	     /* could not become the user */
	PAM_ECT_NO_OLD_PASSWORD = 10, /* chauthtok without the old password */
	PAM_ECT_EXEC_FAILED = 11,    /* helper could not be executed */
	PAM_ECT_INTERNAL = 12,
	PAM_ECT_KDF_COST = 13,	     /* v3 Argon2id cost above the login's kdf_max_* budget */
	PAM_ECT_BOOTSTRAP_REFUSED = 14, /* /dev/shm/.ecryptfs-USER is not the user's own (logged) */
	PAM_ECT_NO_BOOTSTRAP = 15,   /* no bootstrap passphrase waiting */
	PAM_ECT_TOKEN_FAILED = 16,   /* token records only, and none opened (flags say why) */
	PAM_ECT_NO_TOKEN = 17,	     /* pam-token.c: no token record opened; try the password */
	PAM_ECT_BAD_FLAG = 18,	     /* ALIAS.auto-mount refused (a link, or not the user's) */
	PAM_ECT_MEDIUM_ABSENT = 19,  /* the wrapped file's declared medium is not present (output says where) */
	PAM_ECT_HELPER = 100,	     /* the helper ran; see helper_status */
};

/* Signatures of the keys one login added (FEKEK and FNEK at most). */
struct pam_ect_keys {
	unsigned int count;
	char sig[2][ECT_SIG_HEX_SIZE + 1];
};

/* Work the child does as the user; returns an enum pam_ect_child_result. */
struct pam_ect_job;
typedef int (*pam_ect_child_fn)(struct pam_ect_job *job);

struct pam_ect_job {
	/* inputs */
	const struct pam_ect_opts *opts;
	const struct passwd *pw;
	const char *user;
	const char *cfg_base;	  /* what holds .ecryptfs, for messages (struct pam_ect_call) */
	int cfg_fd;		  /* the checked ~/.ecryptfs (struct pam_ect_call), or -1 */
	const char *password;	  /* login (or new) password, may be NULL */
	const char *old_password; /* chauthtok only */
	pam_ect_child_fn fn;
	const char *alias;	  /* open/close: NULL for Private, else an alias (its own key files) */
	bool unlock_always;	  /* open: unwrap and add the keys even if mounted with them */
	/* set by fn to exec a helper after it returns PAM_ECT_OK */
	const char *exec_argv[6];
	char exec_path[320];
	/* pam_ect_job_drop_keys: the keys to unlink from @u */
	const struct pam_ect_keys *drop;
	/* in the child only: its end of the report pipe (pam-child.c) */
	int report_fd;
	/* outputs, filled in the parent */
	int helper_status; /* exit code of the helper, -1 if killed */
	char output[512];  /* first bytes the child/helper wrote to stdout/stderr */
	unsigned int child_flags; /* PAM_ECT_FLAG_* reported by the child */
	struct pam_ect_keys added; /* keys the child put into @u that were not there before */
	/*
	 * The parent's side of token PINs: the PIN the user typed, kept (locked)
	 * for a retry of the same login; pin_spent once the token refused it,
	 * so that nothing asks again (the token counts wrong PINs).
	 */
	char *pin;
	bool pin_spent;
};

/*
 * mount.ecryptfs_private's exit status when a key is not in @u
 * (ECT_MNT_NO_KEY, mount.ecryptfs_private(8)): a session closing between our
 * keyring check and the helper's lock dropped them; open unwraps and retries.
 */
#define PAM_ECT_HELPER_NO_KEY 3
#define PAM_ECT_OPEN_ATTEMPTS 3

#define PAM_ECT_FLAG_UPGRADED 0x1   /* the wrapped passphrase was rewritten as v3 */
#define PAM_ECT_FLAG_STALE 0x2	    /* a stale-wrap marker exists or was written */
#define PAM_ECT_FLAG_MOUNTED 0x4    /* the private directory was already mounted */
#define PAM_ECT_FLAG_UPGRADE_FAILED 0x8
#define PAM_ECT_FLAG_TOKEN_MISSING 0x10 /* a record's token is not present */
#define PAM_ECT_FLAG_PIN_WRONG 0x20	/* the token refused the PIN */
#define PAM_ECT_FLAG_PIN_LOCKED 0x40	/* the token's PIN is locked */
#define PAM_ECT_FLAG_TOKEN_ERROR 0x80	/* a record failed otherwise (logged) */

/*
 * A forked child of the application (pam-child.c), shared by the job child
 * and the peek child (pam-util.c). pam_ect_child_fds: forget libc's syslog
 * socket (closelog), move the nkeep fds of keep (updated in place) to
 * ascending numbers from PAM_ECT_CHILD_FD_MIN, close-on-exec, where nothing
 * the application cached can name them; 0 on /dev/null, 1 and 2 on out_fd
 * (-1: /dev/null); every other fd closed. 0 or -1.
 * pam_ect_child_become: RLIMIT_CORE 0, become pw's user for good (checked),
 * then not dumpable. 0 or negative.
 */
#define PAM_ECT_CHILD_FD_MIN 64
/* The peek's as-user child (pam-util.c) is killed after this long. */
#define PAM_ECT_PEEK_TIMEOUT_MS 10000
int pam_ect_child_fds(int *keep, size_t nkeep, int out_fd);
int pam_ect_child_become(const struct passwd *pw);

/* Called from the child to report flags to the parent. */
void pam_ect_child_flag(struct pam_ect_job *job, unsigned int flag);
/* Called from the child: it added the key named sig to @u (it was not there). */
void pam_ect_child_key_added(struct pam_ect_job *job, const char *sig);

/*
 * Called from the child: ask the parent for the PIN of token label (flags:
 * enum ect_token_pin_flags). 0 with *pin in locked memory, or -ECANCELED.
 */
int pam_ect_child_ask_pin(struct pam_ect_job *job, const char *label, unsigned int flags,
			  char **pin, size_t *pin_len);

/*
 * Fork; the child drops to the user (setgroups, setgid, setuid, each
 * checked), runs job->fn and, if it asks, execs job->exec_path with a clean
 * environment. Returns an enum pam_ect_child_result (PAM_ECT_HELPER when a
 * helper ran) or PAM_ECT_INTERNAL when fork/wait failed.
 */
int pam_ect_run_child(struct pam_ect_call *c, struct pam_ect_job *job);

/* ---- the child's jobs (pam-work.c) -------------------------------------- */
int pam_ect_job_open(struct pam_ect_job *job);	    /* unwrap, add keys, exec mount helper */
int pam_ect_job_close(struct pam_ect_job *job);	    /* exec umount helper */
int pam_ect_job_rewrap(struct pam_ect_job *job);    /* chauthtok: old -> new */
int pam_ect_job_mark_stale(struct pam_ect_job *job); /* chauthtok without old password */
int pam_ect_job_drop_keys(struct pam_ect_job *job);  /* unlink job->drop from @u */
int pam_ect_job_bootstrap(struct pam_ect_job *job);  /* chauthtok: wrap the /dev/shm passphrase */
int pam_ect_job_token_rewrap(struct pam_ect_job *job); /* chauthtok: AND records, old -> new */
/* The child's logging context (one per child process). */
struct ect_ctx *pam_ect_child_ctx(const struct pam_ect_job *job);
/*
 * In the child: a new fd (close-on-exec) of the ~/.ecryptfs the parent
 * checked, refused unless it is a directory of the user that group and
 * others cannot write. PAM_ECT_OK or the child result of the error (logged).
 */
int pam_ect_config_dir(struct pam_ect_job *job, int *dirfd);
/* Log a ~/.ecryptfs reading error; the child result for it. */
int pam_ect_map_config_error(struct pam_ect_job *job, int err, const struct ect_config_error *cerr);

/* ---- the hooks' shared steps (pam_ecryptfs.c) ----------------------------- */
/* A job for the child: who the user is, what to run. */
void pam_ect_job_init(struct pam_ect_call *c, struct pam_ect_job *job, pam_ect_child_fn fn);
/* Run an open job, unwrapping again when another session's close took the keys. */
int pam_ect_open_with_retry(struct pam_ect_call *c, struct pam_ect_job *job);
/* Unlink the keys a failed open added (never another session's); true when gone. */
bool pam_ect_drop_added_keys(struct pam_ect_call *c, const struct pam_ect_keys *keys);
/*
 * When they could not be taken back: keep them (Private's and each alias's)
 * for close_session, where pam_ect_drop_kept_keys tries once more.
 */
void pam_ect_keep_for_close(struct pam_ect_call *c, const struct pam_ect_keys *keys);
void pam_ect_drop_kept_keys(struct pam_ect_call *c);

/* ---- aliases other than Private (pam-aliases.c) ---------------------------- */
/*
 * open_session: mount every alias peek marks for login (ALIAS.auto-mount)
 * with password or its token records, each with its own keys and PIN. One
 * that does not open is skipped with one log line and a note to the user,
 * its added keys taken back. The counted ones are kept in PAM data
 * (PAM_ECT_DATA_ALIASES). Returns how many were counted.
 */
unsigned int pam_ect_open_aliases(struct pam_ect_call *c, const struct pam_ect_peek *peek,
				  const char *password);
/* close_session: uncount (the last session: unmount) each alias of list. PAM_SUCCESS or _SESSION_ERR. */
int pam_ect_close_aliases(struct pam_ect_call *c, const char *list);
/*
 * chauthtok: rewrap, from old_pw to new_pw, the wrapped passphrase (and the
 * token AND password records) of every alias of peek that the old password
 * opens; one it opens but cannot rewrap is logged and told, one it does not
 * open (its own passphrase) left alone. PAM_SUCCESS when one was rewrapped,
 * else PAM_IGNORE: an alias never fails the password change.
 */
int pam_ect_chauthtok_aliases(struct pam_ect_call *c, const struct pam_ect_peek *peek,
			      const char *old_pw, const char *new_pw);

/* ---- token protectors (pam-token.c) -------------------------------------- */
/*
 * In the child: open the first token record of dirfd that opens (records
 * in file order; the PIN asked at most once, through the parent). PAM_ECT_OK
 * with the mount passphrase in *pp (locked memory), PAM_ECT_NO_TOKEN when no
 * record opened and wrapped-passphrase may be tried (there are no records,
 * or it exists: the token OR the password), else PAM_ECT_TOKEN_FAILED or
 * PAM_ECT_WRONG_PASSWORD (a token AND password record). Flags and the
 * system log say what each record did.
 */
int pam_ect_token_passphrase(struct pam_ect_job *job, int dirfd, char **pp, size_t *pp_len);
/*
 * In the parent: the PIN for the child's question, as an ect_secure_strndup
 * string in *pin (the caller frees it), or -ECANCELED. Asks through the
 * conversation once per login; a retry of the same login reuses it.
 */
int pam_ect_token_ask_pin(struct pam_ect_call *c, struct pam_ect_job *job, const char *label,
			  unsigned int flags, char **pin);
/* In the parent: tell the user what the token records did (job->child_flags). */
void pam_ect_token_tell(struct pam_ect_call *c, const struct pam_ect_job *job);

/* ---- the bootstrap passphrase of `ecryptfs-setup-private -b` (pam-bootstrap.c) ---- */
#define PAM_ECT_BOOTSTRAP_DIR "/dev/shm"
#define PAM_ECT_BOOTSTRAP_PREFIX ".ecryptfs-"
/* Where 111's -b keeps each user's .ecryptfs and .Private. */
#define PAM_ECT_HOME_TREE "/home/.ecryptfs"
/* Does /dev/shm/.ecryptfs-USER exist (lstat, with the caller's ids)? */
bool pam_ect_bootstrap_pending(const char *user);
/*
 * In the child: unless dirfd holds wrapped-passphrase, check the waiting
 * passphrase (the user's own regular file, mode 0400/0600, one link, giving
 * the keys of sigs), wrap it with password, write it atomically, read it
 * back and unwrap it, and only then remove the /dev/shm file. Returns
 * PAM_ECT_OK, PAM_ECT_NO_BOOTSTRAP (nothing waiting or already wrapped),
 * PAM_ECT_BOOTSTRAP_REFUSED (logged; the file stays) or PAM_ECT_WRITE_FAILED.
 */
int pam_ect_bootstrap_wrap(struct pam_ect_job *job, int dirfd, const struct ect_config_sigs *sigs,
			   const char *password);

#endif /* PAM_ECRYPTFS_INTERNAL_H */
