/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libecryptfs-tools: the one public header.
 *
 * Every exported symbol starts with "ect_" (types "struct ect_...",
 * constants "ECT_..."). Functions return 0 or a positive count on success and
 * a negative errno or a negative ECT_E_* code on failure; ect_strerror()
 * turns either into one line of text.
 *
 * Secrets (passwords, passphrases, keys) handed out by the library live in
 * locked memory from ect_secure_alloc() and must be released with
 * ect_secure_free() / ect_secure_free_str(), which wipe them.
 *
 * Sections, one per library module (see doc/architecture.md):
 *   core: errors, context and logging, secure memory, secret input, files
 *   kdf: eCryptfs SHA-512 chain, signatures, salts, Argon2id
 *   wrap: wrapped-passphrase files v1, v2, v3
 *   keys: auth tokens, keyring, mount passphrase, ~/.ecryptfs config
 *   mount: mount options, allowlists, path checks, session counter
 *   codec: lower-file header, contents and filename encryption
 */
#ifndef ECRYPTFS_TOOLS_H
#define ECRYPTFS_TOOLS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ECT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ECT_MUST_CHECK __attribute__((warn_unused_result))
#else
#define ECT_PRINTF(fmt, args)
#define ECT_MUST_CHECK
#endif

/* ======================================================================
 * core: errors
 * ====================================================================== */

/*
 * Library error codes. They are negative and below -ECT_E_BASE so that
 * they never collide with a negative errno.
 */
#define ECT_E_BASE 10000
enum ect_error {
	ECT_E_WRONG_PASSWORD = -(ECT_E_BASE + 1), /* secret does not open this file */
	ECT_E_FORMAT = -(ECT_E_BASE + 2),	  /* malformed or corrupt data */
	ECT_E_TRUNCATED = -(ECT_E_BASE + 3),	  /* data ends too early */
	ECT_E_VERSION = -(ECT_E_BASE + 4),	  /* format version not supported */
	ECT_E_PASSPHRASE_LEN = -(ECT_E_BASE + 5), /* passphrase not 1..64 bytes */
	ECT_E_WEAK_PARAMS = -(ECT_E_BASE + 6),	  /* KDF cost below the floor */
	ECT_E_HOSTILE_PARAMS = -(ECT_E_BASE + 7), /* KDF cost above the ceiling */
	ECT_E_CONFIG = -(ECT_E_BASE + 8),	  /* malformed configuration file */
	ECT_E_CRYPTO = -(ECT_E_BASE + 9),	  /* libgcrypt failed */
	ECT_E_NOT_ECRYPTFS = -(ECT_E_BASE + 10),  /* not an eCryptfs lower file */
	ECT_E_NO_KERNEL = -(ECT_E_BASE + 11),	  /* kernel has no eCryptfs */
	ECT_E_UNSAFE_PATH = -(ECT_E_BASE + 12),	  /* path fails an ownership/type check */
	ECT_E_REFUSED_OPTION = -(ECT_E_BASE + 13), /* mount option not allowed */
	ECT_E_UNSUPPORTED = -(ECT_E_BASE + 14),	  /* cipher or feature not supported */
	ECT_E_SECMEM = -(ECT_E_BASE + 15),	  /* locked memory exhausted */
	ECT_E_BAD_SIG = -(ECT_E_BASE + 16),	  /* signature is not 16 hex characters */
	ECT_E_NAME_TOO_LONG = -(ECT_E_BASE + 17), /* name exceeds the encrypted-name limit */
	ECT_E_LAST = -(ECT_E_BASE + 18),
};

/* One line describing err (negative errno or ECT_E_*); never NULL. */
const char *ect_strerror(int err);

/* ======================================================================
 * core: context and logging
 * ====================================================================== */

/*
 * A context carries what would otherwise be global state: the log sink,
 * the debug switch and the rate limiter. One per thread of use; the library
 * keeps no mutable globals of its own.
 */
struct ect_ctx;

enum ect_log_sink {
	ECT_LOG_STDERR = 0, /* tools: "PROGRAM: message" on stderr */
	ECT_LOG_SYSLOG = 1, /* PAM and the setuid helper */
	ECT_LOG_NONE = 2,
};

/* Priorities are syslog's: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
typedef void (*ect_log_fn)(void *userdata, int priority, const char *message);

/*
 * Create a context. ident names the program in log lines. This also
 * initialises libgcrypt and its secure memory pool once per process.
 */
int ect_ctx_new(struct ect_ctx **out, const char *ident, enum ect_log_sink sink) ECT_MUST_CHECK;
void ect_ctx_free(struct ect_ctx *ctx);
const char *ect_ctx_ident(const struct ect_ctx *ctx);

/* Route log lines to fn instead of the sink (e.g. pam_syslog). fn NULL restores the sink. */
void ect_ctx_set_log_fn(struct ect_ctx *ctx, ect_log_fn fn, void *userdata);
/* Debug level 0 (off) or 1.. (more detail). Never logs secrets at any level. */
void ect_ctx_set_debug(struct ect_ctx *ctx, int level);
int ect_ctx_debug(const struct ect_ctx *ctx);
/*
 * Honour ECRYPTFS_TOOLS_DEBUG=N from the environment. Callers must only use
 * this where the environment is the user's own (not in the setuid helper).
 */
void ect_ctx_debug_from_env(struct ect_ctx *ctx);
/* At most burst messages per interval_sec; a summary line reports drops. */
void ect_ctx_set_ratelimit(struct ect_ctx *ctx, unsigned int interval_sec, unsigned int burst);

void ect_log(struct ect_ctx *ctx, int priority, const char *fmt, ...) ECT_PRINTF(3, 4);
void ect_vlog(struct ect_ctx *ctx, int priority, const char *fmt, va_list ap) ECT_PRINTF(3, 0);
#define ect_err(ctx, ...) ect_log((ctx), 3, __VA_ARGS__)
#define ect_warn(ctx, ...) ect_log((ctx), 4, __VA_ARGS__)
#define ect_notice(ctx, ...) ect_log((ctx), 5, __VA_ARGS__)
#define ect_info(ctx, ...) ect_log((ctx), 6, __VA_ARGS__)
#define ect_debug(ctx, ...) ect_log((ctx), 7, __VA_ARGS__)

/* ======================================================================
 * core: secure memory
 * ====================================================================== */

/* Zeroed, locked (never swapped) memory; NULL if the locked pool is exhausted. */
void *ect_secure_alloc(size_t size);
/* Wipe size bytes and free. NULL is allowed. */
void ect_secure_free(void *ptr, size_t size);
/* Copy at most max bytes of s into locked memory (NUL-terminated). */
char *ect_secure_strndup(const char *s, size_t max);
/* Wipe strlen(s) bytes and free; NULL is allowed. */
void ect_secure_free_str(char *s);
/* explicit_bzero: a wipe the compiler cannot remove. */
void ect_wipe(void *ptr, size_t size);
/* Constant-time comparison; 0 when equal. */
int ect_memcmp_const(const void *a, const void *b, size_t size);
/*
 * Process hardening for programs that hold secrets: no core dumps, not
 * ptrace-attachable by the same user (PR_SET_DUMPABLE 0).
 */
int ect_harden_process(void);

/* ======================================================================
 * core: secret input
 * ====================================================================== */

/* Largest secret the library reads from any source, before format limits. */
#define ECT_SECRET_INPUT_MAX 4096

/*
 * Read one secret line from fd (up to '\n' or EOF, '\n' and a preceding
 * '\r' dropped) into locked memory. Reads byte by byte, so the rest of a
 * pipe stays for the next call. *out is NULL-terminated; *len excludes NUL.
 * Returns 0, -ENODATA at EOF before any byte, -EMSGSIZE past max bytes.
 */
int ect_read_secret_line(int fd, size_t max, char **out, size_t *len) ECT_MUST_CHECK;
/*
 * Read a whole file's first line as a secret (for --passphrase-file and
 * --password-file). "-" means standard input; "fd:N" means inherited fd N.
 */
int ect_read_secret_source(const char *source, size_t max, char **out, size_t *len) ECT_MUST_CHECK;
/*
 * Prompt on /dev/tty with echo off (stdin/stderr when there is no tty).
 * With confirm, asks twice and fails with -EINVAL when they differ.
 */
int ect_prompt_secret(const char *prompt, const char *confirm_prompt, size_t max,
		      char **out, size_t *len) ECT_MUST_CHECK;

/* ======================================================================
 * core: files
 * ====================================================================== */

/*
 * Atomically replace path with data: temp file in the same directory
 * (O_EXCL, mode), write, fsync, rename, fsync the directory. With owner
 * uid/gid >= 0 the new file gets that owner; (uid_t)-1 keeps the caller's.
 * Nothing but a complete file ever appears under path.
 */
int ect_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode,
			  uid_t uid, gid_t gid) ECT_MUST_CHECK;
/*
 * Read a regular file of at most max bytes (refuses larger, symlinks and
 * non-regular files). *data is malloc'ed; with secure != 0 it is in locked
 * memory and must be freed with ect_secure_free(*data, *size).
 */
int ect_read_file(const char *path, size_t max, int secure, void **data, size_t *size) ECT_MUST_CHECK;

/* ======================================================================
 * kdf: eCryptfs key derivation and Argon2id
 * ====================================================================== */

#define ECT_SALT_SIZE 8		/* eCryptfs salts are 8 raw bytes */
#define ECT_SIG_SIZE 8		/* binary key signature */
#define ECT_SIG_HEX_SIZE 16	/* its lowercase hex form, without NUL */
#define ECT_KEY_SIZE 64		/* derived FEKEK / FNEK */
#define ECT_PASSPHRASE_MAX 64	/* eCryptfs passphrase limit, bytes */
#define ECT_HASH_ITERATIONS 65536

/* 00 11 22 33 44 55 66 77: ECRYPTFS_DEFAULT_SALT_HEX decoded. */
extern const uint8_t ect_default_salt[ECT_SALT_SIZE];
/* ASCII "99887766": ecryptfs-utils passes "9988776655443322" un-decoded. */
extern const uint8_t ect_fnek_salt[ECT_SALT_SIZE];

/*
 * key = SHA-512^65536(salt || passphrase), the eCryptfs derivation.
 * passphrase: 1..64 bytes without NUL, else ECT_E_PASSPHRASE_LEN.
 */
int ect_derive_key(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
		   uint8_t key[ECT_KEY_SIZE]) ECT_MUST_CHECK;
/* sig = lowercase hex of SHA-512(key)[0..7], NUL-terminated. */
int ect_key_signature(const uint8_t key[ECT_KEY_SIZE], char sig[ECT_SIG_HEX_SIZE + 1]) ECT_MUST_CHECK;
/* Exactly 16 hex digits into 8 bytes (the salt= syntax), else -EINVAL. */
int ect_salt_from_hex(const char *hex, uint8_t salt[ECT_SALT_SIZE]) ECT_MUST_CHECK;
/* 0 when sig is exactly 16 lowercase hex characters, else ECT_E_BAD_SIG. */
int ect_sig_check(const char *sig);

/*
 * Argon2id limits. The floor is OWASP's minimum for Argon2id (t=2, 19 MiB,
 * one lane): cheap enough that tests and slow machines can use it, and still
 * memory-hard enough that a GPU guesses far slower than against eCryptfs'
 * SHA-512 chain. Readers refuse anything below it (ECT_E_WEAK_PARAMS) so
 * that editing a file cannot downgrade its cost. The ceiling bounds what a
 * hostile file can make a login spend (ECT_E_HOSTILE_PARAMS): memory is also
 * capped at half of the physical RAM, and t * m at ECT_ARGON2_MAX_WORK_KIB.
 */
#define ECT_ARGON2_MIN_T 2
#define ECT_ARGON2_MIN_M_KIB 19456u	  /* 19 MiB */
#define ECT_ARGON2_MIN_LANES 1
#define ECT_ARGON2_MAX_T 16
#define ECT_ARGON2_MAX_M_KIB 4194304u	  /* 4 GiB (and at most RAM / 2) */
#define ECT_ARGON2_MAX_LANES 16
#define ECT_ARGON2_MAX_WORK_KIB 16777216u /* t * m_cost_kib: 16 GiB of passes */
/* Calibration: memory from 64 MiB (RAM / 8 on small machines) up to 256 MiB, lanes <= 4. */
#define ECT_ARGON2_DEFAULT_MS 500
#define ECT_ARGON2_CALIBRATE_MIN_M_KIB 65536u
#define ECT_ARGON2_CALIBRATE_MAX_M_KIB 262144u
#define ECT_ARGON2_CALIBRATE_MAX_LANES 4

/* Argon2id cost. m_cost in KiB, as in RFC 9106. */
struct ect_argon2_params {
	uint32_t t_cost;
	uint32_t m_cost_kib;
	uint32_t lanes;
};
/* The documented floor: the cheapest parameters any reader accepts (tests use it). */
void ect_argon2_params_floor(struct ect_argon2_params *p);
/* 0, ECT_E_WEAK_PARAMS below the floor, ECT_E_HOSTILE_PARAMS above the ceiling. */
int ect_argon2_params_check(const struct ect_argon2_params *p);
/*
 * Parameters that take about target_ms on this machine: at least 64 MiB
 * where RAM allows, lanes = online CPUs up to 4, lanes computed in parallel.
 */
int ect_argon2_calibrate(unsigned int target_ms, struct ect_argon2_params *out) ECT_MUST_CHECK;
/* Argon2id (libgcrypt), lanes computed on threads. out should be locked memory. */
int ect_argon2id(const void *password, size_t password_len, const uint8_t *salt, size_t salt_len,
		 const struct ect_argon2_params *p, uint8_t *out, size_t out_len) ECT_MUST_CHECK;

/* ======================================================================
 * wrap: wrapped-passphrase files
 * ====================================================================== */

/* Largest wrapped-passphrase file any version produces, with room to spare. */
#define ECT_WRAP_FILE_MAX 4096

enum ect_wrap_version {
	ECT_WRAP_V1 = 1, /* sig || AES-128-ECB, salt from ~/.ecryptfsrc or default */
	ECT_WRAP_V2 = 2, /* ':' 0x02 salt8 sig16 AES-128-ECB (ecryptfs-utils 106..111) */
	ECT_WRAP_V3 = 3, /* ':' 0x03 Argon2id + AEAD (this project's default) */
};

/* What ecryptfs-tools writes unless asked for v2 (for hosts that still run ecryptfs-utils). */
#define ECT_WRAP_DEFAULT ECT_WRAP_V3

struct ect_wrap_info {
	enum ect_wrap_version version;
	struct ect_argon2_params params; /* v3 only */
};

/* Which version a blob is, and its v3 cost, without a password. */
int ect_wrap_identify(const void *blob, size_t size, struct ect_wrap_info *info) ECT_MUST_CHECK;
/*
 * Recover the mount passphrase. v1_salt is used for v1 blobs only (NULL
 * means the default salt). *passphrase is locked memory, NUL-terminated.
 * Returns ECT_E_WRONG_PASSWORD, ECT_E_FORMAT, ECT_E_TRUNCATED,
 * ECT_E_VERSION, ECT_E_WEAK_PARAMS or ECT_E_HOSTILE_PARAMS on failure.
 */
int ect_unwrap(const void *blob, size_t size, const char *wrapping_pw, size_t wrapping_len,
	       const uint8_t *v1_salt, char **passphrase, size_t *passphrase_len,
	       struct ect_wrap_info *info) ECT_MUST_CHECK;
/*
 * Wrap passphrase (1..64 bytes) under wrapping_pw. Writes v2 or v3 (v1 is
 * read-only). params: v3 cost, NULL to calibrate. *blob is malloc'ed.
 */
int ect_wrap(enum ect_wrap_version version, const char *passphrase, size_t len,
	     const char *wrapping_pw, size_t wrapping_len, const struct ect_argon2_params *params,
	     uint8_t **blob, size_t *size) ECT_MUST_CHECK;
/* File forms of the above; ect_wrap_file writes atomically with mode 0600 and owner uid/gid. */
int ect_unwrap_file(const char *path, const char *wrapping_pw, size_t wrapping_len,
		    const uint8_t *v1_salt, char **passphrase, size_t *passphrase_len,
		    struct ect_wrap_info *info) ECT_MUST_CHECK;
int ect_wrap_file(const char *path, enum ect_wrap_version version, const char *passphrase,
		  size_t len, const char *wrapping_pw, size_t wrapping_len,
		  const struct ect_argon2_params *params, uid_t uid, gid_t gid) ECT_MUST_CHECK;

/* ======================================================================
 * keys: auth tokens, keyring, mount passphrase, ~/.ecryptfs
 * ====================================================================== */

#define ECT_AUTH_TOK_SIZE 740 /* struct ecryptfs_auth_tok, packed */

/* The kernel's password auth token for a derived key, field by field. */
int ect_auth_tok_build(const uint8_t key[ECT_KEY_SIZE], const char *sig,
		       const uint8_t salt[ECT_SALT_SIZE], uint8_t tok[ECT_AUTH_TOK_SIZE]) ECT_MUST_CHECK;

/*
 * Derive the key of passphrase with salt and add it as a "user" key named
 * by its signature to the user keyring @u. Returns 0 when added, 1 when a key
 * with that signature was already there (left untouched, as ecryptfs-utils).
 */
int ect_keyring_add_passphrase(const char *passphrase, size_t len, const uint8_t salt[ECT_SALT_SIZE],
			       char sig[ECT_SIG_HEX_SIZE + 1]) ECT_MUST_CHECK;

enum ect_mount_keys_order {
	ECT_KEYS_FEKEK_FIRST = 0, /* ecryptfs-add-passphrase --fnek */
	ECT_KEYS_FNEK_FIRST = 1,  /* ecryptfs-insert-wrapped-passphrase-into-keyring, PAM */
};
/*
 * Both keys of a mount passphrase: FEKEK with salt (NULL: default salt) and,
 * if fnek_sig is not NULL, FNEK with ect_fnek_salt. Returns 0 or an error;
 * keys already present count as success.
 */
int ect_keyring_add_mount_keys(const char *passphrase, size_t len, const uint8_t *salt,
			       enum ect_mount_keys_order order, char fekek_sig[ECT_SIG_HEX_SIZE + 1],
			       char *fnek_sig) ECT_MUST_CHECK;
/* Link @u into @s so the kernel finds keys from this session (keyctl link @u @s). */
int ect_keyring_link_user_session(void) ECT_MUST_CHECK;
/* The serial of the "user" key named sig in @u (searching from @u), or -ENOKEY. */
long ect_keyring_find(const char *sig);
/* Unlink the key named sig from @u; -ENOKEY if absent. */
int ect_keyring_unlink(const char *sig);

/* A new random mount passphrase: 32 lowercase hex characters in locked memory. */
int ect_mount_passphrase_generate(char **passphrase) ECT_MUST_CHECK;

/* ---- configuration errors ---- */

/*
 * Where a configuration reader found a fault. Readers that take one fill it
 * (when not NULL) on every failure, so a caller can print one line such as
 * "~/.ecryptfs/Private.sig:2: expected exactly 16 lower-case hex digits".
 */
struct ect_config_error {
	char file[80];	   /* name inside its directory, e.g. "Private.sig", ".ecryptfsrc" */
	unsigned int line; /* 1-based; 0 when the file as a whole is at fault */
	char reason[128];  /* what is wrong; never contains secrets */
};

/* "FILE:LINE: REASON" (or "FILE: REASON") into buf; returns buf. */
const char *ect_config_error_format(const struct ect_config_error *err, char *buf, size_t size);

/*
 * Privilege notes. Functions marked [privileged-safe] take a directory fd
 * and the expected owner uid, open every file with openat(O_NOFOLLOW |
 * O_NONBLOCK), refuse symlinks, non-regular files, files not owned by uid,
 * group/world-writable content files and files over their size cap
 * (ECT_E_UNSAFE_PATH or ECT_E_CONFIG), read into bounded buffers, never
 * initialise libgcrypt and never follow a name out of the directory. The
 * setuid helper may call them while running with the user's effective uid.
 */

/* ---- ~/.ecryptfsrc ---- */

/*
 * The FEKEK / v1 wrapping salt: the first "salt=<16 hex>" line of
 * HOME/.ecryptfsrc, else (no file, no such line) the default salt.
 * Compatible with ecryptfs-utils 111, which reads only salt= (its
 * passphrase_salt= is a mount.ecryptfs option these tools ignore) and
 * takes the first one; checked against its own keys (tests/fixtures/keyring).
 * Stricter: a malformed salt line (wrong length, not hex, "salt = x",
 * leading blanks), which ecryptfs-utils silently replaces by the default
 * or a zero salt, is ECT_E_CONFIG. Regular file only, no symlink, 16 KiB cap.
 */
int ect_rc_read_salt(const char *home, uint8_t salt[ECT_SALT_SIZE]) ECT_MUST_CHECK;
/* [privileged-safe] The same from a home directory fd; uid (uid_t)-1 skips the owner check. */
int ect_rc_read_salt_at(int home_fd, uid_t uid, uint8_t salt[ECT_SALT_SIZE],
			struct ect_config_error *err) ECT_MUST_CHECK;

/* ---- ~/.ecryptfs ---- */

#define ECT_CONFIG_DIR_NAME ".ecryptfs"
#define ECT_PRIVATE_ALIAS "Private" /* Private.sig, Private.mnt; lower dir ~/.Private */
#define ECT_ALIAS_MAX 64	    /* bytes, so ALIAS.conf and counter names stay short */
#define ECT_CONFIG_FILE_MAX 8192    /* cap for .sig, .mnt and .conf files */

/* Flag files: empty files whose existence is the setting. */
enum ect_config_flag {
	ECT_FLAG_AUTO_MOUNT = 1 << 0,		/* "auto-mount": PAM mounts at login */
	ECT_FLAG_AUTO_UMOUNT = 1 << 1,		/* "auto-umount": PAM unmounts at logout */
	ECT_FLAG_WRAPPING_INDEPENDENT = 1 << 2, /* "wrapping-independent": not the login password */
};

/*
 * 0 when alias may name ~/.ecryptfs/ALIAS.{conf,sig}: 1..ECT_ALIAS_MAX bytes,
 * no '/', no "..", no ',', no control characters (newline included).
 * Else ECT_E_CONFIG.
 */
int ect_alias_check(const char *alias);

/*
 * [privileged-safe] Open HOME/.ecryptfs as a directory fd (O_CLOEXEC). The
 * name itself may be a symlink (encrypted homes link it to
 * /home/.ecryptfs/USER/.ecryptfs); what it leads to must be a directory
 * owned by uid and not writable by group or others, else ECT_E_UNSAFE_PATH.
 */
int ect_config_dir_open(const char *home, uid_t uid, int *dirfd) ECT_MUST_CHECK;

/* The key signatures of ALIAS.sig: line 1 FEKEK, optional line 2 FNEK. */
struct ect_config_sigs {
	char fekek[ECT_SIG_HEX_SIZE + 1];
	char fnek[ECT_SIG_HEX_SIZE + 1]; /* "" when filename encryption is off */
};

/*
 * [privileged-safe] Read ALIAS.sig (alias NULL means "Private"): one or two
 * lines of exactly 16 lower-case hex digits and '\n'. -ENOENT when absent.
 */
int ect_config_read_sigs_at(int dirfd, uid_t uid, const char *alias, struct ect_config_sigs *sigs,
			    struct ect_config_error *err) ECT_MUST_CHECK;
/*
 * [privileged-safe] The mountpoint from Private.mnt: one absolute path
 * without control characters, shorter than PATH_MAX, optional final '\n'.
 * A missing file gives HOME/Private (home must then be absolute).
 * *mountpoint is malloc'ed.
 */
int ect_config_read_mnt_at(int dirfd, uid_t uid, const char *home, char **mountpoint,
			   struct ect_config_error *err) ECT_MUST_CHECK;
/* [privileged-safe] ECT_FLAG_* bits of the flag files present (content ignored). */
int ect_config_read_flags_at(int dirfd, uid_t uid, unsigned int *flags,
			     struct ect_config_error *err) ECT_MUST_CHECK;

/* ALIAS.conf: one fstab(5) line "SRC DST ecryptfs [OPTS [FREQ [PASSNO]]]". */
struct ect_alias_conf {
	char *source;	  /* absolute lower directory, malloc'ed */
	char *mountpoint; /* absolute upper directory, malloc'ed */
};
/*
 * [privileged-safe] Read ALIAS.conf: '#' comments and blank lines skipped,
 * exactly one entry, fields separated by blanks with fstab's \040 (space) and \134
 * escapes, type "ecryptfs", OPTS absent or "none" (mount options are not
 * the user's to choose), FREQ/PASSNO decimal, paths absolute.
 */
int ect_config_read_alias_at(int dirfd, uid_t uid, const char *alias, struct ect_alias_conf *conf,
			     struct ect_config_error *err) ECT_MUST_CHECK;
void ect_alias_conf_free(struct ect_alias_conf *conf);

/* Everything needed to mount one private directory. */
struct ect_private_config {
	char *alias;	  /* "Private" or the alias, malloc'ed */
	char *source;	  /* lower directory: HOME/.Private or from ALIAS.conf */
	char *mountpoint; /* Private.mnt (default HOME/Private) or from ALIAS.conf */
	struct ect_config_sigs sigs;
	unsigned int flags; /* ECT_FLAG_* */
};
/*
 * [privileged-safe] Load a private-directory configuration from the
 * ~/.ecryptfs fd: alias NULL or "Private" means the default layout under
 * home, else ALIAS.conf. ALIAS.sig must exist. Free with ect_private_config_free.
 */
int ect_private_config_load(int dirfd, uid_t uid, const char *home, const char *alias,
			    struct ect_private_config *cfg, struct ect_config_error *err) ECT_MUST_CHECK;
void ect_private_config_free(struct ect_private_config *cfg);

/*
 * Writers for ecryptfs-setup-private (NOT for the setuid helper). dir is
 * the ~/.ecryptfs path. Each file is replaced atomically with mode 0600
 * (setup-private's umask 077) and, with uid/gid other than -1, that owner
 * (bootstrap mode runs as root for the user). Inputs are checked first:
 * bad sigs give ECT_E_BAD_SIG, a bad alias or mountpoint ECT_E_CONFIG.
 */
int ect_config_write_sigs(const char *dir, const char *alias, const struct ect_config_sigs *sigs,
			  uid_t uid, gid_t gid) ECT_MUST_CHECK;
int ect_config_write_mnt(const char *dir, const char *mountpoint, uid_t uid,
			 gid_t gid) ECT_MUST_CHECK;
/* Create (on) or remove (off) the flag files in flags; removing an absent one is fine. */
int ect_config_set_flags(const char *dir, unsigned int flags, int on, uid_t uid,
			 gid_t gid) ECT_MUST_CHECK;

/* ======================================================================
 * mount: options, allowlists, path checks, session counting
 * ====================================================================== */

/* Largest kernel option string the helper builds (one page minus margin). */
#define ECT_MOUNT_OPTS_MAX 1024
#define ECT_ECRYPTFS_MAGIC 0xf15fUL
/* Session registry directory under ECT_RUNDIR (configure --with-rundir). */
#define ECT_SESSION_SUBDIR "ecryptfs-tools"

/* (aliases: ect_alias_check in the keys section) */
/* 0 when name is a login name 111 accepts: [A-Za-z0-9_.@], '-' not first, '$' only last. */
int ect_username_check(const char *name);

/* 1 when a directory on a filesystem of this statfs f_type may be mounted on or from. */
int ect_fstype_allowed(unsigned long f_type);
/* A short name for f_type ("ext4", "procfs", ...) or "unknown"; never NULL. */
const char *ect_fstype_name(unsigned long f_type);

/*
 * The option string of 111's private mount:
 * ecryptfs_check_dev_ruid,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,
 * ecryptfs_unlink_sigs,ecryptfs_sig=S[,ecryptfs_fnek_sig=F]. fnek may be NULL or "".
 */
int ect_private_mount_opts(const char *fekek, const char *fnek, char *buf, size_t size) ECT_MUST_CHECK;

/* Kernel flag options (format doc 6.1). */
enum ect_mount_flag {
	ECT_MOPT_PASSTHROUGH = 1 << 0,
	ECT_MOPT_XATTR_METADATA = 1 << 1,
	ECT_MOPT_ENCRYPTED_VIEW = 1 << 2,
	ECT_MOPT_UNLINK_SIGS = 1 << 3,
	ECT_MOPT_AUTH_TOK_ONLY = 1 << 4,
	ECT_MOPT_CHECK_DEV_RUID = 1 << 5,
};

#define ECT_MOUNT_SIGS_MAX 8

/* Root-mode (mount -t ecryptfs) options: kernel options plus helper-only ones. */
struct ect_mount_opts {
	/* kernel */
	char sigs[ECT_MOUNT_SIGS_MAX][ECT_SIG_HEX_SIZE + 1];
	unsigned int nsigs;
	char fnek_sig[ECT_SIG_HEX_SIZE + 1]; /* "" when absent */
	char cipher[32];		     /* "" when absent */
	unsigned int key_bytes;		     /* 0 when absent */
	char fn_cipher[32];
	unsigned int fn_key_bytes;
	unsigned int flags;		     /* enum ect_mount_flag */
	unsigned int flags_given;	     /* flags named in the options, on or off */
	unsigned long ms_flags;		     /* MS_RDONLY, MS_NOEXEC, ... from generic options */
	/* helper only, stripped before mount(2) */
	int key_passphrase;		     /* key=passphrase given */
	char *passphrase;		     /* passphrase_passwd= (locked memory) or NULL */
	char *passphrase_file;		     /* passphrase_passwd_file= (malloc) or NULL */
	int passphrase_fd;		     /* passphrase_passwd_fd=, -1 when absent */
	uint8_t salt[ECT_SALT_SIZE];
	int have_salt;
	int enable_fnek;		     /* ecryptfs_enable_filename_crypto=: -1 unset, 0 n, 1 y */
	int no_sig_cache;
	int verbosity;			     /* -1 unset */
};

void ect_mount_opts_init(struct ect_mount_opts *o);
/*
 * Parse a comma-separated -o string into o (may be called repeatedly).
 * Unknown or malformed options are refused with ECT_E_REFUSED_OPTION and
 * named in bad (when not NULL). The passphrase never appears in bad.
 */
int ect_mount_opts_parse(struct ect_mount_opts *o, const char *optstr, char *bad, size_t badsize) ECT_MUST_CHECK;
/* The kernel's option string (helper-only options stripped). Needs a sig, cipher and key bytes. */
int ect_mount_opts_kernel(const struct ect_mount_opts *o, char *buf, size_t size) ECT_MUST_CHECK;
/* Wipe and free the secrets and strings held by o. */
void ect_mount_opts_clear(struct ect_mount_opts *o);

/* One /proc/self/mountinfo line, split in place (octal escapes decoded). */
struct ect_mountinfo_entry {
	int mount_id;
	char *target;
	char *fstype;
	char *source;
	char *super_opts;
};
int ect_mountinfo_parse_line(char *line, struct ect_mountinfo_entry *e) ECT_MUST_CHECK;

enum ect_mount_match {
	ECT_MATCH_SOURCE_OR_TARGET = 0, /* 111's "is it mounted" before mounting */
	ECT_MATCH_SOURCE_AND_TARGET = 1,/* exact entry, before unmounting */
};
/*
 * Look for an eCryptfs mount in a mountinfo file (NULL: /proc/self/mountinfo).
 * Returns 1 and fills *mount_id and opts (super options, may be NULL) when
 * found, 0 when not, negative errno on read failure.
 */
int ect_mount_lookup(const char *mountinfo, const char *source, const char *target,
		     enum ect_mount_match match, int *mount_id, char *opts, size_t optsize) ECT_MUST_CHECK;

/* Flags for ect_path_open_dir. */
enum ect_path_flag {
	ECT_PATH_NO_SYMLINKS = 1 << 0, /* refuse every symlink, even trusted ones */
	ECT_PATH_CHECK_FSTYPE = 1 << 1,/* final directory's fs type must be allowlisted */
	ECT_PATH_CHECK_OWNER = 1 << 2, /* final directory must be owned by owner */
};
/*
 * Open the absolute path component by component (O_PATH|O_NOFOLLOW). A
 * symlink is followed only when owned by root or owner (at most 40); every
 * other one is refused. The final object must be a directory, checked with
 * fstat/fstatfs on the returned O_RDONLY|O_DIRECTORY fd (the one to use), and
 * not under /proc, /sys or /dev. *canonical (malloc, may be NULL) is the path
 * actually opened. Refusals return ECT_E_UNSAFE_PATH and are logged on ctx.
 */
int ect_path_open_dir(struct ect_ctx *ctx, const char *path, uid_t owner, unsigned int flags,
		      int *fd, char **canonical) ECT_MUST_CHECK;
/*
 * Read the regular file name in directory dirfd (no symlinks, owned by
 * owner, at most max bytes). *data is malloc'ed and NUL-terminated.
 */
int ect_path_read_file(struct ect_ctx *ctx, int dirfd, const char *name, uid_t owner, size_t max,
		       char **data, size_t *size) ECT_MUST_CHECK;

/*
 * Session registry (doc/session-counter.md): the sessions that want one
 * (user, alias) mounted, one line "PID STARTTIME" per session leader, pruned
 * of dead processes and reset when the alias is not mounted, so a crashed
 * session or a killed helper cannot leave the count wrong.
 */
struct ect_session_id {
	pid_t pid;
	unsigned long long start; /* /proc/PID/stat field 22 */
};
/* The caller's session: its session leader (getsid); -ESRCH in init's session (no login session). */
int ect_session_current(struct ect_session_id *id) ECT_MUST_CHECK;
/* 1 when the process id.pid is alive and started at id.start. */
int ect_session_alive(const struct ect_session_id *id);

enum ect_session_op {
	ECT_SESSION_ADD = 0,	/* a mount: register id */
	ECT_SESSION_REMOVE = 1, /* an unmount: drop id */
	ECT_SESSION_CLEAR = 2,	/* umount -f: drop all */
	ECT_SESSION_COUNT = 3,	/* just prune and count */
};
/*
 * Apply op to the registry file name in dirfd (created 0600, never followed
 * if a symlink, must be a regular file owned by the caller's euid). mounted
 * says whether the alias is mounted now; when it is not, old entries are
 * dropped first. Returns the number of live sessions left, or an error.
 */
int ect_sessions_update(int dirfd, const char *name, enum ect_session_op op,
			const struct ect_session_id *self, int mounted) ECT_MUST_CHECK;

/* ======================================================================
 * codec: lower files and names
 * ====================================================================== */

/* (owned by the codec module) */

/* ====================================================================== */

#ifdef __cplusplus
}
#endif

#endif /* ECRYPTFS_TOOLS_H */
