// SPDX-License-Identifier: GPL-2.0-or-later
/* Locked, wiped memory for secrets, on libgcrypt's secure pool. */
#include "ect-internal.h"

#include <errno.h>
#include <gcrypt.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

void ect_wipe(void *ptr, size_t size)
{
	if (ptr && size)
		explicit_bzero(ptr, size);
}

void *ect_secure_alloc(size_t size)
{
	void *p;

	if (ect__crypto_init())
		return NULL;
	if (!size)
		size = 1;
	p = gcry_calloc_secure(1, size);
	return p;
}

void ect_secure_free(void *ptr, size_t size)
{
	if (!ptr)
		return;
	ect_wipe(ptr, size);
	gcry_free(ptr); /* libgcrypt wipes secure blocks again on free */
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
	if (s)
		ect_secure_free(s, strlen(s) + 1);
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
