/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS wire codec: a growable writer with length-prefixed blocks that
 * are back-patched, and a bounded reader whose blocks must be consumed
 * exactly.  All wire input goes through the reader; nothing else does
 * pointer arithmetic on received bytes.
 *
 * Both keep the first error and turn every later call into a no-op, so a
 * message is encoded or decoded straight through and checked once.
 */
#ifndef IOTSEC_CODEC_H
#define IOTSEC_CODEC_H

#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *base;
	size_t len;
	size_t cap;
	size_t max;	/* hard limit; 0 = none */
	int err;	/* first error: negative errno */
};

struct rbuf {
	const uint8_t *p;
	const uint8_t *end;
	int err;	/* first error: negative errno (-EBADMSG = decode_error) */
};

void wbuf_init(struct wbuf *w, size_t max);
void wbuf_wipe(struct wbuf *w);	/* zero, free and reset */
void wbuf_reset(struct wbuf *w);	/* length 0, keeps the memory */
void wbuf_put(struct wbuf *w, const void *src, size_t n);
void wbuf_put8(struct wbuf *w, uint8_t v);
void wbuf_put16(struct wbuf *w, uint16_t v);
void wbuf_put24(struct wbuf *w, uint32_t v);
uint8_t *wbuf_reserve(struct wbuf *w, size_t n);
/* Opens a block with an n-byte length prefix (1..3); returns its mark. */
size_t wbuf_open(struct wbuf *w, int n);
/* Closes it: writes the length of what followed the prefix. */
void wbuf_close(struct wbuf *w, size_t mark, int n);
/* A whole block: an n-byte length, then len bytes from p. */
void wbuf_put_opaque(struct wbuf *w, int n, const void *p, size_t len);

void rbuf_init(struct rbuf *r, const void *p, size_t len);
size_t rbuf_left(const struct rbuf *r);
uint8_t rbuf_get8(struct rbuf *r);
uint16_t rbuf_get16(struct rbuf *r);
uint32_t rbuf_get24(struct rbuf *r);
/* Returns a pointer to the next n bytes and skips them, or NULL. */
const uint8_t *rbuf_get(struct rbuf *r, size_t n);
void rbuf_copy(struct rbuf *r, void *dst, size_t n);
/*
 * Opens a sub-reader over an n-byte-length-prefixed block whose length
 * lies in [min, max]; the parent moves past the block.
 */
void rbuf_block(struct rbuf *r, int n, size_t min, size_t max,
		struct rbuf *sub);
/* The reader must be used up exactly; returns 0 or its error. */
int rbuf_done(struct rbuf *r);
/* Propagates a sub-reader's error into its parent. */
void rbuf_join(struct rbuf *r, const struct rbuf *sub);

#endif
