// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the record layer and handshake framing as a peer
 * drives them.  A session in the state it is in after the connection
 * opened (a server awaiting ClientHello, or a client that sent its
 * ClientHello) reads the input from its socket, records and all, and runs
 * the handshake loop on it (hs_loop(), as hs_run() does) until it fails
 * or runs out of bytes; then the failure alert goes out as
 * iotsec_session_connect() and accept() send it.  The first input byte picks the side (odd: client).
 * No chip and no AF_ALG kpp here: a ClientHello or ServerHello that gets
 * as far as the key exchange fails there, cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fuzz.h"
#include "hs_session.h"

static struct iotsec_config *cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	FUZZ_CHECK(!iotsec_config_new(&cfg));
	return 0;
}

/* A client that sent its ClientHello: a name, our three suites, a share. */
static void sent_client_hello(struct iotsec_session *s)
{
	struct msg_client_hello *ch = &s->ch;
	struct wbuf m;

	memset(ch->random, 0x11, sizeof(ch->random));
	ch->key_share.has_p256 = true;
	memset(ch->key_share.p256, 0x22, sizeof(ch->key_share.p256));
	ch->key_share.p256[0] = 0x04;
	strcpy(ch->server_name, "server.test");
	s->offered = msg_client_hello_exts(ch);
	s->state = EXPECT_SERVER_HELLO;
	wbuf_init(&m, 0);
	FUZZ_CHECK(!msg_put_client_hello(&m, ch) && !hs_send(s, &m));
	wbuf_wipe(&m);
	wbuf_reset(&s->out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iotsec_session *s;
	int peer, ret;
	ssize_t n;

	if (!size)
		return 0;
	s = hs_session_on(cfg, !(data[0] & 1), &peer);
	FUZZ_CHECK(s);
	if (!s->server)
		sent_client_hello(s);
	fcntl(peer, F_SETFL, O_NONBLOCK);
	/* As much as the socket holds; the rest is a peer that went away. */
	n = write(peer, data + 1, size - 1);
	FUZZ_CHECK(n >= 0 || size == 1);
	shutdown(peer, SHUT_WR);
	ret = hs_loop(s);
	FUZZ_CHECK(ret < 0);	/* no input completes a handshake */
	FUZZ_CHECK(s->hs.len <= s->hs.max);
	hs_send_failure_alert(s, ret);
	hs_session_end(s, peer);
	return 0;
}
