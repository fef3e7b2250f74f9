/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CertificateVerify (RFC 8446 section 4.4.3) with keys the process never
 * holds: signing goes to the kernel key (type iotsec: the chip), and the
 * peer's signature is checked by the kernel against the peer's
 * certificate key (type asymmetric), both through keyctl_pkey_*.
 */
#ifndef IOTSEC_SIGN_H
#define IOTSEC_SIGN_H

#include <keyutils.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
