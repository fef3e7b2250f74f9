// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: runs one operation through a crypto provider at load
 * and leaves the outcome in its (read-only) parameters, for
 * tests/kernel/crypto_test.c to read from /sys/module/iotsec_cryptotest/.
 * Reaches what user space cannot on 6.1: akcipher sign (there is no AF_ALG
 * akcipher), and requests without CRYPTO_TFM_REQ_MAY_SLEEP (AF_ALG always
 * sets it), which providers must complete asynchronously.
 *
 * Parameters in:
 *   op=sign  key=<handle "iotsec:<serial>:<slot>" or 64 hex digits>
 *            data=<digest, hex>  -> out = DER signature (hex),
 *            verified = verify of that signature with the same transform
 *   op=kpp   key=<64 hex digits, or empty: generate>
 *            data=<peer X || Y, 128 hex digits>
 *            -> out = "<our X || Y hex>:<shared secret hex>"
 *   alg=     algorithm or driver name (default: the iotsec driver)
 *   may_sleep=1  set CRYPTO_TFM_REQ_MAY_SLEEP on the requests
 * Out: result (0 or -errno of the operation), verified, out, and
 * async_bh: how the provider called the requests back: -1 never (every
 * request finished synchronously), 1 always with bottom halves disabled
 * (as from a hardware driver's interrupt or tasklet), 0 at least once
 * with them enabled.
 * The load itself fails only for bad parameters.
 *
 * From 6.13 ECDSA is a sig_alg: sign and verify are synchronous calls on
 * a raw struct ecdsa_raw_sig (may_sleep changes nothing); the signature is
 * DER-encoded here, so that out means the same on every kernel.
 */
#include <linux/version.h>
#define CRYPTOTEST_KERNEL	KERNEL_VERSION(LINUX_VERSION_MAJOR,	\
					       LINUX_VERSION_PATCHLEVEL, \
					       LINUX_VERSION_SUBLEVEL)
#if KERNEL_VERSION(6, 13, 0) <= CRYPTOTEST_KERNEL
#define CRYPTOTEST_SIG	1
#if __has_include("linux/hex.h")	/* hex2bin(), bin2hex() on 7.x */
#include <linux/hex.h>
#endif
#include <linux/math.h>
#include <linux/unaligned.h>
#include <crypto/internal/ecc.h>
#include <crypto/sig.h>
#else
#define CRYPTOTEST_SIG	0
#include <crypto/akcipher.h>
#endif
#include <crypto/ecdh.h>
#include <crypto/kpp.h>
#include <linux/crypto.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#define MAX_BIN		128
#define DER_MAX		72
#define PUB		64
#define SECRET		32

static char *op = "sign";
module_param(op, charp, 0444);
static char *key = "";
module_param(key, charp, 0444);
static char *data = "";
module_param(data, charp, 0444);
static char *alg = "";
module_param(alg, charp, 0444);
static bool may_sleep;
module_param(may_sleep, bool, 0444);

static int result = -EINPROGRESS;
module_param(result, int, 0444);
static int verified = -EINPROGRESS;
module_param(verified, int, 0444);
static char out[2 * (PUB + SECRET) + 2];
module_param_string(out, out, sizeof(out), 0444);
static int async_bh = -1;
module_param(async_bh, int, 0444);

struct buf {
	u8 b[MAX_BIN];
	unsigned int len;
};

static int unhex(const char *s, struct buf *o)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > sizeof(o->b))
		return -EINVAL;
	o->len = n / 2;
	return hex2bin(o->b, s, o->len);
}

static u32 req_flags(void)
{
	return CRYPTO_TFM_REQ_MAY_BACKLOG |
	       (may_sleep ? CRYPTO_TFM_REQ_MAY_SLEEP : 0);
}

static void note_bh(void)
{
	if (!in_softirq())
		async_bh = 0;
	else if (async_bh < 0)
		async_bh = 1;
}

/* crypto_req_done(), noting whether bottom halves are disabled here */
#if KERNEL_VERSION(6, 3, 0) <= CRYPTOTEST_KERNEL
static void req_done(void *data, int err)
{
	note_bh();
	crypto_req_done(data, err);
}
#else
static void req_done(struct crypto_async_request *req, int err)
{
	note_bh();
	crypto_req_done(req, err);
}
#endif

/*
 * The digest, and the key as the provider takes it: a key handle as it is,
 * 64 hex digits as the 32-byte scalar (in @k).
 */
static int sign_params(struct buf *digest, struct buf *k, const void **kp,
		       unsigned int *klen)
{
	if (unhex(data, digest))
		return -EINVAL;
	*kp = key;
	*klen = strlen(key);
	if (!strncmp(key, "iotsec:", 7))
		return 0;
	if (unhex(key, k))
		return -EINVAL;
	*kp = k->b;
	*klen = k->len;
	return 0;
}

#if CRYPTOTEST_SIG
/* One DER INTEGER of a 32-byte big-endian value; returns its length. */
static unsigned int der_int(u8 *o, const u8 *be)
{
	unsigned int skip = 0, n;

	while (skip < 31 && !be[skip])
		skip++;
	n = 32 - skip;
	o[0] = 0x02;
	o[1] = n + (be[skip] >> 7);
	if (be[skip] >> 7)
		o[2] = 0;
	memcpy(o + 2 + (be[skip] >> 7), be + skip, n);
	return 2 + o[1];
}

/* Native u64 digits, least significant first, to 32 big-endian bytes. */
static void digits_be(u8 *be, const u64 *v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		put_unaligned_be64(v[3 - i], be + 8 * i);
}

static unsigned int der_sig(u8 *o, const struct ecdsa_raw_sig *raw)
{
	u8 r[32], s[32];
	unsigned int n;

	digits_be(r, raw->r);
	digits_be(s, raw->s);
	n = der_int(o + 2, r);
	n += der_int(o + 2 + n, s);
	o[0] = 0x30;
	o[1] = n;
	return n + 2;
}

static int run_sign(void)
{
	struct ecdsa_raw_sig raw;
	struct crypto_sig *tfm;
	struct buf digest, k;
	u8 sig[DER_MAX];
	unsigned int siglen;
	const void *kp;
	unsigned int klen;
	int ret;

	if (sign_params(&digest, &k, &kp, &klen))
		return -EINVAL;
	tfm = crypto_alloc_sig(*alg ? alg : "ecdsa-nist-p256-iotsec", 0, 0);
	if (IS_ERR(tfm)) {
		result = PTR_ERR(tfm);
		return 0;
	}
	result = crypto_sig_set_privkey(tfm, kp, klen);
	if (!result) {
		ret = crypto_sig_sign(tfm, digest.b, digest.len, &raw,
				      sizeof(raw));
		result = ret < 0 ? ret : 0;
		if (ret >= 0 && ret != sizeof(raw))
			result = -EBADMSG;
	}
	if (!result) {
		siglen = der_sig(sig, &raw);
		bin2hex(out, sig, siglen);
		out[2 * siglen] = '\0';
		verified = crypto_sig_verify(tfm, &raw, sizeof(raw), digest.b,
					     digest.len);
	}
	crypto_free_sig(tfm);
	return 0;
}
#else
static int ak_run(struct crypto_akcipher *tfm, bool sign, struct buf *in,
		  u8 *sig, unsigned int *siglen)
{
	struct akcipher_request *req = akcipher_request_alloc(tfm, GFP_KERNEL);
	struct scatterlist src[2], dst;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	if (!req)
		return -ENOMEM;
	akcipher_request_set_callback(req, req_flags(), req_done, &wait);
	if (sign) {
		sg_init_one(&src[0], in->b, in->len);
		sg_init_one(&dst, sig, DER_MAX);
		akcipher_request_set_crypt(req, src, &dst, in->len, DER_MAX);
		ret = crypto_wait_req(crypto_akcipher_sign(req), &wait);
		*siglen = req->dst_len;
	} else {	/* signature then digest, in two entries */
		sg_init_table(src, 2);
		sg_set_buf(&src[0], sig, *siglen);
		sg_set_buf(&src[1], in->b, in->len);
		akcipher_request_set_crypt(req, src, NULL, *siglen, in->len);
		ret = crypto_wait_req(crypto_akcipher_verify(req), &wait);
	}
	akcipher_request_free(req);
	return ret;
}

/*
 * What a scatterlist points at lives on the heap: a stack may be vmalloc
 * memory (CONFIG_VMAP_STACK), which has no struct page for sg_set_buf();
 * arm64's flush_dcache_page() oopses on it where x86 never looks.
 */
struct sign_bufs {
	struct buf digest, k;
	u8 sig[DER_MAX];
};

static int run_sign(void)
{
	struct crypto_akcipher *tfm;
	struct sign_bufs *b = kzalloc(sizeof(*b), GFP_KERNEL);
	unsigned int siglen = 0;
	const void *kp;
	unsigned int klen;

	if (!b)
		return -ENOMEM;
	if (sign_params(&b->digest, &b->k, &kp, &klen)) {
		kfree_sensitive(b);
		return -EINVAL;
	}
	tfm = crypto_alloc_akcipher(*alg ? alg : "ecdsa-nist-p256-iotsec", 0, 0);
	if (IS_ERR(tfm)) {
		result = PTR_ERR(tfm);
		kfree_sensitive(b);
		return 0;
	}
	result = crypto_akcipher_set_priv_key(tfm, kp, klen);
	if (!result)
		result = ak_run(tfm, true, &b->digest, b->sig, &siglen);
	if (!result) {
		bin2hex(out, b->sig, siglen);
		out[2 * siglen] = '\0';
		verified = ak_run(tfm, false, &b->digest, b->sig, &siglen);
	}
	crypto_free_akcipher(tfm);
	kfree_sensitive(b);
	return 0;
}
#endif

static int kpp_op(struct crypto_kpp *tfm, struct buf *peer, u8 *o)
{
	struct kpp_request *req = kpp_request_alloc(tfm, GFP_KERNEL);
	struct scatterlist src, dst;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	if (!req)
		return -ENOMEM;
	kpp_request_set_callback(req, req_flags(), req_done, &wait);
	sg_init_one(&dst, o, PUB);
	kpp_request_set_output(req, &dst, PUB);
	if (peer) {
		sg_init_one(&src, peer->b, peer->len);
		kpp_request_set_input(req, &src, peer->len);
		ret = crypto_kpp_compute_shared_secret(req);
	} else {
		kpp_request_set_input(req, NULL, 0);
		ret = crypto_kpp_generate_public_key(req);
	}
	ret = crypto_wait_req(ret, &wait);
	kpp_request_free(req);
	return ret;
}

static int kpp_setkey(struct crypto_kpp *tfm, struct buf *priv)
{
	struct ecdh p = {
		.key = priv->len ? (char *)priv->b : NULL,
		.key_size = priv->len,
	};
	unsigned int len = crypto_ecdh_key_len(&p);
	char *blob = kmalloc(len, GFP_KERNEL);
	int ret;

	if (!blob)
		return -ENOMEM;
	ret = crypto_ecdh_encode_key(blob, len, &p);
	if (!ret)
		ret = crypto_kpp_set_secret(tfm, blob, len);
	kfree_sensitive(blob);
	return ret;
}

/* On the heap, for the scatterlists (see struct sign_bufs). */
struct kpp_bufs {
	struct buf priv, peer;
	u8 pub[PUB], secret[PUB];
};

static int run_kpp(void)
{
	struct crypto_kpp *tfm;
	struct kpp_bufs *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return -ENOMEM;
	if (unhex(key, &b->priv) || unhex(data, &b->peer)) {
		kfree_sensitive(b);
		return -EINVAL;
	}
	tfm = crypto_alloc_kpp(*alg ? alg : "ecdh-nist-p256-iotsec", 0, 0);
	if (IS_ERR(tfm)) {
		result = PTR_ERR(tfm);
		kfree_sensitive(b);
		return 0;
	}
	result = kpp_setkey(tfm, &b->priv);
	if (!result)
		result = kpp_op(tfm, NULL, b->pub);
	if (!result)
		result = kpp_op(tfm, &b->peer, b->secret);
	if (!result) {
		bin2hex(out, b->pub, PUB);
		out[2 * PUB] = ':';
		bin2hex(out + 2 * PUB + 1, b->secret, SECRET);
		out[2 * (PUB + SECRET) + 1] = '\0';
	}
	crypto_free_kpp(tfm);
	kfree_sensitive(b);
	return 0;
}

static int __init cryptotest_init(void)
{
	if (!strcmp(op, "sign"))
		return run_sign();
	if (!strcmp(op, "kpp"))
		return run_kpp();
	return -EINVAL;
}

static void __exit cryptotest_exit(void)
{
}

module_init(cryptotest_init);
module_exit(cryptotest_exit);

MODULE_DESCRIPTION("iotsec crypto provider test driver (tests only)");
MODULE_LICENSE("GPL");
