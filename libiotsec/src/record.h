/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 record protection for the handshake (RFC 8446 section 5.2),
 * through an AF_ALG AEAD (record_kcapi.c) or libcrypto's (record_ossl.c),
 * as the session's hash context chooses (hash.h, HASH_KIND_AEAD).  After
 * Finished the kernel (kTLS) takes over with the application keys; this
 * is only for the few handshake records.
 */
#ifndef IOTSEC_RECORD_H
#define IOTSEC_RECORD_H

#include <stdint.h>

#include "codec.h"
#include "hash.h"
#include "suite.h"

#define TLS_CT_CHANGE_CIPHER_SPEC	20
#define TLS_CT_ALERT			21
#define TLS_CT_HANDSHAKE		22
#define TLS_CT_APPLICATION_DATA		23

#define TLS_RECORD_HDR		5
#define TLS_MAX_PLAINTEXT	16384
#define TLS_MAX_CIPHERTEXT	(16384 + 256)
#define TLS_TAG_SIZE		16

struct kcapi_handle;

/* One direction's keys and sequence number. */
struct rec_prot {
	struct kcapi_handle *aead;	/* AF_ALG backend */
	void *evp;			/* libcrypto backend: EVP_CIPHER_CTX */
	unsigned int be;		/* IOTSEC_CRYPTO_KERNEL or _USER */
	uint8_t iv[12];
	uint64_t seq;
};

/*
 * Keys rp for suite s with the backend hc picks for HASH_KIND_AEAD (AUTO:
 * libcrypto; hc may be NULL: AUTO).
 */
int rec_prot_init(struct rec_prot *rp, struct hash_ctx *hc,
		  const struct suite *s, const uint8_t *key,
		  const uint8_t iv[12]);
void rec_prot_wipe(struct rec_prot *rp);
/* Appends one protected record holding (type, data) to out. */
int rec_seal(struct rec_prot *rp, uint8_t type, const uint8_t *data,
	     size_t len, struct wbuf *out);
/*
 * Opens a protected record: hdr is its 5-byte header, body its len bytes.
 * Appends the content to out and sets *type to the inner content type.
 * Errors: bad_record_mac, record_overflow, unexpected_message alerts.
 */
int rec_open(struct rec_prot *rp, const uint8_t hdr[TLS_RECORD_HDR],
	     const uint8_t *body, size_t len, uint8_t *type, struct wbuf *out);

/*
 * The backends, on one flat buffer: header (the associated data), then
 * ptlen bytes of text, then the tag.  seal encrypts in place and writes
 * the tag; open decrypts in place, -EBADMSG when the tag is wrong.
 */
int rec_kcapi_init(struct rec_prot *rp, const struct suite *s,
		   const uint8_t *key);
void rec_kcapi_free(struct rec_prot *rp);
int rec_kcapi_seal(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen);
int rec_kcapi_open(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		   size_t ptlen);
int rec_ossl_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key);
void rec_ossl_free(struct rec_prot *rp);
int rec_ossl_seal(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		  size_t ptlen);
int rec_ossl_open(struct rec_prot *rp, const uint8_t nonce[12], uint8_t *buf,
		  size_t ptlen);

#endif
