// SPDX-License-Identifier: GPL-2.0
/*
 * "ecdsa-nist-p256", driver "ecdsa-nist-p256-iotsec": ECDSA P-256 verify
 * in software (p256.c) for any public key, and sign with a key in a chip
 * slot or, for keys that are not on a chip, in software.
 *
 * Keys:
 *  - set_pub_key(): the 65-byte uncompressed point 0x04 || X || Y, as the
 *    kernel's X.509 parser and testmgr hand it (anything after keylen,
 *    such as the OID and parameters public_key.c appends, is ignored).
 *  - set_priv_key(): either a chip handle, the ASCII string
 *    "iotsec:<serial>:<slot>" (18 hex digits of the 9-byte serial number
 *    as sysfs serial_number shows it, a decimal slot 0-15, optionally
 *    NUL-terminated), or a 32-byte big-endian scalar (software key).
 *    A software key brings its public key along; a chip key's public key
 *    is read from the chip (GenKey public mode) the first time a verify
 *    needs it.
 *
 * Up to 6.12 this is an akcipher (see sig_akcipher below); from 6.13 a
 * sig_alg (sig_sigalg below, with its own priority).  compat.h says which.
 */

#include <linux/crypto.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include "chip.h"
#include "cmd.h"
#include "compat.h"
#include "crypto.h"
#include "ecdsa_der.h"
#include "p256.h"
#include "atecc/wire.h"

#if ATECC_SIG_ALG
#include <crypto/internal/ecc.h>
#include <crypto/internal/sig.h>
#else
#include <crypto/akcipher.h>
#include <crypto/internal/akcipher.h>
#endif

#define HANDLE_PREFIX	"iotsec:"
#define HANDLE_FIXED	(sizeof(HANDLE_PREFIX) - 1 + 2 * ATECC_SN_SIZE + 1)
#define HANDLE_MAX	(HANDLE_FIXED + 2)	/* slot: 1 or 2 digits */
#define UNCOMPRESSED	0x04

enum sig_priv {
	PRIV_NONE,
	PRIV_SOFT,	/* @d */
	PRIV_CHIP,	/* @serial, @slot */
};

/**
 * struct sig_ctx - one transform
 * @lock: serialises reading a chip key's public key from the chip
 * @have_pub: @pub holds a validated public key (release/acquire)
 * @pub: X || Y
 * @priv: which private key, if any
 * @d: PRIV_SOFT: the scalar
 * @serial: PRIV_CHIP: the chip's serial number
 * @slot: PRIV_CHIP: the key's slot
 */
struct sig_ctx {
	struct mutex lock;	/* see above */
	bool have_pub;
	u8 pub[P256_POINT];
	enum sig_priv priv;
	u8 d[P256_BYTES];
	u8 serial[ATECC_SN_SIZE];
	unsigned int slot;
};

static void ctx_reset(struct sig_ctx *ctx)
{
	ctx->have_pub = false;
	ctx->priv = PRIV_NONE;
	memzero_explicit(ctx->d, sizeof(ctx->d));
	memset(ctx->pub, 0, sizeof(ctx->pub));
}

static bool pub_known(struct sig_ctx *ctx)
{
	/* pairs with fetch_pub(): @pub is complete once this reads true */
	return smp_load_acquire(&ctx->have_pub);
}

static int set_pub(struct sig_ctx *ctx, const void *key, unsigned int keylen)
{
	const u8 *k = key;
	int ret;

	ctx_reset(ctx);
	if (keylen != 1 + P256_POINT || k[0] != UNCOMPRESSED)
		return -EINVAL;
	ret = p256_point_check(k + 1);
	if (ret)
		return ret;
	memcpy(ctx->pub, k + 1, P256_POINT);
	ctx->have_pub = true;
	return 0;
}

/* "iotsec:<18 hex>:<slot>", optionally NUL-terminated */
static int parse_handle(const u8 *key, unsigned int len, u8 *serial,
			unsigned int *slot)
{
	char buf[HANDLE_MAX + 1];
	const char *p;

	if (len && !key[len - 1])
		len--;
	if (len <= HANDLE_FIXED || len > HANDLE_MAX)
		return -EINVAL;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if (strncmp(buf, HANDLE_PREFIX, sizeof(HANDLE_PREFIX) - 1) ||
	    buf[HANDLE_FIXED - 1] != ':' ||
	    hex2bin(serial, buf + sizeof(HANDLE_PREFIX) - 1, ATECC_SN_SIZE))
		return -EINVAL;
	for (p = buf + HANDLE_FIXED; *p; p++)
		if (!isdigit(*p))
			return -EINVAL;
	if (kstrtouint(buf + HANDLE_FIXED, 10, slot) ||
	    *slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	return 0;
}

/* The chip is there and the slot holds a P-256 key that may sign. */
static int chip_key_ok(const u8 *serial, unsigned int slot)
{
	struct atecc_chip *chip = atecc_chip_get_by_serial(serial);
	u16 kc, sc;
	int ret = 0;

	if (!chip)
		return -ENODEV;
	kc = atecc_key_config(chip, slot);
	sc = atecc_slot_config(chip, slot);
	if (!chip->config_locked || !chip->data_locked ||
	    !(kc & ATECC_KC_PRIVATE) ||
	    ATECC_KC_KEYTYPE(kc) != ATECC_KEYTYPE_P256)
		ret = -ENOKEY;
	else if (!(sc & ATECC_SC_EXT_SIGN))
		ret = -EPERM;
	atecc_chip_put(chip);
	return ret;
}

static int set_priv(struct sig_ctx *ctx, const void *key, unsigned int keylen)
{
	int ret;

	ctx_reset(ctx);
	if (keylen == P256_BYTES) {
		ret = p256_public(key, ctx->pub);
		if (ret)
			return ret;
		memcpy(ctx->d, key, P256_BYTES);
		ctx->have_pub = true;
		ctx->priv = PRIV_SOFT;
		return 0;
	}
	ret = parse_handle(key, keylen, ctx->serial, &ctx->slot);
	if (!ret)
		ret = chip_key_ok(ctx->serial, ctx->slot);
	if (!ret)
		ctx->priv = PRIV_CHIP;
	return ret;
}

/* A chip key's public key, read once.  May sleep. */
static int fetch_pub(struct sig_ctx *ctx)
{
	struct atecc_chip *chip;
	u8 pub[P256_POINT];
	int ret = 0;

	mutex_lock(&ctx->lock);
	if (pub_known(ctx))
		goto out;
	ret = -EINVAL;
	if (ctx->priv != PRIV_CHIP)
		goto out;
	chip = atecc_chip_get_by_serial(ctx->serial);
	ret = chip ? atecc_genkey_public(chip, ctx->slot, pub) : -ENODEV;
	atecc_chip_put(chip);
	if (!ret)
		ret = p256_point_check(pub);
	if (!ret) {
		memcpy(ctx->pub, pub, sizeof(pub));
		/* a lockless verify may read @pub once it sees the flag */
		smp_store_release(&ctx->have_pub, true);
	}
out:
	mutex_unlock(&ctx->lock);
	return ret;
}

static int verify_raw(struct sig_ctx *ctx, const u8 *rs, const u8 *digest,
		      unsigned int dlen)
{
	u8 z[P256_BYTES];

	if (!pub_known(ctx))
		return -EINVAL;
	p256_digest(digest, dlen, z);
	return p256_verify(ctx->pub, z, rs);
}

/* May sleep: software signing allocates, the chip sleeps. */
static int sign_raw(struct sig_ctx *ctx, const u8 *digest, unsigned int dlen,
		    u8 *rs)
{
	struct atecc_chip *chip;
	u8 z[P256_BYTES];
	int ret;

	p256_digest(digest, dlen, z);
	switch (ctx->priv) {
	case PRIV_SOFT:
		return p256_sign(ctx->d, z, rs);
	case PRIV_CHIP:
		chip = atecc_chip_get_by_serial(ctx->serial);
		if (!chip)
			return -ENODEV;
		ret = atecc_sign_digest(chip, ctx->slot, z, rs);
		atecc_chip_put(chip);
		return ret;
	default:
		return -EINVAL;
	}
}

static void sig_ctx_init(struct sig_ctx *ctx)
{
	mutex_init(&ctx->lock);
	ctx_reset(ctx);
}

static void sig_ctx_exit(struct sig_ctx *ctx)
{
	ctx_reset(ctx);
	mutex_destroy(&ctx->lock);
}

#if !ATECC_SIG_ALG
/*
 * sig_akcipher: the 6.1 akcipher.  Verify: src holds src_len bytes of DER
 * signature then dst_len bytes of digest, dst is NULL; it runs at once (no
 * sleeping, no allocation) unless a chip key's public key must first be
 * read.  Sign: src holds the digest, dst gets the DER signature (at most
 * 72 bytes; dst_len must allow that) and dst_len its length; it runs as a
 * job (crypto.c).
 */

struct sig_reqctx {
	struct atecc_job job;
	struct akcipher_request *req;
	bool sign;
};

static int ak_verify_now(struct sig_ctx *ctx, struct akcipher_request *req)
{
	u8 der[ECDSA_P256_DER_MAX], digest[P256_BYTES], rs[P256_SIG];
	unsigned int dlen = min_t(unsigned int, req->dst_len, P256_BYTES);
	int nents, ret;

	if (req->src_len > sizeof(der))
		return -EBADMSG;
	nents = sg_nents_for_len(req->src, req->src_len + req->dst_len);
	if (nents < 0)
		return -EINVAL;
	if (sg_pcopy_to_buffer(req->src, nents, der, req->src_len, 0) !=
	    req->src_len ||
	    sg_pcopy_to_buffer(req->src, nents, digest, dlen, req->src_len) !=
	    dlen)
		return -EINVAL;
	ret = ecdsa_der_decode(der, req->src_len, rs);
	if (!ret)
		ret = verify_raw(ctx, rs, digest, dlen);
	return ret;
}

static int ak_sign_now(struct sig_ctx *ctx, struct akcipher_request *req)
{
	u8 digest[P256_BYTES], rs[P256_SIG], der[ECDSA_P256_DER_MAX];
	unsigned int dlen = min_t(unsigned int, req->src_len, P256_BYTES);
	int nents, len, ret;

	nents = sg_nents_for_len(req->src, dlen);
	if (nents < 0 ||
	    sg_copy_to_buffer(req->src, nents, digest, dlen) != dlen)
		return -EINVAL;
	ret = sign_raw(ctx, digest, dlen, rs);
	if (ret)
		return ret;
	len = ecdsa_der_encode(rs, der, sizeof(der));
	if (len < 0)
		return len;
	nents = sg_nents_for_len(req->dst, len);
	if (nents < 0 || sg_copy_from_buffer(req->dst, nents, der, len) != len)
		return -EINVAL;
	req->dst_len = len;
	return 0;
}

static int ak_job_run(struct atecc_job *job)
{
	struct sig_reqctx *rctx = container_of(job, struct sig_reqctx, job);
	struct akcipher_request *req = rctx->req;
	struct sig_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));
	int ret;

	if (rctx->sign)
		return ak_sign_now(ctx, req);
	ret = fetch_pub(ctx);
	return ret ? ret : ak_verify_now(ctx, req);
}

static void ak_job_done(struct atecc_job *job, int err)
{
	struct sig_reqctx *rctx = container_of(job, struct sig_reqctx, job);

	akcipher_request_complete(rctx->req, err);
}

static int ak_submit(struct akcipher_request *req, bool sign)
{
	struct sig_reqctx *rctx = akcipher_request_ctx(req);

	rctx->req = req;
	rctx->sign = sign;
	rctx->job.run = ak_job_run;
	rctx->job.done = ak_job_done;
	return atecc_job_submit(&rctx->job, req->base.flags);
}

static int ak_verify(struct akcipher_request *req)
{
	struct sig_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));

	if (pub_known(ctx))
		return ak_verify_now(ctx, req);
	if (ctx->priv == PRIV_CHIP)
		return ak_submit(req, false);
	return -EINVAL;
}

static int ak_sign(struct akcipher_request *req)
{
	struct sig_ctx *ctx = akcipher_tfm_ctx(crypto_akcipher_reqtfm(req));

	if (ctx->priv == PRIV_NONE)
		return -EINVAL;
	if (req->dst_len < ECDSA_P256_DER_MAX) {
		req->dst_len = ECDSA_P256_DER_MAX;
		return -EOVERFLOW;
	}
	return ak_submit(req, true);
}

static int ak_set_pub_key(struct crypto_akcipher *tfm, const void *key,
			  unsigned int keylen)
{
	return set_pub(akcipher_tfm_ctx(tfm), key, keylen);
}

static int ak_set_priv_key(struct crypto_akcipher *tfm, const void *key,
			   unsigned int keylen)
{
	return set_priv(akcipher_tfm_ctx(tfm), key, keylen);
}

/* The key size in bytes, as the kernel's ecdsa: public_key.c derives
 * key_size (256 bits) and max_sig_size (2 * (32 + 3) + 2 = 72) from it.
 */
static unsigned int ak_max_size(struct crypto_akcipher *tfm)
{
	return P256_BYTES;
}

static int ak_init(struct crypto_akcipher *tfm)
{
	akcipher_set_reqsize(tfm, sizeof(struct sig_reqctx));
	sig_ctx_init(akcipher_tfm_ctx(tfm));
	return 0;
}

static void ak_exit(struct crypto_akcipher *tfm)
{
	sig_ctx_exit(akcipher_tfm_ctx(tfm));
}

static struct akcipher_alg atecc_ecdsa = {
	.sign = ak_sign,
	.verify = ak_verify,
	.set_pub_key = ak_set_pub_key,
	.set_priv_key = ak_set_priv_key,
	.max_size = ak_max_size,
	.init = ak_init,
	.exit = ak_exit,
	.base = {
		.cra_name = "ecdsa-nist-p256",
		.cra_driver_name = "ecdsa-nist-p256-iotsec",
		.cra_priority = ATECC_CRYPTO_PRIORITY,
		.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_module = THIS_MODULE,
		.cra_ctxsize = sizeof(struct sig_ctx),
	},
};

/**
 * atecc_sig_register() - register ecdsa-nist-p256-iotsec
 *
 * Return: 0 or a negative errno.
 */
int atecc_sig_register(void)
{
	return crypto_register_akcipher(&atecc_ecdsa);
}

/**
 * atecc_sig_unregister() - unregister ecdsa-nist-p256-iotsec
 */
void atecc_sig_unregister(void)
{
	crypto_unregister_akcipher(&atecc_ecdsa);
}

#else /* ATECC_SIG_ALG */
/*
 * sig_sigalg: 6.13 and later.  The calls are synchronous and come from
 * process context.  Like the kernel's own ecdsa-nist-p256 there, verify
 * takes a struct ecdsa_raw_sig (the x962() and p1363() templates decode
 * the encoded signature first); sign writes one and returns its size (no
 * template signs: only direct users of the driver name reach it).  Key
 * size is in bits.
 *
 * Priority: from 6.13 a registered ecdsa-nist-p256 becomes the child of
 * x962() for every X.509 and PKCS#7 check in the kernel.  The chip has
 * nothing to add to a verification, and the kernel's ecdsa does the same
 * arithmetic (crypto/ecc.c) that p256_verify() does.  So this provider
 * ranks below the kernel's own (ATECC_SIG_PRIORITY): the kernel's ecdsa
 * keeps verifying the kernel's signatures, this one is reached by its
 * driver name (chip keys), and it serves every lookup only on a kernel
 * built without CONFIG_CRYPTO_ECDSA, in software.  Verification never goes
 * to the chip: a chip key's public key is read once, at set_priv_key().
 */

static void raw_to_rs(const struct ecdsa_raw_sig *sig, u8 *rs)
{
	p256_from_digits(rs, sig->r);
	p256_from_digits(rs + P256_BYTES, sig->s);
}

/* Never sleeps, never allocates, never reaches a chip. */
static int sa_verify(struct crypto_sig *tfm, const void *src,
		     unsigned int slen, const void *digest, unsigned int dlen)
{
	struct sig_ctx *ctx = crypto_sig_ctx(tfm);
	u8 rs[P256_SIG];

	if (slen != sizeof(struct ecdsa_raw_sig))
		return -EINVAL;
	raw_to_rs(src, rs);
	return verify_raw(ctx, rs, digest, dlen);
}

static int sa_sign(struct crypto_sig *tfm, const void *src,
		   unsigned int slen, void *dst, unsigned int dlen)
{
	struct sig_ctx *ctx = crypto_sig_ctx(tfm);
	struct ecdsa_raw_sig *sig = dst;
	u8 rs[P256_SIG];
	int ret;

	if (dlen < sizeof(*sig))
		return -EOVERFLOW;
	ret = sign_raw(ctx, src, slen, rs);
	if (ret)
		return ret;
	memset(sig, 0, sizeof(*sig));
	p256_to_digits(sig->r, rs);
	p256_to_digits(sig->s, rs + P256_BYTES);
	memzero_explicit(rs, sizeof(rs));
	return sizeof(*sig);
}

static int sa_set_pub_key(struct crypto_sig *tfm, const void *key,
			  unsigned int keylen)
{
	return set_pub(crypto_sig_ctx(tfm), key, keylen);
}

/* A chip key's public key is read here, so that verify never waits. */
static int sa_set_priv_key(struct crypto_sig *tfm, const void *key,
			   unsigned int keylen)
{
	struct sig_ctx *ctx = crypto_sig_ctx(tfm);
	int ret = set_priv(ctx, key, keylen);

	if (!ret && !pub_known(ctx))
		ret = fetch_pub(ctx);
	if (ret)
		ctx_reset(ctx);
	return ret;
}

static unsigned int sa_key_size(struct crypto_sig *tfm)
{
	return 8 * P256_BYTES;
}

/* As the kernel's ecdsa: longer digests (up to SHA-512) are truncated. */
static unsigned int sa_digest_size(struct crypto_sig *tfm)
{
	return 64;
}

static unsigned int sa_max_size(struct crypto_sig *tfm)
{
	return sizeof(struct ecdsa_raw_sig);
}

static int sa_init(struct crypto_sig *tfm)
{
	sig_ctx_init(crypto_sig_ctx(tfm));
	return 0;
}

static void sa_exit(struct crypto_sig *tfm)
{
	sig_ctx_exit(crypto_sig_ctx(tfm));
}

static struct sig_alg atecc_ecdsa = {
	.sign = sa_sign,
	.verify = sa_verify,
	.set_pub_key = sa_set_pub_key,
	.set_priv_key = sa_set_priv_key,
	.key_size = sa_key_size,
	.digest_size = sa_digest_size,
	.max_size = sa_max_size,
	.init = sa_init,
	.exit = sa_exit,
	.base = {
		.cra_name = "ecdsa-nist-p256",
		.cra_driver_name = "ecdsa-nist-p256-iotsec",
		.cra_priority = ATECC_SIG_PRIORITY,
		.cra_flags = CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_module = THIS_MODULE,
		.cra_ctxsize = sizeof(struct sig_ctx),
	},
};

/**
 * atecc_sig_register() - register ecdsa-nist-p256-iotsec
 *
 * Return: 0 or a negative errno.
 */
int atecc_sig_register(void)
{
	return crypto_register_sig(&atecc_ecdsa);
}

/**
 * atecc_sig_unregister() - unregister ecdsa-nist-p256-iotsec
 */
void atecc_sig_unregister(void)
{
	crypto_unregister_sig(&atecc_ecdsa);
}
#endif /* ATECC_SIG_ALG */

MODULE_ALIAS_CRYPTO("ecdsa-nist-p256");
MODULE_ALIAS_CRYPTO("ecdsa-nist-p256-iotsec");
