// SPDX-License-Identifier: GPL-2.0
/*
 * Host-test stand-in for libiotsec/src/record_kcapi.c: the same AEAD
 * calls computed by OpenSSL, so record protection (and which key protects
 * an alert) is checked without AF_ALG.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "record.h"

struct aead {
	const EVP_CIPHER *cipher;
	uint8_t key[32];
};

int rec_prot_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key, const uint8_t iv[12])
{
	struct aead *a = calloc(1, sizeof(*a));

	memset(rp, 0, sizeof(*rp));
	if (!a)
		return -ENOMEM;
	if (s->id == TLS_CHACHA20_POLY1305_SHA256)
		a->cipher = EVP_chacha20_poly1305();
	else
		a->cipher = s->keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	memcpy(a->key, key, s->keylen);
	rp->aead = a;
	memcpy(rp->iv, iv, 12);
	return 0;
}

void rec_prot_wipe(struct rec_prot *rp)
{
	if (rp->aead)
		explicit_bzero(rp->aead, sizeof(struct aead));
	free(rp->aead);
	explicit_bzero(rp, sizeof(*rp));
}

static ssize_t run(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t textlen, bool enc)
{
	struct aead *a = rp->aead;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t *text = buf + TLS_RECORD_HDR;
	int n, m, ok;

	ok = c && EVP_CipherInit_ex(c, a->cipher, NULL, a->key, nonce, enc) &&
	     EVP_CipherUpdate(c, NULL, &n, buf, TLS_RECORD_HDR) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TLS_TAG_SIZE,
					 text + textlen)) &&
	     EVP_CipherUpdate(c, text, &n, text, (int)textlen);
	if (ok && !EVP_CipherFinal_ex(c, text + n, &m)) {
		EVP_CIPHER_CTX_free(c);
		return enc ? -EIO : -EBADMSG;
	}
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TLS_TAG_SIZE,
					 text + textlen);
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -EIO;
	return TLS_RECORD_HDR + textlen + (enc ? TLS_TAG_SIZE : 0);
}

ssize_t rec_aead_encrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen)
{
	if (outlen < inlen + TLS_TAG_SIZE)
		return -EINVAL;
	return run(rp, nonce, buf, inlen - TLS_RECORD_HDR, true);
}

ssize_t rec_aead_decrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen)
{
	if (inlen < TLS_RECORD_HDR + TLS_TAG_SIZE ||
	    outlen < inlen - TLS_TAG_SIZE)
		return -EINVAL;
	return run(rp, nonce, buf, inlen - TLS_RECORD_HDR - TLS_TAG_SIZE, false);
}
