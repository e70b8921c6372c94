// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the files a user controls that the setuid helper and
 * pam_ecryptfs read ([privileged-safe] readers, through a directory fd).
 * The first input byte picks the file; the rest is its content:
 *   0: Private.sig   1: Private.mnt   2: ALIAS.conf (alias "fuzz")
 *   3: a whole private configuration: line 1 is the alias (checked by
 *      ect_alias_check), the rest ALIAS.conf (or Private.mnt for "Private")
 *   4: ~/.ecryptfsrc
 * Every failure's error text is formatted too: it names user-chosen files.
 */
#include "fuzz-common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char good_sig[] = "0123456789abcdef\nfedcba9876543210\n";

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void check_sig(const char *sig, bool may_be_empty)
{
	if (may_be_empty && !sig[0])
		return;
	FUZZ_ASSERT(strlen(sig) == ECT_SIG_HEX_SIZE && !ect_sig_check(sig));
}

static void check_error(int ret, const struct ect_config_error *err)
{
	char buf[512], tiny[8];

	if (!ret)
		return;
	FUZZ_ASSERT(ect_config_error_format(err, buf, sizeof(buf)) == buf);
	FUZZ_ASSERT(strlen(buf) < sizeof(buf) && printable(buf));
	ect_config_error_format(err, tiny, sizeof(tiny));
	FUZZ_ASSERT(strlen(tiny) < sizeof(tiny));
}

static void fuzz_private(const uint8_t *data, size_t size, int dirfd, uid_t uid)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t alias_len = nl ? (size_t)(nl - data) : size;
	struct ect_private_config cfg;
	struct ect_config_error err = { 0 };
	char *alias = fuzz_strndup(data, alias_len);
	char name[ECT_ALIAS_MAX + 8];
	const uint8_t *rest = nl ? nl + 1 : data + size;
	int ret;

	/* Only an alias the check accepts names files; write them first. */
	if (!ect_alias_check(alias)) {
		FUZZ_ASSERT(strlen(alias) <= ECT_ALIAS_MAX && !strchr(alias, '/') && printable(alias));
		if (!strcmp(alias, ECT_PRIVATE_ALIAS)) {
			fuzz_put_file("Private.mnt", rest, (size_t)(data + size - rest));
		} else {
			snprintf(name, sizeof(name), "%s.conf", alias);
			fuzz_put_file(name, rest, (size_t)(data + size - rest));
		}
		snprintf(name, sizeof(name), "%s.sig", alias);
		fuzz_put_file(name, good_sig, sizeof(good_sig) - 1);
	}
	ret = ect_private_config_load(dirfd, uid, "/home/fuzz", alias, &cfg, &err);
	if (!ret) {
		FUZZ_ASSERT(cfg.alias && cfg.source && cfg.mountpoint);
		FUZZ_ASSERT(cfg.source[0] == '/' && cfg.mountpoint[0] == '/');
		check_sig(cfg.sigs.fekek, false);
		check_sig(cfg.sigs.fnek, true);
		ect_private_config_free(&cfg);
	}
	check_error(ret, &err);
	if (!ect_alias_check(alias)) {
		unlinkat(dirfd, name, 0);
		snprintf(name, sizeof(name), "%s.conf", alias);
		unlinkat(dirfd, name, 0);
		unlinkat(dirfd, "Private.mnt", 0);
	}
	free(alias);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int dirfd = fuzz_scratch_dir(NULL);
	uid_t uid = getuid();
	struct ect_config_error err = { 0 };
	struct ect_config_sigs sigs;
	struct ect_alias_conf conf;
	uint8_t salt[ECT_SALT_SIZE];
	char *mnt;
	int ret;

	if (!size)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_put_file("Private.sig", data + 1, size - 1);
		ret = ect_config_read_sigs_at(dirfd, uid, NULL, &sigs, &err);
		if (!ret) {
			check_sig(sigs.fekek, false);
			check_sig(sigs.fnek, true);
		}
		break;
	case 1:
		fuzz_put_file("Private.mnt", data + 1, size - 1);
		ret = ect_config_read_mnt_at(dirfd, uid, "/home/fuzz", &mnt, &err);
		if (!ret) {
			FUZZ_ASSERT(mnt[0] == '/' && strlen(mnt) < 4096 && printable(mnt));
			free(mnt);
		}
		break;
	case 2:
		fuzz_put_file("fuzz.conf", data + 1, size - 1);
		ret = ect_config_read_alias_at(dirfd, uid, "fuzz", &conf, &err);
		if (!ret) {
			FUZZ_ASSERT(conf.source[0] == '/' && conf.mountpoint[0] == '/');
			ect_alias_conf_free(&conf);
		}
		break;
	case 3:
		fuzz_private(data + 1, size - 1, dirfd, uid);
		return 0;
	default:
		fuzz_put_file(".ecryptfsrc", data + 1, size - 1);
		ret = ect_rc_read_salt_at(dirfd, uid, salt, &err);
		break;
	}
	check_error(ret, &err);
	return 0;
}
