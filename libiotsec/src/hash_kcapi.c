// SPDX-License-Identifier: GPL-2.0
/*
 * Hash and HMAC through the kernel (AF_ALG), via libkcapi.
 */
#include <errno.h>
#include <kcapi.h>

#include "hash.h"

static int result(ssize_t ret, size_t want)
{
	if (ret < 0)
		return (int)ret;
	return (size_t)ret == want ? 0 : -EIO;
}

int hash_digest(enum hash_alg h, const void *data, size_t len, uint8_t *out)
{
	size_t n = hash_len(h);

	if (h == HASH_SHA384)
		return result(kcapi_md_sha384(data, len, out, n), n);
	return result(kcapi_md_sha256(data, len, out, n), n);
}

int hash_hmac(enum hash_alg h, const uint8_t *key, size_t klen,
	      const void *data, size_t len, uint8_t *out)
{
	size_t n = hash_len(h);

	if (h == HASH_SHA384)
		return result(kcapi_md_hmac_sha384(key, klen, data, len, out, n), n);
	return result(kcapi_md_hmac_sha256(key, klen, data, len, out, n), n);
}
