/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library's helper-only API: mountinfo parsing, mount identity records,
 * the fd-based path walk and the session registry. Used inside the library,
 * by the setuid mount helper and the PAM module (which link lib/libect-core.la)
 * and by unit tests that link it the same way. Never installed and never
 * exported from libecryptfs-tools.so (lib/libecryptfs-tools.sym): programs
 * outside this project get the public ecryptfs-tools.h only.
 */
#ifndef ECT_PRIVATE_H
#define ECT_PRIVATE_H

#include "ecryptfs-tools.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One /proc/self/mountinfo line, split in place (octal escapes decoded). */
struct ect_mountinfo_entry {
	int mount_id;
	char *target;
	char *fstype;
	char *source;
	char *super_opts;
	int parent_id;
	dev_t dev;  /* st_dev of the file system (field 3, major:minor) */
	char *root; /* the directory of the file system mounted here ("/" for a whole one) */
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
 * For reports only: the strings in the mount table are whatever the mounter
 * passed, so no privileged decision may rest on them (issue #10); decide
 * with ect_mount_find_over.
 */
int ect_mount_lookup(const char *mountinfo, const char *source, const char *target,
		     enum ect_mount_match match, int *mount_id, char *opts, size_t optsize) ECT_MUST_CHECK;

/*
 * Mount identity (lib/mount/mountident.c): decided from fds, never from the
 * strings of the mount table.
 * ect_mount_id_of: the mount id of fd (statx, or fdinfo before Linux 5.8), -1 on failure.
 */
struct ect_mount_entry; /* public header, verify section */
int ect_mount_id_of(int fd);
/* The mountinfo row of mount_id when it is an eCryptfs mount: 1, 0 (none), negative errno. */
int ect_mount_find_id(const char *mountinfo, int mount_id, struct ect_mount_entry *out) ECT_MUST_CHECK;
/* The file system type ecryptfs-fuse mounts show in the mount table. */
#define ECT_FUSE_FSTYPE "fuse.ecryptfs-fuse"
/* Is "user_id=UID" (fusermount3 sets it) one of the comma-separated super options? */
int ect_mount_opts_have_user_id(const char *opts, uid_t uid);
/*
 * The first ecryptfs-fuse row (ECT_FUSE_FSTYPE, fusermount3's "user_id=UID"
 * among its super options) whose mount point is target; with parent_id >= 0
 * also mounted directly on that mount, of the whole file system (root "/").
 * 1 with *mount_id and out filled (either may be NULL), 0, or -errno. From
 * the strings of the table: a report's answer unless parent_id is a mount
 * id the caller took from an fd (ect_mount_find_fuse_at).
 */
int ect_mount_find_fuse_on(const char *mountinfo, const char *target, int parent_id, uid_t uid,
			   int *mount_id, struct ect_mount_entry *out) ECT_MUST_CHECK;
/*
 * 1 when name in the directory parent_fd is the mount point of an
 * ecryptfs-fuse mount (ECT_FUSE_FSTYPE) that uid made through fusermount3
 * ("user_id=UID" in its super options, which fusermount3 sets) directly on
 * parent_fd's mount. parent_canon is the verified path of parent_fd; the
 * row's mount point must be parent_canon/name. Found without touching the
 * FUSE mount: a process holding a saved uid of 0 may not look into another
 * user's FUSE mount (fuse_allow_current_process). *mount_id and out as for
 * ect_mount_find_over. The daemon is the user's own and answers for
 * nothing else: only the kernel's fields identify the mount.
 */
int ect_mount_find_fuse_at(const char *mountinfo, int parent_fd, const char *parent_canon,
			   const char *name, uid_t uid, int *mount_id,
			   struct ect_mount_entry *out) ECT_MUST_CHECK;
/*
 * The same for the path mountpoint: its parent is opened with
 * ect_path_open_dir (as the caller, no owner check; refusals logged to
 * ctx), its last name must be a plain name. 1, 0, or negative.
 */
int ect_mount_find_fuse(struct ect_ctx *ctx, const char *mountpoint, uid_t uid, int *mount_id,
			struct ect_mount_entry *out) ECT_MUST_CHECK;

/*
 * Which mount private mode made (issue #10 finding 5): the mount id, the
 * eCryptfs root's st_dev (the mount's own superblock) and st_ino, and the
 * lower directory's st_dev/st_ino. Kept in the root-owned registry as
 * ALIAS.mount; unmount requires it, so a mount made any other way (root
 * mode, ecryptfs-utils before an upgrade) is not the user's to unmount.
 */
struct ect_mount_record {
	int mount_id;
	unsigned long long dev, ino, lower_dev, lower_ino;
};
/* The record of the mount whose root is root_fd, over the directory lower_fd. */
int ect_mount_record_of(int root_fd, int lower_fd, struct ect_mount_record *rec) ECT_MUST_CHECK;
/* Replace (rec != NULL) or remove (rec == NULL) the record name in dirfd; atomic, 0600, euid-owned. */
int ect_mount_record_store(int dirfd, const char *name, const struct ect_mount_record *rec) ECT_MUST_CHECK;
/* Read the record name in dirfd: 0, -ENOENT when there is none, ECT_E_FORMAT when torn. */
int ect_mount_record_load(int dirfd, const char *name, struct ect_mount_record *rec) ECT_MUST_CHECK;

/* Flags for ect_path_open_dir. */
enum ect_path_flag {
	ECT_PATH_NO_SYMLINKS = 1 << 0, /* refuse every symlink, even trusted ones */
	ECT_PATH_CHECK_FSTYPE = 1 << 1,/* final directory's fs type must be allowlisted */
	ECT_PATH_CHECK_OWNER = 1 << 2, /* final directory must be owned by owner */
};
/*
 * Open the absolute path component by component (O_PATH|O_NOFOLLOW). A
 * symlink is followed only when owned by root or owner (at most 40); every
 * other one is refused; ".." goes to the real parent of what was opened. The
 * final object must be a directory, checked with fstat/fstatfs on the
 * returned O_RDONLY|O_DIRECTORY fd (the one to use), and neither under /proc,
 * /sys or /dev nor on a file system mounted there (by st_dev). *canonical
 * (malloc, may be NULL) is the path of that fd as the kernel names it, checked
 * by opening it again without symlinks or ".." and comparing dev/ino and
 * mount id, and equal to the path as written (a rename racing the walk makes
 * them differ: refused; issue #10). Refusals return ECT_E_UNSAFE_PATH and are
 * logged on ctx.
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

/*
 * chauthtok: rewrap every token AND password record of the user's
 * wrapped-passphrase.token from old_pw to new_pw, keeping each token part
 * (the token's PIN through pin_fn opens the secret; nothing is wrapped to
 * the token anew). All or nothing: on any error the file is left as it was,
 * *failed names the record that failed, *rewrapped is 0. No AND record:
 * 0 with *rewrapped 0 and nothing written. Errors as ect_token_unwrap.
 */
int ect_token_rewrap_user(const struct ect_user_dirs *d, ect_token_pin_fn pin_fn, void *pin_arg,
			  const char *old_pw, size_t old_len, const char *new_pw, size_t new_len,
			  const struct ect_argon2_params *ceiling, size_t *rewrapped,
			  size_t *failed) ECT_MUST_CHECK;

/*
 * Close every fd from first up but the n fds in keep (any order; repeats,
 * -1 and fds below first are ignored; keep may be NULL when n is 0): for a
 * child between fork and exec (no allocation, no lock). close_range(2) over
 * the gaps where the kernel has it, else close(2) one by one up to the
 * open-file limit (65536 at most). Close-on-exec flags are left as they are.
 */
void ect_close_fds_except(int first, const int *keep, size_t n);

/*
 * Descriptors over a unix socket (lib/core/fdpass.c), for the as-user
 * children of the setuid helper and the PAM module: one SOCK_SEQPACKET
 * message of 1..ECT_FD_MSG_MAX bytes with 0..ECT_FD_PASS_MAX fds.
 * ect_fd_send: 0 or -errno. ect_fd_recv waits at most timeout_ms (-1:
 * forever) and returns 0 with *len bytes in data and *nfds (<= max_fds) fds
 * (close-on-exec) in fds, the rest -1; -ETIMEDOUT; -EPROTO when the peer
 * closed without a message, the message or its fds were cut off, or it
 * held more fds than max_fds (all closed): never the -EIO the data may
 * report; or another -errno. The receiver checks what it got, by fstat.
 */
#define ECT_FD_PASS_MAX 4
#define ECT_FD_MSG_MAX 8192
int ect_fd_send(int sock, const int *fds, size_t nfds, const void *data, size_t len) ECT_MUST_CHECK;
int ect_fd_recv(int sock, int timeout_ms, int *fds, size_t max_fds, size_t *nfds, void *data,
		size_t size, size_t *len) ECT_MUST_CHECK;

/*
 * A directory opened by a child that became the user, passed back
 * (lib/core/dirpass.c). ect_spawn_detached: a socket pair and a child
 * running fn(arg, its end) that the caller never waits for (a middle
 * process forks it and is reaped here); the caller's end, or -errno.
 * ect_dir_reply_exit, in that child: sends the open's status, and with
 * fd >= 0 the fd and name (NULL: the kernel's name of fd), then _exits.
 * ect_dir_reply_recv: 0 with *fd and *name (free it); the child's open
 * error with *childs set (only an errno or ECT_E_* code counts as one);
 * -EPROTO for any other reply or a dead child; -ETIMEDOUT.
 * ect_same_dir: both fds the same directory on the same mount.
 */
int ect_spawn_detached(void (*fn)(void *arg, int sock), void *arg);
void ect_dir_reply_exit(int sock, int status, int fd, const char *name)
	__attribute__((noreturn));
int ect_dir_reply_recv(int sock, int timeout_ms, int *fd, char **name, bool *childs);
bool ect_same_dir(int a, int b);

/*
 * ect_kernel_probe with its paths given: sysfs_fs is the directory that
 * holds ecryptfs/version ("/sys/fs"), fuse_program and modprobe the
 * programs it looks for and runs. Unit tests point them into a temp dir.
 */
struct ect_kernel_paths {
	const char *sysfs_fs;
	const char *fuse_program;
	const char *modprobe;
};
int ect_kernel_probe_at(struct ect_ctx *ctx, const struct ect_kernel_paths *paths, unsigned int flags,
			struct ect_kernel_info *out) ECT_MUST_CHECK;
/* Is ecryptfs-fuse (ECT_FUSE_PROGRAM) installed and executable? (lib/mount/mountident.c) */
int ect_fuse_program_available(void);

#ifdef __cplusplus
}
#endif

#endif /* ECT_PRIVATE_H */
