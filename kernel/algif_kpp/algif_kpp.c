// SPDX-License-Identifier: GPL-2.0
/*
 * algif_kpp: AF_ALG socket type "kpp" for key-agreement primitives.
 *
 * User space speaks the protocol of libkcapi's kcapi_kpp_* calls:
 *
 *   tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
 *   bind(tfm, {"kpp", "ecdh-nist-p256"});
 *   setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, len);  len 0: generate;
 *                                                     returns the max size
 *   op = accept(tfm, NULL, 0);
 *   sendmsg(op, cmsg {SOL_ALG, ALG_SET_OP, ALG_OP_KEYGEN}, no data);
 *   read(op, pub, 64);                                 X || Y
 *   sendmsg(op, cmsg {SOL_ALG, ALG_SET_OP, ALG_OP_SSGEN}, peer X || Y);
 *   read(op, secret, 32);                              shared X
 *
 * The private key stays in the transform (kernel memory, or the chip of a
 * hardware provider): no call returns it.  One operation is pending per
 * operation socket; it runs at the first read() whose buffer can hold the
 * whole result, which that read() returns in one piece.  Reads with nothing
 * pending return 0 and never block.  Documentation/algif_kpp.rst has the
 * details, the errors and what cannot work on 6.1.
 */

#include <crypto/ecc_curve.h>
#include <crypto/ecdh.h>
#include <crypto/if_alg.h>
#include <crypto/internal/ecc.h>
#include <crypto/kpp.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/sock.h>

#include <linux/if_alg_kpp.h>

/*
 * Kernel versions this file adapts to (checked against each kernel's
 * include/crypto/if_alg.h and crypto/af_alg.c):
 *  - 6.5 removed proto_ops.sendpage and af_alg_sendpage(): splice reaches
 *    .sendmsg (MSG_SPLICE_PAGES), which copies from any iov_iter.
 *  - 7.2 made af_alg_type.bind take the name only: af_alg checks
 *    salg_feat/salg_mask itself and hands the type neither.
 *  - 7.3 added the af_alg_restrict sysctl: each type checks its own
 *    allowlist with af_alg_check_restriction().
 */
#define KPP_KERNEL		KERNEL_VERSION(LINUX_VERSION_MAJOR,	\
				       LINUX_VERSION_PATCHLEVEL,	\
				       LINUX_VERSION_SUBLEVEL)
#define KPP_HAVE_SENDPAGE	(KERNEL_VERSION(6, 5, 0) > KPP_KERNEL)
#define KPP_BIND_NAME_ONLY	(KERNEL_VERSION(7, 2, 0) <= KPP_KERNEL)
#define KPP_HAVE_RESTRICT	(KERNEL_VERSION(7, 3, 0) <= KPP_KERNEL)

/* Largest public key, peer key or secret handled (P-384 X || Y is 96). */
#define KPP_IO_MAX	128

enum kpp_family {
	KPP_FAMILY_OTHER,	/* needs parameters 6.1 cannot deliver (DH) */
	KPP_FAMILY_ECDH,	/* secret: crypto_ecdh_encode_key() blob */
	KPP_FAMILY_X25519,	/* secret: the raw 32-byte scalar */
};

/* Private data of a tfm (parent) socket: the transform and its key. */
struct kpp_tfm_ctx {
	struct crypto_kpp *tfm;
	enum kpp_family family;
	unsigned int curve_id;	/* ECC_CURVE_NIST_* for ECDH, else 0 */
	unsigned int maxsize;	/* crypto_kpp_maxsize() once a key is set */
	bool has_key;
};

/* Private data of an operation (accepted) socket: the pending operation. */
struct kpp_op_ctx {
	u8 in[KPP_IO_MAX];	/* peer public key gathered by sendmsg */
	unsigned int in_len;
	u32 op;			/* ALG_OP_KEYGEN or ALG_OP_SSGEN */
	bool pending;		/* an operation waits for its read() */
	bool more;		/* MSG_MORE: more input is announced */
};

static struct kpp_tfm_ctx *kpp_parent_ctx(struct sock *sk)
{
	return alg_sk(alg_sk(sk)->parent)->private;
}

static void kpp_op_reset(struct kpp_op_ctx *ctx)
{
	memzero_explicit(ctx->in, sizeof(ctx->in));
	ctx->in_len = 0;
	ctx->op = 0;
	ctx->pending = false;
	ctx->more = false;
}

/* Bytes a read() returns for @op: ECDH yields only the X coordinate. */
static unsigned int kpp_result_len(const struct kpp_tfm_ctx *tctx, u32 op)
{
	if (op == ALG_OP_SSGEN && tctx->family == KPP_FAMILY_ECDH)
		return tctx->maxsize / 2;
	return tctx->maxsize;
}

/*
 * af_alg_sendmsg() refuses ops other than encrypt and decrypt, and the
 * af_alg cmsg parser is static in 6.1: read ALG_SET_OP here.  Returns 1 and
 * sets @op when the message carries one, 0 when it carries none, or -EINVAL.
 */
static int kpp_cmsg_op(struct msghdr *msg, u32 *op)
{
	struct cmsghdr *cmsg;
	int found = 0;

	if (!msg->msg_controllen)
		return 0;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_ALG)
			continue;
		if (cmsg->cmsg_type != ALG_SET_OP ||
		    cmsg->cmsg_len < CMSG_LEN(sizeof(u32)))
			return -EINVAL;
		*op = *(u32 *)CMSG_DATA(cmsg);
		found = 1;
	}

	if (found && *op != ALG_OP_KEYGEN && *op != ALG_OP_SSGEN)
		return -EINVAL;
	return found;
}

/* Appends @size bytes of input; keygen takes none, ssgen one public key. */
static int kpp_op_append(struct kpp_op_ctx *ctx,
			 const struct kpp_tfm_ctx *tctx,
			 struct msghdr *msg, size_t size)
{
	unsigned int limit = ctx->op == ALG_OP_SSGEN ? tctx->maxsize : 0;

	if (size > limit - ctx->in_len)
		return -EINVAL;
	if (!copy_from_iter_full(ctx->in + ctx->in_len, size, &msg->msg_iter))
		return -EFAULT;
	ctx->in_len += size;
	return 0;
}

static int kpp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	struct kpp_op_ctx *ctx = alg_sk(sk)->private;
	u32 op = 0;
	int ret;

	ret = kpp_cmsg_op(msg, &op);
	if (ret < 0)
		return ret;

	lock_sock(sk);
	if (ret) {
		/* A new operation replaces any pending one. */
		kpp_op_reset(ctx);
		ctx->op = op;
		ctx->pending = true;
	} else if (!ctx->pending) {
		/* Data without an operation; an empty send is harmless. */
		ret = size ? -EINVAL : 0;
		goto unlock;
	}

	ret = kpp_op_append(ctx, kpp_parent_ctx(sk), msg, size);
	if (ret) {
		kpp_op_reset(ctx);
		goto unlock;
	}
	ctx->more = msg->msg_flags & MSG_MORE;
	ret = size;

unlock:
	if (!ctx->more)
		sk->sk_data_ready(sk);
	release_sock(sk);
	return ret;
}

/* Waits until announced input (MSG_MORE) is complete; 0 when ready. */
static int kpp_wait_input(struct sock *sk, struct kpp_op_ctx *ctx, int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo;
	int ret = 0;

	if (!ctx->pending || !ctx->more)
		return 0;

	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	add_wait_queue(sk_sleep(sk), &wait);
	while (ctx->pending && ctx->more) {
		if (!timeo) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = sock_intr_errno(timeo);
			break;
		}
		sk_wait_event(sk, &timeo, !ctx->pending || !ctx->more, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return ret;
}

/* Runs @req synchronously; providers may complete it asynchronously. */
static int kpp_do_request(const struct kpp_tfm_ctx *tctx,
			  struct kpp_op_ctx *ctx, u8 *out)
{
	struct scatterlist in_sg, out_sg;
	struct kpp_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	req = kpp_request_alloc(tctx->tfm, GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	sg_init_one(&out_sg, out, tctx->maxsize);
	kpp_request_set_output(req, &out_sg, tctx->maxsize);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				 CRYPTO_TFM_REQ_MAY_BACKLOG,
				 crypto_req_done, &wait);

	if (ctx->op == ALG_OP_SSGEN) {
		sg_init_one(&in_sg, ctx->in, ctx->in_len);
		kpp_request_set_input(req, &in_sg, ctx->in_len);
		ret = crypto_kpp_compute_shared_secret(req);
	} else {
		kpp_request_set_input(req, NULL, 0);
		ret = crypto_kpp_generate_public_key(req);
	}
	ret = crypto_wait_req(ret, &wait);

	kpp_request_free(req);
	return ret;
}

/*
 * Runs the pending operation into the caller's buffer.  A buffer too small
 * for the result gets -EMSGSIZE and leaves the operation pending; anything
 * else ends it, and only a complete result ever reaches user space.
 */
static int kpp_run(const struct kpp_tfm_ctx *tctx, struct kpp_op_ctx *ctx,
		   struct msghdr *msg)
{
	unsigned int outlen = kpp_result_len(tctx, ctx->op);
	u8 *out;
	int ret;

	if (msg_data_left(msg) < outlen)
		return -EMSGSIZE;

	ret = -EINVAL;
	if (ctx->op == ALG_OP_SSGEN && ctx->in_len != tctx->maxsize)
		goto done;

	ret = -ENOMEM;
	out = kzalloc(tctx->maxsize, GFP_KERNEL);
	if (!out)
		goto done;

	ret = kpp_do_request(tctx, ctx, out);
	/* A provider that "succeeds" without writing must not leak zeros. */
	if (!ret && !memchr_inv(out, 0, outlen))
		ret = -EIO;
	if (!ret && copy_to_iter(out, outlen, &msg->msg_iter) != outlen)
		ret = -EFAULT;
	kfree_sensitive(out);
	if (!ret)
		ret = outlen;

done:
	kpp_op_reset(ctx);
	return ret;
}

static int kpp_recvmsg(struct socket *sock, struct msghdr *msg,
		       size_t ignored, int flags)
{
	struct sock *sk = sock->sk;
	struct kpp_op_ctx *ctx = alg_sk(sk)->private;
	int ret;

	lock_sock(sk);
	ret = kpp_wait_input(sk, ctx, flags);
	if (!ret && ctx->pending)
		ret = kpp_run(kpp_parent_ctx(sk), ctx, msg);
	release_sock(sk);
	return ret;
}

static __poll_t kpp_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct kpp_op_ctx *ctx = alg_sk(sock->sk)->private;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	sock_poll_wait(file, sock, wait);
	if (!READ_ONCE(ctx->pending) || !READ_ONCE(ctx->more))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/*
 * An operation socket accepted before the parent had a key checks again
 * on each call, and is promoted once the key is there.
 */
static int kpp_check_key(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct alg_sock *ask = alg_sk(sk);
	struct alg_sock *pask;
	int ret = 0;

	lock_sock(sk);
	if (atomic_read(&ask->nokey_refcnt)) {
		pask = alg_sk(ask->parent);
		lock_sock_nested(ask->parent, SINGLE_DEPTH_NESTING);
		if (((struct kpp_tfm_ctx *)pask->private)->has_key) {
			atomic_dec(&pask->nokey_refcnt);
			atomic_set(&ask->nokey_refcnt, 0);
		} else {
			ret = -ENOKEY;
		}
		release_sock(ask->parent);
	}
	release_sock(sk);
	return ret;
}

static int kpp_sendmsg_nokey(struct socket *sock, struct msghdr *msg,
			     size_t size)
{
	int ret = kpp_check_key(sock);

	return ret ? ret : kpp_sendmsg(sock, msg, size);
}

static int kpp_recvmsg_nokey(struct socket *sock, struct msghdr *msg,
			     size_t ignored, int flags)
{
	int ret = kpp_check_key(sock);

	return ret ? ret : kpp_recvmsg(sock, msg, ignored, flags);
}

/*
 * The template of the two proto_ops tables.  af_alg_register_type() writes
 * their owner field, so af_alg gets writable copies (kpp_ops_alloc()); the
 * copy for a socket without its key yet checks it first in sendmsg and
 * recvmsg.  .sendpage (splice, vmsplice; up to 6.4) feeds the data back
 * through .sendmsg.
 */
static const struct proto_ops kpp_ops_tmpl = {
	.family		= PF_ALG,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.getname	= sock_no_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.mmap		= sock_no_mmap,
	.bind		= sock_no_bind,
	.accept		= sock_no_accept,
	.release	= af_alg_release,
	.sendmsg	= kpp_sendmsg,
#if KPP_HAVE_SENDPAGE
	.sendpage	= sock_no_sendpage,
#endif
	.recvmsg	= kpp_recvmsg,
	.poll		= kpp_poll,
};

static void kpp_classify(struct kpp_tfm_ctx *tctx)
{
	const char *name = crypto_tfm_alg_name(crypto_kpp_tfm(tctx->tfm));

	tctx->family = KPP_FAMILY_OTHER;
	if (!strcmp(name, "curve25519"))
		tctx->family = KPP_FAMILY_X25519;
	if (strncmp(name, "ecdh-", 5))
		return;
	tctx->family = KPP_FAMILY_ECDH;
	if (!strcmp(name, "ecdh-nist-p192"))
		tctx->curve_id = ECC_CURVE_NIST_P192;
	else if (!strcmp(name, "ecdh-nist-p256"))
		tctx->curve_id = ECC_CURVE_NIST_P256;
	else if (!strcmp(name, "ecdh-nist-p384"))
		tctx->curve_id = ECC_CURVE_NIST_P384;
}

#if KPP_HAVE_RESTRICT
/*
 * With crypto.af_alg_restrict at 1 (the default) a type binds only the
 * names on its list.  Key agreement is what this type exists for, and its
 * private key never leaves the kernel or the chip: every user may bind it.
 */
static const struct af_alg_allowlist_entry kpp_allowlist[] = {
	{ "ecdh-nist-p256", AF_ALG_UNPRIVILEGED },
	{ "ecdh-nist-p256-generic", AF_ALG_UNPRIVILEGED },
	{ "ecdh-nist-p256-iotsec", AF_ALG_UNPRIVILEGED },
	{ "ecdh-nist-p384", AF_ALG_UNPRIVILEGED },
	{ "curve25519", AF_ALG_UNPRIVILEGED },
	{}
};
#endif

static void *kpp_bind_tfm(const char *name, u32 type, u32 mask)
{
	struct kpp_tfm_ctx *tctx;
	struct crypto_kpp *tfm;

	tfm = crypto_alloc_kpp(name, type, mask);
	if (IS_ERR(tfm))
		return ERR_CAST(tfm);

	tctx = kzalloc(sizeof(*tctx), GFP_KERNEL);
	if (!tctx) {
		crypto_free_kpp(tfm);
		return ERR_PTR(-ENOMEM);
	}
	tctx->tfm = tfm;
	kpp_classify(tctx);
	return tctx;
}

/*
 * Unlike the kernel's own types from 7.2 on, this one keeps reaching
 * asynchronous drivers (KERN_DRIVER_ONLY, ASYNC): the chip's ECDH is
 * what it is for.
 */
#if KPP_BIND_NAME_ONLY
static void *kpp_bind(const char *name)
{
#if KPP_HAVE_RESTRICT
	int ret = af_alg_check_restriction(name, kpp_allowlist);

	if (ret)
		return ERR_PTR(ret);
#endif
	return kpp_bind_tfm(name, 0, 0);
}
#else
static void *kpp_bind(const char *name, u32 type, u32 mask)
{
	return kpp_bind_tfm(name, type, mask);
}
#endif

/* Frees the transform; crypto_free_kpp() zeroes its context (the key). */
static void kpp_release(void *private)
{
	struct kpp_tfm_ctx *tctx = private;

	crypto_free_kpp(tctx->tfm);
	kfree_sensitive(tctx);
}

/*
 * 1 <= d <= n - 1 for a big-endian @key.  ecdh-generic's own check in 6.1
 * reads the key bytes as native-order digits, so it accepts some keys out
 * of range (n itself) that only fail later, at keygen.
 */
static int kpp_check_ecdh_range(unsigned int curve_id, const u8 *key,
				unsigned int keylen)
{
	const struct ecc_curve *curve = ecc_get_curve(curve_id);
	u64 d[ECC_MAX_DIGITS];
	unsigned int ndigits;
	int ret = 0;

	if (!curve || keylen != curve->g.ndigits * sizeof(u64))
		return -EINVAL;
	ndigits = curve->g.ndigits;
	vli_from_be64(d, key, ndigits);
	if (vli_is_zero(d, ndigits) || vli_cmp(curve->n, d, ndigits) <= 0)
		ret = -EINVAL;
	memzero_explicit(d, sizeof(d));
	return ret;
}

/* An empty @key asks the provider to generate the private key. */
static int kpp_set_ecdh_key(const struct kpp_tfm_ctx *tctx, const u8 *key,
			    unsigned int keylen)
{
	struct ecdh params = {
		.key = keylen ? (char *)key : NULL,
		.key_size = keylen,
	};
	unsigned int len = crypto_ecdh_key_len(&params);
	char *buf;
	int ret;

	if (keylen && tctx->curve_id) {
		ret = kpp_check_ecdh_range(tctx->curve_id, key, keylen);
		if (ret)
			return ret;
	}
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = crypto_ecdh_encode_key(buf, len, &params);
	if (!ret)
		ret = crypto_kpp_set_secret(tctx->tfm, buf, len);
	kfree_sensitive(buf);
	return ret;
}

/*
 * ALG_SET_KEY: the raw private key (big-endian scalar for ECDH), or none
 * to have one generated.  Returns the maximum output size, as libkcapi
 * expects, or a negative errno.
 */
static int kpp_setkey(void *private, const u8 *key, unsigned int keylen)
{
	struct kpp_tfm_ctx *tctx = private;
	unsigned int maxsize;
	int ret;

	tctx->has_key = false;
	/*
	 * DH needs ALG_SET_DH_PARAMETERS, which 6.1 cannot pass to us; its
	 * max_size() must not even be asked before it has parameters.
	 * ECDH and X25519 sizes depend on the curve alone.
	 */
	if (tctx->family == KPP_FAMILY_OTHER)
		return -ENOKEY;
	maxsize = crypto_kpp_maxsize(tctx->tfm);
	if (!maxsize || maxsize > KPP_IO_MAX)
		return -EOPNOTSUPP;

	switch (tctx->family) {
	case KPP_FAMILY_ECDH:
		if (keylen && keylen != maxsize / 2)
			return -EINVAL;
		ret = kpp_set_ecdh_key(tctx, key, keylen);
		break;
	case KPP_FAMILY_X25519:
		if (keylen && keylen != maxsize)
			return -EINVAL;
		ret = crypto_kpp_set_secret(tctx->tfm, keylen ? key : NULL,
					    keylen);
		break;
	default:
		return -ENOKEY;
	}
	if (ret)
		return ret;

	tctx->maxsize = maxsize;
	tctx->has_key = true;
	return maxsize;
}

static void kpp_sock_destruct(struct sock *sk)
{
	struct alg_sock *ask = alg_sk(sk);

	sock_kzfree_s(sk, ask->private, sizeof(struct kpp_op_ctx));
	af_alg_release_parent(sk);
}

static int kpp_accept_nokey(void *private, struct sock *sk)
{
	struct kpp_op_ctx *ctx;

	ctx = sock_kmalloc(sk, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	memset(ctx, 0, sizeof(*ctx));

	alg_sk(sk)->private = ctx;
	sk->sk_destruct = kpp_sock_destruct;
	return 0;
}

static int kpp_accept(void *private, struct sock *sk)
{
	struct kpp_tfm_ctx *tctx = private;

	if (!tctx->has_key)
		return -ENOKEY;
	return kpp_accept_nokey(private, sk);
}

/* Not const: the ops pointers are filled in at module load. */
static struct af_alg_type algif_type_kpp = {
	.bind		= kpp_bind,
	.release	= kpp_release,
	.setkey		= kpp_setkey,
	.accept		= kpp_accept,
	.accept_nokey	= kpp_accept_nokey,
	.name		= "kpp",
	.owner		= THIS_MODULE,
};

static void kpp_ops_free(void)
{
	kfree(algif_type_kpp.ops);
	kfree(algif_type_kpp.ops_nokey);
	algif_type_kpp.ops = NULL;
	algif_type_kpp.ops_nokey = NULL;
}

static int kpp_ops_alloc(void)
{
	algif_type_kpp.ops = kmemdup(&kpp_ops_tmpl, sizeof(kpp_ops_tmpl),
				     GFP_KERNEL);
	algif_type_kpp.ops_nokey = kmemdup(&kpp_ops_tmpl, sizeof(kpp_ops_tmpl),
					   GFP_KERNEL);
	if (!algif_type_kpp.ops || !algif_type_kpp.ops_nokey) {
		kpp_ops_free();
		return -ENOMEM;
	}
	algif_type_kpp.ops_nokey->sendmsg = kpp_sendmsg_nokey;
	algif_type_kpp.ops_nokey->recvmsg = kpp_recvmsg_nokey;
	return 0;
}

static int __init algif_kpp_init(void)
{
	int ret = kpp_ops_alloc();

	if (ret)
		return ret;
	ret = af_alg_register_type(&algif_type_kpp);
	if (ret)
		kpp_ops_free();
	return ret;
}

/*
 * Each bound socket holds a reference on this module (af_alg takes it at
 * bind), so no socket uses the ops tables once exit runs.
 */
static void __exit algif_kpp_exit(void)
{
	int ret = af_alg_unregister_type(&algif_type_kpp);

	if (ret)
		pr_err("cannot unregister the kpp type: %d\n", ret);
	kpp_ops_free();
}

module_init(algif_kpp_init);
module_exit(algif_kpp_exit);

MODULE_DESCRIPTION("AF_ALG kpp (ECDH) sockets with libkcapi's kcapi_kpp ABI");
MODULE_LICENSE("GPL");
MODULE_ALIAS("algif-kpp");
