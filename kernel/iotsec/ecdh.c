// SPDX-License-Identifier: GPL-2.0
/*
 * kpp "ecdh-nist-p256", driver "ecdh-nist-p256-iotsec": ECDH P-256 whose
 * generated private keys live in an ATECC608's TempKey, never in an EEPROM
 * slot and never in memory.
 *
 * set_secret() with an empty key claims a chip (below) and runs GenKey
 * into TempKey; the public key is kept, and a ticket names the TempKey
 * GenKey made.  compute_shared_secret() runs ECDH from TempKey if the
 * ticket is still valid; either way the chip key is used up (ECDH from
 * TempKey invalidates it).  A given private key, a 508A, or no free chip:
 * the software fallback (ecdh_generic) does the work and keeps the key.
 *
 * TempKey ownership: at most one transform per chip holds a key in its
 * TempKey (the owners list).  A transform that finds every provisioned 608
 * owned gets a software key.  Only a caller allowed to use the chip
 * (atecc_auth_allowed(): CAP_SYS_ADMIN or the chip's key_group, as for
 * the key type) may own its TempKey; others get a software key, counted
 * in debugfs (iotsec/kpp_soft_unauthorized), so that an unprivileged user
 * can neither hold TempKey nor, by re-arming the hold, starve the hwrng.
 * Ownership ends when the key is used, the transform gets a new key, or
 * it is freed.
 *
 * Other users of the chip may run between GenKey and ECDH.  Those known
 * to leave TempKey alone keep the ticket valid: Info, Read, and the 608's
 * signature, whose digest goes through the message digest buffer (Nonce
 * 0x43, Sign 0xA0).  What Random does to TempKey is not documented, so the
 * driver counts it as destroying TempKey; the ticket is therefore also
 * held (atecc_seq_state_hold()): for tempkey_hold_ms (30 s) the
 * signature leaves out its seed-update Random and the hwrng waits.
 * Anything else (a Verify on the chip, GenKey, a failed command, a sleep,
 * the watchdog, a Random after the hold) voids the ticket and the request
 * fails with -EKEYEXPIRED, logged once with what voided it: a shared
 * secret is never computed with another key.
 */

#include <crypto/ecdh.h>
#include <crypto/internal/kpp.h>
#include <crypto/kpp.h>
#include <linux/atomic.h>
#include <linux/crypto.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "auth.h"
#include "chip.h"
#include "cmd.h"
#include "crypto.h"
#include "p256.h"
#include "atecc/wire.h"

enum kpp_key {
	KEY_NONE,	/* no set_secret() yet, or it failed */
	KEY_SOFT,	/* the fallback holds the private key */
	KEY_CHIP,	/* @chip's TempKey holds it (if @ticket still holds) */
	KEY_SPENT,	/* the chip key was used or lost; @pub stays known */
};

/**
 * struct kpp_ctx - one transform
 * @fallback: ecdh-nist-p256 in software (never ours: NEED_FALLBACK mask)
 * @lock: guards @kind, @chip, @ticket against concurrent requests
 * @kind: where the private key is
 * @chip: KEY_CHIP only: the chip whose TempKey this transform owns,
 *	with a reference
 * @owner: entry in the owners list while @chip is set
 * @ticket: the TempKey GenKey made (atecc_seq_state_ticket()), held
 * @pub: the chip key's public key X || Y
 */
struct kpp_ctx {
	struct crypto_kpp *fallback;
	struct mutex lock;	/* see above */
	enum kpp_key kind;
	struct atecc_chip *chip;
	struct list_head owner;
	u64 ticket;
	u8 pub[P256_POINT];
};

struct kpp_reqctx {
	struct atecc_job job;
	struct kpp_request *req;
	bool compute;
};

static LIST_HEAD(owners);
static DEFINE_MUTEX(owners_lock);

/* debugfs iotsec/: how the chip keys went */
static struct dentry *kpp_debugfs;
static atomic_t kpp_chip_keys;		/* GenKey into TempKey done */
static atomic_t kpp_soft_unauthorized;	/* a fitting chip, caller not allowed */

static bool owned(const struct atecc_chip *chip)
{
	struct kpp_ctx *ctx;

	list_for_each_entry(ctx, &owners, owner)
		if (ctx->chip == chip)
			return true;
	return false;
}

/* A provisioned 608 that may return an ECDH secret in the clear. */
static bool chip_fits(const struct atecc_chip *chip)
{
	const u8 *opt = &chip->config[ATECC_CFG_CHIPOPTIONS];

	return chip->model != ATECC508A && chip->config_locked &&
	       !((opt[0] | opt[1] << 8) & ATECC_CHIPOPT_ECDH_PROT);
}

/*
 * A free fitting chip the caller may use.  Owner lock, then the registry's
 * lock (inside get_by_index).
 */
static struct atecc_chip *claim(struct kpp_ctx *ctx)
{
	struct atecc_chip *chip;
	bool refused = false;
	int i;

	mutex_lock(&owners_lock);
	for (i = 0; (chip = atecc_chip_get_by_index(i)); i++) {
		if (chip_fits(chip) && !owned(chip)) {
			if (atecc_auth_allowed(chip))
				break;
			refused = true;
		}
		atecc_chip_put(chip);
	}
	if (chip) {
		ctx->chip = chip;
		list_add_tail(&ctx->owner, &owners);
	}
	mutex_unlock(&owners_lock);
	if (!chip && refused)
		atomic_inc(&kpp_soft_unauthorized);
	return chip;
}

/* Ends TempKey ownership, if any.  Caller holds ctx->lock. */
static void release(struct kpp_ctx *ctx)
{
	if (!ctx->chip)
		return;
	mutex_lock(&owners_lock);
	list_del_init(&ctx->owner);
	mutex_unlock(&owners_lock);
	atecc_seq_state_release(ctx->chip, ctx->ticket);
	atecc_chip_put(ctx->chip);
	ctx->chip = NULL;
	ctx->ticket = 0;
}

/* -ENODEV: no chip free, use software.  Caller holds ctx->lock. */
static int chip_keygen(struct kpp_ctx *ctx)
{
	int ret;

	if (!claim(ctx))
		return -ENODEV;
	ret = atecc_genkey_tempkey(ctx->chip, ctx->pub, &ctx->ticket);
	if (ret) {	/* -ENODEV: the chip went away, software it is */
		if (ret != -ENODEV)
			dev_warn_ratelimited(ctx->chip->dev,
					     "ECDH key generation failed (%pe)\n",
					     ERR_PTR(ret));
		release(ctx);
		return ret;
	}
	ctx->kind = KEY_CHIP;
	atomic_inc(&kpp_chip_keys);
	return 0;
}

static int kpp_set_secret(struct crypto_kpp *tfm, const void *buf,
			  unsigned int len)
{
	struct kpp_ctx *ctx = kpp_tfm_ctx(tfm);
	struct ecdh params;
	int ret;

	ret = crypto_ecdh_decode_key(buf, len, &params);
	if (ret)
		return ret;
	mutex_lock(&ctx->lock);
	release(ctx);
	ctx->kind = KEY_NONE;
	memzero_explicit(ctx->pub, sizeof(ctx->pub));
	ret = params.key_size ? -ENODEV : chip_keygen(ctx);
	if (ret == -ENODEV) {
		ret = crypto_kpp_set_secret(ctx->fallback, buf, len);
		if (!ret)
			ctx->kind = KEY_SOFT;
	}
	mutex_unlock(&ctx->lock);
	return ret;
}

/* Copies min(n, dst_len) bytes to the output, as ecdh_generic does. */
static int put_output(struct kpp_request *req, const u8 *buf, size_t n)
{
	int nents;

	n = min_t(size_t, n, req->dst_len);
	nents = sg_nents_for_len(req->dst, n);
	if (nents < 0)
		return -EINVAL;
	return sg_copy_from_buffer(req->dst, nents, buf, n) == n ? 0 : -EINVAL;
}

/* The software fallback, in a context that may sleep. */
static int soft_run(struct kpp_ctx *ctx, struct kpp_request *req,
		    bool compute)
{
	struct kpp_request *sub;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	sub = kpp_request_alloc(ctx->fallback, GFP_KERNEL);
	if (!sub)
		return -ENOMEM;
	kpp_request_set_callback(sub, CRYPTO_TFM_REQ_MAY_SLEEP |
				 (req->base.flags & CRYPTO_TFM_REQ_MAY_BACKLOG),
				 crypto_req_done, &wait);
	kpp_request_set_input(sub, req->src, req->src_len);
	kpp_request_set_output(sub, req->dst, req->dst_len);
	ret = compute ? crypto_kpp_compute_shared_secret(sub) :
			crypto_kpp_generate_public_key(sub);
	ret = crypto_wait_req(ret, &wait);
	req->dst_len = sub->dst_len;
	kpp_request_free(sub);
	return ret;
}

static int chip_compute(struct kpp_ctx *ctx, struct kpp_request *req)
{
	u8 peer[P256_POINT], secret[ATECC_KEY_SIZE];
	int nents, ret;

	nents = sg_nents_for_len(req->src, sizeof(peer));
	if (nents < 0 ||
	    sg_copy_to_buffer(req->src, nents, peer, sizeof(peer)) !=
	    sizeof(peer) || p256_point_on_curve(peer))
		return -EINVAL;	/* the chip key stays usable */
	mutex_lock(&ctx->lock);
	if (ctx->kind != KEY_CHIP) {
		ret = -EKEYEXPIRED;
	} else {
		ret = atecc_ecdh_tempkey(ctx->chip, ctx->ticket, peer, secret);
		if (ret != -EINTR) {	/* else ECDH never started */
			ctx->kind = KEY_SPENT;
			release(ctx);
		}
	}
	mutex_unlock(&ctx->lock);
	if (!ret)
		ret = put_output(req, secret, sizeof(secret));
	memzero_explicit(secret, sizeof(secret));
	return ret;
}

static int job_run(struct atecc_job *job)
{
	struct kpp_reqctx *rctx = container_of(job, struct kpp_reqctx, job);
	struct kpp_request *req = rctx->req;
	struct kpp_ctx *ctx = kpp_tfm_ctx(crypto_kpp_reqtfm(req));

	if (rctx->compute && ctx->kind != KEY_SOFT)
		return chip_compute(ctx, req);
	return soft_run(ctx, req, rctx->compute);
}

static void job_done(struct atecc_job *job, int err)
{
	struct kpp_reqctx *rctx = container_of(job, struct kpp_reqctx, job);

	kpp_request_complete(rctx->req, err);
}

static int submit(struct kpp_request *req, bool compute)
{
	struct kpp_reqctx *rctx = kpp_request_ctx(req);

	rctx->req = req;
	rctx->compute = compute;
	rctx->job.run = job_run;
	rctx->job.done = job_done;
	return atecc_job_submit(&rctx->job, req->base.flags);
}

static int kpp_generate_public_key(struct kpp_request *req)
{
	struct kpp_ctx *ctx = kpp_tfm_ctx(crypto_kpp_reqtfm(req));

	switch (ctx->kind) {
	case KEY_SOFT:
		return submit(req, false);
	case KEY_CHIP:
	case KEY_SPENT:
		return put_output(req, ctx->pub, sizeof(ctx->pub));
	default:
		return -EINVAL;
	}
}

static int kpp_compute_shared_secret(struct kpp_request *req)
{
	struct kpp_ctx *ctx = kpp_tfm_ctx(crypto_kpp_reqtfm(req));

	if (!req->src || req->src_len != P256_POINT)
		return -EINVAL;
	switch (ctx->kind) {
	case KEY_SOFT:
	case KEY_CHIP:
		return submit(req, true);
	case KEY_SPENT:
		return -EKEYEXPIRED;
	default:
		return -EINVAL;
	}
}

static unsigned int kpp_max_size(struct crypto_kpp *tfm)
{
	return P256_POINT;
}

static int kpp_init_tfm(struct crypto_kpp *tfm)
{
	struct kpp_ctx *ctx = kpp_tfm_ctx(tfm);
	const char *name = crypto_tfm_alg_name(crypto_kpp_tfm(tfm));

	ctx->fallback = crypto_alloc_kpp(name, 0, CRYPTO_ALG_NEED_FALLBACK);
	if (IS_ERR(ctx->fallback)) {
		pr_warn_ratelimited("no software %s to fall back on (%pe)\n",
				    name, ctx->fallback);
		return PTR_ERR(ctx->fallback);
	}
	kpp_set_reqsize(tfm, sizeof(struct kpp_reqctx));
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->owner);
	ctx->kind = KEY_NONE;
	return 0;
}

static void kpp_exit_tfm(struct crypto_kpp *tfm)
{
	struct kpp_ctx *ctx = kpp_tfm_ctx(tfm);

	mutex_lock(&ctx->lock);
	release(ctx);
	mutex_unlock(&ctx->lock);
	mutex_destroy(&ctx->lock);
	crypto_free_kpp(ctx->fallback);
	memzero_explicit(ctx->pub, sizeof(ctx->pub));
}

static struct kpp_alg atecc_ecdh = {
	.set_secret = kpp_set_secret,
	.generate_public_key = kpp_generate_public_key,
	.compute_shared_secret = kpp_compute_shared_secret,
	.max_size = kpp_max_size,
	.init = kpp_init_tfm,
	.exit = kpp_exit_tfm,
	.base = {
		.cra_name = "ecdh-nist-p256",
		.cra_driver_name = "ecdh-nist-p256-iotsec",
		.cra_priority = ATECC_CRYPTO_PRIORITY,
		.cra_flags = CRYPTO_ALG_ASYNC | CRYPTO_ALG_NEED_FALLBACK |
			     CRYPTO_ALG_KERN_DRIVER_ONLY,
		.cra_module = THIS_MODULE,
		.cra_ctxsize = sizeof(struct kpp_ctx),
	},
};

/**
 * atecc_kpp_register() - register ecdh-nist-p256-iotsec
 *
 * Return: 0 or a negative errno.
 */
int atecc_kpp_register(void)
{
	int ret = crypto_register_kpp(&atecc_ecdh);

	if (ret)
		return ret;
	kpp_debugfs = debugfs_create_dir("iotsec", NULL);
	debugfs_create_atomic_t("kpp_chip_keys", 0444, kpp_debugfs,
				&kpp_chip_keys);
	debugfs_create_atomic_t("kpp_soft_unauthorized", 0444, kpp_debugfs,
				&kpp_soft_unauthorized);
	return 0;
}

/**
 * atecc_kpp_unregister() - unregister ecdh-nist-p256-iotsec
 */
void atecc_kpp_unregister(void)
{
	debugfs_remove_recursive(kpp_debugfs);
	kpp_debugfs = NULL;
	crypto_unregister_kpp(&atecc_ecdh);
}

MODULE_ALIAS_CRYPTO("ecdh-nist-p256");
MODULE_ALIAS_CRYPTO("ecdh-nist-p256-iotsec");
