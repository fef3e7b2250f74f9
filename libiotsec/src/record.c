// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake record protection through AF_ALG (see record.h).
 *
 * The kernel's AEAD takes associated data then text, and gives back the
 * associated data, then ciphertext and tag; the associated data of a TLS
 * 1.3 record is its header.  The nonce is the write IV XORed with the
 * 64-bit sequence number, left-padded (section 5.3).
 */
#include <errno.h>
#include <kcapi.h>
#include <stdlib.h>
#include <string.h>

#include "iotsec.h"
#include "internal.h"
#include "record.h"

int rec_prot_init(struct rec_prot *rp, const struct suite *s,
		  const uint8_t *key, const uint8_t iv[12])
{
	int ret;

	memset(rp, 0, sizeof(*rp));
	ret = kcapi_aead_init(&rp->aead, s->aead, 0);
	if (ret)
		return ret;
	ret = kcapi_aead_setkey(rp->aead, key, s->keylen);
	if (!ret)
		ret = kcapi_aead_settaglen(rp->aead, TLS_TAG_SIZE);
	if (ret) {
		rec_prot_wipe(rp);
		return ret;
	}
	kcapi_aead_setassoclen(rp->aead, TLS_RECORD_HDR);
	memcpy(rp->iv, iv, 12);
	return 0;
}

void rec_prot_wipe(struct rec_prot *rp)
{
	if (rp->aead)
		kcapi_aead_destroy(rp->aead);
	explicit_bzero(rp, sizeof(*rp));
}

static void nonce(const struct rec_prot *rp, uint8_t out[12])
{
	int i;

	memcpy(out, rp->iv, 12);
	for (i = 0; i < 8; i++)
		out[11 - i] ^= (rp->seq >> (8 * i)) & 0xff;
}

/* A scratch buffer for one record, wiped before it is freed. */
static uint8_t *scratch(size_t n)
{
	return malloc(n);
}

static void scratch_free(uint8_t *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
	free(p);
}

int rec_seal(struct rec_prot *rp, uint8_t type, const uint8_t *data,
	     size_t len, struct wbuf *out)
{
	size_t inner = len + 1, total = TLS_RECORD_HDR + inner + TLS_TAG_SIZE;
	uint8_t iv[12], *buf, *rec;
	ssize_t n;

	if (len > TLS_MAX_PLAINTEXT)
		return -EMSGSIZE;
	buf = scratch(total);
	if (!buf)
		return -ENOMEM;
	buf[0] = TLS_CT_APPLICATION_DATA;
	buf[1] = 0x03;
	buf[2] = 0x03;
	buf[3] = (inner + TLS_TAG_SIZE) >> 8;
	buf[4] = (inner + TLS_TAG_SIZE) & 0xff;
	memcpy(buf + TLS_RECORD_HDR, data, len);
	buf[TLS_RECORD_HDR + len] = type;
	nonce(rp, iv);
	n = kcapi_aead_encrypt(rp->aead, buf, TLS_RECORD_HDR + inner, iv, buf,
			       total, KCAPI_ACCESS_SENDMSG);
	if (n != (ssize_t)total) {
		scratch_free(buf, total);
		return n < 0 ? (int)n : -EIO;
	}
	rec = wbuf_reserve(out, total);
	if (rec)
		memcpy(rec, buf, total);
	scratch_free(buf, total);
	if (out->err)
		return out->err;
	rp->seq++;
	return 0;
}

/* Strips the zero padding; the last non-zero byte is the content type. */
static int inner_type(const uint8_t *pt, size_t *len, uint8_t *type)
{
	while (*len && !pt[*len - 1])
		(*len)--;
	if (!*len)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNEXPECTED_MESSAGE);
	*type = pt[--(*len)];
	return 0;
}

int rec_open(struct rec_prot *rp, const uint8_t hdr[TLS_RECORD_HDR],
	     const uint8_t *body, size_t len, uint8_t *type, struct wbuf *out)
{
	size_t total = TLS_RECORD_HDR + len, ptlen;
	uint8_t iv[12], *buf;
	ssize_t n;
	int ret;

	if (len > TLS_MAX_CIPHERTEXT)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_RECORD_OVERFLOW);
	if (len < TLS_TAG_SIZE + 1)
		return IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC);
	buf = scratch(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, TLS_RECORD_HDR);
	memcpy(buf + TLS_RECORD_HDR, body, len);
	nonce(rp, iv);
	ptlen = len - TLS_TAG_SIZE;
	/* Ask for exactly header + plaintext: libkcapi reads until it has it. */
	n = kcapi_aead_decrypt(rp->aead, buf, total, iv, buf,
			       TLS_RECORD_HDR + ptlen, KCAPI_ACCESS_SENDMSG);
	if (n == -EBADMSG)
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC);
	else if (n < 0)
		ret = (int)n;
	else if ((size_t)n < TLS_RECORD_HDR + ptlen)
		ret = -EIO;
	else
		ret = inner_type(buf + TLS_RECORD_HDR, &ptlen, type);
	if (!ret && ptlen > TLS_MAX_PLAINTEXT)
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_RECORD_OVERFLOW);
	if (!ret) {
		wbuf_put(out, buf + TLS_RECORD_HDR, ptlen);
		ret = out->err;
	}
	scratch_free(buf, total);
	if (!ret)
		rp->seq++;
	return ret;
}
