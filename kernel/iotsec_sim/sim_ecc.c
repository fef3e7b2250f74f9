// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: P-256 for the simulated chips, built only on what the
 * kernel's ecc module exports (crypto/ecc.c).
 *
 * Keys, points, digests and signatures cross this file's interface as
 * big-endian byte strings, as on the chip's wire.  ecc_make_pub_key() and
 * crypto_ecdh_shared_secret() take and give big-endian bytes held in u64
 * arrays (from 6.10 the private key in native digits: sim_priv_arg()); the
 * vli_* helpers work on native digits, least significant first.
 * be_to_vli()/vli_to_be() convert between the two.
 */

#include <asm/unaligned.h>
#include <crypto/ecc_curve.h>
#include <crypto/ecdh.h>
#include <linux/math.h>	/* 7.3's crypto/internal/ecc.h needs it first */
#include <crypto/internal/ecc.h>
#include <linux/random.h>
#include <linux/string.h>

#include "sim.h"

#define ND		ECC_CURVE_NIST_P256_DIGITS
#define SIM_ECC_BYTES	(ND * 8)
#define SIM_ECC_TRIES	64

static const u64 *sim_order(void)
{
	return ecc_get_curve(ECC_CURVE_NIST_P256)->n;
}

static void be_to_vli(u64 *vli, const u8 *be)
{
	int i;

	for (i = 0; i < ND; i++)
		vli[i] = get_unaligned_be64(be + (ND - 1 - i) * 8);
}

static void vli_to_be(u8 *be, const u64 *vli)
{
	int i;

	for (i = 0; i < ND; i++)
		put_unaligned_be64(vli[ND - 1 - i], be + i * 8);
}

/*
 * The private key as ecc_make_pub_key() and crypto_ecdh_shared_secret()
 * take it: big-endian bytes up to 6.9, native digits from 6.10 (ecdh's
 * private key "in proper byte order").
 */
static void sim_priv_arg(u64 *key, const u8 *be)
{
#if KERNEL_VERSION(6, 10, 0) <= SIM_KERNEL
	be_to_vli(key, be);
#else
	memcpy(key, be, SIM_ECC_BYTES);
#endif
}

/* 1 <= d <= n - 1 */
static bool sim_scalar_ok(const u64 *d)
{
	return !vli_is_zero(d, ND) && vli_cmp(sim_order(), d, ND) > 0;
}

/* x mod n, for x < 2n (every 256-bit value on P-256) */
static void sim_reduce(u64 *x)
{
	if (vli_cmp(x, sim_order(), ND) >= 0)
		vli_sub(x, x, sim_order(), ND);
}

/*
 * res = a + b mod n for a, b < n.  ecc exports no addition, so: if
 * a >= n - b the sum is a - (n - b); otherwise it is below n and equals
 * a - (2^256 - b) computed modulo 2^256.
 */
static void sim_mod_add(u64 *res, const u64 *a, const u64 *b)
{
	u64 zero[ND] = { };
	u64 t[ND];

	vli_sub(t, sim_order(), b, ND);
	if (vli_cmp(a, t, ND) < 0)
		vli_sub(t, zero, b, ND);
	vli_sub(res, a, t, ND);
}

bool sim_ecc_priv_valid(const u8 *priv)
{
	u64 d[ND];
	bool ok;

	be_to_vli(d, priv);
	ok = sim_scalar_ok(d);
	memzero_explicit(d, sizeof(d));
	return ok;
}

/* 32 random bytes, redrawn until 1 <= d <= n - 1 */
int sim_ecc_gen_priv(u8 *priv)
{
	int i;

	for (i = 0; i < SIM_ECC_TRIES; i++) {
		get_random_bytes(priv, SIM_ECC_BYTES);
		if (sim_ecc_priv_valid(priv))
			return 0;
	}
	memzero_explicit(priv, SIM_ECC_BYTES);
	return -EAGAIN;
}

int sim_ecc_pub(const u8 *priv, u8 *pub)
{
	u64 key[ND], point[2 * ND];
	int ret;

	if (!sim_ecc_priv_valid(priv))
		return -EINVAL;
	sim_priv_arg(key, priv);
	ret = ecc_make_pub_key(ECC_CURVE_NIST_P256, ND, key, point);
	if (!ret)
		memcpy(pub, point, sizeof(point));
	memzero_explicit(key, sizeof(key));
	return ret;
}

struct sim_sign_ctx {
	u64 d[ND];		/* private key */
	u64 z[ND];		/* digest mod n */
	u64 k[ND];		/* nonce, native digits */
	u64 kbe[ND];		/* nonce, big-endian bytes */
	u64 point[2 * ND];	/* k·G, big-endian */
	u64 r[ND];
	u64 s[ND];
	u64 t[ND];
};

/* One ECDSA attempt: -EAGAIN when r or s comes out zero */
static int sim_sign_once(struct sim_sign_ctx *c)
{
	const u64 *n = sim_order();
	int ret;

	ret = sim_ecc_gen_priv((u8 *)c->kbe);
	if (ret)
		return ret;
	sim_priv_arg(c->t, (const u8 *)c->kbe);
	ret = ecc_make_pub_key(ECC_CURVE_NIST_P256, ND, c->t, c->point);
	if (ret)
		return -EAGAIN;
	be_to_vli(c->r, (const u8 *)c->point);	/* R.x */
	sim_reduce(c->r);
	if (vli_is_zero(c->r, ND))
		return -EAGAIN;
	be_to_vli(c->k, (const u8 *)c->kbe);
	vli_mod_mult_slow(c->t, c->r, c->d, n, ND);	/* r·d */
	sim_mod_add(c->t, c->z, c->t);			/* z + r·d */
	vli_mod_inv(c->k, c->k, n, ND);			/* k^-1 */
	vli_mod_mult_slow(c->s, c->k, c->t, n, ND);
	return vli_is_zero(c->s, ND) ? -EAGAIN : 0;
}

/* ECDSA: s = k^-1 (z + r·d) mod n with a fresh random k; sig = r ‖ s */
int sim_ecc_sign(const u8 *priv, const u8 *digest, u8 *sig)
{
	struct sim_sign_ctx *c = sim_kzalloc(sizeof(*c));
	int i, ret = -EAGAIN;

	if (!c)
		return -ENOMEM;
	be_to_vli(c->d, priv);
	be_to_vli(c->z, digest);
	sim_reduce(c->z);
	if (!sim_scalar_ok(c->d))
		ret = -EINVAL;
	for (i = 0; ret == -EAGAIN && i < SIM_ECC_TRIES; i++)
		ret = sim_sign_once(c);
	if (!ret) {
		vli_to_be(sig, c->r);
		vli_to_be(sig + SIM_ECC_BYTES, c->s);
	}
	sim_kfree(c);
	return ret;
}

/* x(u1·G + u2·Q) mod n == r, with u1 = z/s, u2 = r/s */
static bool sim_verify_math(const u64 *r, const u64 *s, const u8 *digest,
			    const struct ecc_point *q, struct ecc_point *x)
{
	const struct ecc_curve *curve = ecc_get_curve(ECC_CURVE_NIST_P256);
	u64 z[ND], w[ND], u1[ND], u2[ND];

	be_to_vli(z, digest);
	sim_reduce(z);
	vli_mod_inv(w, s, curve->n, ND);
	vli_mod_mult_slow(u1, z, w, curve->n, ND);
	vli_mod_mult_slow(u2, r, w, curve->n, ND);
	ecc_point_mult_shamir(x, u1, &curve->g, u2, q, curve);
	sim_reduce(x->x);
	return !vli_cmp(x->x, r, ND);
}

/* 0: valid; -EBADMSG: does not verify; -EINVAL: bad public key */
int sim_ecc_verify(const u8 *pub, const u8 *digest, const u8 *sig)
{
	const struct ecc_curve *curve = ecc_get_curve(ECC_CURVE_NIST_P256);
	struct ecc_point *q = sim_point_alloc();
	struct ecc_point *x = sim_point_alloc();
	u64 r[ND], s[ND];
	int ret = -ENOMEM;

	if (!q || !x)
		goto out;
	be_to_vli(q->x, pub);
	be_to_vli(q->y, pub + SIM_ECC_BYTES);
	ret = -EINVAL;
	if (ecc_is_pubkey_valid_full(curve, q))
		goto out;
	be_to_vli(r, sig);
	be_to_vli(s, sig + SIM_ECC_BYTES);
	ret = -EBADMSG;
	if (sim_scalar_ok(r) && sim_scalar_ok(s) &&
	    sim_verify_math(r, s, digest, q, x))
		ret = 0;
out:
	sim_point_free(x);
	sim_point_free(q);
	return ret;
}

/* Shared secret = X coordinate of d·Peer; the peer point is validated */
int sim_ecc_ecdh(const u8 *priv, const u8 *peer, u8 *secret)
{
	u64 key[ND], pub[2 * ND], out[ND];
	int ret;

	if (!sim_ecc_priv_valid(priv))
		return -EINVAL;
	sim_priv_arg(key, priv);
	memcpy(pub, peer, sizeof(pub));
	ret = crypto_ecdh_shared_secret(ECC_CURVE_NIST_P256, ND, key, pub, out);
	if (!ret)
		memcpy(secret, out, sizeof(out));
	memzero_explicit(key, sizeof(key));
	memzero_explicit(out, sizeof(out));
	return ret;
}
