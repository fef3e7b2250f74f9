/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS 1.3 cipher suites libiotsec speaks, and what each needs from
 * the kernel: an AF_ALG AEAD for the handshake records, a kTLS cipher for
 * the rest, a hash for the key schedule.
 */
#ifndef IOTSEC_SUITE_H
#define IOTSEC_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

#define TLS_AES_128_GCM_SHA256		0x1301
#define TLS_AES_256_GCM_SHA384		0x1302
#define TLS_CHACHA20_POLY1305_SHA256	0x1303

struct suite {
	uint16_t id;
	const char *name;	/* IANA name */
	const char *aead;	/* AF_ALG algorithm */
	enum hash_alg hash;
	size_t keylen;
	uint16_t ktls_cipher;	/* TLS_CIPHER_* of linux/tls.h */
};

/* NULL when the suite is not one of ours. */
const struct suite *suite_find(uint16_t id);

#endif
