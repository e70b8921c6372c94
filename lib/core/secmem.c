// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locked, wiped memory for secrets, independent of libgcrypt: allocating a
 * secret must not initialise libgcrypt, whose secure-pool setup calls
 * setuid(getuid()) when ruid != 0 == euid and would strip su or passwd of
 * root in the middle of a PAM conversation.
 *
 * Every allocation is its own anonymous mapping, a header and then the data:
 *
 *   | struct secmem_head (padded) | size bytes for the caller | slack to page |
 *
 * so the free needs no size, a wipe covers the whole mapping, and the
 * madvise() flags apply to pages holding nothing else. Secrets are few and
 * small (keys, passphrases, a token file), so a page each is cheap. Argon2's
 * memory matrix is libgcrypt's own and never comes here: it would not fit in
 * an unprivileged RLIMIT_MEMLOCK.
 */
#include "ect-internal.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define SECMEM_MAGIC 0x5345434d454d0a01ULL /* "SECMEM\n\1" */

struct secmem_head {
	uint64_t magic;
	size_t map_len; /* whole mapping, header included */
	size_t size;	/* what the caller asked for */
	int locked;	/* mlock succeeded: munlock on free */
};

/* The header rounded up so the caller's pointer is aligned for any type. */
#define HEAD_SIZE \
	((sizeof(struct secmem_head) + alignof(max_align_t) - 1) / alignof(max_align_t) * \
	 alignof(max_align_t))

void ect_wipe(void *ptr, size_t size)
{
	if (ptr && size)
		explicit_bzero(ptr, size);
}

static size_t page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

static struct secmem_head *head_of(const void *ptr)
{
	struct secmem_head *h = (struct secmem_head *)((uintptr_t)ptr - HEAD_SIZE);

	/* Not ours, or ours already freed and the page reused: never unmap it. */
	if (((uintptr_t)h & (page_size() - 1)) || h->magic != SECMEM_MAGIC)
		abort();
	return h;
}

void *ect_secure_alloc(size_t size)
{
	size_t page = page_size();
	struct secmem_head *h;
	size_t map_len;

	if (size > SIZE_MAX - HEAD_SIZE - page)
		return NULL;
	map_len = (HEAD_SIZE + size + page - 1) / page * page;
	h = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	/*
	 * Out of core dumps whatever else happens. No MADV_WIPEONFORK: the PAM
	 * module's forked child works with the password its parent stashed, and
	 * the tools' children exec at once, which drops the mapping anyway.
	 */
	(void)madvise(h, map_len, MADV_DONTDUMP);
	/*
	 * An unprivileged RLIMIT_MEMLOCK is 64 KiB to 8 MiB, shared with
	 * whatever else the process locks. When mlock fails the secret is still
	 * allocated, unlocked: refusing would cost the user the login or the
	 * command, while the pages still stay out of core dumps and are wiped
	 * on free; only swap can see them. Nothing reports it: the caller could
	 * do nothing better.
	 */
	h->locked = mlock(h, map_len) == 0;
	h->magic = SECMEM_MAGIC;
	h->map_len = map_len;
	h->size = size;
	return (unsigned char *)h + HEAD_SIZE;
}

size_t ect__secure_size(const void *ptr)
{
	return ptr ? head_of(ptr)->size : 0;
}

int ect__secure_locked(const void *ptr)
{
	return ptr ? head_of(ptr)->locked : 0;
}

void ect_secure_free(void *ptr)
{
	struct secmem_head *h;
	size_t map_len;
	int locked;

	if (!ptr)
		return;
	h = head_of(ptr);
	map_len = h->map_len;
	locked = h->locked;
	/*
	 * The magic goes too: a second free faults on the unmapped page, or
	 * aborts if something was mapped there since.
	 */
	explicit_bzero(h, map_len);
	if (locked)
		(void)munlock(h, map_len);
	(void)munmap(h, map_len);
}

char *ect_secure_strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = ect_secure_alloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void ect_secure_free_str(char *s)
{
	ect_secure_free(s);
}

int ect_memcmp_const(const void *a, const void *b, size_t size)
{
	const volatile unsigned char *x = a;
	const volatile unsigned char *y = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < size; i++)
		diff |= x[i] ^ y[i];
	return diff != 0;
}

int ect_harden_process(void)
{
	struct rlimit no_core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &no_core))
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	return 0;
}
