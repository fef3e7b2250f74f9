/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CertificateVerify (RFC 8446 section 4.4.3).  Signing goes to the kernel
 * key (type iotsec: the chip) through keyctl_pkey_sign: the process never
 * holds the private key.  The peer's signature is a public-key check on
 * the leaf whose chain the kernel has just linked into the peer's
 * restricted keyring (cert.h: the trust decision, up to the roots, is the
 * kernel's).  It runs where the symmetric crypto runs (hash.h): with
 * libcrypto in the process (USER, AUTO), on the same SubjectPublicKeyInfo
 * bytes the kernel accepted, or by the kernel's key through
 * keyctl_pkey_verify (KERNEL).  The kernel's software P-256 took 21 ms
 * of a handshake for it under TCG; libcrypto's a fraction of that
 * (Documentation/libiotsec.rst, "Certificates").
 */
#ifndef IOTSEC_SIGN_H
#define IOTSEC_SIGN_H

#include <keyutils.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "hash.h"

#define TLS_SIG_ECDSA_P256_SHA256	0x0403
#define SIG_MAX				72	/* DER ECDSA P-256 */

/*
 * digest = SHA-256(64 spaces | "TLS 1.3, server|client CertificateVerify"
 *                  | 0 | th), th being the transcript hash of length thlen,
 * hashed through hc (hash.h; NULL: a handle of the call's own).
 */
int sign_content_digest(struct hash_ctx *hc, bool server, const uint8_t *th,
			size_t thlen, uint8_t out[32]);
/*
 * The key's max_sig_size when it can sign (keyctl_pkey_query), else 0:
 * asked once per configuration (iotsec_config_set_key()).
 */
size_t sign_query(key_serial_t key);
/*
 * Returns the DER signature's length, or a negative error.  max_sig:
 * sign_query()'s answer, or 0 to ask the kernel now (an error then comes
 * from the query: the key is gone, or cannot sign).
 */
int sign_digest(key_serial_t key, size_t max_sig, const uint8_t digest[32],
		uint8_t *sig, size_t cap);
/* 0, or the decrypt_error alert when the signature does not verify. */
int sign_verify_digest(key_serial_t key, const uint8_t digest[32],
		       const uint8_t *sig, size_t len);
/*
 * The peer's CertificateVerify digest against its linked leaf (peer->leaf
 * and peer->spki, cert_peer_link() done), by hc's backend; recorded as
 * run (hash_ran()).  0, the decrypt_error alert, or -errno.
 */
int sign_verify_peer(struct hash_ctx *hc, const struct cert_peer *peer,
		     const uint8_t digest[32], const uint8_t *sig, size_t len);

#endif
