// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ect_secure_alloc/free: the size header, the pages' flags as the kernel
 * reports them (/proc/self/smaps VmFlags: "lo" locked, "dd" not dumped),
 * the fallback when RLIMIT_MEMLOCK is too small, strndup's bounds, and the
 * aborts on pointers it did not hand out. Linked statically for the
 * library-internal ect__secure_size/ect__secure_locked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ect-internal.h"

/*
 * The VmFlags line of the mapping holding p, "" when none is found. Mappings
 * and flags are as the kernel keeps them: no allocator bookkeeping involved.
 */
static void vm_flags_of(const void *p, char *flags, size_t cap)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int inside = 0;

	flags[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			inside = (uintptr_t)p >= start && (uintptr_t)p < end;
		} else if (inside && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, cap, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *s = flags; (s = strstr(s, flag)); s += n)
		if ((s == flags || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\n' || !s[n]))
			return 1;
	return 0;
}

static void test_size_header_round_trip(void **state)
{
	const size_t sizes[] = { 0, 1, 15, 16, 4000, 4096, 4097, 70000 };
	long page = sysconf(_SC_PAGESIZE);

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = ect_secure_alloc(sizes[i]);

		assert_non_null(p);
		assert_int_equal(ect__secure_size(p), sizes[i]);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xa5, sizes[i]); /* every byte asked for is usable */
		/* a mapping of its own: the header is on p's first page */
		assert_true((uintptr_t)p % (uintptr_t)page < 256);
		ect_secure_free(p);
	}
	assert_int_equal(ect__secure_size(NULL), 0);
	ect_secure_free(NULL);
	ect_secure_free_str(NULL);
}

/*
 * ASan intercepts mlock and munlock as no-ops that return 0, so in a
 * sanitizer build the allocator believes its pages locked and smaps shows
 * no "lo": the lock checks hold only in a normal build.
 */
#if defined(__SANITIZE_ADDRESS__)
#define MLOCK_IS_REAL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLOCK_IS_REAL 0
#endif
#endif
#ifndef MLOCK_IS_REAL
#define MLOCK_IS_REAL 1
#endif

static void test_pages_locked_and_not_dumped(void **state)
{
	struct rlimit lim;
	char flags[512];
	unsigned char *p;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &lim), 0);
	p = ect_secure_alloc(100);
	assert_non_null(p);
	vm_flags_of(p, flags, sizeof(flags));
	assert_true(has_flag(flags, "dd"));
	if (MLOCK_IS_REAL && (lim.rlim_cur >= 64 * 1024 || geteuid() == 0)) {
		assert_true(ect__secure_locked(p));
		assert_true(has_flag(flags, "lo"));
	}
	ect_secure_free(p);
}

/* With no RLIMIT_MEMLOCK left the secret is still allocated, unlocked and not dumped. */
static void test_memlock_limit_fallback(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		char flags[512];
		char *s;

		/* root's CAP_IPC_LOCK ignores the limit: become nobody for good */
		if (setrlimit(RLIMIT_MEMLOCK, &none) || (geteuid() == 0 && setuid(65534)))
			_exit(2);
		s = ect_secure_strndup("still here", 64);
		if (!s || strcmp(s, "still here") || (MLOCK_IS_REAL && ect__secure_locked(s)))
			_exit(3);
		vm_flags_of(s, flags, sizeof(flags));
		if (!has_flag(flags, "dd") || has_flag(flags, "lo"))
			_exit(4);
		ect_secure_free_str(s);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_strndup_bounds(void **state)
{
	char *s;

	(void)state;
	s = ect_secure_strndup("secretsecret", 6);
	assert_string_equal(s, "secret");
	assert_int_equal(ect__secure_size(s), 7);
	ect_secure_free_str(s);
	s = ect_secure_strndup("short", 100);
	assert_string_equal(s, "short");
	assert_int_equal(ect__secure_size(s), 6);
	ect_secure_free_str(s);
	s = ect_secure_strndup("anything", 0);
	assert_string_equal(s, "");
	assert_int_equal(ect__secure_size(s), 1);
	ect_secure_free_str(s);
}

/* Run fn in a child; return its wait status. */
static int in_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		(void)setrlimit(RLIMIT_CORE, &no_core);
		/* cmocka turns these into a failed test; the parent wants the signal */
		signal(SIGABRT, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void free_foreign_pointer(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *buf;

	if (posix_memalign(&buf, (size_t)page, (size_t)page * 2))
		_exit(2);
	memset(buf, 0x5a, (size_t)page * 2);
	ect_secure_free((unsigned char *)buf + 64); /* looks page-based, no magic */
}

static void free_twice(void)
{
	void *p = ect_secure_alloc(32);

	ect_secure_free(p);
	ect_secure_free(p);
}

static void test_free_guards(void **state)
{
	int status;

	(void)state;
	status = in_child(free_foreign_pointer);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	/* Unmapped already: the header read faults (or aborts if mapped again). */
	status = in_child(free_twice);
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_header_round_trip),
		cmocka_unit_test(test_pages_locked_and_not_dumped),
		cmocka_unit_test(test_memlock_limit_fallback),
		cmocka_unit_test(test_strndup_bounds),
		cmocka_unit_test(test_free_guards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
