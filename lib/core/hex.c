// SPDX-License-Identifier: GPL-2.0-or-later
/* Hex encoding for signatures and salts, shared by every module. */
#include "ect-internal.h"

#include <errno.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ect__hex_decode(const char *hex, uint8_t *out, size_t n)
{
	/* validate first so out is untouched on failure */
	for (size_t i = 0; i < 2 * n; i++)
		if (hex_value(hex[i]) < 0)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
	return 0;
}

void ect__hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
