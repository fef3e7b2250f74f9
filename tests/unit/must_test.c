// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 8446 MUSTs of the record layer and the handshake, on the host (the
 * rows of the audit table in Documentation/libiotsec.rst that name this
 * file): a session is set up by hand on one end of a socketpair, the peer's
 * records are written to the other end, protected with the keys the
 * session reads with, and the session's answer is checked.
 *
 *  - a protected record whose TLSInnerPlaintext (padding included) is over
 *    2^14 + 1 bytes is record_overflow (5.4), one of exactly 2^14 + 1 is not;
 *  - a message that cannot be buffered is an error, not a wait (the
 *    handshake used to read again until its time limit);
 *  - a resuming client's early data is skipped, not fatal (4.2.10): the
 *    records that do not open with the handshake key, or after our
 *    HelloRetryRequest the application_data records before the second
 *    ClientHello, up to 64 KiB;
 *  - the second ClientHello is the first one but for the one secp256r1
 *    share (4.1.2, 4.2.8): a changed random, a cookie we did not send, no
 *    share or two, early_data again are illegal_parameter;
 *  - after our fatal alert (6.2) the write side is shut after it and what
 *    the peer still sends is drained, bounded in time, so that the
 *    application's close() sends no RST ahead of the alert;
 *  - no other record between the records of one handshake message (5.1):
 *    a change_cipher_spec during the handshake, data after it;
 *  - the record rows of the audit table: a plaintext record over 2^14 and
 *    a protected one over 2^14 + 256 are record_overflow (5.1, 5.2); an
 *    inner plaintext of zeros only (5.4), a change_cipher_spec of another
 *    value or under protection (5), a zero-length handshake record in the
 *    clear (5.1), a message across a key change (5.1) are
 *    unexpected_message; an alert record not of 2 bytes is decode_error.
 */
#include <errno.h>
#include <stdio.h>
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

static struct iotsec_session *session_on(bool server, int *peer)
{
	static struct iotsec_config cfg = { .timeout_ms = 10000 };

	return hs_session_on(&cfg, server, peer);
}

/* The peer's write protection for the traffic secret the session reads. */
static int peer_prot(struct iotsec_session *s, const uint8_t *secret,
		     struct rec_prot *rp)
{
	uint8_t key[32], iv[12];
	int ret;

	ret = ks_traffic_key(&s->hash, s->suite->hash, secret, key,
			     s->suite->keylen, iv);
	if (!ret)
		ret = rec_prot_init(rp, &s->hash, s->suite, key, iv);
	return ret;
}

/* The server reading the client's handshake-key records. */
static struct iotsec_session *reading_server(int *peer, struct rec_prot *rp)
{
	struct iotsec_session *s = session_on(true, peer);

	if (!s)
		return NULL;
	if (hs_session_handshake_keys(s) || io_keys_in(s, s->ks.c_hs) ||
	    peer_prot(s, s->ks.c_hs, rp)) {
		hs_session_end(s, *peer);
		return NULL;
	}
	s->state = EXPECT_CERTIFICATE;
	return s;
}

/* Writes a record sealed by hand: inner is content, type and padding. */
static int send_inner(int peer, struct rec_prot *rp, const uint8_t *inner,
		      size_t n)
{
	size_t total = TLS_RECORD_HDR + n + TLS_TAG_SIZE;
	uint8_t *buf = malloc(total), iv[12];
	int i, ret;

	if (!buf)
		return -ENOMEM;
	buf[0] = TLS_CT_APPLICATION_DATA;
	buf[1] = buf[2] = 3;
	buf[3] = (n + TLS_TAG_SIZE) >> 8;
	buf[4] = (n + TLS_TAG_SIZE) & 0xff;
	memcpy(buf + TLS_RECORD_HDR, inner, n);
	memcpy(iv, rp->iv, 12);
	for (i = 0; i < 8; i++)
		iv[11 - i] ^= (rp->seq >> (8 * i)) & 0xff;
	ret = rec_ossl_seal(rp, iv, buf, n);
	if (!ret && write(peer, buf, total) != (ssize_t)total)
		ret = -EIO;
	rp->seq++;
	free(buf);
	return ret;
}

/* Inner plaintext: a partial Certificate, its type byte, then zeros. */
static int send_padded(int peer, struct rec_prot *rp, size_t content,
		       size_t inner)
{
	uint8_t *p = calloc(1, inner);
	int ret;

	if (!p)
		return -ENOMEM;
	p[0] = MSG_CERTIFICATE;
	p[1] = 0;
	p[2] = 0x40;		/* 16 KiB: more follows */
	p[content] = TLS_CT_HANDSHAKE;
	ret = send_inner(peer, rp, p, inner);
	free(p);
	return ret;
}

/* RFC 8446 5.4: TLSInnerPlaintext, padding included, <= 2^14 + 1. */
TEST(inner_plaintext_over_2_14_plus_1_is_record_overflow)
{
	struct rec_prot rp = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	/* 100 bytes of message, padded to 2^14 + 2: too long. */
	ASSERT_EQ(0, send_padded(peer, &rp, 100, TLS_MAX_PLAINTEXT + 2));
	EXPECT_EQ(SENT(RECORD_OVERFLOW), io_next_message(s, &h));
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);

	/* Exactly 2^14 + 1, content and type alone: taken. */
	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, send_padded(peer, &rp, TLS_MAX_PLAINTEXT,
				 TLS_MAX_PLAINTEXT + 1));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(-ECONNRESET, io_next_message(s, &h));
	EXPECT_EQ(TLS_MAX_PLAINTEXT, s->hs.len);
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

/*
 * A protected handshake record that cannot be buffered (here: past the
 * reassembly limit, the same path as an allocation that fails) is that
 * error at once; it used to read as "nothing yet", and the handshake
 * waited for more until its time limit.
 */
TEST(message_that_cannot_be_buffered_is_an_error_not_a_wait)
{
	struct rec_prot rp = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	s->hs.max = 64;
	ASSERT_EQ(0, send_padded(peer, &rp, 100, 101));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(-EMSGSIZE, io_next_message(s, &h));
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}


/* The server, waiting after ClientHello and early data: skips it. */
TEST(early_data_under_a_key_we_never_made_is_skipped)
{
	static const uint8_t fin[] = { MSG_FINISHED, 0, 0, 1, 0xaa,
				       TLS_CT_HANDSHAKE };
	uint8_t junk[1000];
	struct rec_prot rp = { 0 }, early = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer, i;

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	s->early_left = IO_EARLY_DATA_MAX;
	/* "Early" records: protected with a key the server does not have. */
	ASSERT_EQ(0, peer_prot(s, s->ks.s_hs, &early));
	memset(junk, 0x5a, sizeof(junk));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_inner(peer, &early, junk, sizeof(junk)));
	ASSERT_EQ(0, send_inner(peer, &rp, fin, sizeof(fin)));
	ASSERT_EQ(0, io_next_message(s, &h));
	EXPECT_EQ(MSG_FINISHED, h.type);
	EXPECT_EQ(1, h.len);
	/* Skipping ended with the first record that opened. */
	EXPECT_EQ(0, s->early_left);
	io_consume(s, &h);
	ASSERT_EQ(0, send_inner(peer, &early, junk, sizeof(junk)));
	EXPECT_EQ(SENT(BAD_RECORD_MAC), io_next_message(s, &h));
	rec_prot_wipe(&early);
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

/* Bounded: past 64 KiB an early record is the bad record it is. */
TEST(early_data_is_skipped_up_to_64_kib)
{
	static uint8_t junk[TLS_MAX_PLAINTEXT];
	struct rec_prot rp = { 0 }, early = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer, i;

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	s->early_left = IO_EARLY_DATA_MAX;
	ASSERT_EQ(0, peer_prot(s, s->ks.s_hs, &early));
	/* Five records of 16 KiB: past 64 KiB at the fifth. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, send_inner(peer, &early, junk, sizeof(junk)));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(SENT(BAD_RECORD_MAC), io_next_message(s, &h));
	rec_prot_wipe(&early);
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

/* A server in its first state, with the default configuration. */
static struct iotsec_session *hello_server(struct iotsec_config **cfg,
					   int *peer)
{
	struct iotsec_session *s;

	if (iotsec_config_new(cfg))
		return NULL;
	s = hs_session_on(*cfg, true, peer);
	if (s)
		s->state = EXPECT_CLIENT_HELLO;
	return s;
}

/* The client's hello; early adds an empty early_data extension last. */
static int client_hello(const struct msg_client_hello *ch, bool early,
			struct wbuf *w)
{
	static const uint8_t ed[4] = { 0, MSG_EXT_EARLY_DATA, 0, 0 };
	size_t x = MSG_HDR_LEN + 2 + MSG_RANDOM_LEN + 1 + ch->session_id_len +
		   2 + 2 * (ch->n_suites ? ch->n_suites : MSG_SUITES_MAX) + 2;
	size_t n;
	int ret;

	wbuf_init(w, 0);
	ret = msg_put_client_hello(w, ch);
	if (ret || !early)
		return ret;
	wbuf_put(w, ed, sizeof(ed));
	n = (w->base[x] << 8 | w->base[x + 1]) + sizeof(ed);
	w->base[x] = n >> 8;
	w->base[x + 1] = n & 0xff;
	n = w->len - MSG_HDR_LEN;
	w->base[1] = n >> 16;
	w->base[2] = n >> 8;
	w->base[3] = n & 0xff;
	return w->err;
}

/* Hands the server one ClientHello; returns its step's result. */
static int hello_to(struct iotsec_session *s, const struct msg_client_hello *ch,
		    bool early)
{
	struct msg_hdr h;
	struct wbuf m;
	int ret = client_hello(ch, early, &m);

	if (!ret && msg_next(m.base, m.len, &h) != 1)
		ret = -EBADMSG;
	if (!ret)
		ret = server_step(s, &h);
	wbuf_wipe(&m);
	return ret;
}

static void first_hello(struct msg_client_hello *ch)
{
	memset(ch, 0, sizeof(*ch));
	memset(ch->random, 0x11, sizeof(ch->random));
	ch->session_id_len = 32;
	memset(ch->session_id, 0x33, 32);
	snprintf(ch->server_name, sizeof(ch->server_name), "server.test");
}

/* A ClientHello without a share but with early_data: HRR, then skipping. */
TEST(early_data_before_the_second_client_hello_is_skipped)
{
	static const uint8_t early[] = { TLS_CT_APPLICATION_DATA, 3, 3, 0, 4,
					 1, 2, 3, 4 };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct msg_client_hello ch;
	struct wbuf m;
	struct msg_hdr h;
	uint8_t hdr[5];
	int peer;

	s = hello_server(&cfg, &peer);
	ASSERT_NE(NULL, s);
	first_hello(&ch);
	ASSERT_EQ(0, hello_to(s, &ch, true));
	EXPECT_TRUE(s->hrr_done);
	EXPECT_EQ(IO_EARLY_DATA_MAX, s->early_left);
	wbuf_reset(&s->out);
	/* Two early records, then the second hello. */
	ASSERT_EQ((ssize_t)sizeof(early), write(peer, early, sizeof(early)));
	ASSERT_EQ((ssize_t)sizeof(early), write(peer, early, sizeof(early)));
	ch.key_share.has_p256 = true;
	memset(ch.key_share.p256, 0x22, sizeof(ch.key_share.p256));
	ch.key_share.p256[0] = 0x04;
	ASSERT_EQ(0, client_hello(&ch, false, &m));
	hdr[0] = TLS_CT_HANDSHAKE;
	hdr[1] = hdr[2] = 3;
	hdr[3] = m.len >> 8;
	hdr[4] = m.len & 0xff;
	ASSERT_EQ(5, write(peer, hdr, 5));
	ASSERT_EQ((ssize_t)m.len, write(peer, m.base, m.len));
	wbuf_wipe(&m);
	ASSERT_EQ(0, io_next_message(s, &h));
	EXPECT_EQ(MSG_CLIENT_HELLO, h.type);
	EXPECT_EQ(IO_EARLY_DATA_MAX - 8, s->early_left);
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
}

/* Without early_data in the hello, such a record is unexpected. */
TEST(application_data_before_the_client_hello_is_unexpected)
{
	static const uint8_t early[] = { TLS_CT_APPLICATION_DATA, 3, 3, 0, 4,
					 1, 2, 3, 4 };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct msg_client_hello ch;
	struct msg_hdr h;
	int peer;

	s = hello_server(&cfg, &peer);
	ASSERT_NE(NULL, s);
	first_hello(&ch);
	ASSERT_EQ(0, hello_to(s, &ch, false));
	EXPECT_EQ(0, s->early_left);
	ASSERT_EQ((ssize_t)sizeof(early), write(peer, early, sizeof(early)));
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
}

FIXTURE(retry)
{
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct msg_client_hello ch;
	int peer;
};

FIXTURE_VARIANT(retry)
{
	int change;		/* what the second hello changes */
	int want;		/* 1: illegal_parameter; 0: not refused */
};

enum { SAME, RANDOM, SESSION_ID, NAME, SUITES, COOKIE, NO_SHARE, EARLY };

FIXTURE_VARIANT_ADD(retry, same_with_share) { .change = SAME };
FIXTURE_VARIANT_ADD(retry, random) { .change = RANDOM, .want = 1 };
FIXTURE_VARIANT_ADD(retry, session_id) { .change = SESSION_ID, .want = 1 };
FIXTURE_VARIANT_ADD(retry, server_name) { .change = NAME, .want = 1 };
FIXTURE_VARIANT_ADD(retry, suites) { .change = SUITES, .want = 1 };
FIXTURE_VARIANT_ADD(retry, cookie_we_never_sent) { .change = COOKIE, .want = 1 };
FIXTURE_VARIANT_ADD(retry, still_no_share) { .change = NO_SHARE, .want = 1 };
FIXTURE_VARIANT_ADD(retry, early_data_again) { .change = EARLY, .want = 1 };

FIXTURE_SETUP(retry)
{
	self->s = hello_server(&self->cfg, &self->peer);
	ASSERT_NE(NULL, self->s);
	first_hello(&self->ch);
	ASSERT_EQ(0, hello_to(self->s, &self->ch, false));
	ASSERT_TRUE(self->s->hrr_done);
	wbuf_reset(&self->s->out);
}

FIXTURE_TEARDOWN(retry)
{
	hs_session_end(self->s, self->peer);
	iotsec_config_free(self->cfg);
}

TEST_F(retry, second_client_hello_is_the_first_but_for_the_share)
{
	struct msg_client_hello ch = self->ch;
	int ret;

	ch.key_share.has_p256 = variant->change != NO_SHARE;
	memset(ch.key_share.p256, 0x22, sizeof(ch.key_share.p256));
	ch.key_share.p256[0] = 0x04;
	if (variant->change == RANDOM)
		ch.random[31] ^= 1;
	if (variant->change == SESSION_ID)
		ch.session_id_len = 0;
	if (variant->change == NAME)
		snprintf(ch.server_name, sizeof(ch.server_name), "other.test");
	if (variant->change == SUITES) {
		ch.n_suites = 1;
		ch.suites[0] = TLS_AES_128_GCM_SHA256;
	}
	if (variant->change == COOKIE) {
		ch.cookie_len = 8;
		memset(ch.cookie, 0xc0, 8);
	}
	ret = hello_to(self->s, &ch, variant->change == EARLY);
	if (variant->want) {
		EXPECT_EQ(SENT(ILLEGAL_PARAMETER), ret);
	} else {	/* past the checks: on the host the kpp socket fails */
		EXPECT_NE(SENT(ILLEGAL_PARAMETER), ret);
	}
	EXPECT_EQ(variant->want ? EXPECT_CLIENT_HELLO : EXPECT_CERTIFICATE,
		  self->s->state);
}

/* The peer sent more and closed: drained, and the alert then the end. */
TEST(after_our_fatal_alert_we_shut_and_drain)
{
	static uint8_t more[3000];
	uint8_t buf[64];
	struct iotsec_session *s;
	double t0;
	int peer;

	s = session_on(true, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ((ssize_t)sizeof(more), write(peer, more, sizeof(more)));
	shutdown(peer, SHUT_WR);
	ASSERT_EQ(0, io_send_alert(s, IOTSEC_ALERT_DECODE_ERROR));
	t0 = io_now();
	io_linger(s);
	EXPECT_GT(0.5, io_now() - t0);
	/* Nothing left unread on our side: close() sends no RST. */
	EXPECT_EQ(0, recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT));
	/* The peer reads the alert, then the end of the stream. */
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(IOTSEC_ALERT_DECODE_ERROR, buf[6]);
	EXPECT_EQ(0, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	hs_session_end(s, peer);
}

/* A peer that neither sends nor closes: we wait no longer than the bound. */
TEST(linger_is_bounded_in_time)
{
	struct iotsec_session *s;
	double t;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, io_send_alert(s, IOTSEC_ALERT_INTERNAL_ERROR));
	t = io_now();
	io_linger(s);
	t = io_now() - t;
	EXPECT_LE(IO_LINGER_MS / 1000.0 - 0.05, t);
	EXPECT_GT(IO_LINGER_MS / 1000.0 + 2, t);
	hs_session_end(s, peer);
}

/* A change_cipher_spec in the middle of a message is not dropped. */
TEST(change_cipher_spec_inside_a_split_message_is_unexpected)
{
	static const uint8_t part[] = { TLS_CT_HANDSHAKE, 3, 3, 0, 3,
					MSG_ENCRYPTED_EXTENSIONS, 0, 0 };
	static const uint8_t ccs[] = { TLS_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };
	static const uint8_t rest[] = { TLS_CT_HANDSHAKE, 3, 3, 0, 3, 2, 0, 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ((ssize_t)sizeof(part), write(peer, part, sizeof(part)));
	ASSERT_EQ((ssize_t)sizeof(ccs), write(peer, ccs, sizeof(ccs)));
	ASSERT_EQ((ssize_t)sizeof(rest), write(peer, rest, sizeof(rest)));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	hs_session_end(s, peer);

	/* Between two messages it is dropped, as before. */
	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ((ssize_t)sizeof(ccs), write(peer, ccs, sizeof(ccs)));
	ASSERT_EQ((ssize_t)sizeof(part), write(peer, part, sizeof(part)));
	ASSERT_EQ((ssize_t)sizeof(rest), write(peer, rest, sizeof(rest)));
	ASSERT_EQ(0, io_next_message(s, &h));
	EXPECT_EQ(MSG_ENCRYPTED_EXTENSIONS, h.type);
	hs_session_end(s, peer);
}

/* After the handshake: data after part of a ticket ends the session. */
TEST(data_inside_a_split_post_handshake_message_is_unexpected)
{
	static const uint8_t part[] = { MSG_NEW_SESSION_TICKET, 0, 0, 14, 0, 0 };
	uint8_t buf[64];
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	s->ktls = true;		/* no kTLS here: data reads as data */
	EXPECT_EQ(0, io_control_record(s, TLS_CT_HANDSHAKE, part, sizeof(part)));
	ASSERT_EQ(5, write(peer, "data!", 5));
	shutdown(peer, SHUT_WR);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE),
		  iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE),
		  iotsec_session_recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(7, recv(peer, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(IOTSEC_ALERT_UNEXPECTED_MESSAGE, buf[6]);
	hs_session_end(s, peer);
}

/* Feeds raw bytes; returns what the session makes of them. */
static int feed(struct iotsec_session *s, int peer, const uint8_t *b, size_t n)
{
	struct msg_hdr h;

	if (write(peer, b, n) != (ssize_t)n)
		return -EIO;
	shutdown(peer, SHUT_WR);
	return io_next_message(s, &h);
}

TEST(record_length_limits)
{
	static const uint8_t clear[5] = { TLS_CT_HANDSHAKE, 3, 3, 0x40, 0x01 };
	static const uint8_t prot[5] = { TLS_CT_APPLICATION_DATA, 3, 3,
					 0x41, 0x01 };
	struct rec_prot rp = { 0 };
	struct iotsec_session *s;
	int peer;

	/* 2^14 + 1 in the clear */
	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(RECORD_OVERFLOW), feed(s, peer, clear, sizeof(clear)));
	hs_session_end(s, peer);
	/* 2^14 + 257 protected */
	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(RECORD_OVERFLOW), feed(s, peer, prot, sizeof(prot)));
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

TEST(inner_plaintext_of_zeros_only_is_unexpected)
{
	static const uint8_t zeros[32];
	struct rec_prot rp = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, send_inner(peer, &rp, zeros, sizeof(zeros)));
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

TEST(change_cipher_spec_other_value_or_protected_is_unexpected)
{
	static const uint8_t two[] = { TLS_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 2 };
	static const uint8_t inner[] = { 1, TLS_CT_CHANGE_CIPHER_SPEC };
	struct rec_prot rp = { 0 };
	struct iotsec_session *s;
	struct msg_hdr h;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), feed(s, peer, two, sizeof(two)));
	hs_session_end(s, peer);

	s = reading_server(&peer, &rp);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, send_inner(peer, &rp, inner, sizeof(inner)));
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_next_message(s, &h));
	rec_prot_wipe(&rp);
	hs_session_end(s, peer);
}

TEST(zero_length_handshake_record_in_the_clear_is_unexpected)
{
	static const uint8_t empty[] = { TLS_CT_HANDSHAKE, 3, 3, 0, 0 };
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), feed(s, peer, empty, sizeof(empty)));
	hs_session_end(s, peer);
}

TEST(alert_record_not_two_bytes_is_decode_error)
{
	static const uint8_t one[] = { TLS_CT_ALERT, 3, 3, 0, 1, 2 };
	static const uint8_t none[] = { TLS_CT_ALERT, 3, 3, 0, 0 };
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(DECODE_ERROR), feed(s, peer, one, sizeof(one)));
	hs_session_end(s, peer);
	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(SENT(DECODE_ERROR), feed(s, peer, none, sizeof(none)));
	hs_session_end(s, peer);
}

/* The read key changes after a message: nothing may follow it. */
TEST(message_across_a_key_change_is_unexpected)
{
	static const uint8_t two[] = { MSG_SERVER_HELLO, 0, 0, 0,
				       MSG_ENCRYPTED_EXTENSIONS, 0 };
	struct iotsec_session *s;
	int peer;

	s = session_on(false, &peer);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, hs_session_handshake_keys(s));
	wbuf_put(&s->hs, two, sizeof(two));
	s->hs_in_hand = 4;	/* the ServerHello; EncryptedExtensions begun */
	EXPECT_EQ(SENT(UNEXPECTED_MESSAGE), io_keys_in(s, s->ks.s_hs));
	EXPECT_FALSE(s->rx_on);
	s->hs.len = 4;		/* the ServerHello alone: the key changes */
	EXPECT_EQ(0, io_keys_in(s, s->ks.s_hs));
	EXPECT_TRUE(s->rx_on);
	hs_session_end(s, peer);
}

TEST_HARNESS_MAIN
