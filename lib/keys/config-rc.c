// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ~/.ecryptfsrc, for the one setting these tools take from it: salt=.
 *
 * What ecryptfs-utils 111 does, measured with its own ecryptfs-add-passphrase
 * (tests/fixtures/keyring): only a line starting exactly "salt=" counts, the
 * first one wins, hex of either case, no final newline needed;
 * passphrase_salt= is ignored. It silently falls back to the default salt
 * for a wrong length or blanks around '=', and uses a zero salt for
 * non-hex digits. Here those are errors (ECT_E_CONFIG with the line), since
 * a silently different salt means keys that open nothing.
 */
#include "config-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ECT_RC_NAME ".ecryptfsrc"
#define ECT_RC_MAX (16 * 1024)

/* Exactly 16 hex digits of either case (ecryptfs-utils accepts upper case). */
static int parse_salt(const char *v, size_t len, uint8_t salt[ECT_SALT_SIZE])
{
	if (len != 2 * ECT_SALT_SIZE)
		return -EINVAL;
	return ect__hex_decode(v, salt, ECT_SALT_SIZE);
}

/* A line that names "salt" but that ecryptfs-utils would not read as one. */
static bool looks_like_salt(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 4 || strncmp(line + i, "salt", 4))
		return false;
	for (i += 4; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	return i < len && line[i] == '=';
}

static int parse_rc(const char *data, size_t size, uint8_t salt[ECT_SALT_SIZE],
		    struct ect_config_error *err)
{
	const char *line = data, *end = data + size;
	unsigned int lineno = 0;
	bool found = false;

	for (; line < end; lineno++) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		uint8_t value[ECT_SALT_SIZE];

		if (len >= 5 && !strncmp(line, "salt=", 5)) {
			if (parse_salt(line + 5, len - 5, value))
				return ect__config_fail(err, ECT_E_CONFIG, ECT_RC_NAME, lineno + 1,
							"salt= must be exactly 16 hex digits");
			if (!found)
				memcpy(salt, value, ECT_SALT_SIZE); /* the first one wins */
			found = true;
		} else if (looks_like_salt(line, len)) {
			return ect__config_fail(err, ECT_E_CONFIG, ECT_RC_NAME, lineno + 1,
						"write salt=<16 hex digits> at the start of the line, without blanks (ecryptfs-utils ignores this line)");
		}
		line += len + (nl ? 1 : 0);
	}
	return 0;
}

int ect_rc_read_salt_at(int home_fd, uid_t uid, uint8_t salt[ECT_SALT_SIZE],
			struct ect_config_error *err)
{
	char *data = NULL;
	size_t size;
	int ret;

	memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	/* Any mode: the salt is not a secret, and ecryptfs-utils never checked it. */
	ret = ect__config_read_at(home_fd, ECT_RC_NAME, uid, ECT_CONFIG_ANY_MODE, ECT_RC_MAX, &data,
				  &size, err);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = parse_rc(data, size, salt, err);
	if (ret)
		memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	free(data);
	return ret;
}

int ect_rc_read_salt(const char *home, uint8_t salt[ECT_SALT_SIZE])
{
	int fd, ret;

	memcpy(salt, ect_default_salt, ECT_SALT_SIZE);
	if (!home)
		return -EINVAL;
	fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ect_rc_read_salt_at(fd, (uid_t)-1, salt, NULL);
	close(fd);
	return ret;
}
