/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session in mid-handshake on one end of a socketpair, with no kernel
 * crypto, for the host tests and the record fuzz target: what
 * iotsec_session_connect()/accept() set up before the first message,
 * without the config's keys, certificates or AF_ALG.  The caller puts it
 * in the state under test and feeds the peer's bytes through *peer.
 */
#ifndef IOTSEC_TESTS_HS_SESSION_H
#define IOTSEC_TESTS_HS_SESSION_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iotsec.h"
#include "internal.h"
#include "session.h"

static inline struct iotsec_session *hs_session_on(struct iotsec_config *cfg,
						   bool server, int *peer)
{
	struct iotsec_session *s = calloc(1, sizeof(*s));
	int sv[2];

	if (!s || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		free(s);
		return NULL;
	}
	s->cfg = cfg;
	s->fd = sv[0];
	s->server = server;
	s->kpp.tfmfd = s->kpp.opfd = -1;
	s->suite = suite_find(TLS_AES_128_GCM_SHA256);
	tr_init(&s->tr);
	wbuf_init(&s->hs, MSG_MAX_LEN_LARGE + MSG_HDR_LEN + TLS_MAX_PLAINTEXT);
	wbuf_init(&s->out, 0);
	s->deadline = io_now() + 10;
	*peer = sv[1];
	return s;
}

/* The handshake secrets of a made-up exchange, as far as ServerHello. */
static inline int hs_session_handshake_keys(struct iotsec_session *s)
{
	static const uint8_t ch[] = { MSG_CLIENT_HELLO, 0, 0, 2, 0xc1, 0xc2 };
	static const uint8_t sh[] = { MSG_SERVER_HELLO, 0, 0, 2, 0x51, 0x52 };
	uint8_t ecdhe[32], th[HASH_MAX];
	int ret;

	memset(ecdhe, 0xec, sizeof(ecdhe));
	ret = tr_add(&s->tr, ch, sizeof(ch));
	if (!ret)
		ret = tr_add(&s->tr, sh, sizeof(sh));
	if (!ret)
		ret = hs_thash(s, th);
	if (!ret)
		ret = ks_early(&s->ks, &s->hash, s->suite->hash);
	if (!ret)
		ret = ks_handshake(&s->ks, &s->hash, ecdhe, sizeof(ecdhe), th);
	return ret;
}

static inline void hs_session_end(struct iotsec_session *s, int peer)
{
	close(s->fd);
	close(peer);
	iotsec_session_free(s);
}

#endif
