// SPDX-License-Identifier: GPL-2.0
/*
 * The run-time choice between the kernel (AF_ALG) and the userspace
 * (libcrypto) backend for digests, HMAC and the handshake's AEAD (see
 * hash.h).
 *
 * A refused bind: AF_ALG compiled out or disabled (socket() gives
 * EAFNOSUPPORT; crypto.af_alg_restrict=2 on 7.3), an algorithm the
 * kernel will not hand out (bind() gives ENOENT: af_alg_restrict=1 on 7.3
 * refuses gcm(aes) to everyone and sha256/hmac(sha256) to the
 * unprivileged; a blacklisted algif_aead or algif_hash leaves the type
 * unknown, also ENOENT), a policy's EPERM or EACCES (an LSM), and
 * EPROTONOSUPPORT (libkcapi's NETLINK_CRYPTO query without crypto_user).
 * Any other error is a failure, not a reason to change backends.
 */
#include <errno.h>

#include "hash.h"
#include "iotsec.h"

unsigned int hash_pick(const struct hash_ctx *c, enum hash_kind k)
{
	if (!c || c->want == IOTSEC_CRYPTO_AUTO)
		return c && (c->refused & (1u << k)) ? IOTSEC_CRYPTO_USER :
						       IOTSEC_CRYPTO_KERNEL;
	return c->want;
}

int hash_refused(int err)
{
	switch (err) {
	case -ENOENT:
	case -EPERM:
	case -EACCES:
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
		return 1;
	}
	return 0;
}

int hash_fall_back(struct hash_ctx *c, enum hash_kind k, int err)
{
	if (c && c->want != IOTSEC_CRYPTO_AUTO)
		return 0;
	if (!hash_refused(err))
		return 0;
	if (c)
		c->refused |= 1u << k;
	return 1;
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
		if (!hash_fall_back(c, HASH_KIND_MD, ret))
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
		if (!hash_fall_back(c, HASH_KIND_HMAC, ret))
			return ret;
	}
	ret = hash_ossl_hmac(h, key, klen, data, len, out);
	if (!ret)
		hash_ran(c, IOTSEC_CRYPTO_USER);
	return ret;
}
