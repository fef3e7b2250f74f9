/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handshake extensions (RFC 8446 section 4.2), for the message codec
 * (msg.c).  Decoding: an extension block is first scanned whole (form,
 * duplicates, where each type may appear), then each extension a message
 * uses is parsed from its own sub-reader, which must be used up exactly.
 * Encoding: the extensions we send, each with its type and length.
 *
 * Errors are those of msg.h: IOTSEC_ALERT_ERR() of the alert to send
 * (decode_error for a malformed block or body, illegal_parameter for a
 * duplicate or an illegal value).  What is misplaced or unknown is only
 * noted by ext_scan(): each message judges.
 */
#ifndef IOTSEC_EXT_H
#define IOTSEC_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "msg.h"

/* The messages an extension may appear in. */
enum ext_where {
	EXT_IN_CH = 1 << 0,	/* ClientHello */
	EXT_IN_SH = 1 << 1,	/* ServerHello */
	EXT_IN_HRR = 1 << 2,	/* HelloRetryRequest */
	EXT_IN_EE = 1 << 3,	/* EncryptedExtensions */
	EXT_IN_CT = 1 << 4,	/* Certificate entries */
	EXT_IN_CR = 1 << 5,	/* CertificateRequest */
	EXT_IN_NST = 1 << 6,	/* NewSessionTicket */
};

#define EXT_TYPES	(MSG_EXT_KEY_SHARE + 1)

/**
 * struct ext_block - one scanned extension block
 * @present: the recognised types seen, as MSG_EXT_BIT()s
 * @misplaced: the first recognised type not allowed in this message, or -1
 * @unknown: a type we do not recognise was seen
 * @psk_not_last: pre_shared_key is not the last extension
 * @data: the bodies of the recognised types (see ext_body())
 * @seen: every type of the block, for duplicates; clear between blocks
 */
struct ext_block {
	uint64_t present;
	int misplaced;
	bool unknown;
	bool psk_not_last;
	struct rbuf data[EXT_TYPES];
	uint8_t seen[65536 / 8];
};

/* Once per message: ext_scan() leaves @seen clear for the next block. */
void ext_block_init(struct ext_block *e);

/**
 * ext_scan() - read an Extension extensions<min..max> block
 * @r: the message reader, at the block's length
 * @min: the block's smallest length
 * @max: its largest
 * @where: the EXT_IN_* of the message
 * @e: filled with what the block holds
 *
 * Return: 0, decode_error for a malformed block, illegal_parameter for a
 * type that appears twice.
 */
int ext_scan(struct rbuf *r, size_t min, size_t max, unsigned int where,
	     struct ext_block *e);

bool ext_has(const struct ext_block *e, int type);
/* The body of a recognised type seen by ext_scan(). */
struct rbuf *ext_body(struct ext_block *e, int type);
/* decode_error unless @b was used up exactly. */
int ext_done(struct rbuf *b);

/*
 * A server's (or certificate's) extensions: misplaced ones are
 * illegal_parameter, then any the receiver did not offer, unknown ones
 * included, unsupported_extension (RFC 8446 4.2).
 */
int ext_check_offered(const struct ext_block *e, uint64_t offered);

/* Bodies, each read from its ext_body() and used up exactly. */
int ext_get_groups(struct rbuf *b, struct msg_groups *g);
int ext_get_sig_algs(struct rbuf *b, struct msg_sig_algs *s);
/* supported_versions in a ClientHello: is 0x0304 listed? */
int ext_get_versions(struct rbuf *b, bool *tls13);
/* A client's key_share: every entry read, the secp256r1 one judged. */
int ext_get_client_shares(struct rbuf *b, struct msg_client_hello *ch);
/* A ServerHello's key_share: secp256r1 and a 65-byte 0x04 point. */
int ext_get_server_share(struct rbuf *b, uint16_t *group,
			 uint8_t share[MSG_P256_SHARE_LEN]);
/* A HelloRetryRequest's key_share: the selected group, secp256r1 only. */
int ext_get_hrr_group(struct rbuf *b, uint16_t *group);
/* server_name: the one host_name, NUL-terminated in @name. */
int ext_get_server_name(struct rbuf *b, char *name);
/* cookie; @too_big is the error for one over MSG_COOKIE_MAX. */
int ext_get_cookie(struct rbuf *b, uint8_t *out, size_t *len, int too_big);
/* A ClientHello's pre_shared_key (struct msg_psk_offer). */
int ext_get_psk(struct rbuf *b, struct msg_psk_offer *o);
/* psk_key_exchange_modes: *dhe_ke set if psk_dhe_ke is listed. */
int ext_get_psk_modes(struct rbuf *b, bool *dhe_ke);

/* Encoding: each appends one whole extension to @w. */
void ext_put(struct wbuf *w, uint16_t type, const void *p, size_t len);
/* An extension holding a one-item uint16 list with an n-byte length. */
void ext_put_u16(struct wbuf *w, uint16_t type, int n, uint16_t v);
void ext_put_server_name(struct wbuf *w, const char *name);
void ext_put_client_shares(struct wbuf *w, const struct msg_client_hello *ch);
void ext_put_server_share(struct wbuf *w, uint16_t group,
			  const uint8_t share[MSG_P256_SHARE_LEN]);
void ext_put_cookie(struct wbuf *w, const uint8_t *cookie, size_t len);
/* psk_key_exchange_modes {psk_dhe_ke} */
void ext_put_psk_modes(struct wbuf *w);
/* pre_shared_key: o's one identity, its binder as zeros (msg.h). */
void ext_put_psk(struct wbuf *w, const struct msg_psk_offer *o);

#endif
