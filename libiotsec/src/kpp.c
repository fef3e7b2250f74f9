// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ALG kpp client (see kpp.h).  The call sequence is libkcapi's:
 * setsockopt(ALG_SET_KEY) on the tfm socket (an empty key means "generate",
 * the answer is the maximum output size), accept(), then per operation one
 * sendmsg() with an {SOL_ALG, ALG_SET_OP, u32} cmsg and the input, and
 * read()s until the result is complete or read() returns 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4 */
#endif
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iotsec.h"
#include "internal.h"
#include "kpp.h"
#include <linux/if_alg_kpp.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

void kpp_close(struct kpp *k)
{
	if (k->opfd >= 0)
		close(k->opfd);
	if (k->tfmfd >= 0)
		close(k->tfmfd);
	k->opfd = -1;
	k->tfmfd = -1;
	k->maxsize = 0;
}

int kpp_open(struct kpp *k, const char *alg)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int ret;

	k->tfmfd = -1;
	k->opfd = -1;
	k->maxsize = 0;
	if (strlen(alg) >= sizeof(sa.salg_name))
		return -ENAMETOOLONG;
	memcpy(sa.salg_type, "kpp", sizeof("kpp"));
	memcpy(sa.salg_name, alg, strlen(alg) + 1);

	k->tfmfd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/* No AF_ALG at all: no ECDHE, and no way around it (libiotsec.rst). */
	if (k->tfmfd < 0 && errno == EAFNOSUPPORT)
		return IOTSEC_LIB_ERR(IOTSEC_E_NO_AF_ALG);
	if (k->tfmfd < 0)
		return -errno;
	if (bind(k->tfmfd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		kpp_close(k);
		return ret;
	}
	return 0;
}

int kpp_setkey(struct kpp *k, const uint8_t *priv, size_t len)
{
	int ret;

	if (k->tfmfd < 0)
		return -EBADF;
	if (k->opfd >= 0)
		return -EBUSY;
	if (len > 4096)
		return -EINVAL;

	/* algif_kpp answers with the maximum output size, not 0. */
	ret = setsockopt(k->tfmfd, SOL_ALG, ALG_SET_KEY, priv, (socklen_t)len);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -EPROTO;
	k->maxsize = (unsigned int)ret;

	k->opfd = accept4(k->tfmfd, NULL, NULL, SOCK_CLOEXEC);
	if (k->opfd < 0) {
		ret = -errno;
		k->opfd = -1;
		return ret;
	}
	return 0;
}

static int send_op(int fd, uint32_t op, const void *in, size_t inlen)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint32_t))];
	} control;
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)in,	/* sendmsg does not write */
		.iov_len = inlen,
	};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(op));
	memcpy(CMSG_DATA(c), &op, sizeof(op));

	do {
		n = sendmsg(fd, &msg, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == inlen ? 0 : -EIO;
}

/* Reads until @len bytes arrived or read() returns 0; returns the count. */
static ssize_t read_result(int fd, uint8_t *out, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, out + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int kpp_keygen(struct kpp *k, uint8_t pub[KPP_P256_PUB])
{
	ssize_t n;
	int ret;

	if (k->opfd < 0) {
		ret = kpp_setkey(k, NULL, 0);
		if (ret)
			return ret;
	}
	ret = send_op(k->opfd, ALG_OP_KEYGEN, NULL, 0);
	if (ret)
		return ret;
	n = read_result(k->opfd, pub, KPP_P256_PUB);
	if (n < 0)
		return (int)n;
	return n == KPP_P256_PUB ? 0 : -EPROTO;
}

int kpp_derive(struct kpp *k,
	       const uint8_t peer[KPP_P256_PUB],
	       uint8_t secret[KPP_P256_SECRET])
{
	ssize_t n;
	int ret;

	if (k->opfd < 0)
		return -ENOKEY;
	ret = send_op(k->opfd, ALG_OP_SSGEN, peer, KPP_P256_PUB);
	if (ret)
		goto fail;
	n = read_result(k->opfd, secret, KPP_P256_SECRET);
	ret = n < 0 ? (int)n : -EPROTO;
	if (n == KPP_P256_SECRET)
		return 0;
fail:
	explicit_bzero(secret, KPP_P256_SECRET);
	return ret;
}
