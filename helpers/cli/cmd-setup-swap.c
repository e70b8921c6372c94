// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs commands: setup-swap (ecryptfs-utils 111's ecryptfs-setup-swap).
 * Puts swap on dm-crypt with a random key at each boot through
 * /etc/crypttab, for partitions and swap files, marks GPT swap partitions
 * "no auto" so systemd's GPT generator never turns the plain partition on
 * (CVE-2015-8946, CVE-2016-6224), and leaves encrypted swap alone.
 */
#include "cli-util.h"
#include "cmd-setup-swap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_AREAS 32
/* Held for the whole run: two runs would pick the same names and race on the tables. */
#define SWAP_LOCK ECT_RUNDIR "/ecryptfs-setup-swap.lock"
/* Exit status when another run holds the lock (ecryptfs-setup-swap(8)). */
#define SWAP_EXIT_BUSY 3

struct swap_opts {
	bool force;	/* -f: turn swap in use off without asking */
	bool no_reload; /* -n: write the configuration only */
};

static const char usage_text[] =
	"Usage: ecryptfs-setup-swap [-f|--force] [-n|--no-reload] [SWAP...]\n"
	"Encrypt swap with a random key at each boot (/etc/crypttab, /etc/fstab).\n"
	"SWAP are swap partitions or files; default: every swap area in use.\n"
	"  -f, --force      turn swap in use off without asking\n"
	"  -n, --no-reload  only write the configuration; it takes effect at the next boot\n"
	"Exit: 0 done or nothing to do (also when the question is answered no),\n"
	"1 failure, 2 usage, 3 another run is under way. See ecryptfs-setup-swap(8).\n";

/* The areas in /proc/swaps. */
static int read_proc_swaps(struct swap_area *list, size_t *n)
{
	FILE *f = fopen("/proc/swaps", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		fprintf(stderr, "ERROR: cannot read /proc/swaps: %s\n", strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0 && *n < MAX_AREAS) {
		char name[PATH_MAX], type[32];

		if (ect_swaps_line(line, name, sizeof(name), type, sizeof(type)))
			continue;
		memset(&list[*n], 0, sizeof(list[*n]));
		snprintf(list[*n].path, sizeof(list[*n].path), "%s", name);
		list[*n].active = true;
		(*n)++;
	}
	free(line);
	fclose(f);
	return 0;
}

static bool same_area(const struct swap_area *a, const struct swap_area *b)
{
	return a->is_file == b->is_file && a->rdev == b->rdev && (!a->is_file || a->ino == b->ino);
}

/*
 * Examine a->path once, through an O_PATH fd that follows no symlink (the
 * names come from /proc/swaps or realpath) and has no side effect of an
 * open; the programs later get that fd's /proc name.
 */
static int identify(struct swap_area *a)
{
	struct stat st;
	int fd;

	a->fd = -1;
	fd = open(a->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "ERROR: cannot examine %s: %s\n", a->path, strerror(errno));
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		a->rdev = st.st_rdev;
	} else if (S_ISREG(st.st_mode)) {
		a->is_file = true;
		a->rdev = st.st_dev;
		a->ino = st.st_ino;
	} else {
		fprintf(stderr, "ERROR: %s is neither a block device nor a regular file\n", a->path);
		goto fail;
	}
	a->fd = fd;
	snprintf(a->by_fd, sizeof(a->by_fd), "/proc/%ld/fd/%d", (long)getpid(), fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static void forget_areas(struct swap_area *areas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (areas[i].fd >= 0)
			close(areas[i].fd);
		areas[i].fd = -1;
	}
}

/* Read one sysfs attribute of the block device a->rdev. */
static bool sysfs_attr(const struct swap_area *a, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major(a->rdev), minor(a->rdev),
		 attr);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* A name for crypttab that still means this area after a reboot. */
static int stable_source(struct swap_area *a)
{
	char dm_name[128];

	if (a->is_file) {
		if (a->path[0] != '/' || strpbrk(a->path, " \t\n\\#")) {
			fprintf(stderr, "ERROR: %s: crypttab cannot hold this path (white space, "
					"'\\' or '#', or not absolute)\n", a->path);
			return -1;
		}
		memcpy(a->source, a->path, strlen(a->path) + 1);
	} else if (a->part_uuid[0]) {
		snprintf(a->source, sizeof(a->source), "PARTUUID=%s", a->part_uuid);
	} else if (sysfs_attr(a, "dm/name", dm_name, sizeof(dm_name)) && dm_name[0]) {
		snprintf(a->source, sizeof(a->source), "/dev/mapper/%s", dm_name);
	} else {
		/* a random-key swap keeps no UUID: a bare /dev name could change */
		fprintf(stderr, "ERROR: %s has no stable name (not a partition with a PARTUUID, "
				"not a device-mapper volume, not a file)\n", a->path);
		return -1;
	}
	return 0;
}

static bool gpt_swap_partition(const struct swap_area *a)
{
	return !a->is_file && !strcmp(a->part_scheme, "gpt") &&
	       !strcasecmp(a->part_type, SWAP_GPT_TYPE);
}

/* Decide what to do with one area; -1 after an ERROR line. */
static int classify(struct swap_area *a, const struct swap_tab *crypttab)
{
	const char *name;

	/* the rule of verify-private's swap check, so the two always agree */
	switch (ect_block_crypt(NULL, a->rdev)) {
	case ECT_BLOCK_DM_CRYPT:
		a->state = SWAP_ENCRYPTED;
		return 0;
	case ECT_BLOCK_ZRAM:
		a->state = SWAP_RAM;
		return 0;
	case ECT_BLOCK_PLAIN:
		break;
	}
	if (swap_probe(a))
		return -1;
	/* the boot-time "swap" option runs mkswap: only ever on swap */
	if (strcmp(a->fs_type, "swap")) {
		fprintf(stderr, "ERROR: %s is not swap (%s): refusing to encrypt it, which would "
				"destroy its contents at each boot\n",
			a->path, a->fs_type[0] ? a->fs_type : "no signature found");
		return -1;
	}
	if (stable_source(a))
		return -1;
	name = swap_crypttab_find(crypttab, a);
	if (name) {
		snprintf(a->name, sizeof(a->name), "%s", name);
		a->state = SWAP_CONFIGURED;
		return 0;
	}
	a->state = SWAP_TODO;
	return 0;
}

static int collect(int argc, char **argv, struct swap_area *areas, size_t *n)
{
	struct swap_area active[MAX_AREAS];
	size_t nactive = 0;

	if (read_proc_swaps(active, &nactive))
		return -1;
	for (size_t i = 0; i < nactive; i++)
		if (identify(&active[i])) {
			forget_areas(active, i);
			return -1;
		}
	if (argc <= 1) {
		memcpy(areas, active, nactive * sizeof(*areas));
		*n = nactive;
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct swap_area *a = &areas[*n];

		if (*n == MAX_AREAS) {
			fprintf(stderr, "ERROR: more than %d swap areas\n", MAX_AREAS);
			goto fail;
		}
		memset(a, 0, sizeof(*a));
		if (!realpath(argv[i], a->path)) {
			fprintf(stderr, "ERROR: %s: %s\n", argv[i], strerror(errno));
			goto fail;
		}
		if (identify(a))
			goto fail;
		for (size_t j = 0; j < nactive; j++)
			a->active |= same_area(a, &active[j]);
		(*n)++;
	}
	forget_areas(active, nactive);
	return 0;
fail:
	forget_areas(active, nactive);
	forget_areas(areas, *n);
	*n = 0;
	return -1;
}

static void no_swap_advice(void)
{
	cli_info("You do not currently have any swap space defined.");
	printf("\nYou can create a swap file by doing:\n"
	       " $ sudo dd if=/dev/zero of=/swapfile bs=1M count=1024\n"
	       " $ sudo chmod 600 /swapfile\n"
	       " $ sudo mkswap /swapfile\n"
	       " $ sudo swapon /swapfile\n\n"
	       "And then re-run ecryptfs-setup-swap\n\n");
}

/* Ask before turning swap in use off; true to go on. */
static bool confirm(const struct swap_area *areas, size_t n)
{
	char answer[16] = "";

	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && areas[i].active)
			printf("%s is in use: it will be turned off and on again, encrypted.\n",
			       areas[i].path);
	printf("\nWARNING:\nAn encrypted swap is required to help ensure that encrypted files "
	       "are not leaked to disk in an unencrypted format.\n\n"
	       "HOWEVER, THE SWAP ENCRYPTION CONFIGURATION PRODUCED BY THIS PROGRAM WILL BREAK "
	       "HIBERNATE/RESUME ON THIS SYSTEM!\n\n"
	       "NOTE: Your suspend/resume capabilities will not be affected.\n\n"
	       "Do you want to proceed with encrypting your swap? [y/N]: ");
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin))
		answer[0] = '\0';
	putchar('\n');
	return !strcmp(answer, "y\n") || !strcmp(answer, "Y\n") || !strcmp(answer, "y") ||
	       !strcmp(answer, "Y");
}

static int pick_names(struct swap_area *areas, size_t n, const struct swap_tab *crypttab)
{
	unsigned int next = 1;

	for (size_t i = 0; i < n; i++) {
		if (areas[i].state != SWAP_TODO)
			continue;
		for (;; next++) {
			bool dup = false;

			snprintf(areas[i].name, sizeof(areas[i].name), "cryptswap%u", next);
			for (size_t j = 0; j < i; j++)
				dup |= areas[j].state == SWAP_TODO && !strcmp(areas[j].name, areas[i].name);
			if (!dup && !swap_name_taken(crypttab, areas[i].name))
				break;
		}
		next++;
	}
	return 0;
}

static int run_tool(const char *tool, const char *const args[])
{
	char path[ECT_CLI_PROGRAM_MAX];
	const char *argv[16] = { path };
	int rc;

	if (cli_find_program(tool, path, sizeof(path))) {
		fprintf(stderr, "ERROR: %s not found\n", tool);
		return -1;
	}
	for (size_t i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[i + 1] = args[i];
	rc = cli_run(argv, NULL, false);
	if (rc) {
		fprintf(stderr, "ERROR: %s %s failed (%s %d)\n", tool, args[0],
			rc < 0 ? "error" : "status", rc < 0 ? -rc : rc);
		return -1;
	}
	return 0;
}

/* Open the mapping as the crypttab line does at boot, make swap on it, turn it on. */
static int activate(const struct swap_area *a)
{
	char mapped[64];

	snprintf(mapped, sizeof(mapped), "/dev/mapper/%s", a->name);
	if (swap_recheck(a) ||
	    run_tool("cryptsetup", (const char *const[]){ "open", "--type", "plain", "--cipher",
							  SWAP_CIPHER, "--key-size", SWAP_KEY_BITS,
							  "--key-file", "/dev/urandom", a->by_fd,
							  a->name, NULL }) ||
	    run_tool("mkswap", (const char *const[]){ "-q", mapped, NULL }) ||
	    run_tool("swapon", (const char *const[]){ mapped, NULL }))
		return -1;
	cli_info("%s is on, encrypted, as %s", a->path, mapped);
	return 0;
}

/*
 * Turn the first n areas that swap_off turned off on again, unencrypted as
 * they were: a failed run must not leave the machine without its swap.
 */
static void swap_restore(struct swap_area *areas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (areas[i].state != SWAP_TODO || !areas[i].active)
			continue;
		/* by fd, even when the name moved on: this is the area that was on */
		if (run_tool("swapon", (const char *const[]){ areas[i].by_fd, NULL }))
			fprintf(stderr, "ERROR: %s stays off: turn it on with \"swapon %s\"\n",
				areas[i].path, areas[i].path);
		else
			fprintf(stderr, "INFO: %s is on again, unencrypted as before\n", areas[i].path);
	}
}

/* Turn the areas in use off; on failure turn the ones already off on again. */
static int swap_off(struct swap_area *areas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (areas[i].state != SWAP_TODO || !areas[i].active)
			continue;
		if (swap_recheck(&areas[i]) ||
		    run_tool("swapoff", (const char *const[]){ areas[i].by_fd, NULL })) {
			fprintf(stderr, "ERROR: cannot turn %s off (not enough memory?); nothing "
					"was changed\n", areas[i].path);
			swap_restore(areas, i);
			return -1;
		}
	}
	return 0;
}

static int write_tables(struct swap_area *areas, size_t n, struct swap_tab *crypttab)
{
	struct swap_tab fstab;
	char *ct = NULL, *ft = NULL;
	size_t ctlen, ftlen;
	int ret = -1;

	/* crypttab names a swap file by its path: it must still be the file examined */
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && swap_recheck(&areas[i]))
			return -1;
	if (swap_tab_load(&fstab, SWAP_FSTAB))
		return -1;
	if (swap_tab_add(crypttab, areas, n, &ct, &ctlen) ||
	    swap_fstab_edit(&fstab, areas, n, &ft, &ftlen)) {
		fprintf(stderr, "ERROR: out of memory\n");
		goto out;
	}
	if (swap_tab_replace(crypttab, ct, ctlen))
		goto out;
	if (swap_tab_replace(&fstab, ft, ftlen)) {
		fprintf(stderr, "ERROR: %s is new but %s is not: to undo, %s\n", SWAP_CRYPTTAB,
			SWAP_FSTAB, crypttab->exists ? "mv /etc/crypttab" SWAP_BACKUP_SUFFIX
						       " /etc/crypttab" : "rm /etc/crypttab");
		goto out;
	}
	cli_info("Wrote %s and %s%s", SWAP_CRYPTTAB, SWAP_FSTAB,
		     fstab.exists ? " (the old ones are saved as *" SWAP_BACKUP_SUFFIX ")" : "");
	ret = 0;
out:
	free(ct);
	free(ft);
	swap_tab_free(&fstab);
	return ret;
}

static int parse_args(int *argc, char **argv, struct swap_opts *o)
{
	int npos = 1, only_pos = 0;

	for (int i = 1; i < *argc; i++) {
		const char *s = argv[i];

		if (only_pos || s[0] != '-')
			argv[npos++] = argv[i];
		else if (!strcmp(s, "--"))
			only_pos = 1;
		else if (!strcmp(s, "-f") || !strcmp(s, "--force"))
			o->force = true;
		else if (!strcmp(s, "-n") || !strcmp(s, "--no-reload"))
			o->no_reload = true;
		else if (!strcmp(s, "-h") || !strcmp(s, "--help"))
			return 1;
		else {
			fprintf(stderr, "ecryptfs-setup-swap: unknown option '%s'\n", s);
			return -1;
		}
	}
	*argc = npos;
	return 0;
}

/* Report the areas left alone; true when there is work. */
static bool report(struct swap_area *areas, size_t n)
{
	bool todo = false;

	for (size_t i = 0; i < n; i++) {
		const struct swap_area *a = &areas[i];

		if (a->state == SWAP_ENCRYPTED)
			cli_info("[%s] is already encrypted%s, skipping.", a->path,
				     a->is_file ? " (it lives on dm-crypt)" : "");
		else if (a->state == SWAP_RAM)
			cli_info("[%s] is a RAM device, skipping.", a->path);
		else if (a->state == SWAP_CONFIGURED)
			cli_info("[%s] is already in /etc/crypttab as %s, skipping%s.", a->path,
				     a->name, a->active ? " (encrypted from the next boot)" : "");
		else
			todo = true;
	}
	return todo;
}

/* Mark the GPT swap partitions to encrypt "no auto". 0 or -1 (said why). */
static int set_noauto_todo(struct swap_area *areas, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && gpt_swap_partition(&areas[i]) &&
		    !(areas[i].part_flags >> 63 & 1) && swap_set_noauto(&areas[i]))
			return -1;
	return 0;
}

static int setup_swap(struct swap_area *areas, size_t n, const struct swap_opts *o)
{
	struct swap_tab crypttab;
	bool in_use = false;
	int ret = ECT_EXIT_FAILURE;

	if (swap_tab_load(&crypttab, SWAP_CRYPTTAB))
		return ECT_EXIT_FAILURE;
	for (size_t i = 0; i < n; i++)
		if (classify(&areas[i], &crypttab))
			goto out;
	/* configured earlier (e.g. by 111): still make sure systemd leaves it alone */
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_CONFIGURED && gpt_swap_partition(&areas[i]) &&
		    !(areas[i].part_flags >> 63 & 1) && swap_set_noauto(&areas[i]))
			goto out;
	if (!report(areas, n)) {
		cli_info("Nothing to do: no plain swap left.");
		ret = ECT_EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		in_use |= areas[i].state == SWAP_TODO && areas[i].active;
	if (in_use && !o->no_reload && !o->force && !confirm(areas, n)) {
		cli_info("Aborting.");
		ret = ECT_EXIT_OK;
		goto out;
	}
	pick_names(areas, n, &crypttab);
	if (!o->no_reload && swap_off(areas, n))
		goto out;
	if (set_noauto_todo(areas, n) || write_tables(areas, n, &crypttab)) {
		/* nothing is encrypted yet: the swap that was on goes on again */
		if (!o->no_reload)
			swap_restore(areas, n);
		goto out;
	}
	if (o->no_reload) {
		cli_info("Swap will be encrypted from the next boot.");
		ret = ECT_EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && activate(&areas[i])) {
			fprintf(stderr, "ERROR: the configuration is written; %s is off until the "
					"next boot\n", areas[i].path);
			goto out;
		}
	/* a name moved meanwhile: the programs acted on the area, but crypttab names the path */
	for (size_t i = 0; i < n; i++)
		if (areas[i].state == SWAP_TODO && swap_recheck(&areas[i])) {
			fprintf(stderr, "ERROR: %s is on, encrypted, but %s names it by a path that now "
					"leads elsewhere: correct %s before the next boot\n",
				areas[i].path, SWAP_CRYPTTAB, SWAP_CRYPTTAB);
			goto out;
		}
	cli_info("Successfully encrypted swap!");
	ret = ECT_EXIT_OK;
out:
	swap_tab_free(&crypttab);
	return ret;
}

/*
 * One run at a time: the lock file, root's, held until exit. Its fd, -1 when
 * it cannot be used or -2 when another run holds it (said which).
 */
static int take_lock(void)
{
	int fd = open(SWAP_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "ERROR: cannot open the lock file %s: %s\n", SWAP_LOCK,
			strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0) {
		fprintf(stderr, "ERROR: the lock file %s is not a file of root's\n", SWAP_LOCK);
		goto fail;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	if (errno == EWOULDBLOCK) {
		fprintf(stderr, "ERROR: another ecryptfs-setup-swap is running (it holds %s); "
				"nothing was changed: run it again when that one has finished\n",
			SWAP_LOCK);
		close(fd);
		return -2;
	}
	fprintf(stderr, "ERROR: cannot lock %s: %s\n", SWAP_LOCK, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int cmd_setup_swap(struct ect_ctx *ctx, int argc, char **argv)
{
	static struct swap_area areas[MAX_AREAS];
	char cryptsetup[ECT_CLI_PROGRAM_MAX];
	struct swap_opts o = { 0 };
	size_t n = 0;
	int r, lock;

	(void)ctx;
	r = parse_args(&argc, argv, &o);
	if (r)
		return cli_usage(r, usage_text);
	if (geteuid() != 0) {
		fprintf(stderr, "ERROR: This program must be run with 'sudo', or as root\n");
		return ECT_EXIT_FAILURE;
	}
	if (cli_find_program("cryptsetup", cryptsetup, sizeof(cryptsetup))) {
		fprintf(stderr, "ERROR: Please install 'cryptsetup'\n");
		return ECT_EXIT_FAILURE;
	}
	lock = take_lock();
	if (lock < 0)
		return lock == -2 ? SWAP_EXIT_BUSY : ECT_EXIT_FAILURE;
	if (collect(argc, argv, areas, &n)) {
		r = ECT_EXIT_FAILURE;
	} else if (!n) {
		no_swap_advice();
		r = ECT_EXIT_OK;
	} else {
		r = setup_swap(areas, n, &o);
	}
	forget_areas(areas, n);
	close(lock);
	return r;
}

const struct cli_cmd cmds_swap[] = {
	{ "setup-swap", "ecryptfs-setup-swap", cmd_setup_swap,
	  "encrypt swap with a random key at each boot" },
	{ 0 },
};
