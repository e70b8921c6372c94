/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by test-pam-token and test-pam-token-pin: alice's SoftHSM2 token
 * (user PIN 1234, an RSA key with id 01, an EC P-256 key with id 02) in the
 * test directory, records enrolled through the library, a login with
 * scripted PINs and what it left behind. Include after pam-test-util.h.
 */
#ifndef PAM_TOKEN_UTIL_H
#define PAM_TOKEN_UTIL_H

#define HSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define TOKEN_LABEL "ect-pam"
#define TOKEN_URI "pkcs11:token=" TOKEN_LABEL ";id=%01?module-path=" HSM_MODULE
#define TOKEN_URI_EC "pkcs11:token=" TOKEN_LABEL ";id=%02?module-path=" HSM_MODULE

extern const char *pin_ok[];
extern const char *pin_wrong_then_right[];

/* The token: its SoftHSM2 directory, owned by the test user. */
void make_token(void);
/* Pull the token out (SoftHSM2 then finds no token), and plug it in again. */
void pull_token(void);
void plug_token(void);
/* alice's ~/.ecryptfs as struct ect_user_dirs; returns its fd. */
int open_dirs(const char *user, struct ect_user_dirs *d);
/* A record to the key uri names (enrol: the RSA key); password for token AND password. */
void enrol_uri(const char *user, const char *uri, enum ect_token_policy policy,
	       const char *password);
void enrol(const char *user, enum ect_token_policy policy, const char *password);
/* Remove record index, or wrapped-passphrase (ECT_TOKEN_PASSWORD). */
void remove_protector(const char *user, size_t index);
/* A token-alone record; without_password: and no wrapped-passphrase. */
void token_record(bool without_password);
/* cmocka fixtures: a fresh home for alice, no keys. */
int setup(void **state);
int teardown(void **state);
/* auth then open_session of alice in service, with PINs to give and the open's result. */
void login(const char *service, struct conv_out *out, const char **pins, int open_rv);
void mounted_with_keys(void);
/* Forget the last login: its keys and the helper's record. */
void log_out(void);
void stayed_locked(void);
/* The bytes of alice's wrapped-passphrase.token. */
void token_file(char *buf, size_t size, size_t *len);
/* Whether the conversation showed what (info or error). */
bool told(const struct conv_out *out, const char *what);

#endif /* PAM_TOKEN_UTIL_H */
