/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ECDSA P-256 in software, on the primitives the kernel's ecc module
 * exports (crypto/ecc.c): verify for every public key, sign for private
 * keys that are not on a chip.
 *
 * Scalars, points, digests and signatures cross this interface as
 * big-endian byte strings, as on the chip's wire: a scalar is 32 bytes, a
 * point X || Y is 64, a signature R || S is 64.
 */
#ifndef IOTSEC_P256_H
#define IOTSEC_P256_H

#include <linux/types.h>

#define P256_BYTES	32
#define P256_POINT	64
#define P256_SIG	64

void p256_from_digits(u8 be[P256_BYTES], const u64 *v);
void p256_to_digits(u64 *v, const u8 be[P256_BYTES]);
bool p256_scalar_ok(const u8 d[P256_BYTES]);
int p256_scalar_random(u8 d[P256_BYTES]);
void p256_digest(const u8 *digest, unsigned int len, u8 z[P256_BYTES]);
int p256_public(const u8 d[P256_BYTES], u8 pub[P256_POINT]);
int p256_point_check(const u8 pub[P256_POINT]);
int p256_point_on_curve(const u8 pub[P256_POINT]);
int p256_verify(const u8 pub[P256_POINT], const u8 z[P256_BYTES],
		const u8 rs[P256_SIG]);
int p256_sign(const u8 d[P256_BYTES], const u8 z[P256_BYTES],
	      u8 rs[P256_SIG]);

#endif /* IOTSEC_P256_H */
