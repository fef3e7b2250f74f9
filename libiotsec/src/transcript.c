// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake transcript (see transcript.h).
 */
#include "transcript.h"

/* Handshake messages we accept are bounded; so is the transcript. */
#define TR_MAX	(256 * 1024)

void tr_init(struct transcript *tr)
{
	wbuf_init(&tr->msgs, TR_MAX);
}

void tr_wipe(struct transcript *tr)
{
	wbuf_wipe(&tr->msgs);
}

int tr_add(struct transcript *tr, const uint8_t *msg, size_t len)
{
	wbuf_put(&tr->msgs, msg, len);
	return tr->msgs.err;
}

int tr_hash(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h,
	    uint8_t *out)
{
	if (tr->msgs.err)
		return tr->msgs.err;
	return hash_digest(hc, h, tr->msgs.base ? tr->msgs.base : (uint8_t *)"",
			   tr->msgs.len, out);
}

int tr_hrr(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h)
{
	uint8_t ch1[HASH_MAX];
	int ret = tr_hash(tr, hc, h, ch1);

	if (ret)
		return ret;
	wbuf_reset(&tr->msgs);
	wbuf_put8(&tr->msgs, TLS_HS_MESSAGE_HASH);
	wbuf_put24(&tr->msgs, hash_len(h));
	wbuf_put(&tr->msgs, ch1, hash_len(h));
	return tr->msgs.err;
}
