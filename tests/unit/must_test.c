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

static struct iotsec_session *session_on(bool server, int *peer)
{
	static struct iotsec_config cfg = { .timeout_ms = 10000 };

	return hs_session_on(&cfg, server, peer);
}

/* The handshake secrets of a made-up exchange, as far as ServerHello. */
static int handshake_keys(struct iotsec_session *s)
{
	static const uint8_t ch[] = { MSG_CLIENT_HELLO, 0, 0, 2, 0xc1, 0xc2 };
	static const uint8_t sh[] = { MSG_SERVER_HELLO, 0, 0, 2, 0x51, 0x52 };
	uint8_t ecdhe[32], th[HASH_MAX];
	int ret;

	memset(ecdhe, 0xec, sizeof(ecdhe));
	ret = tr_add(&s->tr, ch, sizeof(ch));
	if (!ret)
		ret = tr_add(&s->tr, sh, sizeof(sh));
	if (!ret)
		ret = hs_thash(s, th);
	if (!ret)
		ret = ks_early(&s->ks, &s->hash, s->suite->hash);
	if (!ret)
		ret = ks_handshake(&s->ks, &s->hash, ecdhe, sizeof(ecdhe), th);
	return ret;
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
	if (handshake_keys(s) || io_keys_in(s, s->ks.c_hs) ||
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

TEST_HARNESS_MAIN
