// SPDX-License-Identifier: GPL-2.0
/*
 * The server's side of the handshake: one handler per state.  The server
 * always asks for the client's certificate (mutual authentication) and
 * answers a ClientHello without a P-256 share with one HelloRetryRequest.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"
#include "session.h"

/* The first suite in the client's order that the configuration allows. */
static const struct suite *pick_suite(const struct iotsec_session *s,
				      const struct msg_client_hello *ch)
{
	int i, j;

	for (i = 0; i < ch->n_suites; i++)
		for (j = 0; j < s->cfg->n_suites; j++)
			if (ch->suites[i] == s->cfg->suites[j])
				return suite_find(ch->suites[i]);
	return NULL;
}

static int check_client_hello(struct iotsec_session *s,
			      const struct msg_client_hello *ch)
{
	const struct suite *suite;

	if (!ch->versions.has_tls13)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_PROTOCOL_VERSION);
	suite = pick_suite(s, ch);
	if (!suite || !ch->groups.has_p256 ||
	    !ch->sig_algs.has_ecdsa_p256_sha256)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_HANDSHAKE_FAILURE);
	/* After a retry, the client must still allow the suite we chose. */
	if (s->suite && s->suite != suite)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	s->suite = suite;
	return 0;
}

static int send_server_hello(struct iotsec_session *s,
			     const struct msg_client_hello *ch, bool hrr)
{
	struct msg_server_hello sh = { .hrr = hrr, .suite = s->suite->id };
	struct wbuf m;
	int ret = 0;

	sh.session_id_len = ch->session_id_len;
	memcpy(sh.session_id, ch->session_id, ch->session_id_len);
	sh.group = MSG_SECP256R1;
	if (!hrr && getrandom(sh.random, sizeof(sh.random), 0) != sizeof(sh.random))
		return -EIO;
	if (!hrr)
		ret = hs_share(s, sh.share);
	wbuf_init(&m, 0);
	if (!ret)
		ret = msg_put_server_hello(&m, &sh);
	if (!ret)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	return ret;
}

static int send_hrr(struct iotsec_session *s,
		    const struct msg_client_hello *ch, const struct msg_hdr *h)
{
	int ret;

	if (s->hrr_done)	/* the second ClientHello still has no share */
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	s->hrr_done = true;
	ret = hs_add(s, h);
	if (!ret)
		ret = tr_hrr(&s->tr, &s->hash, s->suite->hash);
	return ret ? ret : send_server_hello(s, ch, true);
}

/* ServerHello, then our encrypted flight up to Finished. */
static int send_flight(struct iotsec_session *s,
		       const struct msg_client_hello *ch)
{
	struct msg_encrypted_extensions ee = { 0 };
	struct msg_certificate_request cr = { 0 };
	struct wbuf m;
	int ret;

	ret = send_server_hello(s, ch, false);
	if (!ret)
		ret = hs_derive(s, ch->key_share.p256);
	if (!ret)
		ret = io_keys_out(s, s->ks.s_hs);
	if (!ret)
		ret = io_keys_in(s, s->ks.c_hs);
	wbuf_init(&m, 0);
	if (!ret)
		ret = msg_put_encrypted_extensions(&m, &ee);
	if (!ret)
		ret = hs_send(s, &m);
	if (!ret)
		ret = msg_put_certificate_request(&m, &cr);
	if (!ret)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	if (!ret)
		ret = hs_send_auth(s);
	return ret ? ret : hs_finished_out(s);
}

static int server_on_client_hello(struct iotsec_session *s,
				  const struct msg_hdr *h)
{
	struct msg_client_hello ch;
	int ret;

	if (h->type != MSG_CLIENT_HELLO)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	ret = msg_get_client_hello(h->body, h->len, &ch);
	if (!ret)
		ret = check_client_hello(s, &ch);
	if (ret)
		return ret;
	if (!ch.key_share.has_p256)
		return send_hrr(s, &ch, h);
	ret = hs_add(s, h);
	s->state = EXPECT_CERTIFICATE;
	return ret ? ret : send_flight(s, &ch);
}

static int server_on_finished(struct iotsec_session *s,
			      const struct msg_hdr *h)
{
	int ret = hs_on_finished(s, h, s->ks.c_hs);

	s->state = HS_DONE;
	return ret ? ret : hs_to_kernel(s);
}

int server_step(struct iotsec_session *s, const struct msg_hdr *h)
{
	switch (s->state) {
	case EXPECT_CLIENT_HELLO:
		return server_on_client_hello(s, h);
	case EXPECT_CERTIFICATE:
		if (h->type != MSG_CERTIFICATE)
			break;
		s->state = EXPECT_CERTIFICATE_VERIFY;
		return hs_on_certificate(s, h);
	case EXPECT_CERTIFICATE_VERIFY:
		if (h->type != MSG_CERTIFICATE_VERIFY)
			break;
		s->state = EXPECT_FINISHED;
		return hs_on_certificate_verify(s, h);
	case EXPECT_FINISHED:
		if (h->type != MSG_FINISHED)
			break;
		return server_on_finished(s, h);
	default:
		break;
	}
	return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
}
