// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 key schedule (see keysched.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "keysched.h"

/*
 * HKDF-Expand-Label(secret, label, ctx, outlen) with the label prefixed by
 * "tls13 ".  Outputs up to one hash block long need one HMAC; longer ones
 * chain T(i) = HMAC(secret, T(i-1) | info | i) as RFC 5869 says.
 */
int ks_expand_label(struct hash_ctx *hc, enum hash_alg h,
		    const uint8_t *secret, const char *label,
		    const uint8_t *ctx, size_t ctxlen, uint8_t *out,
		    size_t outlen)
{
	size_t hl = hash_len(h), done = 0, mark, n;
	uint8_t t[HASH_MAX], msg[HASH_MAX + 2 + 1 + 255 + 1 + 255 + 1];
	struct wbuf info;
	uint8_t i;
	int ret = 0;

	if (outlen > 255 * hl || strlen(label) > 249 || ctxlen > 255)
		return -EINVAL;
	wbuf_init(&info, 0);
	wbuf_put16(&info, outlen);
	mark = wbuf_open(&info, 1);
	wbuf_put(&info, "tls13 ", 6);
	wbuf_put(&info, label, strlen(label));
	wbuf_close(&info, mark, 1);
	mark = wbuf_open(&info, 1);
	wbuf_put(&info, ctx, ctxlen);
	wbuf_close(&info, mark, 1);
	if (info.err) {
		ret = info.err;
		goto out;
	}
	for (i = 1; done < outlen; i++) {
		n = done ? hl : 0;
		memcpy(msg, t, n);
		memcpy(msg + n, info.base, info.len);
		msg[n + info.len] = i;
		ret = hash_hmac(hc, h, secret, hl, msg, n + info.len + 1, t);
		if (ret)
			goto out;
		n = outlen - done < hl ? outlen - done : hl;
		memcpy(out + done, t, n);
		done += n;
	}
out:
	explicit_bzero(t, sizeof(t));
	explicit_bzero(msg, sizeof(msg));
	wbuf_wipe(&info);
	return ret;
}

int ks_derive_secret(struct hash_ctx *hc, enum hash_alg h,
		     const uint8_t *secret, const char *label,
		     const uint8_t *thash, uint8_t *out)
{
	return ks_expand_label(hc, h, secret, label, thash, hash_len(h), out,
			       hash_len(h));
}

/* Hash(""): FIPS 180-4's SHA-256 and SHA-384 of the empty string. */
static const uint8_t empty256[32] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8,
	0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

static const uint8_t empty384[48] = {
	0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e,
	0xb1, 0xb1, 0xe3, 0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43,
	0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf,
	0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b,
};

const uint8_t *ks_empty_hash(enum hash_alg h)
{
	return h == HASH_SHA384 ? empty384 : empty256;
}

/*
 * stage = Extract(Derive-Secret(stage, "derived", ""), ikm); Hash("") is
 * a constant, not a digest computed per stage.
 */
static int next_stage(struct keysched *ks, struct hash_ctx *hc,
		      const uint8_t *ikm, size_t len)
{
	size_t hl = hash_len(ks->hash);
	uint8_t salt[HASH_MAX];
	int ret;

	ret = ks_derive_secret(hc, ks->hash, ks->stage, "derived",
			       ks_empty_hash(ks->hash), salt);
	if (!ret)
		ret = hash_hmac(hc, ks->hash, salt, hl, ikm, len, ks->stage);
	explicit_bzero(salt, sizeof(salt));
	return ret;
}

int ks_early_psk(struct keysched *ks, struct hash_ctx *hc, enum hash_alg h,
		 const uint8_t *psk)
{
	uint8_t zero[HASH_MAX] = { 0 };

	memset(ks, 0, sizeof(*ks));
	ks->hash = h;
	return hash_hmac(hc, h, zero, hash_len(h), psk ? psk : zero,
			 hash_len(h), ks->stage);
}

int ks_early(struct keysched *ks, struct hash_ctx *hc, enum hash_alg h)
{
	return ks_early_psk(ks, hc, h, NULL);
}

int ks_binder(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th,
	      uint8_t *binder)
{
	uint8_t key[HASH_MAX];
	int ret;

	ret = ks_derive_secret(hc, ks->hash, ks->stage, "res binder",
			       ks_empty_hash(ks->hash), key);
	if (!ret)
		ret = ks_finished(hc, ks->hash, key, th, binder);
	explicit_bzero(key, sizeof(key));
	return ret;
}

int ks_resumption(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th)
{
	return ks_derive_secret(hc, ks->hash, ks->stage, "res master", th,
				ks->res);
}

int ks_ticket_psk(struct hash_ctx *hc, enum hash_alg h, const uint8_t *res,
		  const uint8_t *nonce, size_t nonce_len, uint8_t *psk)
{
	return ks_expand_label(hc, h, res, "resumption", nonce, nonce_len, psk,
			       hash_len(h));
}

/*
 * The client's and the server's traffic secrets of the stage just entered
 * ("c <kind> traffic", "s <kind> traffic"; kind "hs" or "ap").
 */
static int traffic_pair(struct keysched *ks, struct hash_ctx *hc,
			const char *kind, const uint8_t *th, uint8_t *c,
			uint8_t *s)
{
	char label[16];
	int ret;

	snprintf(label, sizeof(label), "c %s traffic", kind);
	ret = ks_derive_secret(hc, ks->hash, ks->stage, label, th, c);
	if (ret)
		return ret;
	label[0] = 's';
	return ks_derive_secret(hc, ks->hash, ks->stage, label, th, s);
}

int ks_handshake(struct keysched *ks, struct hash_ctx *hc,
		 const uint8_t *ecdhe, size_t len, const uint8_t *th)
{
	int ret = next_stage(ks, hc, ecdhe, len);

	return ret ? ret : traffic_pair(ks, hc, "hs", th, ks->c_hs, ks->s_hs);
}

int ks_master(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th)
{
	uint8_t zero[HASH_MAX] = { 0 };
	int ret = next_stage(ks, hc, zero, hash_len(ks->hash));

	return ret ? ret : traffic_pair(ks, hc, "ap", th, ks->c_ap, ks->s_ap);
}

int ks_traffic_key(struct hash_ctx *hc, enum hash_alg h,
		   const uint8_t *secret, uint8_t *key, size_t keylen,
		   uint8_t iv[12])
{
	int ret = ks_expand_label(hc, h, secret, "key", NULL, 0, key, keylen);

	if (!ret)
		ret = ks_expand_label(hc, h, secret, "iv", NULL, 0, iv, 12);
	return ret;
}

int ks_finished(struct hash_ctx *hc, enum hash_alg h, const uint8_t *secret,
		const uint8_t *th, uint8_t *verify_data)
{
	uint8_t fkey[HASH_MAX];
	int ret;

	ret = ks_expand_label(hc, h, secret, "finished", NULL, 0, fkey,
			      hash_len(h));
	if (!ret)
		ret = hash_hmac(hc, h, fkey, hash_len(h), th, hash_len(h),
				verify_data);
	explicit_bzero(fkey, sizeof(fkey));
	return ret;
}

int ks_update_secret(struct hash_ctx *hc, enum hash_alg h, uint8_t *secret)
{
	uint8_t next[HASH_MAX];
	int ret;

	ret = ks_expand_label(hc, h, secret, "traffic upd", NULL, 0, next,
			      hash_len(h));
	if (!ret)
		memcpy(secret, next, hash_len(h));
	explicit_bzero(next, sizeof(next));
	return ret;
}

void ks_wipe_handshake(struct keysched *ks)
{
	explicit_bzero(ks->stage, sizeof(ks->stage));
	explicit_bzero(ks->c_hs, sizeof(ks->c_hs));
	explicit_bzero(ks->s_hs, sizeof(ks->s_hs));
}

void ks_wipe(struct keysched *ks)
{
	explicit_bzero(ks, sizeof(*ks));
}
