// SPDX-License-Identifier: GPL-2.0
/*
 * The module's pure helpers: SHA-256 for CKM_ECDSA_SHA256 (FIPS 180-4),
 * PEM to DER for the configured certificates (libiotsec's pem.c, built
 * into the module), the few X.509 fields PKCS#11 certificate objects
 * carry, and DER ECDSA signatures to r || s.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "p11.h"
#include "pem.h"

/* --- SHA-256 -------------------------------------------------------------- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10);
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
		     K[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void p11_sha256_init(struct p11_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->n = 0;
}

void p11_sha256_update(struct p11_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	c->bytes += len;
	while (len) {
		take = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->buf + c->n, p, take);
		c->n += take;
		p += take;
		len -= take;
		if (c->n == 64) {
			block(c->h, c->buf);
			c->n = 0;
		}
	}
}

void p11_sha256_final(struct p11_sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->bytes * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (c->n < 56 ? 56 : 120) - c->n;
	unsigned int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = bits >> (56 - 8 * i);
	p11_sha256_update(c, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = c->h[i] >> 24;
		out[4 * i + 1] = c->h[i] >> 16;
		out[4 * i + 2] = c->h[i] >> 8;
		out[4 * i + 3] = c->h[i];
	}
	memset(c, 0, sizeof(*c));
}

/* --- PEM ------------------------------------------------------------------ */

/* PEM through libiotsec's strict decoder (pem.c, built into the module). */
int p11_cert_load(const uint8_t *text, size_t len, uint8_t **der, size_t *der_len)
{
	struct pem_list l;
	uint8_t *buf;
	int n;

	if (len >= 2 && text[0] == 0x30) {	/* DER already */
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, text, len);
		*der = buf;
		*der_len = len;
		return 0;
	}
	n = pem_decode((const char *)text, len, "CERTIFICATE", &l);
	if (n <= 0)
		return n == -ENOMEM ? n : -EINVAL;
	*der = l.blocks[0].der;		/* the first one is the module's, */
	*der_len = l.blocks[0].len;
	l.blocks[0] = l.blocks[--l.count];	/* the list frees the rest */
	pem_list_free(&l);
	return 0;
}

/* --- DER ------------------------------------------------------------------ */

struct tlv {
	unsigned int tag;
	size_t off;		/* of the tag, from the start of the buffer */
	size_t hdr;		/* tag and length bytes */
	size_t len;		/* of the value */
};

/* Reads the TLV at @off of @buf (within @end): 0 or -EINVAL.  Single-byte
 * tags, definite lengths of at most 4 bytes, minimal or not. */
static int tlv_at(const uint8_t *buf, size_t off, size_t end, struct tlv *t)
{
	size_t i, n, len;

	if (off + 2 > end)
		return -EINVAL;
	t->tag = buf[off];
	t->off = off;
	len = buf[off + 1];
	i = off + 2;
	if (len & 0x80) {
		n = len & 0x7f;
		if (!n || n > 4 || i + n > end)
			return -EINVAL;
		for (len = 0; n; n--)
			len = len << 8 | buf[i++];
	}
	if ((t->tag & 0x1f) == 0x1f || len > end - i)
		return -EINVAL;
	t->hdr = i - off;
	t->len = len;
	return 0;
}

static size_t tlv_end(const struct tlv *t)
{
	return t->off + t->hdr + t->len;
}

static struct p11_span span(const struct tlv *t)
{
	struct p11_span s = { t->off, t->hdr + t->len };

	return s;
}

/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPT,
 * serialNumber, signature, issuer, validity, subject, spki, ... }, ... } */
int p11_cert_parse(const uint8_t *der, size_t len, struct p11_cert_info *ci)
{
	struct tlv cert, tbs, t;
	size_t off, end;
	int i;

	if (tlv_at(der, 0, len, &cert) || cert.tag != 0x30 || tlv_end(&cert) != len ||
	    tlv_at(der, cert.hdr, len, &tbs) || tbs.tag != 0x30)
		return -EINVAL;
	off = tbs.off + tbs.hdr;
	end = tlv_end(&tbs);
	if (tlv_at(der, off, end, &t))
		return -EINVAL;
	if (t.tag == 0xa0) {
		off = tlv_end(&t);
		if (tlv_at(der, off, end, &t))
			return -EINVAL;
	}
	/* t: serialNumber */
	if (t.tag != 0x02)
		return -EINVAL;
	ci->serial = span(&t);
	for (i = 0; i < 5; i++) {
		off = tlv_end(&t);
		if (tlv_at(der, off, end, &t) || t.tag != 0x30)
			return -EINVAL;
		if (i == 1)
			ci->issuer = span(&t);
		else if (i == 3)
			ci->subject = span(&t);
		else if (i == 4)
			ci->spki = span(&t);
	}
	return 0;
}

/* One INTEGER of the signature into 32 big-endian bytes. */
static int int32_at(const uint8_t *der, const struct tlv *t, uint8_t out[32])
{
	const uint8_t *v = der + t->off + t->hdr;
	size_t n = t->len;

	if (t->tag != 0x02 || !n || (v[0] & 0x80))
		return -EINVAL;
	while (n > 1 && !v[0]) {
		v++;
		n--;
	}
	if (n > 32)
		return -EINVAL;
	memset(out, 0, 32 - n);
	memcpy(out + 32 - n, v, n);
	return 0;
}

int p11_sig_to_raw(const uint8_t *der, size_t len, uint8_t out[64])
{
	struct tlv seq, r, s;

	if (tlv_at(der, 0, len, &seq) || seq.tag != 0x30 || tlv_end(&seq) != len ||
	    tlv_at(der, seq.hdr, len, &r) ||
	    tlv_at(der, tlv_end(&r), len, &s) || tlv_end(&s) != len ||
	    int32_at(der, &r, out) || int32_at(der, &s, out + 32))
		return -EINVAL;
	return 0;
}

CK_RV p11_errno_rv(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	case ENOKEY:
	case EKEYREVOKED:
	case EKEYEXPIRED:
	case ENOENT:
		return CKR_KEY_HANDLE_INVALID;
	case ESTALE:
		return CKR_KEY_CHANGED;
	case ENODEV:
		return CKR_DEVICE_REMOVED;
	case EINTR:
		return CKR_FUNCTION_CANCELED;
	case ENOMEM:
		return CKR_HOST_MEMORY;
	case EINVAL:
	case EOPNOTSUPP:
		return CKR_FUNCTION_FAILED;
	default:
		return CKR_DEVICE_ERROR;
	}
}
