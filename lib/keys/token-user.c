// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ~/.ecryptfs/wrapped-passphrase.token, the list of a user's token records
 * (ALIAS.wrapped-passphrase.token for an alias other than Private):
 *
 *   "ECTK" 0x01 count | (len(be16) record) * count
 *
 * Read and written only through the ~/.ecryptfs fd of struct ect_user_dirs
 * (owner checked, atomic replace), like wrapped-passphrase.
 */
#include "config-internal.h"
#include "token-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST_MAGIC "ECTK"
#define LIST_VERSION 0x01
#define LIST_HEAD 6

struct token_list {
	char *blob; /* the file as read; records point into it */
	const uint8_t *rec[ECT_TOKEN_MAX];
	size_t size[ECT_TOKEN_MAX];
	size_t count;
};

static int list_split(struct token_list *t, size_t size)
{
	const uint8_t *b = (const uint8_t *)t->blob, *p = b + LIST_HEAD, *end = b + size;

	if (size < LIST_HEAD)
		return ECT_E_TRUNCATED;
	if (memcmp(b, LIST_MAGIC, 4))
		return ECT_E_FORMAT;
	if (b[4] != LIST_VERSION)
		return ECT_E_VERSION;
	if (b[5] > ECT_TOKEN_MAX)
		return ECT_E_FORMAT;
	for (t->count = 0; t->count < b[5]; t->count++) {
		size_t len;

		if (end - p < 2)
			return ECT_E_TRUNCATED;
		len = (size_t)p[0] << 8 | p[1];
		p += 2;
		if (!len || len > ECT_TOKEN_RECORD_MAX || (size_t)(end - p) < len)
			return len ? ECT_E_TRUNCATED : ECT_E_FORMAT;
		t->rec[t->count] = p;
		t->size[t->count] = len;
		p += len;
	}
	return p == end ? 0 : ECT_E_FORMAT;
}

/* The alias's file of token records, or of its wrapped passphrase. */
static int key_file(const struct ect_user_dirs *d, const char *base, char name[ECT_ALIAS_FILE_SIZE])
{
	return ect_alias_key_file(d->alias, base, name, ECT_ALIAS_FILE_SIZE);
}

/* The user's list; an absent file is an empty one. */
static int list_read(const struct ect_user_dirs *d, struct token_list *t)
{
	char name[ECT_ALIAS_FILE_SIZE];
	size_t size = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!d || d->config_fd < 0)
		return -EINVAL;
	ret = key_file(d, ECT_TOKEN_FILE, name);
	if (ret)
		return ret;
	ret = ect__config_read_at(d->config_fd, name, d->uid,
				  ECT_CONFIG_CONTENT | ECT_CONFIG_BINARY, ECT_TOKEN_FILE_MAX,
				  &t->blob, &size, NULL);
	if (ret == -ENOENT)
		return 0;
	if (!ret)
		ret = list_split(t, size);
	return ret;
}

static void list_free(struct token_list *t)
{
	free(t->blob);
	memset(t, 0, sizeof(*t));
}

/* Replace the file with t's records, skipping index skip; no records: no file. */
static int list_write(const struct ect_user_dirs *d, const struct token_list *t, size_t skip,
		      const uint8_t *extra, size_t extra_size)
{
	char name[ECT_ALIAS_FILE_SIZE];
	size_t total = LIST_HEAD, n = 0;
	uint8_t *out, *w;
	int ret;

	ret = key_file(d, ECT_TOKEN_FILE, name);
	if (ret)
		return ret;
	for (size_t i = 0; i < t->count; i++)
		total += i == skip ? 0 : 2 + t->size[i];
	total += extra ? 2 + extra_size : 0;
	if (total == LIST_HEAD) {
		ret = unlinkat(d->config_fd, name, 0) ? -errno : 0;
		return ret == -ENOENT ? 0 : ret;
	}
	out = malloc(total);
	if (!out)
		return -ENOMEM;
	memcpy(out, LIST_MAGIC, 4);
	out[4] = LIST_VERSION;
	w = out + LIST_HEAD;
	for (size_t i = 0; i <= t->count; i++) {
		const uint8_t *rec = i < t->count ? t->rec[i] : extra;
		size_t len = i < t->count ? t->size[i] : extra_size;

		if (i == skip || !rec)
			continue;
		*w++ = (uint8_t)(len >> 8);
		*w++ = (uint8_t)len;
		memcpy(w, rec, len);
		w += len;
		n++;
	}
	out[5] = (uint8_t)n;
	ret = ect_write_file_atomic_at(d->config_fd, name, out, total, 0600, d->uid,
				       d->gid);
	free(out);
	return ret;
}

int ect_token_list_user(const struct ect_user_dirs *d, struct ect_token_info *infos, size_t max,
			size_t *count)
{
	struct token_list t;
	int ret;

	if (!count || (max && !infos))
		return -EINVAL;
	*count = 0;
	ret = list_read(d, &t);
	for (size_t i = 0; !ret && i < t.count && i < max; i++)
		ret = ect_token_parse(t.rec[i], t.size[i], &infos[i]);
	if (!ret)
		*count = t.count;
	list_free(&t);
	return ret;
}

int ect_token_enrol_user(const struct ect_user_dirs *d, const char *uri,
			 enum ect_token_policy policy, const char *passphrase, size_t len,
			 const char *password, size_t password_len,
			 const struct ect_argon2_params *params, size_t *index)
{
	struct token_list t;
	uint8_t *rec = NULL;
	size_t size = 0;
	int ret;

	ret = list_read(d, &t);
	if (ret)
		return ret;
	if (t.count >= ECT_TOKEN_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	ret = ect_token_wrap(uri, policy, passphrase, len, password, password_len, params, &rec,
			     &size);
	if (!ret)
		ret = list_write(d, &t, (size_t)-1, rec, size);
	if (!ret && index)
		*index = t.count;
out:
	free(rec);
	list_free(&t);
	return ret;
}

static int has_password_file(const struct ect_user_dirs *d)
{
	char name[ECT_ALIAS_FILE_SIZE];
	struct stat st;

	return !key_file(d, ECT_WRAPPED_PASSPHRASE_FILE, name) &&
	       fstatat(d->config_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size > 0;
}

int ect_token_remove_user(const struct ect_user_dirs *d, size_t index)
{
	char name[ECT_ALIAS_FILE_SIZE];
	struct token_list t;
	int ret;

	ret = list_read(d, &t);
	if (!ret)
		ret = key_file(d, ECT_WRAPPED_PASSPHRASE_FILE, name);
	if (ret) {
		list_free(&t);
		return ret;
	}
	if (index == ECT_TOKEN_PASSWORD) {
		if (!has_password_file(d))
			ret = -ENOENT;
		else if (!t.count)
			ret = ECT_E_LAST_PROTECTOR;
		else if (unlinkat(d->config_fd, name, 0))
			ret = -errno;
		else if (fsync(d->config_fd))
			ret = -errno;
	} else if (index >= t.count) {
		ret = -ENOENT;
	} else if (t.count == 1 && !has_password_file(d)) {
		ret = ECT_E_LAST_PROTECTOR;
	} else {
		ret = list_write(d, &t, index, NULL, 0);
	}
	list_free(&t);
	return ret;
}

int ect_token_unwrap_user(const struct ect_user_dirs *d, size_t index, ect_token_pin_fn pin_fn,
			  void *pin_arg, const char *password, size_t password_len,
			  const struct ect_argon2_params *ceiling, char **passphrase,
			  size_t *passphrase_len)
{
	struct token_list t;
	int ret;

	ret = list_read(d, &t);
	if (ret)
		return ret;
	if (index >= t.count)
		ret = -ENOENT;
	else
		ret = ect_token_unwrap(t.rec[index], t.size[index], pin_fn, pin_arg, password,
				       password_len, ceiling, passphrase, passphrase_len);
	list_free(&t);
	return ret;
}

/* Free the records ect_token_rewrap_user made (those that are not t's own). */
static void free_new_records(const struct token_list *t, const struct token_list *n)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->rec[i] != t->rec[i])
			free((void *)n->rec[i]);
}

int ect_token_rewrap_user(const struct ect_user_dirs *d, ect_token_pin_fn pin_fn, void *pin_arg,
			  const char *old_pw, size_t old_len, const char *new_pw, size_t new_len,
			  const struct ect_argon2_params *ceiling, size_t *rewrapped,
			  size_t *failed)
{
	struct token_list t, n = { 0 };
	struct ect_token_info info;
	int ret;

	if (!rewrapped || !failed)
		return -EINVAL;
	*rewrapped = 0;
	*failed = (size_t)-1;
	ret = list_read(d, &t);
	for (size_t i = 0; !ret && i < t.count; i++) {
		uint8_t *out;

		n.rec[i] = t.rec[i];
		n.size[i] = t.size[i];
		n.count = i + 1;
		ret = ect_token_parse(t.rec[i], t.size[i], &info);
		if (!ret && info.policy == ECT_TOKEN_AND_PASSWORD) {
			out = malloc(t.size[i]);
			ret = out ? ect__token_rewrap(t.rec[i], t.size[i], pin_fn, pin_arg, old_pw,
						      old_len, new_pw, new_len, ceiling, out)
				  : -ENOMEM;
			n.rec[i] = out ? out : t.rec[i];
			(*rewrapped)++;
		}
		if (ret)
			*failed = i;
	}
	/* all or nothing: one replace of the file, or the old file as it was */
	if (!ret && *rewrapped)
		ret = list_write(d, &n, (size_t)-1, NULL, 0);
	if (ret)
		*rewrapped = 0;
	free_new_records(&t, &n);
	list_free(&t);
	return ret;
}
