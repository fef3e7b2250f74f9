// SPDX-License-Identifier: GPL-2.0
/*
 * The client's side of the handshake: one handler per state (RFC 8446
 * section 2, figure 1, with HelloRetryRequest).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"
#include "session.h"

static bool is_ip_literal(const char *name)
{
	uint8_t buf[16];

	return inet_pton(AF_INET, name, buf) == 1 ||
	       inet_pton(AF_INET6, name, buf) == 1;
}

int client_send_hello(struct iotsec_session *s)
{
	struct wbuf m;
	int ret;

	wbuf_init(&m, 0);
	ret = msg_put_client_hello(&m, &s->ch);
	if (!ret)
		ret = resume_put_binder(s, &m);
	if (!ret)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	return ret;
}

int client_start(struct iotsec_session *s)
{
	struct msg_client_hello *ch = &s->ch;
	const char *name = s->cfg->peer_name;
	int ret;

	memset(ch, 0, sizeof(*ch));
	if (getrandom(ch->random, sizeof(ch->random), 0) != sizeof(ch->random))
		return -EIO;
	ch->n_suites = s->cfg->n_suites;
	memcpy(ch->suites, s->cfg->suites, sizeof(ch->suites));
	ch->key_share.has_p256 = true;
	ret = hs_share(s, ch->key_share.p256);
	if (ret)
		return ret;
	/* SNI carries host names only, never address literals (RFC 6066). */
	if (name[0] && !is_ip_literal(name))
		snprintf(ch->server_name, sizeof(ch->server_name), "%s", name);
	ret = resume_offer(s);
	if (ret)
		return ret;
	s->offered = msg_client_hello_exts(ch);
	s->state = EXPECT_SERVER_HELLO;
	ret = client_send_hello(s);
	return ret ? ret : io_send_flush(s);
}

static bool offered_suite(const struct iotsec_session *s, uint16_t id)
{
	int i;

	for (i = 0; i < s->ch.n_suites; i++)
		if (s->ch.suites[i] == id)
			return true;
	return false;
}

/* HelloRetryRequest: ClientHello again, with what the server asked for. */
static int client_on_hrr(struct iotsec_session *s,
			 const struct msg_server_hello *hrr,
			 const struct msg_hdr *h)
{
	int ret;

	if (s->hrr_done)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	/*
	 * secp256r1 is the one group we offer and we sent a share for it: a
	 * retry may only ask for a cookie.  A key_share naming it, cookie or
	 * not, is illegal_parameter (RFC 8446 4.2.8); msg.c refuses others.
	 */
	if (hrr->group)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	s->hrr_done = true;
	ret = tr_hrr(&s->tr, &s->hash, s->suite->hash);
	if (!ret)
		ret = hs_add(s, h);
	if (ret)
		return ret;
	s->ch.cookie_len = hrr->cookie_len;
	memcpy(s->ch.cookie, hrr->cookie, hrr->cookie_len);
	resume_after_hrr(s);
	s->offered = msg_client_hello_exts(&s->ch);
	return client_send_hello(s);
}

static int client_on_server_hello(struct iotsec_session *s,
				  const struct msg_hdr *h)
{
	struct msg_server_hello sh;
	const struct suite *prev = s->suite;
	int ret;

	if (h->type != MSG_SERVER_HELLO)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	ret = msg_get_server_hello(h->body, h->len, s->offered, &sh);
	if (ret)
		return ret;
	if (sh.session_id_len != s->ch.session_id_len ||
	    memcmp(sh.session_id, s->ch.session_id, sh.session_id_len) ||
	    !offered_suite(s, sh.suite) || (prev && prev->id != sh.suite))
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	s->suite = suite_find(sh.suite);
	if (sh.hrr)
		return client_on_hrr(s, &sh, h);
	ret = resume_client_accepted(s, &sh);
	if (!ret)
		ret = hs_add(s, h);
	if (!ret)
		ret = hs_derive(s, sh.share);
	if (!ret)
		ret = io_keys_in(s, s->ks.s_hs);
	if (!ret)
		ret = io_keys_out(s, s->ks.c_hs);
	s->state = EXPECT_ENCRYPTED_EXTENSIONS;
	return ret;
}

static int client_on_encrypted_extensions(struct iotsec_session *s,
					  const struct msg_hdr *h)
{
	struct msg_encrypted_extensions ee;
	int ret;

	if (h->type != MSG_ENCRYPTED_EXTENSIONS)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	ret = msg_get_encrypted_extensions(h->body, h->len, s->offered, &ee);
	/* Resumed: the server authenticates with the PSK, Finished next. */
	s->state = s->resumed ? EXPECT_FINISHED : EXPECT_CERTIFICATE_REQUEST;
	return ret ? ret : hs_add(s, h);
}

static int client_on_certificate_request(struct iotsec_session *s,
					 const struct msg_hdr *h)
{
	struct msg_certificate_request cr;
	int ret = msg_get_certificate_request(h->body, h->len, &cr);

	if (ret)
		return ret;
	/* During the handshake the context is empty (section 4.3.2). */
	if (cr.context_len)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	s->peer_auth_requested = true;
	/* Without our scheme we answer with no certificate (hs.c). */
	s->cr_ecdsa = cr.sig_algs.has_ecdsa_p256_sha256;
	s->state = EXPECT_CERTIFICATE;
	return hs_add(s, h);
}

/* Server Finished checked: our flight, then the keys go to the kernel. */
static int client_on_finished(struct iotsec_session *s,
			      const struct msg_hdr *h)
{
	uint8_t th[HASH_MAX];
	int ret;

	ret = hs_on_finished(s, h, s->ks.s_hs);
	if (!ret)
		ret = hs_thash(s, th);
	if (!ret)
		ret = ks_master(&s->ks, &s->hash, th);
	if (!ret && s->peer_auth_requested)
		ret = hs_send_auth(s);
	if (!ret)
		ret = hs_finished_out(s);
	if (!ret)
		ret = resume_secret(s);
	if (!ret)
		ret = io_send_flush(s);
	if (!ret)
		ret = hs_to_kernel(s);
	s->state = HS_DONE;
	return ret;
}

int client_step(struct iotsec_session *s, const struct msg_hdr *h)
{
	switch (s->state) {
	case EXPECT_SERVER_HELLO:
		return client_on_server_hello(s, h);
	case EXPECT_ENCRYPTED_EXTENSIONS:
		return client_on_encrypted_extensions(s, h);
	case EXPECT_CERTIFICATE_REQUEST:
		if (h->type == MSG_CERTIFICATE_REQUEST)
			return client_on_certificate_request(s, h);
		fallthrough;
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
		return client_on_finished(s, h);
	default:
		break;
	}
	return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
}
