/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hash and HMAC: the one path from the library to digest primitives,
 * with two backends chosen at run time (hash.c): the kernel's, through
 * AF_ALG with libkcapi (hash_kcapi.c), and OpenSSL's libcrypto in the
 * process (hash_ossl.c).  The same context also records the choice for
 * the handshake's record protection (record.c).
 *
 * The choice (iotsec.h, IOTSEC_CRYPTO_*): KERNEL uses AF_ALG only, USER
 * and AUTO (zero, the default) libcrypto only.
 * Host unit tests link tests/unit/kcapi_off.c in place of the *_kcapi.c
 * files: a kernel without AF_ALG, so KERNEL gives its error.
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

/* Kinds of operation, each with its own AUTO fallback (hash_pick()). */
enum hash_kind {
	HASH_KIND_MD,
	HASH_KIND_HMAC,
	HASH_KIND_AEAD,
};

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
	unsigned int want;	/* IOTSEC_CRYPTO_AUTO (0), _KERNEL or _USER */
	unsigned int used;	/* IOTSEC_CRYPTO_KERNEL | _USER: what ran */
	void *md[HASH_ALGS];
	void *hmac[HASH_ALGS];
};

/*
 * Closes what the context holds; it is empty (and reusable) after, and
 * keeps want and used.
 */
void hash_ctx_free(struct hash_ctx *c);

/*
 * Both return 0 or a negative errno; out holds hash_len(h) bytes.  c may
 * be NULL: the call then opens and closes a handle of its own.
 */
int hash_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		size_t len, uint8_t *out);
int hash_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
	      size_t klen, const void *data, size_t len, uint8_t *out);

/*
 * The backend a kind of operation uses now (IOTSEC_CRYPTO_KERNEL or
 * _USER); c may be NULL (AUTO, nothing remembered).
 */
unsigned int hash_pick(const struct hash_ctx *c, enum hash_kind k);
/* Records that backend be ran an operation (iotsec_session_crypto()). */
void hash_ran(struct hash_ctx *c, unsigned int be);

/*
 * 0 when the kernel lets us bind an AF_ALG socket of type ("hash",
 * "aead") to name, else bind()'s or socket()'s -errno.  Asked with a
 * socket of our own before libkcapi opens a handle: a refusal then comes
 * back as a code, not as a line libkcapi prints on stderr.
 */
int hash_kcapi_bindable(const char *type, const char *name);
/* The backends: the same calls, c's handles for AF_ALG. */
void hash_kcapi_ctx_free(struct hash_ctx *c);
int hash_kcapi_digest(struct hash_ctx *c, enum hash_alg h, const void *data,
		      size_t len, uint8_t *out);
int hash_kcapi_hmac(struct hash_ctx *c, enum hash_alg h, const uint8_t *key,
		    size_t klen, const void *data, size_t len, uint8_t *out);
int hash_ossl_digest(enum hash_alg h, const void *data, size_t len,
		     uint8_t *out);
int hash_ossl_hmac(enum hash_alg h, const uint8_t *key, size_t klen,
		   const void *data, size_t len, uint8_t *out);
/*
 * A running digest in libcrypto (the transcript's, userspace backend):
 * fed as messages arrive, read as a snapshot without ending it.
 */
void *hash_ossl_run_new(enum hash_alg h);
int hash_ossl_run_update(void *run, const void *data, size_t len);
int hash_ossl_run_peek(void *run, enum hash_alg h, uint8_t *out);
void hash_ossl_run_free(void *run);

#endif
