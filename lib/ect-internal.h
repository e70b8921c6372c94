/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Declarations shared inside the library; never installed. */
#ifndef ECT_INTERNAL_H
#define ECT_INTERNAL_H

#include "ect-private.h"
#include "core/crypto-backend.h"

#include <stdbool.h>
#include <time.h>

#define ECT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ECT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

struct ect_ctx {
	char ident[64];
	enum ect_log_sink sink;
	ect_log_fn log_fn;
	void *log_userdata;
	int debug;
	/* rate limiter: at most burst lines per interval */
	unsigned int rl_interval;
	unsigned int rl_burst;
	time_t rl_window_start;
	unsigned int rl_count;
	unsigned int rl_suppressed;
	int modprobe_tried; /* ect_kernel_probe loads the module at most once */
};

/*
 * Exactly 2*n hex digits (either case) into n bytes; -EINVAL, with out
 * untouched, on any other character. The caller checks the length.
 */
int ect__hex_decode(const char *hex, uint8_t *out, size_t n);
/* n bytes as lowercase hex, NUL-terminated: out holds 2*n+1 bytes. */
void ect__hex_encode(const uint8_t *in, size_t n, char *out);

/* What ect_secure_alloc was asked for, and whether mlock took (for tests). */
size_t ect__secure_size(const void *ptr);
int ect__secure_locked(const void *ptr);

/* ect_close_fds_except; try_range false: the close(2) fallback only (for tests). */
void ect__close_fds_except(int first, const int *keep, size_t n, bool try_range);

/*
 * read(2) until cap bytes or end of file, retrying EINTR (lib/core/fileio.c).
 * *n = bytes read; *n == cap means there may be more. 0 or -errno.
 */
int ect__read_full(int fd, void *buf, size_t cap, size_t *n);
/* write(2) all size bytes, retrying EINTR and short writes (lib/core/fileio.c). 0 or -errno. */
int ect__write_all(int fd, const void *data, size_t size);
/*
 * Open directory path (O_RDONLY) for writing files that will belong to uid
 * (-1: the caller): ECT_E_UNSAFE_PATH when uid is another owner than the
 * caller and the directory is not uid's (lib/core/fileio.c).
 */
int ect__dir_open_for(const char *path, uid_t uid, int *fd);

/* Decode the kernel's \ooo escapes (mountinfo, /proc/swaps) in place (lib/mount/mountinfo.c). */
void ect__unescape_octal(char *s);
/*
 * The library's one mountinfo reader (lib/mount/mountinfo.c): fn on each
 * row (mountinfo NULL: /proc/self/mountinfo) until it returns non-zero.
 * That value, 0 after the last row, or -errno when the file cannot be read.
 */
typedef int (*ect__mountinfo_fn)(const struct ect_mountinfo_entry *e, void *arg);
int ect__mountinfo_each(const char *mountinfo, ect__mountinfo_fn fn, void *arg);
/* A row's source, mount point and super options into out. */
void ect__mount_entry_copy(struct ect_mount_entry *out, const struct ect_mountinfo_entry *e);
/*
 * The eCryptfs entries (lib/mount/mountinfo.c): the last match (the top
 * of a stack of mounts) by source and/or target.
 * 1 with *mount_id and *out filled (either may be NULL), 0, or -errno.
 */
int ect__mount_find_last(const char *mountinfo, const char *source, const char *target,
			 enum ect_mount_match match, int *mount_id, struct ect_mount_entry *out);

/*
 * Longest plaintext name whose encrypted lower name (prefix included) fits
 * lower_max bytes for a name cipher of block_size (lib/codec/codec-filename.c):
 * the one name-length rule, 143 for 8/16-byte blocks on 255.
 */
size_t ect__fname_name_max(unsigned int block_size, size_t lower_max);

/*
 * A signature a person typed (mount options, codec keys): 16 hex digits of
 * either case, lowered into out, else ECT_E_BAD_SIG (lib/kdf/kdf.c). What
 * is stored or handed to the kernel must pass ect_sig_check (lower-case
 * only): see the rule at ect_sig_check in ecryptfs-tools.h.
 */
int ect__sig_lower(const char *in, char out[ECT_SIG_HEX_SIZE + 1]);

/*
 * Where a file's header is, by the kernel's rule (lib/codec/codec-contents.c):
 * the first ECT_HEADER_PARSE_MAX bytes, and only when they hold no marker
 * (or too few bytes for one) the user.ecryptfs xattr. parse gets each
 * candidate; its result is returned. An xattr larger than the kernel reads
 * is ECT_E_FORMAT; no xattr leaves the file's answer.
 */
enum {
	ECT__HEADER_IN_FILE = 1,
	ECT__HEADER_IN_XATTR = 2,
};
typedef int (*ect__header_parse_fn)(const uint8_t *hdr, size_t n, int in_xattr, void *arg);
int ect__header_find(int fd, unsigned int where, ect__header_parse_fn parse, void *arg);

#endif /* ECT_INTERNAL_H */
