// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PKCS#11 URIs (RFC 7512) as token records store them, and the check on
 * the module they name: PAM loads that module as root, so a user's file
 * must not be able to name a library the user could write.
 */
#include "token-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Percent-decode [s, s+n) into out (max bytes); text values may hold no NUL. */
static int pct_decode(const char *s, size_t n, uint8_t *out, size_t max, size_t *len, int text)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			uint8_t byte;

			if (i + 2 >= n || ect__hex_decode(s + i + 1, &byte, 1))
				return ECT_E_TOKEN_URI;
			c = byte;
			i += 2;
		}
		if (o >= max || (text && (c == 0 || c < 0x20)))
			return ECT_E_TOKEN_URI;
		out[o++] = (uint8_t)c;
	}
	*len = o;
	return 0;
}

static int text_attr(const char *v, size_t n, char *out, size_t size)
{
	size_t len;
	int ret = pct_decode(v, n, (uint8_t *)out, size - 1, &len, 1);

	if (!ret)
		out[len] = '\0';
	return ret;
}

/* One "name=value" of the path (query 0) or the query (query 1). */
static int uri_attr(const char *a, size_t n, int query, struct ect_p11_uri *u)
{
	const char *eq = memchr(a, '=', n);
	size_t name_len, vn;
	const char *v;

	if (!eq)
		return ECT_E_TOKEN_URI;
	name_len = (size_t)(eq - a);
	v = eq + 1;
	vn = n - name_len - 1;
#define IS(s) (name_len == sizeof(s) - 1 && !memcmp(a, s, name_len))
	if (query) {
		/* Secrets never live in a file: pin-value and pin-source are refused. */
		if (IS("module-path"))
			return text_attr(v, vn, u->module_path, sizeof(u->module_path));
		return ECT_E_TOKEN_URI;
	}
	if (IS("token"))
		return text_attr(v, vn, u->token, sizeof(u->token));
	if (IS("manufacturer"))
		return text_attr(v, vn, u->manufacturer, sizeof(u->manufacturer));
	if (IS("serial"))
		return text_attr(v, vn, u->serial, sizeof(u->serial));
	if (IS("model"))
		return text_attr(v, vn, u->model, sizeof(u->model));
	if (IS("object"))
		return text_attr(v, vn, u->object, sizeof(u->object));
	if (IS("type"))
		return 0; /* the record says which key it uses */
	if (IS("id")) {
		u->has_id = 1;
		return pct_decode(v, vn, u->id, sizeof(u->id), &u->id_len, 0);
	}
#undef IS
	return ECT_E_TOKEN_URI;
}

static int uri_attrs(const char *s, const char *end, char sep, int query, struct ect_p11_uri *u)
{
	while (s < end) {
		const char *next = memchr(s, sep, (size_t)(end - s));
		size_t n = next ? (size_t)(next - s) : (size_t)(end - s);
		int ret = n ? uri_attr(s, n, query, u) : 0;

		if (ret)
			return ret;
		s += n + (next ? 1 : 0);
	}
	return 0;
}

int ect__p11_uri_parse(const char *uri, struct ect_p11_uri *u)
{
	const char *path, *query, *end;
	int ret;

	memset(u, 0, sizeof(*u));
	if (!uri || strncmp(uri, "pkcs11:", 7) || strlen(uri) > ECT_TOKEN_URI_MAX)
		return ECT_E_TOKEN_URI;
	/* RFC 7512: printable ASCII, no spaces (so listing a record prints no control bytes). */
	for (const char *c = uri; *c; c++)
		if (*c <= ' ' || *c > '~')
			return ECT_E_TOKEN_URI;
	path = uri + 7;
	end = path + strlen(path);
	query = strchr(path, '?');
	ret = uri_attrs(path, query ? query : end, ';', 0, u);
	if (!ret && query)
		ret = uri_attrs(query + 1, end, '&', 1, u);
	if (ret)
		return ret;
	if (u->module_path[0] != '/' || (!u->has_id && !u->object[0]) ||
	    (u->has_id && !u->id_len))
		return ECT_E_TOKEN_URI;
	return 0;
}

static int root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

int ect__p11_module_check(const char *path)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int ret = ECT_E_UNSAFE_PATH;

	if (!real)
		return errno == ENOENT ? -ENOENT : ECT_E_UNSAFE_PATH;
	/* realpath left no symlink, so each prefix is the directory itself. */
	if (lstat(real, &st) || !S_ISREG(st.st_mode) || !root_only(&st))
		goto out;
	for (char *slash = strrchr(real, '/'); slash; slash = strrchr(real, '/')) {
		*slash = '\0';
		if (lstat(real[0] ? real : "/", &st) || !S_ISDIR(st.st_mode) || !root_only(&st))
			goto out;
		if (!real[0])
			break;
	}
	ret = 0;
out:
	free(real);
	return ret;
}
