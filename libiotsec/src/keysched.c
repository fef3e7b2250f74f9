// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 key schedule (see keysched.h).
 */
#include <errno.h>
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

/* stage = Extract(Derive-Secret(stage, "derived", ""), ikm) */
static int next_stage(struct keysched *ks, struct hash_ctx *hc,
		      const uint8_t *ikm, size_t len)
{
	size_t hl = hash_len(ks->hash);
	uint8_t empty[HASH_MAX], salt[HASH_MAX];
	int ret;

	ret = hash_digest(hc, ks->hash, "", 0, empty);
	if (!ret)
		ret = ks_derive_secret(hc, ks->hash, ks->stage, "derived", empty,
				       salt);
	if (!ret)
		ret = hash_hmac(hc, ks->hash, salt, hl, ikm, len, ks->stage);
	explicit_bzero(salt, sizeof(salt));
	return ret;
}

int ks_early(struct keysched *ks, struct hash_ctx *hc, enum hash_alg h)
{
	uint8_t zero[HASH_MAX] = { 0 };

	memset(ks, 0, sizeof(*ks));
	ks->hash = h;
	return hash_hmac(hc, h, zero, hash_len(h), zero, hash_len(h),
			 ks->stage);
}

int ks_handshake(struct keysched *ks, struct hash_ctx *hc,
		 const uint8_t *ecdhe, size_t len, const uint8_t *th)
{
	int ret = next_stage(ks, hc, ecdhe, len);

	if (!ret)
		ret = ks_derive_secret(hc, ks->hash, ks->stage, "c hs traffic",
				       th, ks->c_hs);
	if (!ret)
		ret = ks_derive_secret(hc, ks->hash, ks->stage, "s hs traffic",
				       th, ks->s_hs);
	return ret;
}

int ks_master(struct keysched *ks, struct hash_ctx *hc, const uint8_t *th)
{
	uint8_t zero[HASH_MAX] = { 0 };
	int ret = next_stage(ks, hc, zero, hash_len(ks->hash));

	if (!ret)
		ret = ks_derive_secret(hc, ks->hash, ks->stage, "c ap traffic",
				       th, ks->c_ap);
	if (!ret)
		ret = ks_derive_secret(hc, ks->hash, ks->stage, "s ap traffic",
				       th, ks->s_ap);
	return ret;
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

void ks_wipe(struct keysched *ks)
{
	explicit_bzero(ks, sizeof(*ks));
}
