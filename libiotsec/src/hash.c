// SPDX-License-Identifier: GPL-2.0
/*
 * The run-time choice between the kernel (AF_ALG) and the userspace
 * (libcrypto) backend for digests, HMAC and the handshake's AEAD (see
 * hash.h).  AUTO is libcrypto: the traffic secrets reach the process in
 * any case (kTLS takes them through setsockopt), so running the
 * symmetric part there keeps every private key where it was and saves
 * the hundred-odd AF_ALG syscalls and libkcapi's netlink queries of a
 * handshake.  KERNEL keeps AF_ALG for who wants it; a refused bind then
 * fails with its errno.
 */
#include <errno.h>

#include "hash.h"
#include "iotsec.h"

unsigned int hash_pick(const struct hash_ctx *c, enum hash_kind k)
{
	(void)k;
	if (!c || c->want == IOTSEC_CRYPTO_AUTO)
		return IOTSEC_CRYPTO_USER;
	return c->want;
}

void hash_ran(struct hash_ctx *c, unsigned int be)
{
	if (c)
		c->used |= be;
}

void hash_ctx_free(struct hash_ctx *c)
{
	hash_kcapi_ctx_free(c);
}

int hash_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		size_t len, uint8_t *out)
{
	int ret;

	if ((unsigned int)h >= HASH_ALGS)
		return -EINVAL;
	if (hash_pick(c, HASH_KIND_MD) == IOTSEC_CRYPTO_KERNEL) {
		ret = hash_kcapi_digest(c, h, data, len, out);
		if (!ret)
			hash_ran(c, IOTSEC_CRYPTO_KERNEL);
		return ret;
	}
	ret = hash_ossl_digest(h, data, len, out);
	if (!ret)
		hash_ran(c, IOTSEC_CRYPTO_USER);
	return ret;
}

int hash_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
	      size_t klen, const void *data, size_t len, uint8_t *out)
{
	int ret;

	if ((unsigned int)h >= HASH_ALGS)
		return -EINVAL;
	if (hash_pick(c, HASH_KIND_HMAC) == IOTSEC_CRYPTO_KERNEL) {
		ret = hash_kcapi_hmac(c, h, key, klen, data, len, out);
		if (!ret)
			hash_ran(c, IOTSEC_CRYPTO_KERNEL);
		return ret;
	}
	ret = hash_ossl_hmac(h, key, klen, data, len, out);
	if (!ret)
		hash_ran(c, IOTSEC_CRYPTO_USER);
	return ret;
}
