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
	sh.psk = !hrr && s->resumed;
	sh.psk_identity = s->psk_index;
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

	s->hrr_done = true;
	s->ch = *ch;		/* the second one is compared with it */
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
	/*
	 * Resumed: no CertificateRequest (4.3.2) and no Certificate: the PSK
	 * authenticates both sides.
	 */
	if (!ret && !s->resumed)
		ret = msg_put_certificate_request(&m, &cr);
	if (!ret && !s->resumed)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	if (!ret && !s->resumed)
		ret = hs_send_auth(s);
	return ret ? ret : hs_finished_out(s);
}

static bool same_sig_algs(const struct msg_sig_algs *a,
			  const struct msg_sig_algs *b)
{
	return a->present == b->present &&
	       a->has_ecdsa_p256_sha256 == b->has_ecdsa_p256_sha256 &&
	       a->other == b->other;
}

/*
 * The second ClientHello after our HelloRetryRequest (RFC 8446 4.1.2):
 * the first one again, but for the key_share, now exactly one secp256r1
 * share (4.2.8, the group our HRR selected), no early_data (4.2.10), no
 * cookie (we sent none), and the padding and pre_shared_key extensions,
 * which may change.  Anything else is illegal_parameter.
 */
static int check_retry(const struct msg_client_hello *ch1,
		       const struct msg_client_hello *ch2)
{
	const uint64_t may_change = MSG_EXT_BIT(MSG_EXT_PADDING) |
				    MSG_EXT_BIT(MSG_EXT_PRE_SHARED_KEY);

	if (ch2->key_share.n != 1 || !ch2->key_share.has_p256 ||
	    ch2->early_data || ch2->cookie_len ||
	    (ch1->exts & ~may_change & ~MSG_EXT_BIT(MSG_EXT_EARLY_DATA)) !=
	    (ch2->exts & ~may_change) ||
	    ch1->legacy_version != ch2->legacy_version ||
	    memcmp(ch1->random, ch2->random, MSG_RANDOM_LEN) ||
	    ch1->session_id_len != ch2->session_id_len ||
	    memcmp(ch1->session_id, ch2->session_id, ch1->session_id_len) ||
	    ch1->n_offered != ch2->n_offered || ch1->n_suites != ch2->n_suites ||
	    memcmp(ch1->suites, ch2->suites, sizeof(ch1->suites)) ||
	    ch1->versions.has_tls13 != ch2->versions.has_tls13 ||
	    ch1->groups.has_p256 != ch2->groups.has_p256 ||
	    ch1->groups.other != ch2->groups.other ||
	    !same_sig_algs(&ch1->sig_algs, &ch2->sig_algs) ||
	    !same_sig_algs(&ch1->sig_algs_cert, &ch2->sig_algs_cert) ||
	    strcmp(ch1->server_name, ch2->server_name))
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	return 0;
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
	if (!ret && s->hrr_done)
		ret = check_retry(&s->ch, &ch);
	if (ret)
		return ret;
	/*
	 * early_data ignored (we accept no 0-RTT): the client's early records
	 * are skipped, before the second ClientHello or under the key we
	 * never derived (4.2.10); none may follow a second ClientHello.
	 */
	s->early_left = ch.early_data ? IO_EARLY_DATA_MAX : 0;
	if (!ch.key_share.has_p256)
		return send_hrr(s, &ch, h);
	ret = resume_server_choose(s, &ch, h);
	if (!ret)
		ret = hs_add(s, h);
	s->state = s->resumed ? EXPECT_FINISHED : EXPECT_CERTIFICATE;
	return ret ? ret : send_flight(s, &ch);
}

static int server_on_finished(struct iotsec_session *s,
			      const struct msg_hdr *h)
{
	int ret = hs_on_finished(s, h, s->ks.c_hs);

	s->state = HS_DONE;
	if (!ret)
		ret = resume_secret(s);
	if (!ret)
		ret = hs_to_kernel(s);
	/* Its failure costs a later full handshake, not this session. */
	if (!ret)
		resume_send_ticket(s);
	return ret;
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
