// SPDX-License-Identifier: GPL-2.0
/*
 * Alerts by the book (RFC 8446 section 6), on the host: a session is set
 * up by hand on one end of a socketpair, the code under test sends or
 * takes an alert, and the other end checks the bytes and which key opens
 * them.
 *
 *  - every alert of RFC 8446's registry has its name;
 *  - after its Finished the server sends under its application traffic
 *    key (4.4.4, 7.1), the client too: an alert about the peer's flight
 *    opens with that key and not with the handshake key;
 *  - records already queued go out before the alert (a ServerHello the
 *    client needs to read the alert), and no alert is sent twice;
 *  - after the handshake: close_notify ends the data, user_canceled is a
 *    closure that waits for it, the level byte is ignored, an unknown
 *    alert is an error, and after a fatal alert every read fails and no
 *    close_notify follows;
 *  - record rules around them (RFC 8446 5, 5.1, 4.6.1): change_cipher_spec
 *    dropped once, never before the first ClientHello; no zero-length
 *    handshake record; nothing after the peer's Finished in its record at
 *    the hand-over to kTLS; no NewSessionTicket from a client.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iotsec.h"
#include "internal.h"
#include "session.h"
#include "hs_session.h"
#include "kselftest_harness.h"

#define SENT(a)	IOTSEC_ALERT_ERR(IOTSEC_ALERT_##a)
#define RECV(a)	IOTSEC_PEER_ALERT_ERR(IOTSEC_ALERT_##a)

/* A session on sv[0]; the peer's end is *peer. */
static struct iotsec_session *session_on(bool server, int *peer)
{
	static struct iotsec_config cfg = { .timeout_ms = 10000 };

	return hs_session_on(&cfg, server, peer);
}

/* A session on sv[0] with the made-up handshake secrets (hs_session.h). */
static struct iotsec_session *keyed_on(bool server, int *peer)
{
	struct iotsec_session *s = session_on(server, peer);

	if (s && hs_session_handshake_keys(s)) {
		hs_session_end(s, *peer);
		return NULL;
	}
	return s;
}

/*
 * A client session past its handshake: s->ktls set, and with no kTLS on a
 * socketpair its records go in the clear.
 */
static struct iotsec_session *past_handshake_on(int *peer)
{
	struct iotsec_session *s = session_on(false, peer);

	if (s)
		s->ktls = true;
	return s;
}

/*
 * After a fatal alert, @err: data still in the socket is not delivered,
 * every read returns @err, and close sends nothing.
 */
/* tail: what the peer reads at the end (0: end of stream, -1: nothing) */
static void expect_dead(struct __test_metadata *_metadata,
			struct iotsec_session *s, int peer, int err, int tail)
{
	uint8_t buf[64];

	ASSERT_EQ(5, write(peer, "data!", 5));
	EXPECT_EQ(err, iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(err, iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, iotsec_session_close(s));
	EXPECT_EQ(tail, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
}

/* Reads one record (header and body) from fd; returns its body length. */
static ssize_t read_record(int fd, uint8_t hdr[5], uint8_t *body)
{
	size_t len;

	if (recv(fd, hdr, 5, MSG_WAITALL | MSG_DONTWAIT) != 5)
		return -1;
	len = hdr[3] << 8 | hdr[4];
	if (recv(fd, body, len, MSG_WAITALL | MSG_DONTWAIT) != (ssize_t)len)
		return -1;
	return len;
}

/* Opens a record with the traffic key of secret, sequence seq. */
static int open_with(struct iotsec_session *s, const uint8_t *secret,
		     uint64_t seq, const uint8_t hdr[5], const uint8_t *body,
		     size_t len, uint8_t *type, struct wbuf *pt)
{
	struct rec_prot rp = { 0 };
	uint8_t key[32], iv[12];
	int ret;

	ret = ks_traffic_key(&s->hash, s->suite->hash, secret, key,
			     s->suite->keylen, iv);
	if (!ret)
		ret = rec_prot_init(&rp, &s->hash, s->suite, key, iv);
	rp.seq = seq;
	if (!ret)
		ret = rec_open(&rp, hdr, body, len, type, pt);
	rec_prot_wipe(&rp);
	return ret;
}

/* The text of an alert record: a fatal alert @alert, nothing more. */
static void expect_fatal_alert(struct __test_metadata *_metadata, uint8_t type,
			       const struct wbuf *pt, int alert)
{
	EXPECT_EQ(TLS_CT_ALERT, type);
	ASSERT_EQ(2, pt->len);
	EXPECT_EQ(2, pt->base[0]);		/* fatal */
	EXPECT_EQ(alert, pt->base[1]);
}

/*
 * The session's role sends its Finished (hs_finished_out) under its
 * handshake key, then an alert: the alert must open with the role's
 * application traffic key at sequence 0, and not with the handshake key.
 */
static void finished_then_alert(struct __test_metadata *_metadata,
				bool server, int alert)
{
	uint8_t hdr[5], body[TLS_MAX_CIPHERTEXT], type = 0;
	const uint8_t *hs_secret, *ap_secret;
	struct iotsec_session *s;
	struct wbuf pt;
	ssize_t len;
	int peer;

	s = keyed_on(server, &peer);
	ASSERT_NE(NULL, s);
	hs_secret = server ? s->ks.s_hs : s->ks.c_hs;
	ap_secret = server ? s->ks.s_ap : s->ks.c_ap;
	/* The client derived its application secrets before its Finished. */
	if (!server) {
		uint8_t th[HASH_MAX];

		ASSERT_EQ(0, hs_thash(s, th));
		ASSERT_EQ(0, ks_master(&s->ks, &s->hash, th));
	}
	ASSERT_EQ(0, io_keys_out(s, hs_secret));
	ASSERT_EQ(0, hs_finished_out(s));
	hs_send_failure_alert(s, IOTSEC_ALERT_ERR(alert));

	wbuf_init(&pt, 0);
	/* First the Finished, under the handshake key. */
	len = read_record(peer, hdr, body);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, open_with(s, hs_secret, 0, hdr, body, len, &type, &pt));
	EXPECT_EQ(TLS_CT_HANDSHAKE, type);
	EXPECT_EQ(MSG_FINISHED, pt.base[0]);
	/* Then the alert: not the handshake key, the application key. */
	len = read_record(peer, hdr, body);
	ASSERT_LT(0, len);
	wbuf_reset(&pt);
	EXPECT_EQ(SENT(BAD_RECORD_MAC),
		  open_with(s, hs_secret, 1, hdr, body, len, &type, &pt));
	wbuf_reset(&pt);
	ASSERT_EQ(0, open_with(s, ap_secret, 0, hdr, body, len, &type, &pt));
	expect_fatal_alert(_metadata, type, &pt, alert);
	/* Nothing else. */
	EXPECT_EQ(-1, recv(peer, body, 1, MSG_DONTWAIT));
	wbuf_wipe(&pt);
	hs_session_end(s, peer);
}

TEST(server_alert_after_its_finished_is_under_its_application_key)
{
	finished_then_alert(_metadata, true, IOTSEC_ALERT_CERTIFICATE_REQUIRED);
}

TEST(client_alert_after_its_finished_is_under_its_application_key)
{
	finished_then_alert(_metadata, false, IOTSEC_ALERT_INTERNAL_ERROR);
}

/*
 * A failure while the server's flight is queued: the ServerHello and the
 * records after it go out first (the client needs the ServerHello to read
 * anything protected), then the alert under the handshake key.
 */
TEST(queued_flight_goes_out_before_the_alert)
{
	static const uint8_t sh[] = { MSG_SERVER_HELLO, 0, 0, 2, 0x51, 0x52 };
	uint8_t hdr[5], body[TLS_MAX_CIPHERTEXT], type = 0;
	struct iotsec_session *s;
	struct wbuf pt;
	ssize_t len;
	int peer;

	s = keyed_on(true, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, io_send_handshake(s, sh, sizeof(sh)));	/* in the clear */
	ASSERT_EQ(0, io_keys_out(s, s->ks.s_hs));
	hs_send_failure_alert(s, -EIO);		/* a local failure */

	len = read_record(peer, hdr, body);
	ASSERT_EQ((ssize_t)sizeof(sh), len);
	EXPECT_EQ(TLS_CT_HANDSHAKE, hdr[0]);
	EXPECT_EQ(0, memcmp(sh, body, sizeof(sh)));
	len = read_record(peer, hdr, body);
	ASSERT_LT(0, len);
	EXPECT_EQ(TLS_CT_APPLICATION_DATA, hdr[0]);
	wbuf_init(&pt, 0);
	ASSERT_EQ(0, open_with(s, s->ks.s_hs, 0, hdr, body, len, &type, &pt));
	expect_fatal_alert(_metadata, type, &pt, IOTSEC_ALERT_INTERNAL_ERROR);
	wbuf_wipe(&pt);
	hs_session_end(s, peer);
}

/*
 * A ServerHello queued whose keys never came (the chip's ECDH failed):
 * the peer would take it and then read only protected records, so it
 * stays here and the alert goes alone, in the clear.
 */
TEST(server_hello_without_its_keys_stays_behind_the_alert)
{
	static const uint8_t sh[] = { MSG_SERVER_HELLO, 0, 0, 2, 0x51, 0x52 };
	static const uint8_t want[7] = { TLS_CT_ALERT, 3, 3, 0, 2, 2,
					 IOTSEC_ALERT_INTERNAL_ERROR };
	struct iotsec_session *s;
	uint8_t buf[64];
	int peer;

	s = session_on(true, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, io_send_handshake(s, sh, sizeof(sh)));
	hs_send_failure_alert(s, -EIO);
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(want, buf, 7));
	hs_session_end(s, peer);
}

/* Before any key: in the clear; and one alert only, whatever follows. */
TEST(one_alert_only_in_the_clear_before_keys)
{
	uint8_t buf[64];
	struct iotsec_session *s;
	int peer;

	s = session_on(true, &peer);
	ASSERT_NE(NULL, s);
	hs_send_failure_alert(s, SENT(PROTOCOL_VERSION));
	hs_send_failure_alert(s, SENT(DECODE_ERROR));
	EXPECT_EQ(0, io_send_alert(s, IOTSEC_ALERT_CLOSE_NOTIFY));
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(TLS_CT_ALERT, buf[0]);
	EXPECT_EQ(2, buf[4]);
	EXPECT_EQ(2, buf[5]);
	EXPECT_EQ(IOTSEC_ALERT_PROTOCOL_VERSION, buf[6]);
	hs_session_end(s, peer);
}

/* An alert from the peer in the clear after our read key changed. */
TEST(plaintext_alert_after_our_read_key_is_the_peers)
{
	static const uint8_t rec[] = { TLS_CT_ALERT, 3, 3, 0, 2, 2,
				       IOTSEC_ALERT_ILLEGAL_PARAMETER };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = keyed_on(true, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, io_keys_in(s, s->ks.c_hs));
	ASSERT_EQ((ssize_t)sizeof(rec), write(peer, rec, sizeof(rec)));
	EXPECT_EQ(RECV(ILLEGAL_PARAMETER), io_next_message(s, &h));
	hs_session_end(s, peer);
}

/* After the handshake: closure alerts, error alerts, the level ignored. */
TEST(closure_alerts_and_error_alerts_after_the_handshake)
{
	static const uint8_t warn_canceled[2] = { 1, IOTSEC_ALERT_USER_CANCELED };
	static const uint8_t fatal_close[2] = { 2, IOTSEC_ALERT_CLOSE_NOTIFY };
	static const uint8_t warn_failure[2] = { 1, IOTSEC_ALERT_HANDSHAKE_FAILURE };
	static const uint8_t unknown[2] = { 1, 99 };
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	/* user_canceled: a closure, its close_notify still to come */
	EXPECT_EQ(0, io_control_record(s, TLS_CT_ALERT, warn_canceled, 2));
	EXPECT_FALSE(s->closed);
	EXPECT_EQ(0, s->fatal);
	/* close_notify, whatever its level byte says */
	EXPECT_EQ(0, io_control_record(s, TLS_CT_ALERT, fatal_close, 2));
	EXPECT_TRUE(s->closed);
	EXPECT_EQ(0, s->fatal);
	hs_session_end(s, peer);

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	/* an error alert at warning level is an error all the same */
	EXPECT_EQ(RECV(HANDSHAKE_FAILURE),
		  io_control_record(s, TLS_CT_ALERT, warn_failure, 2));
	EXPECT_EQ(RECV(HANDSHAKE_FAILURE), s->fatal);
	hs_session_end(s, peer);

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	/* an alert we do not know: an error (RFC 8446 6.2) */
	EXPECT_EQ(IOTSEC_PEER_ALERT_ERR(99),
		  io_control_record(s, TLS_CT_ALERT, unknown, 2));
	EXPECT_EQ(IOTSEC_PEER_ALERT_ERR(99), s->fatal);
	hs_session_end(s, peer);
}

/*
 * A record that makes us send a fatal alert after the handshake: the alert
 * goes out once, every later read returns the same error (data still in
 * the socket is not delivered), and close sends nothing more.
 */
TEST(after_our_fatal_alert_reads_fail_and_nothing_follows)
{
	static const uint8_t bad[3] = { 1, 0, 0 };	/* an alert of 3 bytes */
	uint8_t buf[64];
	struct iotsec_session *s;
	int peer;

	s = past_handshake_on(&peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(DECODE_ERROR), io_control_record(s, TLS_CT_ALERT, bad, 3));
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(IOTSEC_ALERT_DECODE_ERROR, buf[6]);
	/* Only the end of the stream follows (io_linger shut our side). */
	expect_dead(_metadata, s, peer, SENT(DECODE_ERROR), 0);
	hs_session_end(s, peer);
}

/* The peer's fatal alert: later reads fail too, not "closed" (0). */
TEST(after_the_peers_fatal_alert_reads_fail)
{
	static const uint8_t a[2] = { 2, IOTSEC_ALERT_BAD_CERTIFICATE };
	struct iotsec_session *s;
	int peer;

	s = past_handshake_on(&peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(RECV(BAD_CERTIFICATE), io_control_record(s, TLS_CT_ALERT, a, 2));
	expect_dead(_metadata, s, peer, RECV(BAD_CERTIFICATE), -1);
	hs_session_end(s, peer);
}

/* close_notify once, however often the application asks. */
TEST(close_notify_once)
{
	uint8_t buf[64];
	struct iotsec_session *s;
	int peer;

	s = past_handshake_on(&peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, iotsec_session_close(s));
	EXPECT_EQ(0, iotsec_session_close(s));
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(1, buf[5]);	/* warning */
	EXPECT_EQ(0, buf[6]);
	hs_session_end(s, peer);
}

/* RFC 8446 section 6: every alert of the registry has its name. */
TEST(every_alert_of_the_registry_is_named)
{
	static const struct { int code; const char *name; } reg[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" },
		{ 20, "bad_record_mac" }, { 21, "decryption_failed_RESERVED" },
		{ 22, "record_overflow" }, { 30, "decompression_failure_RESERVED" },
		{ 40, "handshake_failure" }, { 41, "no_certificate_RESERVED" },
		{ 42, "bad_certificate" }, { 43, "unsupported_certificate" },
		{ 44, "certificate_revoked" }, { 45, "certificate_expired" },
		{ 46, "certificate_unknown" }, { 47, "illegal_parameter" },
		{ 48, "unknown_ca" }, { 49, "access_denied" },
		{ 50, "decode_error" }, { 51, "decrypt_error" },
		{ 60, "export_restriction_RESERVED" }, { 70, "protocol_version" },
		{ 71, "insufficient_security" }, { 80, "internal_error" },
		{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
		{ 100, "no_renegotiation_RESERVED" }, { 109, "missing_extension" },
		{ 110, "unsupported_extension" },
		{ 111, "certificate_unobtainable_RESERVED" },
		{ 112, "unrecognized_name" },
		{ 113, "bad_certificate_status_response" },
		{ 114, "bad_certificate_hash_value_RESERVED" },
		{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
		{ 120, "no_application_protocol" },
	};
	char want[80];
	size_t i;

	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		snprintf(want, sizeof(want), "TLS alert from peer: %s", reg[i].name);
		EXPECT_STREQ(want, iotsec_strerror(IOTSEC_PEER_ALERT_ERR(reg[i].code)));
		snprintf(want, sizeof(want), "TLS alert sent: %s", reg[i].name);
		EXPECT_STREQ(want, iotsec_strerror(IOTSEC_ALERT_ERR(reg[i].code)));
	}
}

/* A plaintext change_cipher_spec record. */
static const uint8_t ccs[] = { TLS_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };

/* A server takes no change_cipher_spec before the first ClientHello. */
TEST(change_cipher_spec_before_the_client_hello_is_unexpected)
{
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = session_on(true, &peer);
	ASSERT_NE(NULL, s);
	s->state = EXPECT_CLIENT_HELLO;
	ASSERT_EQ((ssize_t)sizeof(ccs), write(peer, ccs, sizeof(ccs)));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	hs_session_end(s, peer);
}

/* One is dropped (middlebox compatibility, D.4); a second is not. */
TEST(change_cipher_spec_is_dropped_once)
{
	static const uint8_t ee[] = { TLS_CT_HANDSHAKE, 3, 3, 0, 6,
				      MSG_ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ((ssize_t)sizeof(ccs), write(peer, ccs, sizeof(ccs)));
	ASSERT_EQ((ssize_t)sizeof(ee), write(peer, ee, sizeof(ee)));
	ASSERT_EQ(0, io_next_message(s, &h));
	EXPECT_EQ(MSG_ENCRYPTED_EXTENSIONS, h.type);
	io_consume(s, &h);
	ASSERT_EQ((ssize_t)sizeof(ccs), write(peer, ccs, sizeof(ccs)));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	hs_session_end(s, peer);
}

/* RFC 8446 5.1: the peer's Finished ends its record; kTLS gets nothing. */
TEST(bytes_after_the_peers_finished_are_refused_at_the_handover)
{
	uint8_t fin[4 + 32 + 5] = { MSG_FINISHED, 0, 0, 32 };
	struct iotsec_session *s;
	int peer;

	s = keyed_on(true, &peer);
	ASSERT_NE(NULL, s);
	fin[36] = MSG_KEY_UPDATE;	/* in the same record, after it */
	wbuf_put(&s->hs, fin, sizeof(fin));
	s->hs_in_hand = 36;
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), hs_to_kernel(s));
	EXPECT_FALSE(s->ktls_tx);
	hs_session_end(s, peer);
}

/* After the handshake: no zero-length handshake record, no client ticket. */
TEST(zero_length_handshake_record_and_client_ticket_are_unexpected)
{
	static const uint8_t nst[] = { MSG_NEW_SESSION_TICKET, 0, 0, 14,
				       0, 0, 0, 60, 0, 0, 0, 0, 0,
				       0, 1, 0xaa, 0, 0 };
	uint8_t none[1] = { 0 };
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, io_control_record(s, TLS_CT_HANDSHAKE, nst, sizeof(nst)));
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE),
		  io_control_record(s, TLS_CT_HANDSHAKE, none, 0));
	hs_session_end(s, peer);

	s = session_on(true, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE),
		  io_control_record(s, TLS_CT_HANDSHAKE, nst, sizeof(nst)));
	hs_session_end(s, peer);
}

TEST_HARNESS_MAIN
