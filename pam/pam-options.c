// SPDX-License-Identifier: GPL-2.0-or-later
/* Module options: parsed strictly, unknown ones logged and ignored (as pam_unix). */
#include "pam-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

/* Options 111 or distribution stacks pass that mean nothing here. */
static const char *const compat_noops[] = {
	"unwrap",	  /* 111: unwrap the wrapped passphrase; this module always does */
	"try_first_pass", /* SUSE pam-config writes it; the login password is always used */
	"use_first_pass",
	NULL,
};

static bool is_compat_noop(const char *arg)
{
	for (size_t i = 0; compat_noops[i]; i++)
		if (!strcmp(arg, compat_noops[i]))
			return true;
	return false;
}

/* Not writable by anyone but root and owner: no other user can swap what lies below. */
static bool owner_ok(const struct stat *st, uid_t owner)
{
	if (st->st_uid != 0 && st->st_uid != owner)
		return false;
	return !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * A root-owned sticky directory such as /tmp may lie on the way: others can
 * add entries there but cannot rename or remove ours, and the next component
 * is checked in its own right.
 */
static bool parent_ok(const struct stat *st, uid_t owner)
{
	if (st->st_uid == 0 && (st->st_mode & S_ISVTX))
		return true;
	return owner_ok(st, owner);
}

/*
 * The helper runs as the user with the user's keys in reach, so whoever can
 * replace it owns those keys: every directory from / down, and the helpers
 * themselves, must belong to root or to that user and be writable by no one
 * else (the rule OpenSSH applies to authorized_keys paths).
 */
int pam_ect_helper_dir_trusted(char *dir, size_t size, uid_t owner)
{
	static const char *const helpers[] = { "mount.ecryptfs_private",
					       "umount.ecryptfs_private" };
	char real[PATH_MAX];
	char file[PATH_MAX + 32];
	struct stat st;
	char *p;

	if (dir[0] != '/' || !realpath(dir, real))
		return -EINVAL;
	p = real;
	for (;;) {
		char saved;
		char *slash = strchr(p + 1, '/');

		if (slash) {
			saved = *slash;
			*slash = '\0';
		}
		if (lstat(real[0] ? real : "/", &st) || !S_ISDIR(st.st_mode))
			return -EPERM;
		if (slash ? !parent_ok(&st, owner) : !owner_ok(&st, owner))
			return -EPERM;
		if (!slash)
			break;
		*slash = saved;
		p = slash;
	}
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		snprintf(file, sizeof(file), "%s/%s", real, helpers[i]);
		if (lstat(file, &st))
			continue; /* a missing helper fails later, at exec, with a clear message */
		if (!S_ISREG(st.st_mode) || !owner_ok(&st, owner))
			return -EPERM;
	}
	/* exec what was checked: the path given may hold symlinks nobody checked (issue #10) */
	if (strlen(real) >= size)
		return -ENAMETOOLONG;
	memcpy(dir, real, strlen(real) + 1);
	return 0;
}

/* min(512 MiB, RAM / 4): twice what calibration writes here (256 MiB or RAM / 8). */
static uint32_t default_kdf_max_kib(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	uint64_t kib = (uint64_t)PAM_ECT_KDF_MAX_MIB_DEFAULT * 1024, quarter;

	if (pages > 0 && page_size > 0) {
		quarter = (uint64_t)pages * (uint64_t)page_size / 1024 / 4;
		if (quarter < kib)
			kib = quarter;
	}
	if (kib < ECT_ARGON2_CALIBRATE_MIN_M_KIB)
		kib = ECT_ARGON2_CALIBRATE_MIN_M_KIB;
	return (uint32_t)kib;
}

/* "name=N" with min <= N <= max; logs and returns false otherwise. */
static bool parse_bounded(pam_handle_t *pamh, const char *name, const char *v, unsigned long min,
			  unsigned long max, uint32_t *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min || n > max) {
		pam_syslog(pamh, LOG_ERR, "%s= must be a number from %lu to %lu; '%s' ignored", name,
			   min, max, v);
		return false;
	}
	*out = (uint32_t)n;
	return true;
}

int pam_ect_parse_opts(pam_handle_t *pamh, int argc, const char **argv, struct pam_ect_opts *o)
{
	int ret = PAM_SUCCESS;
	uint32_t n;

	memset(o, 0, sizeof(*o));
	snprintf(o->helper_dir, sizeof(o->helper_dir), "%s", ECT_ROOTSBINDIR);
	o->kdf_max.m_cost_kib = default_kdf_max_kib();
	o->kdf_max.t_cost = PAM_ECT_KDF_MAX_T_DEFAULT;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "debug")) {
			o->debug = true;
		} else if (!strcmp(a, "quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "wrap_v2")) {
			o->keep_v2 = true;
		} else if (!strncmp(a, "helper_dir=", 11)) {
			const char *v = a + 11;

			if (v[0] != '/' || strlen(v) >= sizeof(o->helper_dir)) {
				pam_syslog(pamh, LOG_ERR, "helper_dir= must be an absolute path shorter than %zu bytes",
					   sizeof(o->helper_dir));
				ret = PAM_SERVICE_ERR;
				continue;
			}
			snprintf(o->helper_dir, sizeof(o->helper_dir), "%s", v);
		} else if (!strncmp(a, "kdf_max_mib=", 12)) {
			if (parse_bounded(pamh, "kdf_max_mib", a + 12, (ECT_ARGON2_MIN_M_KIB + 1023) / 1024,
					  ECT_ARGON2_MAX_M_KIB / 1024, &n))
				o->kdf_max.m_cost_kib = n * 1024;
		} else if (!strncmp(a, "kdf_max_t=", 10)) {
			if (parse_bounded(pamh, "kdf_max_t", a + 10, ECT_ARGON2_MIN_T, ECT_ARGON2_MAX_T, &n))
				o->kdf_max.t_cost = n;
		} else if (!strcmp(a, "token_pin=ask")) {
			o->token_pin = PAM_ECT_PIN_ASK;
		} else if (!strcmp(a, "token_pin=password")) {
			o->token_pin = PAM_ECT_PIN_PASSWORD;
		} else if (!strncmp(a, "token_pin=", 10)) {
			pam_syslog(pamh, LOG_ERR, "token_pin= must be ask or password; '%s' ignored",
				   a + 10);
		} else if (is_compat_noop(a)) {
			continue;
		} else {
			pam_syslog(pamh, LOG_ERR, "unknown option '%s' ignored", a);
		}
	}
	return ret;
}
