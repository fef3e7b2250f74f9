// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake record protection (see record.h): the framing, the nonce and
 * the inner content type here, the AEAD in a backend.  The associated
 * data of a TLS 1.3 record is its header.  The nonce is the write IV
 * XORed with the 64-bit sequence number, left-padded (section 5.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iotsec.h"
#include "internal.h"
#include "record.h"

int rec_prot_init(struct rec_prot *rp, struct hash_ctx *hc,
		  const struct suite *s, const uint8_t *key,
		  const uint8_t iv[12])
{
	int ret;

	memset(rp, 0, sizeof(*rp));
	if (hash_pick(hc, HASH_KIND_AEAD) == IOTSEC_CRYPTO_KERNEL) {
		ret = rec_kcapi_init(rp, s, key);
		rp->be = IOTSEC_CRYPTO_KERNEL;
	} else {
		ret = rec_ossl_init(rp, s, key);
		rp->be = IOTSEC_CRYPTO_USER;
	}
	if (ret) {
		rec_prot_wipe(rp);
		return ret;
	}
	hash_ran(hc, rp->be);
	memcpy(rp->iv, iv, 12);
	return 0;
}

void rec_prot_wipe(struct rec_prot *rp)
{
	rec_kcapi_free(rp);
	rec_ossl_free(rp);
	explicit_bzero(rp, sizeof(*rp));
}

static int seal(struct rec_prot *rp, const uint8_t iv[12], uint8_t *buf,
		size_t ptlen)
{
	if (rp->be == IOTSEC_CRYPTO_KERNEL && rp->aead)
		return rec_kcapi_seal(rp, iv, buf, ptlen);
	if (rp->be == IOTSEC_CRYPTO_USER && rp->evp)
		return rec_ossl_seal(rp, iv, buf, ptlen);
	return -EINVAL;
}

static int open_in_place(struct rec_prot *rp, const uint8_t iv[12],
			 uint8_t *buf, size_t ptlen)
{
	if (rp->be == IOTSEC_CRYPTO_KERNEL && rp->aead)
		return rec_kcapi_open(rp, iv, buf, ptlen);
	if (rp->be == IOTSEC_CRYPTO_USER && rp->evp)
		return rec_ossl_open(rp, iv, buf, ptlen);
	return -EINVAL;
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
	int ret;

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
	ret = seal(rp, iv, buf, inner);
	if (ret) {
		scratch_free(buf, total);
		return ret;
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
	ret = open_in_place(rp, iv, buf, ptlen);
	if (ret == -EBADMSG)
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC);
	/*
	 * The whole TLSInnerPlaintext, padding included, is at most 2^14 + 1
	 * bytes (section 5.4); a ciphertext within 2^14 + 256 may hold more.
	 */
	else if (!ret && ptlen > TLS_MAX_PLAINTEXT + 1)
		ret = IOTSEC_ALERT_ERR(IOTSEC_ALERT_RECORD_OVERFLOW);
	else if (!ret)
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
