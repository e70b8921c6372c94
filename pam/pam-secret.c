// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locked pages for the password kept between auth and session. Not
 * ect_secure_alloc(): that initialises libgcrypt, whose secure-memory setup
 * calls setuid(getuid()) when ruid != 0 == euid and so would strip su or
 * passwd of root in the middle of their PAM conversation.
 */
#include "pam-internal.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Layout of one mapping: size_t mapping length, then the string. */
char *pam_ect_secret_dup(const char *s)
{
	size_t len = strnlen(s, ECT_SECRET_INPUT_MAX);
	long page = sysconf(_SC_PAGESIZE);
	size_t need = sizeof(size_t) + len + 1;
	size_t map_len;
	unsigned char *m;

	if (page <= 0)
		page = 4096;
	map_len = (need + (size_t)page - 1) / (size_t)page * (size_t)page;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Best effort: a low RLIMIT_MEMLOCK must not cost the user the login. */
	(void)mlock(m, map_len);
	(void)madvise(m, map_len, MADV_DONTDUMP);
	memcpy(m, &map_len, sizeof(map_len));
	memcpy(m + sizeof(size_t), s, len);
	m[sizeof(size_t) + len] = '\0';
	return (char *)m + sizeof(size_t);
}

void pam_ect_secret_free(char *s)
{
	unsigned char *m;
	size_t map_len;

	if (!s)
		return;
	m = (unsigned char *)s - sizeof(size_t);
	memcpy(&map_len, m, sizeof(map_len));
	explicit_bzero(m, map_len);
	munlock(m, map_len);
	munmap(m, map_len);
}

void pam_ect_secret_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	pam_ect_secret_free(data);
}
