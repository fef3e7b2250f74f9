/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_ALG "kpp" client: ECDH with the private key held by the kernel (or the
 * chip behind it), over algif_kpp.ko, speaking the same bytes as libkcapi's
 * kcapi_kpp_* calls (Debian's libkcapi does not export those).  Internal to
 * libiotsec; Documentation/algif_kpp.rst describes the socket ABI.
 *
 * Every function returns 0 or a negative errno; errno is left alone.
 * One struct kpp per thread at a time; it owns its two sockets.
 */
#ifndef IOTSEC_KPP_H
#define IOTSEC_KPP_H

#include <stddef.h>
#include <stdint.h>

#define KPP_P256_PRIV	32	/* big-endian scalar */
#define KPP_P256_PUB	64	/* X || Y, big-endian, no 0x04 prefix */
#define KPP_P256_SECRET	32	/* X coordinate of the shared point */

struct kpp {
	int tfmfd;		/* bound to the algorithm; holds the key */
	int opfd;		/* operation socket; -1 until a key is set */
	unsigned int maxsize;	/* what ALG_SET_KEY returned (64 for P-256) */
};

/**
 * kpp_open() - bind a kpp socket to an algorithm
 * @k: handle to fill in
 * @alg: algorithm or driver name, e.g. "ecdh-nist-p256"
 *
 * Return: 0; -EAFNOSUPPORT without AF_ALG; -ENOENT when algif_kpp or the
 * algorithm is missing; -ENAMETOOLONG; other -errno.  On failure @k is
 * left closed (kpp_close() is still safe).
 */
int kpp_open(struct kpp *k, const char *alg);

/**
 * kpp_setkey() - set the private key, or have one generated
 * @k: open handle without a key yet
 * @priv: raw private key (32 bytes for P-256), or NULL
 * @len: its length; 0 asks the kernel (or chip) to generate the key,
 *	 which then never leaves it
 *
 * Return: 0; -EBUSY if a key is already set; -EINVAL for a wrong size or a
 * key out of range; -ENOKEY for algorithms needing parameters (DH).
 */
int kpp_setkey(struct kpp *k, const uint8_t *priv, size_t len);

/**
 * kpp_keygen() - the public key, generating the private key if none
 * @k: open handle
 * @pub: receives X || Y
 *
 * Return: 0 or -errno; -EPROTO if the kernel answered with a wrong length.
 */
int kpp_keygen(struct kpp *k, uint8_t pub[KPP_P256_PUB]);

/**
 * kpp_derive() - the ECDH shared secret with a peer's public key
 * @k: handle with a key (after kpp_keygen() or _setkey())
 * @peer: the peer's X || Y
 * @secret: receives the shared X coordinate; zeroed on any failure
 *
 * Return: 0; -ENOKEY before a key is set; -EINVAL (or the provider's error)
 * for a point not on the curve; other -errno.
 */
int kpp_derive(struct kpp *k,
	       const uint8_t peer[KPP_P256_PUB],
	       uint8_t secret[KPP_P256_SECRET]);

/* Closes both sockets; the kernel then wipes the private key. */
void kpp_close(struct kpp *k);

#endif
