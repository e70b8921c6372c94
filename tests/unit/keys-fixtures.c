// SPDX-License-Identifier: GPL-2.0-or-later
/* Test support for the keys module: fixtures and a throwaway keyring context. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <keyutils.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keys-fixtures.h"

static const char *fixture_dir(void)
{
	static char dir[4096];
	const char *top = getenv("ECT_TEST_FIXTURES");

	if (!top)
		top = ECT_FIXTURES_DEFAULT;
	snprintf(dir, sizeof(dir), "%s/keyring", top);
	return dir;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "keys fixtures: %s: %s\n", what, detail);
	exit(1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t unhex(const char *hex, char *out, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > max)
		die("bad passphrase hex", hex);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			die("bad passphrase hex", hex);
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return n / 2;
}

size_t key_fixtures_load(struct key_fixture **cases)
{
	char path[4200], line[512];
	size_t n = 0, cap = 0;
	struct key_fixture *v = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifest.tsv", fixture_dir());
	f = fopen(path, "re");
	if (!f)
		die("cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char name[64], hex[160], rc[96], s1[32], s2[32];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s\t%159s\t%95s\t%31s\t%31s", name, hex, rc, s1, s2) != 5)
			die("bad manifest line", line);
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("out of memory", path);
		}
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		v[n].pass_len = unhex(hex, v[n].pass, ECT_PASSPHRASE_MAX);
		snprintf(v[n].rc, sizeof(v[n].rc), "%s", strcmp(rc, "-") ? rc : "");
		if (strlen(s1) != ECT_SIG_HEX_SIZE || strlen(s2) != ECT_SIG_HEX_SIZE)
			die("bad sig in manifest", line);
		memcpy(v[n].fekek_sig, s1, ECT_SIG_HEX_SIZE + 1);
		memcpy(v[n].fnek_sig, s2, ECT_SIG_HEX_SIZE + 1);
		n++;
	}
	fclose(f);
	if (n < 10)
		die("too few cases in", path);
	*cases = v;
	return n;
}

void key_fixture_token(const struct key_fixture *c, const char *ext, uint8_t tok[ECT_AUTH_TOK_SIZE])
{
	char path[4200];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", fixture_dir(), c->name, ext);
	f = fopen(path, "re");
	if (!f || fstat(fileno(f), &st) || st.st_size != ECT_AUTH_TOK_SIZE ||
	    fread(tok, 1, ECT_AUTH_TOK_SIZE, f) != ECT_AUTH_TOK_SIZE)
		die("cannot read a 740-byte token from", path);
	fclose(f);
}

static int copy_file(const char *from, const char *to)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(from, "re"), *out = NULL;
	int ret = -1;

	if (!in)
		return -1;
	out = fopen(to, "we");
	if (!out)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			goto out;
	ret = 0;
out:
	if (out && fclose(out))
		ret = -1;
	fclose(in);
	return ret;
}

int key_fixture_salt(const struct key_fixture *c, uint8_t salt[ECT_SALT_SIZE])
{
	char home[] = "/tmp/ect-test-home-XXXXXX", from[4200], rc[64];
	int ret;

	if (!c->rc[0]) {
		memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
		return 0;
	}
	if (!mkdtemp(home))
		return -errno;
	snprintf(from, sizeof(from), "%s/%s", fixture_dir(), c->rc);
	snprintf(rc, sizeof(rc), "%s/.ecryptfsrc", home);
	ret = copy_file(from, rc) ? -EIO : ect_rc_read_salt(home, salt);
	unlink(rc);
	rmdir(home);
	return ret;
}

int key_fixtures_host_matches(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

/* An unused uid for this process and slot, so parallel runs do not share quotas. */
static uid_t throwaway_uid(unsigned int slot)
{
	uid_t uid = 3900000 + (uid_t)(getpid() % 4096) * 16 + slot;

	while (getpwuid(uid))
		uid += 65536;
	return uid;
}

static int write_map(pid_t pid, const char *file, uid_t outside)
{
	char path[64], map[64];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	len = snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)outside);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, map, (size_t)len) != len)
		ret = -1;
	close(fd);
	return ret;
}

int keyring_sandbox_run(int (*body)(void *arg), void *arg, unsigned int slot)
{
	uid_t uid = throwaway_uid(slot);
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(go))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int userns = unshare(CLONE_NEWUSER) == 0;
		int ret;

		close(ready[0]);
		close(go[1]);
		c = (char)userns;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1 || c != 1)
			_exit(200);
		if (userns) {
			/* uid 0 inside is the throwaway uid outside. */
			if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
				_exit(201);
		} else if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
			_exit(202);
		}
		if (keyctl_join_session_keyring(NULL) < 0)
			_exit(203);
		keyctl_clear(KEY_SPEC_USER_KEYRING);
		ret = body(arg);
		keyctl_clear(KEY_SPEC_USER_KEYRING);
		_exit(ret ? 1 : 0); /* the line went to stderr */
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) != 1)
		c = -1;
	if (c == 1)
		c = (write_map(pid, "uid_map", uid) || write_map(pid, "gid_map", uid)) ? 0 : 1;
	else if (c == 0)
		c = 1; /* fallback: the child switches uid itself */
	if (write(go[1], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) >= 200)
		return -1;
	return WEXITSTATUS(status);
}
