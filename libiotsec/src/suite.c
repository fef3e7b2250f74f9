// SPDX-License-Identifier: GPL-2.0
/*
 * The cipher suite table (see suite.h).
 */
#include <linux/tls.h>

#include "suite.h"

static const struct suite suites[] = {
	{ TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", "gcm(aes)",
	  HASH_SHA256, 16, TLS_CIPHER_AES_GCM_128 },
	{ TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", "gcm(aes)",
	  HASH_SHA384, 32, TLS_CIPHER_AES_GCM_256 },
	{ TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256",
	  "rfc7539(chacha20,poly1305)", HASH_SHA256, 32,
	  TLS_CIPHER_CHACHA20_POLY1305 },
};

const struct suite *suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}
