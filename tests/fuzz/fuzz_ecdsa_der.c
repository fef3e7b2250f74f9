// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the driver's ECDSA signature codec (kernel/iotsec/
 * ecdsa_der.c, built for the host as its unit test is).  A signature that
 * decodes encodes to DER that decodes to the same R || S; and any 64
 * bytes of input taken as R || S encode to DER that decodes back to them.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "ecdsa_der.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

static void round_trip(const u8 *rs)
{
	u8 der[ECDSA_P256_DER_MAX], back[ECDSA_P256_RAW];
	int n = ecdsa_der_encode(rs, der, sizeof(der));

	FUZZ_CHECK(n > 0 && n <= ECDSA_P256_DER_MAX);
	FUZZ_CHECK(ecdsa_der_encode(rs, der, n - 1) == -EMSGSIZE);
	FUZZ_CHECK(!ecdsa_der_decode(der, n, back));
	FUZZ_CHECK(!memcmp(rs, back, ECDSA_P256_RAW));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 rs[ECDSA_P256_RAW];

	if (!ecdsa_der_decode(data, size, rs))
		round_trip(rs);
	if (size >= ECDSA_P256_RAW)
		round_trip(data);
	return 0;
}
