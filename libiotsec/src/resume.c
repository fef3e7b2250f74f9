// SPDX-License-Identifier: GPL-2.0
/*
 * PSK resumption, psk_dhe_ke only (RFC 8446 2.2, 4.2.9, 4.2.11, 4.6.1):
 * the client's offer and binder, the server's choice of a ticket and its
 * check of the binder, the resumption master secret, and the tickets
 * themselves (sealed by ticket.c).  A resumed handshake still runs ECDHE;
 * it sends no Certificate, CertificateRequest or CertificateVerify, so the
 * chip signs nothing: the peer's identity is the one the ticket carries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"
#include "ktls.h"
#include "session.h"

#define E_ILLEGAL	IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER)
#define E_DECRYPT	IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECRYPT_ERROR)

static time_t wall(const struct iotsec_session *s)
{
	return s->cfg->now();
}

/* The ticket key interval: the one set, or the default (at least lifetime). */
static unsigned int rotate(const struct iotsec_config *cfg)
{
	if (cfg->ticket_rotate)
		return cfg->ticket_rotate;
	return cfg->ticket_lifetime > TICKET_ROTATE_DEFAULT ?
	       cfg->ticket_lifetime : TICKET_ROTATE_DEFAULT;
}

/* The hash of a ticket's suite, if it is one we may use with its PSK. */
static const struct suite *ticket_suite(const struct ticket_state *st)
{
	const struct suite *suite = suite_find(st->suite);

	return suite && st->psk_len == hash_len(suite->hash) ? suite : NULL;
}

static bool offered(const struct msg_client_hello *ch, uint16_t id)
{
	int i;

	for (i = 0; i < ch->n_suites; i++)
		if (ch->suites[i] == id)
			return true;
	return false;
}

/* obfuscated_ticket_age: the age in ms plus age_add, mod 2^32 (4.2.11.1). */
static void set_age(struct iotsec_session *s)
{
	const struct ticket_state *st = &s->offer.st;
	uint64_t age = (uint64_t)wall(s) - st->issued;

	s->ch.psk_offer.age[0] = (uint32_t)(age * 1000) + st->age_add;
}

/*
 * The client's ClientHello: psk_key_exchange_modes whenever resumption is
 * on (else no server sends us tickets), and the newest ticket kept for
 * the peer we expect, if its suite is one we offer.  It is taken out of
 * the cache: a ticket is used once (RFC 8446 C.4).
 */
int resume_offer(struct iotsec_session *s)
{
	const struct iotsec_config *cfg = s->cfg;
	struct msg_psk_offer *o = &s->ch.psk_offer;

	memset(o, 0, sizeof(*o));
	if (!cfg->ticket_lifetime || !cfg->client_tickets)
		return 0;
	s->ch.psk_modes = true;
	if (!ticket_cache_take(cfg->tcache, cfg->peer_name, wall(s), &s->offer))
		return 0;
	if (!ticket_suite(&s->offer.st) || !offered(&s->ch, s->offer.st.suite)) {
		ticket_entry_free(&s->offer);
		return 0;
	}
	o->n = 1;
	o->id[0] = s->offer.ticket;
	o->id_len[0] = s->offer.len;
	o->binder_len[0] = s->offer.st.psk_len;
	set_age(s);
	return 0;
}

/*
 * After a HelloRetryRequest (4.1.2): the PSK stays if the suite chosen
 * has its hash, with its age and binder made again; else it goes.
 */
void resume_after_hrr(struct iotsec_session *s)
{
	const struct suite *suite;

	if (!s->ch.psk_offer.n)
		return;
	suite = ticket_suite(&s->offer.st);
	if (suite && suite->hash == s->suite->hash) {
		set_age(s);
		return;
	}
	memset(&s->ch.psk_offer, 0, sizeof(s->ch.psk_offer));
	ticket_entry_free(&s->offer);
}

/*
 * Hash(transcript so far || the first len bytes of a ClientHello): the
 * ClientHello truncated before its binders list (4.2.11.2).
 */
static int truncated_hash(struct iotsec_session *s, enum hash_alg h,
			  const uint8_t *ch, size_t len, uint8_t *th)
{
	struct wbuf all;
	int ret;

	wbuf_init(&all, 0);
	wbuf_put(&all, s->tr.msgs.base, s->tr.msgs.len);
	wbuf_put(&all, ch, len);
	ret = all.err;
	if (!ret)
		ret = hash_digest(&s->hash, h, all.base, all.len, th);
	wbuf_wipe(&all);
	return ret;
}

/* The binder of psk over a ClientHello's first len bytes. */
static int binder(struct iotsec_session *s, enum hash_alg h, const uint8_t *psk,
		  const uint8_t *ch, size_t len, uint8_t *out)
{
	uint8_t th[HASH_MAX];
	struct keysched ks;
	int ret;

	ret = truncated_hash(s, h, ch, len, th);
	if (!ret)
		ret = ks_early_psk(&ks, &s->hash, h, psk);
	if (!ret)
		ret = ks_binder(&ks, &s->hash, th, out);
	ks_wipe(&ks);
	return ret;
}

/*
 * Our encoded ClientHello gets its binder: the last binder_len bytes, the
 * one binder of the list that closes the message.
 */
int resume_put_binder(struct iotsec_session *s, struct wbuf *ch)
{
	const struct suite *suite = ticket_suite(&s->offer.st);
	size_t hl = s->offer.st.psk_len;

	if (!s->ch.psk_offer.n)
		return 0;
	if (ch->err || !suite || ch->len < MSG_HDR_LEN + 2 + 1 + hl)
		return ch->err ? ch->err : -EINVAL;
	return binder(s, suite->hash, s->offer.st.psk, ch->base,
		      ch->len - (2 + 1 + hl), ch->base + ch->len - hl);
}

/* Constant-time comparison. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	while (n--)
		d |= a[n] ^ b[n];
	return !d;
}

/*
 * One offered identity: 1 if it is a ticket of ours we may resume (it
 * opens, has not expired, its suite has the hash of the one chosen, the
 * policy allows it), 0 if not, or an error.
 */
static int usable(struct iotsec_session *s, const struct msg_psk_offer *o,
		  size_t i, struct ticket_state *st)
{
	const struct iotsec_config *cfg = s->cfg;
	const struct suite *suite;
	int ret;

	ret = ticket_open(cfg->tkeys, wall(s), rotate(cfg), o->id[i],
			  o->id_len[i], st);
	if (ret == -ENOMEM || ret == -EIO)
		return ret;
	if (ret || ticket_expired(st, wall(s)))
		return 0;
	suite = ticket_suite(st);
	if (!suite || suite->hash != s->suite->hash)
		return 0;
	if (cfg->resume_allow &&
	    !cfg->resume_allow(cfg->resume_arg, st->peer_name, st->peer_id))
		return 0;
	return 1;
}

/* The binder of identity i, checked (4.2.11): decrypt_error if wrong. */
static int check_binder(struct iotsec_session *s,
			const struct msg_client_hello *ch,
			const struct msg_hdr *h, size_t i,
			const struct ticket_state *st)
{
	const struct msg_psk_offer *o = &ch->psk_offer;
	size_t hl = hash_len(s->suite->hash), whole = MSG_HDR_LEN + h->len;
	uint8_t want[HASH_MAX];
	int ret;

	if (o->binder_len[i] != hl || o->binders_len > whole)
		return E_DECRYPT;
	ret = binder(s, s->suite->hash, st->psk, h->body - MSG_HDR_LEN,
		     whole - o->binders_len, want);
	if (!ret && !same(want, o->binder[i], hl))
		ret = E_DECRYPT;
	explicit_bzero(want, sizeof(want));
	return ret;
}

/*
 * The server, on the ClientHello it answers with a ServerHello: resume
 * with the first identity that is a usable ticket of ours, once its
 * binder is checked (the others' are not: 4.2.11); none is a full
 * handshake.  Identities and binders must pair up (illegal_parameter).
 * The client's psk_dhe_ke also decides whether it gets a ticket.
 */
int resume_server_choose(struct iotsec_session *s,
			 const struct msg_client_hello *ch,
			 const struct msg_hdr *h)
{
	const struct msg_psk_offer *o = &ch->psk_offer;
	struct ticket_state st;
	size_t i;
	int ret = 0;

	s->client_dhe_ke = ch->psk_dhe_ke;
	if (!ch->psk)
		return 0;
	if (o->n != o->n_binders)
		return E_ILLEGAL;
	if (!s->cfg->ticket_lifetime || !ch->psk_dhe_ke)
		return 0;
	for (i = 0; i < o->n && i < MSG_PSK_MAX; i++) {
		ret = usable(s, o, i, &st);
		if (ret)
			break;
	}
	if (ret == 1)
		ret = check_binder(s, ch, h, i, &st);
	else
		i = o->n;
	if (!ret && i < o->n) {
		s->resumed = true;
		s->psk_index = i;
		memcpy(s->psk, st.psk, st.psk_len);
		memcpy(s->peer_id, st.peer_id, sizeof(s->peer_id));
		s->has_peer_id = true;
		snprintf(s->peer.name, sizeof(s->peer.name), "%s", st.peer_name);
	}
	explicit_bzero(&st, sizeof(st));
	return ret;
}

/*
 * The client, on the ServerHello: a pre_shared_key must select our one
 * identity, under a suite of its hash (4.2.11: illegal_parameter); then
 * the session is the ticket's.  Without it the ticket is forgotten.
 */
int resume_client_accepted(struct iotsec_session *s,
			   const struct msg_server_hello *sh)
{
	const struct suite *suite = ticket_suite(&s->offer.st);

	if (!sh->psk) {
		ticket_entry_free(&s->offer);
		return 0;
	}
	if (!s->ch.psk_offer.n || sh->psk_identity != 0 || !suite ||
	    suite->hash != s->suite->hash)
		return E_ILLEGAL;
	s->resumed = true;
	memcpy(s->psk, s->offer.st.psk, s->offer.st.psk_len);
	memcpy(s->peer_id, s->offer.st.peer_id, sizeof(s->peer_id));
	s->has_peer_id = true;
	snprintf(s->peer.name, sizeof(s->peer.name), "%s",
		 s->offer.st.peer_name);
	return 0;
}

/* resumption_master_secret, once the client's Finished is in the transcript. */
int resume_secret(struct iotsec_session *s)
{
	uint8_t th[HASH_MAX];
	int ret;

	if (!s->cfg->ticket_lifetime)
		return 0;
	ret = hs_thash(s, th);
	return ret ? ret : ks_resumption(&s->ks, &s->hash, th);
}

/* The identity a ticket binds: SHA-256 of the peer's leaf certificate. */
int resume_peer_id(struct iotsec_session *s, const uint8_t *leaf, size_t len)
{
	int ret = hash_digest(&s->hash, HASH_SHA256, leaf, len, s->peer_id);

	s->has_peer_id = !ret;
	return ret;
}

/*
 * The server's NewSessionTicket: a fresh nonce (the count of tickets this
 * session sent), the PSK it gives, and the state sealed into the ticket.
 */
int resume_ticket_message(struct iotsec_session *s, struct wbuf *m)
{
	const struct iotsec_config *cfg = s->cfg;
	struct msg_new_session_ticket nst = { .nonce_len = 1 };
	struct ticket_state st = { .suite = s->suite->id };
	struct wbuf t;
	int ret;

	if (!s->has_peer_id)
		return -EINVAL;
	nst.nonce[0] = s->tickets_out;
	st.psk_len = hash_len(s->suite->hash);
	st.issued = wall(s);
	st.lifetime = cfg->ticket_lifetime;
	memcpy(st.peer_id, s->peer_id, sizeof(st.peer_id));
	snprintf(st.peer_name, sizeof(st.peer_name), "%s", s->peer.name);
	if (getrandom(&st.age_add, sizeof(st.age_add), 0) != sizeof(st.age_add))
		return -EIO;
	ret = ks_ticket_psk(&s->hash, s->suite->hash, s->ks.res, nst.nonce,
			    nst.nonce_len, st.psk);
	wbuf_init(&t, 0);
	if (!ret)
		ret = ticket_seal(cfg->tkeys, st.issued, rotate(cfg), &st, &t);
	nst.lifetime = st.lifetime;
	nst.age_add = st.age_add;
	nst.ticket = t.base;
	nst.ticket_len = t.len;
	if (!ret)
		ret = msg_put_new_session_ticket(m, &nst);
	if (!ret)
		s->tickets_out++;
	explicit_bzero(&st, sizeof(st));
	wbuf_wipe(&t);
	return ret;
}

/*
 * After the handshake, through kTLS: one ticket, if resumption is on and
 * the client allows psk_dhe_ke (4.2.9).  A ticket that cannot go out
 * costs the client a full handshake next time, not this session.
 */
int resume_send_ticket(struct iotsec_session *s)
{
	struct wbuf m;
	ssize_t n;
	int ret;

	if (!s->cfg->ticket_lifetime || !s->client_dhe_ke)
		return 0;
	wbuf_init(&m, 0);
	ret = resume_ticket_message(s, &m);
	if (!ret) {
		n = ktls_send_record(s->fd, TLS_CT_HANDSHAKE, m.base, m.len);
		ret = n < 0 ? (int)n : 0;
	}
	wbuf_wipe(&m);
	return ret;
}

/*
 * A NewSessionTicket, on the client, after the handshake: kept (for the
 * configuration's cache and the session's export) with the PSK it gives,
 * the suite, the peer's identity and the lifetime, at most the
 * configuration's and 7 days (4.6.1); lifetime 0 means discard.
 */
int resume_ticket_in(struct iotsec_session *s, const struct msg_hdr *h)
{
	const struct iotsec_config *cfg = s->cfg;
	struct msg_new_session_ticket nst;
	unsigned int used = s->hash.used;
	struct ticket_entry e;
	int ret;

	ret = msg_get_new_session_ticket(h->body, h->len, &nst);
	if (ret || !cfg->ticket_lifetime || !cfg->client_tickets ||
	    !nst.lifetime || !s->has_peer_id)
		return ret;
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "%s", cfg->peer_name);
	e.st.suite = s->suite->id;
	e.st.psk_len = hash_len(s->suite->hash);
	e.st.issued = wall(s);
	e.st.lifetime = nst.lifetime < cfg->ticket_lifetime ? nst.lifetime :
							      cfg->ticket_lifetime;
	e.st.age_add = nst.age_add;
	memcpy(e.st.peer_id, s->peer_id, sizeof(e.st.peer_id));
	snprintf(e.st.peer_name, sizeof(e.st.peer_name), "%s", s->peer.name);
	e.ticket = (uint8_t *)nst.ticket;
	e.len = nst.ticket_len;
	ret = ks_ticket_psk(&s->hash, s->suite->hash, s->ks.res, nst.nonce,
			    nst.nonce_len, e.st.psk);
	hash_ctx_free(&s->hash);
	s->hash.used = used;
	ticket_entry_free(&s->got);
	if (!ret)
		ret = ticket_entry_copy(&s->got, &e);
	if (!ret)
		ret = ticket_cache_add(cfg->tcache, &e);
	explicit_bzero(&e, sizeof(e));
	return ret;
}

IOTSEC_EXPORT int iotsec_config_set_tickets(struct iotsec_config *cfg,
					    unsigned int lifetime,
					    unsigned int rotate_s)
{
	if (lifetime > TICKET_LIFETIME_MAX ||
	    (rotate_s && rotate_s < lifetime))
		return -EINVAL;
	cfg->ticket_lifetime = lifetime;
	cfg->ticket_rotate = rotate_s;
	cfg->client_tickets = lifetime != 0;
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_resume_policy(struct iotsec_config *cfg,
						  iotsec_resume_fn allow,
						  void *arg)
{
	cfg->resume_allow = allow;
	cfg->resume_arg = arg;
	return 0;
}

IOTSEC_EXPORT int iotsec_config_ticket_import(struct iotsec_config *cfg,
					      const void *blob, size_t len)
{
	struct ticket_entry e;
	int ret;

	if (!blob)
		return -EINVAL;
	ret = ticket_entry_import(blob, len, &e);
	if (ret)
		return ret;
	if (ticket_expired(&e.st, cfg->now()) || !ticket_suite(&e.st))
		ret = ticket_suite(&e.st) ? -ESTALE : -EINVAL;
	if (!ret)
		ret = ticket_cache_add(cfg->tcache, &e);
	/* A client that imports a ticket wants to resume. */
	if (!ret && cfg->ticket_lifetime)
		cfg->client_tickets = true;
	ticket_entry_free(&e);
	return ret;
}

IOTSEC_EXPORT int iotsec_session_resumed(const struct iotsec_session *s)
{
	return s->resumed;
}

IOTSEC_EXPORT int iotsec_session_peer_id(const struct iotsec_session *s,
					 uint8_t out[32])
{
	if (!s->has_peer_id)
		return -ENOENT;
	memcpy(out, s->peer_id, TICKET_PEER_ID_LEN);
	return 0;
}

IOTSEC_EXPORT ssize_t iotsec_session_ticket_export(const struct iotsec_session *s,
						   void *buf, size_t len)
{
	struct wbuf w;
	ssize_t ret;

	if (!s->got.ticket)
		return -ENOENT;
	wbuf_init(&w, 0);
	ret = ticket_entry_export(&s->got, &w);
	if (!ret && buf && len >= w.len)
		memcpy(buf, w.base, w.len);
	if (!ret)
		ret = (buf || len) && len < w.len ? -ENOSPC : (ssize_t)w.len;
	wbuf_wipe(&w);
	return ret;
}
