// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake transcript (see transcript.h).
 */
#include <errno.h>
#include <string.h>

#include "iotsec.h"
#include "transcript.h"

/* Handshake messages we accept are bounded; so is the transcript. */
#define TR_MAX	(256 * 1024)

void tr_init(struct transcript *tr)
{
	memset(tr, 0, sizeof(*tr));
	wbuf_init(&tr->msgs, TR_MAX);
}

static void run_free(struct transcript *tr)
{
	int i;

	for (i = 0; i < HASH_ALGS; i++) {
		hash_ossl_run_free(tr->run[i]);
		tr->run[i] = NULL;
		tr->run_len[i] = 0;
	}
}

void tr_wipe(struct transcript *tr)
{
	run_free(tr);
	wbuf_wipe(&tr->msgs);
}

/* The userspace backend: feed what is new, read a copy. */
static int run_hash(struct transcript *tr, struct hash_ctx *hc,
		    enum hash_alg h, uint8_t *out)
{
	int ret;

	if (!tr->run[h]) {
		tr->run[h] = hash_ossl_run_new(h);
		tr->run_len[h] = 0;
		if (!tr->run[h])
			return -ENOMEM;
	}
	ret = hash_ossl_run_update(tr->run[h], tr->msgs.base + tr->run_len[h],
				   tr->msgs.len - tr->run_len[h]);
	if (!ret) {
		tr->run_len[h] = tr->msgs.len;
		ret = hash_ossl_run_peek(tr->run[h], h, out);
	}
	if (ret) {
		hash_ossl_run_free(tr->run[h]);
		tr->run[h] = NULL;
		return ret;
	}
	hash_ran(hc, IOTSEC_CRYPTO_USER);
	return 0;
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
	if ((unsigned int)h >= HASH_ALGS)
		return -EINVAL;
	if (hash_pick(hc, HASH_KIND_MD) == IOTSEC_CRYPTO_USER && tr->msgs.len)
		return run_hash(tr, hc, h, out);
	return hash_digest(hc, h, tr->msgs.base ? tr->msgs.base : (uint8_t *)"",
			   tr->msgs.len, out);
}

int tr_hrr(struct transcript *tr, struct hash_ctx *hc, enum hash_alg h)
{
	uint8_t ch1[HASH_MAX];
	int ret = tr_hash(tr, hc, h, ch1);

	if (ret)
		return ret;
	run_free(tr);
	wbuf_reset(&tr->msgs);
	wbuf_put8(&tr->msgs, TLS_HS_MESSAGE_HASH);
	wbuf_put24(&tr->msgs, hash_len(h));
	wbuf_put(&tr->msgs, ch1, hash_len(h));
	return tr->msgs.err;
}
