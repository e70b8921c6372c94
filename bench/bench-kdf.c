// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KDF timings: the eCryptfs SHA-512 chain (what a v1/v2 password guess
 * costs, the baseline), Argon2id at the floor on one lane and on threads,
 * and the calibrated default with its parameters. Each row: median wall
 * time and median CPU time of the process (all its threads: what a
 * loaded, shared machine distorts least; bench/crypto.sh compares it with
 * openssl speed's and argon2(1)'s).
 * Usage: bench-kdf [TARGET_MS] (default ECT_ARGON2_DEFAULT_MS)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecryptfs-tools.h"

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define RUNS 5

static int bench_chain(void)
{
	uint8_t key[ECT_KEY_SIZE];
	double t[RUNS], c[RUNS];

	for (int i = 0; i < RUNS; i++) {
		double start = now_ms(), cstart = cpu_ms();

		if (ect_derive_key("0123456789abcdef0123456789abcdef", 32, ect_default_salt, key))
			return 1;
		t[i] = now_ms() - start;
		c[i] = cpu_ms() - cstart;
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	qsort(c, RUNS, sizeof(c[0]), cmp_double);
	printf("%-34s %9.1f ms  cpu %9.1f ms  (median of %d; SHA-512 x %d)\n",
	       "ecryptfs chain (v1/v2, baseline)", t[RUNS / 2], c[RUNS / 2], RUNS, ECT_HASH_ITERATIONS);
	return 0;
}

static int bench_argon2(const char *label, const struct ect_argon2_params *p, int runs)
{
	static const uint8_t salt[32] = "bench-kdf salt, thirty-two bytes";
	uint8_t out[32];
	double t[RUNS], c[RUNS];
	int ret;

	for (int i = 0; i < runs; i++) {
		double start = now_ms(), cstart = cpu_ms();

		ret = ect_argon2id("password", 8, salt, sizeof(salt), p, out, sizeof(out));
		if (ret) {
			fprintf(stderr, "bench-kdf: %s: %s\n", label, ect_strerror(ret));
			return 1;
		}
		t[i] = now_ms() - start;
		c[i] = cpu_ms() - cstart;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
	qsort(c, (size_t)runs, sizeof(c[0]), cmp_double);
	printf("%-34s %9.1f ms  cpu %9.1f ms  (median of %d; t=%u m=%u KiB lanes=%u)\n", label,
	       t[runs / 2], c[runs / 2], runs, p->t_cost, p->m_cost_kib, p->lanes);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int target = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) :
					 ECT_ARGON2_DEFAULT_MS;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct ect_argon2_params p;
	double start;
	int ret;

	printf("bench-kdf: %ld online CPUs, calibration target %u ms\n", cpus, target);
	if (bench_chain())
		return 1;
	ect_argon2_params_floor(&p);
	if (bench_argon2("argon2id floor, 1 lane", &p, RUNS))
		return 1;
	p.lanes = cpus > ECT_ARGON2_CALIBRATE_MAX_LANES ? ECT_ARGON2_CALIBRATE_MAX_LANES :
		  cpus < 1 ? 1 : (uint32_t)cpus;
	if (p.lanes > 1 && bench_argon2("argon2id floor, threaded lanes", &p, RUNS))
		return 1;
	start = now_ms();
	ret = ect_argon2_calibrate(target, &p);
	if (ret) {
		fprintf(stderr, "bench-kdf: calibrate: %s\n", ect_strerror(ret));
		return 1;
	}
	printf("%-34s %9.1f ms\n", "calibration itself", now_ms() - start);
	return bench_argon2("argon2id calibrated (v3 default)", &p, 3);
}
