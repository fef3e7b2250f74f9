/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS 1.3 key schedule (RFC 8446 section 7.1), psk_dhe_ke or none:
 *
 *   early     = Extract(0, PSK or 0)
 *   handshake = Extract(Derive-Secret(early, "derived", ""), ECDHE)
 *   master    = Extract(Derive-Secret(handshake, "derived", ""), 0)
 *
 * with the traffic secrets derived from each stage and the transcript
 * hash of the moment.  Every secret lives in struct keysched and is wiped
 * by ks_wipe(); callers wipe what they copy out.
 */
#ifndef IOTSEC_KEYSCHED_H
#define IOTSEC_KEYSCHED_H

#include "hash.h"

struct keysched {
	enum hash_alg hash;
	uint8_t stage[HASH_MAX];	/* current stage secret */
	uint8_t c_hs[HASH_MAX];		/* client handshake traffic */
	uint8_t s_hs[HASH_MAX];		/* server handshake traffic */
	uint8_t c_ap[HASH_MAX];		/* client application traffic N */
	uint8_t s_ap[HASH_MAX];		/* server application traffic N */
	uint8_t res[HASH_MAX];		/* resumption_master_secret */
};

/*
 * Every function hashes through hc (hash.h: the session's handles, or
 * NULL for handles of the call's own).
 */
int ks_expand_label(struct hash_ctx *hc, enum hash_alg h,
		    const uint8_t *secret, const char *label,
		    const uint8_t *ctx, size_t ctxlen, uint8_t *out,
		    size_t outlen);
int ks_derive_secret(struct hash_ctx *hc, enum hash_alg h,
		     const uint8_t *secret, const char *label,
		     const uint8_t *thash, uint8_t *out);

int ks_early(struct keysched *ks, struct hash_ctx *hc, enum hash_alg h);
/* early = Extract(0, psk): psk is hash_len(h) bytes (a resumption PSK). */
int ks_early_psk(struct keysched *ks, struct hash_ctx *hc, enum hash_alg h,
		 const uint8_t *psk);
/*
 * binder = HMAC(finished_key(binder_key), th), binder_key =
 * Derive-Secret(early, "res binder", "") (section 4.2.11.2); th is the
 * transcript hash up to the truncated ClientHello.  From ks_early_psk().
 */
int ks_binder(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th,
	      uint8_t *binder);
/*
 * res = Derive-Secret(master, "res master", th), th = Transcript-Hash(
 * ClientHello..client Finished); after ks_master(), before the stage is
 * wiped.
 */
int ks_resumption(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th);
/* psk = HKDF-Expand-Label(res, "resumption", nonce, Hash.length) (4.6.1) */
int ks_ticket_psk(struct hash_ctx *hc, enum hash_alg h, const uint8_t *res,
		  const uint8_t *nonce, size_t nonce_len, uint8_t *psk);
/* th = Transcript-Hash(ClientHello..ServerHello) */
int ks_handshake(struct keysched *ks, struct hash_ctx *hc,
		 const uint8_t *ecdhe, size_t len, const uint8_t *th);
/* th = Transcript-Hash(ClientHello..server Finished) */
int ks_master(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th);
/* key and iv for a traffic secret (RFC 8446 section 7.3) */
int ks_traffic_key(struct hash_ctx *hc, enum hash_alg h,
		   const uint8_t *secret, uint8_t *key, size_t keylen,
		   uint8_t iv[12]);
/* verify_data = HMAC(finished_key(secret), th) (section 4.4.4) */
int ks_finished(struct hash_ctx *hc, enum hash_alg h, const uint8_t *secret,
		const uint8_t *th, uint8_t *verify_data);
/*
 * secret = application_traffic_secret_N+1 of the secret N it holds:
 * HKDF-Expand-Label(N, "traffic upd", "", Hash.length) (section 7.2), in
 * place; secret is left as it was on an error.
 */
int ks_update_secret(struct hash_ctx *hc, enum hash_alg h, uint8_t *secret);
/*
 * After the handshake: wipes the stage and handshake traffic secrets and
 * keeps the application traffic secrets, which a KeyUpdate moves on, and
 * the resumption master secret, which each NewSessionTicket needs.
 */
void ks_wipe_handshake(struct keysched *ks);
void ks_wipe(struct keysched *ks);
/* Hash("") of h, a constant (hash_len(h) bytes). */
const uint8_t *ks_empty_hash(enum hash_alg h);

#endif
