// SPDX-License-Identifier: GPL-2.0
/*
 * Host-test stand-in for libiotsec/src/hash_kcapi.c and record_kcapi.c: a kernel without AF_ALG
 * (socket(AF_ALG) fails with EAFNOSUPPORT, as with
 * crypto.af_alg_restrict=2).  The host tests thus run the library's real
 * backend choice (hash.c: AUTO is libcrypto) and its real userspace
 * backend (hash_ossl.c, record_ossl.c); forcing IOTSEC_CRYPTO_KERNEL
 * gives the kernel's error.
 */
#include <errno.h>

#include "hash.h"
#include "record.h"

void hash_kcapi_ctx_free(struct hash_ctx *c)
{
	(void)c;
}

int hash_kcapi_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		      size_t len, uint8_t *out)
{
	(void)c, (void)h, (void)data, (void)len, (void)out;
	return -EAFNOSUPPORT;
}

int hash_kcapi_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
		    size_t klen, const void *data, size_t len, uint8_t *out)
{
	(void)c, (void)h, (void)key, (void)klen, (void)data, (void)len;
	(void)out;
	return -EAFNOSUPPORT;
}

int rec_kcapi_init(struct rec_prot *rp, const struct suite *s,
		   const uint8_t *key)
{
	(void)rp, (void)s, (void)key;
	return -EAFNOSUPPORT;
}

void rec_kcapi_free(struct rec_prot *rp)
{
	(void)rp;
}

int rec_kcapi_seal(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen)
{
	(void)rp, (void)nonce, (void)buf, (void)ptlen;
	return -EAFNOSUPPORT;
}

int rec_kcapi_open(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen)
{
	(void)rp, (void)nonce, (void)buf, (void)ptlen;
	return -EAFNOSUPPORT;
}
