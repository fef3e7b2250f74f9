// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS wire codec (see codec.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

void wbuf_init(struct wbuf *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
}

void wbuf_wipe(struct wbuf *w)
{
	if (w->base)
		explicit_bzero(w->base, w->cap);
	free(w->base);
	wbuf_init(w, w->max);
}

void wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->err = 0;
}

static int grow(struct wbuf *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *nb;

	if (w->max && need > w->max)
		return -EMSGSIZE;
	while (cap < need)
		cap *= 2;
	if (w->max && cap > w->max)
		cap = w->max;
	/* Never realloc: the old copy may hold secrets. */
	nb = malloc(cap);
	if (!nb)
		return -ENOMEM;
	if (w->base) {
		memcpy(nb, w->base, w->len);
		explicit_bzero(w->base, w->cap);
		free(w->base);
	}
	w->base = nb;
	w->cap = cap;
	return 0;
}

uint8_t *wbuf_reserve(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > SIZE_MAX - w->len) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	if (w->len + n > w->cap) {
		w->err = grow(w, w->len + n);
		if (w->err)
			return NULL;
	}
	/* Nothing reserved in a buffer never grown: no NULL + 0 (C11 6.5.6). */
	if (!w->base)
		return NULL;
	p = w->base + w->len;
	w->len += n;
	return p;
}

void wbuf_put(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void wbuf_put8(struct wbuf *w, uint8_t v)
{
	wbuf_put(w, &v, 1);
}

void wbuf_put16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	wbuf_put(w, b, 2);
}

void wbuf_put24(struct wbuf *w, uint32_t v)
{
	uint8_t b[3] = { v >> 16, v >> 8, v };

	if (v >> 24 && !w->err)
		w->err = -EMSGSIZE;
	wbuf_put(w, b, 3);
}

size_t wbuf_open(struct wbuf *w, int n)
{
	wbuf_reserve(w, n);
	return w->len;
}

void wbuf_close(struct wbuf *w, size_t mark, int n)
{
	size_t len;
	int i;

	if (w->err)
		return;
	len = w->len - mark;
	if (len >> (8 * n)) {
		w->err = -EMSGSIZE;
		return;
	}
	for (i = 1; i <= n; i++, len >>= 8)
		w->base[mark - i] = len & 0xff;
}

/* Writes p[0..len) as a block with an n-byte length prefix. */
void wbuf_put_opaque(struct wbuf *w, int n, const void *p, size_t len)
{
	size_t m = wbuf_open(w, n);

	wbuf_put(w, p, len);
	wbuf_close(w, m, n);
}

void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	static const uint8_t none;

	/*
	 * An empty input may come as NULL: the reader then points at a byte
	 * of its own, so that no arithmetic is ever done on a null pointer
	 * (undefined even for + 0, C11 6.5.6; UBSan's pointer-overflow).
	 */
	r->p = p ? p : &none;
	r->end = r->p + (p ? len : 0);
	r->err = 0;
}

size_t rbuf_left(const struct rbuf *r)
{
	return r->err ? 0 : (size_t)(r->end - r->p);
}

const uint8_t *rbuf_get(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (n > (size_t)(r->end - r->p)) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->p;
	r->p += n;
	return p;
}

static uint32_t get_be(struct rbuf *r, int n)
{
	const uint8_t *p = rbuf_get(r, n);
	uint32_t v = 0;
	int i;

	for (i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

uint8_t rbuf_get8(struct rbuf *r)
{
	return get_be(r, 1);
}

uint16_t rbuf_get16(struct rbuf *r)
{
	return get_be(r, 2);
}

uint32_t rbuf_get24(struct rbuf *r)
{
	return get_be(r, 3);
}

void rbuf_copy(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *p = rbuf_get(r, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

void rbuf_block(struct rbuf *r, int n, size_t min, size_t max,
		struct rbuf *sub)
{
	size_t len = get_be(r, n);
	const uint8_t *p;

	if (!r->err && (len < min || len > max))
		r->err = -EBADMSG;
	p = rbuf_get(r, len);
	rbuf_init(sub, p, p ? len : 0);
	sub->err = r->err;
}

int rbuf_done(struct rbuf *r)
{
	if (!r->err && r->p != r->end)
		r->err = -EBADMSG;
	return r->err;
}

void rbuf_join(struct rbuf *r, const struct rbuf *sub)
{
	if (!r->err)
		r->err = sub->err;
}
