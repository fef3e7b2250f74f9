// SPDX-License-Identifier: GPL-2.0
/*
 * sign.c's check of the peer's CertificateVerify in the process
 * (sign_verify_peer() with the USER/AUTO backend): against signatures
 * OpenSSL makes, every wrong one refused with decrypt_error, a key that
 * is not P-256 or a leaf not linked refused before any arithmetic.  The
 * KERNEL backend (keyctl_pkey_verify) runs in the VM tests.
 */
#include <errno.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "iotsec.h"
#include "internal.h"
#include "sign.h"

#include "kselftest_harness.h"

#define DECRYPT_ERROR	IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECRYPT_ERROR)

static EVP_PKEY *gen(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

/* The leaf as cert_peer_check() and cert_peer_link() leave it. */
static void peer_of(EVP_PKEY *k, struct cert_peer *p)
{
	unsigned char *q = p->spki;
	int n;

	memset(p, 0, sizeof(*p));
	n = i2d_PUBKEY(k, NULL);
	if (n > 0 && (size_t)n <= sizeof(p->spki))
		p->spki_len = i2d_PUBKEY(k, &q);
	p->leaf = 1234;		/* linked: never used by the USER path */
}

static size_t sign_with(EVP_PKEY *k, const uint8_t digest[32], uint8_t *sig)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	size_t len = SIG_MAX;

	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, &len, digest, 32) <= 0)
		len = 0;
	EVP_PKEY_CTX_free(ctx);
	return len;
}

FIXTURE(peer)
{
	EVP_PKEY *k;
	struct cert_peer p;
	struct hash_ctx hc;
	uint8_t digest[32];
	uint8_t sig[SIG_MAX];
	size_t len;
};

FIXTURE_SETUP(peer)
{
	self->k = gen("P-256");
	ASSERT_NE(NULL, self->k);
	peer_of(self->k, &self->p);
	ASSERT_EQ(91, self->p.spki_len);
	memset(&self->hc, 0, sizeof(self->hc));
	memset(self->digest, 0x5a, sizeof(self->digest));
	self->len = sign_with(self->k, self->digest, self->sig);
	ASSERT_LT(0, self->len);
}

FIXTURE_TEARDOWN(peer)
{
	EVP_PKEY_free(self->k);
}

TEST_F(peer, good_signature_verifies_in_the_process)
{
	EXPECT_EQ(0, sign_verify_peer(&self->hc, &self->p, self->digest,
				      self->sig, self->len));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, self->hc.used);
	self->hc.want = IOTSEC_CRYPTO_USER;
	EXPECT_EQ(0, sign_verify_peer(&self->hc, &self->p, self->digest,
				      self->sig, self->len));
}

TEST_F(peer, other_digest_is_decrypt_error)
{
	self->digest[31] ^= 1;
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, self->sig,
						  self->len));
	EXPECT_EQ(0, self->hc.used);
}

TEST_F(peer, every_flipped_bit_is_decrypt_error)
{
	size_t i;
	int bit;

	for (i = 0; i < self->len; i++)
		for (bit = 0; bit < 8; bit++) {
			self->sig[i] ^= 1 << bit;
			EXPECT_EQ(DECRYPT_ERROR,
				  sign_verify_peer(&self->hc, &self->p,
						   self->digest, self->sig,
						   self->len))
				TH_LOG("byte %zu bit %d", i, bit);
			self->sig[i] ^= 1 << bit;
		}
}

TEST_F(peer, not_der_is_decrypt_error)
{
	uint8_t ber[SIG_MAX + 2];

	/* cut short, trailing byte, and a long-form length (BER, not DER) */
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, self->sig,
						  self->len - 1));
	memcpy(ber, self->sig, self->len);
	ber[self->len] = 0;
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, ber,
						  self->len + 1));
	ASSERT_GT(0x80, self->sig[1]);
	ber[0] = 0x30;
	ber[1] = 0x81;
	ber[2] = self->sig[1];
	memcpy(ber + 3, self->sig + 2, self->len - 2);
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, ber,
						  self->len + 1));
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, ber, 0));
}

TEST_F(peer, another_key_is_decrypt_error)
{
	EVP_PKEY *other = gen("P-256");

	ASSERT_NE(NULL, other);
	peer_of(other, &self->p);
	EXPECT_EQ(DECRYPT_ERROR, sign_verify_peer(&self->hc, &self->p,
						  self->digest, self->sig,
						  self->len));
	EVP_PKEY_free(other);
}

TEST_F(peer, not_p256_or_not_linked_is_refused)
{
	EVP_PKEY *p384 = gen("P-384");
	struct cert_peer q;

	ASSERT_NE(NULL, p384);
	peer_of(p384, &q);
	EXPECT_EQ(-EINVAL, sign_verify_peer(&self->hc, &q, self->digest,
					    self->sig, self->len));
	EVP_PKEY_free(p384);
	/* trailing bytes after the SPKI */
	q = self->p;
	q.spki_len++;
	EXPECT_EQ(-EINVAL, sign_verify_peer(&self->hc, &q, self->digest,
					    self->sig, self->len));
	/* no chain linked by the kernel: nothing to trust the key by */
	q = self->p;
	q.leaf = 0;
	EXPECT_EQ(-ENOKEY, sign_verify_peer(&self->hc, &q, self->digest,
					    self->sig, self->len));
	q = self->p;
	q.spki_len = 0;
	EXPECT_EQ(-ENOKEY, sign_verify_peer(&self->hc, &q, self->digest,
					    self->sig, self->len));
	EXPECT_EQ(0, self->hc.used);
}

TEST_HARNESS_MAIN
