// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: the public entry points around the handshake (hs.c), and the
 * records that reach the application after it, on the kTLS socket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "ktls.h"
#include "session.h"

static int check_config(const struct iotsec_config *cfg)
{
	if (!cfg || !cfg->roots.count || !cfg->chain.count || cfg->key <= 0)
		return IOTSEC_LIB_ERR(IOTSEC_E_CONFIG);
	return 0;
}

static struct iotsec_session *alloc_session(const struct iotsec_config *cfg,
					    int fd, bool server)
{
	struct iotsec_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = cfg;
	s->fd = fd;
	s->server = server;
	s->state = server ? EXPECT_CLIENT_HELLO : EXPECT_SERVER_HELLO;
	s->kpp.tfmfd = -1;
	s->kpp.opfd = -1;
	s->hash.want = cfg->crypto;
	tr_init(&s->tr);
	wbuf_init(&s->hs, MSG_MAX_LEN_LARGE + MSG_HDR_LEN + TLS_MAX_PLAINTEXT);
	wbuf_init(&s->out, 0);
	s->deadline = io_now() + cfg->timeout_ms / 1000.0;
	return s;
}

static int start(const struct iotsec_config *cfg, int fd, bool server,
		 struct iotsec_session **out)
{
	struct iotsec_session *s;
	int ret = check_config(cfg);

	*out = NULL;
	/* A client checks its server's name unless told not to. */
	if (!ret && !server && !cfg->peer_name[0] && !cfg->any_peer)
		ret = IOTSEC_LIB_ERR(IOTSEC_E_CONFIG);
	if (ret)
		return ret;
	s = alloc_session(cfg, fd, server);
	if (!s)
		return -ENOMEM;
	/*
	 * The "tls" ULP goes on now, while the socket is surely established;
	 * it changes nothing until keys are installed after Finished.
	 */
	ret = ktls_attach(fd);
	if (!ret)
		ret = config_roots_ring(cfg, &s->roots);
	if (!ret)
		ret = hs_run(s);
	/* The hash handles (and the last HMAC key in the kernel) go now. */
	hash_ctx_free(&s->hash);
	if (ret)
		hs_send_failure_alert(s, ret);
	/* Our alert sent: the peer gets to read it before any RST. */
	if (ret && s->alert_sent)
		io_linger(s);
	if (ret) {
		iotsec_session_free(s);
		return ret;
	}
	/* What only the handshake needed goes now. */
	tr_wipe(&s->tr);
	wbuf_wipe(&s->out);
	rec_prot_wipe(&s->rx);
	rec_prot_wipe(&s->tx);
	s->rx_on = s->tx_on = false;
	*out = s;
	return 0;
}

IOTSEC_EXPORT int iotsec_session_connect(const struct iotsec_config *cfg,
					 int fd, struct iotsec_session **out)
{
	return start(cfg, fd, false, out);
}

IOTSEC_EXPORT int iotsec_session_accept(const struct iotsec_config *cfg,
					int fd, struct iotsec_session **out)
{
	return start(cfg, fd, true, out);
}

IOTSEC_EXPORT const char *iotsec_session_cipher(const struct iotsec_session *s)
{
	return s->suite ? s->suite->name : "";
}

IOTSEC_EXPORT const char *iotsec_session_peer_name(const struct iotsec_session *s)
{
	return s->peer.name;
}

IOTSEC_EXPORT unsigned int iotsec_session_key_ops(const struct iotsec_session *s)
{
	return s->chip_ops;
}

/*
 * One direction moves on to its next application traffic secret (RFC 8446
 * section 7.2) and the kernel takes its key and IV, sequence number 0.
 * The hashing follows the session's backend choice; the handles it opens
 * are closed again, and iotsec_session_crypto() keeps telling what ran
 * the handshake.
 */
static int rekey(struct iotsec_session *s, enum ktls_dir dir)
{
	uint8_t *secret = (dir == KTLS_TX) == s->server ? s->ks.s_ap :
							  s->ks.c_ap;
	unsigned int used = s->hash.used;
	uint8_t key[32], iv[12];
	int ret;

	ret = ks_update_secret(&s->hash, s->suite->hash, secret);
	if (!ret)
		ret = ks_traffic_key(&s->hash, s->suite->hash, secret, key,
				     s->suite->keylen, iv);
	if (!ret)
		ret = ktls_install(s->fd, dir, s->suite, key, iv);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(iv, sizeof(iv));
	hash_ctx_free(&s->hash);
	s->hash.used = used;
	return ret;
}

/*
 * Our KeyUpdate, under the current key, then our next key (section
 * 4.6.3).  Once the record may have left, a failure ends the session: the
 * peer reads with the next key, which the kernel may not have.
 */
static int send_key_update(struct iotsec_session *s, bool request)
{
	struct wbuf m;
	ssize_t n;
	int ret;

	wbuf_init(&m, 0);
	ret = msg_put_key_update(&m, request);
	if (ret) {
		wbuf_wipe(&m);
		return ret;
	}
	n = ktls_send_record(s->fd, TLS_CT_HANDSHAKE, m.base, m.len);
	ret = n < 0 ? (int)n : (size_t)n == m.len ? 0 : -EIO;
	wbuf_wipe(&m);
	/* Nothing went out: the session is as it was. */
	if (ret == -EAGAIN || ret == -EINTR)
		return ret;
	if (!ret)
		ret = rekey(s, KTLS_TX);
	if (ret)
		s->fatal = ret;
	return ret;
}

/*
 * The peer's KeyUpdate (io.c, post_handshake): it ends its record, as a
 * key change must (section 5.1); our read key moves on, which kTLS can do
 * from Linux 6.14 (before it, EBUSY: IOTSEC_E_PEER_KEYUPDATE ends the
 * session as it always did); then, if the peer asked, ours moves on too,
 * after a KeyUpdate that does not ask again.
 */
int session_peer_key_update(struct iotsec_session *s, const struct msg_hdr *h)
{
	bool request;
	int ret = msg_get_key_update(h->body, h->len, &request);

	if (ret)
		return ret;
	if (s->hs.len > MSG_HDR_LEN + h->len)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	ret = rekey(s, KTLS_RX);
	if (ret == -EBUSY)
		return IOTSEC_LIB_ERR(IOTSEC_E_PEER_KEYUPDATE);
	if (ret) {
		/* Nothing more can be read; the peer still reads us. */
		io_send_alert(s, IOTSEC_ALERT_INTERNAL_ERROR);
		s->fatal = ret;
		return ret;
	}
	return request ? send_key_update(s, false) : 0;
}

IOTSEC_EXPORT int iotsec_session_key_update(struct iotsec_session *s,
					    int request_peer)
{
	if (!s->ktls)
		return -ENOTCONN;
	if (s->fatal)
		return s->fatal;
	if (s->alert_sent)
		return -EPIPE;	/* after close_notify nothing goes out */
	if (!ktls_can_rekey())
		return IOTSEC_LIB_ERR(IOTSEC_E_NO_REKEY);
	return send_key_update(s, request_peer);
}

/* Takes one whole record that is not data, and acts on it. */
static int take_control(struct iotsec_session *s, int flags)
{
	uint8_t ctl[TLS_MAX_PLAINTEXT], type;
	ssize_t n;
	int ret;

	/* Consumed even under MSG_PEEK: only data is left in place. */
	n = ktls_recv_record(s->fd, &type, ctl, sizeof(ctl),
			     flags & ~(MSG_PEEK | MSG_WAITALL));
	if (n < 0)
		return n;
	ret = io_control_record(s, type, ctl, n);
	explicit_bzero(ctl, n);
	return ret;
}

IOTSEC_EXPORT ssize_t iotsec_session_recv(struct iotsec_session *s, void *buf,
					  size_t len, int flags)
{
	uint8_t type;
	ssize_t n;
	int ret;

	if (!len)
		return -EINVAL;	/* 0 would read as the end of the session */
	for (;;) {
		if (s->fatal)
			return s->fatal;
		if (s->closed)
			return 0;
		n = ktls_recv_record(s->fd, &type, buf, len, flags | MSG_PEEK);
		if (n < 0)
			return n;
		/*
		 * End of file without close_notify: data may be cut short.  A
		 * zero-length record of another type is a record: taken below.
		 */
		if (n == 0 && type == TLS_CT_APPLICATION_DATA)
			return IOTSEC_LIB_ERR(IOTSEC_E_PEER_CLOSED);
		/*
		 * No other record between two records of one handshake
		 * message (RFC 8446 5.1): data after a partial one is fatal.
		 */
		if (type == TLS_CT_APPLICATION_DATA && s->hs.len)
			return io_fail(s, IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE));
		if (type == TLS_CT_APPLICATION_DATA)
			return ktls_recv_record(s->fd, &type, buf, len, flags);
		ret = take_control(s, flags);
		if (ret)
			return ret;
	}
}

IOTSEC_EXPORT int iotsec_session_close(struct iotsec_session *s)
{
	if (!s->ktls)
		return -ENOTCONN;
	/* After a fatal alert, ours or the peer's, nothing more goes out. */
	if (s->fatal)
		return 0;
	return io_send_alert(s, IOTSEC_ALERT_CLOSE_NOTIFY);
}

IOTSEC_EXPORT void iotsec_session_free(struct iotsec_session *s)
{
	if (!s)
		return;
	if (s->kpp.tfmfd >= 0)
		kpp_close(&s->kpp);
	ks_wipe(&s->ks);
	hash_ctx_free(&s->hash);
	tr_wipe(&s->tr);
	rec_prot_wipe(&s->rx);
	rec_prot_wipe(&s->tx);
	wbuf_wipe(&s->hs);
	wbuf_wipe(&s->out);
	cert_peer_release(&s->peer);
	wbuf_wipe(&s->peer_cert);
	ticket_entry_free(&s->offer);
	ticket_entry_free(&s->got);
	explicit_bzero(s, sizeof(*s));
	free(s);
}
