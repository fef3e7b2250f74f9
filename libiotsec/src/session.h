/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session: one TLS 1.3 handshake over a connected socket, driven as a
 * state machine (hs.c) by role handlers (client.c, server.c) on top of
 * record I/O (io.c), then handed to kernel TLS.
 */
#ifndef IOTSEC_SESSION_H
#define IOTSEC_SESSION_H

#include <keyutils.h>
#include <stdbool.h>
#include <time.h>

#include "cert.h"
#include "codec.h"
#include "iotsec.h"
#include "keysched.h"
#include "kpp.h"
#include "msg.h"
#include "pem.h"
#include "record.h"
#include "suite.h"
#include "ticket.h"
#include "transcript.h"

struct iotsec_config {
	struct pem_list roots;		/* product root(s), DER */
	struct pem_list chain;		/* own chain, leaf first, DER */
	key_serial_t key;		/* the iotsec key that signs */
	size_t key_sig_max;		/* its max_sig_size, 0 unknown */
	char peer_name[MSG_HOST_MAX + 1];
	bool any_peer;			/* client: no name needed (explicit) */
	char ecdh_alg[64];		/* AF_ALG kpp algorithm */
	unsigned int timeout_ms;
	unsigned int crypto;		/* IOTSEC_CRYPTO_*: backend choice */
	uint16_t suites[MSG_SUITES_MAX];
	uint8_t n_suites;
	time_t (*now)(void);		/* tests may move the clock */
	unsigned int ticket_lifetime;	/* seconds; 0: no resumption at all */
	bool client_tickets;		/* client: keep and offer (opt-in) */
	unsigned int ticket_rotate;	/* server: ticket key interval, s */
	iotsec_resume_fn resume_allow;	/* server: policy, NULL = allow */
	void *resume_arg;
	/* Filled in by sessions, like trust: the server's keys, the client's cache. */
	struct ticket_keys *tkeys;
	struct ticket_cache *tcache;
	/*
	 * The roots' keyring, made by the first session and shared by all
	 * (cert.h): sessions get a const config, and the pointer lets them
	 * fill in what is not part of its value.
	 */
	struct cert_trust *trust;
};

/* config.c: the keyring of cfg's roots, made now if need be */
int config_roots_ring(const struct iotsec_config *cfg, key_serial_t *ring);

/*
 * Early data a server skips (RFC 8446 4.2.10): we never accept it, and
 * skip at most this many bytes of the records that carry it.
 */
#define IO_EARLY_DATA_MAX	65536

/* io_linger(): after our fatal alert, how long and how much we drain. */
#define IO_LINGER_MS		1000
#define IO_LINGER_MAX		(256 * 1024)

/* What the state machine waits for next (client and server). */
enum hs_state {
	EXPECT_CLIENT_HELLO,
	EXPECT_SERVER_HELLO,
	EXPECT_ENCRYPTED_EXTENSIONS,
	EXPECT_CERTIFICATE_REQUEST,	/* or Certificate */
	EXPECT_CERTIFICATE,
	EXPECT_CERTIFICATE_VERIFY,
	EXPECT_FINISHED,
	HS_DONE,
};

struct iotsec_session {
	const struct iotsec_config *cfg;
	int fd;
	bool server;
	enum hs_state state;
	bool hrr_done;			/* one HelloRetryRequest at most */
	bool ccs_seen;			/* the peer's one change_cipher_spec */
	bool peer_auth_requested;	/* client: server sent CertificateRequest */
	bool cr_ecdsa;			/* client: ... listing ecdsa_secp256r1_sha256 */
	bool ktls;			/* keys installed in the kernel */
	bool ktls_tx;			/* ... at least the sending key */
	bool closed;			/* close_notify received */
	bool alert_sent;		/* our last record: close_notify or fatal */
	int fatal;			/* the error alert that ended the session */
	const struct suite *suite;
	uint64_t offered;		/* client: extensions offered */
	struct msg_client_hello ch;	/* client: resent after an HRR;
					 * server: the first, after an HRR */
	size_t early_left;		/* server: early data still skipped */
	uint8_t cr_context[MSG_CONTEXT_MAX];
	uint8_t cr_context_len;
	struct kpp kpp;
	struct keysched ks;
	struct hash_ctx hash;		/* backend choice, AF_ALG handles */
	struct transcript tr;
	struct rec_prot rx, tx;		/* handshake record protection */
	bool rx_on, tx_on;
	struct wbuf hs;			/* received handshake bytes */
	size_t hs_in_hand;		/* of which the message being handled */
	struct wbuf out;		/* records waiting to be written */
	struct cert_peer peer;
	struct wbuf peer_cert;		/* its Certificate body, until linked */
	key_serial_t roots;		/* the config's roots keyring (not ours) */
	unsigned int chip_ops;		/* key operations sent to the kernel */
	bool resumed;			/* psk_dhe_ke with a ticket's PSK */
	bool client_dhe_ke;		/* server: the client allows psk_dhe_ke */
	bool has_peer_id;
	uint8_t peer_id[TICKET_PEER_ID_LEN];	/* SHA-256 of the peer's leaf */
	uint8_t psk[HASH_MAX];		/* the resumption PSK in use */
	struct ticket_entry offer;	/* client: the ticket offered */
	struct ticket_entry got;	/* client: the newest ticket received */
	uint8_t tickets_out;		/* server: tickets sent (the nonce) */
	uint16_t psk_index;		/* server: the identity selected */
	double deadline;		/* CLOCK_MONOTONIC seconds */
};

/* io.c */
int io_send_flush(struct iotsec_session *s);
int io_send_handshake(struct iotsec_session *s, const uint8_t *msg, size_t len);
int io_send_alert(struct iotsec_session *s, uint8_t alert);
void io_linger(struct iotsec_session *s);
int io_peer_alert(const uint8_t *a, size_t len);
int io_control_record(struct iotsec_session *s, uint8_t type,
		      const uint8_t *buf, size_t n);
int io_fail(struct iotsec_session *s, int err);
int io_next_message(struct iotsec_session *s, struct msg_hdr *h);
void io_consume(struct iotsec_session *s, const struct msg_hdr *h);
int io_keys_in(struct iotsec_session *s, const uint8_t *secret);
int io_keys_out(struct iotsec_session *s, const uint8_t *secret);
int io_key_change_ok(struct iotsec_session *s);
double io_now(void);

/* session.c: a KeyUpdate the peer sent, after the handshake */
int session_peer_key_update(struct iotsec_session *s, const struct msg_hdr *h);

/* resume.c: PSK resumption, both roles (RFC 8446 2.2, 4.2.11, 4.6.1) */
int resume_offer(struct iotsec_session *s);
void resume_after_hrr(struct iotsec_session *s);
int resume_put_binder(struct iotsec_session *s, struct wbuf *ch);
int resume_server_choose(struct iotsec_session *s,
			 const struct msg_client_hello *ch,
			 const struct msg_hdr *h);
int resume_client_accepted(struct iotsec_session *s,
			   const struct msg_server_hello *sh);
int resume_secret(struct iotsec_session *s);
int resume_ticket_message(struct iotsec_session *s, struct wbuf *m);
int resume_send_ticket(struct iotsec_session *s);
int resume_ticket_in(struct iotsec_session *s, const struct msg_hdr *h);
int resume_peer_id(struct iotsec_session *s, const uint8_t *leaf, size_t len);

/* hs.c */
int hs_run(struct iotsec_session *s);
int hs_loop(struct iotsec_session *s);	/* hs_run() after ClientHello */
int hs_add(struct iotsec_session *s, const struct msg_hdr *h);
int hs_send(struct iotsec_session *s, struct wbuf *msg);
int hs_thash(struct iotsec_session *s, uint8_t *out);
int hs_send_finished(struct iotsec_session *s, const uint8_t *secret);
int hs_finished_out(struct iotsec_session *s);
int hs_on_finished(struct iotsec_session *s, const struct msg_hdr *h,
		   const uint8_t *secret);
int hs_send_auth(struct iotsec_session *s);
int hs_on_certificate(struct iotsec_session *s, const struct msg_hdr *h);
int hs_on_certificate_verify(struct iotsec_session *s, const struct msg_hdr *h);
int hs_share(struct iotsec_session *s, uint8_t share[MSG_P256_SHARE_LEN]);
int hs_derive(struct iotsec_session *s, const uint8_t *peer_share);
int hs_to_kernel(struct iotsec_session *s);
void hs_send_failure_alert(struct iotsec_session *s, int err);

/* client.c, server.c: one handler per state, the dispatcher's cases */
int client_start(struct iotsec_session *s);
/* our ClientHello (its PSK binder too) into the out buffer, not flushed */
int client_send_hello(struct iotsec_session *s);
int client_step(struct iotsec_session *s, const struct msg_hdr *h);
int server_step(struct iotsec_session *s, const struct msg_hdr *h);

#endif
