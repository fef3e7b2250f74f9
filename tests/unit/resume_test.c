// SPDX-License-Identifier: GPL-2.0
/*
 * PSK resumption on the host (RFC 8446 2.2, 4.2.11, 4.6.1), with no
 * kernel: ECDHE comes from OpenSSL through this file's own kpp_*() (the
 * test's definitions take the place of libiotsec's kpp.c in the link),
 * and both ends run our own state machine on a socketpair.
 *
 * The full handshake's outcome is set up by hand on both sides (suite,
 * resumption master secret, the peer identity each checked); the
 * server's NewSessionTicket then goes to the client through the
 * post-handshake path, and a resumed handshake runs client <-> server up
 * to the hand-over to kTLS, which a socketpair refuses: both Finished
 * messages have been checked by then.
 *
 *  - resumed: psk_dhe_ke, no certificate either way, two key operations
 *    (ECDHE keygen and derive, no signature), the identity kept;
 *  - the binder checked: wrong is decrypt_error, identities and binders
 *    that do not pair up are illegal_parameter;
 *  - full handshake instead for an expired ticket, another server's
 *    ticket key, a rotated-out key, a changed ticket, the policy's no;
 *  - after a HelloRetryRequest: the binder made again over message_hash
 *    and the HRR, and still resumed;
 *  - the client's checks of the ServerHello's selected_identity;
 *  - export and import of a ticket; lifetime 0 is not kept.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iotsec.h"
#include "internal.h"
#include "session.h"
#include "hs_session.h"
#include <openssl/ec.h>

#include "ossl_p256.h"
#include "kselftest_harness.h"

#define ALERT_SENT(a)	(-(IOTSEC_ERR_ALERT_SENT | IOTSEC_ALERT_##a))
#define ALERT_RECV(a)	(-(IOTSEC_ERR_ALERT_RECV | IOTSEC_ALERT_##a))

/* ---- ECDHE in the process: kpp.h's calls, over OpenSSL keys ---- */

#define KEYS_MAX 64
static EVP_PKEY *keys[KEYS_MAX];
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

int kpp_open(struct kpp *k, const char *alg)
{
	int i;

	(void)alg;
	k->tfmfd = k->opfd = -1;
	pthread_mutex_lock(&keys_lock);
	for (i = 0; i < KEYS_MAX && keys[i]; i++)
		;
	if (i < KEYS_MAX)
		keys[i] = EVP_PKEY_new();	/* a placeholder until keygen */
	pthread_mutex_unlock(&keys_lock);
	if (i == KEYS_MAX)
		return -EMFILE;
	k->tfmfd = 1000 + i;
	return 0;
}

int kpp_setkey(struct kpp *k, const uint8_t *priv, size_t len)
{
	(void)k, (void)priv, (void)len;
	return -EOPNOTSUPP;
}

int kpp_keygen(struct kpp *k, uint8_t pub[KPP_P256_PUB])
{
	EVP_PKEY *p = ossl_gen(pub, NULL);

	if (!p)
		return -EIO;
	EVP_PKEY_free(keys[k->tfmfd - 1000]);
	keys[k->tfmfd - 1000] = p;
	return 0;
}

int kpp_derive(struct kpp *k, const uint8_t peer[KPP_P256_PUB],
	       uint8_t secret[KPP_P256_SECRET])
{
	return ossl_derive(keys[k->tfmfd - 1000], peer, secret) ? -EINVAL : 0;
}

void kpp_close(struct kpp *k)
{
	if (k->tfmfd >= 1000) {
		pthread_mutex_lock(&keys_lock);
		EVP_PKEY_free(keys[k->tfmfd - 1000]);
		keys[k->tfmfd - 1000] = NULL;
		pthread_mutex_unlock(&keys_lock);
	}
	k->tfmfd = k->opfd = -1;
}

/* ---- clocks, identities, the made-up full handshake ---- */

static time_t base_time;
static time_t srv_offset;

static time_t client_clock(void)
{
	return base_time;
}

static time_t server_clock(void)
{
	return base_time + srv_offset;
}

static const uint8_t client_id[32] = { 0xc1, 0x1e, 0x47 };
static const uint8_t server_id[32] = { 0x5e, 0x47, 0xe4 };

/* What both ends of one full handshake share after it. */
static void full_handshake_outcome(struct iotsec_session *s, bool server)
{
	memset(s->ks.res, 0x7e, sizeof(s->ks.res));
	s->has_peer_id = true;
	memcpy(s->peer_id, server ? client_id : server_id, 32);
	snprintf(s->peer.name, sizeof(s->peer.name), "%s",
		 server ? "client.test" : "server.test");
}

/* A fresh session of ours on fd, as connect()/accept() make one. */
static struct iotsec_session *session_on_fd(struct iotsec_config *cfg,
					    bool server, int fd)
{
	int peer;
	struct iotsec_session *s = hs_session_on(cfg, server, &peer);

	if (!s)
		return NULL;
	close(s->fd);
	close(peer);
	s->fd = fd;
	s->state = server ? EXPECT_CLIENT_HELLO : EXPECT_SERVER_HELLO;
	if (!server)
		s->suite = NULL;	/* the ServerHello picks it */
	return s;
}

/* The server's ticket of a made-up full handshake, into the client's cache. */
static int issue_ticket(struct iotsec_config *scfg, struct iotsec_config *ccfg,
			struct iotsec_session **client_out)
{
	struct iotsec_session *srv, *cli;
	int sp, cp, ret;
	struct wbuf m;

	srv = hs_session_on(scfg, true, &sp);
	cli = hs_session_on(ccfg, false, &cp);
	if (!srv || !cli)
		return -ENOMEM;
	full_handshake_outcome(srv, true);
	full_handshake_outcome(cli, false);
	wbuf_init(&m, 0);
	ret = resume_ticket_message(srv, &m);
	if (!ret)
		ret = io_control_record(cli, TLS_CT_HANDSHAKE, m.base, m.len);
	wbuf_wipe(&m);
	hs_session_end(srv, sp);
	if (client_out) {
		close(cp);
		close(cli->fd);
		cli->fd = -1;
		*client_out = cli;
	} else {
		hs_session_end(cli, cp);
	}
	return ret;
}

struct side {
	struct iotsec_session *s;
	int ret;
};

/* One role's handshake, and the alert connect()/accept() would send. */
static void *run(void *arg)
{
	struct side *d = arg;

	d->ret = hs_run(d->s);
	if (d->ret)
		hs_send_failure_alert(d->s, d->ret);
	return NULL;
}

/* Both ends, each in a thread, over one socketpair. */
static int handshake(struct iotsec_config *ccfg, struct iotsec_config *scfg,
		     struct side *c, struct side *srv)
{
	pthread_t tc, ts;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	c->s = session_on_fd(ccfg, false, sv[0]);
	srv->s = session_on_fd(scfg, true, sv[1]);
	if (!c->s || !srv->s)
		return -ENOMEM;
	pthread_create(&ts, NULL, run, srv);
	pthread_create(&tc, NULL, run, c);
	pthread_join(tc, NULL);
	/* A client that gave up: the server must not wait for it. */
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(ts, NULL);
	return 0;
}

static void end(struct side *c, struct side *srv)
{
	close(c->s->fd);
	close(srv->s->fd);
	c->s->fd = srv->s->fd = -1;
	iotsec_session_free(c->s);
	iotsec_session_free(srv->s);
}

/* The hand-over to kTLS, which a socketpair refuses: not an alert. */
static bool reached_ktls(int ret)
{
	return ret < 0 && ret > -4096;
}

FIXTURE(resume)
{
	struct iotsec_config *ccfg, *scfg;
	struct side c, s;
};

FIXTURE_SETUP(resume)
{
	base_time = time(NULL);
	srv_offset = 0;
	ASSERT_EQ(0, iotsec_config_new(&self->ccfg));
	ASSERT_EQ(0, iotsec_config_new(&self->scfg));
	self->ccfg->now = client_clock;
	self->scfg->now = server_clock;
	ASSERT_EQ(0, iotsec_config_set_peer_name(self->ccfg, "server.test"));
	ASSERT_EQ(0, iotsec_config_set_tickets(self->ccfg, TICKET_LIFETIME_DEFAULT, 0));
	ASSERT_EQ(0, issue_ticket(self->scfg, self->ccfg, NULL));
	ASSERT_EQ(1, self->ccfg->tcache->n);
	memset(&self->c, 0, sizeof(self->c));
	memset(&self->s, 0, sizeof(self->s));
}

FIXTURE_TEARDOWN(resume)
{
	if (self->c.s)
		end(&self->c, &self->s);
	iotsec_config_free(self->ccfg);
	iotsec_config_free(self->scfg);
}

TEST_F(resume, resumed_with_psk_dhe_ke_and_no_signature)
{
	uint8_t id[32];

	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	/* Both Finished checked: each side got as far as kTLS. */
	EXPECT_TRUE(reached_ktls(self->c.ret));
	EXPECT_EQ(self->c.ret, self->s.ret);
	EXPECT_EQ(HS_DONE, self->c.s->state);
	EXPECT_EQ(HS_DONE, self->s.s->state);
	EXPECT_EQ(1, iotsec_session_resumed(self->c.s));
	EXPECT_EQ(1, iotsec_session_resumed(self->s.s));
	/* ECDHE (keygen, derive) each; no CertificateVerify signature. */
	EXPECT_EQ(2, iotsec_session_key_ops(self->c.s));
	EXPECT_EQ(2, iotsec_session_key_ops(self->s.s));
	EXPECT_FALSE(self->c.s->peer_auth_requested);
	/* The identities of the full handshake, on both sides. */
	EXPECT_STREQ("client.test", iotsec_session_peer_name(self->s.s));
	EXPECT_STREQ("server.test", iotsec_session_peer_name(self->c.s));
	ASSERT_EQ(0, iotsec_session_peer_id(self->s.s, id));
	EXPECT_EQ(0, memcmp(id, client_id, 32));
	ASSERT_EQ(0, iotsec_session_peer_id(self->c.s, id));
	EXPECT_EQ(0, memcmp(id, server_id, 32));
	/* Used once: the cache is empty now. */
	EXPECT_EQ(0, self->ccfg->tcache->n);
}

TEST_F(resume, resumed_session_issues_a_ticket_with_the_same_identity)
{
	struct ticket_entry e;
	struct wbuf m;

	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	ASSERT_TRUE(iotsec_session_resumed(self->s.s));
	/* The server's Finished, left unconsumed by the failed hand-over. */
	wbuf_reset(&self->c.s->hs);
	wbuf_init(&m, 0);
	ASSERT_EQ(0, resume_ticket_message(self->s.s, &m));
	ASSERT_EQ(0, io_control_record(self->c.s, TLS_CT_HANDSHAKE, m.base,
				       m.len));
	wbuf_wipe(&m);
	ASSERT_EQ(1, ticket_cache_take(self->ccfg->tcache, "server.test",
				       base_time, &e));
	EXPECT_STREQ("server.test", e.st.peer_name);
	EXPECT_EQ(0, memcmp(e.st.peer_id, server_id, 32));
	ticket_entry_free(&e);
}

/* Our ClientHello as client_start() sends it, binder included. */
static int put_hello(struct iotsec_session *s)
{
	int ret = client_send_hello(s);

	return ret ? ret : io_send_flush(s);
}

/*
 * A client whose first ClientHello has no share (ours always sends one):
 * the server's HelloRetryRequest, then the second ClientHello with its
 * PSK's age and binder made again over message_hash || HRR (4.1.2).
 */
static void *hrr_client(void *arg)
{
	struct side *d = arg;
	struct iotsec_session *s = d->s;
	struct msg_server_hello hrr;
	struct msg_hdr h;
	int ret;

	memset(&s->ch, 0, sizeof(s->ch));
	memset(s->ch.random, 7, sizeof(s->ch.random));
	s->ch.n_suites = s->cfg->n_suites;
	memcpy(s->ch.suites, s->cfg->suites, sizeof(s->ch.suites));
	ret = resume_offer(s);
	s->offered = msg_client_hello_exts(&s->ch);
	if (!ret)
		ret = put_hello(s);
	if (!ret)
		ret = io_next_message(s, &h);
	if (!ret)
		ret = msg_get_server_hello(h.body, h.len, s->offered, &hrr);
	if (!ret && !hrr.hrr)
		ret = -EPROTO;
	if (!ret) {
		s->suite = suite_find(hrr.suite);
		s->hrr_done = true;
		ret = tr_hrr(&s->tr, &s->hash, s->suite->hash);
	}
	if (!ret)
		ret = hs_add(s, &h);
	if (!ret) {
		io_consume(s, &h);
		s->ch.key_share.has_p256 = true;
		ret = hs_share(s, s->ch.key_share.p256);
	}
	if (!ret) {
		resume_after_hrr(s);
		s->offered = msg_client_hello_exts(&s->ch);
		ret = put_hello(s);
	}
	d->ret = ret ? ret : hs_loop(s);
	if (d->ret)
		hs_send_failure_alert(s, d->ret);
	return NULL;
}

TEST_F(resume, resumed_after_hello_retry_request)
{
	pthread_t tc, ts;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	self->c.s = session_on_fd(self->ccfg, false, sv[0]);
	self->s.s = session_on_fd(self->scfg, true, sv[1]);
	ASSERT_NE(NULL, self->c.s);
	ASSERT_NE(NULL, self->s.s);
	pthread_create(&ts, NULL, run, &self->s);
	pthread_create(&tc, NULL, hrr_client, &self->c);
	pthread_join(tc, NULL);
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(ts, NULL);
	EXPECT_TRUE(self->s.s->hrr_done);
	EXPECT_TRUE(reached_ktls(self->c.ret));
	EXPECT_EQ(self->c.ret, self->s.ret);
	EXPECT_TRUE(iotsec_session_resumed(self->c.s));
	EXPECT_TRUE(iotsec_session_resumed(self->s.s));
	EXPECT_STREQ("client.test", iotsec_session_peer_name(self->s.s));
}

TEST_F(resume, wrong_binder_is_decrypt_error)
{
	/* The client's PSK differs from the one sealed in the ticket. */
	self->ccfg->tcache->e[0].st.psk[0] ^= 1;
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_EQ(ALERT_SENT(DECRYPT_ERROR), self->s.ret);
	EXPECT_EQ(ALERT_RECV(DECRYPT_ERROR), self->c.ret);
	EXPECT_FALSE(iotsec_session_resumed(self->s.s));
}

/* Full handshake instead: the server goes on to its Certificate. */
static void expect_full(struct __test_metadata *_metadata, struct side *c,
			struct side *s)
{
	EXPECT_FALSE(iotsec_session_resumed(s->s));
	EXPECT_FALSE(iotsec_session_resumed(c->s));
	EXPECT_FALSE(c->s->offer.ticket);	/* the ticket is forgotten */
	/* Our test server has no chain: the client refuses it, so it did get one. */
	EXPECT_EQ(ALERT_SENT(DECODE_ERROR), c->ret);
	EXPECT_EQ(EXPECT_CERTIFICATE_VERIFY, c->s->state);
}

TEST_F(resume, expired_ticket_is_a_full_handshake)
{
	srv_offset = TICKET_LIFETIME_DEFAULT;	/* the server's clock moved on */
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	expect_full(_metadata, &self->c, &self->s);
}

TEST_F(resume, ticket_key_rotated_out_is_a_full_handshake)
{
	ASSERT_EQ(0, iotsec_config_set_tickets(self->scfg, 60, 60));
	srv_offset = 120;			/* two intervals later */
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	expect_full(_metadata, &self->c, &self->s);
}

TEST_F(resume, previous_ticket_key_still_opens)
{
	ASSERT_EQ(0, iotsec_config_set_tickets(self->scfg, 60, 60));
	srv_offset = 59;			/* rotated: the old key opens */
	self->scfg->tkeys->since -= 30;
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_TRUE(iotsec_session_resumed(self->s.s));
	EXPECT_TRUE(self->scfg->tkeys->have[1]);
}

TEST_F(resume, another_servers_ticket_is_a_full_handshake)
{
	struct iotsec_config *other;

	ASSERT_EQ(0, iotsec_config_new(&other));
	other->now = server_clock;
	ASSERT_EQ(0, handshake(self->ccfg, other, &self->c, &self->s));
	expect_full(_metadata, &self->c, &self->s);
	end(&self->c, &self->s);
	self->c.s = NULL;
	iotsec_config_free(other);
}

TEST_F(resume, changed_ticket_is_a_full_handshake)
{
	struct ticket_entry *e = &self->ccfg->tcache->e[0];

	e->ticket[e->len - 1] ^= 0x80;		/* the AEAD tag */
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	expect_full(_metadata, &self->c, &self->s);
}

static char seen_name[64];
static uint8_t seen_id[32];

static int refuse(void *arg, const char *name, const uint8_t id[32])
{
	snprintf(seen_name, sizeof(seen_name), "%s", name);
	memcpy(seen_id, id, 32);
	return *(int *)arg;
}

TEST_F(resume, policy_sees_the_identity_and_may_refuse)
{
	int allow = 0;

	ASSERT_EQ(0, iotsec_config_set_resume_policy(self->scfg, refuse, &allow));
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_STREQ("client.test", seen_name);
	EXPECT_EQ(0, memcmp(seen_id, client_id, 32));
	expect_full(_metadata, &self->c, &self->s);
}

TEST_F(resume, policy_that_allows_resumes)
{
	int allow = 1;

	ASSERT_EQ(0, iotsec_config_set_resume_policy(self->scfg, refuse, &allow));
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_TRUE(iotsec_session_resumed(self->s.s));
	EXPECT_TRUE(reached_ktls(self->s.ret));
}

TEST_F(resume, resumption_off_offers_nothing)
{
	ASSERT_EQ(0, iotsec_config_set_tickets(self->ccfg, 0, 0));
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_FALSE(self->c.s->ch.psk_modes);
	EXPECT_FALSE(self->s.s->client_dhe_ke);	/* so no ticket for it */
	expect_full(_metadata, &self->c, &self->s);
}

TEST_F(resume, ticket_for_another_name_is_not_offered)
{
	ASSERT_EQ(0, iotsec_config_set_peer_name(self->ccfg, "other.test"));
	ASSERT_EQ(0, handshake(self->ccfg, self->scfg, &self->c, &self->s));
	EXPECT_EQ(0, self->c.s->ch.psk_offer.n);
	expect_full(_metadata, &self->c, &self->s);
	EXPECT_EQ(1, self->ccfg->tcache->n);	/* still kept for its name */
}

TEST_F(resume, exported_ticket_resumes_from_another_configuration)
{
	struct iotsec_config *fresh;
	struct iotsec_session *cli;
	uint8_t blob[1024];
	ssize_t n;

	ASSERT_EQ(0, iotsec_config_new(&fresh));
	fresh->now = client_clock;
	ASSERT_EQ(0, iotsec_config_set_peer_name(fresh, "server.test"));
	/* A second ticket, kept by a session we export it from. */
	ASSERT_EQ(0, issue_ticket(self->scfg, self->ccfg, &cli));
	n = iotsec_session_ticket_export(cli, NULL, 0);
	ASSERT_LT(0, n);
	EXPECT_EQ(-ENOSPC, iotsec_session_ticket_export(cli, blob, n - 1));
	ASSERT_EQ(n, iotsec_session_ticket_export(cli, blob, sizeof(blob)));
	iotsec_session_free(cli);
	EXPECT_EQ(-EINVAL, iotsec_config_ticket_import(fresh, blob, n - 1));
	ASSERT_EQ(0, iotsec_config_ticket_import(fresh, blob, n));
	ASSERT_EQ(0, handshake(fresh, self->scfg, &self->c, &self->s));
	EXPECT_TRUE(iotsec_session_resumed(self->c.s));
	EXPECT_TRUE(iotsec_session_resumed(self->s.s));
	EXPECT_STREQ("server.test", iotsec_session_peer_name(self->c.s));
	end(&self->c, &self->s);
	self->c.s = NULL;
	/* Expired by the time it is imported. */
	base_time += TICKET_LIFETIME_DEFAULT;
	EXPECT_EQ(-ESTALE, iotsec_config_ticket_import(fresh, blob, n));
	iotsec_config_free(fresh);
}

TEST(no_ticket_no_export_and_lifetime_0_is_not_kept)
{
	struct msg_new_session_ticket nst = { .lifetime = 0, .nonce_len = 1 };
	static const uint8_t t[8] = { 1, 2, 3 };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct wbuf m;
	int peer;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	ASSERT_EQ(0, iotsec_config_set_tickets(cfg, TICKET_LIFETIME_DEFAULT, 0));
	s = hs_session_on(cfg, false, &peer);
	ASSERT_NE(NULL, s);
	full_handshake_outcome(s, false);
	EXPECT_EQ(-ENOENT, iotsec_session_ticket_export(s, NULL, 0));
	nst.ticket = t;
	nst.ticket_len = sizeof(t);
	wbuf_init(&m, 0);
	ASSERT_EQ(0, msg_put_new_session_ticket(&m, &nst));
	EXPECT_EQ(0, io_control_record(s, TLS_CT_HANDSHAKE, m.base, m.len));
	EXPECT_EQ(0, cfg->tcache->n);
	EXPECT_EQ(-ENOENT, iotsec_session_ticket_export(s, NULL, 0));
	/* Over 7 days: kept, for at most the configuration's lifetime. */
	nst.lifetime = 0xffffffff;
	wbuf_reset(&m);
	ASSERT_EQ(0, msg_put_new_session_ticket(&m, &nst));
	EXPECT_EQ(0, io_control_record(s, TLS_CT_HANDSHAKE, m.base, m.len));
	ASSERT_EQ(1, cfg->tcache->n);
	EXPECT_EQ(TICKET_LIFETIME_DEFAULT, cfg->tcache->e[0].st.lifetime);
	wbuf_wipe(&m);
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
}

/* RFC 8446 4.2.11: the client checks what the server selected. */
TEST(server_hello_psk_checks)
{
	struct msg_server_hello sh = { .psk = true };
	struct iotsec_config *scfg, *ccfg;
	struct iotsec_session *s;
	int peer;

	ASSERT_EQ(0, iotsec_config_new(&scfg));
	ASSERT_EQ(0, iotsec_config_new(&ccfg));
	ASSERT_EQ(0, iotsec_config_set_peer_name(ccfg, "server.test"));
	ASSERT_EQ(0, iotsec_config_set_tickets(ccfg, TICKET_LIFETIME_DEFAULT, 0));
	ASSERT_EQ(0, issue_ticket(scfg, ccfg, NULL));
	s = hs_session_on(ccfg, false, &peer);
	ASSERT_NE(NULL, s);
	s->ch.n_suites = 1;
	s->ch.suites[0] = TLS_AES_128_GCM_SHA256;
	ASSERT_EQ(0, resume_offer(s));
	ASSERT_EQ(1, s->ch.psk_offer.n);
	/* selected_identity out of range */
	sh.psk_identity = 1;
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER), resume_client_accepted(s, &sh));
	/* a suite of another hash than the PSK's */
	sh.psk_identity = 0;
	s->suite = suite_find(TLS_AES_256_GCM_SHA384);
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER), resume_client_accepted(s, &sh));
	s->suite = suite_find(TLS_AES_128_GCM_SHA256);
	EXPECT_EQ(0, resume_client_accepted(s, &sh));
	EXPECT_TRUE(s->resumed);
	hs_session_end(s, peer);
	iotsec_config_free(scfg);
	iotsec_config_free(ccfg);
}

/* Identities and binders must pair up (4.2.11): illegal_parameter. */
TEST(identities_without_binders_are_illegal)
{
	struct msg_client_hello ch = { 0 };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct msg_hdr h = { 0 };
	int peer;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	s = hs_session_on(cfg, true, &peer);
	ASSERT_NE(NULL, s);
	ch.psk = ch.psk_modes = ch.psk_dhe_ke = true;
	ch.psk_offer.n = 2;
	ch.psk_offer.n_binders = 1;
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER), resume_server_choose(s, &ch, &h));
	EXPECT_FALSE(s->resumed);
	/* Without psk_dhe_ke, a PSK is not used, and no ticket goes out. */
	ch.psk_offer.n = 1;
	ch.psk_dhe_ke = false;
	EXPECT_EQ(0, resume_server_choose(s, &ch, &h));
	EXPECT_FALSE(s->resumed);
	EXPECT_FALSE(s->client_dhe_ke);
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
}

TEST(ticket_keys_rotate)
{
	struct ticket_state st = { .suite = TLS_AES_128_GCM_SHA256,
				   .psk_len = 32, .lifetime = 100 }, got;
	struct ticket_keys k;
	struct wbuf t;

	ticket_keys_init(&k);
	strcpy(st.peer_name, "client.test");
	wbuf_init(&t, 0);
	ASSERT_EQ(0, ticket_seal(&k, 1000, 100, &st, &t));
	ASSERT_EQ(0, ticket_open(&k, 1050, 100, t.base, t.len, &got));
	EXPECT_STREQ("client.test", got.peer_name);
	EXPECT_EQ(100, got.lifetime);
	/* Rotated once: the previous key still opens it. */
	EXPECT_EQ(0, ticket_open(&k, 1150, 100, t.base, t.len, &got));
	EXPECT_TRUE(k.have[1]);
	/* Twice: gone. */
	EXPECT_EQ(-ENOKEY, ticket_open(&k, 1250, 100, t.base, t.len, &got));
	wbuf_reset(&t);
	ASSERT_EQ(0, ticket_seal(&k, 1250, 100, &st, &t));
	/* On a fixed schedule: sealed at 1250 (key of 1200), open until 1400. */
	EXPECT_EQ(0, ticket_open(&k, 1399, 100, t.base, t.len, &got));
	EXPECT_EQ(-ENOKEY, ticket_open(&k, 1400, 100, t.base, t.len, &got));
	/* ... and after an idle hour, no old key at all. */
	wbuf_reset(&t);
	ASSERT_EQ(0, ticket_seal(&k, 1450, 100, &st, &t));
	EXPECT_EQ(-ENOKEY, ticket_open(&k, 5050, 100, t.base, t.len, &got));
	EXPECT_FALSE(k.have[1]);
	EXPECT_EQ(5000, k.since);
	/* Any changed byte: not ours. */
	wbuf_reset(&t);
	ASSERT_EQ(0, ticket_seal(&k, 5050, 100, &st, &t));
	t.base[TICKET_ID_LEN + TICKET_IV_LEN] ^= 1;
	EXPECT_EQ(-EBADMSG, ticket_open(&k, 5050, 100, t.base, t.len, &got));
	EXPECT_TRUE(ticket_expired(&(struct ticket_state){ .issued = 10,
			.lifetime = 5 }, 15));
	EXPECT_FALSE(ticket_expired(&(struct ticket_state){ .issued = 10,
			.lifetime = 5 }, 14));
	wbuf_wipe(&t);
	ticket_keys_destroy(&k);
}

/* A client of ours keeps no ticket unless asked: it may read() itself. */
TEST(client_tickets_are_opt_in)
{
	struct iotsec_config *scfg, *ccfg;

	ASSERT_EQ(0, iotsec_config_new(&scfg));
	ASSERT_EQ(0, iotsec_config_new(&ccfg));
	ASSERT_EQ(0, issue_ticket(scfg, ccfg, NULL));
	EXPECT_EQ(0, ccfg->tcache->n);
	iotsec_config_free(scfg);
	iotsec_config_free(ccfg);
}

/* The client's cache from several threads at once: nothing lost twice. */
struct cache_worker {
	struct ticket_cache *c;
	int id, taken;
};

static void *cache_work(void *arg)
{
	struct cache_worker *w = arg;
	uint8_t t[4] = { 1, 2, 3, 4 };
	struct ticket_entry e = { .ticket = t, .len = sizeof(t) }, got;
	int i;

	e.st.lifetime = 100;
	e.st.issued = 1000;
	snprintf(e.key, sizeof(e.key), "peer%d", w->id);
	for (i = 0; i < 200; i++) {
		if (ticket_cache_add(w->c, &e))
			break;
		if (ticket_cache_take(w->c, e.key, 1001, &got) == 1) {
			w->taken++;
			ticket_entry_free(&got);
		}
	}
	return NULL;
}

TEST(ticket_cache_from_threads)
{
	struct cache_worker w[4];
	struct ticket_cache c;
	pthread_t t[4];
	int i;

	ticket_cache_init(&c);
	for (i = 0; i < 4; i++) {
		w[i] = (struct cache_worker){ .c = &c, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, cache_work, &w[i]));
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* Each thread takes back what it added (its own name), every time. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(200, w[i].taken);
	EXPECT_EQ(0, c.n);
	ticket_cache_destroy(&c);
}

TEST(set_tickets_limits)
{
	struct iotsec_config *cfg;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	EXPECT_EQ(-EINVAL, iotsec_config_set_tickets(cfg, 604801, 0));
	EXPECT_EQ(-EINVAL, iotsec_config_set_tickets(cfg, 3600, 60));
	EXPECT_EQ(0, iotsec_config_set_tickets(cfg, 604800, 0));
	EXPECT_EQ(0, iotsec_config_set_tickets(cfg, 0, 0));
	iotsec_config_free(cfg);
}

TEST_HARNESS_MAIN
