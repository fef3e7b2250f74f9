// SPDX-License-Identifier: GPL-2.0
/*
 * CertificateVerify through the kernel's keys (see sign.h).
 */
#include <errno.h>
#include <string.h>

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
