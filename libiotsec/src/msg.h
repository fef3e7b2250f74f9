/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS 1.3 handshake message codec (RFC 8446 section 4): plain structs
 * in, plain structs out, no I/O and no state.  The extensions themselves
 * are scanned, parsed and written by ext.c (ext.h).  Every msg_put_*() appends one
 * whole handshake message (4-byte header included) to a struct wbuf; every
 * msg_get_*() decodes one message body (what follows the 4-byte header, as
 * msg_next() finds it) through the bounded reader of codec.h.
 *
 * Scope: TLS 1.3 only; suites 0x1301/0x1302/0x1303; group secp256r1;
 * signature scheme ecdsa_secp256r1_sha256; certificates both ways;
 * HelloRetryRequest both ways; PSK resumption with psk_dhe_ke (tickets,
 * pre_shared_key, psk_key_exchange_modes); no 0-RTT (a client's
 * early_data is checked for form, reported, and otherwise ignored).
 *
 * Errors: a put returns 0, -EINVAL (a struct field out of range) or the
 * writer's error (-ENOMEM, -EMSGSIZE).  A get returns 0 or the error for
 * the fatal alert the caller must send, IOTSEC_ALERT_ERR(a) with a:
 *
 *   decode_error           truncated, trailing bytes, a length out of the
 *                          range RFC 8446 gives the field, an odd length for
 *                          a list of uint16, a message over msg_max_len()
 *   illegal_parameter      a duplicate extension type in one block; an
 *                          extension RFC 8446's table (section 4.2) does
 *                          not allow in that message; an illegal value
 *                          (each get says which)
 *   unsupported_extension  in a server's message (or a Certificate) an
 *                          extension the receiver did not offer (@offered)
 *                          or does not know
 *   missing_extension      a mandatory extension is absent (section 9.2)
 *   protocol_version       a ServerHello that does not select TLS 1.3
 *   bad_certificate        more than MSG_CERTS_MAX certificates
 *
 * What the codec cannot know is left to the state machine and said in
 * each function's comment (for example: the suite is one *we* offered, the
 * session id is echoed, the HRR group is not the one we already sent).
 */
#ifndef IOTSEC_MSG_H
#define IOTSEC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Handshake types (RFC 8446 section 4). */
enum msg_type {
	MSG_CLIENT_HELLO = 1,
	MSG_SERVER_HELLO = 2,		/* and HelloRetryRequest */
	MSG_NEW_SESSION_TICKET = 4,
	MSG_END_OF_EARLY_DATA = 5,
	MSG_ENCRYPTED_EXTENSIONS = 8,
	MSG_CERTIFICATE = 11,
	MSG_CERTIFICATE_REQUEST = 13,
	MSG_CERTIFICATE_VERIFY = 15,
	MSG_FINISHED = 20,
	MSG_KEY_UPDATE = 24,
	MSG_MESSAGE_HASH = 254,		/* synthetic, transcript only */
};

/* Extension types (RFC 8446 section 4.2; all are below 64). */
enum msg_ext {
	MSG_EXT_SERVER_NAME = 0,
	MSG_EXT_MAX_FRAGMENT_LENGTH = 1,
	MSG_EXT_STATUS_REQUEST = 5,
	MSG_EXT_SUPPORTED_GROUPS = 10,
	MSG_EXT_SIGNATURE_ALGORITHMS = 13,
	MSG_EXT_USE_SRTP = 14,
	MSG_EXT_HEARTBEAT = 15,
	MSG_EXT_ALPN = 16,
	MSG_EXT_SCT = 18,
	MSG_EXT_CLIENT_CERT_TYPE = 19,
	MSG_EXT_SERVER_CERT_TYPE = 20,
	MSG_EXT_PADDING = 21,
	MSG_EXT_PRE_SHARED_KEY = 41,
	MSG_EXT_EARLY_DATA = 42,
	MSG_EXT_SUPPORTED_VERSIONS = 43,
	MSG_EXT_COOKIE = 44,
	MSG_EXT_PSK_KEY_EXCHANGE_MODES = 45,
	MSG_EXT_CERTIFICATE_AUTHORITIES = 47,
	MSG_EXT_OID_FILTERS = 48,
	MSG_EXT_POST_HANDSHAKE_AUTH = 49,
	MSG_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
	MSG_EXT_KEY_SHARE = 51,
};

/* A set of extension types, as in msg_client_hello.exts and @offered. */
#define MSG_EXT_BIT(t)		(1ULL << (t))

#define MSG_LEGACY_VERSION	0x0303
#define MSG_TLS13		0x0304

#define MSG_AES_128_GCM_SHA256		0x1301
#define MSG_AES_256_GCM_SHA384		0x1302
#define MSG_CHACHA20_POLY1305_SHA256	0x1303

#define MSG_SECP256R1		0x0017
#define MSG_ECDSA_P256_SHA256	0x0403

#define MSG_RANDOM_LEN		32
#define MSG_SESSION_ID_MAX	32
#define MSG_SUITES_MAX		3	/* the suites we know */
#define MSG_P256_SHARE_LEN	65	/* 0x04 || X || Y */
#define MSG_HOST_MAX		255	/* server_name host_name, without NUL */
#define MSG_COOKIE_MAX		512
#define MSG_CONTEXT_MAX		255	/* certificate_request_context */
#define MSG_CERTS_MAX		8	/* entries in one Certificate */
#define MSG_VERIFY_MAX		48	/* Finished verify_data */
#define MSG_PSK_MAX		4	/* identities and binders kept */
#define MSG_PSK_DHE_KE		1	/* PskKeyExchangeMode psk_dhe_ke */
#define MSG_NONCE_MAX		255	/* ticket_nonce */

/*
 * Largest body accepted by msg_next(): 16 KiB, except Certificate and
 * NewSessionTicket (64 KiB).  RFC 8446 sets no limit below 2^24-1; larger
 * messages are refused as decode_error (record_overflow is about records,
 * section 6.2).  A reassembly buffer of MSG_HDR_LEN + MSG_MAX_LEN_LARGE
 * bytes holds any message msg_next() accepts.
 */
#define MSG_HDR_LEN		4
#define MSG_MAX_LEN		16384
#define MSG_MAX_LEN_LARGE	65536

/* SHA-256("HelloRetryRequest"): a ServerHello with it is an HRR (4.1.3). */
extern const uint8_t msg_hrr_random[MSG_RANDOM_LEN];

struct msg_groups {
	bool present;
	bool has_p256;		/* secp256r1 listed */
	bool other;		/* some other group listed */
};

struct msg_sig_algs {
	bool present;
	bool has_ecdsa_p256_sha256;
	bool other;
};

/*
 * OfferedPsks (RFC 8446 4.2.11).  get: every identity and binder is read,
 * the first MSG_PSK_MAX of each kept (pointers into the body);
 * binders_len is the size of the binders list with its 2-byte length, the
 * tail of the ClientHello that the binders do not cover.  put: n is 0 or
 * 1; the binder goes out as binder_len zero bytes, to be written over in
 * the encoded message (its last binder_len bytes) once it is known.
 */
struct msg_psk_offer {
	size_t n;				/* identities listed */
	const uint8_t *id[MSG_PSK_MAX];
	size_t id_len[MSG_PSK_MAX];
	uint32_t age[MSG_PSK_MAX];		/* obfuscated_ticket_age */
	size_t n_binders;			/* get: binders listed */
	const uint8_t *binder[MSG_PSK_MAX];	/* get */
	size_t binder_len[MSG_PSK_MAX];
	size_t binders_len;			/* get */
};

struct msg_client_hello {
	uint16_t legacy_version;		/* get only */
	uint8_t random[MSG_RANDOM_LEN];
	uint8_t session_id_len;
	uint8_t session_id[MSG_SESSION_ID_MAX];
	/* Our suites in the peer's order (put: 0 = all three). */
	uint8_t n_suites;
	uint16_t suites[MSG_SUITES_MAX];
	size_t n_offered;			/* get: every suite listed */
	uint64_t exts;				/* get: MSG_EXT_BIT()s present */
	struct {
		bool present;
		bool has_tls13;			/* 0x0304 listed */
	} versions;
	struct msg_groups groups;
	struct msg_sig_algs sig_algs;
	struct msg_sig_algs sig_algs_cert;
	struct {
		bool present;
		bool has_p256;			/* put: send p256 (else empty) */
		bool other;			/* a share for another group */
		size_t n;			/* get: entries, any group */
		uint8_t p256[MSG_P256_SHARE_LEN];
	} key_share;
	char server_name[MSG_HOST_MAX + 1];	/* "" = none */
	size_t cookie_len;			/* 0 = none */
	uint8_t cookie[MSG_COOKIE_MAX];
	bool psk;				/* get: pre_shared_key */
	struct msg_psk_offer psk_offer;		/* put: sent when n is 1 */
	bool psk_modes;				/* get: present; put: send
						 * {psk_dhe_ke} */
	bool psk_dhe_ke;			/* get: psk_dhe_ke listed */
	bool early_data;			/* get */
};

/* ServerHello or, with hrr set, HelloRetryRequest. */
struct msg_server_hello {
	bool hrr;		/* put: send msg_hrr_random, not random */
	uint8_t random[MSG_RANDOM_LEN];
	uint8_t session_id_len;
	uint8_t session_id[MSG_SESSION_ID_MAX];	/* legacy_session_id_echo */
	uint16_t suite;
	uint16_t version;	/* get: selected_version, always 0x0304 */
	/*
	 * key_share.  ServerHello: group is MSG_SECP256R1 and share the
	 * server's point.  HRR: group is the selected group, 0 = none.
	 */
	uint16_t group;
	uint8_t share[MSG_P256_SHARE_LEN];
	size_t cookie_len;	/* HRR only; 0 = none */
	uint8_t cookie[MSG_COOKIE_MAX];
	bool psk;		/* ServerHello: pre_shared_key, selected_identity */
	uint16_t psk_identity;
};

struct msg_new_session_ticket {
	uint32_t lifetime;	/* seconds */
	uint32_t age_add;
	uint8_t nonce_len;
	uint8_t nonce[MSG_NONCE_MAX];
	const uint8_t *ticket;	/* get: points into the caller's body */
	size_t ticket_len;
	bool early_data;	/* get: early_data (max_early_data_size) seen */
};

struct msg_encrypted_extensions {
	bool server_name;		/* empty server_name: SNI accepted */
	struct msg_groups groups;	/* put: present sends {secp256r1} */
};

struct msg_certificate_request {
	uint8_t context_len;
	uint8_t context[MSG_CONTEXT_MAX];
	struct msg_sig_algs sig_algs;		/* put: always {0x0403} */
	struct msg_sig_algs sig_algs_cert;	/* put: always {0x0403} */
};

struct msg_cert_entry {
	const uint8_t *der;	/* get: points into the caller's body */
	size_t len;
};

struct msg_certificate {
	uint8_t context_len;
	uint8_t context[MSG_CONTEXT_MAX];
	size_t n;		/* 0 is a valid (empty) list */
	struct msg_cert_entry certs[MSG_CERTS_MAX];
};

struct msg_certificate_verify {
	uint16_t scheme;
	const uint8_t *sig;	/* get: points into the caller's body */
	size_t sig_len;
};

struct msg_hdr {
	uint8_t type;
	size_t len;		/* body length */
	const uint8_t *body;	/* set once the message is complete */
};

/**
 * msg_max_len() - the largest body msg_next() accepts for a type
 * @type: a handshake type
 *
 * Return: MSG_MAX_LEN_LARGE for Certificate and NewSessionTicket, else
 * MSG_MAX_LEN.
 */
size_t msg_max_len(uint8_t type);

/**
 * msg_next() - find the next handshake message in reassembled bytes
 * @buf: the handshake bytes received so far, starting at a message
 * @avail: how many there are
 * @h: the message found: @h->type and @h->len as soon as the 4-byte header
 *     is there, @h->body (inside @buf) once the whole body is
 *
 * Handshake messages may span records and share them: keep the bytes in a
 * buffer, call this, and when it returns 1 hand @h->body, @h->len to the
 * type's msg_get_*() and drop MSG_HDR_LEN + @h->len bytes (the transcript
 * hashes those same bytes).  The type is not judged here.
 *
 * Return: 1 if a complete message is there, 0 if more bytes are needed,
 * decode_error if the header announces more than msg_max_len(type).
 */
int msg_next(const uint8_t *buf, size_t avail, struct msg_hdr *h);

/**
 * msg_put_message_hash() - the synthetic message that replaces ClientHello1
 * @w: writer
 * @hash: Hash(ClientHello1), the whole message with its header
 * @len: the hash length, 32 or 48
 *
 * Writes 254 00 00 len || hash (RFC 8446 section 4.4.1), which starts the
 * transcript again after a HelloRetryRequest.
 *
 * Return: 0, -EINVAL for another length, or the writer's error.
 */
int msg_put_message_hash(struct wbuf *w, const uint8_t *hash, size_t len);

/**
 * msg_client_hello_exts() - the extensions msg_put_client_hello() sends
 * @ch: the ClientHello as it will be written
 *
 * Pass the result as @offered to the get functions for the server's
 * messages: supported_versions, supported_groups, signature_algorithms,
 * signature_algorithms_cert, key_share, and server_name, cookie,
 * psk_key_exchange_modes and pre_shared_key if set.
 *
 * Return: a set of MSG_EXT_BIT()s.
 */
uint64_t msg_client_hello_exts(const struct msg_client_hello *ch);

/**
 * msg_put_client_hello() - write a ClientHello
 * @w: writer
 * @ch: random, session_id, suites (n_suites 0 = 0x1301, 0x1302, 0x1303),
 *      key_share.has_p256 and .p256, server_name, cookie, psk_modes,
 *      psk_offer; nothing else is read
 *
 * Offers exactly TLS 1.3, secp256r1 and ecdsa_secp256r1_sha256 (also as
 * signature_algorithms_cert), with compression {0}.  key_share is empty
 * unless key_share.has_p256.  psk_key_exchange_modes {psk_dhe_ke} if
 * psk_modes; pre_shared_key last if psk_offer.n is 1 (its binder then
 * zeros: see struct msg_psk_offer).  After a HelloRetryRequest, write the same
 * hello with the share and the cookie the HRR asked for (RFC 8446 4.1.2).
 *
 * Return: 0, -EINVAL (an unknown suite, a bad share, too long a name or
 * cookie), or the writer's error.
 */
int msg_put_client_hello(struct wbuf *w, const struct msg_client_hello *ch);

/**
 * msg_get_client_hello() - decode a ClientHello, as a server
 * @body: the message body
 * @len: its length
 * @ch: the result, zeroed first
 *
 * Unknown extensions are skipped.  A ClientHello without 0x0304 in
 * supported_versions (a TLS 1.2 one, with or without extensions) decodes
 * with versions.has_tls13 false and nothing more is required of it: the
 * server then answers protocol_version.  For a TLS 1.3 one, besides the
 * errors in the file comment:
 *   illegal_parameter  compression methods other than {0}; pre_shared_key
 *                      not last; a secp256r1 share not 65 bytes 0x04||X||Y,
 *                      given twice or for a group not in supported_groups;
 *                      a host_name over MSG_HOST_MAX or with a NUL, or two
 *                      host_names; a cookie over MSG_COOKIE_MAX (not ours)
 *   missing_extension  RFC 8446 section 9.2: no signature_algorithms or
 *                      supported_groups (without pre_shared_key),
 *                      supported_groups without key_share or the reverse,
 *                      pre_shared_key without psk_key_exchange_modes
 * The state machine picks a suite from suites (none: handshake_failure),
 * checks groups/sig_algs (handshake_failure), sends an HRR if no p256
 * share, and on the second hello checks the cookie and the one share.
 *
 * Return: 0 or an alert error.
 */
int msg_get_client_hello(const uint8_t *body, size_t len,
			 struct msg_client_hello *ch);

/**
 * msg_put_server_hello() - write a ServerHello or HelloRetryRequest
 * @w: writer
 * @sh: hrr, random (ServerHello), session_id (the client's), suite;
 *      ServerHello: group MSG_SECP256R1 and share, psk and psk_identity;
 *      HRR: group (0 = no key_share) and cookie
 *
 * Extensions go in the order key_share, cookie, pre_shared_key,
 * supported_versions.
 *
 * Return: 0, -EINVAL (a ServerHello without a p256 share, an HRR asking
 * for nothing), or the writer's error.
 */
int msg_put_server_hello(struct wbuf *w, const struct msg_server_hello *sh);

/**
 * msg_get_server_hello() - decode a ServerHello or HelloRetryRequest
 * @body: the message body
 * @len: its length
 * @offered: the extensions our ClientHello sent (msg_client_hello_exts())
 * @sh: the result, zeroed first; @sh->hrr tells which it is
 *
 * The version is settled first: without supported_versions the server
 * chose TLS 1.2 or older, which is illegal_parameter if the random ends
 * with a downgrade sentinel (RFC 8446 4.1.3) and protocol_version if not.
 * Then illegal_parameter for: supported_versions other than 0x0304,
 * legacy_version other than 0x0303, compression other than 0, a suite
 * that is not one of ours, a group other than secp256r1, a share not
 * 65 bytes 0x04||X||Y, an HRR with neither key_share nor cookie (it would
 * change nothing, 4.1.4); missing_extension for a ServerHello without
 * key_share; a cookie over MSG_COOKIE_MAX is handshake_failure (we could
 * not echo it).  Left to the state machine: the suite and group are ones
 * it offered, the session id echoes ours, a second HRR, an HRR group it
 * already sent a share for, the suite unchanged after an HRR, the
 * selected_identity of a pre_shared_key (decoded into psk, psk_identity)
 * is one it sent.
 *
 * Return: 0 or an alert error.
 */
int msg_get_server_hello(const uint8_t *body, size_t len, uint64_t offered,
			 struct msg_server_hello *sh);

/**
 * msg_put_encrypted_extensions() - write EncryptedExtensions
 * @w: writer
 * @ee: server_name (send the empty ack), groups.present (send
 *      {secp256r1})
 *
 * Send only what the client offered (its msg_client_hello.exts).
 *
 * Return: 0 or the writer's error.
 */
int msg_put_encrypted_extensions(struct wbuf *w,
				 const struct msg_encrypted_extensions *ee);

/**
 * msg_get_encrypted_extensions() - decode EncryptedExtensions
 * @body: the message body
 * @len: its length
 * @offered: the extensions our ClientHello sent
 * @ee: the result, zeroed first
 *
 * A server_name ack must be empty (else decode_error).
 *
 * Return: 0 or an alert error.
 */
int msg_get_encrypted_extensions(const uint8_t *body, size_t len,
				 uint64_t offered,
				 struct msg_encrypted_extensions *ee);

/**
 * msg_put_certificate_request() - write a CertificateRequest
 * @w: writer
 * @cr: context (empty during the handshake); signature_algorithms and
 *      signature_algorithms_cert are always {ecdsa_secp256r1_sha256}
 *
 * Return: 0 or the writer's error.
 */
int msg_put_certificate_request(struct wbuf *w,
				const struct msg_certificate_request *cr);

/**
 * msg_get_certificate_request() - decode a CertificateRequest
 * @body: the message body
 * @len: its length
 * @cr: the result, zeroed first
 *
 * Unknown extensions are ignored (RFC 8446 4.3.2); missing_extension
 * without signature_algorithms.  The state machine checks that the
 * context is empty during the handshake (illegal_parameter) and whether
 * sig_algs has ours (if not, the client has no certificate that suits
 * and answers with an empty Certificate, RFC 8446 4.4.2).
 *
 * Return: 0 or an alert error.
 */
int msg_get_certificate_request(const uint8_t *body, size_t len,
				struct msg_certificate_request *cr);

/**
 * msg_put_certificate() - write a Certificate
 * @w: writer
 * @c: context (the CertificateRequest's, or empty from a server), and n
 *     DER certificates, end-entity first; n may be 0.  No extensions.
 *
 * Return: 0, -EINVAL (n over MSG_CERTS_MAX, an empty certificate), or
 * the writer's error.
 */
int msg_put_certificate(struct wbuf *w, const struct msg_certificate *c);

/**
 * msg_get_certificate() - decode a Certificate
 * @body: the message body; @c->certs point into it
 * @len: its length
 * @offered: extensions the receiver asked for that may come back in the
 *           entries (status_request, signed_certificate_timestamp); 0 here
 * @c: the result, zeroed first
 *
 * Entry extensions are checked (duplicates, section 4.2's table, and
 * unsupported_extension for any not in @offered) and otherwise skipped.
 * An empty list decodes (n = 0): a server treats it as certificate_required,
 * a client as decode_error (RFC 8446 4.4.2.4).  More than MSG_CERTS_MAX
 * entries in a well-formed message: bad_certificate.
 *
 * Return: 0 or an alert error.
 */
int msg_get_certificate(const uint8_t *body, size_t len, uint64_t offered,
			struct msg_certificate *c);

/**
 * msg_put_certificate_verify() - write a CertificateVerify
 * @w: writer
 * @cv: scheme and the DER signature
 *
 * Return: 0 or the writer's error.
 */
int msg_put_certificate_verify(struct wbuf *w,
			       const struct msg_certificate_verify *cv);

/**
 * msg_get_certificate_verify() - decode a CertificateVerify
 * @body: the message body; @cv->sig points into it
 * @len: its length
 * @cv: the result
 *
 * A scheme other than ecdsa_secp256r1_sha256 (the only one we offer) is
 * illegal_parameter; the signature itself is checked by the caller.
 *
 * Return: 0 or an alert error.
 */
int msg_get_certificate_verify(const uint8_t *body, size_t len,
			       struct msg_certificate_verify *cv);

/**
 * msg_put_finished() - write a Finished
 * @w: writer
 * @verify_data: the HMAC
 * @len: the suite's hash length, 32 or 48
 *
 * Return: 0, -EINVAL for another length, or the writer's error.
 */
int msg_put_finished(struct wbuf *w, const uint8_t *verify_data, size_t len);

/**
 * msg_get_finished() - decode a Finished
 * @body: the message body
 * @len: its length
 * @hash_len: the suite's hash length, 32 or 48
 * @verify_data: receives @hash_len bytes; compare them in constant time
 *
 * Return: 0, decode_error if the body is not @hash_len bytes, or -EINVAL
 * for a @hash_len other than 32 or 48.
 */
int msg_get_finished(const uint8_t *body, size_t len, size_t hash_len,
		     uint8_t *verify_data);

/**
 * msg_put_key_update() - write a KeyUpdate
 * @w: writer
 * @request: ask the peer to update too
 *
 * Return: 0 or the writer's error.
 */
int msg_put_key_update(struct wbuf *w, bool request);

/**
 * msg_get_key_update() - decode a KeyUpdate
 * @body: the message body
 * @len: its length
 * @request: whether the peer asks us to update
 *
 * Return: 0, decode_error, or illegal_parameter for a value other than 0
 * or 1 (RFC 8446 4.6.3).
 */
int msg_get_key_update(const uint8_t *body, size_t len, bool *request);

/**
 * msg_get_new_session_ticket() - decode a NewSessionTicket
 * @body: the message body; @t->ticket points into it
 * @len: its length
 * @t: the result, zeroed first
 *
 * Every field is bounds-checked (nonce <0..255>, ticket <1..2^16-1>,
 * extensions as in the file comment, unknown ones ignored).  What the
 * lifetime means (0: discard; over 7 days: at most 7 days) is the
 * caller's.
 *
 * Return: 0 or an alert error.
 */
int msg_get_new_session_ticket(const uint8_t *body, size_t len,
			       struct msg_new_session_ticket *t);

/**
 * msg_put_new_session_ticket() - write a NewSessionTicket
 * @w: writer
 * @t: lifetime, age_add, nonce, ticket (1..2^16-1 bytes); no extensions
 *
 * Return: 0, -EINVAL (no ticket, or one too long), or the writer's error.
 */
int msg_put_new_session_ticket(struct wbuf *w,
			       const struct msg_new_session_ticket *t);

#endif
