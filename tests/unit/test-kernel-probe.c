// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel probe (lib/mount/kernel-probe.c) against a fake sysfs in a
 * temp dir: no eCryptfs, a kernel without filename encryption, a current
 * one, malformed version files, and the module load (a fake modprobe that
 * counts its runs: at most one per context, only for root, only when asked).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ect-private.h"

struct fake {
	char dir[64];
	char sysfs[PATH_MAX];	 /* the fake /sys/fs */
	char fuse[PATH_MAX];	 /* the fake ecryptfs-fuse (absent until made) */
	char modprobe[PATH_MAX]; /* the fake modprobe */
	char count[PATH_MAX];	 /* one line per modprobe run */
	struct ect_kernel_paths paths;
	struct ect_ctx *ctx;
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

/* The kernel's version file with text (NULL: the module is not there). */
static void set_version(struct fake *f, const char *text)
{
	char dir[PATH_MAX + 16], file[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/ecryptfs", f->sysfs);
	snprintf(file, sizeof(file), "%s/version", dir);
	unlink(file);
	rmdir(dir);
	if (!text)
		return;
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(file, text, 0444);
}

/* A modprobe that records each run and, when load is set, "loads" the module. */
static void set_modprobe(struct fake *f, int load)
{
	char script[4 * PATH_MAX], loads[2 * PATH_MAX + 64] = "";

	if (load)
		snprintf(loads, sizeof(loads), "mkdir '%s/ecryptfs' && echo 309 >'%s/ecryptfs/version'\n",
			 f->sysfs, f->sysfs);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n[ \"$*\" = '-q ecryptfs' ] || exit 2\necho run >>'%s'\n%s", f->count,
		 loads);
	write_file(f->modprobe, script, 0755);
}

static int runs(const struct fake *f)
{
	char buf[256];
	int n = 0, fd = open(f->count, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (ssize_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/ect-kprobe.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->sysfs, sizeof(f->sysfs), "%s/fs", f->dir);
	snprintf(f->fuse, sizeof(f->fuse), "%s/ecryptfs-fuse", f->dir);
	snprintf(f->modprobe, sizeof(f->modprobe), "%s/modprobe", f->dir);
	snprintf(f->count, sizeof(f->count), "%s/count", f->dir);
	if (mkdir(f->sysfs, 0755))
		return -1;
	f->paths = (struct ect_kernel_paths){ f->sysfs, f->fuse, f->modprobe };
	if (ect_ctx_new(&f->ctx, "test-kernel-probe", ECT_LOG_NONE))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[128];

	ect_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static void test_no_kernel(void **state)
{
	struct fake *f = *state;
	struct ect_kernel_info k;

	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_NO_KERNEL);
	assert_int_equal(k.features, 0);
	assert_int_equal(k.fuse, 0);
	assert_int_equal(k.loaded, 0);
	/* ecryptfs-fuse installed: still no kernel, but the caller learns FUSE can stand in */
	write_file(f->fuse, "#!/bin/sh\nexit 0\n", 0755);
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_NO_KERNEL);
	assert_int_equal(k.fuse, 1);
	/* not executable: not available */
	assert_int_equal(chmod(f->fuse, 0644), 0);
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_NO_KERNEL);
	assert_int_equal(k.fuse, 0);
	/* a file where the directory should be (ENOTDIR) is no kernel either */
	assert_int_equal(rmdir(f->sysfs), 0);
	write_file(f->sysfs, "", 0644);
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_NO_KERNEL);
}

static void test_versions(void **state)
{
	struct fake *f = *state;
	struct ect_kernel_info k;

	/* before filename encryption (Linux < 2.6.29): 0x35 */
	set_version(f, "53\n");
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), 0);
	assert_int_equal(k.features, 0x35);
	assert_false(k.features & ECT_KERNEL_FILENAME_ENCRYPTION);
	assert_true(k.features & ECT_KERNEL_PASSPHRASE);
	/* Linux 6.1 with messaging: 0x177 */
	set_version(f, "375\n");
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), 0);
	assert_int_equal(k.features, 0x177);
	assert_true(k.features & ECT_KERNEL_FILENAME_ENCRYPTION);
	assert_true(k.features & ECT_KERNEL_DEVMISC);
	/* and without: 0x135, no newline */
	set_version(f, "309");
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), 0);
	assert_int_equal(k.features, 0x135);
	assert_int_equal(k.loaded, 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "", "\n", "abc\n", "12x\n", "-1\n", " 375\n",
					   "375\n\n", "99999999999999999999\n" };
	struct fake *f = *state;
	struct ect_kernel_info k;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_version(f, bad[i]);
		assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_FORMAT);
		assert_int_equal(k.features, 0);
	}
}

static void test_load(void **state)
{
	struct fake *f = *state;
	struct ect_kernel_info k;
	struct ect_ctx *other;

	set_modprobe(f, 0);
	/* not asked: never run */
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, 0, &k), ECT_E_NO_KERNEL);
	assert_int_equal(runs(f), 0);
	if (getuid() != 0 || geteuid() != 0) {
		/* only root may load the module */
		assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, ECT_PROBE_LOAD, &k),
				 ECT_E_NO_KERNEL);
		assert_int_equal(runs(f), 0);
		skip();
	}
	/* as a setuid program for a user (real uid not 0): never run */
	assert_int_equal(setresuid(65534, 0, 0), 0);
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, ECT_PROBE_LOAD, &k), ECT_E_NO_KERNEL);
	assert_int_equal(setresuid(0, 0, 0), 0);
	assert_int_equal(runs(f), 0);
	/* asked twice, the module never appears: one run */
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, ECT_PROBE_LOAD, &k), ECT_E_NO_KERNEL);
	assert_int_equal(ect_kernel_probe_at(f->ctx, &f->paths, ECT_PROBE_LOAD, &k), ECT_E_NO_KERNEL);
	assert_int_equal(runs(f), 1);
	assert_int_equal(k.loaded, 0);
	/* a fresh context whose modprobe loads it */
	set_modprobe(f, 1);
	assert_int_equal(ect_ctx_new(&other, "test-kernel-probe", ECT_LOG_NONE), 0);
	assert_int_equal(ect_kernel_probe_at(other, &f->paths, ECT_PROBE_LOAD, &k), 0);
	assert_int_equal(runs(f), 2);
	assert_int_equal(k.loaded, 1);
	assert_int_equal(k.features, 0x135);
	/* there now: not run again, not "loaded" by this call */
	assert_int_equal(ect_kernel_probe_at(other, &f->paths, ECT_PROBE_LOAD, &k), 0);
	assert_int_equal(runs(f), 2);
	assert_int_equal(k.loaded, 0);
	ect_ctx_free(other);
}

/* The public entry reads the real /sys/fs: whatever this kernel has, a known answer. */
static void test_system(void **state)
{
	struct ect_kernel_info k;
	struct stat st;
	int r;

	r = ect_kernel_probe(((struct fake *)*state)->ctx, 0, &k);
	if (stat("/sys/fs/ecryptfs/version", &st))
		assert_int_equal(r, ECT_E_NO_KERNEL);
	else
		assert_true(r == 0 && (k.features & ECT_KERNEL_PASSPHRASE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
