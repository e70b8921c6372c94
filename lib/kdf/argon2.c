// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Argon2id through the crypto backend (libgcrypt's KDF API), with
 * the lanes of each slice run on threads, and the cost policy: floor,
 * ceiling and calibration (see the constants in ecryptfs-tools.h).
 */
#include "ect-internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARGON2_MIN_SALT 8 /* RFC 9106 */
#define ARGON2_MIN_OUT 4
#define ARGON2_MAX_OUT 64

void ect_argon2_params_floor(struct ect_argon2_params *p)
{
	p->t_cost = ECT_ARGON2_MIN_T;
	p->m_cost_kib = ECT_ARGON2_MIN_M_KIB;
	p->lanes = ECT_ARGON2_MIN_LANES;
}

static uint64_t physical_ram_kib(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return 0;
	return (uint64_t)pages * (uint64_t)page_size / 1024;
}

/* The lowest limit in file along rel and its ancestors under root, KiB; 0 if none. */
static uint64_t cgroup_lowest_kib(const char *root, char *rel, const char *file)
{
	char path[PATH_MAX], value[64];
	uint64_t lowest = 0;
	char *slash;

	while (*rel == '/' && rel[1]) {
		FILE *m;

		if (snprintf(path, sizeof(path), "%s%s/%s", root, rel, file) < (int)sizeof(path) &&
		    (m = fopen(path, "re"))) {
			if (fgets(value, sizeof(value), m) && value[0] >= '0' && value[0] <= '9') {
				uint64_t kib = strtoull(value, NULL, 10) / 1024;

				if (kib && (!lowest || kib < lowest))
					lowest = kib;
			}
			fclose(m);
		}
		slash = strrchr(rel, '/');
		if (!slash || slash == rel)
			break;
		*slash = '\0';
	}
	return lowest;
}

/*
 * The memory limit of this process's cgroup (v2 memory.max or v1
 * memory.limit_in_bytes, the lowest on the way to the root), in KiB; 0 when
 * there is none. A login inside a limited service or container must not
 * calibrate itself into the OOM killer.
 */
static uint64_t cgroup_memory_kib(void)
{
	char line[512];
	uint64_t lowest = 0, kib;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		kib = 0;
		if (!strncmp(line, "0::", 3))
			kib = cgroup_lowest_kib("/sys/fs/cgroup", line + 3, "memory.max");
		else if (strstr(line, ":memory:"))
			kib = cgroup_lowest_kib("/sys/fs/cgroup/memory", strstr(line, ":memory:") + 8,
						"memory.limit_in_bytes");
		if (kib && (!lowest || kib < lowest))
			lowest = kib;
	}
	fclose(f);
	return lowest;
}

/* The memory ceiling on this machine: 4 GiB, and never more than half the RAM. */
static uint64_t memory_ceiling_kib(void)
{
	uint64_t ram = physical_ram_kib();
	uint64_t cap = ECT_ARGON2_MAX_M_KIB;

	if (ram && ram / 2 < cap)
		cap = ram / 2;
	return cap;
}

int ect_argon2_params_check(const struct ect_argon2_params *p)
{
	if (!p)
		return -EINVAL;
	if (p->t_cost < ECT_ARGON2_MIN_T || p->m_cost_kib < ECT_ARGON2_MIN_M_KIB ||
	    p->lanes < ECT_ARGON2_MIN_LANES)
		return ECT_E_WEAK_PARAMS;
	if (p->t_cost > ECT_ARGON2_MAX_T || p->lanes > ECT_ARGON2_MAX_LANES ||
	    p->m_cost_kib > memory_ceiling_kib() ||
	    (uint64_t)p->t_cost * p->m_cost_kib > ECT_ARGON2_MAX_WORK_KIB)
		return ECT_E_HOSTILE_PARAMS;
	return 0;
}

int ect_argon2_params_check_ceiling(const struct ect_argon2_params *p,
				    const struct ect_argon2_params *ceiling)
{
	int ret = ect_argon2_params_check(p);

	if (ret || !ceiling)
		return ret;
	if ((ceiling->t_cost && p->t_cost > ceiling->t_cost) ||
	    (ceiling->m_cost_kib && p->m_cost_kib > ceiling->m_cost_kib) ||
	    (ceiling->lanes && p->lanes > ceiling->lanes))
		return ECT_E_HOSTILE_PARAMS;
	return 0;
}

/*
 * The backend's thread ops: it dispatches one job per lane of a slice, then
 * waits for all of them before the next slice.
 */
struct lane_job {
	pthread_t thread;
	ect__kdf_job_fn fn;
	void *priv;
};

struct lane_jobs {
	struct lane_job job[ECT_ARGON2_MAX_LANES];
	unsigned int count;
};

static void *lane_job_run(void *arg)
{
	struct lane_job *job = arg;

	job->fn(job->priv);
	return NULL;
}

static int lanes_dispatch(void *context, ect__kdf_job_fn fn, void *priv)
{
	struct lane_jobs *jobs = context;
	struct lane_job *job;

	if (jobs->count == ECT_ARGON2_MAX_LANES) {
		fn(priv);
		return 0;
	}
	job = &jobs->job[jobs->count];
	job->fn = fn;
	job->priv = priv;
	/* No thread (limits, memory): the same work on this thread is only slower. */
	if (pthread_create(&job->thread, NULL, lane_job_run, job)) {
		fn(priv);
		return 0;
	}
	jobs->count++;
	return 0;
}

static int lanes_wait_all(void *context)
{
	struct lane_jobs *jobs = context;

	for (unsigned int i = 0; i < jobs->count; i++)
		pthread_join(jobs->job[i].thread, NULL);
	jobs->count = 0;
	return 0;
}

/* Argon2id without the policy check (calibration probes below the floor's t). */
static int argon2id_run(const void *password, size_t password_len, const uint8_t *salt,
			size_t salt_len, const struct ect_argon2_params *p, uint8_t *out,
			size_t out_len)
{
	struct lane_jobs jobs = { .count = 0 };
	const struct ect__kdf_threads threads = {
		.context = &jobs,
		.dispatch = lanes_dispatch,
		.wait_all = lanes_wait_all,
	};

	return ect__argon2id_compute(password, password_len, salt, salt_len, p->t_cost,
				     p->m_cost_kib, p->lanes, p->lanes > 1 ? &threads : NULL, out,
				     out_len);
}

int ect_argon2id(const void *password, size_t password_len, const uint8_t *salt, size_t salt_len,
		 const struct ect_argon2_params *p, uint8_t *out, size_t out_len)
{
	int ret;

	if ((!password && password_len) || !salt || !out || salt_len < ARGON2_MIN_SALT ||
	    out_len < ARGON2_MIN_OUT || out_len > ARGON2_MAX_OUT)
		return -EINVAL;
	ret = ect_argon2_params_check(p);
	if (ret)
		return ret;
	return argon2id_run(password, password_len, salt, salt_len, p, out, out_len);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One probe at the floor's t with the starting memory, then: grow memory
 * (up to 256 MiB or RAM / 8, where RAM is also bounded by the cgroup) while
 * the target allows, then passes. Wall time
 * is what a login waits for, so that is what we measure.
 */
int ect_argon2_calibrate(unsigned int target_ms, struct ect_argon2_params *out)
{
	static const uint8_t probe_salt[16] = "ect-calibration";
	uint8_t probe_out[32];
	struct ect_argon2_params p;
	uint64_t ram = physical_ram_kib(), cg = cgroup_memory_kib(), m_cap, start, elapsed_ns,
		 target_ns, pass_ns;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	if (!out)
		return -EINVAL;
	if (!target_ms)
		target_ms = ECT_ARGON2_DEFAULT_MS;
	target_ns = (uint64_t)target_ms * 1000000u;

	p.lanes = cpus < 1 ? 1 : cpus > ECT_ARGON2_CALIBRATE_MAX_LANES ?
		  ECT_ARGON2_CALIBRATE_MAX_LANES : (uint32_t)cpus;
	if (cg && (!ram || cg < ram))
		ram = cg;
	m_cap = ECT_ARGON2_CALIBRATE_MAX_M_KIB;
	if (ram && ram / 8 < m_cap)
		m_cap = ram / 8;
	if (m_cap < ECT_ARGON2_MIN_M_KIB)
		m_cap = ECT_ARGON2_MIN_M_KIB;
	p.m_cost_kib = (uint32_t)(m_cap < ECT_ARGON2_CALIBRATE_MIN_M_KIB ?
				  m_cap : ECT_ARGON2_CALIBRATE_MIN_M_KIB);
	p.t_cost = ECT_ARGON2_MIN_T;

	start = now_ns();
	ret = argon2id_run("calibration", 11, probe_salt, sizeof(probe_salt), &p, probe_out,
			   sizeof(probe_out));
	elapsed_ns = now_ns() - start;
	ect_wipe(probe_out, sizeof(probe_out));
	if (ret)
		return ret;
	if (!elapsed_ns)
		elapsed_ns = 1;
	pass_ns = elapsed_ns / p.t_cost;
	if (!pass_ns)
		pass_ns = 1;

	if (elapsed_ns < target_ns) {
		/* Time scales with memory: spend the spare budget on memory first. */
		uint64_t m = (uint64_t)p.m_cost_kib * target_ns / elapsed_ns, t;

		if (m > m_cap)
			m = m_cap;
		m &= ~(uint64_t)1023; /* whole MiB */
		if (m > p.m_cost_kib) {
			pass_ns = pass_ns * m / p.m_cost_kib;
			p.m_cost_kib = (uint32_t)m;
		}
		t = target_ns / pass_ns;
		if (t < ECT_ARGON2_MIN_T)
			t = ECT_ARGON2_MIN_T;
		if (t > ECT_ARGON2_MAX_T)
			t = ECT_ARGON2_MAX_T;
		while (t > ECT_ARGON2_MIN_T && t * p.m_cost_kib > ECT_ARGON2_MAX_WORK_KIB)
			t--;
		p.t_cost = (uint32_t)t;
	}
	ret = ect_argon2_params_check(&p);
	if (ret)
		return ret;
	*out = p;
	return 0;
}
