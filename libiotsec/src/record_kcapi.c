// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake record protection through AF_ALG (algif_aead) via libkcapi:
 * the kernel backend of record.h.
 *
 * The kernel's AEAD takes associated data then text, and gives back the
 * associated data, then ciphertext and tag; the associated data of a TLS
 * 1.3 record is its header.
 */
#include <errno.h>
#include <kcapi.h>

#include "hash.h"
#include "record.h"

int rec_kcapi_init(struct rec_prot *rp, const struct suite *s,
		   const uint8_t *key)
{
	int ret = hash_kcapi_bindable("aead", s->aead);

	if (ret)
		return ret;
	ret = kcapi_aead_init(&rp->aead, s->aead, 0);
	if (ret) {
		rp->aead = NULL;
		return ret < 0 ? ret : -EIO;
	}
	ret = kcapi_aead_setkey(rp->aead, key, s->keylen);
	if (!ret)
		ret = kcapi_aead_settaglen(rp->aead, TLS_TAG_SIZE);
	if (ret) {
		rec_kcapi_free(rp);
		return ret < 0 ? ret : -EIO;
	}
	kcapi_aead_setassoclen(rp->aead, TLS_RECORD_HDR);
	return 0;
}

void rec_kcapi_free(struct rec_prot *rp)
{
	if (rp->aead)
		kcapi_aead_destroy(rp->aead);
	rp->aead = NULL;
}

int rec_kcapi_seal(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen)
{
	size_t total = TLS_RECORD_HDR + ptlen + TLS_TAG_SIZE;
	ssize_t n;

	n = kcapi_aead_encrypt(rp->aead, buf, TLS_RECORD_HDR + ptlen,
			       (uint8_t *)nonce, buf, total,
			       KCAPI_ACCESS_SENDMSG);
	if (n != (ssize_t)total)
		return n < 0 ? (int)n : -EIO;
	return 0;
}

int rec_kcapi_open(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen)
{
	size_t total = TLS_RECORD_HDR + ptlen + TLS_TAG_SIZE;
	ssize_t n;

	/* Ask for exactly header + plaintext: libkcapi reads until it has it. */
	n = kcapi_aead_decrypt(rp->aead, buf, total, (uint8_t *)nonce, buf,
			       TLS_RECORD_HDR + ptlen, KCAPI_ACCESS_SENDMSG);
	if (n < 0)
		return (int)n;
	return (size_t)n < TLS_RECORD_HDR + ptlen ? -EIO : 0;
}
