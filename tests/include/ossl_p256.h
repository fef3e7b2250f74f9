/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenSSL's side of P-256 checks in VM tests: a fresh key, a public key
 * from X || Y and ECDH with it, so that our kernel results are compared
 * with a peer no one here wrote.  Link with -lcrypto.
 */
#ifndef IOTSEC_TESTS_OSSL_P256_H
#define IOTSEC_TESTS_OSSL_P256_H

#include <stdint.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#define OSSL_P256_PUB		64	/* X || Y, no 0x04 */
#define OSSL_P256_SECRET	32
#define OSSL_P256_PRIV		32

/* A public-only P-256 key from X || Y, or NULL. */
static inline EVP_PKEY *ossl_pub(const uint8_t *pub)
{
	char group[] = "prime256v1";
	uint8_t buf[OSSL_P256_PUB + 1] = { 4 };
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group,
				       sizeof(group) - 1),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, buf,
					sizeof(buf)),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;

	memcpy(buf + 1, pub, OSSL_P256_PUB);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* A fresh P-256 key: @pub gets X || Y, @priv (if not NULL) the scalar. */
static inline EVP_PKEY *ossl_gen(uint8_t *pub, uint8_t *priv)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	uint8_t buf[OSSL_P256_PUB + 1];
	BIGNUM *d = NULL;
	size_t len = 0;

	if (!pkey)
		return NULL;
	if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
					     buf, sizeof(buf), &len) ||
	    len != sizeof(buf) || buf[0] != 4 ||
	    (priv && (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY,
					     &d) ||
		      BN_bn2binpad(d, priv, OSSL_P256_PRIV) !=
		      OSSL_P256_PRIV))) {
		BN_clear_free(d);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	memcpy(pub, buf + 1, OSSL_P256_PUB);
	BN_clear_free(d);
	return pkey;
}

/* ECDH of OpenSSL's key @mine with the public key @peer_pub: 0 or -1. */
static inline int ossl_derive(EVP_PKEY *mine, const uint8_t *peer_pub,
			      uint8_t *secret)
{
	EVP_PKEY *peer = ossl_pub(peer_pub);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(mine, NULL);
	size_t len = OSSL_P256_SECRET;
	int ok;

	ok = peer && ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	     EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	     EVP_PKEY_derive(ctx, secret, &len) > 0 && len == OSSL_P256_SECRET;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ok ? 0 : -1;
}

#endif
