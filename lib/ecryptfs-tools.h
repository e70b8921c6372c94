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
 *   mount: mount options, allowlists, mount identity
 *
 * The helper-only parts of the library (mountinfo parsing, mount records,
 * the fd-based path walk, the session registry) are in lib/ect-private.h,
 * which is not installed; they are not exported either. The exported list
 * is lib/libecryptfs-tools.sym (doc/architecture.md: adding a function).
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
	ECT_E_KEY_MISMATCH = -(ECT_E_BASE + 18),  /* keys differ from the ones ALIAS.sig names */
	ECT_E_TOKEN_MISSING = -(ECT_E_BASE + 19),  /* no present token matches the PKCS#11 URI */
	ECT_E_WRONG_PIN = -(ECT_E_BASE + 20),	   /* the token refused the PIN */
	ECT_E_PIN_LOCKED = -(ECT_E_BASE + 21),	   /* the token's user PIN is locked */
	ECT_E_TOKEN_KEY = -(ECT_E_BASE + 22),	   /* no such key on the token, or not RSA/EC P-256/P-384 */
	ECT_E_TOKEN_URI = -(ECT_E_BASE + 23),	   /* malformed or incomplete PKCS#11 URI */
	ECT_E_LAST_PROTECTOR = -(ECT_E_BASE + 24), /* would leave the passphrase unprotected */
	ECT_E_MEDIUM_ABSENT = -(ECT_E_BASE + 25),  /* the declared medium of the wrapped file is absent */
	ECT_E_MODE_NOT_KEPT = -(ECT_E_BASE + 26),  /* the file system left a new file readable by others */
	ECT_E_LAST = -(ECT_E_BASE + 27),
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
 * Create a context. ident names the program in log lines. libgcrypt is
 * initialised once per process, by the first call that needs it.
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

/* What ect_become_user does with the supplementary groups. */
enum ect_become_groups {
	ECT_GROUPS_KEEP = 0, /* leave them: a setuid program's are its caller's (not for real root) */
	ECT_GROUPS_GID = 1,  /* only gid */
	ECT_GROUPS_USER = 2, /* name's, from the group database (initgroups) */
};
/*
 * Become uid:gid for good (lib/core/become.c), as OpenSSH's
 * permanently_set_uid: the supplementary groups as groups says (kept as
 * they are by a process that is not root and already uid); then setresgid
 * and setresuid; then it checks all three ids of each, and that none of the
 * old real, effective and saved ids (nor root, for a user) can be regained.
 * name: only for ECT_GROUPS_USER. 0, or -errno / -EPERM: the ids may be half
 * changed, and the caller must exit without doing anything more.
 */
int ect_become_user(uid_t uid, gid_t gid, enum ect_become_groups groups,
		    const char *name) ECT_MUST_CHECK;

/* ======================================================================
 * core: secure memory
 * ====================================================================== */

/*
 * Zeroed memory for secrets, on pages of its own: locked (never swapped) when
 * RLIMIT_MEMLOCK allows, otherwise still allocated; always kept out of core
 * dumps. Does not initialise libgcrypt. NULL when no memory can be mapped.
 */
void *ect_secure_alloc(size_t size);
/* Wipe the whole allocation and free it (the size is remembered). NULL is allowed. */
void ect_secure_free(void *ptr);
/* Copy at most max bytes of s into secure memory (NUL-terminated). */
char *ect_secure_strndup(const char *s, size_t max);
/* ect_secure_free for strings; NULL is allowed. */
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
 * The same through a directory fd (opened O_RDONLY, for the fsync): name is
 * a plain name in dirfd; the temp file is created there with O_EXCL and
 * O_NOFOLLOW, checked with fstat, owned and written through its fd, and
 * renamed within dirfd. Nothing is resolved by path: for root writing into
 * a tree a user may race. The path form above opens the parent once and
 * refuses (ECT_E_UNSAFE_PATH) to hand a file to an owner other than the
 * caller in a directory that owner does not own.
 */
int ect_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t size,
			     mode_t mode, uid_t uid, gid_t gid) ECT_MUST_CHECK;
/*
 * Open directory name (a plain name) in dirfd without following a symlink:
 * ECT_E_UNSAFE_PATH when it is a symlink or not a directory. *fd is O_RDONLY
 * and O_CLOEXEC.
 */
int ect_dir_open_at(int dirfd, const char *name, int *fd) ECT_MUST_CHECK;
/*
 * The same, creating the directory first when absent: then *made = 1, it
 * has mode (whatever the umask) and the caller's owner (checked on the fd,
 * so a name swapped in between is refused) until the caller hands it over
 * with fchown(*fd). A failure removes what it made.
 */
int ect_dir_make_at(int dirfd, const char *name, mode_t mode, int *made, int *fd) ECT_MUST_CHECK;
/*
 * Read a regular file of at most max bytes (refuses larger, symlinks and
 * non-regular files). *data is malloc'ed; with secure != 0 it is in locked
 * memory and must be freed with ect_secure_free(*data).
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
/*
 * 0 when sig is exactly 16 lowercase hex characters, else ECT_E_BAD_SIG.
 * The one rule for signatures: the kernel finds a key by its description
 * byte for byte, and ecryptfs-utils 111, the kernel (ecryptfs_to_hex) and
 * this library all write them in lower case. So Private.sig, keyring
 * descriptions and every sig handed to the kernel must pass this check;
 * only where a person types one (mount options) is upper case accepted, and
 * lowered first.
 */
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
 * The same, and ECT_E_HOSTILE_PARAMS above a caller's lower ceiling too
 * (a login's budget): each non-zero field of ceiling is a maximum; NULL
 * means the library's ceiling only.
 */
int ect_argon2_params_check_ceiling(const struct ect_argon2_params *p,
				    const struct ect_argon2_params *ceiling);
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

/*
 * Which version a blob is, and its v3 cost as stored (not checked against
 * the floor and ceiling: see ect_argon2_params_check), without a password.
 */
int ect_wrap_identify(const void *blob, size_t size, struct ect_wrap_info *info) ECT_MUST_CHECK;
/*
 * Recover the mount passphrase. v1_salt is used for v1 blobs only (NULL
 * means the default salt). *passphrase is locked memory, NUL-terminated.
 * Returns ECT_E_WRONG_PASSWORD, ECT_E_FORMAT, ECT_E_TRUNCATED,
 * ECT_E_VERSION, ECT_E_WEAK_PARAMS or ECT_E_HOSTILE_PARAMS on failure
 * (ECT_E_UNSUPPORTED for an unknown v3 KDF or AEAD). v1/v2 wrapping
 * passwords are 1..64 bytes (ECT_E_PASSPHRASE_LEN), v3 ones 1..4096. A v3
 * wrong password and a v3 file altered after writing both give
 * ECT_E_WRONG_PASSWORD: by design nothing tells them apart.
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
/*
 * ect_unwrap and ect_unwrap_file under a caller's cost ceiling (see
 * ect_argon2_params_check_ceiling): a v3 file above it gives
 * ECT_E_HOSTILE_PARAMS before any key derivation, with info (when not NULL)
 * holding the file's cost. v1 and v2 have a fixed cost and ignore it.
 */
int ect_unwrap_capped(const void *blob, size_t size, const char *wrapping_pw, size_t wrapping_len,
		      const uint8_t *v1_salt, const struct ect_argon2_params *ceiling,
		      char **passphrase, size_t *passphrase_len,
		      struct ect_wrap_info *info) ECT_MUST_CHECK;
int ect_unwrap_file_capped(const char *path, const char *wrapping_pw, size_t wrapping_len,
			   const uint8_t *v1_salt, const struct ect_argon2_params *ceiling,
			   char **passphrase, size_t *passphrase_len,
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
/*
 * The same, added to keyring (a serial or a KEY_SPEC_* value of keyutils.h)
 * instead of @u: e.g. a fresh session keyring of a root tool's own, whose
 * keys die with it even when it is killed.
 */
int ect_keyring_add_mount_keys_in(int keyring, const char *passphrase, size_t len,
				  const uint8_t *salt, enum ect_mount_keys_order order,
				  char fekek_sig[ECT_SIG_HEX_SIZE + 1], char *fnek_sig) ECT_MUST_CHECK;
/* Link @u into @s so the kernel finds keys from this session (keyctl link @u @s). */
int ect_keyring_link_user_session(void) ECT_MUST_CHECK;
/* The serial of the "user" key named sig in @u (searching from @u), or -ENOKEY. */
long ect_keyring_find(const char *sig);
/* Unlink the key named sig from @u; -ENOKEY if absent. */
int ect_keyring_unlink(const char *sig);
/* ect_keyring_find and ect_keyring_unlink in keyring (serial or KEY_SPEC_*) instead of @u. */
long ect_keyring_find_in(int keyring, const char *sig);
int ect_keyring_unlink_in(int keyring, const char *sig);
/*
 * The derived key (FEKEK or FNEK) of the auth token named sig, as the kernel
 * finds it: request_key() through the caller's thread, process and session
 * keyrings, then @u. key should be locked memory. -ENOKEY when absent,
 * -EACCES when not readable (not possessed: keyctl link @u @s),
 * ECT_E_FORMAT when the payload is not a password auth token.
 */
int ect_keyring_read_key(const char *sig, uint8_t key[ECT_KEY_SIZE]) ECT_MUST_CHECK;
/* The key in an auth token payload (ECT_E_KEY_MISMATCH if its signature is not sig). */
int ect_auth_tok_key(const uint8_t *tok, size_t len, const char *sig,
		     uint8_t key[ECT_KEY_SIZE]) ECT_MUST_CHECK;

/* A new random mount passphrase: 32 lowercase hex characters in locked memory. */
int ect_mount_passphrase_generate(char **passphrase) ECT_MUST_CHECK;

/* ---- configuration errors ---- */

/*
 * Where a configuration reader found a fault. Readers that take one fill it
 * (when not NULL) on every failure, so a caller can print one line such as
 * "~/.ecryptfs/Private.sig:2: expected exactly 16 lower-case hex digits".
 */
struct ect_config_error {
	/*
	 * the name inside its directory, e.g. "Private.sig", ".ecryptfsrc", or
	 * a whole path when the fault lies elsewhere (the locations policy, a
	 * removable medium's directory): room for PATH_MAX, never cut
	 */
	char file[4096];
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

/* The wrapped mount passphrase (v1, v2 or v3; see ect_unwrap). */
#define ECT_WRAPPED_PASSPHRASE_FILE "wrapped-passphrase"
/* Left when the login password changed without the old one: the wrap still needs that one. */
#define ECT_WRAPPED_STALE_FILE "wrapped-passphrase.stale"
/* Flag file: keep wrapped-passphrase at v2, which ecryptfs-utils 111 can still open. */
#define ECT_WRAP_FORMAT_V2_FILE "wrap-format-v2"

/* Flag files: empty files whose existence is the setting. */
enum ect_config_flag {
	ECT_FLAG_AUTO_MOUNT = 1 << 0,		/* "auto-mount": PAM mounts at login */
	ECT_FLAG_AUTO_UMOUNT = 1 << 1,		/* "auto-umount": PAM unmounts at logout */
	ECT_FLAG_WRAPPING_INDEPENDENT = 1 << 2, /* "wrapping-independent": not the login password */
	/* "ALIAS.fuse" (per alias, ect_private_config_load): mount through ecryptfs-fuse */
	ECT_FLAG_FUSE = 1 << 3,
	/*
	 * ALIAS.auto-mount is there but refused (a symbolic link, not a regular
	 * file, or not the user's): the alias is not marked for login, and the
	 * load still succeeds, so that its unmount goes on (review finding L5).
	 */
	ECT_FLAG_AUTO_MOUNT_REFUSED = 1 << 4,
};
/*
 * An alias other than Private takes auto-mount and auto-umount from its own
 * flag file ALIAS.auto-mount (both: what PAM mounts at login, the last
 * logout unmounts); the shared auto-mount and auto-umount are Private's.
 */
#define ECT_ALIAS_AUTO_MOUNT_EXT "auto-mount"


/*
 * 0 when alias may name ~/.ecryptfs/ALIAS.{conf,sig}: 1..ECT_ALIAS_MAX bytes,
 * no '/', no "..", no ',', no control characters (newline included).
 * Else ECT_E_CONFIG.
 */
int ect_alias_check(const char *alias);

/*
 * Per-alias key files (issue 16): the default alias (NULL or "Private")
 * keeps ecryptfs-utils 111's names exactly (wrapped-passphrase,
 * wrapped-passphrase.token, ...); every other alias gets "ALIAS." before
 * them: ALIAS.wrapped-passphrase, ALIAS.wrapped-passphrase.token. base is
 * one of ECT_WRAPPED_PASSPHRASE_FILE, ECT_TOKEN_FILE, ECT_WRAPPED_STALE_FILE
 * or a flag file name such as "auto-mount". ECT_E_CONFIG for a bad alias,
 * -ENAMETOOLONG when name (size bytes) is too short.
 */
int ect_alias_key_file(const char *alias, const char *base, char *name, size_t size) ECT_MUST_CHECK;
#define ECT_ALIAS_FILE_SIZE (ECT_ALIAS_MAX + 64)

/*
 * [privileged-safe] The aliases of ~/.ecryptfs other than Private: the
 * names of the regular files ALIAS.conf (not symlinks) whose ALIAS passes
 * ect_alias_check, in byte order. The first max in byte order go into
 * aliases, whatever the directory's order; *count is how many there are
 * (may exceed max).
 */
int ect_config_list_aliases_at(int dirfd, char (*aliases)[ECT_ALIAS_MAX + 1], size_t max,
			       size_t *count) ECT_MUST_CHECK;

/*
 * [privileged-safe] Open HOME/.ecryptfs as a directory fd (O_CLOEXEC). The
 * name itself may be a symlink (encrypted homes link it to
 * /home/.ecryptfs/USER/.ecryptfs); what it leads to must be a directory
 * owned by uid and not writable by group or others, else ECT_E_UNSAFE_PATH.
 */
int ect_config_dir_open(const char *home, uid_t uid, int *dirfd) ECT_MUST_CHECK;

/*
 * The wrapped passphrase on removable media (issue 16). A root-owned policy
 * file, not writable by group or others, in a directory with the same
 * properties, lists the places a user's wrapped passphrase may live, one
 * absolute pattern a line (ecryptfs-wrapped-passphrase-locations(5)):
 * fnmatch(3) with FNM_PATHNAME, so '*' never crosses a '/', after %u (the
 * user name), %U (the uid) and %% are expanded; '#' starts a comment. A
 * pattern names the directory holding the file (the man page has examples).
 */
#define ECT_WRAPPED_LOCATIONS_FILE "/etc/ecryptfs-tools/wrapped-passphrase-locations"
#define ECT_WRAPPED_BASE_SIZE 256 /* a file name (NAME_MAX) and its NUL */

/*
 * [privileged-safe] 0 when the policy file at policy (NULL: the default)
 * lets uid keep its wrapped passphrase in the directory dir (absolute,
 * normalised). ECT_E_UNSAFE_PATH when no line matches or the policy file is
 * unsafe (ignored; err says why), -ENOENT without a policy file,
 * ECT_E_CONFIG for a malformed line (err names it: the whole file is
 * ignored). On 0, err names the policy file and the first line that allows
 * dir.
 */
int ect_wrapped_locations_allow(const char *policy, uid_t uid, const char *dir,
				struct ect_config_error *err) ECT_MUST_CHECK;

/*
 * [privileged-safe] Where the wrapped file name of config_fd is: itself
 * (*dirfd a new fd of config_fd, base = name), or, when name is a symbolic
 * link whose absolute target lies in a place the policy declares for uid,
 * the target: *dirfd the target's directory opened without following any
 * symlink, base its last name. The caller reads or replaces base in
 * *dirfd with the usual owner checks, then closes *dirfd. An undeclared
 * link is ECT_E_UNSAFE_PATH, as always; a declared one whose directory or
 * file is missing (the medium is not plugged in) ECT_E_MEDIUM_ABSENT. When
 * a declared link is followed, err names the policy line that declares it.
 */
int ect_wrapped_locate_at(int config_fd, const char *name, uid_t uid, const char *policy,
			  int *dirfd, char base[ECT_WRAPPED_BASE_SIZE],
			  struct ect_config_error *err) ECT_MUST_CHECK;

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
/*
 * The same through the ~/.ecryptfs directory fd (O_RDONLY): every file is
 * made by ect_write_file_atomic_at, so root writing for a user resolves no
 * name the user could swap. Use these when the directory is not the
 * caller's; the path forms refuse to hand a file to uid in a directory
 * that is not uid's (ECT_E_UNSAFE_PATH).
 */
int ect_config_write_sigs_at(int dirfd, const char *alias, const struct ect_config_sigs *sigs,
			     uid_t uid, gid_t gid) ECT_MUST_CHECK;
int ect_config_write_mnt_at(int dirfd, const char *mountpoint, uid_t uid, gid_t gid) ECT_MUST_CHECK;
int ect_config_set_flags_at(int dirfd, unsigned int flags, int on, uid_t uid,
			    gid_t gid) ECT_MUST_CHECK;

/* ---- unlocking and rewrapping a user's keys ---- */

/*
 * A user's key files as the caller opened them. The operations below reach
 * files only through these fds (openat, O_NOFOLLOW, regular files owned by
 * uid) and write atomically in config_fd with owner uid:gid, mode 0600.
 */
struct ect_user_dirs {
	int config_fd; /* ~/.ecryptfs, from ect_config_dir_open */
	int home_fd;   /* the home holding .ecryptfsrc; -1: use the default salt */
	uid_t uid;
	gid_t gid;
	const char *alias; /* whose key files (ect_alias_key_file); NULL: Private */
};

/*
 * The user's salt for the FEKEK and for v1 files: salt= of .ecryptfsrc in
 * home_fd, as ecryptfs-utils 111's tools read it (see ect_rc_read_salt_at).
 * On an unreadable or malformed file the default salt is in salt and the
 * error is returned (err says where) so the caller can warn.
 */
int ect_user_salt(const struct ect_user_dirs *d, uint8_t salt[ECT_SALT_SIZE],
		  struct ect_config_error *err) ECT_MUST_CHECK;

enum ect_unlock_flags {
	ECT_UNLOCK_LINK_SESSION = 1 << 0, /* link @u into @s first (failure: link_err only) */
	ECT_UNLOCK_UPGRADE = 1 << 1,	  /* rewrap a v1/v2 file as v3 once it opened */
	ECT_UNLOCK_KEEP_V2 = 1 << 2,	  /* never write v3 (as if wrap-format-v2 existed) */
	ECT_UNLOCK_CLEAR_STALE = 1 << 3,  /* remove wrapped-passphrase.stale once it opened */
	ECT_UNLOCK_WRITE_V3 = 1 << 4,	  /* rewrap: v3 even if wrap-format-v2 exists (asked for) */
	ECT_UNLOCK_OLD_IS_PASSPHRASE = 1 << 5, /* rewrap: old_pw is the mount passphrase (the
						  wrapping one is lost); give sigs to check it */
	ECT_UNLOCK_IS_PASSPHRASE = 1 << 6, /* unlock: password is the mount passphrase (a token
					      record opened it): no file read, written or cleared */
};

enum ect_unlock_step {
	ECT_UNLOCK_AT_NONE = 0,
	ECT_UNLOCK_AT_UNWRAP = 1,  /* reading or unwrapping wrapped-passphrase */
	ECT_UNLOCK_AT_KEYRING = 2, /* adding the keys */
	ECT_UNLOCK_AT_MATCH = 3,   /* comparing them with ALIAS.sig */
};

#define ECT_UNLOCK_ADDED_FEKEK 1u
#define ECT_UNLOCK_ADDED_FNEK 2u

struct ect_unlock_result {
	enum ect_unlock_step failed_at;
	struct ect_wrap_info info;	  /* the file's version; its v3 cost also on HOSTILE_PARAMS */
	char fekek[ECT_SIG_HEX_SIZE + 1]; /* the keys the passphrase gives */
	char fnek[ECT_SIG_HEX_SIZE + 1];  /* "" unless sigs name an FNEK */
	unsigned int added;		  /* ECT_UNLOCK_ADDED_*: keys this call added and left */
	int salt_err;			  /* not 0: .ecryptfsrc not usable, default salt used */
	struct ect_config_error salt_where;
	int link_err;			  /* not 0: @u could not be linked into @s */
	int upgrade;			  /* 1 rewritten as v3, <0 rewrite failed, 0 not tried */
	int stale_removed;		  /* 1 when wrapped-passphrase.stale was removed */
	struct ect_config_error wrap_where; /* the wrapped file's place: on ECT_E_UNSAFE_PATH
					       why a link was refused, e.g. by the policy */
};

/* What the two operations below take besides the passwords. */
struct ect_unlock_opts {
	const struct ect_config_sigs *sigs;	 /* unlock: the keys to expect; NULL: add FNEK and
						    FEKEK, compare nothing (insert-wrapped); rewrap:
						    when not NULL, refuse a passphrase with another FEKEK */
	const struct ect_argon2_params *ceiling; /* for unwrapping, and the most a v3 file is
						    written with; NULL: the library's */
	const struct ect_argon2_params *params;	 /* v3 cost written; NULL: the file's, else calibrate */
	unsigned int flags;			 /* enum ect_unlock_flags */
	const char *file;			 /* plain name in config_fd; NULL: wrapped-passphrase
						    (only then is wrapped-passphrase.stale removed) */
};

/*
 * Unwrap only: the mount passphrase of the user's wrapped file (v1 with the
 * user's salt, v2, v3 under the ceiling) into *passphrase, locked memory the
 * caller frees with ect_secure_free_str. No keyring, nothing written, flags
 * ignored (a recovery on a live CD must not upgrade the file). res reports
 * the version, the salt and the failed step as for ect_unlock_user_keys.
 */
int ect_unwrap_user(const struct ect_user_dirs *d, const char *password, size_t password_len,
		    const struct ect_unlock_opts *opts, char **passphrase, size_t *passphrase_len,
		    struct ect_unlock_result *res) ECT_MUST_CHECK;

/*
 * Unlock a user's keys: unwrap wrapped-passphrase with password, add the
 * FNEK (when sigs names one) and the FEKEK derived with the user's salt to
 * @u, and compare them with sigs. On ECT_E_KEY_MISMATCH or a keyring
 * failure the keys this call added are unlinked again. The mount
 * passphrase never leaves locked memory.
 */
int ect_unlock_user_keys(const struct ect_user_dirs *d, const char *password, size_t password_len,
			 const struct ect_unlock_opts *opts,
			 struct ect_unlock_result *res) ECT_MUST_CHECK;

struct ect_rewrap_result {
	enum ect_unlock_step failed_at; /* AT_UNWRAP or AT_MATCH, or AT_NONE when writing failed */
	struct ect_wrap_info old;	/* what the file was */
	enum ect_wrap_version written;	/* what it is now (0 when not written) */
	int salt_err;
	struct ect_config_error salt_where;
	int stale_removed;
	struct ect_config_error wrap_where; /* as in struct ect_unlock_result */
};

/*
 * Rewrap wrapped-passphrase (or opts->file) from old_pw to new_pw: v2 when
 * ECT_UNLOCK_KEEP_V2 or wrap-format-v2 asks for it (unless
 * ECT_UNLOCK_WRITE_V3), else v3 (an upgrade from v1/v2). With
 * ECT_UNLOCK_OLD_IS_PASSPHRASE old_pw is the mount passphrase and nothing
 * is unwrapped. On success wrapped-passphrase.stale is removed.
 */
int ect_rewrap_user(const struct ect_user_dirs *d, const char *old_pw, size_t old_len,
		    const char *new_pw, size_t new_len, const struct ect_unlock_opts *opts,
		    struct ect_rewrap_result *res) ECT_MUST_CHECK;
/* The version a rewrap writes now: ECT_WRAP_V2 if flags or wrap-format-v2 say so, else v3. */
enum ect_wrap_version ect_user_wrap_version(const struct ect_user_dirs *d, unsigned int flags);

/* ---- token protectors: PKCS#11 through NSS (ecryptfs-wrapped-passphrase(5)) ---- */

/*
 * ~/.ecryptfs/wrapped-passphrase.token holds up to ECT_TOKEN_MAX records,
 * each the mount passphrase wrapped to an RSA key (RSA-OAEP) or an EC key
 * (ECDH, P-256 or P-384) on a PKCS#11 token. The
 * three policies: a token-alone record (the token alone); a token-and-
 * password record (both needed); a token-alone record next to
 * wrapped-passphrase (the token or the password). Built without NSS, the
 * token operations return ECT_E_UNSUPPORTED.
 */
#define ECT_TOKEN_FILE "wrapped-passphrase.token"
#define ECT_TOKEN_FILE_MAX 32768
#define ECT_TOKEN_RECORD_MAX 4096
#define ECT_TOKEN_MAX 8
#define ECT_TOKEN_URI_MAX 1024
/* ect_token_remove_user: the index that names wrapped-passphrase. */
#define ECT_TOKEN_PASSWORD ((size_t)-1)

enum ect_token_policy {
	ECT_TOKEN_ALONE = 1,	    /* the token and its PIN open the record */
	ECT_TOKEN_AND_PASSWORD = 2, /* the token and the password, both needed */
};

enum ect_token_mech {
	ECT_TOKEN_RSA_OAEP_SHA1 = 1, /* CKM_RSA_PKCS_OAEP, SHA-1, MGF1-SHA-1 */
	ECT_TOKEN_ECDH_HKDF_SHA256 = 2, /* CKM_ECDH1_DERIVE (ephemeral key), HKDF-SHA256 */
};

struct ect_token_info {
	enum ect_token_policy policy;
	enum ect_token_mech mech;
	char uri[ECT_TOKEN_URI_MAX + 1];	 /* the PKCS#11 URI as enrolled */
	char key_id[2 * 255 + 1];		 /* CKA_ID of the key, lowercase hex */
	struct ect_argon2_params params;	 /* AND: the password's Argon2id cost */
	char mech_name[16];			 /* "RSA-OAEP", "ECDH P-256", "ECDH P-384" */
};

/* What ect_token_pin_fn is told about the token's retry counter. */
enum ect_token_pin_flags {
	ECT_PIN_COUNT_LOW = 1 << 0, /* a wrong PIN was given since the last good one */
	ECT_PIN_FINAL_TRY = 1 << 1, /* one more wrong PIN locks the token */
};

/*
 * Ask for the user PIN of the token labelled token_label: return 0 with *pin
 * in locked memory (ect_secure_strndup; the library frees it), or a
 * negative code to cancel. Called at most once per unwrap: a wrong PIN is
 * reported, never retried, so the token's retry counter is the only one.
 */
typedef int (*ect_token_pin_fn)(void *arg, const char *token_label, unsigned int flags,
				char **pin, size_t *pin_len);

/*
 * Wrap passphrase to the public key the PKCS#11 URI names (no PIN needed):
 * RSA-OAEP for an RSA key, ECDH with an ephemeral key for a P-256 or P-384
 * key; another type or curve is ECT_E_TOKEN_KEY. The URI needs module-path= (a root-owned module, see
 * ecryptfs-wrapped-passphrase(5)), the token (token=, serial= ...) and the
 * key (id= and/or object=). AND needs password; params is its Argon2id cost
 * (NULL: calibrate). *record is malloc'ed.
 */
int ect_token_wrap(const char *uri, enum ect_token_policy policy, const char *passphrase,
		   size_t len, const char *password, size_t password_len,
		   const struct ect_argon2_params *params, uint8_t **record,
		   size_t *size) ECT_MUST_CHECK;
/* Structure of one record, no token needed. */
int ect_token_parse(const void *record, size_t size, struct ect_token_info *info) ECT_MUST_CHECK;
/*
 * Unwrap one record: find the token (ECT_E_TOKEN_MISSING), log in with the
 * PIN from pin_fn (ECT_E_WRONG_PIN, ECT_E_PIN_LOCKED), decrypt on the token,
 * and open the AEAD (ECT_E_WRONG_PASSWORD: wrong password of an AND record,
 * or an altered record). ceiling caps an AND record's Argon2id cost.
 */
int ect_token_unwrap(const void *record, size_t size, ect_token_pin_fn pin_fn, void *pin_arg,
		     const char *password, size_t password_len,
		     const struct ect_argon2_params *ceiling, char **passphrase,
		     size_t *passphrase_len) ECT_MUST_CHECK;

/*
 * The token records of a user (struct ect_user_dirs: fds, owner checks and
 * atomic writes as above). list fills infos[0..*count) (ECT_TOKEN_MAX fit);
 * an absent file is zero records.
 */
int ect_token_list_user(const struct ect_user_dirs *d, struct ect_token_info *infos, size_t max,
			size_t *count) ECT_MUST_CHECK;
/* Append a record wrapping passphrase (see ect_token_wrap); *index is its place. */
int ect_token_enrol_user(const struct ect_user_dirs *d, const char *uri,
			 enum ect_token_policy policy, const char *passphrase, size_t len,
			 const char *password, size_t password_len,
			 const struct ect_argon2_params *params, size_t *index) ECT_MUST_CHECK;
/*
 * Remove record index, or wrapped-passphrase for ECT_TOKEN_PASSWORD, unless
 * nothing else would then open the passphrase (ECT_E_LAST_PROTECTOR).
 */
int ect_token_remove_user(const struct ect_user_dirs *d, size_t index) ECT_MUST_CHECK;
/* Unwrap record index of the user's file (see ect_token_unwrap). */
int ect_token_unwrap_user(const struct ect_user_dirs *d, size_t index, ect_token_pin_fn pin_fn,
			  void *pin_arg, const char *password, size_t password_len,
			  const struct ect_argon2_params *ceiling, char **passphrase,
			  size_t *passphrase_len) ECT_MUST_CHECK;

/* ======================================================================
 * mount: options, allowlists, mount identity
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

/*
 * Mount identity (lib/mount/mountident.c): decided from fds, never from the
 * strings of the mount table.
 * ect_mount_is_over: 1 when fd is an eCryptfs inode whose lower inode is the directory lower_fd.
 */
struct ect_mount_entry; /* verify section */
int ect_mount_is_over(int fd, int lower_fd);
/*
 * 1 when target_fd is the root of an eCryptfs mount (fstatfs magic; its
 * mount id is an "ecryptfs" row of mountinfo, NULL: /proc/self/mountinfo,
 * whose root is "/"; its parent is on another mount) and, when lower_fd >= 0,
 * that mount is stacked on the directory lower_fd. Fills *mount_id and out
 * (the row's source, mount point and options; either may be NULL). 0 when
 * not, negative errno when the mount table cannot be read.
 */
int ect_mount_find_over(const char *mountinfo, int target_fd, int lower_fd, int *mount_id,
			struct ect_mount_entry *out) ECT_MUST_CHECK;

/*
 * The running kernel's eCryptfs (lib/mount/kernel-probe.c). Feature bits
 * of /sys/fs/ecryptfs/version, as the kernel defines them
 * (ECRYPTFS_VERSIONING_* in fs/ecryptfs/ecryptfs_kernel.h); Linux 6.1
 * shows 0x177 with CONFIG_ECRYPT_FS_MESSAGING, 0x135 without.
 */
#define ECT_KERNEL_PASSPHRASE 0x001u
#define ECT_KERNEL_PUBKEY 0x002u
#define ECT_KERNEL_PLAINTEXT_PASSTHROUGH 0x004u
#define ECT_KERNEL_POLICY 0x008u
#define ECT_KERNEL_XATTR 0x010u
#define ECT_KERNEL_MULTKEY 0x020u
#define ECT_KERNEL_DEVMISC 0x040u
#define ECT_KERNEL_HMAC 0x080u
#define ECT_KERNEL_FILENAME_ENCRYPTION 0x100u
#define ECT_KERNEL_GCM 0x200u

/* ect_kernel_probe flags */
#define ECT_PROBE_LOAD 0x1u /* root (real and effective uid 0): "modprobe -q ecryptfs" once per ctx */

struct ect_kernel_info {
	unsigned int features; /* ECT_KERNEL_* bits; 0 without eCryptfs */
	int loaded;	       /* 1: this call loaded the module */
	int fuse;	       /* 1: ecryptfs-fuse is installed (private mode works without the module) */
};
/*
 * Read /sys/fs/ecryptfs/version into out. With ECT_PROBE_LOAD, run by root,
 * a missing module is loaded first (modprobe at a fixed path, empty
 * environment, at most once per ctx). Returns 0, ECT_E_NO_KERNEL when the
 * kernel has no eCryptfs (out->fuse still says whether ecryptfs-fuse can
 * stand in), ECT_E_FORMAT for a version file that is not a number, or a
 * negative errno when it cannot be read.
 */
int ect_kernel_probe(struct ect_ctx *ctx, unsigned int flags, struct ect_kernel_info *out) ECT_MUST_CHECK;

/* ======================================================================
 * codec: lower files and names
 *
 * Byte-compatible with the kernel's fs/ecryptfs (see
 * doc/ecryptfs-format.md in the shared docs). Parsers are pure functions
 * over (buffer, length) so they can be fuzzed; everything that touches a
 * file descriptor is a thin layer on top. Keys handed in stay the caller's
 * (keep them in locked memory); FEKs the codec unwraps live in locked
 * memory and are wiped on close.
 *
 * Ciphers: aes (16/24/32-byte keys), blowfish (16..56, multiple of 8),
 * des3_ede (24), cast5 (8/16), twofish (16/32), cast6 (16/32). libgcrypt
 * lacks cast6 and 8-byte cast5: those run on the kernel's crypto API
 * (AF_ALG) while it offers them, and are ECT_E_UNSUPPORTED where it does not
 * (no AF_ALG, no cast5/cast6 module).
 * Tag 1 (public-key wrapped FEK) packets are recognised and reported as
 * ECT_E_UNSUPPORTED: they need the RSA private key held by ecryptfsd.
 * ====================================================================== */

#define ECT_EXTENT_SIZE 4096		/* data extent, every architecture */
#define ECT_HEADER_SIZE 8192		/* metadata size written (and minimum read in-file) */
#define ECT_HEADER_PARSE_MAX 4096	/* the kernel parses packets in this much */
#define ECT_HEADER_XATTR "user.ecryptfs"
#define ECT_FILE_VERSION 3		/* highest lower-file version read; written */
#define ECT_FEK_MAX 64			/* largest FEK (blowfish stops at 56) */
#define ECT_HEADER_MAX_KEYS 32		/* tag 3/11 pairs kept by the parser */
#define ECT_FNEK_PREFIX "ECRYPTFS_FNEK_ENCRYPTED."
#define ECT_FNEK_PREFIX_LEN 24
#define ECT_NAME_MAX_LOWER 255		/* lower filesystem NAME_MAX */

/* Header flag bits (byte 19 of the header). */
#define ECT_HDR_FLAG_HMAC 0x01		  /* never written, ignored */
#define ECT_HDR_FLAG_ENCRYPTED 0x02
#define ECT_HDR_FLAG_METADATA_IN_XATTR 0x04
#define ECT_HDR_FLAG_ENCRYPT_FILENAMES 0x08 /* informational */

/* RFC 2440 cipher codes used in tag 3 and tag 70 packets. */
enum ect_cipher_code {
	ECT_CIPHER_CODE_DES3_EDE = 0x02,
	ECT_CIPHER_CODE_CAST5 = 0x03,
	ECT_CIPHER_CODE_BLOWFISH = 0x04,
	ECT_CIPHER_CODE_AES_128 = 0x07,
	ECT_CIPHER_CODE_AES_192 = 0x08,
	ECT_CIPHER_CODE_AES_256 = 0x09,
	ECT_CIPHER_CODE_TWOFISH = 0x0a,
	ECT_CIPHER_CODE_CAST6 = 0x0b,
};

/* One kernel cipher at one key size. */
struct ect_cipher_info {
	const char *name;	 /* kernel name: "aes", "blowfish", "des3_ede", ... */
	uint8_t code;		 /* enum ect_cipher_code */
	unsigned int key_bytes;	 /* FEK / FNEK length used */
	unsigned int block_size; /* 8 or 16 */
	int supported;		 /* 1 when it can be used here (libgcrypt, or the kernel's) */
};

/*
 * Look a cipher up by kernel name and key size (key_bytes 0: the kernel
 * default, 16 for aes). -EINVAL for an unknown name or a key size the kernel
 * would not accept; a cipher this system cannot run (cast6 without the
 * kernel's) fills info and returns ECT_E_UNSUPPORTED.
 */
int ect_cipher_lookup(const char *name, size_t key_bytes, struct ect_cipher_info *info);
/*
 * Look a cipher up by packet code. As in the kernel the code names the
 * cipher and key_bytes gives the size (tag 3: the EFEK length, 24 for code
 * 0x08; tag 70: the mount's fn key bytes); 0 means the code's default.
 */
int ect_cipher_by_code(uint8_t code, size_t key_bytes, struct ect_cipher_info *info);

/* A candidate key: the 64-byte derived key (FEKEK or FNEK) and its signature. */
struct ect_codec_key {
	char sig[ECT_SIG_HEX_SIZE + 1]; /* lowercase hex, as in the keyring */
	const uint8_t *key;		/* ECT_KEY_SIZE bytes, caller's locked memory */
};

/* One tag 3 + tag 11 pair as found in a header. */
struct ect_header_key {
	char sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t cipher_code;
	uint8_t efek_len;
	uint8_t efek[ECT_FEK_MAX];
	uint8_t salt[ECT_SALT_SIZE]; /* label only; the kernel ignores it */
};

/* Everything a lower-file header says, without any key. */
struct ect_header_info {
	uint64_t size;		    /* plaintext size (header bytes 0..7) */
	uint32_t marker;	    /* m1 (random per file) */
	unsigned int version;	    /* 0..3 */
	uint32_t flags;		    /* ECT_HDR_FLAG_* bits */
	uint32_t extent_size;	    /* header extent size (4096; 0 for version 0) */
	uint16_t extent_count;	    /* header extents (2; 0 for version 0) */
	uint64_t metadata_size;	    /* extent size x count (8192 for version 0) */
	int in_xattr;		    /* parsed from the user.ecryptfs xattr */
	uint64_t data_offset;	    /* where data extent 0 starts in the lower file */
	unsigned int n_keys;	    /* tag 3/11 pairs kept in keys[] */
	unsigned int n_keys_dropped; /* pairs beyond ECT_HEADER_MAX_KEYS */
	unsigned int n_pubkey;	    /* tag 1 packets (unsupported) */
	char pubkey_sig[ECT_SIG_HEX_SIZE + 1]; /* key id of the first tag 1 */
	uint16_t pubkey_efek_len;   /* its encrypted key bytes */
	struct ect_header_key keys[ECT_HEADER_MAX_KEYS];
	char problem[96];	    /* after a parse error: what is wrong, at which byte */
};

/*
 * True (1) when the first 16 bytes carry a valid marker (the kernel's quick
 * "is this an eCryptfs file" test), else 0.
 */
int ect_header_is_ecryptfs(const void *buf, size_t len);
/*
 * Parse a header from buf (the first bytes of a lower file, at least
 * ECT_HEADER_PARSE_MAX when the file is that long; or a user.ecryptfs xattr
 * value with from_xattr 1). Pure: no I/O, no key. Returns 0,
 * ECT_E_NOT_ECRYPTFS (bad marker), ECT_E_TRUNCATED, ECT_E_VERSION,
 * ECT_E_FORMAT (bad sizes, lengths, tags), ECT_E_UNSUPPORTED (only tag 1
 * packets or an unknown cipher code).
 */
int ect_header_parse(const void *buf, size_t len, int from_xattr,
		     struct ect_header_info *info) ECT_MUST_CHECK;

/* ---- opening and reading lower files ---------------------------------- */

/* An open lower file: its header, its FEK, a cipher handle, maybe an fd. */
struct ect_codec_file;

enum ect_codec_open_flags {
	ECT_CODEC_NO_XATTR = 1 << 0,   /* never fall back to the user.ecryptfs xattr */
	ECT_CODEC_XATTR_ONLY = 1 << 1, /* header only from the xattr */
	ECT_CODEC_WRITE = 1 << 2,      /* allow ect_codec_pwrite / header updates */
};

/*
 * Open from header bytes already read (buf as for ect_header_parse). The
 * FEK is unwrapped with the first candidate key whose signature matches a
 * tag 11 (several pairs and several candidates are tried in order). data_fd
 * (-1 for none) is where extents are read from; it stays the caller's.
 * Returns 0 or: ECT_E_WRONG_PASSWORD (no candidate matches a signature in
 * the header), ECT_E_UNSUPPORTED (cipher or tag 1 only), the parse errors.
 */
int ect_codec_open_header(const void *buf, size_t len, int from_xattr, int data_fd,
			  const struct ect_codec_key *keys, size_t nkeys,
			  struct ect_codec_file **out) ECT_MUST_CHECK;
/*
 * Open an fd on a lower file: the in-file header first, then (unless
 * ECT_CODEC_NO_XATTR) the user.ecryptfs xattr, like the kernel. The fd
 * stays the caller's and must stay open until ect_codec_close().
 */
int ect_codec_open_fd(int fd, unsigned int flags, const struct ect_codec_key *keys, size_t nkeys,
		      struct ect_codec_file **out) ECT_MUST_CHECK;
/* Wipe the FEK, free the handles. NULL is allowed. The fd is not closed. */
void ect_codec_close(struct ect_codec_file *f);

const struct ect_header_info *ect_codec_info(const struct ect_codec_file *f);
/* The cipher in use and which header key opened the file (index in info->keys). */
const struct ect_cipher_info *ect_codec_cipher(const struct ect_codec_file *f);
int ect_codec_key_index(const struct ect_codec_file *f);
/* Plaintext size (from the header; updated by writes). */
uint64_t ect_codec_size(const struct ect_codec_file *f);
/* Number of data extents the size implies: ceil(size / 4096). */
uint64_t ect_codec_extent_count(const struct ect_codec_file *f);

/*
 * The kernel's per-extent IV: MD5(root IV || "%lld" of n, zero-padded to 16).
 * root_iv is MD5(FEK). Exposed for tests and diagnostics.
 */
int ect_codec_root_iv(const uint8_t *fek, size_t fek_len, uint8_t root_iv[16]) ECT_MUST_CHECK;
int ect_codec_extent_iv(const uint8_t root_iv[16], uint64_t n, uint8_t iv[16]) ECT_MUST_CHECK;

/*
 * Pure extent crypto: count whole extents from in to out (may be the same
 * buffer), first extent number first. No I/O; no size truncation.
 * Encryption of several extents steps them together (faster than one by
 * one; same bytes).
 */
int ect_codec_decrypt_extents(struct ect_codec_file *f, uint64_t first, size_t count,
			      const void *in, void *out) ECT_MUST_CHECK;
int ect_codec_encrypt_extents(struct ect_codec_file *f, uint64_t first, size_t count,
			      const void *in, void *out) ECT_MUST_CHECK;

/*
 * Random access: read plaintext [off, off+len) clipped at the size from the
 * file's fd. Returns bytes read (0 at or past the end) or an error;
 * ECT_E_TRUNCATED when the lower file is shorter than the size says.
 */
ssize_t ect_codec_pread(struct ect_codec_file *f, void *buf, size_t len, uint64_t off) ECT_MUST_CHECK;
/* Decrypt extent n (4096 bytes, tail not clipped) from the fd into out. */
int ect_codec_read_extent(struct ect_codec_file *f, uint64_t n, void *out) ECT_MUST_CHECK;

/* Streaming sink: return 0 to continue, negative to stop with that error. */
typedef int (*ect_codec_sink_fn)(void *userdata, const void *data, size_t len);
/* Whole plaintext, in order, in large batches. Returns 0 or an error. */
int ect_codec_decrypt_to(struct ect_codec_file *f, ect_codec_sink_fn sink, void *userdata) ECT_MUST_CHECK;
int ect_codec_decrypt_to_fd(struct ect_codec_file *f, int out_fd) ECT_MUST_CHECK;

/* ---- writing lower files ----------------------------------------------- */

struct ect_codec_create_params {
	const char *cipher;		   /* kernel name; NULL: "aes" */
	size_t key_bytes;		   /* 0: 16 */
	const struct ect_codec_key *keys;  /* each gets a tag 3 + tag 11, in order */
	size_t nkeys;			   /* at least 1 */
	const uint8_t *salt;		   /* tag 3 salt label; NULL: ect_default_salt */
	int header_in_xattr;		   /* user.ecryptfs instead of an in-file header */
	int filenames_encrypted;	   /* sets ECT_HDR_FLAG_ENCRYPT_FILENAMES */
	uint32_t metadata_size;		   /* 0: 8192; else a multiple of 4096 >= 8192 */
};

/*
 * A new file with a random FEK and marker, size 0, written to fd (an empty
 * file opened read-write; -1 for a memory-only handle usable with
 * ect_codec_header_build and the extent functions). With fd, the header (or
 * the xattr) is written at once, so the result is a valid empty file.
 */
int ect_codec_create(int fd, const struct ect_codec_create_params *p,
		     struct ect_codec_file **out) ECT_MUST_CHECK;
/*
 * The header bytes for the current size: metadata_size bytes for an
 * in-file header, 26 + packets for an xattr one. Returns the length, or
 * -ENOSPC when bufsize is too small.
 */
ssize_t ect_codec_header_build(const struct ect_codec_file *f, void *buf, size_t bufsize) ECT_MUST_CHECK;
/*
 * Write plaintext at off through the fd (ECT_CODEC_WRITE or a created
 * file): partial extents are read, merged and re-encrypted; a gap past the
 * old end is filled with encrypted zero extents, as the kernel does; the
 * size in the header (or xattr) is updated. Returns len or an error.
 */
ssize_t ect_codec_pwrite(struct ect_codec_file *f, const void *buf, size_t len, uint64_t off) ECT_MUST_CHECK;
/* Streaming writer: source returns bytes read (0 at end) or negative. */
typedef ssize_t (*ect_codec_source_fn)(void *userdata, void *buf, size_t len);
/* Append everything from source at the current end, in large batches. */
int ect_codec_encrypt_from(struct ect_codec_file *f, ect_codec_source_fn source, void *userdata) ECT_MUST_CHECK;
int ect_codec_encrypt_from_fd(struct ect_codec_file *f, int in_fd) ECT_MUST_CHECK;
/*
 * Set the plaintext size as the kernel's truncate does. Growing writes
 * encrypted zero extents up to size; shrinking zeroes the tail of the new
 * last extent, stores the size, then cuts the lower file to whole extents.
 */
int ect_codec_truncate(struct ect_codec_file *f, uint64_t size) ECT_MUST_CHECK;

/* ---- both cores: a worker pool ----------------------------------------- */

/*
 * A fixed set of threads running submitted jobs (files of a tree, extent
 * ranges of one file). Each worker needs its own cipher handle: jobs on one
 * ect_codec_file must use ect_codec_clone(), never share the handle.
 */
struct ect_codec_pool;
typedef int (*ect_codec_job_fn)(void *arg);

/* nthreads 0: the number of online CPUs. */
int ect_codec_pool_new(unsigned int nthreads, struct ect_codec_pool **out) ECT_MUST_CHECK;
unsigned int ect_codec_pool_threads(const struct ect_codec_pool *pool);
/* Queue a job; blocks while the queue is full. */
int ect_codec_pool_submit(struct ect_codec_pool *pool, ect_codec_job_fn fn, void *arg) ECT_MUST_CHECK;
/*
 * Wait for every queued job, batches' too; returns the first negative
 * result of the jobs submitted with ect_codec_pool_submit(), or 0.
 */
int ect_codec_pool_wait(struct ect_codec_pool *pool);
void ect_codec_pool_free(struct ect_codec_pool *pool);
/*
 * A batch: one caller's jobs on a shared pool, waited for on their own.
 * Several threads may each run batches on one pool at once; a batch's
 * wait returns when its own jobs are done, with their first negative
 * result, whatever else the pool runs. One batch belongs to one thread.
 * Jobs must not wait for batches (the workers would wait for themselves).
 */
struct ect_codec_batch;
int ect_codec_batch_new(struct ect_codec_pool *pool, struct ect_codec_batch **out) ECT_MUST_CHECK;
/* Queue a job of this batch; blocks while the pool's queue is full. */
int ect_codec_batch_submit(struct ect_codec_batch *b, ect_codec_job_fn fn, void *arg) ECT_MUST_CHECK;
/* Wait for this batch's jobs; their first negative result, or 0. Reusable after. */
int ect_codec_batch_wait(struct ect_codec_batch *b);
/* Waits for the batch's jobs first. */
void ect_codec_batch_free(struct ect_codec_batch *b);
/* A second handle on the same file and FEK (own cipher state, same fd). */
int ect_codec_clone(const struct ect_codec_file *f, struct ect_codec_file **out) ECT_MUST_CHECK;
/*
 * Decrypt the whole file to out_fd using every pool thread, in 256 KiB
 * ranges written with pwrite at offsets 0..size (a pipe or socket falls
 * back to the sequential stream). Waits for its own jobs only (a batch).
 */
int ect_codec_decrypt_to_fd_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				     int out_fd) ECT_MUST_CHECK;
/*
 * ect_codec_pread / ect_codec_pwrite with the extents spread over the pool
 * (at least 4 per thread; fewer run inline on the calling thread, as does
 * pool NULL). The calling thread takes the first part; clones of f made on
 * first use (kept until ect_codec_close) take the rest, as a batch of
 * their own. f stays single-threaded: one call on f at a time.
 */
ssize_t ect_codec_pread_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				 void *buf, size_t len, uint64_t off) ECT_MUST_CHECK;
ssize_t ect_codec_pwrite_parallel(struct ect_codec_file *f, struct ect_codec_pool *pool,
				  const void *buf, size_t len, uint64_t off) ECT_MUST_CHECK;

/* ---- file names (tag 70) ------------------------------------------------ */

struct ect_fname_codec;

/*
 * A name codec for one FNEK (64-byte derived key, signature sig) with the
 * mount's ecryptfs_fn_cipher / ecryptfs_fn_key_bytes (cipher NULL: "aes",
 * key_bytes 0: 16). The key is copied into locked memory.
 */
int ect_fname_codec_new(const uint8_t fnek[ECT_KEY_SIZE], const char *sig, const char *cipher,
			size_t key_bytes, struct ect_fname_codec **out) ECT_MUST_CHECK;
void ect_fname_codec_free(struct ect_fname_codec *c);
/* Longest plaintext name (bytes) whose lower name fits 255: 143 for 8/16-byte blocks. */
int ect_fname_name_max(const struct ect_fname_codec *c);
/* Length of the lower name for a plaintext name of len bytes (prefix included). */
size_t ect_fname_lower_len(unsigned int block_size, size_t len);

enum ect_fname_flags {
	ECT_FNAME_SYMLINK = 1 << 0,	/* a symlink target: no NAME_MAX limit */
	ECT_FNAME_PASSTHROUGH = 1 << 1, /* decrypt: names without the prefix come back as-is */
	/*
	 * decrypt: what a current kernel lists: unprefixed names of up to 24
	 * bytes come back as-is, longer ones fail (the kernel hides them).
	 */
	ECT_FNAME_KERNEL_RULES = 1 << 2,
};

/*
 * Encrypt one path component (or, with ECT_FNAME_SYMLINK, a whole target)
 * into out as "ECRYPTFS_FNEK_ENCRYPTED.<encoded>", NUL-terminated.
 * "." and ".." come back unchanged. Returns the length, -ENOSPC when
 * outsize is too small, ECT_E_NAME_TOO_LONG past the limit, -EINVAL for an
 * empty name or one containing '/' or NUL (components only).
 */
ssize_t ect_fname_encrypt(struct ect_fname_codec *c, const char *name, size_t len,
			  unsigned int flags, char *out, size_t outsize) ECT_MUST_CHECK;
/*
 * Decrypt a lower name or symlink target into out (NUL-terminated).
 * Returns the length, or: ECT_E_NOT_ECRYPTFS (no prefix and no
 * ECT_FNAME_PASSTHROUGH), ECT_E_WRONG_PASSWORD (packet signature is not
 * this FNEK's), ECT_E_FORMAT (undecodable, or a component that decrypts to
 * something containing '/' or NUL, or to "." / ".."), ECT_E_TRUNCATED,
 * -ENOSPC. Not thread-safe: one codec per thread.
 */
ssize_t ect_fname_decrypt(struct ect_fname_codec *c, const char *lower, size_t len,
			  unsigned int flags, char *out, size_t outsize) ECT_MUST_CHECK;
/*
 * What a lower name says without a key: the FNEK signature and cipher code.
 * Returns 0, ECT_E_NOT_ECRYPTFS, ECT_E_FORMAT or ECT_E_TRUNCATED.
 */
int ect_fname_peek(const char *lower, size_t len, char sig[ECT_SIG_HEX_SIZE + 1],
		   uint8_t *cipher_code) ECT_MUST_CHECK;

/* The kernel's filename encoding (not base64): raw bytes <-> characters. */
size_t ect_fname_encoded_len(size_t raw_len);
ssize_t ect_fname_encode(const void *raw, size_t len, char *out, size_t outsize) ECT_MUST_CHECK;
/* Unknown characters decode as 0, like the kernel. Returns floor(6n/8). */
ssize_t ect_fname_decode(const char *enc, size_t len, void *out, size_t outsize) ECT_MUST_CHECK;

/* ---- walking a lower tree ----------------------------------------------- */

enum ect_tree_entry_type {
	ECT_TREE_DIR = 1,
	ECT_TREE_FILE = 2,
	ECT_TREE_SYMLINK = 3,
	ECT_TREE_OTHER = 4, /* device, fifo, socket: name only */
};

struct ect_tree_entry {
	enum ect_tree_entry_type type;
	int dirfd;		/* open directory holding the entry */
	const char *lower_name; /* name in dirfd */
	const char *lower_path; /* relative to the root, lower names */
	const char *upper_path; /* relative to the root, decrypted names (or lower
				 * names when no name codec was given) */
	int name_error;		/* 0, or why the name did not decrypt (upper_path
				 * then holds the lower name) */
	unsigned int depth;
};

/* Return 0 to go on, 1 to skip a directory's contents, negative to stop. */
typedef int (*ect_tree_fn)(void *userdata, const struct ect_tree_entry *e);

/*
 * Walk the tree under root_fd (a directory) depth first, sorted by lower
 * name, never following symlinks or crossing mounts. names: NULL when the
 * lower names are plain. Returns 0 or the first negative callback result.
 */
int ect_tree_walk(int root_fd, struct ect_fname_codec *names, ect_tree_fn fn,
		  void *userdata) ECT_MUST_CHECK;

/* ======================================================================
 * verify: lower-file inspection and setup checks (ecryptfs-stat,
 * ecryptfs-verify-private, ecryptfs-recover-private)
 * ====================================================================== */

/*
 * ect_stat_* is the diagnostic reader behind ecryptfs-stat and the setup
 * checks: unlike ect_header_parse() it keeps what it parsed before a fault
 * and says where the fault is, so damaged headers can be described.
 */
#define ECT_HEADER_MARKER 0x3c81b7f5u	/* m2 = m1 ^ this */
#define ECT_STAT_KEYS_MAX 8

/* One key packet of a lower-file header. */
struct ect_stat_key {
	uint8_t tag;			/* 3: passphrase-wrapped FEK, 1: public-key-wrapped FEK */
	uint8_t cipher_code;		/* RFC 2440 cipher code (tag 3), 0 for tag 1 */
	uint16_t efek_len;		/* bytes of encrypted FEK */
	uint8_t salt[ECT_SALT_SIZE];	/* tag 3 label only; the kernel ignores it */
	char sig[ECT_SIG_HEX_SIZE + 1]; /* key signature (tag 11 or tag 1 key id), lowercase hex */
};

/* What a lower-file header says, field by field (ecryptfs-format.md §1-2). */
struct ect_stat_info {
	uint64_t plaintext_size;	/* bytes 0-7 */
	uint32_t marker1, marker2;
	uint8_t version;		/* file format version, 3 today */
	uint32_t flags;			/* ECT_HDR_FLAG_* (low 24 bits of the flags word) */
	uint32_t extent_size;		/* header extent size (4096) */
	uint16_t extent_count;		/* header extents (2) */
	uint64_t metadata_size;		/* header bytes at the front of the lower file; 0 in xattr */
	int in_xattr;			/* the header was read from the xattr */
	uint64_t lower_size;		/* st_size of the lower file (ect_stat_file only) */
	unsigned int nkeys;
	struct ect_stat_key keys[ECT_STAT_KEYS_MAX];
	char problem[160];		/* on ECT_E_FORMAT/ECT_E_TRUNCATED: what is wrong */
};

/*
 * Parse a header from buf (the first bytes of the lower file or the xattr
 * value). Returns 0, ECT_E_NOT_ECRYPTFS when the marker does not match,
 * ECT_E_TRUNCATED or ECT_E_FORMAT (info->problem names the fault), or
 * ECT_E_VERSION for a version above 3. Fields parsed before a fault stay set.
 */
int ect_stat_parse(const void *buf, size_t len, int from_xattr, struct ect_stat_info *info);
/*
 * Read the header of an already open lower file: the first 4096 bytes, or
 * the user.ecryptfs xattr when the file carries no in-file header.
 */
int ect_stat_fd(int fd, struct ect_stat_info *info);
/* Same for a path: opened read-only, O_NOFOLLOW, non-blocking; regular files only. */
int ect_stat_file(const char *path, struct ect_stat_info *info);
/*
 * Usable plaintext name length on a lower filesystem whose names may be
 * lower_namelen bytes, for a name cipher of block_size bytes
 * (ecryptfs-format.md §4.4): 143 with AES on 255, lower_namelen without
 * filename encryption.
 */
unsigned long ect_fne_name_max(unsigned long lower_namelen, unsigned int block_size, int fne);

/* Severity of one finding of a setup check; ordered, so the worst is the max. */
enum ect_severity {
	ECT_SEV_OK = 0,	  /* check passed */
	ECT_SEV_INFO = 1, /* a fact worth knowing */
	ECT_SEV_WARN = 2, /* works, but weaker or riskier than it should be */
	ECT_SEV_FAIL = 3, /* broken or unsafe: mounting, login or secrecy is at stake */
};

/*
 * What fixes a finding, as data: the kind of repair and what it acts on.
 * Spelling it out as a shell command is the client's job
 * (ecryptfs-verify-private prints one).
 */
enum ect_fix_kind {
	ECT_FIX_NONE = 0,
	ECT_FIX_CHOWN,		 /* give path to user */
	ECT_FIX_CHMOD,		 /* set path's permission bits to mode */
	ECT_FIX_CHMOD_DROP,	 /* clear the permission bits mode from path */
	ECT_FIX_MKDIR,		 /* create the directory path with mode, owned by user */
	ECT_FIX_TOUCH,		 /* create the flag file path */
	ECT_FIX_SYMLINK,	 /* make path a symlink to path2, owned by user */
	ECT_FIX_WRITE_MNT,	 /* write the mount point path2 into path (Private.mnt), owned by user */
	ECT_FIX_WRAP,		 /* wrap the mount passphrase into path */
	ECT_FIX_REWRAP,		 /* rewrap path in the current format */
	ECT_FIX_WRAP_BOOTSTRAP,	 /* wrap the clear passphrase in path into path2 for user */
	ECT_FIX_SETUP_PRIVATE,	 /* run setup-private */
	ECT_FIX_SETUP_PRIVATE_FORCE, /* run setup-private --force */
	ECT_FIX_MOVE_UNDERNEATH, /* move plain entries from under the mount on path into it */
	ECT_FIX_SSH_KEYS_OUTSIDE, /* copy the authorized keys path outside the home of user */
	ECT_FIX_MOVE_PLAINTEXT,	 /* mount, then move the plaintext lower file path into path2 */
	ECT_FIX_INSPECT_HEADER,	 /* look at path's header (ecryptfs-stat) */
	ECT_FIX_SETUP_SWAP,	 /* encrypt swap */
	ECT_FIX_REMOVE,		 /* remove the file path */
	ECT_FIX_LOAD_MODULE,	 /* load the kernel's ecryptfs module */
};

/* Fields a kind does not use are 0 / NULL; the strings belong to the report. */
struct ect_fix {
	enum ect_fix_kind kind;
	unsigned int mode;
	char *user;
	char *path;
	char *path2;
};

/* One finding: what was checked, a one-line explanation, what fixes it. */
struct ect_finding {
	enum ect_severity severity;
	char check[32];	  /* stable identifier, e.g. "wrapped-passphrase" */
	char message[384];
	struct ect_fix fix; /* kind ECT_FIX_NONE when there is nothing to do */
};

struct ect_report {
	struct ect_finding *items;
	size_t count;
	size_t cap;
};

/* Whose setup to check. */
struct ect_verify_target {
	const char *user;
	uid_t uid;
	gid_t gid;
	const char *home;
};

/* Where the checks look; NULL fields mean the live system's files. */
struct ect_verify_opts {
	unsigned int sample_files; /* lower files to inspect, 0: 64 */
	unsigned int walk_limit;   /* directory entries to visit at most, 0: 20000 */
	const char *mountinfo;	   /* /proc/self/mountinfo */
	const char *swaps;	   /* /proc/swaps */
	const char *sysfs;	   /* /sys */
	const char *shm_dir;	   /* /dev/shm */
	const char *ecryptfs_root; /* /home/.ecryptfs, where whole homes keep .ecryptfs, .Private */
	const char *authorized_keys; /* sshd's AuthorizedKeysFile (as `sshd -T` prints it),
				      * NULL: ".ssh/authorized_keys .ssh/authorized_keys2" */
	const char *wrapped_locations; /* NULL: ECT_WRAPPED_LOCATIONS_FILE */
	const char *fuse_program;      /* NULL: the ecryptfs-fuse the build installs */
};

/*
 * Check one user's eCryptfs setup (a ~/Private, or a whole home under
 * /home/.ecryptfs/USER) and append findings to report. Files are reached
 * through fds, never through a symlink of the user's that is not checked,
 * so root may run it over every account. Returns 0 (findings say what is
 * wrong), 1 when the account has no eCryptfs setup at all (one "setup"
 * info finding says so), or a negative error when the checks could not run
 * at all (e.g. -ENOMEM).
 */
int ect_verify_user(const struct ect_verify_target *target, const struct ect_verify_opts *opts,
		    struct ect_report *report) ECT_MUST_CHECK;
/* Checks that concern every user: swap encryption. */
int ect_verify_system(const struct ect_verify_opts *opts, struct ect_report *report) ECT_MUST_CHECK;
/* What a block device sits on: the swap check's rule, also used by ecryptfs-setup-swap. */
enum ect_block_crypt {
	ECT_BLOCK_PLAIN,
	ECT_BLOCK_DM_CRYPT, /* on dm-crypt, also below LVM */
	ECT_BLOCK_ZRAM,	    /* compressed RAM: never reaches a disk */
};
/* dev: a block device's st_rdev, or a file's st_dev; sysfs NULL means "/sys". */
enum ect_block_crypt ect_block_crypt(const char *sysfs, dev_t dev);
/*
 * One line of /proc/swaps: the area's name (escapes undone) and type
 * ("partition", "file"). 0, or -1 for the header or a line that is not one.
 */
int ect_swaps_line(const char *line, char *name, size_t name_size, char *type, size_t type_size);
/* Append a finding without a fix (printf-style message); -ENOMEM if it cannot. */
int ect_report_add(struct ect_report *report, enum ect_severity severity, const char *check,
		   const char *fmt, ...) ECT_PRINTF(4, 5);
enum ect_severity ect_report_worst(const struct ect_report *report);
void ect_report_free(struct ect_report *report);
/* "ok", "info", "warn", "fail". */
const char *ect_severity_name(enum ect_severity severity);

/* One ecryptfs line of /proc/self/mountinfo, escapes undone. */
#define ECT_MOUNT_PATH_MAX 4096
struct ect_mount_entry {
	char source[ECT_MOUNT_PATH_MAX]; /* lower directory as given to mount(2) */
	char point[ECT_MOUNT_PATH_MAX];	 /* mount point */
	char opts[1024];		 /* superblock options: ecryptfs_sig=... */
};
/*
 * Find a mounted eCryptfs in mountinfo (NULL: /proc/self/mountinfo) whose
 * source is lower or whose mount point is upper (either may be NULL); of
 * several, the last line (the top of a stack of mounts, the one a path
 * reaches), as ect_mount_lookup.
 * Returns 1 and fills out (may be NULL) when found, 0 when not, or a
 * negative errno when mountinfo cannot be read.
 */
int ect_mountinfo_find_ecryptfs(const char *mountinfo, const char *lower, const char *upper,
				struct ect_mount_entry *out);

/* ====================================================================== */

#ifdef __cplusplus
}
#endif

#endif /* ECRYPTFS_TOOLS_H */
