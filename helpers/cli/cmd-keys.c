// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ecryptfs commands: the keys family (see cli.h). add-passphrase and
 * insert-wrapped-passphrase live here; the wrapped-file commands in
 * cmd-wrap.c. Behaviour follows ecryptfs-utils 111 (see ecryptfs(1) and
 * tests/cli/keys-peer.sh for what was observed and what differs).
 */
#include "cmd-keys.h"

#include <stdlib.h>
#include <string.h>

/* Scripts (ecryptfs-setup-private and others) parse this exact line. */
static void print_inserted(const char *sig)
{
	printf("Inserted auth tok with sig [%s] into the user session keyring\n", sig);
	fflush(stdout);
}

/* ---- add-passphrase --------------------------------------------------- */

static const char add_usage[] =
	"Usage:\n"
	"  ecryptfs-add-passphrase [--fnek] [--passphrase-file SRC]\n"
	"  printf \"%s\" \"passphrase\" | ecryptfs-add-passphrase [--fnek] -\n"
	"\n"
	"Derive the eCryptfs key of a mount passphrase and add it to the user keyring;\n"
	"--fnek also adds the filename-encryption key.\n"
	"\n"
	"Options:\n"
	"  --fnek                  also add the filename-encryption key (FNEK)\n"
	"  --passphrase-file SRC   read the passphrase from SRC (a file, - or fd:N)\n"
	"  -h, --help              show this help\n";

/*
 * Can a FNEK be used here? When the kernel's eCryptfs lacks filename
 * encryption, no (ecryptfs-utils 111's refusal). When the kernel has no
 * eCryptfs at all but ecryptfs-fuse is installed, yes: private mode mounts
 * through it (mount.ecryptfs_private falls back on ENODEV), and it
 * encrypts names. Root loads the module first, as 111 did.
 */
static bool fnek_supported(struct ect_ctx *ctx)
{
	struct ect_kernel_info k;
	int r = ect_kernel_probe(ctx, ECT_PROBE_LOAD, &k);

	if (r == ECT_E_NO_KERNEL)
		return k.fuse;
	return r == 0 && (k.features & ECT_KERNEL_FILENAME_ENCRYPTION);
}

static int cmd_add(struct ect_ctx *ctx, int argc, char **argv)
{
	const char *ppfile = NULL;
	int fnek = 0;
	const struct cli_opt opts[] = {
		{ "fnek", NULL, &fnek },
		{ "passphrase-file", &ppfile, NULL },
		{ NULL, NULL, NULL },
	};
	struct cli_secret_spec spec = {
		.what = "passphrase",
		.prompt = "Passphrase: ",
	};
	struct cli_secret pp = { 0 };
	uint8_t salt[ECT_SALT_SIZE];
	char sig[ECT_SIG_HEX_SIZE + 1];
	int n, r, ret = ECT_EXIT_FAILURE;

	r = cli_parse(ctx, argc, argv, opts, &n);
	if (r)
		return cli_usage(r, add_usage);
	spec.source = ppfile;
	if (n == 1 && !strcmp(argv[1], "-"))
		spec.from_stdin = !ppfile;
	else if (n != 0)
		return cli_usage(0, add_usage);
	if (fnek && !fnek_supported(ctx)) {
		fprintf(stderr, "Error: Your kernel does not support filename encryption\n");
		return ECT_EXIT_FAILURE;
	}
	if (cli_get_secret(ctx, &spec, &pp))
		goto out;
	if (pp.len > ECT_PASSPHRASE_MAX) {
		cli_too_long();
		goto out;
	}
	cli_rc_salt(ctx, salt);
	/* FEKEK first, then FNEK, each reported as it lands (ecryptfs-utils order) */
	r = ect_keyring_add_passphrase(pp.s, pp.len, salt, sig);
	if (r < 0)
		goto fail;
	print_inserted(sig);
	if (fnek) {
		r = ect_keyring_add_passphrase(pp.s, pp.len, ect_fnek_salt, sig);
		if (r < 0)
			goto fail;
		print_inserted(sig);
	}
	ret = ECT_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "Error: Inserting key into the user session keyring failed: %s\n",
		ect_strerror(r));
out:
	cli_secret_free(&pp);
	return ret;
}

/* ---- insert-wrapped-passphrase ---------------------------------------- */

static const char insert_usage[] =
	"Usage:\n"
	"  ecryptfs-insert-wrapped-passphrase-into-keyring [--password-file SRC] [FILE]\n"
	"  printf \"%s\" \"wrapping passphrase\" | "
	"ecryptfs-insert-wrapped-passphrase-into-keyring [FILE] -\n"
	"  ecryptfs-insert-wrapped-passphrase-into-keyring FILE WRAPPING_PASSPHRASE   "
	"(insecure, for compatibility)\n"
	"\n"
	"Unwrap the mount passphrase in FILE (default ~/.ecryptfs/wrapped-passphrase), add\n"
	"its filename and file keys to the user keyring and link that into the session keyring.\n"
	"\n"
	"Options:\n"
	"  --password-file SRC   read the wrapping passphrase from SRC (a file, - or fd:N)\n"
	"  -h, --help            show this help\n";

static int cmd_insert(struct ect_ctx *ctx, int argc, char **argv)
{
	static const char what[] = "Unwrapping passphrase and inserting into the user session keyring";
	struct cli_keys_wrapped w;
	struct ect_unlock_result res;
	int r, ret;

	if (cli_keys_wrapped_args(ctx, argc, argv, insert_usage, &w, &ret))
		return ret;
	ret = ECT_EXIT_FAILURE;
	/*
	 * The library's unlock without sigs: FNEK then FEKEK (salt= of
	 * ~/.ecryptfsrc), nothing compared, never upgraded. @u goes into @s
	 * because the kernel looks keys up from the mounting process's session.
	 */
	w.opts.flags = ECT_UNLOCK_LINK_SESSION;
	r = ect_unlock_user_keys(&w.dirs, w.pw.s, w.pw.len, &w.opts, &res);
	cli_salt_warning(ctx, res.salt_err, &res.salt_where);
	if (r < 0) {
		if (res.failed_at == ECT_UNLOCK_AT_UNWRAP)
			cli_keys_report(what, w.file, r, w.pw.len);
		else
			fprintf(stderr, "Error: %s failed: %s\n", what, ect_strerror(r));
		goto out;
	}
	if (res.link_err)
		ect_warn(ctx, "cannot link the user keyring into the session keyring: %s",
			 ect_strerror(res.link_err));
	print_inserted(res.fekek);
	ret = ECT_EXIT_OK;
out:
	cli_keys_wrapped_free(&w);
	return ret;
}

const struct cli_cmd cmds_keys[] = {
	{ "wrap-passphrase", "ecryptfs-wrap-passphrase", cmd_wrap,
	  "wrap a mount passphrase into a file under a wrapping passphrase" },
	{ "unwrap-passphrase", "ecryptfs-unwrap-passphrase", cmd_unwrap,
	  "print the mount passphrase of a wrapped-passphrase file" },
	{ "rewrap-passphrase", "ecryptfs-rewrap-passphrase", cmd_rewrap,
	  "change the wrapping passphrase, upgrade the file, or recover it" },
	{ "add-passphrase", "ecryptfs-add-passphrase", cmd_add,
	  "add the key(s) of a mount passphrase to the user keyring" },
	{ "insert-wrapped-passphrase", "ecryptfs-insert-wrapped-passphrase-into-keyring",
	  cmd_insert, "unwrap a file and add its keys to the user keyring" },
	{ 0 },
};
