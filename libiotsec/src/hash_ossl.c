// SPDX-License-Identifier: GPL-2.0
/*
 * Hash and HMAC in the process, through OpenSSL's libcrypto: the
 * userspace backend of hash.h (hash.c chooses).  One-shot calls, no
 * handle kept: nothing of a key outlives the call in libcrypto (its
 * HMAC context is cleansed when freed).
 */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hash.h"

static const EVP_MD *md(enum hash_alg h)
{
	return h == HASH_SHA384 ? EVP_sha384() : EVP_sha256();
}

int hash_ossl_digest(enum hash_alg h, const void *data, size_t len,
		     uint8_t *out)
{
	unsigned int n = 0;

	if (!EVP_Digest(len ? data : "", len, out, &n, md(h), NULL))
		return -EIO;
	return n == hash_len(h) ? 0 : -EIO;
}

int hash_ossl_hmac(enum hash_alg h, const uint8_t *key, size_t klen,
		   const void *data, size_t len, uint8_t *out)
{
	static const uint8_t none[1];
	unsigned int n = 0;

	if (klen > INT_MAX)
		return -EINVAL;
	if (!HMAC(md(h), klen ? key : none, (int)klen,
		  len ? data : none, len, out, &n))
		return -EIO;
	return n == hash_len(h) ? 0 : -EIO;
}

void *hash_ossl_run_new(enum hash_alg h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx && !EVP_DigestInit_ex(ctx, md(h), NULL)) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

int hash_ossl_run_update(void *run, const void *data, size_t len)
{
	if (!len)
		return 0;
	return EVP_DigestUpdate(run, data, len) ? 0 : -EIO;
}

/* The digest so far, from a copy: the running one goes on. */
int hash_ossl_run_peek(void *run, enum hash_alg h, uint8_t *out)
{
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ret = -EIO;

	if (!copy)
		return -ENOMEM;
	if (EVP_MD_CTX_copy_ex(copy, run) && EVP_DigestFinal_ex(copy, out, &n))
		ret = n == hash_len(h) ? 0 : -EIO;
	EVP_MD_CTX_free(copy);
	return ret;
}

void hash_ossl_run_free(void *run)
{
	EVP_MD_CTX_free(run);
}
