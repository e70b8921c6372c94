/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecryptfs-fuse: the kernel's eCryptfs format through FUSE (issue #15).
 * Shared between fuse/efs-*.c; the format itself is the library's codec.
 */
#ifndef ECT_FUSE_EFS_H
#define ECT_FUSE_EFS_H

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <fuse_lowlevel.h>

#include "ecryptfs-tools.h"

#include <pthread.h>
#include <sys/stat.h>

/* Exit codes (man/ecryptfs-fuse.8). */
#define EFS_EXIT_USAGE 1   /* bad arguments or mount options */
#define EFS_EXIT_KEYS 2	   /* a key is missing from the keyring or unusable */
#define EFS_EXIT_LOWER 3   /* the lower directory cannot be opened */
#define EFS_EXIT_MOUNT 4   /* FUSE could not mount or serve */

/* A name libfuse gave an open file instead of unlinking it (efs-hidden.c). */
struct efs_hidden {
	struct efs_hidden *next;
	dev_t dir_dev;		  /* the lower directory it was unlinked from */
	ino_t dir_ino;
	char name[32];		  /* ".fuse_hidden" and 16 hex digits */
};

/* One lower file opened through FUSE, shared by every open of that inode. */
struct efs_file {
	struct efs_file *next;
	dev_t dev;
	ino_t ino;
	unsigned int refs;
	pthread_mutex_t lock;	  /* serialises I/O on cf (one cipher state) */
	int fd;			  /* lower file */
	int writable;		  /* fd is O_RDWR */
	struct ect_codec_file *cf; /* NULL: a plain file under ecryptfs_passthrough */
	struct efs_hidden *hidden; /* its hidden names (under files_lock); freed with it */
};

/*
 * Upper sizes of lower files that are not open, read from their headers,
 * by lower inode and change time (efs-files.c says why that is safe).
 */
#define EFS_SIZES_SLOTS 256
struct efs_size_slot {
	dev_t dev;
	ino_t ino;		   /* 0: the slot is free */
	struct timespec ctime, mtime;
	off_t lower_size;
	off_t size;		   /* from the header */
};

/*
 * Recently resolved lower directories by upper path, so that an operation
 * on /a/b/c opens no directory on the way (efs-names.c). An entry lives
 * EFS_DIRS_TTL_MS, as long as the kernel's own FUSE entry cache.
 */
#define EFS_DIRS_SLOTS 16
#define EFS_DIRS_TTL_MS 1000
struct efs_dir_slot {
	char *path;		/* upper directory path; NULL: the slot is free */
	int fd;			/* its lower directory, O_PATH */
	struct timespec stamp;	/* CLOCK_MONOTONIC_COARSE when resolved */
};

/* The mount: everything the operations need, reached through fuse_get_context(). */
struct efs {
	struct ect_ctx *ctx;
	int lower_fd;		     /* the lower directory, O_RDONLY|O_DIRECTORY */
	int read_only;		     /* -o ro: lower files are only ever opened O_RDONLY */
	struct ect_mount_opts opts;  /* the ecryptfs_* options as given */
	uint8_t *key_mem;	     /* locked: one ECT_KEY_SIZE key per sig, then the FNEK */
	struct ect_codec_key keys[ECT_MOUNT_SIGS_MAX];
	size_t nkeys;
	const uint8_t *fnek;	     /* NULL without filename encryption */
	pthread_key_t names_key;     /* per-thread struct ect_fname_codec (not thread-safe) */
	int names_ready;	     /* names_key exists */
	int name_max;		     /* what statfs reports as f_namemax */
	struct ect_codec_create_params create;
	pthread_mutex_t files_lock;  /* files and sizes */
	struct efs_file *files;
	struct efs_size_slot sizes[EFS_SIZES_SLOTS];
	pthread_mutex_t log_lock;    /* ect_log's rate limit state is not thread-safe */
	pthread_mutex_t dirs_lock;
	struct efs_dir_slot dirs[EFS_DIRS_SLOTS];
	unsigned int dirs_victim;    /* next slot to reuse when all are taken */
	unsigned long dirs_gen;	     /* bumped by efs_dirs_forget */
	unsigned int codec_threads;  /* -o codec_threads: 0 the CPUs, 1 no pool */
	struct ect_codec_pool *pool; /* extents of big reads and writes; NULL: inline */
	int pool_writes;	     /* writes too: only with more than EFS_POOL_WRITES_MIN threads */
	int as_caller;		     /* run by root: objects are made as the caller (efs-creds.c) */
	gid_t *groups;		     /* the daemon's own supplementary groups, given back after */
	int ngroups;
};

/*
 * Requests of fewer bytes run inline on the FUSE thread; bigger ones spread
 * their extents over the pool (bench/fuse.md has the measurements).
 */
#define EFS_POOL_MIN (32 * 1024)
/*
 * On 2 CPUs the pool made sequential writes slower (a FUSE write waits for
 * its slowest part, and a loaded second CPU runs that part late; reads
 * come in parallel from readahead anyway): writes stay inline there.
 */
#define EFS_POOL_WRITES_MIN 2

static inline struct efs *efs_get(void)
{
	return fuse_get_context()->private_data;
}

/*
 * One line to stderr, or once in the background to syslog (LOG_DAEMON),
 * rate-limited: at most EFS_LOG_BURST lines per EFS_LOG_INTERVAL seconds.
 */
#define EFS_LOG_INTERVAL 10
#define EFS_LOG_BURST 20
void efs_log(struct efs *e, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A library error as the errno FUSE returns (ECT_E_* become EIO and kin). */
int efs_errno(int rc);

/* efs-creds.c */
struct efs_creds {
	int switched;		/* this thread acts as the caller until efs_as_daemon */
};
/* Whether objects are made as the caller (the daemon is root); its groups. */
int efs_creds_init(struct efs *e);
void efs_creds_free(struct efs *e);
/*
 * Around the one call that makes a lower object: this thread takes the
 * caller's fsuid, fsgid and groups (a no-op unless e->as_caller), then
 * gives them back. efs_as_daemon aborts rather than serve as someone else.
 */
int efs_as_caller(struct efs *e, struct efs_creds *saved);
void efs_as_daemon(struct efs *e, struct efs_creds *saved);

/* efs-keys.c */
/* Check that every key the options name is in the keyring (nothing read). */
int efs_keys_check(const struct ect_mount_opts *o, const char **missing);
/* Read the keys into locked memory and build the create parameters. */
int efs_keys_load(struct efs *e, const char **failed);
void efs_keys_free(struct efs *e);

/* efs-names.c */
/*
 * Resolve an upper path: *dirfd (O_PATH, caller closes) is the lower
 * directory holding the last component and lname its lower name ("." for
 * the root). Every component is opened without following symlinks.
 */
int efs_resolve(struct efs *e, const char *path, int *dirfd, char *lname, size_t size);
/* One upper component to its lower name, and back (-errno; back: 1 = hide). */
int efs_name_encrypt(struct efs *e, const char *name, char *out, size_t size);
int efs_name_decrypt(struct efs *e, const char *lower, char *out, size_t size);
/* Symlink targets: encrypted with the FNEK as the kernel does. */
int efs_target_encrypt(struct efs *e, const char *target, char *out, size_t size);
int efs_target_decrypt(struct efs *e, const char *lower, char *out, size_t size);
int efs_names_init(struct efs *e);
/* After a rename or rmdir through the mount: no cached directory is trusted. */
void efs_dirs_forget(struct efs *e);
void efs_names_free(struct efs *e);

/* efs-files.c */
/* Open (or share) the lower file name in dirfd; want_write asks for O_RDWR. */
int efs_file_get(struct efs *e, int dirfd, const char *name, int want_write,
		 struct efs_file **out);
/* Create name in dirfd exclusively with a fresh header. */
int efs_file_create(struct efs *e, int dirfd, const char *name, mode_t mode,
		    struct efs_file **out);
void efs_file_put(struct efs *e, struct efs_file *f);
/* The open entry of a lower inode with a reference taken, or NULL. */
struct efs_file *efs_file_find(struct efs *e, dev_t dev, ino_t ino);
/* The upper size of a lower regular file (header size, or the open file's). */
int efs_file_size(struct efs *e, int dirfd, const char *name, const struct stat *lower,
		  off_t *size);
int efs_file_truncate(struct efs_file *f, off_t size);

/* efs-hidden.c: libfuse's hidden names of files unlinked while open */
/* Whether path's last component has the form of libfuse's hidden names. */
int efs_hidden_is(const char *path);
/*
 * rename(from, to) when it is libfuse hiding an open file: the lower name
 * unlinked, to remembered on the open entry. 1: done that way; 0: a plain
 * rename is due; -errno.
 */
int efs_hidden_hide(struct efs *e, const char *from, const char *to);
/*
 * The open entry of a hidden path with a reference (efs_file_put it), or
 * NULL: at once, without a lookup, for a path not of the hidden form.
 */
struct efs_file *efs_hidden_get(struct efs *e, const char *path);
/* libfuse unlinks a hidden path: 1 if it was one, now forgotten. */
int efs_hidden_drop(struct efs *e, const char *path);
void efs_hidden_free(struct efs_file *f);
/* fstat of an open entry, with its upper size. */
int efs_hidden_stat(struct efs_file *f, struct stat *st);

/* efs-ops-dir.c, efs-ops-file.c, efs-ops-xattr.c */
void efs_ops_dir(struct fuse_operations *ops);
void efs_ops_file(struct fuse_operations *ops);
void efs_ops_xattr(struct fuse_operations *ops);
/* mode less the caller's umask, unless the lower directory has a default ACL. */
mode_t efs_create_mode(int dirfd, mode_t mode);

#endif /* ECT_FUSE_EFS_H */
