// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shared by the libFuzzer targets: a scratch directory for the parsers that
 * read through a directory fd, and a replay main() for builds without
 * libFuzzer (-DECT_FUZZ_STANDALONE: run each file named once).
 */
#include "fuzz-common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch[256];
static int scratch_fd = -1;

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

static void scratch_remove(void)
{
	DIR *d;
	struct dirent *e;

	if (scratch_fd < 0)
		return;
	d = fdopendir(dup(scratch_fd));
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(scratch_fd, e->d_name, 0);
	if (d)
		closedir(d);
	close(scratch_fd);
	scratch_fd = -1;
	rmdir(scratch);
}

int fuzz_scratch_dir(const char **path)
{
	if (scratch_fd < 0) {
		const char *base = getenv("TMPDIR");

		if (!base || !*base)
			base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
		snprintf(scratch, sizeof(scratch), "%s/ect-fuzz-XXXXXX", base);
		if (!mkdtemp(scratch)) {
			perror(scratch);
			abort();
		}
		scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (scratch_fd < 0) {
			perror(scratch);
			abort();
		}
		atexit(scratch_remove);
	}
	if (path)
		*path = scratch;
	return scratch_fd;
}

void fuzz_put_file(const char *name, const void *data, size_t size)
{
	int dirfd = fuzz_scratch_dir(NULL);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror(name);
		abort();
	}
	close(fd);
}

const char *fuzz_scratch_path(const char *name)
{
	static char buf[512];
	const char *dir;

	fuzz_scratch_dir(&dir);
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

struct ect_ctx *fuzz_ctx(void)
{
	static struct ect_ctx *ctx;

	if (!ctx && ect_ctx_new(&ctx, "fuzz", ECT_LOG_NONE))
		abort();
	return ctx;
}

#ifdef ECT_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf = malloc(1 << 20);
		size_t n;

		if (!fp || !buf) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, 1 << 20, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	return 0;
}
#endif
