/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake transcript (RFC 8446 section 4.4.1): every handshake
 * message, header included, in order.  The bytes are kept (a few KiB), so
 * the hash need not be known before the ServerHello picks the suite.  With
 * the userspace backend (hash.h) the first snapshot of an algorithm starts
 * a running digest of it, and each later one hashes only the messages
 * added since; through AF_ALG the bytes are hashed whole at each snapshot.
 * After a HelloRetryRequest, ClientHello1 is replaced by the synthetic
 * message_hash message.
 */
#ifndef IOTSEC_TRANSCRIPT_H
#define IOTSEC_TRANSCRIPT_H

#include "codec.h"
#include "hash.h"

#define TLS_HS_MESSAGE_HASH	254

struct transcript {
	struct wbuf msgs;
	void *run[HASH_ALGS];		/* running digests (libcrypto) */
	size_t run_len[HASH_ALGS];	/* bytes of msgs each has taken */
};

void tr_init(struct transcript *tr);
void tr_wipe(struct transcript *tr);
int tr_add(struct transcript *tr, const uint8_t *msg, size_t len);
/*
 * out = Hash(all messages so far): a snapshot, through the backend hc
 * picks (hc may be NULL; see hash.h).
 */
int tr_hash(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h,
	    uint8_t *out);
/* Replaces the content (ClientHello1) by message_hash(Hash(ClientHello1)). */
int tr_hrr(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h);

#endif
