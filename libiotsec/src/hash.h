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
};

#define HASH_MAX 48

static inline size_t hash_len(enum hash_alg h)
{
	return h == HASH_SHA384 ? 48 : 32;
}

/* Both return 0 or a negative errno; out holds hash_len(h) bytes. */
int hash_digest(enum hash_alg h, const void *data, size_t len, uint8_t *out);
int hash_hmac(enum hash_alg h, const uint8_t *key, size_t klen,
	      const void *data, size_t len, uint8_t *out);

#endif
