// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake state machine on the host, one message at a time, with no
 * kernel crypto: a session is set up in the state under test on one end of
 * a socketpair, the peer's message is fed to it, and what it answers (an
 * error, the alert on the wire, the records it queues) is checked.
 *
 *  - a peer certificate whose key is not P-256 (RSA, P-384, Ed25519, made
 *    by OpenSSL at test time) is refused with unsupported_certificate, as
 *    client and as server, before anything reaches the kernel;
 *  - a HelloRetryRequest may only add a cookie: one naming secp256r1 (we
 *    sent that share already) is illegal_parameter, cookie or not;
 *  - a CertificateRequest without ecdsa_secp256r1_sha256 gets an empty
 *    Certificate and no CertificateVerify (RFC 8446 4.4.2);
 *  - a Certificate that passes our checks puts nothing in the kernel
 *    before its CertificateVerify: a peer that stalls there holds no key
 *    of the user's quota.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "iotsec.h"
#include "internal.h"
#include "session.h"
#include "hs_session.h"
#include "kselftest_harness.h"

#define ALERT_SENT(a)	(-(IOTSEC_ERR_ALERT_SENT | IOTSEC_ALERT_##a))

/* The peer sends one plaintext handshake record holding msg. */
static int peer_sends(int peer, const uint8_t *msg, size_t len)
{
	uint8_t hdr[5] = { TLS_CT_HANDSHAKE, 3, 3, len >> 8, len & 0xff };

	return write(peer, hdr, 5) == 5 &&
	       write(peer, msg, len) == (ssize_t)len ? 0 : -1;
}

/* The records a session queued: the i-th handshake message in them. */
static int queued_message(const struct iotsec_session *s, int i,
			  struct msg_hdr *h)
{
	const uint8_t *p = s->out.base;
	size_t left = s->out.len;

	/* Each message sits in a record of its own: header, then it. */
	while (left > 5 && p[0] == TLS_CT_HANDSHAKE) {
		if (msg_next(p + 5, left - 5, h) != 1)
			return -1;
		if (!i--)
			return 0;
		p += 5 + MSG_HDR_LEN + h->len;
		left -= 5 + MSG_HDR_LEN + h->len;
	}
	return -1;
}

/* extendedKeyUsage clientAuth, as our server requires of a client. */
static int add_eku(X509 *x)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage,
						"clientAuth");
	int ok = e && X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	return ok;
}

/* A self-signed certificate for a new key of the given kind, as DER. */
static int make_cert(const char *kind, uint8_t **der)
{
	const EVP_MD *md = EVP_sha256();
	X509 *x = X509_new();
	EVP_PKEY *k;
	X509_NAME *n;
	int len = -1;

	if (!strcmp(kind, "RSA")) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	} else if (!strcmp(kind, "P-256")) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	} else if (!strcmp(kind, "P-384")) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	} else {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		md = NULL;
	}
	n = X509_get_subject_name(x);
	if (k && X509_set_version(x, 2) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				       (const unsigned char *)"peer.test",
				       -1, -1, 0) &&
	    X509_set_issuer_name(x, n) && X509_set_pubkey(x, k) &&
	    add_eku(x) && X509_sign(x, k, md))
		len = i2d_X509(x, der);
	X509_free(x);
	EVP_PKEY_free(k);
	return len;
}

FIXTURE(peer_key)
{
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	int peer;
	uint8_t *der;
	int len;
};

FIXTURE_VARIANT(peer_key)
{
	const char *kind;
	bool server;
};

FIXTURE_VARIANT_ADD(peer_key, client_rsa) { .kind = "RSA" };
FIXTURE_VARIANT_ADD(peer_key, client_p384) { .kind = "P-384" };
FIXTURE_VARIANT_ADD(peer_key, client_ed25519) { .kind = "Ed25519" };
FIXTURE_VARIANT_ADD(peer_key, server_rsa) { .kind = "RSA", .server = true };
FIXTURE_VARIANT_ADD(peer_key, server_p384) { .kind = "P-384", .server = true };

FIXTURE_SETUP(peer_key)
{
	self->der = NULL;
	self->len = make_cert(variant->kind, &self->der);
	ASSERT_LT(0, self->len);
	ASSERT_EQ(0, iotsec_config_new(&self->cfg));
	self->s = hs_session_on(self->cfg, variant->server, &self->peer);
	ASSERT_NE(NULL, self->s);
}

FIXTURE_TEARDOWN(peer_key)
{
	hs_session_end(self->s, self->peer);
	iotsec_config_free(self->cfg);
	OPENSSL_free(self->der);
}

/* RFC 8446 4.4.2.2: a chain we cannot use ends in unsupported_certificate. */
TEST_F(peer_key, leaf_not_p256_is_unsupported_certificate)
{
	static const uint8_t want[7] = { TLS_CT_ALERT, 3, 3, 0, 2, 2,
					 IOTSEC_ALERT_UNSUPPORTED_CERTIFICATE };
	struct msg_certificate c = { .n = 1 };
	struct iotsec_session *s = self->s;
	uint8_t got[8];
	struct msg_hdr h;
	struct wbuf m;
	int ret;

	c.certs[0].der = self->der;
	c.certs[0].len = self->len;
	wbuf_init(&m, 0);
	ASSERT_EQ(0, msg_put_certificate(&m, &c));
	ASSERT_EQ(0, peer_sends(self->peer, m.base, m.len));
	wbuf_wipe(&m);

	s->state = variant->server ? EXPECT_CERTIFICATE :
				     EXPECT_CERTIFICATE_REQUEST;
	ASSERT_EQ(0, io_next_message(s, &h));
	ret = variant->server ? server_step(s, &h) : client_step(s, &h);
	EXPECT_EQ(ALERT_SENT(UNSUPPORTED_CERTIFICATE), ret);
	EXPECT_STREQ("TLS alert sent: unsupported_certificate",
		     iotsec_strerror(ret));
	/* Refused before the kernel saw it: no keyring, no key, no op. */
	EXPECT_EQ(0, s->peer.ring);
	EXPECT_EQ(0, s->peer.leaf);
	EXPECT_EQ(0, s->chip_ops);
	EXPECT_EQ(0, s->tr.msgs.len);

	/* What iotsec_session_connect()/accept() send on that error. */
	hs_send_failure_alert(s, ret);
	ASSERT_EQ(7, recv(self->peer, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(want, got, 7));
}

/*
 * A client chain that passes every check of ours: accepted, kept, and
 * nothing in the kernel yet (no keyring, no key) until CertificateVerify.
 * It used to be linked at once: a keyring and a key per connection, for
 * as long as the peer cared to wait.
 */
TEST(certificate_reaches_the_kernel_only_with_its_certificate_verify)
{
	struct msg_certificate c = { .n = 1 };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	struct msg_hdr h;
	struct wbuf m;
	uint8_t *der = NULL;
	int peer, len;

	len = make_cert("P-256", &der);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, iotsec_config_new(&cfg));
	s = hs_session_on(cfg, true, &peer);
	ASSERT_NE(NULL, s);
	c.certs[0].der = der;
	c.certs[0].len = len;
	wbuf_init(&m, 0);
	ASSERT_EQ(0, msg_put_certificate(&m, &c));
	ASSERT_EQ(0, peer_sends(peer, m.base, m.len));
	wbuf_wipe(&m);
	s->state = EXPECT_CERTIFICATE;
	ASSERT_EQ(0, io_next_message(s, &h));
	EXPECT_EQ(0, server_step(s, &h));
	EXPECT_EQ(EXPECT_CERTIFICATE_VERIFY, s->state);
	EXPECT_EQ(0, s->peer.ring);
	EXPECT_EQ(0, s->peer.leaf);
	EXPECT_STREQ("peer.test", s->peer.name);
	/* The chain is kept for the CertificateVerify. */
	EXPECT_LT(0, s->peer_cert.len);
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
	OPENSSL_free(der);
}

/* A client that sent its ClientHello (a P-256 share) and awaits the reply. */
FIXTURE(client)
{
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	int peer;
};

FIXTURE_SETUP(client)
{
	struct msg_client_hello *ch;
	struct wbuf m;

	ASSERT_EQ(0, iotsec_config_new(&self->cfg));
	self->s = hs_session_on(self->cfg, false, &self->peer);
	ASSERT_NE(NULL, self->s);
	ch = &self->s->ch;
	memset(ch->random, 0x11, sizeof(ch->random));
	ch->n_suites = 1;
	ch->suites[0] = TLS_AES_128_GCM_SHA256;
	ch->key_share.has_p256 = true;
	memset(ch->key_share.p256, 0x22, sizeof(ch->key_share.p256));
	ch->key_share.p256[0] = 0x04;
	self->s->offered = msg_client_hello_exts(ch);
	self->s->state = EXPECT_SERVER_HELLO;
	wbuf_init(&m, 0);
	ASSERT_EQ(0, msg_put_client_hello(&m, ch));
	ASSERT_EQ(0, hs_send(self->s, &m));
	wbuf_wipe(&m);
	wbuf_reset(&self->s->out);
}

FIXTURE_TEARDOWN(client)
{
	hs_session_end(self->s, self->peer);
	iotsec_config_free(self->cfg);
}

/* Hands the client a HelloRetryRequest; returns its step's result. */
static int hrr_to(struct iotsec_session *s, uint16_t group, size_t cookie_len)
{
	struct msg_server_hello hrr = { .hrr = true,
					.suite = TLS_AES_128_GCM_SHA256 };
	struct msg_hdr h;
	struct wbuf m;
	int ret;

	hrr.group = group;
	hrr.cookie_len = cookie_len;
	memset(hrr.cookie, 0xc0, cookie_len);
	wbuf_init(&m, 0);
	ret = msg_put_server_hello(&m, &hrr);
	if (!ret && msg_next(m.base, m.len, &h) != 1)
		ret = -EBADMSG;
	if (!ret)
		ret = client_step(s, &h);
	wbuf_wipe(&m);
	return ret;
}

/* RFC 8446 4.1.3: legacy_session_id_echo must be what we sent (empty). */
TEST_F(client, server_hello_not_echoing_the_session_id_is_illegal_parameter)
{
	struct msg_server_hello sh = { .suite = TLS_AES_128_GCM_SHA256,
				       .group = MSG_SECP256R1,
				       .session_id_len = 1 };
	struct msg_hdr h;
	struct wbuf m;

	memset(sh.random, 0x5e, sizeof(sh.random));
	memset(sh.share, 0x22, sizeof(sh.share));
	sh.share[0] = 0x04;
	wbuf_init(&m, 0);
	ASSERT_EQ(0, msg_put_server_hello(&m, &sh));
	ASSERT_EQ(1, msg_next(m.base, m.len, &h));
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER), client_step(self->s, &h));
	EXPECT_FALSE(self->s->rx_on);
	wbuf_wipe(&m);
}

/* RFC 8446 4.2.8: the group of a share we sent is illegal_parameter. */
TEST_F(client, hrr_naming_secp256r1_with_cookie_is_illegal_parameter)
{
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER),
		  hrr_to(self->s, MSG_SECP256R1, 16));
	EXPECT_EQ(0, self->s->out.len);
}

TEST_F(client, hrr_naming_secp256r1_alone_is_illegal_parameter)
{
	EXPECT_EQ(ALERT_SENT(ILLEGAL_PARAMETER),
		  hrr_to(self->s, MSG_SECP256R1, 0));
	EXPECT_EQ(0, self->s->out.len);
}

/* A cookie alone: the same ClientHello again, with the cookie. */
TEST_F(client, hrr_with_cookie_alone_gets_second_client_hello)
{
	struct msg_client_hello ch2;
	struct msg_hdr h;

	ASSERT_EQ(0, hrr_to(self->s, 0, 16));
	ASSERT_EQ(0, queued_message(self->s, 0, &h));
	ASSERT_EQ(MSG_CLIENT_HELLO, h.type);
	ASSERT_EQ(0, msg_get_client_hello(h.body, h.len, &ch2));
	EXPECT_EQ(16, ch2.cookie_len);
	EXPECT_EQ(0xc0, ch2.cookie[15]);
	EXPECT_EQ(0, memcmp(self->s->ch.key_share.p256, ch2.key_share.p256,
			    MSG_P256_SHARE_LEN));
	/* One retry only. */
	EXPECT_EQ(ALERT_SENT(UNEXPECTED_MESSAGE), hrr_to(self->s, 0, 16));
}

/* CertificateRequest, context empty, signature_algorithms {scheme}. */
static int cert_request_to(struct iotsec_session *s, uint16_t scheme)
{
	const uint8_t cr[] = { MSG_CERTIFICATE_REQUEST, 0, 0, 11, 0, 0, 8,
			       0, MSG_EXT_SIGNATURE_ALGORITHMS, 0, 4, 0, 2,
			       scheme >> 8, scheme & 0xff };
	struct msg_hdr h;

	if (msg_next(cr, sizeof(cr), &h) != 1)
		return -EBADMSG;
	s->state = EXPECT_CERTIFICATE_REQUEST;
	return client_step(s, &h);
}

/* RFC 8446 4.4.2: no suitable certificate, so an empty Certificate. */
TEST_F(client, cert_request_without_our_scheme_gets_no_certificate)
{
	struct iotsec_session *s = self->s;
	struct msg_certificate c;
	struct msg_hdr h;

	ASSERT_EQ(0, cert_request_to(s, 0x0804));	/* rsa_pss_rsae_sha256 */
	EXPECT_EQ(EXPECT_CERTIFICATE, s->state);
	ASSERT_EQ(0, hs_send_auth(s));
	ASSERT_EQ(0, queued_message(s, 0, &h));
	ASSERT_EQ(MSG_CERTIFICATE, h.type);
	ASSERT_EQ(0, msg_get_certificate(h.body, h.len, 0, &c));
	EXPECT_EQ(0, c.n);
	EXPECT_EQ(0, c.context_len);
	/* ... and no CertificateVerify: nothing was signed. */
	EXPECT_EQ(-1, queued_message(s, 1, &h));
	EXPECT_EQ(0, s->chip_ops);
}

/* With our scheme listed the chain goes out and the key is asked. */
TEST_F(client, cert_request_with_our_scheme_gets_the_chain)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nAQIDBA==\n"
				  "-----END CERTIFICATE-----\n";
	char path[] = "/tmp/hs_test.XXXXXX";
	struct iotsec_session *s = self->s;
	struct msg_certificate c;
	struct msg_hdr h;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(pem), write(fd, pem, strlen(pem)));
	close(fd);
	ASSERT_EQ(0, iotsec_config_set_cert_chain_file(self->cfg, path));
	unlink(path);
	ASSERT_EQ(0, cert_request_to(s, MSG_ECDSA_P256_SHA256));
	/* The configured key (none here) cannot sign: an error, after. */
	EXPECT_GT(0, hs_send_auth(s));
	ASSERT_EQ(0, queued_message(s, 0, &h));
	ASSERT_EQ(0, msg_get_certificate(h.body, h.len, 0, &c));
	EXPECT_EQ(1, c.n);
	EXPECT_EQ(4, c.certs[0].len);
}

/*
 * A chip that stalls gives -ETIMEDOUT (the driver's errno) well before the
 * handshake's deadline: that is a local failure, internal_error to the
 * peer.  Only the deadline passed means the time limit, and no alert.
 */
TEST(chip_timeout_is_internal_error_time_limit_is_silent)
{
	static const uint8_t want[7] = { TLS_CT_ALERT, 3, 3, 0, 2, 2,
					 IOTSEC_ALERT_INTERNAL_ERROR };
	struct iotsec_config *cfg;
	struct iotsec_session *s;
	uint8_t got[8];
	int peer;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	s = hs_session_on(cfg, true, &peer);
	ASSERT_NE(NULL, s);
	hs_send_failure_alert(s, -ETIMEDOUT);
	ASSERT_EQ(7, recv(peer, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(want, got, 7));
	hs_session_end(s, peer);

	s = hs_session_on(cfg, false, &peer);
	ASSERT_NE(NULL, s);
	s->deadline = io_now() - 1;
	hs_send_failure_alert(s, -ETIMEDOUT);
	EXPECT_EQ(-1, recv(peer, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	hs_session_end(s, peer);
	iotsec_config_free(cfg);
}

TEST_HARNESS_MAIN
