/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hash and HMAC: the one path from the library to digest primitives.
 * The library's implementation (hash_kcapi.c) goes through AF_ALG with
 * libkcapi; host unit tests link an OpenSSL one instead, so the pure code
 * above it (key schedule, transcript) is tested without a kernel.
 */
#ifndef IOTSEC_HASH_H
#define IOTSEC_HASH_H

#include <stddef.h>
#include <stdint.h>

enum hash_alg {
	HASH_SHA256,
	HASH_SHA384,
	HASH_ALGS
};

#define HASH_MAX 48

static inline size_t hash_len(enum hash_alg h)
{
	return h == HASH_SHA384 ? 48 : 32;
}

/*
 * What one handshake keeps open for its digests: a hash and an HMAC
 * handle per algorithm (AF_ALG sockets, hash_kcapi.c), each made on
 * first use and reused by every later call with the same context, so
 * that a handshake's thirty-odd digests do not each open and close
 * sockets.  The HMAC handle's transform is keyed again at each call
 * (the operation socket is then per call: hash_kcapi.c); the kernel holds
 * the last key until hash_ctx_free().  All zero is an empty context; one
 * context is used by one thread at a time.
 */
struct hash_ctx {
	void *md[HASH_ALGS];
	void *hmac[HASH_ALGS];
};

/* Closes what the context holds; it is empty (and reusable) after. */
void hash_ctx_free(struct hash_ctx *c);

/*
 * Both return 0 or a negative errno; out holds hash_len(h) bytes.  c may
 * be NULL: the call then opens and closes a handle of its own.
 */
int hash_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		size_t len, uint8_t *out);
int hash_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
	      size_t klen, const void *data, size_t len, uint8_t *out);

#endif
