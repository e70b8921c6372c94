// SPDX-License-Identifier: GPL-2.0-or-later
/* The token side when configure found no NSS: records parse, tokens do not open. */
#include "token-internal.h"

int ect__token_encrypt(const struct ect_p11_uri *u, uint8_t *secret, enum ect_token_mech *mech,
		       uint8_t *wrapped, size_t *wrapped_len, uint8_t *id, size_t *id_len)
{
	return ECT_E_UNSUPPORTED;
}

int ect__token_decrypt(const struct ect_p11_uri *u, enum ect_token_mech mech, const uint8_t *id,
		       size_t id_len, const uint8_t *wrapped, size_t wrapped_len,
		       ect_token_pin_fn pin_fn, void *pin_arg, uint8_t *secret)
{
	return ECT_E_UNSUPPORTED;
}
