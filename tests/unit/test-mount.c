// SPDX-License-Identifier: GPL-2.0-or-later
/* Mount module: options, allowlists, mountinfo, path walking, session registry. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

#include <cmocka.h>

#include "ect-private.h"

static struct ect_ctx *quiet_ctx(void)
{
	struct ect_ctx *ctx;

	assert_int_equal(ect_ctx_new(&ctx, "test-mount", ECT_LOG_NONE), 0);
	return ctx;
}

static void test_username(void **state)
{
	(void)state;
	assert_int_equal(ect_username_check("alice"), 0);
	assert_int_equal(ect_username_check("a.b_c@d-e"), 0);
	assert_int_equal(ect_username_check("machine$"), 0);
	assert_int_not_equal(ect_username_check("-o"), 0);
	assert_int_not_equal(ect_username_check("a,b"), 0);
	assert_int_not_equal(ect_username_check("a$b"), 0);
	assert_int_not_equal(ect_username_check("a b"), 0);
	assert_int_not_equal(ect_username_check(""), 0);
	assert_int_not_equal(ect_username_check("a/b"), 0);
}

static void test_fstype(void **state)
{
	(void)state;
	assert_true(ect_fstype_allowed(0xef53));	/* ext4 */
	assert_true(ect_fstype_allowed(0x01021994));	/* tmpfs */
	assert_true(ect_fstype_allowed(0x58465342));	/* xfs */
	assert_true(ect_fstype_allowed(0x9123683e));	/* btrfs (sign-extended on some ABIs) */
	assert_true(ect_fstype_allowed(0xffffffff9123683eUL));
	assert_false(ect_fstype_allowed(0x9fa0));	/* procfs */
	assert_false(ect_fstype_allowed(0x62656572));	/* sysfs */
	assert_false(ect_fstype_allowed(0x1cd1));	/* devpts */
	assert_false(ect_fstype_allowed(0x12345678));
	assert_string_equal(ect_fstype_name(0x9fa0), "procfs");
	assert_string_equal(ect_fstype_name(0x12345678), "unknown");
}

static void test_private_opts(void **state)
{
	char buf[ECT_MOUNT_OPTS_MAX];

	(void)state;
	assert_int_equal(ect_private_mount_opts("0123456789abcdef", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ecryptfs_check_dev_ruid,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
				 "ecryptfs_unlink_sigs,ecryptfs_sig=0123456789abcdef");
	assert_int_equal(ect_private_mount_opts("0123456789abcdef", "fedcba9876543210", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, ",ecryptfs_sig=0123456789abcdef,ecryptfs_fnek_sig=fedcba9876543210"));
	assert_int_equal(ect_private_mount_opts("0123456789abcde", NULL, buf, sizeof(buf)), ECT_E_BAD_SIG);
	assert_int_equal(ect_private_mount_opts("0123456789abcdef,x", NULL, buf, sizeof(buf)), ECT_E_BAD_SIG);
	assert_int_equal(ect_private_mount_opts("0123456789abcdef", "zz23456789abcdef", buf, sizeof(buf)),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_private_mount_opts("0123456789abcdef", NULL, buf, 40), -ENAMETOOLONG);
	/*
	 * Upper case is not a key the kernel can find (descriptions match byte
	 * for byte, all are lower case): refused like any bad sig, not passed on.
	 */
	assert_int_equal(ect_private_mount_opts("0123456789ABCDEF", NULL, buf, sizeof(buf)),
			 ECT_E_BAD_SIG);
	assert_int_equal(ect_private_mount_opts("0123456789abcdef", "FEDCBA9876543210", buf,
						sizeof(buf)), ECT_E_BAD_SIG);
}

static void test_opts_kernel_string(void **state)
{
	struct ect_mount_opts o;
	char buf[ECT_MOUNT_OPTS_MAX], bad[64];

	(void)state;
	ect_mount_opts_init(&o);
	assert_int_equal(ect_mount_opts_parse(&o,
		"rw,noexec,ecryptfs_sig=0011223344556677,cipher=aes,ecryptfs_key_bytes=16,"
		"no_sig_cache,verbosity=0,ecryptfs_passthrough=n,ecryptfs_xattr,"
		"ecryptfs_enable_filename_crypto=y,ecryptfs_fnek_sig=8899AABBCCDDEEFF,"
		"passphrase_salt=0102030405060708", bad, sizeof(bad)), 0);
	assert_int_equal(o.nsigs, 1);
	assert_int_equal(o.ms_flags & MS_NOEXEC, MS_NOEXEC);
	assert_int_equal(o.ms_flags & MS_RDONLY, 0);
	assert_int_equal(o.verbosity, 0);
	assert_int_equal(o.enable_fnek, 1);
	assert_true(o.have_salt);
	assert_int_equal(o.salt[7], 8);
	assert_int_equal(o.flags_given & ECT_MOPT_PASSTHROUGH, ECT_MOPT_PASSTHROUGH);
	assert_int_equal(ect_mount_opts_kernel(&o, buf, sizeof(buf)), 0);
	/* helper-only options are stripped, user spellings translated */
	assert_string_equal(buf, "ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes,ecryptfs_key_bytes=16,"
				 "ecryptfs_xattr_metadata,ecryptfs_fnek_sig=8899aabbccddeeff");
	ect_mount_opts_clear(&o);

	/* incomplete options have no kernel string */
	ect_mount_opts_init(&o);
	assert_int_equal(ect_mount_opts_parse(&o, "ecryptfs_sig=0011223344556677", NULL, 0), 0);
	assert_int_equal(ect_mount_opts_kernel(&o, buf, sizeof(buf)), -EINVAL);
	ect_mount_opts_clear(&o);
}

static void test_opts_refusals(void **state)
{
	static const char *const refused[] = {
		"ecryptfs_sig=001122",			/* short sig */
		"ecryptfs_sig=00112233445566zz",	/* not hex */
		"ecryptfs_cipher=rot13",
		"ecryptfs_key_bytes=0",
		"ecryptfs_key_bytes=16x",
		"ecryptfs_key_bytes=999",
		"frobnicate",
		"frobnicate=1",
		"ecryptfs_passthrough=maybe",
		"key=openssl",
		"passphrase_salt=0011",
		"passphrase_passwd_file=relative",
		"verbosity=7",
		"ecryptfs_enable_filename_crypto=perhaps",
	};
	struct ect_mount_opts o;
	char bad[64];

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ect_mount_opts_init(&o);
		assert_int_equal(ect_mount_opts_parse(&o, refused[i], bad, sizeof(bad)), ECT_E_REFUSED_OPTION);
		assert_true(bad[0] != '\0');
		assert_non_null(strstr(refused[i], bad));
		ect_mount_opts_clear(&o);
	}
}

static void test_opts_passphrase(void **state)
{
	struct ect_mount_opts o;
	char bad[64], buf[ECT_MOUNT_OPTS_MAX];

	(void)state;
	ect_mount_opts_init(&o);
	/* 111's key module syntax: the passphrase may contain ':' */
	assert_int_equal(ect_mount_opts_parse(&o, "key=passphrase:passphrase_passwd=se:cret", bad,
					      sizeof(bad)), 0);
	assert_true(o.key_passphrase);
	assert_string_equal(o.passphrase, "se:cret");
	ect_mount_opts_clear(&o);
	assert_null(o.passphrase);

	ect_mount_opts_init(&o);
	assert_int_equal(ect_mount_opts_parse(&o, "key=passphrase,passphrase_passwd_fd=5,cipher=aes,"
					      "ecryptfs_key_bytes=32,ecryptfs_sig=0011223344556677",
					      bad, sizeof(bad)), 0);
	assert_int_equal(o.passphrase_fd, 5);
	assert_int_equal(ect_mount_opts_kernel(&o, buf, sizeof(buf)), 0);
	assert_null(strstr(buf, "passphrase"));
	assert_null(strstr(buf, "key="));
	ect_mount_opts_clear(&o);

	/* a refused option never echoes the secret */
	ect_mount_opts_init(&o);
	assert_int_equal(ect_mount_opts_parse(&o, "passphrase_passwd=hunter2,bogus=hunter2", bad,
					      sizeof(bad)), ECT_E_REFUSED_OPTION);
	assert_string_equal(bad, "bogus");
	ect_mount_opts_clear(&o);

	ect_mount_opts_init(&o);
	assert_int_equal(ect_mount_opts_parse(&o, "passphrase_passwd=", bad, sizeof(bad)),
			 ECT_E_REFUSED_OPTION);
	ect_mount_opts_clear(&o);
}

static const char mountinfo_text[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"40 22 0:35 / /home/al\\040ice/Private rw,nosuid,nodev shared:20 master:3 - ecryptfs "
	"/home/al\\040ice/.Private rw,ecryptfs_sig=0011223344556677,ecryptfs_cipher=aes\n"
	"41 22 0:36 / /mnt/other rw - ecryptfs /srv/lower rw,ecryptfs_sig=8899aabbccddeeff\n"
	"42 22 0:37 / /mnt/tmp rw - tmpfs /home/al\\040ice/.Private rw\n"
	"garbage line\n";

static void test_mountinfo(void **state)
{
	char path[] = "/tmp/test-mount-mi.XXXXXX", opts[256], line[256];
	struct ect_mountinfo_entry e;
	int fd, id = -1;

	(void)state;
	snprintf(line, sizeof(line), "%s", "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue");
	assert_int_equal(ect_mountinfo_parse_line(line, &e), 0);
	assert_int_equal(e.mount_id, 36);
	assert_string_equal(e.target, "/mnt2");
	assert_string_equal(e.fstype, "ext3");
	assert_string_equal(e.source, "/dev/root");
	assert_string_equal(e.super_opts, "rw,errors=continue");
	assert_int_equal(e.parent_id, 35);
	assert_true(e.dev == makedev(98, 0));
	assert_string_equal(e.root, "/mnt1");
	snprintf(line, sizeof(line), "%s", "1 2 3 4 5 6 7");
	assert_int_equal(ect_mountinfo_parse_line(line, &e), ECT_E_FORMAT);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, mountinfo_text, sizeof(mountinfo_text) - 1),
			 (ssize_t)sizeof(mountinfo_text) - 1);
	close(fd);
	assert_int_equal(ect_mount_lookup(path, "/home/al ice/.Private", "/home/al ice/Private",
					  ECT_MATCH_SOURCE_AND_TARGET, &id, opts, sizeof(opts)), 1);
	assert_int_equal(id, 40);
	assert_non_null(strstr(opts, "ecryptfs_sig=0011223344556677"));
	/* the tmpfs line with the same source is not an eCryptfs mount */
	assert_int_equal(ect_mount_lookup(path, "/home/al ice/.Private", "/mnt/tmp",
					  ECT_MATCH_SOURCE_AND_TARGET, NULL, NULL, 0), 0);
	assert_int_equal(ect_mount_lookup(path, "/nowhere", "/mnt/other", ECT_MATCH_SOURCE_OR_TARGET,
					  &id, NULL, 0), 1);
	assert_int_equal(id, 41);
	assert_int_equal(ect_mount_lookup(path, "/nowhere", "/mnt/other", ECT_MATCH_SOURCE_AND_TARGET,
					  NULL, NULL, 0), 0);
	/* by mount id: only eCryptfs rows, with their strings as listed */
	{
		struct ect_mount_entry *m = calloc(1, sizeof(*m));

		assert_non_null(m);
		assert_int_equal(ect_mount_find_id(path, 40, m), 1);
		assert_string_equal(m->source, "/home/al ice/.Private");
		assert_string_equal(m->point, "/home/al ice/Private");
		assert_int_equal(ect_mount_find_id(path, 42, m), 0); /* tmpfs */
		assert_int_equal(ect_mount_find_id(path, 99, m), 0);
		free(m);
	}
	unlink(path);
	assert_int_equal(ect_mount_lookup(path, "a", "b", ECT_MATCH_SOURCE_OR_TARGET, NULL, NULL, 0), -ENOENT);
	assert_int_equal(ect_mount_find_id(path, 40, NULL), -ENOENT);
}

/*
 * "Is it mounted" by identity: a directory that is not the root of an
 * eCryptfs mount is never "mounted", whatever the mount table's strings say
 * (the VM scenarios mount/32-36 cover real eCryptfs mounts).
 */
static void test_mount_identity(void **state)
{
	char dir[] = "/tmp/test-mount-id.XXXXXX";
	struct ect_mount_record rec, back;
	int fd, dfd, id;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	id = ect_mount_id_of(fd);
	assert_true(id >= 0);
	assert_int_equal(ect_mount_find_over(NULL, fd, -1, &id, NULL), 0);
	assert_int_equal(id, -1);
	assert_int_equal(ect_mount_find_over(NULL, fd, fd, NULL, NULL), 0);
	assert_int_equal(ect_mount_is_over(fd, fd), 0);

	/* the registry record: stored, read back, removed; torn ones refused */
	assert_int_equal(ect_mount_record_of(fd, fd, &rec), 0);
	assert_int_equal(rec.mount_id, ect_mount_id_of(fd));
	dfd = fd;
	assert_int_equal(ect_mount_record_store(dfd, "Private.mount", &rec), 0);
	assert_int_equal(ect_mount_record_load(dfd, "Private.mount", &back), 0);
	assert_memory_equal(&rec, &back, sizeof(rec));
	assert_int_equal(ect_mount_record_store(dfd, "a/b", &rec), -EINVAL);
	{
		int w = openat(dfd, "Torn.mount", O_WRONLY | O_CREAT, 0600);

		assert_true(w >= 0);
		assert_int_equal(write(w, "12 34", 5), 5);
		close(w);
	}
	assert_int_equal(ect_mount_record_load(dfd, "Torn.mount", &back), ECT_E_FORMAT);
	assert_int_equal(ect_mount_record_store(dfd, "Private.mount", NULL), 0);
	assert_int_equal(ect_mount_record_load(dfd, "Private.mount", &back), -ENOENT);
	assert_int_equal(ect_mount_record_store(dfd, "Private.mount", NULL), 0);
	assert_int_equal(unlinkat(dfd, "Torn.mount", 0), 0);
	close(fd);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * An ecryptfs-fuse mount is found by its row on the parent: type, parent
 * mount id, mount point parent/name, root "/" and fusermount3's user_id=.
 */
static void test_find_fuse(void **state)
{
	char path[] = "/tmp/test-mount-fuse.XXXXXX", text[1024];
	struct ect_mount_entry *m = calloc(1, sizeof(*m));
	int fd, pfd, pid, id = 0, n;

	(void)state;
	assert_non_null(m);
	pfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_true(pfd >= 0);
	pid = ect_mount_id_of(pfd);
	assert_true(pid >= 0);
	n = snprintf(text, sizeof(text),
		     "50 %d 0:50 / /tmp/Private rw - fuse.ecryptfs-fuse /tmp/.Private rw,user_id=1000,group_id=1000\n"
		     "51 %d 0:51 / /tmp/Other rw - fuse.sshfs /tmp/.Private rw,user_id=1000,group_id=1000\n"
		     "52 %d 0:52 / /tmp/Theirs rw - fuse.ecryptfs-fuse /tmp/.Theirs rw,user_id=10000,group_id=1000\n"
		     "53 %d 0:53 / /tmp/Deep rw - fuse.ecryptfs-fuse /tmp/.Deep rw,user_id=1000\n"
		     "54 %d 0:54 /sub /tmp/Sub rw - fuse.ecryptfs-fuse /tmp/.Sub rw,user_id=1000\n",
		     pid, pid, pid, pid + 1, pid);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, (size_t)n), n);
	close(fd);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Private", 1000, &id, m), 1);
	assert_int_equal(id, 50);
	assert_string_equal(m->source, "/tmp/.Private");
	assert_string_equal(m->point, "/tmp/Private");
	/* another user's, another FUSE type, on another mount, a subtree: not ours */
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Private", 1001, &id, m), 0);
	assert_int_equal(id, -1);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Other", 1000, NULL, m), 0);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Theirs", 1000, NULL, m), 0);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Deep", 1000, NULL, m), 0);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "Sub", 1000, NULL, m), 0);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "..", 1000, NULL, m), -EINVAL);
	assert_int_equal(ect_mount_find_fuse_at(path, pfd, "/tmp", "a/b", 1000, NULL, m), -EINVAL);
	unlink(path);
	/* the real table: /tmp/Private is no ecryptfs-fuse mount here */
	assert_int_equal(ect_mount_find_fuse(NULL, "/tmp/no-such-fuse-mount", getuid(), &id, m), 0);
	close(pfd);
	free(m);
}

/*
 * The shared finder by mount point (what ecryptfs-verify-private asks):
 * the first ecryptfs-fuse row on that target made for that uid, escapes
 * undone; with a parent mount id, only a whole mount directly on it.
 */
static void test_find_fuse_on(void **state)
{
	static const char table[] =
		"40 1 0:40 / /home/a\\040b/Private rw - fuse.sshfs x rw,user_id=1000\n"
		"41 1 0:41 / /home/a\\040b/Private rw - fuse.ecryptfs-fuse /tmp/.Other rw,user_id=1001\n"
		"42 1 0:42 /sub /home/a\\040b/Private rw - fuse.ecryptfs-fuse /tmp/.Sub rw,user_id=1000,allow_other\n"
		"43 7 0:43 / /home/a\\040b/Private rw - fuse.ecryptfs-fuse /tmp/.Private rw,group_id=1,user_id=1000\n"
		"44 7 0:44 / /home/a\\040b/Private/x rw - fuse.ecryptfs-fuse /tmp/.X rw,user_id=1000\n"
		"45 1 0:45 / /home/ab/Private rw - fuse.ecryptfs-fuse /tmp/.AB rw,user_id=10000\n";
	char path[] = "/tmp/test-mount-fuse-on.XXXXXX";
	struct ect_mount_entry *m = calloc(1, sizeof(*m));
	const char *point = "/home/a b/Private";
	int fd, id = 0;

	(void)state;
	assert_non_null(m);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, table, sizeof(table) - 1), (ssize_t)sizeof(table) - 1);
	close(fd);
	/* by target alone: the first of the uid's rows, a subtree too */
	assert_int_equal(ect_mount_find_fuse_on(path, point, -1, 1000, &id, m), 1);
	assert_int_equal(id, 42);
	assert_string_equal(m->source, "/tmp/.Sub");
	assert_string_equal(m->point, point);
	assert_string_equal(m->opts, "rw,user_id=1000,allow_other");
	assert_int_equal(ect_mount_find_fuse_on(path, point, -1, 1001, &id, NULL), 1);
	assert_int_equal(id, 41);
	/* on parent mount 7: only the whole mount there */
	assert_int_equal(ect_mount_find_fuse_on(path, point, 7, 1000, &id, m), 1);
	assert_int_equal(id, 43);
	assert_string_equal(m->source, "/tmp/.Private");
	assert_int_equal(ect_mount_find_fuse_on(path, point, 7, 1001, &id, NULL), 0);
	assert_int_equal(id, -1);
	assert_int_equal(ect_mount_find_fuse_on(path, point, 8, 1000, NULL, NULL), 0);
	/* user_id=10000 is not uid 1000; a prefix of the target is not the target */
	assert_int_equal(ect_mount_find_fuse_on(path, "/home/ab/Private", -1, 1000, NULL, NULL), 0);
	assert_int_equal(ect_mount_find_fuse_on(path, "/home/a b", -1, 1000, NULL, NULL), 0);
	assert_int_equal(ect_mount_find_fuse_on(path, "/home/a\\040b/Private", -1, 1000, NULL, NULL), 0);
	unlink(path);
	assert_int_equal(ect_mount_find_fuse_on(path, point, -1, 1000, &id, NULL), -ENOENT);
	assert_int_equal(id, -1);
	free(m);
}

/*
 * Lines longer than any fixed buffer: a mount point of 12000 bytes is
 * found whole, and the tail of a long line is never read as a line of its
 * own (here, a tmpfs line whose options hide an "ecryptfs" line).
 */
static void test_mountinfo_long_lines(void **state)
{
	char path[] = "/tmp/test-mount-long.XXXXXX", *target, *pad;
	const size_t tlen = 12000, plen = 9000;
	FILE *f;
	int fd, id = -1;

	(void)state;
	target = malloc(tlen + 1);
	pad = malloc(plen + 1);
	assert_non_null(target);
	assert_non_null(pad);
	target[0] = '/';
	memset(target + 1, 'd', tlen - 1);
	target[tlen] = '\0';
	memset(pad, 'x', plen);
	pad[plen] = '\0';
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
	fprintf(f, "50 22 0:40 / %s rw - ecryptfs /srv/long rw,ecryptfs_sig=0011223344556677\n",
		target);
	fprintf(f, "51 22 0:41 / /mnt/t rw - tmpfs tmpfs rw,%s 66 22 0:9 / /home/bob/Private rw - "
		   "ecryptfs /home/bob/.Private rw\n", pad);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(ect_mount_lookup(path, "/srv/long", target, ECT_MATCH_SOURCE_AND_TARGET,
					  &id, NULL, 0), 1);
	assert_int_equal(id, 50);
	assert_int_equal(ect_mount_lookup(path, "/home/bob/.Private", "/home/bob/Private",
					  ECT_MATCH_SOURCE_OR_TARGET, NULL, NULL, 0), 0);
	unlink(path);
	free(target);
	free(pad);
}

/* A scratch tree under /tmp (tmpfs or ext4, both allowlisted on Debian). */
struct tree {
	char root[64];
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[256];

	snprintf(t->root, sizeof(t->root), "/tmp/test-mount-tree.XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(p, sizeof(p), "%s/a", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/a/b", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/link-b", t->root);
	if (symlink("a/b", p))
		return -1;
	snprintf(p, sizeof(p), "%s/link-proc", t->root);
	if (symlink("/proc/self", p))
		return -1;
	snprintf(p, sizeof(p), "%s/file", t->root);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd))
		return -1;
	free(t);
	return 0;
}

static void test_pathwalk(void **state)
{
	struct tree *t = *state;
	struct ect_ctx *ctx = quiet_ctx();
	const unsigned int strict = ECT_PATH_CHECK_OWNER | ECT_PATH_CHECK_FSTYPE;
	char p[256], want[256], *canon = NULL;
	struct stat st1, st2;
	int fd = -1;
	uid_t me = geteuid();

	snprintf(p, sizeof(p), "%s/a/./b/", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, strict, &fd, &canon), 0);
	snprintf(want, sizeof(want), "%s/a/b", t->root);
	assert_string_equal(canon, want);
	assert_int_equal(fstat(fd, &st1), 0);
	assert_int_equal(stat(want, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	close(fd);
	free(canon);

	/* a symlink of our own is followed and the canonical path is the target */
	snprintf(p, sizeof(p), "%s/link-b/../b", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, strict, &fd, &canon), 0);
	assert_string_equal(canon, want);
	close(fd);
	free(canon);
	canon = NULL;

	/* a relative symlink with ".." (like 111's ../.Private) still works */
	snprintf(p, sizeof(p), "%s/a/b/up", t->root);
	assert_int_equal(symlink("../../a/./b", p), 0);
	snprintf(p, sizeof(p), "%s/a/b/up/", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, strict, &fd, &canon), 0);
	assert_string_equal(canon, want);
	close(fd);
	free(canon);
	canon = NULL;
	/* ".." is the real parent; the name handed back is the fd's, never built from the text */
	snprintf(p, sizeof(p), "%s/a/b/../../a/b/..", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, strict, &fd, &canon), 0);
	snprintf(want, sizeof(want), "%s/a", t->root);
	assert_string_equal(canon, want);
	close(fd);
	free(canon);
	canon = NULL;
	snprintf(want, sizeof(want), "%s/a/b", t->root);

	/* ... but not when symlinks are refused */
	snprintf(p, sizeof(p), "%s/link-b", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, strict | ECT_PATH_NO_SYMLINKS, &fd, NULL),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(fd, -1);

	/* /proc, /sys, /dev are refused however they are reached (CVE-2016-1572) */
	snprintf(p, sizeof(p), "%s/link-proc", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, 0, &fd, NULL), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_open_dir(ctx, "/proc/self", me, 0, &fd, NULL), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_open_dir(ctx, "/sys/kernel", 0, 0, &fd, NULL), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_open_dir(ctx, "/dev", 0, 0, &fd, NULL), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_open_dir(ctx, "relative/path", me, 0, &fd, NULL), ECT_E_UNSAFE_PATH);

	/* not a directory, missing */
	snprintf(p, sizeof(p), "%s/file", t->root);
	assert_true(ect_path_open_dir(ctx, p, me, 0, &fd, NULL) < 0);
	snprintf(p, sizeof(p), "%s/file/x", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, 0, &fd, NULL), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/missing", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me, 0, &fd, NULL), -ENOENT);

	/* ownership: someone else's directory */
	snprintf(p, sizeof(p), "%s/a", t->root);
	assert_int_equal(ect_path_open_dir(ctx, p, me + 1, ECT_PATH_CHECK_OWNER, &fd, NULL),
			 ECT_E_UNSAFE_PATH);
	if (me == 0) {
		/* a symlink planted by another user is refused, even to a good target */
		snprintf(p, sizeof(p), "%s/link-b", t->root);
		assert_int_equal(lchown(p, 4242, 4242), 0);
		assert_int_equal(ect_path_open_dir(ctx, p, 1000, 0, &fd, NULL), ECT_E_UNSAFE_PATH);
		assert_int_equal(ect_path_open_dir(ctx, p, 4242, 0, &fd, NULL), 0);
		close(fd);
		assert_int_equal(lchown(p, 0, 0), 0);
	}
	ect_ctx_free(ctx);
}

/*
 * Issue #10 finding 1: "X/" + "y/.." x N + "../../../t" while another
 * thread moves X between root/X and root/p/q/r/X. The kernel's ".." follows
 * the real parent, so the walk may end in root/p/t or in root/../t; the
 * name handed back must always be the one of the fd.
 */
struct mover {
	char from[128], to[128];
	volatile int stop;
};

static void *move_loop(void *arg)
{
	struct mover *m = arg;

	while (!m->stop) {
		if (!rename(m->from, m->to))
			rename(m->to, m->from);
	}
	return NULL;
}

static void test_pathwalk_dotdot_race(void **state)
{
	struct tree *t = *state;
	struct ect_ctx *ctx = quiet_ctx();
	struct mover m = { 0 };
	char p[256], *path, *canon;
	struct stat a, b;
	pthread_t th;
	int fd, ok = 0, moved = 0;
	size_t len;

	snprintf(p, sizeof(p), "%s/X", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/X/y", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/p", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/p/q", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/p/q/r", t->root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/p/t", t->root);
	mkdir(p, 0700);
	path = malloc(4096);
	assert_non_null(path);
	len = (size_t)snprintf(path, 4096, "%s/X/", t->root);
	for (int i = 0; i < 600; i++)
		len += (size_t)snprintf(path + len, 4096 - len, "y/../");
	/* from root/X: root/../t (missing); from root/p/q/r/X: root/p/t */
	snprintf(path + len, 4096 - len, "../../../t");
	snprintf(m.from, sizeof(m.from), "%s/X", t->root);
	snprintf(m.to, sizeof(m.to), "%s/p/q/r/X", t->root);
	assert_int_equal(pthread_create(&th, NULL, move_loop, &m), 0);
	for (int i = 0; i < 400 && ok < 20; i++) {
		if (ect_path_open_dir(ctx, path, geteuid(), 0, &fd, &canon))
			continue;
		ok++;
		assert_int_equal(fstat(fd, &a), 0);
		assert_int_equal(stat(canon, &b), 0);
		assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
		moved += strstr(canon, "/p/t") != NULL;
		close(fd);
		free(canon);
	}
	m.stop = 1;
	pthread_join(th, NULL);
	print_message("dotdot race: %d walks succeeded, %d ended in the moved tree\n", ok, moved);
	free(path);
	ect_ctx_free(ctx);
}

static void test_read_file(void **state)
{
	struct tree *t = *state;
	struct ect_ctx *ctx = quiet_ctx();
	char p[256], *data = NULL;
	size_t size = 0;
	int dfd;

	dfd = open(t->root, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	snprintf(p, sizeof(p), "%s/file", t->root);
	{
		int f = open(p, O_WRONLY | O_TRUNC);

		assert_int_equal(write(f, "hello\n", 6), 6);
		close(f);
	}
	assert_int_equal(ect_path_read_file(ctx, dfd, "file", geteuid(), 64, &data, &size), 0);
	assert_int_equal(size, 6);
	assert_string_equal(data, "hello\n");
	free(data);
	assert_int_equal(ect_path_read_file(ctx, dfd, "file", geteuid(), 3, &data, &size), -EFBIG);
	assert_int_equal(ect_path_read_file(ctx, dfd, "file", geteuid() + 1, 64, &data, &size),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_read_file(ctx, dfd, "link-b", geteuid(), 64, &data, &size), -ELOOP);
	assert_int_equal(ect_path_read_file(ctx, dfd, "a", geteuid(), 64, &data, &size), ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_path_read_file(ctx, dfd, "../etc/passwd", geteuid(), 64, &data, &size), -EINVAL);
	close(dfd);
	ect_ctx_free(ctx);
}

static pid_t spawn_session(struct ect_session_id *id)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		pause();
		_exit(0);
	}
	/* wait until the child is its own session leader */
	for (int i = 0; i < 200 && getsid(pid) != pid; i++)
		usleep(5000);
	id->pid = pid;
	{
		char path[64], buf[1024], *p;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		p = strrchr(buf, ')') + 1;
		for (int field = 3; field < 22; field++)
			p = strchr(p + 1, ' ');
		id->start = strtoull(p + 1, NULL, 10);
	}
	return pid;
}

static void kill_session(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Entries in dirfd whose name ends with suffix. */
static int count_names(int dfd, const char *suffix)
{
	struct dirent *e;
	DIR *d = fdopendir(dup(dfd));
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);

		if (len >= sl && !strcmp(e->d_name + len - sl, suffix))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Issue #4 finding 2: what a user can make the helper keep in /run is
 * bounded: no file while nothing is registered, none left once empty, no
 * temporary files, and at most 16 aliases' registries.
 */
static void test_sessions_bounded(void **state)
{
	struct tree *t = *state;
	struct ect_session_id me;
	char name[64];
	int dfd, i, r = 0;

	dfd = open(t->root, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	if (ect_session_current(&me) == -ESRCH) {
		assert_true(setsid() > 0);
		assert_int_equal(ect_session_current(&me), 0);
	}
	assert_int_equal(ect_sessions_update(dfd, "Idle.sessions", ECT_SESSION_COUNT, NULL, 1), 0);
	assert_int_equal(faccessat(dfd, "Idle.sessions", F_OK, 0), -1);
	assert_int_equal(ect_sessions_update(dfd, "P.sessions", ECT_SESSION_ADD, &me, 1), 1);
	assert_int_equal(faccessat(dfd, "P.sessions", F_OK, 0), 0);
	assert_int_equal(ect_sessions_update(dfd, "P.sessions", ECT_SESSION_REMOVE, &me, 1), 0);
	assert_int_equal(faccessat(dfd, "P.sessions", F_OK, 0), -1);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "a%d.sessions", i);
		r = ect_sessions_update(dfd, name, ECT_SESSION_ADD, &me, 1);
		if (r < 0)
			break;
		assert_int_equal(r, 1);
	}
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(count_names(dfd, ".sessions"), 16);
	/* registered aliases still work at the cap */
	assert_int_equal(ect_sessions_update(dfd, "a0.sessions", ECT_SESSION_ADD, &me, 1), 1);
	assert_int_equal(count_names(dfd, ".tmp"), 0);
	close(dfd);
}

static void test_sessions(void **state)
{
	struct tree *t = *state;
	struct ect_session_id me, a, b, stale;
	pid_t pa, pb;
	int dfd;

	dfd = open(t->root, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	if (ect_session_current(&me) == -ESRCH) {
		/* run from init's session (some CI): use a session of our own */
		assert_true(setsid() > 0);
		assert_int_equal(ect_session_current(&me), 0);
	}
	assert_int_equal(me.pid, getsid(0));
	assert_true(ect_session_alive(&me));
	stale = me;
	stale.start++;
	assert_false(ect_session_alive(&stale));

	pa = spawn_session(&a);
	pb = spawn_session(&b);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &a, 1), 1);
	/* the same session mounting twice counts once */
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &a, 1), 1);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &b, 1), 2);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_COUNT, NULL, 1), 2);
	/* a crashed session (no close) stops counting */
	kill_session(pa);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_COUNT, NULL, 1), 1);
	/* removing a session that never registered changes nothing */
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_REMOVE, &me, 1), 1);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_REMOVE, &b, 1), 0);
	/* not mounted: whatever was recorded is forgotten */
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &b, 1), 1);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_COUNT, NULL, 0), 0);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &b, 1), 1);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_ADD, &me, 1), 2);
	assert_int_equal(ect_sessions_update(dfd, "Private.sessions", ECT_SESSION_CLEAR, &me, 1), 0);
	kill_session(pb);

	/* torn and foreign lines count for nothing */
	{
		int fd = openat(dfd, "Torn.sessions", O_CREAT | O_WRONLY, 0600);
		char line[128];
		int n = snprintf(line, sizeof(line), "%d %llu\n%d\nxx yy\n%d %llu junk\n", (int)me.pid,
				 me.start, (int)me.pid, (int)me.pid, me.start);

		assert_int_equal(write(fd, line, (size_t)n), n);
		close(fd);
		assert_int_equal(ect_sessions_update(dfd, "Torn.sessions", ECT_SESSION_COUNT, NULL, 1), 1);
	}
	/* the registry cannot be redirected by a symlink */
	assert_int_equal(symlinkat("/etc/passwd", dfd, "Evil.sessions"), 0);
	assert_true(ect_sessions_update(dfd, "Evil.sessions", ECT_SESSION_ADD, &me, 1) < 0);
	assert_int_equal(symlinkat("Missing", dfd, "Dangling.sessions"), 0);
	assert_true(ect_sessions_update(dfd, "Dangling.sessions", ECT_SESSION_ADD, &me, 1) < 0);
	assert_int_equal(faccessat(dfd, "Missing", F_OK, 0), -1);
	/* nor by a hard link */
	assert_int_equal(linkat(dfd, "Torn.sessions", dfd, "Linked.sessions", 0), 0);
	assert_int_equal(ect_sessions_update(dfd, "Linked.sessions", ECT_SESSION_ADD, &me, 1),
			 ECT_E_UNSAFE_PATH);
	assert_int_equal(ect_sessions_update(dfd, "../x", ECT_SESSION_ADD, &me, 1), -EINVAL);
	close(dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_username),
		cmocka_unit_test(test_fstype),
		cmocka_unit_test(test_private_opts),
		cmocka_unit_test(test_opts_kernel_string),
		cmocka_unit_test(test_opts_refusals),
		cmocka_unit_test(test_opts_passphrase),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_mountinfo_long_lines),
		cmocka_unit_test_setup_teardown(test_pathwalk, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_pathwalk_dotdot_race, tree_setup, tree_teardown),
		cmocka_unit_test(test_mount_identity),
		cmocka_unit_test(test_find_fuse),
		cmocka_unit_test(test_find_fuse_on),
		cmocka_unit_test_setup_teardown(test_read_file, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sessions, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sessions_bounded, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
