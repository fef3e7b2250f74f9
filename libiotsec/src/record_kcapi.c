// SPDX-License-Identifier: GPL-2.0
/*
 * The AEAD of handshake record protection, through AF_ALG (libkcapi): in
 * place, the associated data (the record header) first (see record.h).
 * Host unit tests link tests/unit/record_openssl.c in its place.
 */
#include <errno.h>
#include <kcapi.h>
#include <string.h>

#include "record.h"

int rec_prot_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key, const uint8_t iv[12])
{
	struct kcapi_handle *h = NULL;
	int ret;

	memset(rp, 0, sizeof(*rp));
	ret = kcapi_aead_init(&h, s->aead, 0);
	if (ret)
		return ret;
	rp->aead = h;
	ret = kcapi_aead_setkey(h, key, s->keylen);
	if (!ret)
		ret = kcapi_aead_settaglen(h, TLS_TAG_SIZE);
	if (ret) {
		rec_prot_wipe(rp);
		return ret;
	}
	kcapi_aead_setassoclen(h, TLS_RECORD_HDR);
	memcpy(rp->iv, iv, 12);
	return 0;
}

void rec_prot_wipe(struct rec_prot *rp)
{
	if (rp->aead)
		kcapi_aead_destroy(rp->aead);
	explicit_bzero(rp, sizeof(*rp));
}

ssize_t rec_aead_encrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen)
{
	return kcapi_aead_encrypt(rp->aead, buf, inlen, nonce, buf, outlen,
				  KCAPI_ACCESS_SENDMSG);
}

ssize_t rec_aead_decrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen)
{
	return kcapi_aead_decrypt(rp->aead, buf, inlen, nonce, buf, outlen,
				  KCAPI_ACCESS_SENDMSG);
}
