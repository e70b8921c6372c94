// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel block ciphers through AF_ALG (see crypto-afalg.h). One handle is a
 * bound transform socket holding the key and one operation socket; a call
 * sends the operation, the IV and the data in one sendmsg and reads the
 * result back. Like a libgcrypt handle, a handle is used by one thread at
 * a time (the codec gives each pool worker its own clone).
 */
#include "ect-internal.h"

#include "core/crypto-afalg.h"

#include <errno.h>
#include <linux/if_alg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/* Bytes per sendmsg: far below the socket's send buffer, so it never waits. */
#define AFALG_CHUNK (16 * 1024)
#define AFALG_MAX_BLOCK 16

struct ect__afalg {
	int tfm;		/* bound transform socket: holds the key */
	int op;			/* operation socket accepted from it */
	size_t block;
	size_t iv_len;		/* block for CBC, 0 for ECB */
	uint8_t iv[AFALG_MAX_BLOCK];
};

static int afalg_bind(const char *name, int *tfm_out)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int tfm;

	*tfm_out = -1;
	if (strlen(name) >= sizeof(sa.salg_name))
		return ECT_E_UNSUPPORTED;
	memcpy(sa.salg_type, "skcipher", sizeof("skcipher"));
	memcpy(sa.salg_name, name, strlen(name) + 1);
	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return errno == ENOMEM || errno == ENOBUFS ? -ENOMEM : ECT_E_UNSUPPORTED;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(tfm);
		return ECT_E_UNSUPPORTED;
	}
	*tfm_out = tfm;
	return 0;
}

int ect__afalg_probe(const char *name)
{
	int tfm, rc = afalg_bind(name, &tfm);

	if (!rc)
		close(tfm);
	return rc;
}

int ect__afalg_open(struct ect__afalg **out, const char *name, size_t block, const void *key,
		    size_t key_len)
{
	struct ect__afalg *a;
	int rc;

	*out = NULL;
	if (!block || block > AFALG_MAX_BLOCK)
		return ECT_E_UNSUPPORTED;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->op = -1;
	a->tfm = -1;
	a->block = block;
	a->iv_len = strncmp(name, "cbc(", 4) ? 0 : block;
	rc = afalg_bind(name, &a->tfm);
	if (rc)
		goto out;
	if (setsockopt(a->tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)key_len) < 0) {
		rc = ECT_E_CRYPTO; /* a key size this cipher does not take */
		goto out;
	}
	a->op = accept4(a->tfm, NULL, NULL, SOCK_CLOEXEC);
	if (a->op < 0) {
		rc = errno == ENOMEM ? -ENOMEM : ECT_E_CRYPTO;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	ect__afalg_close(a);
	return rc;
}

int ect__afalg_setiv(struct ect__afalg *a, const void *iv, size_t len)
{
	if (len != a->iv_len)
		return ECT_E_CRYPTO;
	memcpy(a->iv, iv, len);
	return 0;
}

/* One sendmsg of the operation, the IV (CBC) and len bytes of in. */
static int afalg_send(struct ect__afalg *a, int encrypt, const void *in, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t)) +
			 CMSG_SPACE(sizeof(struct af_alg_iv) + AFALG_MAX_BLOCK)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf };
	struct cmsghdr *c;
	uint32_t op = encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	struct af_alg_iv ivh = { .ivlen = (uint32_t)a->iv_len };
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	msg.msg_controllen = CMSG_SPACE(sizeof(op));
	if (a->iv_len)
		msg.msg_controllen += CMSG_SPACE(sizeof(ivh) + a->iv_len);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(op));
	memcpy(CMSG_DATA(c), &op, sizeof(op));
	if (a->iv_len) {
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_IV;
		c->cmsg_len = CMSG_LEN(sizeof(ivh) + a->iv_len);
		memcpy(CMSG_DATA(c), &ivh, sizeof(ivh));
		memcpy(CMSG_DATA(c) + sizeof(ivh), a->iv, a->iv_len);
	}
	do
		n = sendmsg(a->op, &msg, 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : ECT_E_CRYPTO;
}

static int afalg_recv(struct ect__afalg *a, uint8_t *out, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(a->op, out + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ECT_E_CRYPTO;
		done += (size_t)n;
	}
	return 0;
}

int ect__afalg_crypt(struct ect__afalg *a, int encrypt, void *out, const void *in, size_t len)
{
	const uint8_t *src = in;
	uint8_t *dst = out, next_iv[AFALG_MAX_BLOCK];
	int rc;

	if (len % a->block)
		return ECT_E_CRYPTO;
	while (len) {
		size_t n = len < AFALG_CHUNK ? len : AFALG_CHUNK;

		/* CBC chains on the last ciphertext block; read it before an in-place decrypt. */
		if (a->iv_len && !encrypt)
			memcpy(next_iv, src + n - a->block, a->block);
		rc = afalg_send(a, encrypt, src, n);
		if (!rc)
			rc = afalg_recv(a, dst, n);
		if (rc)
			return rc;
		if (a->iv_len)
			memcpy(a->iv, encrypt ? dst + n - a->block : next_iv, a->block);
		src += n;
		dst += n;
		len -= n;
	}
	return 0;
}

void ect__afalg_close(struct ect__afalg *a)
{
	if (!a)
		return;
	if (a->op >= 0)
		close(a->op);
	if (a->tfm >= 0)
		close(a->tfm); /* the kernel frees the key with kfree_sensitive */
	ect_wipe(a->iv, sizeof(a->iv));
	free(a);
}
