/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ECDSA P-256 signatures as DER (X9.62 / RFC 5480 "x962"):
 * SEQUENCE { INTEGER r, INTEGER s }, and the chip's raw form R || S
 * (32 + 32 bytes, big-endian).  Pure code; host-testable.
 */
#ifndef IOTSEC_ECDSA_DER_H
#define IOTSEC_ECDSA_DER_H

#define ECDSA_P256_RAW		64
#define ECDSA_P256_DER_MAX	72	/* 2 + 2 * (2 + 33) */

/**
 * ecdsa_der_encode() - raw R || S to DER
 * @rs: 64 bytes, R then S, big-endian
 * @out: where the DER goes
 * @cap: room in @out
 *
 * Return: the DER length, or -EMSGSIZE when @cap is too small.
 */
int ecdsa_der_encode(const u8 *rs, u8 *out, size_t cap);

/**
 * ecdsa_der_decode() - DER to raw R || S
 * @der: the signature
 * @len: its length
 * @rs: 64 bytes out, each integer left-padded to 32 bytes
 *
 * Accepts what the 6.1 kernel's ecdsa accepts: an integer of up to 32
 * bytes, or 33 with a leading zero byte; bytes after the SEQUENCE are
 * ignored, as 6.1's ASN.1 decoder ignores them.  That matters: 6.1's
 * keyctl_pkey_verify() hands every signature over as max_sig_size (72)
 * bytes, whatever its real length, so a DER signature of 70 or 71 bytes
 * arrives with trailing bytes from the caller's buffer.
 *
 * Return: 0, or -EBADMSG for anything malformed or out of range.
 */
int ecdsa_der_decode(const u8 *der, size_t len, u8 *rs);

#endif /* IOTSEC_ECDSA_DER_H */
