// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mount options and the small validators the setuid helper relies on:
 * aliases, user names, signatures, filesystem-type allowlist, the
 * ~/.ecryptfs mount files and the kernel option strings. Pure functions on
 * buffers so that every rule is unit-testable without privileges.
 */
#include "ect-internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

int ect_username_check(const char *name)
{
	size_t len;

	if (!name || !*name || name[0] == '-')
		return -EINVAL;
	len = strlen(name);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '$' && i == len - 1 && i > 0)
			continue;
		if (!isascii(c) || !(isalnum(c) || strchr("_.@-", c)))
			return -EINVAL;
	}
	return 0;
}

/* 111's list (CVE-2016-1572): statfs f_type values one may mount on or from. */
static const struct {
	unsigned long magic;
	const char *name;
	bool allowed;
} fstypes[] = {
	{ 0x61756673UL, "aufs", true },
	{ 0x9123683eUL, "btrfs", true },
	{ 0x00c36400UL, "ceph", true },
	{ 0xff534d42UL, "cifs", true },
	{ ECT_ECRYPTFS_MAGIC, "ecryptfs", true },
	{ 0xef53UL, "ext4", true },
	{ 0xf2f52010UL, "f2fs", true },
	{ 0x65735546UL, "fuse", true },
	{ 0x01161970UL, "gfs2", true },
	{ 0x3153464aUL, "jfs", true },
	{ 0x72b6UL, "jffs2", true },
	{ 0x564cUL, "ncp", true },
	{ 0x6969UL, "nfs", true },
	{ 0x3434UL, "nilfs", true },
	{ 0x5346544eUL, "ntfs", true },
	{ 0x794c7630UL, "overlayfs", true },
	{ 0x52654973UL, "reiserfs", true },
	{ 0x73717368UL, "squashfs", true },
	{ 0x01021994UL, "tmpfs", true },
	{ 0x24051905UL, "ubifs", true },
	{ 0x58465342UL, "xfs", true },
	{ 0x2fc12fc1UL, "zfs", true },
	/* named only so that refusals say what was found */
	{ 0x9fa0UL, "procfs", false },
	{ 0x62656572UL, "sysfs", false },
	{ 0x1373UL, "devfs", false },
	{ 0x1cd1UL, "devpts", false },
	{ 0x27e0ebUL, "cgroup", false },
	{ 0x63677270UL, "cgroup2", false },
	{ 0x64626720UL, "debugfs", false },
	{ 0x74726163UL, "tracefs", false },
	{ 0x73636673UL, "securityfs", false },
	{ 0x6e736673UL, "nsfs", false },
	{ 0xcafe4a11UL, "bpf", false },
	{ 0x01021997UL, "9p", false },
	{ 0x858458f6UL, "ramfs", false },
	{ 0x6165676cUL, "pstore", false },
	{ 0x958458f6UL, "hugetlbfs", false },
	{ 0x42494e4dUL, "binfmt_misc", false },
	{ 0x19800202UL, "mqueue", false },
	{ 0x67596969UL, "rpc_pipefs", false },
	{ 0x50495045UL, "pipefs", false },
	{ 0x534f434bUL, "sockfs", false },
	{ 0x09041934UL, "anon_inode", false },
	{ 0x6b414653UL, "afs", false },
	{ 0xf97cff8cUL, "selinuxfs", false },
	{ 0x73757245UL, "coda", false },
	{ 0x4d44UL, "vfat", false },
};

int ect_fstype_allowed(unsigned long f_type)
{
	f_type &= 0xffffffffUL;
	for (size_t i = 0; i < ECT_ARRAY_SIZE(fstypes); i++)
		if (fstypes[i].magic == f_type)
			return fstypes[i].allowed;
	return 0;
}

const char *ect_fstype_name(unsigned long f_type)
{
	f_type &= 0xffffffffUL;
	for (size_t i = 0; i < ECT_ARRAY_SIZE(fstypes); i++)
		if (fstypes[i].magic == f_type)
			return fstypes[i].name;
	return "unknown";
}

int ect_private_mount_opts(const char *fekek, const char *fnek, char *buf, size_t size)
{
	int n;

	/* from Private.sig, for the kernel: lower case only (ect_sig_check) */
	if (ect_sig_check(fekek) || (fnek && *fnek && ect_sig_check(fnek)))
		return ECT_E_BAD_SIG;
	n = snprintf(buf, size,
		     "ecryptfs_check_dev_ruid,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
		     "ecryptfs_unlink_sigs,ecryptfs_sig=%s%s%s",
		     fekek, fnek && *fnek ? ",ecryptfs_fnek_sig=" : "", fnek && *fnek ? fnek : "");
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- root mode options -------------------------------------------------- */

void ect_mount_opts_init(struct ect_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->passphrase_fd = -1;
	o->enable_fnek = -1;
	o->verbosity = -1;
}

void ect_mount_opts_clear(struct ect_mount_opts *o)
{
	ect_secure_free_str(o->passphrase);
	free(o->passphrase_file);
	ect_wipe(o, sizeof(*o));
	ect_mount_opts_init(o);
}

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} generic_opts[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },
	{ "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "silent", MS_SILENT, 0 },
	{ "loud", 0, MS_SILENT },
	/* fstab and mount(8) words that mean nothing to the kernel */
	{ "defaults", 0, 0 },
	{ "auto", 0, 0 },
	{ "noauto", 0, 0 },
	{ "nofail", 0, 0 },
	{ "_netdev", 0, 0 },
	{ "user", 0, 0 },
	{ "nouser", 0, 0 },
	{ "users", 0, 0 },
	{ "owner", 0, 0 },
	{ "group", 0, 0 },
};

static const struct {
	const char *name;
	unsigned int flag;
} flag_opts[] = {
	{ "ecryptfs_passthrough", ECT_MOPT_PASSTHROUGH },
	{ "passthrough", ECT_MOPT_PASSTHROUGH },
	{ "ecryptfs_xattr_metadata", ECT_MOPT_XATTR_METADATA },
	{ "ecryptfs_xattr", ECT_MOPT_XATTR_METADATA },
	{ "xattr", ECT_MOPT_XATTR_METADATA },
	{ "ecryptfs_encrypted_view", ECT_MOPT_ENCRYPTED_VIEW },
	{ "encrypted_view", ECT_MOPT_ENCRYPTED_VIEW },
	{ "ecryptfs_unlink_sigs", ECT_MOPT_UNLINK_SIGS },
	{ "ecryptfs_mount_auth_tok_only", ECT_MOPT_AUTH_TOK_ONLY },
	{ "ecryptfs_check_dev_ruid", ECT_MOPT_CHECK_DEV_RUID },
};

static int yes_no(const char *v)
{
	if (!strcmp(v, "y") || !strcmp(v, "yes") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "n") || !strcmp(v, "no") || !strcmp(v, "0"))
		return 0;
	return -1;
}

static int parse_uint(const char *v, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long n;

	if (!*v || !isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

static int cipher_name(const char *v, char out[32])
{
	static const char *const ciphers[] = { "aes", "blowfish", "des3_ede", "twofish", "cast6", "cast5" };

	for (size_t i = 0; i < ECT_ARRAY_SIZE(ciphers); i++) {
		if (!strcmp(v, ciphers[i])) {
			snprintf(out, 32, "%s", v);
			return 0;
		}
	}
	return -EINVAL;
}

/* Typed in mount options: either case, lowered for the kernel (ect__sig_lower). */
static int add_sig(struct ect_mount_opts *o, const char *v)
{
	char sig[ECT_SIG_HEX_SIZE + 1];

	if (ect__sig_lower(v, sig))
		return -EINVAL;
	for (unsigned int i = 0; i < o->nsigs; i++)
		if (!strcmp(o->sigs[i], sig))
			return 0;
	if (o->nsigs >= ECT_MOUNT_SIGS_MAX)
		return -EINVAL;
	memcpy(o->sigs[o->nsigs++], sig, sizeof(sig));
	return 0;
}

/* key=passphrase[:passphrase_passwd=X][:passphrase_salt=S]... (111's key module syntax) */
static int parse_one(struct ect_mount_opts *o, char *opt);

static int parse_key(struct ect_mount_opts *o, char *v)
{
	char *colon = strchr(v, ':');

	if (colon)
		*colon = '\0';
	if (strcmp(v, "passphrase"))
		return ECT_E_UNSUPPORTED;
	o->key_passphrase = 1;
	while (colon) {
		char *sub = colon + 1;
		int r;

		/* a passphrase may contain ':'; it must then come last */
		if (!strncmp(sub, "passphrase_passwd=", 18)) {
			colon = NULL;
		} else {
			colon = strchr(sub, ':');
			if (colon)
				*colon = '\0';
		}
		r = parse_one(o, sub);
		if (r)
			return r;
	}
	return 0;
}

static int parse_one(struct ect_mount_opts *o, char *opt)
{
	char *v = strchr(opt, '=');
	unsigned int n;

	if (v)
		*v++ = '\0';
	if (!v) {
		for (size_t i = 0; i < ECT_ARRAY_SIZE(generic_opts); i++) {
			if (!strcmp(opt, generic_opts[i].name)) {
				o->ms_flags = (o->ms_flags | generic_opts[i].set) & ~generic_opts[i].clear;
				return 0;
			}
		}
		if (!strcmp(opt, "no_sig_cache")) {
			o->no_sig_cache = 1;
			return 0;
		}
	}
	for (size_t i = 0; i < ECT_ARRAY_SIZE(flag_opts); i++) {
		if (strcmp(opt, flag_opts[i].name))
			continue;
		o->flags_given |= flag_opts[i].flag;
		/* 111's interactive spellings allow =y / =n */
		if (v) {
			int yn = yes_no(v);

			if (yn < 0)
				return -EINVAL;
			if (!yn) {
				o->flags &= ~flag_opts[i].flag;
				return 0;
			}
		}
		o->flags |= flag_opts[i].flag;
		return 0;
	}
	if (!v)
		return -ENOENT;
	if (!strncmp(opt, "x-", 2) || !strcmp(opt, "comment"))
		return 0;
	if (!strcmp(opt, "ecryptfs_sig") || !strcmp(opt, "sig"))
		return add_sig(o, v);
	if (!strcmp(opt, "ecryptfs_fnek_sig"))
		return ect__sig_lower(v, o->fnek_sig) ? -EINVAL : 0;
	if (!strcmp(opt, "ecryptfs_cipher") || !strcmp(opt, "cipher"))
		return cipher_name(v, o->cipher);
	if (!strcmp(opt, "ecryptfs_fn_cipher"))
		return cipher_name(v, o->fn_cipher);
	if (!strcmp(opt, "ecryptfs_key_bytes") || !strcmp(opt, "key_bytes"))
		return parse_uint(v, 1, 64, &o->key_bytes);
	if (!strcmp(opt, "ecryptfs_fn_key_bytes"))
		return parse_uint(v, 1, 64, &o->fn_key_bytes);
	if (!strcmp(opt, "key"))
		return parse_key(o, v);
	if (!strcmp(opt, "passphrase_passwd")) {
		char *p = ect_secure_strndup(v, ECT_PASSPHRASE_MAX + 1);

		if (!p)
			return ECT_E_SECMEM;
		if (!*p || strlen(p) > ECT_PASSPHRASE_MAX) {
			ect_secure_free_str(p);
			return ECT_E_PASSPHRASE_LEN;
		}
		ect_secure_free_str(o->passphrase);
		o->passphrase = p;
		o->key_passphrase = 1;
		return 0;
	}
	if (!strcmp(opt, "passphrase_passwd_file")) {
		if (v[0] != '/')
			return -EINVAL;
		free(o->passphrase_file);
		o->passphrase_file = strdup(v);
		o->key_passphrase = 1;
		return o->passphrase_file ? 0 : -ENOMEM;
	}
	if (!strcmp(opt, "passphrase_passwd_fd")) {
		if (parse_uint(v, 0, 65535, &n))
			return -EINVAL;
		o->passphrase_fd = (int)n;
		o->key_passphrase = 1;
		return 0;
	}
	if (!strcmp(opt, "passphrase_salt") || !strcmp(opt, "salt")) {
		if (strlen(v) != 2 * ECT_SALT_SIZE)
			return -EINVAL;
		for (size_t i = 0; i < ECT_SALT_SIZE; i++) {
			char hex[3] = { v[2 * i], v[2 * i + 1], 0 };

			if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]))
				return -EINVAL;
			o->salt[i] = (uint8_t)strtoul(hex, NULL, 16);
		}
		o->have_salt = 1;
		return 0;
	}
	if (!strcmp(opt, "ecryptfs_enable_filename_crypto")) {
		int yn = yes_no(v);

		if (yn < 0)
			return -EINVAL;
		o->enable_fnek = yn;
		return 0;
	}
	if (!strcmp(opt, "verbosity") || !strcmp(opt, "verbose")) {
		if (parse_uint(v, 0, 1, &n))
			return -EINVAL;
		o->verbosity = (int)n;
		return 0;
	}
	return -ENOENT;
}

int ect_mount_opts_parse(struct ect_mount_opts *o, const char *optstr, char *bad, size_t badsize)
{
	char *copy, *save = NULL, *tok;
	int ret = 0;

	if (bad && badsize)
		bad[0] = '\0';
	if (!optstr)
		return 0;
	copy = ect_secure_strndup(optstr, ECT_SECRET_INPUT_MAX);
	if (!copy)
		return ECT_E_SECMEM;
	if (strlen(copy) != strlen(optstr)) {
		ret = ECT_E_REFUSED_OPTION;
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char name[64];
		int r;

		/* keep the option's name (never its value) for the message */
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(tok, "=:"), tok);
		r = parse_one(o, tok);
		if (r) {
			if (bad && badsize)
				snprintf(bad, badsize, "%s", name);
			ret = r == ECT_E_SECMEM || r == -ENOMEM ? r : ECT_E_REFUSED_OPTION;
			goto out;
		}
	}
out:
	ect_secure_free_str(copy);
	return ret;
}

int ect_mount_opts_kernel(const struct ect_mount_opts *o, char *buf, size_t size)
{
	size_t len = 0;
	int n;

#define APPEND(...)                                                                     \
	do {                                                                            \
		n = snprintf(buf + len, size - len, "%s", len ? "," : "");              \
		if (n < 0 || (size_t)n >= size - len)                                   \
			return -ENAMETOOLONG;                                           \
		len += (size_t)n;                                                       \
		n = snprintf(buf + len, size - len, __VA_ARGS__);                       \
		if (n < 0 || (size_t)n >= size - len)                                   \
			return -ENAMETOOLONG;                                           \
		len += (size_t)n;                                                       \
	} while (0)

	if (!size)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (!o->nsigs || !o->cipher[0] || !o->key_bytes)
		return -EINVAL;
	for (unsigned int i = 0; i < o->nsigs; i++)
		APPEND("ecryptfs_sig=%s", o->sigs[i]);
	APPEND("ecryptfs_cipher=%s", o->cipher);
	APPEND("ecryptfs_key_bytes=%u", o->key_bytes);
	if (o->flags & ECT_MOPT_PASSTHROUGH)
		APPEND("ecryptfs_passthrough");
	if (o->flags & ECT_MOPT_XATTR_METADATA)
		APPEND("ecryptfs_xattr_metadata");
	if (o->flags & ECT_MOPT_ENCRYPTED_VIEW)
		APPEND("ecryptfs_encrypted_view");
	if (o->fnek_sig[0]) {
		APPEND("ecryptfs_fnek_sig=%s", o->fnek_sig);
		if (o->fn_cipher[0])
			APPEND("ecryptfs_fn_cipher=%s", o->fn_cipher);
		if (o->fn_key_bytes)
			APPEND("ecryptfs_fn_key_bytes=%u", o->fn_key_bytes);
	}
	if (o->flags & ECT_MOPT_UNLINK_SIGS)
		APPEND("ecryptfs_unlink_sigs");
	if (o->flags & ECT_MOPT_AUTH_TOK_ONLY)
		APPEND("ecryptfs_mount_auth_tok_only");
	if (o->flags & ECT_MOPT_CHECK_DEV_RUID)
		APPEND("ecryptfs_check_dev_ruid");
#undef APPEND
	return 0;
}
