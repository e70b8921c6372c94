// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unlock and rewrap a user's wrapped passphrase: the one place that knows
 * which salt goes where, which keys ALIAS.sig must name and when a file is
 * written as v2 or v3. PAM and the ecryptfs tool call these; they only
 * open the directories (as the user) and turn results into messages.
 *
 * wrapped-passphrase is read and replaced where ect_wrapped_locate_at says:
 * in ~/.ecryptfs, or on the removable medium a declared symlink leads to.
 *
 * The salt, as ecryptfs-utils 111 uses it: salt= of ~/.ecryptfsrc (else
 * 0011223344556677) derives the FEKEK from the mount passphrase, and it is
 * the wrapping salt of v1 files. v2 files carry their own random wrapping
 * salt; v3 its own Argon2id salt. The FNEK always uses ect_fnek_salt.
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ect_user_salt(const struct ect_user_dirs *d, uint8_t salt[ECT_SALT_SIZE],
		  struct ect_config_error *err)
{
	memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	if (d->home_fd < 0)
		return 0;
	/* Owner not checked: ecryptfs-utils never did, and the salt is no secret. */
	return ect_rc_read_salt_at(d->home_fd, (uid_t)-1, salt, err);
}

static bool keep_v2_flag(const struct ect_user_dirs *d)
{
	struct stat st;

	return fstatat(d->config_fd, ECT_WRAP_FORMAT_V2_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

enum ect_wrap_version ect_user_wrap_version(const struct ect_user_dirs *d, unsigned int flags)
{
	if (flags & ECT_UNLOCK_KEEP_V2)
		return ECT_WRAP_V2;
	if (!(flags & ECT_UNLOCK_WRITE_V3) && keep_v2_flag(d))
		return ECT_WRAP_V2;
	return ECT_WRAP_V3;
}

/* opts->file, else the alias's wrapped passphrase; "" (refused by bad_args) for a bad alias. */
static const char *wrap_name(const struct ect_user_dirs *d, const struct ect_unlock_opts *opts,
			     char buf[ECT_ALIAS_FILE_SIZE])
{
	if (opts && opts->file)
		return opts->file;
	if (ect_alias_key_file(d ? d->alias : NULL, ECT_WRAPPED_PASSPHRASE_FILE, buf,
			       ECT_ALIAS_FILE_SIZE))
		buf[0] = '\0';
	return buf;
}

/* Unwrap the wrapped file in config_fd; the passphrase is locked memory. */
static int unwrap_user(const struct ect_user_dirs *d, const char *name, const char *pw,
		       size_t pw_len, const uint8_t salt[ECT_SALT_SIZE],
		       const struct ect_argon2_params *ceiling, char **pp, size_t *pp_len,
		       struct ect_wrap_info *info, struct ect_config_error *where)
{
	char *blob = NULL;
	size_t size = 0;
	int ret;

	char base[ECT_WRAPPED_BASE_SIZE];
	int dfd;

	memset(info, 0, sizeof(*info));
	ret = ect_wrapped_locate_at(d->config_fd, name, d->uid, NULL, &dfd, base, where);
	if (ret)
		return ret;
	ret = ect__config_read_at(dfd, base, d->uid, ECT_CONFIG_ANY_MODE | ECT_CONFIG_BINARY,
				  ECT_WRAP_FILE_MAX, &blob, &size, NULL);
	close(dfd);
	if (ret)
		return ret;
	ret = ect_unwrap_capped(blob, size, pw, pw_len, salt, ceiling, pp, pp_len, info);
	free(blob);
	return ret;
}

/*
 * The v3 cost to write: the caller's, else calibrated, and never above the
 * ceiling the file will be read with, so the next login (PAM's kdf_max_*)
 * does not refuse the file this one wrote.
 */
static int cost_within(const struct ect_argon2_params *want,
		       const struct ect_argon2_params *ceiling, struct ect_argon2_params *out)
{
	int ret = 0;

	if (want)
		*out = *want;
	else
		ret = ect_argon2_calibrate(ECT_ARGON2_DEFAULT_MS, out);
	if (ret || !ceiling)
		return ret;
	if (ceiling->t_cost && out->t_cost > ceiling->t_cost)
		out->t_cost = ceiling->t_cost;
	if (ceiling->m_cost_kib && out->m_cost_kib > ceiling->m_cost_kib)
		out->m_cost_kib = ceiling->m_cost_kib;
	if (ceiling->lanes && out->lanes > ceiling->lanes)
		out->lanes = ceiling->lanes;
	return 0;
}

static int write_user_wrap(const struct ect_user_dirs *d, const char *name,
			   enum ect_wrap_version version, const char *pp, size_t pp_len, const char *pw, size_t pw_len,
			   const struct ect_argon2_params *params,
			   const struct ect_argon2_params *ceiling)
{
	struct ect_argon2_params cost;
	char base[ECT_WRAPPED_BASE_SIZE];
	uint8_t *blob = NULL;
	size_t size = 0;
	int ret, dfd;

	if (version == ECT_WRAP_V3) {
		ret = cost_within(params, ceiling, &cost);
		if (ret)
			return ret;
		params = &cost;
	}
	ret = ect_wrapped_locate_at(d->config_fd, name, d->uid, NULL, &dfd, base, NULL);
	if (ret)
		return ret;
	ret = ect_wrap(version, pp, pp_len, pw, pw_len, params, &blob, &size);
	if (!ret)
		ret = ect_write_file_atomic_at(dfd, base, blob, size, 0600, d->uid, d->gid);
	close(dfd);
	if (blob)
		ect_wipe(blob, size);
	free(blob);
	return ret;
}

/* The stale marker belongs to wrapped-passphrase, not to a file by another name. */
static int remove_stale(const struct ect_user_dirs *d, const char *name)
{
	if (strcmp(name, ECT_WRAPPED_PASSPHRASE_FILE))
		return 0;
	return unlinkat(d->config_fd, ECT_WRAPPED_STALE_FILE, 0) == 0;
}

/* Add one key; remember it in res->added only when this call put it there. */
static int add_one(const char *pp, size_t pp_len, const uint8_t *salt, char *sig,
		   unsigned int bit, struct ect_unlock_result *res)
{
	int ret = ect_keyring_add_passphrase(pp, pp_len, salt, sig);

	if (ret == 0)
		res->added |= bit;
	return ret > 0 ? 0 : ret;
}

static void take_back(struct ect_unlock_result *res)
{
	if (res->added & ECT_UNLOCK_ADDED_FNEK)
		(void)ect_keyring_unlink(res->fnek);
	if (res->added & ECT_UNLOCK_ADDED_FEKEK)
		(void)ect_keyring_unlink(res->fekek);
	res->added = 0;
}

/*
 * FNEK then FEKEK (ecryptfs-utils' PAM and insert-wrapped order), then the
 * comparison with sigs; without sigs both keys are added and not compared.
 */
static int add_and_match(const char *pp, size_t pp_len, const uint8_t salt[ECT_SALT_SIZE],
			 const struct ect_config_sigs *sigs, struct ect_unlock_result *res)
{
	bool want_fnek = !sigs || sigs->fnek[0] != '\0';
	int ret = 0;

	res->failed_at = ECT_UNLOCK_AT_KEYRING;
	if (want_fnek)
		ret = add_one(pp, pp_len, ect_fnek_salt, res->fnek, ECT_UNLOCK_ADDED_FNEK, res);
	if (!ret)
		ret = add_one(pp, pp_len, salt, res->fekek, ECT_UNLOCK_ADDED_FEKEK, res);
	if (!ret && sigs &&
	    (strcmp(res->fekek, sigs->fekek) || (want_fnek && strcmp(res->fnek, sigs->fnek)))) {
		res->failed_at = ECT_UNLOCK_AT_MATCH;
		ret = ECT_E_KEY_MISMATCH;
	}
	if (ret)
		take_back(res);
	else
		res->failed_at = ECT_UNLOCK_AT_NONE;
	return ret;
}

/* A mount passphrase given as such, into locked memory. */
static int copy_passphrase(const char *s, size_t len, char **pp, size_t *pp_len)
{
	if (!len || len > ECT_PASSPHRASE_MAX || memchr(s, '\0', len))
		return ECT_E_PASSPHRASE_LEN;
	*pp = ect_secure_strndup(s, len);
	*pp_len = *pp ? len : 0;
	return *pp ? 0 : ECT_E_SECMEM;
}

static bool bad_args(const struct ect_user_dirs *d, const char *password,
		     const struct ect_unlock_opts *opts)
{
	char wn[ECT_ALIAS_FILE_SIZE];
	const struct ect_config_sigs *sigs = opts ? opts->sigs : NULL;
	const char *name = wrap_name(d, opts, wn);

	return !d || !password || d->config_fd < 0 || !*name || strchr(name, '/') ||
	       (sigs && (ect_sig_check(sigs->fekek) || (sigs->fnek[0] && ect_sig_check(sigs->fnek))));
}

/* The salt, then the unwrap: the first two steps of every operation here. */
static int salt_and_unwrap(const struct ect_user_dirs *d, const char *password,
			   size_t password_len, const struct ect_unlock_opts *opts,
			   uint8_t salt[ECT_SALT_SIZE], char **pp, size_t *pp_len,
			   struct ect_unlock_result *res)
{
	char wn[ECT_ALIAS_FILE_SIZE];

	res->salt_err = ect_user_salt(d, salt, &res->salt_where);
	res->failed_at = ECT_UNLOCK_AT_UNWRAP;
	return unwrap_user(d, wrap_name(d, opts, wn), password, password_len, salt,
			   opts ? opts->ceiling : NULL, pp, pp_len, &res->info, &res->wrap_where);
}

int ect_unwrap_user(const struct ect_user_dirs *d, const char *password, size_t password_len,
		    const struct ect_unlock_opts *opts, char **passphrase, size_t *passphrase_len,
		    struct ect_unlock_result *res)
{
	uint8_t salt[ECT_SALT_SIZE];
	int ret;

	memset(res, 0, sizeof(*res));
	*passphrase = NULL;
	*passphrase_len = 0;
	if (bad_args(d, password, opts))
		return -EINVAL;
	ret = salt_and_unwrap(d, password, password_len, opts, salt, passphrase, passphrase_len,
			      res);
	if (!ret)
		res->failed_at = ECT_UNLOCK_AT_NONE;
	ect_wipe(salt, sizeof(salt));
	return ret;
}

int ect_unlock_user_keys(const struct ect_user_dirs *d, const char *password, size_t password_len,
			 const struct ect_unlock_opts *opts, struct ect_unlock_result *res)
{
	char wn[ECT_ALIAS_FILE_SIZE];
	static const struct ect_unlock_opts none;
	uint8_t salt[ECT_SALT_SIZE];
	unsigned int flags;
	char *pp = NULL;
	size_t pp_len = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (bad_args(d, password, opts))
		return -EINVAL;
	if (!opts)
		opts = &none;
	flags = opts->flags;
	if (flags & ECT_UNLOCK_IS_PASSPHRASE) {
		/* opened elsewhere (a token record): only the keys are left to add */
		flags &= ~(unsigned int)(ECT_UNLOCK_UPGRADE | ECT_UNLOCK_CLEAR_STALE);
		res->salt_err = ect_user_salt(d, salt, &res->salt_where);
		res->failed_at = ECT_UNLOCK_AT_UNWRAP;
		ret = copy_passphrase(password, password_len, &pp, &pp_len);
	} else {
		ret = salt_and_unwrap(d, password, password_len, opts, salt, &pp, &pp_len, res);
	}
	if (ret)
		goto out;
	if (flags & ECT_UNLOCK_LINK_SESSION)
		res->link_err = ect_keyring_link_user_session();
	ret = add_and_match(pp, pp_len, salt, opts->sigs, res);
	if (ret)
		goto out;
	if (flags & ECT_UNLOCK_CLEAR_STALE)
		res->stale_removed = remove_stale(d, wrap_name(d, opts, wn));
	if ((flags & ECT_UNLOCK_UPGRADE) && res->info.version != ECT_WRAP_V3 &&
	    ect_user_wrap_version(d, flags) == ECT_WRAP_V3) {
		int up = write_user_wrap(d, wrap_name(d, opts, wn), ECT_WRAP_V3, pp, pp_len, password,
					 password_len, opts->params, opts->ceiling);

		res->upgrade = up ? up : 1;
	}
out:
	ect_secure_free(pp);
	ect_wipe(salt, sizeof(salt));
	return ret;
}

/* 0 when pp's FEKEK (with the user's salt) is the one sigs names. */
static int check_fekek(const char *pp, size_t pp_len, const uint8_t salt[ECT_SALT_SIZE],
		       const struct ect_config_sigs *sigs)
{
	uint8_t *key = ect_secure_alloc(ECT_KEY_SIZE);
	char sig[ECT_SIG_HEX_SIZE + 1];
	int ret;

	if (!key)
		return ECT_E_SECMEM;
	ret = ect_derive_key(pp, pp_len, salt, key);
	if (!ret)
		ret = ect_key_signature(key, sig);
	ect_secure_free(key);
	if (!ret && strcmp(sig, sigs->fekek))
		ret = ECT_E_KEY_MISMATCH;
	return ret;
}

/* The mount passphrase to rewrap: unwrapped with old_pw, or old_pw itself (OLD_IS_PASSPHRASE). */
static int old_passphrase(const struct ect_user_dirs *d, const char *old_pw, size_t old_len,
			  const struct ect_unlock_opts *opts, const uint8_t salt[ECT_SALT_SIZE],
			  char **pp, size_t *pp_len, struct ect_rewrap_result *res)
{
	char wn[ECT_ALIAS_FILE_SIZE];

	if (!(opts->flags & ECT_UNLOCK_OLD_IS_PASSPHRASE))
		return unwrap_user(d, wrap_name(d, opts, wn), old_pw, old_len, salt, opts->ceiling, pp,
				   pp_len, &res->old, &res->wrap_where);
	return copy_passphrase(old_pw, old_len, pp, pp_len);
}

int ect_rewrap_user(const struct ect_user_dirs *d, const char *old_pw, size_t old_len,
		    const char *new_pw, size_t new_len, const struct ect_unlock_opts *opts,
		    struct ect_rewrap_result *res)
{
	char wn[ECT_ALIAS_FILE_SIZE];
	static const struct ect_unlock_opts none;
	const struct ect_argon2_params *params;
	enum ect_wrap_version version;
	uint8_t salt[ECT_SALT_SIZE];
	char *pp = NULL;
	size_t pp_len = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!new_pw || bad_args(d, old_pw, opts))
		return -EINVAL;
	if (!opts)
		opts = &none;
	res->salt_err = ect_user_salt(d, salt, &res->salt_where);
	res->failed_at = ECT_UNLOCK_AT_UNWRAP;
	ret = old_passphrase(d, old_pw, old_len, opts, salt, &pp, &pp_len, res);
	if (ret)
		goto out;
	if (opts->sigs) {
		res->failed_at = ECT_UNLOCK_AT_MATCH;
		ret = check_fekek(pp, pp_len, salt, opts->sigs);
		if (ret)
			goto out;
	}
	res->failed_at = ECT_UNLOCK_AT_NONE;
	version = ect_user_wrap_version(d, opts->flags);
	params = opts->params;
	if (!params && res->old.version == ECT_WRAP_V3)
		params = &res->old.params;
	ret = write_user_wrap(d, wrap_name(d, opts, wn), version, pp, pp_len, new_pw, new_len, params,
			      opts->ceiling);
	if (ret)
		goto out;
	res->written = version;
	res->stale_removed = remove_stale(d, wrap_name(d, opts, wn));
out:
	ect_secure_free(pp);
	ect_wipe(salt, sizeof(salt));
	return ret;
}
