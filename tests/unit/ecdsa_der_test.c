// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/iotsec/ecdsa_der.c on the host: round trips, the leading-zero rules,
 * and every malformed form refused; cross-checked against OpenSSL's own
 * ECDSA_SIG DER encoding.
 */
#include <errno.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "kcompat.h"
#include "ecdsa_der.h"

#include "kselftest_harness.h"

/* OpenSSL's DER for the same r and s. */
static int openssl_der(const u8 *rs, u8 *out)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);
	u8 *p = out;
	int n;

	ECDSA_SIG_set0(sig, r, s);
	n = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	return n;
}

TEST(matches_openssl_for_edge_values)
{
	u8 rs[64], der[ECDSA_P256_DER_MAX], ref[80], back[64];
	int i, n;

	for (i = 0; i < 6; i++) {
		memset(rs, 0, 64);
		switch (i) {
		case 0: memset(rs, 0x7f, 64); break;	/* no pad */
		case 1: memset(rs, 0xff, 64); break;	/* both padded */
		case 2: rs[31] = 1; rs[63] = 0x80; break;	/* tiny */
		case 3: rs[5] = 0x80; rs[40] = 0x01; break;	/* leading zeros */
		case 4: memset(rs, 0x80, 32); rs[63] = 9; break;
		case 5: rs[0] = 0x00; rs[1] = 0xff; memset(rs + 32, 0x11, 32); break;
		}
		n = ecdsa_der_encode(rs, der, sizeof(der));
		ASSERT_LT(0, n);
		ASSERT_EQ(openssl_der(rs, ref), n) TH_LOG("case %d", i);
		EXPECT_EQ(0, memcmp(ref, der, n)) TH_LOG("case %d", i);
		ASSERT_EQ(0, ecdsa_der_decode(der, n, back));
		EXPECT_EQ(0, memcmp(rs, back, 64));
	}
}

TEST(encode_needs_room)
{
	u8 rs[64], der[ECDSA_P256_DER_MAX];

	memset(rs, 0xff, 64);
	EXPECT_EQ(-EMSGSIZE, ecdsa_der_encode(rs, der, 71));
	EXPECT_EQ(72, ecdsa_der_encode(rs, der, 72));
}

TEST(decode_refuses_malformed)
{
	u8 good[ECDSA_P256_DER_MAX], bad[80], rs[64];
	int n, i;

	memset(rs, 0x42, 64);
	n = ecdsa_der_encode(rs, good, sizeof(good));
	ASSERT_EQ(70, n);
	EXPECT_EQ(0, ecdsa_der_decode(good, n, rs));
	for (i = 0; i < n; i++)	/* every truncation */
		EXPECT_EQ(-EBADMSG, ecdsa_der_decode(good, i, rs)) TH_LOG("len %d", i);
	memcpy(bad, good, n);
	bad[n] = 0x5a;		/* after the SEQUENCE: ignored, as 6.1 does */
	bad[n + 1] = 0xa5;
	EXPECT_EQ(0, ecdsa_der_decode(bad, n + 2, rs));
	memcpy(bad, good, n);
	bad[1] = n - 1;		/* a SEQUENCE longer than its two INTEGERs */
	bad[n] = 0;
	EXPECT_EQ(-EBADMSG, ecdsa_der_decode(bad, n + 1, rs));
	memcpy(bad, good, n);
	bad[0] = 0x31;		/* SET, not SEQUENCE */
	EXPECT_EQ(-EBADMSG, ecdsa_der_decode(bad, n, rs));
	memcpy(bad, good, n);
	bad[2] = 0x03;		/* not an INTEGER */
	EXPECT_EQ(-EBADMSG, ecdsa_der_decode(bad, n, rs));
	/* 33 bytes without the leading zero: too big for P-256 */
	memcpy(bad, "\x30\x46\x02\x21\x01", 5);
	memset(bad + 5, 0x42, 32);
	memcpy(bad + 37, "\x02\x21\x00", 3);
	memset(bad + 40, 0x42, 32);
	EXPECT_EQ(-EBADMSG, ecdsa_der_decode(bad, 72, rs));
	bad[4] = 0x00;		/* with it: accepted */
	EXPECT_EQ(0, ecdsa_der_decode(bad, 72, rs));
	memcpy(bad, "\x30\x06\x02\x00\x02\x02\x01\x01", 8);	/* empty INTEGER */
	EXPECT_EQ(-EBADMSG, ecdsa_der_decode(bad, 8, rs));
}

TEST_HARNESS_MAIN
