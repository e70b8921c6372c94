// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs commands: the recover family (see cli.h).
 *   recover-private  ecryptfs-utils 111's ecryptfs-recover-private, plus
 *                    non-interactive secrets and a userspace fallback
 *   stat, find       cmd-stat.c, cmd-find.c
 *
 * recover-private never writes into the encrypted directory: the kernel
 * path mounts it read-only unless --rw, the userspace path opens it
 * read-only.
 */
#include "cmd-recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASSWORD_TRIES 3

static const char recover_usage[] =
	"Usage: ecryptfs-recover-private [--rw] [--yes] [--userspace DESTDIR]\n"
	"         [--pin-file SRC] [--password-file SRC | --passphrase-file SRC]\n"
	"         [--wrapped-passphrase FILE] [--search-root DIR] [--no-progress] [DIR...]\n"
	"Open encrypted private directories (.Private) with a token protector, the login\n"
	"password (through the wrapped passphrase next to them) or the mount passphrase.\n"
	"  --rw              mount read-write (default read-only)\n"
	"  --yes             do not ask which directories to recover\n"
	"  --userspace DEST  decrypt the tree into DEST without the kernel module\n"
	"  --pin-file SRC         token PIN (opens a token record beside the wrapped\n"
	"                         passphrase; falls back to --password-file)\n"
	"  --password-file SRC    login password (unwraps the wrapped passphrase)\n"
	"  --passphrase-file SRC  mount passphrase\n"
	"  --wrapped-passphrase FILE  instead of DIR/../.ecryptfs/wrapped-passphrase\n"
	"  --search-root DIR  where to look when no DIR is given (default /)\n"
	"SRC is a file, '-' (standard input) or fd:N.\n"
	"Exit: 0 recovered, 1 failed, 2 usage, 3 some files failed, 4 nothing found.\n";

bool recover_ask_yes(const char *question)
{
	char *line = NULL;
	size_t len = 0;
	bool yes = true;

	printf("%s", question);
	fflush(stdout);
	if (ect_read_secret_line(STDIN_FILENO, 256, &line, &len))
		return false; /* no answer (EOF): do not act */
	if (len && (line[0] == 'n' || line[0] == 'N'))
		yes = false;
	ect_secure_free_str(line);
	return yes;
}

void recover_keys_free(struct recover_keys *k)
{
	ect_secure_free(k->fekek);
	ect_secure_free(k->fnek);
	memset(k, 0, sizeof(*k));
}

/*
 * What the lower directory tells without a key: are names encrypted (and
 * with which name key size), which key and cipher a sample file uses.
 */
struct lower_facts {
	bool fne;
	unsigned int fn_key_bytes;
	char file_sig[ECT_SIG_HEX_SIZE + 1]; /* from the first file header found */
	unsigned int key_bytes;		     /* that file's FEK size, default 16 */
};

static void inspect_lower(const char *dir, struct lower_facts *lf)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int seen = 0;

	memset(lf, 0, sizeof(*lf));
	lf->fn_key_bytes = 16;
	lf->key_bytes = 16;
	if (!d)
		return;
	while ((e = readdir(d)) && seen++ < 4096) {
		if (!strncmp(e->d_name, ECT_FNEK_PREFIX, ECT_FNEK_PREFIX_LEN) && !lf->fne) {
			char sig[ECT_SIG_HEX_SIZE + 1];
			struct ect_cipher_info ci;
			uint8_t code;

			lf->fne = true;
			if (!ect_fname_peek(e->d_name, strlen(e->d_name), sig, &code) &&
			    !ect_cipher_by_code(code, 0, &ci))
				lf->fn_key_bytes = ci.key_bytes;
		}
		if (!lf->file_sig[0] && (e->d_type == DT_REG || e->d_type == DT_UNKNOWN)) {
			char path[PATH_MAX];
			struct ect_stat_info st;
			struct ect_cipher_info ci;

			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    sizeof(path))
				continue;
			if (ect_stat_file(path, &st) || !st.nkeys || st.keys[0].tag != 3)
				continue;
			memcpy(lf->file_sig, st.keys[0].sig, sizeof(lf->file_sig));
			if (!ect_cipher_by_code(st.keys[0].cipher_code, 0, &ci))
				lf->key_bytes = ci.key_bytes;
		}
	}
	closedir(d);
}

/* dir/../.ecryptfs/NAME (111's layout, and /home/.ecryptfs/USER/.Private's). */
static int conf_path(const char *dir, const char *name, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s/../.ecryptfs/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* The user's home: the directory above dir, holding .ecryptfsrc (111's ~/.Private layout). */
static int home_of(const char *dir, char *home, size_t size)
{
	return (size_t)snprintf(home, size, "%s/..", dir) >= size ? -ENAMETOOLONG : 0;
}

/* The salt for FEKEK and v1 files: the library's rule, salt= of the home's .ecryptfsrc. */
static void home_salt(struct ect_ctx *ctx, const char *dir, uint8_t salt[ECT_SALT_SIZE])
{
	struct ect_user_dirs d = { .config_fd = -1, .home_fd = -1, .uid = (uid_t)-1,
				   .gid = (gid_t)-1 };
	struct ect_config_error where = { 0 };
	char home[PATH_MAX];
	int ret;

	if (!home_of(dir, home, sizeof(home)))
		d.home_fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = ect_user_salt(&d, salt, &where);
	cli_salt_warning(ctx, ret, &where);
	if (d.home_fd >= 0)
		close(d.home_fd);
}

/*
 * The mount passphrase from the wrapped file with the login password: the
 * library's unwrap (the home's salt for v1 files). Nothing is written: a
 * recovery, perhaps from a live CD, never upgrades the user's file.
 */
static int unwrap_wrapped(struct ect_ctx *ctx, const char *dir, const char *wrapped,
			  const struct cli_secret *pw, struct cli_secret *pass)
{
	struct ect_unlock_opts o = { 0 };
	struct ect_unlock_result res;
	struct ect_user_dirs d;
	char home[PATH_MAX];
	int ret;

	if (home_of(dir, home, sizeof(home)) ||
	    cli_user_dirs(ctx, wrapped, home, &d, &o.file))
		return -EINVAL;
	ret = ect_unwrap_user(&d, pw->s, pw->len, &o, &pass->s, &pass->len, &res);
	cli_user_dirs_close(&d);
	if (ret)
		ect_err(ctx, "%s: %s", wrapped, ect_strerror(ret));
	return ret;
}

/* One attempt at the mount passphrase; *retry says whether asking again may help. */
static int get_passphrase(struct ect_ctx *ctx, const char *dir, const struct recover_secrets *sec,
			  bool interactive, bool *token_tried, struct cli_secret *pass, bool *retry)
{
	char wrapped[PATH_MAX];
	struct cli_secret pw = { 0 };
	struct cli_secret_spec spec = { 0 };
	bool use_wrapped = false;
	int ret;

	*retry = false;
	if (sec->wrapped)
		snprintf(wrapped, sizeof(wrapped), "%s", sec->wrapped);
	else if (conf_path(dir, ECT_WRAPPED_PASSPHRASE_FILE, wrapped, sizeof(wrapped)))
		wrapped[0] = '\0';
	if (!sec->passphrase_file && !*token_tried) {
		*token_tried = true;
		ret = recover_token(ctx, dir, wrapped, sec, interactive, pass);
		if (!ret)
			return ECT_EXIT_OK;
		if (ret < 0 && !interactive && !sec->password_file)
			return ECT_EXIT_FAILURE;
		if (ret < 0)
			cli_info("Trying the LOGIN or MOUNT passphrase instead.");
	}
	if (sec->passphrase_file) {
		use_wrapped = false;
	} else if (sec->password_file) {
		use_wrapped = true;
	} else if (wrapped[0] && file_exists(wrapped)) {
		cli_info("Found your wrapped-passphrase");
		use_wrapped = recover_ask_yes("Do you know your LOGIN passphrase? [Y/n] ");
	} else {
		cli_info("Could not find your wrapped passphrase file.");
	}
	if (use_wrapped) {
		if (!file_exists(wrapped)) {
			ect_err(ctx, "no wrapped passphrase at %s (give --wrapped-passphrase FILE)",
				wrapped);
			return ECT_EXIT_FAILURE;
		}
		spec.what = "login password";
		spec.source = sec->password_file;
		spec.prompt = "LOGIN passphrase: ";
		if (!sec->password_file)
			cli_info("Enter your LOGIN passphrase...");
		if (cli_get_secret(ctx, &spec, &pw))
			return ECT_EXIT_FAILURE;
		ret = unwrap_wrapped(ctx, dir, wrapped, &pw, pass);
		cli_secret_free(&pw);
		if (ret) {
			*retry = interactive && ret == ECT_E_WRONG_PASSWORD;
			return ECT_EXIT_FAILURE;
		}
		return ECT_EXIT_OK;
	}
	if (!sec->passphrase_file) {
		cli_info("To recover this directory, you MUST have your original MOUNT passphrase.");
		cli_info("When you first setup your encrypted private directory, you were told to "
		     "record");
		cli_info("your MOUNT passphrase.");
		cli_info("It should be 32 characters long, consisting of [0-9] and [a-f].");
		putchar('\n');
	}
	spec.what = "mount passphrase";
	spec.source = sec->passphrase_file;
	spec.prompt = "Enter your MOUNT passphrase: ";
	if (cli_get_secret(ctx, &spec, pass))
		return ECT_EXIT_FAILURE;
	if (pass->len < 1 || pass->len > ECT_PASSPHRASE_MAX) {
		cli_too_long();
		cli_secret_free(pass);
		*retry = interactive;
		return ECT_EXIT_FAILURE;
	}
	return ECT_EXIT_OK;
}

/* Derive FEKEK (and FNEK) and check the FEKEK against the files and Private.sig. */
static int derive_keys(struct ect_ctx *ctx, const char *dir, const struct cli_secret *pass,
		       const uint8_t salt[ECT_SALT_SIZE], const struct lower_facts *lf,
		       struct recover_keys *k)
{
	char sigfile[PATH_MAX];
	int ret;

	memset(k, 0, sizeof(*k));
	k->fekek = ect_secure_alloc(ECT_KEY_SIZE);
	k->fnek = ect_secure_alloc(ECT_KEY_SIZE);
	if (!k->fekek || !k->fnek) {
		ret = ECT_E_SECMEM;
		goto fail;
	}
	ret = ect_derive_key(pass->s, pass->len, salt, k->fekek);
	if (!ret)
		ret = ect_key_signature(k->fekek, k->fekek_sig);
	if (!ret)
		ret = ect_derive_key(pass->s, pass->len, ect_fnek_salt, k->fnek);
	if (!ret)
		ret = ect_key_signature(k->fnek, k->fnek_sig);
	if (ret)
		goto fail;
	k->fne = lf->fne;
	k->fn_key_bytes = lf->fn_key_bytes;
	if (lf->file_sig[0] && strcmp(lf->file_sig, k->fekek_sig)) {
		ect_err(ctx, "wrong passphrase: it gives key %s but the files in %s need key %s",
			k->fekek_sig, dir, lf->file_sig);
		recover_keys_free(k);
		return ECT_E_WRONG_PASSWORD;
	}
	if (!conf_path(dir, "Private.sig", sigfile, sizeof(sigfile)) && file_exists(sigfile)) {
		FILE *f = fopen(sigfile, "re");
		char line[64] = "";

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && strcmp(line, k->fekek_sig))
			ect_warn(ctx, "%s records key %s, the passphrase gives %s", sigfile, line,
				 k->fekek_sig);
	}
	return 0;
fail:
	ect_err(ctx, "cannot derive the keys: %s", ect_strerror(ret));
	recover_keys_free(k);
	return ret;
}

/* Is eCryptfs in the kernel? Root loads the module first. */
static bool kernel_has_ecryptfs(struct ect_ctx *ctx)
{
	struct ect_kernel_info k;

	return ect_kernel_probe(ctx, ECT_PROBE_LOAD, &k) == 0;
}

static int mount_kernel(struct ect_ctx *ctx, const char *dir, const struct cli_secret *pass,
			const uint8_t salt[ECT_SALT_SIZE], const struct lower_facts *lf,
			const struct recover_keys *k, bool rw)
{
	char tmpdir[] = "/tmp/ecryptfs.XXXXXXXX";
	char fekek_sig[ECT_SIG_HEX_SIZE + 1], fnek_sig[ECT_SIG_HEX_SIZE + 1];
	char opts[512], q[PATH_MAX + 8];
	int ret;

	ret = ect_keyring_link_user_session();
	if (!ret)
		ret = ect_keyring_add_mount_keys(pass->s, pass->len, salt, ECT_KEYS_FNEK_FIRST,
						 fekek_sig, fnek_sig);
	if (ret) {
		ect_err(ctx, "The key required to access this private data is not available: %s",
			ect_strerror(ret));
		return ECT_EXIT_FAILURE;
	}
	if (ect_keyring_find(fekek_sig) < 0 || (k->fne && ect_keyring_find(fnek_sig) < 0)) {
		ect_err(ctx, "The key required to access this private data is not available.");
		return ECT_EXIT_FAILURE;
	}
	if (k->fne)
		snprintf(opts, sizeof(opts),
			 "ecryptfs_sig=%s,ecryptfs_fnek_sig=%s,ecryptfs_cipher=aes,"
			 "ecryptfs_key_bytes=%u,ecryptfs_fn_key_bytes=%u,ecryptfs_unlink_sigs",
			 fekek_sig, fnek_sig, lf->key_bytes, lf->fn_key_bytes);
	else
		snprintf(opts, sizeof(opts),
			 "ecryptfs_sig=%s,ecryptfs_cipher=aes,ecryptfs_key_bytes=%u,"
			 "ecryptfs_unlink_sigs", fekek_sig, lf->key_bytes);
	/* mkdtemp: a fresh 0700 directory (CVE-2011-1836) */
	if (!mkdtemp(tmpdir)) {
		ect_err(ctx, "cannot create a mount point in /tmp: %s", strerror(errno));
		return ECT_EXIT_FAILURE;
	}
	if (mount(dir, tmpdir, "ecryptfs", (rw ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV, opts)) {
		ret = errno;
		rmdir(tmpdir);
		ect_err(ctx, "Failed to mount private data at [%s]: %s%s", tmpdir, strerror(ret),
			ret == EINVAL ? " (the kernel log says why)" : "");
		return ECT_EXIT_FAILURE;
	}
	cli_info("Success!  Private data mounted at [%s].", tmpdir);
	cli_shell_quote(tmpdir, q, sizeof(q));
	/*
	 * The mount carries ecryptfs_unlink_sigs, so umount(8) runs
	 * umount.ecryptfs, which removes the keys once the mount is gone; a
	 * keyctl unlink after it would fail on keys that are no longer there.
	 */
	cli_info("Mounted %s. When done, unmount it (umount also removes the keys %s%s%s):",
	     rw ? "read-write" : "read-only", fekek_sig, k->fne ? " and " : "",
	     k->fne ? fnek_sig : "");
	printf("  umount %s && rmdir %s\n", q, q);
	return ECT_EXIT_OK;
}

static bool ask_dest(struct recover_opts *o, char *buf, size_t size)
{
	char *line = NULL;
	size_t len = 0;

	printf("Destination directory for the decrypted files (empty to skip): ");
	fflush(stdout);
	if (ect_read_secret_line(STDIN_FILENO, size - 1, &line, &len) || !len) {
		ect_secure_free_str(line);
		return false;
	}
	memcpy(buf, line, len + 1);
	ect_secure_free_str(line);
	o->dest = buf;
	return true;
}

static int recover_dir(struct ect_ctx *ctx, const char *dir, const struct recover_secrets *sec,
		       struct recover_opts *o)
{
	bool interactive = !sec->password_file && !sec->passphrase_file && !sec->pin_file;
	bool token_tried = false;
	struct cli_secret pass = { 0 };
	struct recover_keys k = { 0 };
	struct lower_facts lf;
	uint8_t salt[ECT_SALT_SIZE];
	char destbuf[PATH_MAX];
	int ret = ECT_EXIT_FAILURE, tries;
	bool retry = false;

	cli_info("Found [%s].", dir);
	if (!o->yes && !recover_ask_yes("Try to recover this directory? [Y/n]: "))
		return ECT_EXIT_OK;
	inspect_lower(dir, &lf);
	home_salt(ctx, dir, salt);
	for (tries = 0; tries < PASSWORD_TRIES; tries++) {
		ret = get_passphrase(ctx, dir, sec, interactive, &token_tried, &pass, &retry);
		if (!ret) {
			ret = derive_keys(ctx, dir, &pass, salt, &lf, &k);
			retry = interactive && ret == ECT_E_WRONG_PASSWORD;
			if (ret) {
				cli_secret_free(&pass);
				ret = ECT_EXIT_FAILURE;
			}
		}
		if (!ret || !retry)
			break;
	}
	if (ret)
		goto out;
	if (!o->userspace && !kernel_has_ecryptfs(ctx)) {
		ect_warn(ctx, "the kernel has no eCryptfs%s; decrypting in userspace instead",
			 geteuid() ? "" : " (modprobe ecryptfs failed)");
		if (!o->dest && (o->yes || !isatty(STDIN_FILENO) || !ask_dest(o, destbuf,
									      sizeof(destbuf)))) {
			ect_err(ctx, "give a destination: --userspace DESTDIR");
			ret = ECT_EXIT_FAILURE;
			goto out;
		}
		o->userspace = true;
	}
	if (o->userspace)
		ret = recover_userspace(ctx, dir, &k, o);
	else
		ret = mount_kernel(ctx, dir, &pass, salt, &lf, &k, o->rw);
out:
	cli_secret_free(&pass);
	recover_keys_free(&k);
	return ret;
}

int cmd_recover_private(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *dest = NULL, *search_root = NULL, *threads = NULL;
	int rw = 0, yes = 0, no_progress = 0, npos, r;
	struct recover_secrets sec = { 0 };
	const struct cli_opt opts[] = {
		{ "rw", NULL, &rw },
		{ "yes", NULL, &yes },
		{ "userspace", &dest, NULL },
		{ "password-file", &sec.password_file, NULL },
		{ "passphrase-file", &sec.passphrase_file, NULL },
		{ "pin-file", &sec.pin_file, NULL },
		{ "wrapped-passphrase", &sec.wrapped, NULL },
		{ "search-root", &search_root, NULL },
		{ "no-progress", NULL, &no_progress },
		{ "threads", &threads, NULL },
		{ NULL, NULL, NULL },
	};
	struct recover_opts o = { 0 };
	struct dir_list dirs = { 0 };
	unsigned int failed = 0, partial = 0;

	r = cli_parse(ctx, argc, argv, opts, &npos);
	if (r)
		return cli_usage(r, recover_usage);
	if (sec.passphrase_file && (sec.password_file || sec.pin_file)) {
		ect_err(ctx, "give --passphrase-file alone, or --password-file and/or --pin-file");
		return ECT_EXIT_USAGE;
	}
	if (rw && dest) {
		ect_err(ctx, "--rw applies to a kernel mount, not to --userspace");
		return ECT_EXIT_USAGE;
	}
	if (threads) {
		char *end;
		unsigned long n = strtoul(threads, &end, 10);

		if (*end || n < 1 || n > 64) {
			ect_err(ctx, "--threads needs a count from 1 to 64");
			return ECT_EXIT_USAGE;
		}
		o.threads = (unsigned int)n;
	}
	o.dest = dest;
	o.userspace = dest != NULL;
	o.rw = rw;
	o.yes = yes;
	o.progress = !no_progress && isatty(STDERR_FILENO);
	/* the kernel mount and the whole-disk search need root; userspace does not */
	if (!o.userspace && geteuid() != 0) {
		fprintf(stderr, "ERROR: This program must be run as root.\n");
		return ECT_EXIT_FAILURE;
	}
	for (int i = 1; i <= npos; i++) {
		char real[PATH_MAX];
		struct stat st;

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode) || !realpath(argv[i], real)) {
			ect_err(ctx, "%s: not a directory", argv[i]);
			dir_list_free(&dirs);
			return ECT_EXIT_USAGE;
		}
		if (dir_list_add(&dirs, real)) {
			dir_list_free(&dirs);
			return ECT_EXIT_FAILURE;
		}
	}
	if (!npos) {
		cli_info("Searching for encrypted private directories (this might take a while)...");
		if (recover_search(ctx, search_root ? search_root : "/", &dirs) < 0 ||
		    !dirs.count) {
			cli_info("Hint: mount the disk that holds the home directories, then run this "
			     "again.");
			fprintf(stderr, "ERROR: No private directories found; make sure that your "
					"root filesystem is mounted.\n");
			dir_list_free(&dirs);
			return RECOVER_EXIT_NOT_FOUND;
		}
	}
	/* one --userspace destination serves one directory */
	if (dest && dirs.count > 1) {
		ect_err(ctx, "--userspace takes one directory, %zu were found or given; name "
			     "one as DIR", dirs.count);
		for (size_t i = 0; i < dirs.count; i++)
			fprintf(stderr, "  %s\n", dirs.paths[i]);
		dir_list_free(&dirs);
		return ECT_EXIT_USAGE;
	}
	for (size_t i = 0; i < dirs.count; i++) {
		r = recover_dir(ctx, dirs.paths[i], &sec, &o);
		if (r == RECOVER_EXIT_PARTIAL)
			partial++;
		else if (r != ECT_EXIT_OK)
			failed++;
	}
	dir_list_free(&dirs);
	if (failed)
		return ECT_EXIT_FAILURE;
	return partial ? RECOVER_EXIT_PARTIAL : ECT_EXIT_OK;
}

const struct cli_cmd cmds_recover[] = {
	{ "recover-private", "ecryptfs-recover-private", cmd_recover_private,
	  "open an encrypted directory with its passphrase (mount or decrypt)" },
	{ "stat", "ecryptfs-stat", cmd_stat, "show the header of an encrypted lower file" },
	{ "find", "ecryptfs-find", cmd_find, "map plaintext names to encrypted names and back" },
	{ 0 },
};
