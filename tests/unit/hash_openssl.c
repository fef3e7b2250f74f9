// SPDX-License-Identifier: GPL-2.0
/*
 * Host-test stand-in for libiotsec/src/hash_kcapi.c: the same calls
 * computed by OpenSSL, so the key schedule is checked without AF_ALG.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hash.h"

static const EVP_MD *md(enum hash_alg h)
{
	return h == HASH_SHA384 ? EVP_sha384() : EVP_sha256();
}

/* No handles to keep: the context stays empty. */
void hash_ctx_free(struct hash_ctx *c)
{
	(void)c;
}

int hash_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		size_t len, uint8_t *out)
{
	(void)c;
	return EVP_Digest(data, len, out, NULL, md(h), NULL) ? 0 : -EIO;
}

int hash_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
	      size_t klen, const void *data, size_t len, uint8_t *out)
{
	(void)c;
	return HMAC(md(h), key, (int)klen, data, len, out, NULL) ? 0 : -EIO;
}
