/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake transcript (RFC 8446 section 4.4.1): every handshake
 * message, header included, in order.  The bytes are kept (a few KiB) and
 * hashed whole at each snapshot, so the hash need not be known before the
 * ServerHello picks the suite.  After a HelloRetryRequest, ClientHello1 is
 * replaced by the synthetic message_hash message.
 */
#ifndef IOTSEC_TRANSCRIPT_H
#define IOTSEC_TRANSCRIPT_H

#include "codec.h"
#include "hash.h"

#define TLS_HS_MESSAGE_HASH	254

struct transcript {
	struct wbuf msgs;
};

void tr_init(struct transcript *tr);
void tr_wipe(struct transcript *tr);
int tr_add(struct transcript *tr, const uint8_t *msg, size_t len);
/*
 * out = Hash(all messages so far): a snapshot, the bytes hashed whole
 * (through hc's handle, which may be NULL; see hash.h).
 */
int tr_hash(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h,
	    uint8_t *out);
/* Replaces the content (ClientHello1) by message_hash(Hash(ClientHello1)). */
int tr_hrr(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h);

#endif
