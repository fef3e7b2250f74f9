// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake record protection (see record.h): the framing here, the AEAD
 * in record_kcapi.c (AF_ALG; host unit tests put OpenSSL in its place).
 *
 * The AEAD takes associated data then text, and gives back the associated
 * data, then ciphertext and tag; the associated data of a TLS 1.3 record
 * is its header.  The nonce is the write IV XORed with the 64-bit
 * sequence number, left-padded (section 5.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iotsec.h"
#include "internal.h"
#include "record.h"

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
	n = rec_aead_encrypt(rp, iv, buf, TLS_RECORD_HDR + inner, total);
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
	n = rec_aead_decrypt(rp, iv, buf, total, TLS_RECORD_HDR + ptlen);
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
