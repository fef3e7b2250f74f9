// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer targets for the handshake message decoders (libiotsec/src/
 * msg.c, ext.c), one binary per message: FUZZ_NAME (set by the Makefile)
 * picks the decoder.  The input is a message body, as msg_next() hands it
 * over; the same bytes also go through msg_next() as a whole message.
 * Where the encoder can say the same thing again, what was decoded is
 * encoded, decoded a second time and must come back equal.  Certificate
 * entries go on to x509_parse().
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "msg.h"
#include "x509.h"

/*
 * What our ClientHello offers when it sends a name, echoes a cookie and
 * offers a ticket (so a ServerHello's pre_shared_key is decoded too).
 */
static uint64_t offered;

static void framing(const uint8_t *data, size_t size)
{
	struct msg_hdr h;
	int ret = msg_next(data, size, &h);

	FUZZ_CHECK(ret == 0 || ret == 1 || ret < 0);
	if (ret == 1)
		FUZZ_CHECK(h.body == data + MSG_HDR_LEN &&
			   h.len + MSG_HDR_LEN <= size &&
			   h.len <= msg_max_len(h.type));
}

/*
 * The identities and binders kept point into the body, the binders list
 * is its tail, and without pre_shared_key nothing is kept.
 */
static void psk_offer(const uint8_t *data, size_t size,
		      const struct msg_client_hello *ch)
{
	const struct msg_psk_offer *o = &ch->psk_offer;
	size_t i;

	FUZZ_CHECK(ch->psk || (!o->n && !o->n_binders));
	if (!ch->psk)
		return;
	FUZZ_CHECK(o->n && o->n_binders && o->binders_len >= 2 + 33 &&
		   o->binders_len <= size);
	for (i = 0; i < o->n && i < MSG_PSK_MAX; i++)
		FUZZ_CHECK(o->id[i] >= data && o->id_len[i] >= 1 &&
			   o->id[i] + o->id_len[i] <= data + size - o->binders_len);
	for (i = 0; i < o->n_binders && i < MSG_PSK_MAX; i++)
		FUZZ_CHECK(o->binder[i] >= data + size - o->binders_len &&
			   o->binder_len[i] >= 32 &&
			   o->binder[i] + o->binder_len[i] <= data + size);
}

static void client_hello(const uint8_t *data, size_t size)
{
	struct msg_client_hello ch;

	if (msg_get_client_hello(data, size, &ch))
		return;
	FUZZ_CHECK(ch.session_id_len <= MSG_SESSION_ID_MAX);
	FUZZ_CHECK(ch.n_suites <= MSG_SUITES_MAX);
	FUZZ_CHECK(ch.cookie_len <= MSG_COOKIE_MAX);
	FUZZ_CHECK(memchr(ch.server_name, 0, sizeof(ch.server_name)));
	psk_offer(data, size, &ch);
}

static void server_hello(const uint8_t *data, size_t size)
{
	struct msg_server_hello a, b;
	struct msg_hdr h;
	struct wbuf w;

	if (msg_get_server_hello(data, size, offered, &a))
		return;
	wbuf_init(&w, 0);
	FUZZ_CHECK(!msg_put_server_hello(&w, &a));
	FUZZ_CHECK(msg_next(w.base, w.len, &h) == 1);
	FUZZ_CHECK(!msg_get_server_hello(h.body, h.len, offered, &b));
	if (!a.hrr)	/* an HRR's random is msg_hrr_random both times */
		FUZZ_CHECK(!memcmp(a.random, b.random, MSG_RANDOM_LEN));
	FUZZ_CHECK(a.hrr == b.hrr && a.suite == b.suite && a.group == b.group &&
		   a.session_id_len == b.session_id_len &&
		   !memcmp(a.session_id, b.session_id, a.session_id_len) &&
		   !memcmp(a.share, b.share, MSG_P256_SHARE_LEN) &&
		   a.cookie_len == b.cookie_len &&
		   !memcmp(a.cookie, b.cookie, a.cookie_len) &&
		   a.psk == b.psk && a.psk_identity == b.psk_identity);
	wbuf_wipe(&w);
}

static void encrypted_extensions(const uint8_t *data, size_t size)
{
	struct msg_encrypted_extensions ee;

	msg_get_encrypted_extensions(data, size, offered, &ee);
}

static void certificate_request(const uint8_t *data, size_t size)
{
	struct msg_certificate_request cr;

	if (!msg_get_certificate_request(data, size, &cr))
		FUZZ_CHECK(cr.sig_algs.present);
}

static void certificate(const uint8_t *data, size_t size)
{
	struct msg_certificate a, b;
	struct x509_cert x;
	struct msg_hdr h;
	struct wbuf w;
	size_t i;

	if (msg_get_certificate(data, size, 0, &a))
		return;
	FUZZ_CHECK(a.n <= MSG_CERTS_MAX);
	for (i = 0; i < a.n; i++) {
		FUZZ_CHECK(a.certs[i].der >= data && a.certs[i].len &&
			   a.certs[i].der + a.certs[i].len <= data + size);
		x509_parse(a.certs[i].der, a.certs[i].len, &x);
	}
	wbuf_init(&w, 0);
	FUZZ_CHECK(!msg_put_certificate(&w, &a));
	FUZZ_CHECK(msg_next(w.base, w.len, &h) == 1);
	FUZZ_CHECK(!msg_get_certificate(h.body, h.len, 0, &b));
	FUZZ_CHECK(a.n == b.n && a.context_len == b.context_len &&
		   !memcmp(a.context, b.context, a.context_len));
	for (i = 0; i < a.n; i++)
		FUZZ_CHECK(a.certs[i].len == b.certs[i].len &&
			   !memcmp(a.certs[i].der, b.certs[i].der, a.certs[i].len));
	wbuf_wipe(&w);
}

static void certificate_verify(const uint8_t *data, size_t size)
{
	struct msg_certificate_verify a, b;
	struct msg_hdr h;
	struct wbuf w;

	if (msg_get_certificate_verify(data, size, &a))
		return;
	FUZZ_CHECK(a.sig >= data && a.sig + a.sig_len <= data + size);
	wbuf_init(&w, 0);
	FUZZ_CHECK(!msg_put_certificate_verify(&w, &a));
	FUZZ_CHECK(msg_next(w.base, w.len, &h) == 1);
	FUZZ_CHECK(!msg_get_certificate_verify(h.body, h.len, &b));
	FUZZ_CHECK(a.scheme == b.scheme && a.sig_len == b.sig_len &&
		   !memcmp(a.sig, b.sig, a.sig_len));
	wbuf_wipe(&w);
}

static void finished(const uint8_t *data, size_t size)
{
	uint8_t v[MSG_VERIFY_MAX];
	size_t hl;

	for (hl = 32; hl <= 48; hl += 16)
		if (!msg_get_finished(data, size, hl, v))
			FUZZ_CHECK(size == hl && !memcmp(v, data, hl));
	FUZZ_CHECK(msg_get_finished(data, size, 40, v) == -EINVAL);
}

static void key_update(const uint8_t *data, size_t size)
{
	bool a, b;
	struct msg_hdr h;
	struct wbuf w;

	if (msg_get_key_update(data, size, &a))
		return;
	wbuf_init(&w, 0);
	FUZZ_CHECK(!msg_put_key_update(&w, a));
	FUZZ_CHECK(msg_next(w.base, w.len, &h) == 1);
	FUZZ_CHECK(!msg_get_key_update(h.body, h.len, &b) && a == b);
	wbuf_wipe(&w);
}

/* Encoded again (without extensions), it decodes to the same fields. */
static void new_session_ticket(const uint8_t *data, size_t size)
{
	struct msg_new_session_ticket a, b;
	struct msg_hdr h;
	struct wbuf w;

	if (msg_get_new_session_ticket(data, size, &a))
		return;
	FUZZ_CHECK(a.ticket >= data && a.ticket_len >= 1 &&
		   a.ticket + a.ticket_len <= data + size);
	wbuf_init(&w, 0);
	FUZZ_CHECK(!msg_put_new_session_ticket(&w, &a));
	FUZZ_CHECK(msg_next(w.base, w.len, &h) == 1);
	FUZZ_CHECK(!msg_get_new_session_ticket(h.body, h.len, &b));
	FUZZ_CHECK(a.lifetime == b.lifetime && a.age_add == b.age_add &&
		   a.nonce_len == b.nonce_len &&
		   !memcmp(a.nonce, b.nonce, a.nonce_len) &&
		   a.ticket_len == b.ticket_len &&
		   !memcmp(a.ticket, b.ticket, a.ticket_len) && !b.early_data);
	wbuf_wipe(&w);
}

static const struct {
	const char *name;
	void (*run)(const uint8_t *data, size_t size);
} decoders[] = {
	{ "client_hello", client_hello },
	{ "server_hello", server_hello },
	{ "encrypted_extensions", encrypted_extensions },
	{ "certificate_request", certificate_request },
	{ "certificate", certificate },
	{ "certificate_verify", certificate_verify },
	{ "finished", finished },
	{ "key_update", key_update },
	{ "new_session_ticket", new_session_ticket },
};

static void (*decoder)(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct msg_client_hello ch = { .cookie_len = 1 };
	size_t i;

	(void)argc, (void)argv;
	fuzz_quiet();
	strcpy(ch.server_name, "server.test");
	ch.key_share.has_p256 = true;
	ch.psk_modes = true;
	ch.psk_offer.n = 1;
	offered = msg_client_hello_exts(&ch);
	for (i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (!strcmp(decoders[i].name, FUZZ_NAME))
			decoder = decoders[i].run;
	FUZZ_CHECK(decoder);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	framing(data, size);
	decoder(data, size);
	return 0;
}
