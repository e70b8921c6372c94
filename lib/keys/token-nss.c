// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The token side of token records, through NSS: load the PKCS#11 module
 * the URI names into a private NSS context, find the token and the RSA
 * key, and run RSA-OAEP on it. The PIN goes straight to
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

/* The public key u names; ECT_E_TOKEN_KEY when none, or it is not RSA. */
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
		if (n->key->keyType == rsaKey && item.len && item.len <= TOKEN_ID_MAX) {
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

int ect__token_encrypt(const struct ect_p11_uri *u, const uint8_t *secret, uint8_t *wrapped,
		       size_t *wrapped_len, uint8_t *id, size_t *id_len)
{
	struct nss_token t;
	SECKEYPublicKey *pub = NULL;
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	SECItem param;
	unsigned int len = 0;
	int ret;

	ret = nss_open(u, &t);
	if (ret)
		return ret;
	ret = find_public(&t, u, &pub, id, id_len);
	if (ret)
		goto out;
	oaep_params(&oaep, &param);
	if (PK11_PubEncrypt(pub, CKM_RSA_PKCS_OAEP, &param, wrapped, &len, TOKEN_WRAPPED_MAX,
			    secret, TOKEN_SECRET_SIZE, NULL) != SECSuccess || !len) {
		ret = ECT_E_TOKEN_KEY;
		goto out;
	}
	*wrapped_len = len;
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

int ect__token_decrypt(const struct ect_p11_uri *u, const uint8_t *id, size_t id_len,
		       const uint8_t *wrapped, size_t wrapped_len, ect_token_pin_fn pin_fn,
		       void *pin_arg, uint8_t *secret)
{
	struct nss_token t;
	SECKEYPrivateKey *priv = NULL;
	SECItem key_id = { siBuffer, (unsigned char *)id, (unsigned int)id_len };
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	SECItem param;
	uint8_t *plain = NULL;
	unsigned int len = 0;
	int ret;

	ret = nss_open(u, &t);
	if (ret)
		return ret;
	ret = login(t.slot, pin_fn, pin_arg);
	if (ret)
		goto out;
	priv = PK11_FindKeyByKeyID(t.slot, &key_id, NULL);
	if (!priv || SECKEY_GetPrivateKeyType(priv) != rsaKey) {
		ret = ECT_E_TOKEN_KEY;
		goto out;
	}
	plain = ect_secure_alloc(TOKEN_WRAPPED_MAX);
	if (!plain) {
		ret = ECT_E_SECMEM;
		goto out;
	}
	oaep_params(&oaep, &param);
	if (PK11_PrivDecrypt(priv, CKM_RSA_PKCS_OAEP, &param, plain, &len, TOKEN_WRAPPED_MAX,
			     wrapped, (unsigned int)wrapped_len) != SECSuccess ||
	    len != TOKEN_SECRET_SIZE) {
		/* Another key under the same id, or an altered record. */
		ret = ECT_E_TOKEN_KEY;
		goto out;
	}
	memcpy(secret, plain, TOKEN_SECRET_SIZE);
out:
	ect_secure_free(plain);
	if (priv)
		SECKEY_DestroyPrivateKey(priv);
	nss_close(&t);
	return ret;
}
