// SPDX-License-Identifier: GPL-2.0
/*
 * Hash and HMAC through the kernel (AF_ALG), via libkcapi: the kernel
 * backend of hash.h (hash.c chooses).
 *
 * Opening a libkcapi handle costs an AF_ALG socket bound to the algorithm
 * (the transform, "tfm"), a NETLINK_CRYPTO query, a pipe and more: about
 * twenty system calls.  The operation socket is accept()ed from the tfm
 * on first use.  A digest handle is kept: AF_ALG starts a new hash at the
 * first send after a result was read, so it computes independent digests
 * one after another (send, recvmsg).
 *
 * An HMAC key cannot change that way: AF_ALG refuses ALG_SET_KEY with
 * EBUSY while an operation socket accepted with a key is open
 * (alg_setsockopt()).  So the kept HMAC handle is never used for an
 * operation itself: each call sets its key on it, takes a handle of its
 * own on the same tfm (kcapi_handle_reinit(): no new tfm, no netlink
 * query), computes, and closes that one again, about eight system calls.
 *
 * A handle on which anything failed is closed, never reused: its state
 * in the kernel is then unknown (a hash left open, a key half set).
 */
#include <errno.h>
#include <kcapi.h>
#include <limits.h>
#include <linux/if_alg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hash.h"

static const char *const md_name[HASH_ALGS] = { "sha256", "sha384" };
static const char *const hmac_name[HASH_ALGS] = { "hmac(sha256)",
						  "hmac(sha384)" };

static int result(ssize_t ret, size_t want)
{
	if (ret < 0)
		return (int)ret;
	return (size_t)ret == want ? 0 : -EIO;
}

int hash_kcapi_bindable(const char *type, const char *name)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd, ret = 0;

	strncpy((char *)sa.salg_type, type, sizeof(sa.salg_type) - 1);
	strncpy((char *)sa.salg_name, name, sizeof(sa.salg_name) - 1);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		ret = -errno;
	close(fd);
	return ret;
}

/* The context's handle in *slot, opened now if need be (or a new one). */
static int handle_get(void **slot, const char *name, struct kcapi_handle **k)
{
	int ret;

	if (slot && *slot) {
		*k = *slot;
		return 0;
	}
	*k = NULL;
	ret = hash_kcapi_bindable("hash", name);
	if (ret)
		return ret;
	ret = kcapi_md_init(k, name, 0);
	if (ret) {
		*k = NULL;
		return ret < 0 ? ret : -EIO;
	}
	if (slot)
		*slot = *k;
	return 0;
}

/* Kept for the next call, unless there is no context or it failed. */
static void handle_put(void **slot, struct kcapi_handle *k, int ret)
{
	if (slot && !ret)
		return;
	kcapi_md_destroy(k);
	if (slot)
		*slot = NULL;
}

void hash_kcapi_ctx_free(struct hash_ctx *c)
{
	int i;

	for (i = 0; i < HASH_ALGS; i++) {
		if (c->md[i])
			kcapi_md_destroy(c->md[i]);
		if (c->hmac[i])
			kcapi_md_destroy(c->hmac[i]);
		c->md[i] = c->hmac[i] = NULL;
	}
}

int hash_kcapi_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		      size_t len, uint8_t *out)
{
	size_t n = hash_len(h);
	struct kcapi_handle *k;
	void **slot;
	int ret;

	if ((unsigned int)h >= HASH_ALGS || len > INT_MAX)
		return -EINVAL;
	slot = c ? &c->md[h] : NULL;
	ret = handle_get(slot, md_name[h], &k);
	if (ret)
		return ret;
	ret = result(kcapi_md_digest(k, data, len, out, n), n);
	handle_put(slot, k, ret);
	return ret;
}

int hash_kcapi_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
		    size_t klen, const void *data, size_t len, uint8_t *out)
{
	struct kcapi_handle *k, *op = NULL;
	size_t n = hash_len(h);
	void **slot;
	int ret;

	if ((unsigned int)h >= HASH_ALGS || klen > UINT32_MAX || len > INT_MAX)
		return -EINVAL;
	slot = c ? &c->hmac[h] : NULL;
	ret = handle_get(slot, hmac_name[h], &k);
	if (ret)
		return ret;
	ret = kcapi_md_setkey(k, key, (uint32_t)klen);
	/* Without a context k is used once and closed: no second handle. */
	if (!ret && slot) {
		ret = kcapi_handle_reinit(&op, k, 0);
		if (ret)
			op = NULL;
	}
	if (!ret)
		ret = result(kcapi_md_digest(op ? op : k, data, len, out, n), n);
	if (op)
		kcapi_md_destroy(op);
	handle_put(slot, k, ret);
	return ret;
}
