/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 record protection for the handshake (RFC 8446 section 5.2),
 * through an AF_ALG AEAD.  After Finished the kernel (kTLS) takes over
 * with the application keys; this is only for the few handshake records.
 */
#ifndef IOTSEC_RECORD_H
#define IOTSEC_RECORD_H

#include <stdint.h>
#include <sys/types.h>

#include "codec.h"
#include "suite.h"

#define TLS_CT_CHANGE_CIPHER_SPEC	20
#define TLS_CT_ALERT			21
#define TLS_CT_HANDSHAKE		22
#define TLS_CT_APPLICATION_DATA		23

#define TLS_RECORD_HDR		5
#define TLS_MAX_PLAINTEXT	16384
#define TLS_MAX_CIPHERTEXT	(16384 + 256)
#define TLS_TAG_SIZE		16

/* One direction's keys and sequence number. */
struct rec_prot {
	void *aead;		/* the AEAD's handle (record_kcapi.c) */
	uint8_t iv[12];
	uint64_t seq;
};

int rec_prot_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key, const uint8_t iv[12]);
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
 * record_kcapi.c: the AEAD in place.  encrypt: buf holds the header then
 * the text (inlen), and gets the header, ciphertext and tag (outlen);
 * decrypt: buf holds header, ciphertext and tag (inlen) and gets header
 * and text (outlen), or -EBADMSG.  Both return the bytes written.
 */
ssize_t rec_aead_encrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen);
ssize_t rec_aead_decrypt(struct rec_prot *rp, const uint8_t nonce[12],
			 uint8_t *buf, size_t inlen, size_t outlen);

#endif
