// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake record protection in the process, through libcrypto's EVP
 * AEADs: the userspace backend of record.h.  One EVP_CIPHER_CTX per
 * direction, keyed once (the key schedule is expanded then, and the key
 * itself is not kept by us); each record sets only the nonce.
 * EVP_CIPHER_CTX_free() cleanses the context.
 */
#include <errno.h>
#include <openssl/evp.h>

#include "record.h"

static const EVP_CIPHER *cipher(const struct suite *s)
{
	switch (s->id) {
	case TLS_AES_128_GCM_SHA256:
		return EVP_aes_128_gcm();
	case TLS_AES_256_GCM_SHA384:
		return EVP_aes_256_gcm();
	case TLS_CHACHA20_POLY1305_SHA256:
		return EVP_chacha20_poly1305();
	}
	return NULL;
}

int rec_ossl_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key)
{
	const EVP_CIPHER *c = cipher(s);
	EVP_CIPHER_CTX *ctx;

	if (!c || (size_t)EVP_CIPHER_get_key_length(c) != s->keylen)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!EVP_CipherInit_ex(ctx, c, NULL, key, NULL, 1) ||
	    EVP_CIPHER_CTX_get_iv_length(ctx) != 12) {
		EVP_CIPHER_CTX_free(ctx);
		return -EIO;
	}
	rp->evp = ctx;
	return 0;
}

void rec_ossl_free(struct rec_prot *rp)
{
	EVP_CIPHER_CTX_free(rp->evp);
	rp->evp = NULL;
}

/* Header as associated data, then the text in place; the tag after it. */
static int run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t nonce[12],
	       uint8_t *buf, size_t ptlen)
{
	uint8_t *text = buf + TLS_RECORD_HDR, *tag = text + ptlen;
	int n, fin;

	if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc))
		return -EIO;
	if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					 TLS_TAG_SIZE, tag))
		return -EIO;
	if (!EVP_CipherUpdate(ctx, NULL, &n, buf, TLS_RECORD_HDR) ||
	    !EVP_CipherUpdate(ctx, text, &n, text, (int)ptlen) ||
	    (size_t)n != ptlen)
		return -EIO;
	fin = EVP_CipherFinal_ex(ctx, text + n, &n);
	if (!enc)
		return fin > 0 ? 0 : -EBADMSG;
	if (fin <= 0 || !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
					      TLS_TAG_SIZE, tag))
		return -EIO;
	return 0;
}

int rec_ossl_seal(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		  size_t ptlen)
{
	return run(rp->evp, 1, nonce, buf, ptlen);
}

int rec_ossl_open(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		  size_t ptlen)
{
	return run(rp->evp, 0, nonce, buf, ptlen);
}
