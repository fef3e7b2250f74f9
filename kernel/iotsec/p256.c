// SPDX-License-Identifier: GPL-2.0
/*
 * ECDSA P-256 on the ecc module's exports (see p256.h).
 *
 * Two number formats meet here: the interface (and ecc_make_pub_key())
 * uses big-endian byte strings, the vli_*() helpers and struct ecc_point
 * use native 64-bit digits, least significant first.  from_be() and to_be()
 * convert.  Everything runs on the stack; only p256_public(),
 * p256_point_check() and p256_sign() allocate (inside ecc), so only they
 * must be called where sleeping is allowed.
 *
 * Not hardened against side channels beyond what ecc does for a point
 * multiplication: the nonce inversion in p256_sign() is blinded, the
 * modular multiplications are not constant time.  Keys that matter live
 * in the chip.
 */

#include <crypto/ecc_curve.h>
#include <crypto/ecdh.h>
#include <linux/math.h>	/* 7.3's crypto/internal/ecc.h needs it first */
#include <crypto/internal/ecc.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "p256.h"

#define ND		ECC_CURVE_NIST_P256_DIGITS
#define DRAWS		32	/* random scalars tried before giving up */

static const struct ecc_curve *curve(void)
{
	return ecc_get_curve(ECC_CURVE_NIST_P256);
}

static void from_be(u64 *v, const u8 *be)
{
	__be64 w;
	int i;

	for (i = 0; i < ND; i++) {
		memcpy(&w, be + 8 * (ND - 1 - i), sizeof(w));
		v[i] = be64_to_cpu(w);
	}
}

static void to_be(u8 *be, const u64 *v)
{
	__be64 w;
	int i;

	for (i = 0; i < ND; i++) {
		w = cpu_to_be64(v[i]);
		memcpy(be + 8 * (ND - 1 - i), &w, sizeof(w));
	}
}

/**
 * p256_from_digits() - native digits (as struct ecdsa_raw_sig holds them)
 *	to 32 big-endian bytes
 * @be: 32 bytes out
 * @v: 4 digits, least significant first
 */
void p256_from_digits(u8 be[P256_BYTES], const u64 *v)
{
	to_be(be, v);
}

/**
 * p256_to_digits() - 32 big-endian bytes to native digits
 * @v: 4 digits out, least significant first
 * @be: 32 bytes
 */
void p256_to_digits(u64 *v, const u8 be[P256_BYTES])
{
	from_be(v, be);
}

/* 0 < v < n */
static bool below_n(const u64 *v)
{
	return !vli_is_zero(v, ND) && vli_cmp(v, curve()->n, ND) < 0;
}

/* v mod n, for any v < 2^256 (< 2n on this curve): one subtraction. */
static void reduce(u64 *v)
{
	if (vli_cmp(v, curve()->n, ND) >= 0)
		vli_sub(v, v, curve()->n, ND);
}

/*
 * res = a + b mod n, a and b already reduced.  The ecc module exports no
 * addition.  With c = n - b: a + b >= n exactly when a >= c, and then the
 * result is a - c.  Otherwise a + b < n < 2^256, and subtracting the
 * two's complement of b (0 - b, wrapping) gives the same sum.
 */
static void mod_add(u64 *res, const u64 *a, const u64 *b)
{
	static const u64 zero[ND];
	u64 c[ND];

	vli_sub(c, curve()->n, b, ND);
	if (vli_cmp(a, c, ND) < 0)
		vli_sub(c, zero, b, ND);
	vli_sub(res, a, c, ND);
}

/**
 * p256_scalar_ok() - is a scalar a valid private key or nonce
 * @d: 32 bytes, big-endian
 *
 * Return: true when 1 <= d <= n - 1.
 */
bool p256_scalar_ok(const u8 d[P256_BYTES])
{
	u64 v[ND];
	bool ok;

	from_be(v, d);
	ok = below_n(v);
	memzero_explicit(v, sizeof(v));
	return ok;
}

/**
 * p256_scalar_random() - a uniformly random scalar in [1, n - 1]
 * @d: 32 bytes out
 *
 * Draws 32 random bytes until they fall in range (almost always the first).
 *
 * Return: 0, or -EAGAIN if the random bytes never fit (not expected).
 */
int p256_scalar_random(u8 d[P256_BYTES])
{
	int i;

	for (i = 0; i < DRAWS; i++) {
		get_random_bytes(d, P256_BYTES);
		if (p256_scalar_ok(d))
			return 0;
	}
	memzero_explicit(d, P256_BYTES);
	return -EAGAIN;
}

/**
 * p256_digest() - the integer an ECDSA digest stands for, as 32 bytes
 * @digest: the hash
 * @len: its length; a longer one keeps its leftmost 32 bytes, a shorter
 *	one is left-padded with zeros (as the kernel's own ecdsa does)
 * @z: 32 bytes out
 */
void p256_digest(const u8 *digest, unsigned int len, u8 z[P256_BYTES])
{
	unsigned int n = min_t(unsigned int, len, P256_BYTES);

	memset(z, 0, P256_BYTES - n);
	memcpy(z + P256_BYTES - n, digest, n);
}

/**
 * p256_public() - the public key of a private key
 * @d: the private key, 1 <= d <= n - 1
 * @pub: X || Y out
 *
 * May sleep.
 *
 * Return: 0, -EINVAL for a scalar out of range, -ENOMEM, -EAGAIN.
 */
int p256_public(const u8 d[P256_BYTES], u8 pub[P256_POINT])
{
	u64 key[ND], point[2 * ND];
	int ret;

	if (!p256_scalar_ok(d))
		return -EINVAL;
#if ATECC_ECC_PRIV_DIGITS
	from_be(key, d);
#else
	memcpy(key, d, sizeof(key));	/* ecc wants big-endian bytes here */
#endif
	ret = ecc_make_pub_key(ECC_CURVE_NIST_P256, ND, key, point);
	if (!ret)
		memcpy(pub, point, sizeof(point));
	memzero_explicit(key, sizeof(key));
	return ret;
}

/**
 * p256_point_check() - full public key validation (SP 800-56A 5.6.2.3.3)
 * @pub: X || Y
 *
 * May sleep.
 *
 * Return: 0 for a point on the curve of order n, -EINVAL otherwise,
 * -ENOMEM.
 */
int p256_point_check(const u8 pub[P256_POINT])
{
	u64 x[ND], y[ND];
	struct ecc_point q = ECC_POINT_INIT(x, y, ND);

	from_be(x, pub);
	from_be(y, pub + P256_BYTES);
	return ecc_is_pubkey_valid_full(curve(), &q);
}

/**
 * p256_point_on_curve() - partial public key validation (SP 800-56A
 *	5.6.2.3.4): not infinity, coordinates below p, on the curve
 * @pub: X || Y
 *
 * Enough for an ECDH peer on a prime-order curve.  Does not sleep.
 *
 * Return: 0 or -EINVAL.
 */
int p256_point_on_curve(const u8 pub[P256_POINT])
{
	u64 x[ND], y[ND];
	struct ecc_point q = ECC_POINT_INIT(x, y, ND);

	from_be(x, pub);
	from_be(y, pub + P256_BYTES);
	return ecc_is_pubkey_valid_partial(curve(), &q);
}

/**
 * p256_verify() - verify an ECDSA P-256 signature
 * @pub: X || Y, already validated with p256_point_check()
 * @z: the digest as p256_digest() gives it
 * @rs: R || S
 *
 * x(u1·G + u2·Q) mod n must equal r, with w = s^-1, u1 = z·w, u2 = r·w.
 * Does not sleep and allocates nothing: fine in softirq context.
 *
 * Return: 0 valid; -EBADMSG when r or s is 0 or >= n; -EKEYREJECTED when
 * the signature does not match.
 */
int p256_verify(const u8 pub[P256_POINT], const u8 z[P256_BYTES],
		const u8 rs[P256_SIG])
{
	const struct ecc_curve *c = curve();
	u64 qx[ND], qy[ND], rx[ND], ry[ND];
	u64 r[ND], s[ND], e[ND], w[ND], u1[ND], u2[ND];
	struct ecc_point q = ECC_POINT_INIT(qx, qy, ND);
	struct ecc_point res = ECC_POINT_INIT(rx, ry, ND);

	from_be(r, rs);
	from_be(s, rs + P256_BYTES);
	if (!below_n(r) || !below_n(s))
		return -EBADMSG;
	from_be(qx, pub);
	from_be(qy, pub + P256_BYTES);
	from_be(e, z);
	reduce(e);
	vli_mod_inv(w, s, c->n, ND);
	vli_mod_mult_slow(u1, e, w, c->n, ND);
	vli_mod_mult_slow(u2, r, w, c->n, ND);
	ecc_point_mult_shamir(&res, u1, &c->g, u2, &q, c);
	if (ecc_point_is_zero(&res))
		return -EKEYREJECTED;
	reduce(res.x);
	return vli_cmp(res.x, r, ND) ? -EKEYREJECTED : 0;
}

struct sign_state {
	u64 d[ND];		/* private key */
	u64 e[ND];		/* digest mod n */
	u8 kbe[P256_BYTES];	/* nonce k, big-endian */
	u8 bbe[P256_BYTES];	/* blinding factor b, big-endian */
	u64 k[ND];
	u64 b[ND];
	u64 t[ND];
	u64 r[ND];
	u64 s[ND];
	u64 kg[2 * ND];		/* k·G, big-endian X || Y */
};

/* One attempt with a fresh k: -EAGAIN when r or s comes out zero. */
static int sign_once(struct sign_state *st)
{
	const u64 *n = curve()->n;
	int ret;

	ret = p256_scalar_random(st->kbe);
	if (!ret)
		ret = p256_scalar_random(st->bbe);
	if (!ret)
		ret = p256_public(st->kbe, (u8 *)st->kg);
	if (ret)
		return ret;
	from_be(st->r, (u8 *)st->kg);		/* x(k·G) */
	reduce(st->r);
	if (vli_is_zero(st->r, ND))
		return -EAGAIN;
	from_be(st->k, st->kbe);
	from_be(st->b, st->bbe);
	/* k^-1 = b·(k·b)^-1: the variable-time inversion never sees k */
	vli_mod_mult_slow(st->t, st->k, st->b, n, ND);
	vli_mod_inv(st->t, st->t, n, ND);
	vli_mod_mult_slow(st->k, st->t, st->b, n, ND);
	/* s = k^-1 (e + r·d) */
	vli_mod_mult_slow(st->t, st->r, st->d, n, ND);
	mod_add(st->t, st->e, st->t);
	vli_mod_mult_slow(st->s, st->k, st->t, n, ND);
	return vli_is_zero(st->s, ND) ? -EAGAIN : 0;
}

/**
 * p256_sign() - ECDSA P-256 signature with a software private key
 * @d: the private key, 1 <= d <= n - 1
 * @z: the digest as p256_digest() gives it
 * @rs: R || S out
 *
 * The nonce k is fresh from get_random_bytes() for every signature.
 * May sleep.
 *
 * Return: 0, -EINVAL for a scalar out of range, -ENOMEM, -EAGAIN.
 */
int p256_sign(const u8 d[P256_BYTES], const u8 z[P256_BYTES],
	      u8 rs[P256_SIG])
{
	struct sign_state *st;
	int i, ret = -EAGAIN;

	if (!p256_scalar_ok(d))
		return -EINVAL;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	from_be(st->d, d);
	from_be(st->e, z);
	reduce(st->e);
	for (i = 0; ret == -EAGAIN && i < DRAWS; i++)
		ret = sign_once(st);
	if (!ret) {
		to_be(rs, st->r);
		to_be(rs + P256_BYTES, st->s);
	}
	kfree_sensitive(st);
	return ret;
}
