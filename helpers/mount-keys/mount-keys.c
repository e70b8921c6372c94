// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs-mount-keys: root mode's passphrase step, outside the setuid
 * helper (issue 14: "separate the mount helpers from the kernel keyring").
 *
 * mount.ecryptfs runs it, for a caller whose real uid is 0 only, by the
 * fixed path ECT_MOUNT_KEYS_PROGRAM with a fixed environment:
 *   ecryptfs-mount-keys --options-fd=N --reply-fd=M
 * It reads root's -o options from fd N up to EOF (passphrase_passwd= travels
 * in that pipe, never in an argv), does what ecryptfs-utils 111's helper did
 * before mount(2), and writes the kernel's options (signatures, never the
 * passphrase) to fd M. The helper parses that reply through its allowlist
 * again. This program runs with root's ids because its caller is root; it
 * is not set-id and refuses to run as one. See ecryptfs-mount-keys(8).
 */
#include "ecryptfs-tools.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* Exit codes (ecryptfs-mount-keys(8)); mount.ecryptfs fails on anything but 0. */
enum { KEYS_OK = 0, KEYS_FAIL = 1, KEYS_USAGE = 2 };

/* One answer line from the terminal (or stdin); "" keeps the default. */
static int ask(const char *question, const char *def, char *answer, size_t size)
{
	FILE *in = fopen("/dev/tty", "r+e");
	FILE *out = in ? in : stderr;
	int ret = 0;

	if (!in)
		in = stdin;
	fprintf(out, "%s [%s]: ", question, def);
	fflush(out);
	if (!fgets(answer, (int)size, in)) {
		ret = -ENODATA;
		answer[0] = '\0';
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	if (!answer[0])
		snprintf(answer, size, "%s", def);
	if (in != stdin)
		fclose(in);
	return ret;
}

static int ask_yes_no(const char *question, int def)
{
	char a[16];

	if (ask(question, def ? "y" : "n", a, sizeof(a)))
		return def;
	return a[0] == 'y' || a[0] == 'Y';
}

/* Ask for one option and parse the answer as "name=answer" through the allowlist. */
static int ask_option(struct ect_mount_opts *o, const char *question, const char *name,
		      const char *def, char *answer, size_t size)
{
	char opt[96];

	ask(question, def, answer, size);
	snprintf(opt, sizeof(opt), "%s=%s", name, answer);
	return ect_mount_opts_parse(o, opt, NULL, 0);
}

/* The passphrase: from the options, a file, an fd, or a prompt. */
static int get_passphrase(struct ect_ctx *ctx, const struct ect_mount_opts *o, char **pw, size_t *len)
{
	char src[32];

	if (o->passphrase) {
		*pw = ect_secure_strndup(o->passphrase, ECT_PASSPHRASE_MAX);
		*len = *pw ? strlen(*pw) : 0;
		return *pw ? 0 : ECT_E_SECMEM;
	}
	if (o->passphrase_file)
		return ect_read_secret_source(o->passphrase_file, ECT_PASSPHRASE_MAX + 1, pw, len);
	if (o->passphrase_fd >= 0) {
		snprintf(src, sizeof(src), "fd:%d", o->passphrase_fd);
		return ect_read_secret_source(src, ECT_PASSPHRASE_MAX + 1, pw, len);
	}
	if (o->verbosity == 0) {
		ect_err(ctx, "no passphrase given (passphrase_passwd=, passphrase_passwd_file= or "
			     "passphrase_passwd_fd=) and verbosity=0 forbids asking");
		return -EINVAL;
	}
	return ect_prompt_secret("Passphrase: ", NULL, ECT_PASSPHRASE_MAX + 1, pw, len);
}

/* Derive the key from the passphrase, add it to @u and put its signature first. */
static int add_passphrase_key(struct ect_ctx *ctx, struct ect_mount_opts *o)
{
	char *pw = NULL, sig[ECT_SIG_HEX_SIZE + 1];
	uint8_t salt[ECT_SALT_SIZE];
	size_t len = 0;
	int r;

	r = get_passphrase(ctx, o, &pw, &len);
	if (r) {
		ect_err(ctx, "cannot read the passphrase: %s", ect_strerror(r));
		return r;
	}
	if (len < 1 || len > ECT_PASSPHRASE_MAX) {
		ect_secure_free_str(pw);
		ect_err(ctx, "the passphrase must be 1 to %d bytes", ECT_PASSPHRASE_MAX);
		return ECT_E_PASSPHRASE_LEN;
	}
	if (o->have_salt) {
		memcpy(salt, o->salt, sizeof(salt));
	} else {
		struct passwd *pw_root = getpwuid(getuid());

		if (!pw_root || ect_rc_read_salt(pw_root->pw_dir, salt))
			memcpy(salt, ect_default_salt, sizeof(salt));
	}
	r = ect_keyring_add_passphrase(pw, len, salt, sig);
	ect_secure_free_str(pw);
	ect_wipe(salt, sizeof(salt));
	if (r < 0) {
		ect_err(ctx, "cannot add the key to the keyring: %s", ect_strerror(r));
		return r;
	}
	/* the session keyring is the helper's too: mount(2) finds the key through it */
	if (ect_keyring_link_user_session())
		ect_debug(ctx, "could not link @u into @s");
	if (o->nsigs < ECT_MOUNT_SIGS_MAX) {
		memmove(o->sigs[1], o->sigs[0], sizeof(o->sigs[0]) * o->nsigs);
		memcpy(o->sigs[0], sig, sizeof(sig));
		o->nsigs++;
	}
	return 0;
}

/* Fill what is missing, asking only where 111 would and verbosity allows. */
static int complete_options(struct ect_ctx *ctx, struct ect_mount_opts *o)
{
	int interactive = o->verbosity != 0;
	char a[64];
	int r;

	if (o->key_passphrase || !o->nsigs) {
		r = add_passphrase_key(ctx, o);
		if (r)
			return r;
	}
	if (!o->cipher[0]) {
		snprintf(o->cipher, sizeof(o->cipher), "aes");
		if (interactive && ask_option(o, "Cipher (aes, blowfish, des3_ede, twofish, cast6, cast5)",
					      "ecryptfs_cipher", "aes", a, sizeof(a))) {
			ect_err(ctx, "unknown cipher '%s'", a);
			return ECT_E_UNSUPPORTED;
		}
	}
	if (!o->key_bytes) {
		o->key_bytes = 16;
		if (interactive && ask_option(o, "Key bytes (16, 24, 32)", "ecryptfs_key_bytes", "16", a,
					      sizeof(a))) {
			ect_err(ctx, "bad key size '%s'", a);
			return -EINVAL;
		}
	}
	if (interactive && !(o->flags_given & ECT_MOPT_PASSTHROUGH) &&
	    ask_yes_no("Enable plaintext passthrough (y/n)", 0))
		o->flags |= ECT_MOPT_PASSTHROUGH;
	if (!o->fnek_sig[0] && o->enable_fnek < 0 && interactive)
		o->enable_fnek = ask_yes_no("Enable filename encryption (y/n)", 0);
	if (o->enable_fnek == 1 && !o->fnek_sig[0]) {
		memcpy(o->fnek_sig, o->sigs[0], sizeof(o->fnek_sig));
		if (interactive && ask_option(o, "Filename Encryption Key (FNEK) Signature",
					      "ecryptfs_fnek_sig", o->sigs[0], a, sizeof(a))) {
			ect_err(ctx, "bad FNEK signature: %s", ect_strerror(ECT_E_BAD_SIG));
			return ECT_E_BAD_SIG;
		}
	}
	/* 111 always records it so that umount.ecryptfs removes the keys */
	o->flags |= ECT_MOPT_UNLINK_SIGS;
	return 0;
}

/* "--NAME=N" with N a file descriptor number: N, or -1. */
static int fd_arg(const char *arg, const char *name)
{
	size_t n = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, n) || arg[n] != '=' || !arg[n + 1])
		return -1;
	errno = 0;
	v = strtol(arg + n + 1, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

/* All of fd up to EOF into locked memory, at most ECT_SECRET_INPUT_MAX bytes, no NUL. */
static int read_request(int fd, char **out)
{
	char *buf = ect_secure_alloc(ECT_SECRET_INPUT_MAX + 2);
	size_t n = 0;

	*out = NULL;
	if (!buf)
		return ECT_E_SECMEM;
	while (n <= ECT_SECRET_INPUT_MAX) {
		ssize_t r = read(fd, buf + n, ECT_SECRET_INPUT_MAX + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			ect_secure_free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > ECT_SECRET_INPUT_MAX || memchr(buf, '\0', n)) {
		ect_secure_free(buf);
		return -EMSGSIZE;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Parse the request, complete it and write the kernel's options to reply_fd. */
static int run(struct ect_ctx *ctx, int options_fd, int reply_fd)
{
	struct ect_mount_opts o;
	char kopts[ECT_MOUNT_OPTS_MAX], bad[64], *request = NULL;
	ssize_t w;
	int r, ret = KEYS_FAIL;

	ect_mount_opts_init(&o);
	r = read_request(options_fd, &request);
	if (r) {
		ect_err(ctx, "cannot read the mount options from fd %d: %s", options_fd,
			ect_strerror(r));
		goto out;
	}
	r = ect_mount_opts_parse(&o, request, bad, sizeof(bad));
	ect_secure_free(request);
	if (r) {
		ect_err(ctx, "refusing option '%s': %s", bad, ect_strerror(r));
		goto out;
	}
	if (complete_options(ctx, &o))
		goto out;
	r = ect_mount_opts_kernel(&o, kopts, sizeof(kopts));
	if (r) {
		ect_err(ctx, "cannot build the kernel options: %s", ect_strerror(r));
		goto out;
	}
	/* shorter than PIPE_BUF: one write, whole or not at all */
	do
		w = write(reply_fd, kopts, strlen(kopts));
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)strlen(kopts)) {
		ect_err(ctx, "cannot write the options to fd %d: %s", reply_fd,
			w < 0 ? strerror(errno) : "short write");
		goto out;
	}
	ret = KEYS_OK;
out:
	ect_mount_opts_clear(&o);
	return ret;
}

int main(int argc, char **argv)
{
	struct ect_ctx *ctx = NULL;
	int options_fd = -1, reply_fd = -1, ret;

	if (ect_harden_process()) {
		fprintf(stderr, "ecryptfs-mount-keys: cannot disable core dumps\n");
		return KEYS_FAIL;
	}
	if (ect_ctx_new(&ctx, "ecryptfs-mount-keys", ECT_LOG_STDERR)) {
		fprintf(stderr, "ecryptfs-mount-keys: out of memory\n");
		return KEYS_FAIL;
	}
	if (getauxval(AT_SECURE)) {
		/* it holds a passphrase for its caller: a set-id bit would give it to another */
		ect_err(ctx, "refusing to run set-id; mount.ecryptfs runs it as root's own child");
		ret = KEYS_FAIL;
		goto out;
	}
	if (argc == 3) {
		options_fd = fd_arg(argv[1], "--options-fd");
		reply_fd = fd_arg(argv[2], "--reply-fd");
	}
	if (options_fd < 0 || reply_fd < 0 || options_fd == reply_fd) {
		fprintf(stderr, "Usage: ecryptfs-mount-keys --options-fd=N --reply-fd=M\n"
				"(run by mount.ecryptfs; see ecryptfs-mount-keys(8))\n");
		ret = KEYS_USAGE;
		goto out;
	}
	ret = run(ctx, options_fd, reply_fd);
out:
	ect_ctx_free(ctx);
	return ret;
}
