// SPDX-License-Identifier: GPL-2.0
/*
 * CertificateVerify: ours through the kernel's key, the peer's with the
 * key the kernel linked (see sign.h).
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "iotsec.h"
#include "internal.h"
#include "sign.h"

static const char info[] = "enc=x962 hash=sha256";

int sign_content_digest(struct hash_ctx *hc, bool server, const uint8_t *th,
			size_t thlen, uint8_t out[32])
{
	static const char sctx[] = "TLS 1.3, server CertificateVerify";
	static const char cctx[] = "TLS 1.3, client CertificateVerify";
	uint8_t buf[64 + sizeof(sctx) + HASH_MAX];
	size_t n = 64;

	if (thlen > HASH_MAX)
		return -EINVAL;
	memset(buf, 0x20, 64);
	/* The context string and its terminating zero byte. */
	memcpy(buf + n, server ? sctx : cctx, sizeof(sctx));
	n += sizeof(sctx);
	memcpy(buf + n, th, thlen);
	n += thlen;
	return hash_digest(hc, HASH_SHA256, buf, n, out);
}

size_t sign_query(key_serial_t key)
{
	struct keyctl_pkey_query q;

	if (keyctl_pkey_query(key, info, &q) < 0 ||
	    !(q.supported_ops & KEYCTL_SUPPORTS_SIGN))
		return 0;
	return q.max_sig_size;
}

int sign_digest(key_serial_t key, size_t max_sig, const uint8_t digest[32],
		uint8_t *sig, size_t cap)
{
	struct keyctl_pkey_query q;
	long n;

	if (!max_sig) {
		if (keyctl_pkey_query(key, info, &q) < 0)
			return -errno;
		if (!(q.supported_ops & KEYCTL_SUPPORTS_SIGN))
			return -EKEYREJECTED;
		max_sig = q.max_sig_size;
	}
	/* The kernel refuses an output buffer larger than max_sig_size. */
	if (cap > max_sig)
		cap = max_sig;
	n = keyctl_pkey_sign(key, info, digest, 32, sig, cap);
	return n < 0 ? -errno : (int)n;
}

int sign_verify_digest(key_serial_t key, const uint8_t digest[32],
		       const uint8_t *sig, size_t len)
{
	if (!keyctl_pkey_verify(key, info, digest, 32, sig, len))
		return 0;
	/* Wrong signature, or one that is not even valid DER. */
	if (errno == EKEYREJECTED || errno == EBADMSG || errno == EINVAL)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECRYPT_ERROR);
	return -errno;
}

/* The peer's signature in the process, with the leaf's SPKI (libcrypto). */
static int verify_spki(const uint8_t *spki, size_t spki_len,
		       const uint8_t digest[32], const uint8_t *sig,
		       size_t len)
{
	const unsigned char *p = spki;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk;
	int ret = -ENOMEM;

	pk = d2i_PUBKEY(NULL, &p, (long)spki_len);
	/* x509.c and the kernel took this key: anything else is ours */
	if (!pk || p != spki + spki_len || !EVP_PKEY_is_a(pk, "EC") ||
	    EVP_PKEY_get_bits(pk) != 256) {
		ret = -EINVAL;
		goto out;
	}
	ctx = EVP_PKEY_CTX_new(pk, NULL);
	if (!ctx || EVP_PKEY_verify_init(ctx) <= 0)
		goto out;
	/* 1 good; 0 or less a wrong signature or one that is not DER */
	ret = EVP_PKEY_verify(ctx, sig, len, digest, 32) == 1 ? 0 :
	      IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECRYPT_ERROR);
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}

int sign_verify_peer(struct hash_ctx *hc, const struct cert_peer *peer,
		     const uint8_t digest[32], const uint8_t *sig, size_t len)
{
	int ret;

	if (hash_pick(hc, HASH_KIND_MD) == IOTSEC_CRYPTO_KERNEL) {
		ret = sign_verify_digest(peer->leaf, digest, sig, len);
		if (!ret)
			hash_ran(hc, IOTSEC_CRYPTO_KERNEL);
		return ret;
	}
	if (!peer->leaf || !peer->spki_len)
		return -ENOKEY;
	ret = verify_spki(peer->spki, peer->spki_len, digest, sig, len);
	if (!ret)
		hash_ran(hc, IOTSEC_CRYPTO_USER);
	return ret;
}
