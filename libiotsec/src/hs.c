// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake's dispatcher and the steps both roles share: transcript,
 * Finished, certificates, CertificateVerify, ECDHE, and the hand-over to
 * kernel TLS.
 *
 * hs_run() reads one handshake message at a time and gives it to the
 * role's step function, which knows the one state it is in; whatever a
 * state does not expect ends the handshake with unexpected_message.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ktls.h"
#include "session.h"
#include "sign.h"

int hs_add(struct iotsec_session *s, const struct msg_hdr *h)
{
	return tr_add(&s->tr, h->body - MSG_HDR_LEN, MSG_HDR_LEN + h->len);
}

/* Adds an encoded message to the transcript and queues it for sending. */
int hs_send(struct iotsec_session *s, struct wbuf *msg)
{
	int ret = msg->err;

	if (!ret)
		ret = tr_add(&s->tr, msg->base, msg->len);
	if (!ret)
		ret = io_send_handshake(s, msg->base, msg->len);
	wbuf_reset(msg);
	return ret;
}

int hs_thash(struct iotsec_session *s, uint8_t *out)
{
	return tr_hash(&s->tr, &s->hash, s->suite->hash, out);
}

/* Constant-time comparison of two secrets-derived values. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	while (n--)
		d |= a[n] ^ b[n];
	return !d;
}

int hs_send_finished(struct iotsec_session *s, const uint8_t *secret)
{
	uint8_t th[HASH_MAX], vd[HASH_MAX];
	struct wbuf m;
	int ret;

	wbuf_init(&m, 0);
	ret = hs_thash(s, th);
	if (!ret)
		ret = ks_finished(&s->hash, s->suite->hash, secret, th, vd);
	if (!ret)
		ret = msg_put_finished(&m, vd, hash_len(s->suite->hash));
	if (!ret)
		ret = hs_send(s, &m);
	explicit_bzero(vd, sizeof(vd));
	wbuf_wipe(&m);
	return ret;
}

/*
 * Our Finished, under our handshake keys; then our write keys become our
 * application traffic keys, which the peer reads with from there on (RFC
 * 8446 4.4.4, 7.1): an alert we send later, about the client's flight or
 * our own failure before kTLS, goes under them.  The server derives them
 * now (from the transcript up to this Finished), the client has already.
 * kTLS starts from the same keys at sequence 0 (hs_to_kernel): on the way
 * to it nothing is sealed with them here.
 */
int hs_finished_out(struct iotsec_session *s)
{
	uint8_t th[HASH_MAX];
	int ret;

	ret = hs_send_finished(s, s->server ? s->ks.s_hs : s->ks.c_hs);
	if (!ret && s->server)
		ret = hs_thash(s, th);
	if (!ret && s->server)
		ret = ks_master(&s->ks, &s->hash, th);
	return ret ? ret : io_keys_out(s, s->server ? s->ks.s_ap : s->ks.c_ap);
}

int hs_on_finished(struct iotsec_session *s, const struct msg_hdr *h,
		   const uint8_t *secret)
{
	size_t hl = hash_len(s->suite->hash);
	uint8_t th[HASH_MAX], want[HASH_MAX], got[HASH_MAX];
	int ret;

	ret = msg_get_finished(h->body, h->len, hl, got);
	if (!ret)
		ret = hs_thash(s, th);
	if (!ret)
		ret = ks_finished(&s->hash, s->suite->hash, secret, th, want);
	if (!ret && !same(want, got, hl))
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECRYPT_ERROR);
	explicit_bzero(want, sizeof(want));
	return ret ? ret : hs_add(s, h);
}

/* Our Certificate: the configured chain, or none at all. */
static int send_certificate(struct iotsec_session *s, bool none)
{
	const struct iotsec_config *cfg = s->cfg;
	struct msg_certificate c = { .context_len = s->cr_context_len };
	struct wbuf m;
	unsigned int i;
	int ret;

	memcpy(c.context, s->cr_context, s->cr_context_len);
	for (i = 0; !none && i < cfg->chain.count && i < MSG_CERTS_MAX; i++) {
		c.certs[i].der = cfg->chain.blocks[i].der;
		c.certs[i].len = cfg->chain.blocks[i].len;
	}
	c.n = i;
	wbuf_init(&m, 0);
	ret = msg_put_certificate(&m, &c);
	if (!ret)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	return ret;
}

/* Our CertificateVerify, signed by the kernel key. */
static int send_certificate_verify(struct iotsec_session *s)
{
	struct msg_certificate_verify cv = { .scheme = MSG_ECDSA_P256_SHA256 };
	uint8_t th[HASH_MAX], digest[32], sig[SIG_MAX];
	struct wbuf m;
	int ret;

	wbuf_init(&m, 0);
	ret = hs_thash(s, th);
	if (!ret)
		ret = sign_content_digest(&s->hash, s->server, th,
					  hash_len(s->suite->hash), digest);
	if (!ret)
		ret = sign_digest(s->cfg->key, s->cfg->key_sig_max, digest,
				  sig, sizeof(sig));
	if (ret >= 0) {
		s->chip_ops++;
		cv.sig = sig;
		cv.sig_len = ret;
		ret = msg_put_certificate_verify(&m, &cv);
	}
	if (!ret)
		ret = hs_send(s, &m);
	wbuf_wipe(&m);
	return ret;
}

/*
 * Our Certificate then CertificateVerify.  A client whose server's
 * CertificateRequest does not list ecdsa_secp256r1_sha256 has no
 * certificate that suits it: it sends an empty Certificate and no
 * CertificateVerify (RFC 8446 4.4.2), and the server decides.
 */
int hs_send_auth(struct iotsec_session *s)
{
	bool can_sign = s->server || s->cr_ecdsa;
	int ret = send_certificate(s, !can_sign);

	return ret || !can_sign ? ret : send_certificate_verify(s);
}

/* The chain of a Certificate body, pointing into it. */
static int get_chain(const uint8_t *body, size_t len,
		     struct msg_certificate *c, struct cert_der *chain)
{
	int ret = msg_get_certificate(body, len, 0, c);
	size_t i;

	for (i = 0; !ret && i < c->n; i++) {
		chain[i].p = c->certs[i].der;
		chain[i].len = c->certs[i].len;
	}
	return ret;
}

/*
 * The peer's chain: parsed and checked here; kept (a copy of the body)
 * for its CertificateVerify, which links it under the roots (cert.h).
 */
int hs_on_certificate(struct iotsec_session *s, const struct msg_hdr *h)
{
	struct cert_der chain[MSG_CERTS_MAX];
	struct msg_certificate c;
	const char *name = s->cfg->peer_name[0] ? s->cfg->peer_name : NULL;
	int ret;

	ret = get_chain(h->body, h->len, &c, chain);
	if (ret)
		return ret;
	/* Ours is empty; a client's reply echoes the request's context. */
	if (c.context_len != (s->server ? s->cr_context_len : 0) ||
	    memcmp(c.context, s->cr_context, c.context_len))
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	if (!c.n && !s->server)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECODE_ERROR);
	ret = cert_peer_check(chain, c.n, s->cfg->now(),
			      s->server ? X509_PURPOSE_CLIENT : X509_PURPOSE_SERVER,
			      name, &s->peer);
	/* The identity a ticket of this session will carry (resume.c). */
	if (!ret)
		ret = resume_peer_id(s, chain[0].p, chain[0].len);
	wbuf_wipe(&s->peer_cert);
	if (!ret)
		wbuf_put(&s->peer_cert, h->body, h->len);
	if (!ret)
		ret = s->peer_cert.err;
	return ret ? ret : hs_add(s, h);
}

/* The kept chain into the kernel, now that its proof of key is here. */
static int link_peer(struct iotsec_session *s)
{
	struct cert_der chain[MSG_CERTS_MAX];
	struct msg_certificate c;
	int ret;

	ret = get_chain(s->peer_cert.base, s->peer_cert.len, &c, chain);
	if (!ret)
		ret = cert_peer_link(s->cfg->trust, s->roots, chain, c.n,
				     &s->peer);
	wbuf_wipe(&s->peer_cert);
	return ret;
}

int hs_on_certificate_verify(struct iotsec_session *s, const struct msg_hdr *h)
{
	struct msg_certificate_verify cv;
	uint8_t th[HASH_MAX], digest[32];
	int ret;

	ret = msg_get_certificate_verify(h->body, h->len, &cv);
	if (!ret)
		ret = link_peer(s);
	if (!ret)
		ret = hs_thash(s, th);
	if (!ret)
		ret = sign_content_digest(&s->hash, !s->server, th,
					  hash_len(s->suite->hash), digest);
	if (!ret)
		ret = sign_verify_peer(&s->hash, &s->peer, digest, cv.sig,
				       cv.sig_len);
	return ret ? ret : hs_add(s, h);
}

/* Our ECDHE share: the private half stays in the kernel (or chip). */
int hs_share(struct iotsec_session *s, uint8_t share[MSG_P256_SHARE_LEN])
{
	int ret;

	if (s->kpp.tfmfd > 0)
		kpp_close(&s->kpp);
	ret = kpp_open(&s->kpp, s->cfg->ecdh_alg);
	if (!ret)
		ret = kpp_keygen(&s->kpp, share + 1);
	share[0] = 0x04;
	if (!ret)
		s->chip_ops++;
	return ret;
}

/* ECDHE with the peer's share, then the handshake secrets. */
int hs_derive(struct iotsec_session *s, const uint8_t *peer_share)
{
	uint8_t ecdhe[KPP_P256_SECRET], th[HASH_MAX];
	int ret;

	if (peer_share[0] != 0x04)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	ret = kpp_derive(&s->kpp, peer_share + 1, ecdhe);
	kpp_close(&s->kpp);
	/* A point the kernel refuses is the peer's fault. */
	if (ret == -EINVAL || ret == -EBADMSG)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER);
	if (ret)
		return ret;
	s->chip_ops++;
	ret = hs_thash(s, th);
	/* Resumed: early = Extract(0, PSK), psk_dhe_ke (RFC 8446 7.1). */
	if (!ret)
		ret = ks_early_psk(&s->ks, &s->hash, s->suite->hash,
				   s->resumed ? s->psk : NULL);
	if (!ret)
		ret = ks_handshake(&s->ks, &s->hash, ecdhe, sizeof(ecdhe), th);
	explicit_bzero(ecdhe, sizeof(ecdhe));
	return ret;
}

/*
 * Application traffic keys into kTLS, then wiped here.  The ULP was set
 * when the handshake began (session.c): by now the peer may have sent its
 * last bytes and closed, and TCP_ULP needs an established socket.
 */
int hs_to_kernel(struct iotsec_session *s)
{
	const uint8_t *txs = s->server ? s->ks.s_ap : s->ks.c_ap;
	const uint8_t *rxs = s->server ? s->ks.c_ap : s->ks.s_ap;
	uint8_t key[32], iv[12];
	int ret;

	/*
	 * The peer's Finished must end its record (RFC 8446 5.1): bytes
	 * after it in user space would never reach kTLS, or reach the
	 * application as part of a later message.
	 */
	ret = io_key_change_ok(s);
	if (!ret)
		ret = ks_traffic_key(&s->hash, s->suite->hash, txs, key,
				     s->suite->keylen, iv);
	if (!ret)
		ret = ktls_install(s->fd, KTLS_TX, s->suite, key, iv);
	if (!ret)
		s->ktls_tx = true;	/* an alert now goes through the kernel */
	if (!ret)
		ret = ks_traffic_key(&s->hash, s->suite->hash, rxs, key,
				     s->suite->keylen, iv);
	if (!ret)
		ret = ktls_install(s->fd, KTLS_RX, s->suite, key, iv);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(iv, sizeof(iv));
	ks_wipe_handshake(&s->ks);	/* the application secrets stay: KeyUpdate */
	if (!ret)
		s->ktls = true;
	return ret;
}

/*
 * Tells the peer why, when it is ours to tell and the socket still works:
 * the alert the error names, or internal_error for a local failure (and
 * for no AF_ALG once the peer has spoken: the server, or a client after a
 * HelloRetryRequest; a client's first ClientHello never went out);
 * nothing for an alert received, another library condition, a connection
 * the peer closed or the time limit.  The time limit is the deadline
 * passed, not any -ETIMEDOUT: the driver gives that errno for a chip that
 * stalls, a local failure the peer hears of as internal_error.  Without a
 * write key nothing queued goes first: that is a ServerHello whose keys
 * never came (the chip's ECDH failed), after which the peer reads only
 * protected records and would not see an alert in the clear.
 */
void hs_send_failure_alert(struct iotsec_session *s, int err)
{
	bool time_limit = err == -ETIMEDOUT && io_now() >= s->deadline;

	if (!s->tx_on && !s->ktls_tx)
		wbuf_reset(&s->out);

	if (IOTSEC_IS_LOCAL_ALERT(err))
		io_send_alert(s, (-err) & 0xff);
	else if (err > -IOTSEC_ERR_ALERT_SENT && err != -ECONNRESET &&
		 err != -EPIPE && !time_limit)
		io_send_alert(s, IOTSEC_ALERT_INTERNAL_ERROR);
	else if (err == IOTSEC_LIB_ERR(IOTSEC_E_NO_AF_ALG) &&
		 (s->server || s->hrr_done))
		io_send_alert(s, IOTSEC_ALERT_INTERNAL_ERROR);
}

int hs_run(struct iotsec_session *s)
{
	int ret = s->server ? 0 : client_start(s);

	return ret ? ret : hs_loop(s);
}

int hs_loop(struct iotsec_session *s)
{
	struct msg_hdr h;
	int ret = 0;

	while (!ret && s->state != HS_DONE) {
		ret = io_next_message(s, &h);
		if (!ret)
			ret = s->server ? server_step(s, &h) : client_step(s, &h);
		if (!ret)
			io_consume(s, &h);
		if (!ret)
			ret = io_send_flush(s);
	}
	return ret;
}
