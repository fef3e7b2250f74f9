// SPDX-License-Identifier: GPL-2.0
/*
 * A small DER writer and PEM armour (see der.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

void der_init(struct der *d)
{
	memset(d, 0, sizeof(*d));
}

void der_free(struct der *d)
{
	free(d->buf);
	der_init(d);
}

/* Room for n more bytes; 0 or the (sticky) error. */
static int grow(struct der *d, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (d->err)
		return d->err;
	if (n > DER_MAX_LEN || d->len + n > DER_MAX_LEN + 8)
		return d->err = -EOVERFLOW;
	if (d->len + n <= d->cap)
		return 0;
	cap = d->cap ? d->cap : 256;
	while (cap < d->len + n)
		cap *= 2;
	p = realloc(d->buf, cap);
	if (!p)
		return d->err = -ENOMEM;
	d->buf = p;
	d->cap = cap;
	return 0;
}

void der_put(struct der *d, const void *p, size_t n)
{
	if (!n || grow(d, n))
		return;
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* Tag and length octets for a content length; returns how many. */
static size_t header(uint8_t tag, size_t len, uint8_t h[5])
{
	h[0] = tag;
	if (len < 0x80) {
		h[1] = len;
		return 2;
	}
	if (len <= 0xff) {
		h[1] = 0x81;
		h[2] = len;
		return 3;
	}
	if (len <= 0xffff) {
		h[1] = 0x82;
		h[2] = len >> 8;
		h[3] = len;
		return 4;
	}
	h[1] = 0x83;
	h[2] = len >> 16;
	h[3] = len >> 8;
	h[4] = len;
	return 5;
}

void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[5];

	if (n > DER_MAX_LEN) {
		if (!d->err)
			d->err = -EOVERFLOW;
		return;
	}
	der_put(d, h, header(tag, n, h));
	der_put(d, p, n);
}

size_t der_open(const struct der *d)
{
	return d->len;
}

void der_close(struct der *d, uint8_t tag, size_t mark)
{
	size_t n, hl;
	uint8_t h[5];

	if (d->err)
		return;
	if (mark > d->len) {
		d->err = -EOVERFLOW;
		return;
	}
	n = d->len - mark;
	if (n > DER_MAX_LEN) {
		d->err = -EOVERFLOW;
		return;
	}
	hl = header(tag, n, h);
	if (grow(d, hl))
		return;
	memmove(d->buf + mark + hl, d->buf + mark, n);
	memcpy(d->buf + mark, h, hl);
	d->len += hl;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 (RFC 4648 section 4) of up to 3 bytes, padded with '='. */
static void quantum(const uint8_t *in, size_t n, char out[4])
{
	uint32_t v = (uint32_t)in[0] << 16;

	if (n > 1)
		v |= (uint32_t)in[1] << 8;
	if (n > 2)
		v |= in[2];
	out[0] = b64[v >> 18 & 63];
	out[1] = b64[v >> 12 & 63];
	out[2] = n > 1 ? b64[v >> 6 & 63] : '=';
	out[3] = n > 2 ? b64[v & 63] : '=';
}

char *der_to_pem(const char *label, const uint8_t *der, size_t len)
{
	size_t chars = (len + 2) / 3 * 4;
	size_t size = 2 * (strlen(label) + 17) + chars + chars / 64 + 2;
	size_t i, col = 0;
	char *pem, *p;

	if (len > DER_MAX_LEN)
		return NULL;
	pem = malloc(size);
	if (!pem)
		return NULL;
	p = pem + sprintf(pem, "-----BEGIN %s-----\n", label);
	for (i = 0; i < len; i += 3) {
		quantum(der + i, len - i < 3 ? len - i : 3, p);
		p += 4;
		col += 4;
		if (col == 64) {
			*p++ = '\n';
			col = 0;
		}
	}
	if (col)
		*p++ = '\n';
	sprintf(p, "-----END %s-----\n", label);
	return pem;
}
