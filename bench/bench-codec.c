// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Codec throughput: MB/s per core for extent decryption and encryption
 * (AES-CBC, the kernel's per-extent IVs included), on both cores through
 * the pool, and through files; next to `openssl speed -evp aes-N-cbc`
 * (N = 8 * KEY_BYTES) measured in the same run, with the ratio.
 *
 * usage: bench-codec [SECONDS [KEY_BYTES]]   (default 2 per measurement,
 *        16 = AES-128; 24 and 32 for AES-192 and AES-256)
 */
#include "ecryptfs-tools.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_EXTENTS 256 /* 1 MiB per call, reused */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/*
 * Per-core speed is bytes per second of this thread's CPU time, as
 * openssl speed reports by default (user CPU time): the build machine is
 * shared, and wall time would measure the neighbours.
 */
static double cpu_now(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

struct run {
	struct ect_codec_file *f;
	int encrypt;
	double seconds;
	double mbps;	   /* per CPU second */
	double wall_mbps; /* per wall-clock second */
	int rc;
};

/* Crypt the same 1 MiB over and over (extent numbers advancing) for r->seconds. */
static int crypt_loop(void *arg)
{
	struct run *r = arg;
	uint8_t *buf = calloc(BUF_EXTENTS, ECT_EXTENT_SIZE);
	uint64_t extent = 0, bytes = 0;
	double t0 = now(), c0 = cpu_now(), t;

	if (!buf)
		return r->rc = -ENOMEM;
	do {
		r->rc = r->encrypt ? ect_codec_encrypt_extents(r->f, extent, BUF_EXTENTS, buf, buf)
				   : ect_codec_decrypt_extents(r->f, extent, BUF_EXTENTS, buf, buf);
		if (r->rc)
			break;
		extent += BUF_EXTENTS;
		bytes += (uint64_t)BUF_EXTENTS * ECT_EXTENT_SIZE;
		t = now();
	} while (t - t0 < r->seconds);
	r->mbps = (double)bytes / (cpu_now() - c0) / 1e6;
	r->wall_mbps = (double)bytes / (now() - t0) / 1e6;
	free(buf);
	return r->rc;
}

/* openssl speed in bytes/s for 4096-byte buffers, or 0 when unavailable. */
static double openssl_speed(int key_bytes, int decrypt, int seconds)
{
	char cmd[192], line[256];
	double v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "openssl speed -evp aes-%d-cbc %s -bytes 4096 -seconds %d -mr 2>/dev/null",
		 key_bytes * 8, decrypt ? "-decrypt" : "", seconds);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char *c = strrchr(line, ':');

		if (!strncmp(line, "+F:", 3) && c)
			v = strtod(c + 1, NULL);
	}
	pclose(p);
	return v;
}

struct zero_source {
	uint64_t left;
};

static ssize_t zero_source(void *userdata, void *buf, size_t len)
{
	struct zero_source *z = userdata;

	if (len > z->left)
		len = (size_t)z->left;
	memset(buf, 0x5a, len);
	z->left -= len;
	return (ssize_t)len;
}

/* Whole-file paths through the page cache: write, stream to /dev/null, pool. */
static void file_paths(const struct ect_codec_create_params *p, struct ect_codec_pool *pool)
{
	const uint64_t size = 64ull << 20;
	char path[] = "/tmp/bench-codec-XXXXXX";
	struct zero_source z = { size };
	struct ect_codec_file *f;
	double c0, w0;
	int fd = mkstemp(path), null = open("/dev/null", O_WRONLY);

	if (fd < 0 || null < 0)
		return;
	unlink(path);
	c0 = cpu_now();
	if (ect_codec_create(fd, p, &f) || ect_codec_encrypt_from(f, zero_source, &z))
		goto out;
	printf("%-34s %10.0f\n", "file write (encrypt_from), 1 core", size / (cpu_now() - c0) / 1e6);
	ect_codec_close(f);
	if (ect_codec_open_fd(fd, 0, p->keys, 1, &f))
		goto out;
	c0 = cpu_now();
	if (!ect_codec_decrypt_to_fd(f, null))
		printf("%-34s %10.0f\n", "file read (decrypt_to_fd), 1 core",
		       size / (cpu_now() - c0) / 1e6);
	w0 = now();
	if (!ect_codec_decrypt_to_fd_parallel(f, pool, null))
		printf("%-34s %10.0f %12s %7s  (wall clock)\n", "file read, pool of 2, total",
		       size / (now() - w0) / 1e6, "", "");
	ect_codec_close(f);
out:
	close(fd);
	close(null);
}

/*
 * Per small file: open a 4 KiB file, read it, close it (what ecryptfs-fuse
 * does per opened file), then create, write and close one; microseconds of
 * CPU time each, so the codec's per-handle setup shows.
 */
static void small_files(const struct ect_codec_create_params *p)
{
	const int n = 20000;
	char path[] = "/tmp/bench-codec-small-XXXXXX";
	uint8_t buf[ECT_EXTENT_SIZE] = { 0 };
	struct ect_codec_file *f;
	double c0, c1;
	int fd = mkstemp(path), i;

	if (fd < 0)
		return;
	unlink(path);
	if (ect_codec_create(fd, p, &f))
		goto out;
	if (ect_codec_pwrite(f, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
		ect_codec_close(f);
		goto out;
	}
	ect_codec_close(f);
	c0 = cpu_now();
	for (i = 0; i < n; i++) {
		if (ect_codec_open_fd(fd, 0, p->keys, 1, &f))
			goto out;
		if (ect_codec_pread(f, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
			ect_codec_close(f);
			goto out;
		}
		ect_codec_close(f);
	}
	c1 = cpu_now();
	for (i = 0; i < n; i++) {
		if (ftruncate(fd, 0) || ect_codec_create(fd, p, &f))
			goto out;
		if (ect_codec_pwrite(f, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
			ect_codec_close(f);
			goto out;
		}
		ect_codec_close(f);
	}
	printf("%-34s %7.1f us  (CPU per file)\n", "4 KiB file: open, read, close", (c1 - c0) / n * 1e6);
	printf("%-34s %7.1f us  (CPU per file)\n", "4 KiB file: create, write, close",
	       (cpu_now() - c1) / n * 1e6);
out:
	close(fd);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 2;
	int key_bytes = argc > 2 ? atoi(argv[2]) : 16;
	static uint8_t fekek[ECT_KEY_SIZE] = { 1, 2, 3, 4 };
	struct ect_codec_key key = { "0123456789abcdef", fekek };
	struct ect_codec_create_params p = { "aes", 16, &key, 1, NULL, 0, 0, 0 };
	struct ect_codec_file *f, *clones[2];
	struct ect_codec_pool *pool;
	struct run one, par[2];
	double ossl_enc, ossl_dec, par_mbps;
	int rc;

	if (seconds < 1)
		seconds = 1;
	if (key_bytes != 16 && key_bytes != 24 && key_bytes != 32) {
		fprintf(stderr, "bench-codec: KEY_BYTES must be 16, 24 or 32 (AES-128, -192, -256), not '%s'\n",
			argv[2]);
		return 2;
	}
	p.key_bytes = (size_t)key_bytes;
	rc = ect_codec_create(-1, &p, &f);
	if (rc) {
		fprintf(stderr, "bench-codec: %s\n", ect_strerror(rc));
		return 1;
	}
	ossl_dec = openssl_speed(key_bytes, 1, seconds) / 1e6;
	ossl_enc = openssl_speed(key_bytes, 0, seconds) / 1e6;
	printf("AES-%d-CBC, 4 KiB extents, %d s per measurement, MB/s of CPU time\n", key_bytes * 8,
	       seconds);
	printf("%-34s %10s %12s %7s\n", "", "MB/s", "openssl MB/s", "ratio");
	for (int enc = 0; enc <= 1; enc++) {
		double ref = enc ? ossl_enc : ossl_dec;

		one = (struct run){ .f = f, .encrypt = enc, .seconds = seconds };
		if (crypt_loop(&one)) {
			fprintf(stderr, "bench-codec: %s\n", ect_strerror(one.rc));
			return 1;
		}
		printf("%-34s %10.0f %12.0f %7.2f\n",
		       enc ? "encrypt, 1 core" : "decrypt, 1 core", one.mbps, ref,
		       ref > 0 ? one.mbps / ref : 0.0);
	}
	/* Both cores: one clone (own cipher handle) per pool thread. */
	if (ect_codec_pool_new(2, &pool) || ect_codec_clone(f, &clones[0]) ||
	    ect_codec_clone(f, &clones[1])) {
		fprintf(stderr, "bench-codec: pool setup failed\n");
		return 1;
	}
	for (int enc = 0; enc <= 1; enc++) {
		for (int i = 0; i < 2; i++) {
			par[i] = (struct run){ .f = clones[i], .encrypt = enc, .seconds = seconds };
			if (ect_codec_pool_submit(pool, crypt_loop, &par[i]))
				return 1;
		}
		if (ect_codec_pool_wait(pool))
			return 1;
		par_mbps = par[0].wall_mbps + par[1].wall_mbps;
		printf("%-34s %10.0f %12s %7s  (wall clock; per core %.0f + %.0f)\n",
		       enc ? "encrypt, 2 threads (pool), total" : "decrypt, 2 threads (pool), total",
		       par_mbps, "", "", par[0].mbps, par[1].mbps);
	}
	file_paths(&p, pool);
	small_files(&p);
	if (ossl_enc <= 0)
		printf("(openssl not found: no reference numbers)\n");
	ect_codec_close(clones[0]);
	ect_codec_close(clones[1]);
	ect_codec_pool_free(pool);
	ect_codec_close(f);
	return 0;
}
