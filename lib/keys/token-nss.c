// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The token side of token records, through NSS: load the PKCS#11 module
 * the URI names into a private NSS context, find the token and the key,
 * and run RSA-OAEP (an RSA key) or ECDH (an EC key: the ephemeral half in
 * NSS's internal slot at enrolment, the token's half with C_DeriveKey at
 * unlock) on it. The PIN goes straight to
 * C_Login through PK11_CheckUserPassword, so no process-wide NSS password
 * callback is installed; each call opens and closes its own context.
 */
#include "token-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nss.h>
#include <pk11pub.h>
#include <secerr.h>
#include <keyhi.h>
#include <secmod.h>
#include <pkcs11.h>

struct nss_token {
	NSSInitContext *ctx;
	SECMODModule *mod;
	PK11SlotInfo *slot;
};

static void nss_close(struct nss_token *t)
{
	if (t->slot) {
		(void)PK11_Logout(t->slot);
		PK11_FreeSlot(t->slot);
	}
	if (t->mod) {
		(void)SECMOD_UnloadUserModule(t->mod);
		SECMOD_DestroyModule(t->mod);
	}
	if (t->ctx)
		(void)NSS_ShutdownContext(t->ctx);
	memset(t, 0, sizeof(*t));
}

/* CK_TOKEN_INFO text fields are blank padded, not NUL-terminated. */
static int padded_eq(const unsigned char *field, size_t size, const char *want)
{
	size_t n = size;

	while (n && field[n - 1] == ' ')
		n--;
	return strlen(want) == n && !memcmp(field, want, n);
}

static int slot_matches(PK11SlotInfo *slot, const struct ect_p11_uri *u)
{
	CK_TOKEN_INFO ti;

	if (!PK11_IsPresent(slot) || PK11_GetTokenInfo(slot, &ti) != SECSuccess)
		return 0;
	if (!(ti.flags & CKF_TOKEN_INITIALIZED))
		return 0;
	return (!u->token[0] || padded_eq(ti.label, sizeof(ti.label), u->token)) &&
	       (!u->manufacturer[0] ||
		padded_eq(ti.manufacturerID, sizeof(ti.manufacturerID), u->manufacturer)) &&
	       (!u->serial[0] || padded_eq(ti.serialNumber, sizeof(ti.serialNumber), u->serial)) &&
	       (!u->model[0] || padded_eq(ti.model, sizeof(ti.model), u->model));
}

static int nss_open(const struct ect_p11_uri *u, struct nss_token *t)
{
	const PRUint32 flags = NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB |
			       NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT | NSS_INIT_OPTIMIZESPACE;
	char spec[sizeof(u->module_path) + 64];
	int ret;

	memset(t, 0, sizeof(*t));
	if (strpbrk(u->module_path, "\"\\"))
		return ECT_E_TOKEN_URI; /* would break out of the module spec */
	ret = ect__p11_module_check(u->module_path);
	if (ret)
		return ret;
	t->ctx = NSS_InitContext("", "", "", "", NULL, flags);
	if (!t->ctx)
		return ECT_E_CRYPTO;
	snprintf(spec, sizeof(spec), "library=\"%s\" name=\"ecryptfs-tools token\"",
		 u->module_path);
	t->mod = SECMOD_LoadUserModule(spec, NULL, PR_FALSE);
	if (!t->mod || !t->mod->loaded) {
		ret = ECT_E_UNSUPPORTED; /* not a PKCS#11 module */
		goto fail;
	}
	for (int i = 0; i < t->mod->slotCount; i++) {
		if (slot_matches(t->mod->slots[i], u)) {
			t->slot = PK11_ReferenceSlot(t->mod->slots[i]);
			return 0;
		}
	}
	ret = ECT_E_TOKEN_MISSING;
fail:
	nss_close(t);
	return ret;
}

static int pub_id_matches(SECKEYPublicKey *key, const struct ect_p11_uri *u, SECItem *id)
{
	char *label;
	int ok = 1;

	if (PK11_ReadRawAttribute(PK11_TypePubKey, key, CKA_ID, id) != SECSuccess)
		return 0;
	if (u->has_id)
		ok = id->len == u->id_len && !memcmp(id->data, u->id, u->id_len);
	if (ok && u->object[0]) {
		label = PK11_GetPublicKeyNickname(key);
		ok = label && !strcmp(label, u->object);
		PORT_Free(label);
	}
	if (!ok)
		SECITEM_FreeItem(id, PR_FALSE);
	return ok;
}

/* DER ECParameters (namedCurve OIDs) of the curves ECDH records support. */
static const uint8_t der_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t der_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

static const SECItem *curve_params(uint8_t curve, SECItem *item)
{
	item->type = siBuffer;
	item->data = (unsigned char *)(curve == TOKEN_CURVE_P256 ? der_p256 : der_p384);
	item->len = curve == TOKEN_CURVE_P256 ? sizeof(der_p256) : sizeof(der_p384);
	return item;
}

/* The curve byte of DER ECParameters, 0 for a curve records do not support. */
static uint8_t curve_of(const SECItem *der)
{
	if (der->len == sizeof(der_p256) && !memcmp(der->data, der_p256, sizeof(der_p256)))
		return TOKEN_CURVE_P256;
	if (der->len == sizeof(der_p384) && !memcmp(der->data, der_p384, sizeof(der_p384)))
		return TOKEN_CURVE_P384;
	return 0;
}

/* RSA, or EC on a supported curve with an uncompressed point: the mechanism, else 0. */
static enum ect_token_mech mech_of(const SECKEYPublicKey *key)
{
	uint8_t curve;

	if (key->keyType == rsaKey)
		return ECT_TOKEN_RSA_OAEP_SHA1;
	if (key->keyType != ecKey)
		return 0;
	curve = curve_of(&key->u.ec.DEREncodedParams);
	if (!curve || key->u.ec.publicValue.len != 1 + 2 * ect__token_curve_bytes(curve) ||
	    key->u.ec.publicValue.data[0] != 0x04)
		return 0;
	return ECT_TOKEN_ECDH_HKDF_SHA256;
}

/* The public key u names; ECT_E_TOKEN_KEY when none, or of no supported type. */
static int find_public(struct nss_token *t, const struct ect_p11_uri *u, SECKEYPublicKey **out,
		       uint8_t *id, size_t *id_len)
{
	SECKEYPublicKeyList *list = PK11_ListPublicKeysInSlot(t->slot, NULL);
	SECItem item = { siBuffer, NULL, 0 };
	int ret = ECT_E_TOKEN_KEY;

	if (!list)
		return ret;
	for (SECKEYPublicKeyListNode *n = PUBKEY_LIST_HEAD(list); !PUBKEY_LIST_END(n, list);
	     n = PUBKEY_LIST_NEXT(n)) {
		if (!pub_id_matches(n->key, u, &item))
			continue;
		if (mech_of(n->key) && item.len && item.len <= TOKEN_ID_MAX) {
			memcpy(id, item.data, item.len);
			*id_len = item.len;
			*out = SECKEY_CopyPublicKey(n->key);
			ret = *out ? 0 : -ENOMEM;
		}
		SECITEM_FreeItem(&item, PR_FALSE);
		break;
	}
	SECKEY_DestroyPublicKeyList(list);
	return ret;
}

/*
 * The software half of ECDH, in NSS's internal slot: the shared
 * x-coordinate (CKD_NULL), z_len bytes, read back from the derived secret.
 */
static int ecdh_z(SECKEYPrivateKey *priv, SECKEYPublicKey *peer, size_t z_len, uint8_t *z)
{
	PK11SymKey *sym;
	SECItem *value;
	int ret = ECT_E_TOKEN_KEY;

	sym = PK11_PubDeriveWithKDF(priv, peer, PR_FALSE, NULL, NULL, CKM_ECDH1_DERIVE,
				    CKM_GENERIC_SECRET_KEY_GEN, CKA_DERIVE, (int)z_len, CKD_NULL,
				    NULL, NULL);
	if (!sym)
		return ret;
	if (PK11_ExtractKeyValue(sym) == SECSuccess && (value = PK11_GetKeyData(sym)) &&
	    value->len == z_len) {
		memcpy(z, value->data, z_len);
		ret = 0;
	}
	PK11_FreeSymKey(sym);
	return ret;
}

/* ECDH enrolment: an ephemeral key pair in the internal slot, S from its ECDH with pub. */
static int ec_encrypt(SECKEYPublicKey *pub, uint8_t *secret, uint8_t *wrapped,
		      size_t *wrapped_len)
{
	uint8_t curve = curve_of(&pub->u.ec.DEREncodedParams);
	size_t z_len = ect__token_curve_bytes(curve);
	PK11SlotInfo *slot = PK11_GetInternalSlot();
	SECKEYPrivateKey *eph = NULL;
	SECKEYPublicKey *eph_pub = NULL;
	SECItem params;
	uint8_t *z = ect_secure_alloc(TOKEN_EC_FIELD_MAX);
	int ret = ECT_E_CRYPTO;

	if (!z) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	if (!slot)
		goto out;
	eph = PK11_GenerateKeyPair(slot, CKM_EC_KEY_PAIR_GEN, (void *)curve_params(curve, &params),
				   &eph_pub, PR_FALSE, PR_FALSE, NULL);
	if (!eph || !eph_pub || eph_pub->u.ec.publicValue.len != 1 + 2 * z_len)
		goto out;
	ret = ecdh_z(eph, pub, z_len, z);
	if (ret)
		goto out;
	wrapped[0] = curve;
	memcpy(wrapped + 1, eph_pub->u.ec.publicValue.data, 1 + 2 * z_len);
	*wrapped_len = 2 + 2 * z_len;
	ret = ect__token_ecdh_secret(wrapped, *wrapped_len, z, z_len, secret);
out:
	ect_secure_free(z);
	if (eph_pub)
		SECKEY_DestroyPublicKey(eph_pub);
	if (eph)
		SECKEY_DestroyPrivateKey(eph);
	if (slot)
		PK11_FreeSlot(slot);
	return ret;
}

/*
 * OAEP with SHA-1 and MGF1-SHA-1: what SoftHSM2 2.6 and most smart cards
 * decrypt. OAEP needs no collision resistance from its hash, so SHA-1's
 * collisions do not weaken it.
 */
static void oaep_params(CK_RSA_PKCS_OAEP_PARAMS *oaep, SECItem *param)
{
	memset(oaep, 0, sizeof(*oaep));
	oaep->hashAlg = CKM_SHA_1;
	oaep->mgf = CKG_MGF1_SHA1;
	oaep->source = CKZ_DATA_SPECIFIED;
	param->type = siBuffer;
	param->data = (unsigned char *)oaep;
	param->len = sizeof(*oaep);
}

static int rsa_encrypt(SECKEYPublicKey *pub, uint8_t *secret, uint8_t *wrapped,
		       size_t *wrapped_len)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	SECItem param;
	unsigned int len = 0;
	int ret;

	if ((ret = ect__random(secret, TOKEN_SECRET_SIZE, ECT__RANDOM_STRONG)))
		return ret;
	oaep_params(&oaep, &param);
	if (PK11_PubEncrypt(pub, CKM_RSA_PKCS_OAEP, &param, wrapped, &len, TOKEN_WRAPPED_MAX,
			    secret, TOKEN_SECRET_SIZE, NULL) != SECSuccess || !len)
		return ECT_E_TOKEN_KEY;
	*wrapped_len = len;
	return 0;
}

int ect__token_encrypt(const struct ect_p11_uri *u, uint8_t *secret, enum ect_token_mech *mech,
		       uint8_t *wrapped, size_t *wrapped_len, uint8_t *id, size_t *id_len)
{
	struct nss_token t;
	SECKEYPublicKey *pub = NULL;
	int ret;

	ret = nss_open(u, &t);
	if (ret)
		return ret;
	ret = find_public(&t, u, &pub, id, id_len);
	if (ret)
		goto out;
	*mech = mech_of(pub);
	if (*mech == ECT_TOKEN_RSA_OAEP_SHA1)
		ret = rsa_encrypt(pub, secret, wrapped, wrapped_len);
	else
		ret = ec_encrypt(pub, secret, wrapped, wrapped_len);
out:
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	nss_close(&t);
	return ret;
}

/* One login with the caller's PIN; the token's retry counter decides the rest. */
static int login(PK11SlotInfo *slot, ect_token_pin_fn pin_fn, void *pin_arg)
{
	CK_TOKEN_INFO ti;
	unsigned int flags = 0;
	char label[33];
	char *pin = NULL;
	size_t pin_len = 0;
	int ret;

	if (!PK11_NeedLogin(slot) || PK11_IsLoggedIn(slot, NULL))
		return 0;
	if (PK11_GetTokenInfo(slot, &ti) != SECSuccess)
		return ECT_E_TOKEN_MISSING;
	if (ti.flags & CKF_USER_PIN_LOCKED)
		return ECT_E_PIN_LOCKED;
	if (ti.flags & CKF_USER_PIN_COUNT_LOW)
		flags |= ECT_PIN_COUNT_LOW;
	if (ti.flags & CKF_USER_PIN_FINAL_TRY)
		flags |= ECT_PIN_FINAL_TRY;
	snprintf(label, sizeof(label), "%s", PK11_GetTokenName(slot));
	if (!pin_fn)
		return ECT_E_WRONG_PIN;
	ret = pin_fn(pin_arg, label, flags, &pin, &pin_len);
	if (ret)
		return ret < 0 ? ret : -ECANCELED;
	if (!pin || strlen(pin) != pin_len) {
		ret = ECT_E_WRONG_PIN; /* a NUL inside a PIN cannot reach C_Login */
	} else if (PK11_CheckUserPassword(slot, pin) != SECSuccess) {
		ret = PORT_GetError() == SEC_ERROR_BAD_PASSWORD ? ECT_E_WRONG_PIN : ECT_E_CRYPTO;
		if (PK11_GetTokenInfo(slot, &ti) == SECSuccess && (ti.flags & CKF_USER_PIN_LOCKED))
			ret = ECT_E_PIN_LOCKED;
	}
	ect_secure_free(pin);
	return ret;
}

static int rsa_decrypt(SECKEYPrivateKey *priv, const uint8_t *wrapped, size_t wrapped_len,
		       uint8_t *secret)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	SECItem param;
	uint8_t *plain;
	unsigned int len = 0;
	int ret = 0;

	if (SECKEY_GetPrivateKeyType(priv) != rsaKey)
		return ECT_E_TOKEN_KEY;
	plain = ect_secure_alloc(TOKEN_WRAPPED_MAX);
	if (!plain)
		return ECT_E_SECMEM;
	oaep_params(&oaep, &param);
	if (PK11_PrivDecrypt(priv, CKM_RSA_PKCS_OAEP, &param, plain, &len, TOKEN_WRAPPED_MAX,
			     wrapped, (unsigned int)wrapped_len) != SECSuccess ||
	    len != TOKEN_SECRET_SIZE)
		ret = ECT_E_TOKEN_KEY; /* another key under the same id, or an altered record */
	else
		memcpy(secret, plain, TOKEN_SECRET_SIZE);
	ect_secure_free(plain);
	return ret;
}

/*
 * The token's half of ECDH (CKM_ECDH1_DERIVE, CKD_NULL: what SoftHSM2 and
 * smart cards offer), through the module's own function list:
 * PK11_PubDeriveWithKDF leaves CKA_SENSITIVE to the token, and SoftHSM2's
 * default makes the shared secret unreadable. So the template asks for a
 * session object, not sensitive, destroyed at once. The login holds: it
 * is the application's, not the session's.
 */
static int token_ecdh_z(const struct nss_token *t, SECKEYPrivateKey *priv, const uint8_t *point,
			size_t point_len, size_t z_len, uint8_t *z)
{
	CK_FUNCTION_LIST_PTR f = t->mod->functionList;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE type = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ULONG len = z_len;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },	{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, &no, sizeof(no) },		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) }, { CKA_VALUE_LEN, &len, sizeof(len) },
	};
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, point_len, (CK_BYTE_PTR)point };
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &params, sizeof(params) };
	CK_ATTRIBUTE value = { CKA_VALUE, z, z_len };
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_SESSION_HANDLE s;
	int ret = ECT_E_TOKEN_KEY;

	if (!f || f->C_OpenSession(PK11_GetSlotID(t->slot), CKF_SERIAL_SESSION, NULL, NULL, &s) !=
			  CKR_OK)
		return ECT_E_CRYPTO;
	if (f->C_DeriveKey(s, &mech, priv->pkcs11ID, tmpl, ECT_ARRAY_SIZE(tmpl), &key) == CKR_OK &&
	    f->C_GetAttributeValue(s, key, &value, 1) == CKR_OK && value.ulValueLen == z_len)
		ret = 0;
	if (key != CK_INVALID_HANDLE)
		(void)f->C_DestroyObject(s, key);
	(void)f->C_CloseSession(s);
	return ret;
}

/*
 * The token's half of ECDH: its private key (of the record's curve) with
 * the ephemeral point the record keeps (the parser checked its length).
 */
static int ec_decrypt(const struct nss_token *t, SECKEYPrivateKey *priv, const uint8_t *wrapped,
		      size_t wrapped_len, uint8_t *secret)
{
	size_t z_len = ect__token_curve_bytes(wrapped[0]);
	SECItem der = { siBuffer, NULL, 0 };
	uint8_t *z = NULL;
	int ret = ECT_E_TOKEN_KEY;

	if (SECKEY_GetPrivateKeyType(priv) != ecKey || !z_len)
		return ret;
	if (PK11_ReadRawAttribute(PK11_TypePrivKey, priv, CKA_EC_PARAMS, &der) != SECSuccess)
		return ret;
	if (curve_of(&der) != wrapped[0])
		goto out; /* the id now names a key on another curve */
	z = ect_secure_alloc(TOKEN_EC_FIELD_MAX);
	if (!z) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	ret = token_ecdh_z(t, priv, wrapped + 1, wrapped_len - 1, z_len, z);
	if (!ret)
		ret = ect__token_ecdh_secret(wrapped, wrapped_len, z, z_len, secret);
out:
	ect_secure_free(z);
	SECITEM_FreeItem(&der, PR_FALSE);
	return ret;
}

int ect__token_decrypt(const struct ect_p11_uri *u, enum ect_token_mech mech, const uint8_t *id,
		       size_t id_len, const uint8_t *wrapped, size_t wrapped_len,
		       ect_token_pin_fn pin_fn, void *pin_arg, uint8_t *secret)
{
	struct nss_token t;
	SECKEYPrivateKey *priv = NULL;
	SECItem key_id = { siBuffer, (unsigned char *)id, (unsigned int)id_len };
	int ret;

	ret = nss_open(u, &t);
	if (ret)
		return ret;
	ret = login(t.slot, pin_fn, pin_arg);
	if (ret)
		goto out;
	priv = PK11_FindKeyByKeyID(t.slot, &key_id, NULL);
	if (!priv)
		ret = ECT_E_TOKEN_KEY;
	else if (mech == ECT_TOKEN_RSA_OAEP_SHA1)
		ret = rsa_decrypt(priv, wrapped, wrapped_len, secret);
	else
		ret = ec_decrypt(&t, priv, wrapped, wrapped_len, secret);
out:
	if (priv)
		SECKEY_DestroyPrivateKey(priv);
	nss_close(&t);
	return ret;
}
