// SPDX-License-Identifier: GPL-2.0
/*
 * The backend choice (hash.c) and the userspace backend (hash_ossl.c,
 * record_ossl.c) on the host, where tests/unit/kcapi_off.c plays a kernel
 * without AF_ALG: AUTO is libcrypto and never asks the kernel, KERNEL
 * gives the kernel's error, USER never asks the kernel.  The digests are
 * checked against RFC 8448's and FIPS 180-2's values, the records by
 * round trip, tampering and sequence numbers (the VM's record_test
 * compares them byte for byte with AF_ALG and kTLS).
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "iotsec.h"
#include "internal.h"
#include "hash.h"
#include "keysched.h"
#include "record.h"
#include "transcript.h"
#include "rfc8448_vectors.h"

/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
static const uint8_t sha256_abc[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
	0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* AUTO is libcrypto for every kind, never asking the kernel. */
TEST(auto_is_libcrypto)
{
	struct hash_ctx hc = { 0 };
	uint8_t out[HASH_MAX], zero[32] = { 0 };

	EXPECT_EQ(IOTSEC_CRYPTO_USER, hash_pick(&hc, HASH_KIND_MD));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hash_pick(&hc, HASH_KIND_HMAC));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hash_pick(&hc, HASH_KIND_AEAD));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hash_pick(NULL, HASH_KIND_MD));
	ASSERT_EQ(0, hash_digest(&hc, HASH_SHA256, "abc", 3, out));
	EXPECT_EQ(0, memcmp(sha256_abc, out, 32));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hc.used);
	/* RFC 8448: early secret = HMAC-SHA256(0^32, 0^32) */
	ASSERT_EQ(0, hash_hmac(&hc, HASH_SHA256, zero, 32, zero, 32, out));
	EXPECT_EQ(0, memcmp(rfc8448_early_secret, out, 32));
	hash_ctx_free(&hc);
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hc.used);
}

TEST(kernel_forced_gives_the_kernels_error)
{
	struct hash_ctx hc = { .want = IOTSEC_CRYPTO_KERNEL };
	const struct suite *s = suite_find(TLS_AES_128_GCM_SHA256);
	uint8_t out[HASH_MAX], key[16] = { 0 }, iv[12] = { 0 };
	struct rec_prot rp;

	EXPECT_EQ(-EAFNOSUPPORT, hash_digest(&hc, HASH_SHA256, "abc", 3, out));
	EXPECT_EQ(-EAFNOSUPPORT, hash_hmac(&hc, HASH_SHA256, key, 16, "", 0,
					   out));
	EXPECT_EQ(-EAFNOSUPPORT, rec_prot_init(&rp, &hc, s, key, iv));
	EXPECT_EQ(0, hc.used);
}

TEST(user_forced_never_asks_the_kernel)
{
	struct hash_ctx hc = { .want = IOTSEC_CRYPTO_USER };
	uint8_t out[HASH_MAX];

	ASSERT_EQ(0, hash_digest(&hc, HASH_SHA256, "abc", 3, out));
	EXPECT_EQ(0, memcmp(sha256_abc, out, 32));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hc.used);
}

/* The key schedule's Hash("") constants are the digests of "". */
TEST(empty_hash_constants)
{
	uint8_t out[HASH_MAX];
	int h;

	for (h = 0; h < HASH_ALGS; h++) {
		ASSERT_EQ(0, hash_digest(NULL, h, "", 0, out));
		EXPECT_EQ(0, memcmp(out, ks_empty_hash(h), hash_len(h)));
	}
}

/*
 * The userspace transcript runs a digest per algorithm and feeds it only
 * what is new: every snapshot, alternating SHA-256 and SHA-384, equals the
 * whole bytes hashed at once; after tr_hrr() it starts again.
 */
TEST(running_transcript_equals_whole)
{
	struct hash_ctx hc = { .want = IOTSEC_CRYPTO_USER };
	uint8_t msg[700], got[HASH_MAX], want[HASH_MAX];
	struct transcript tr;
	int i, h;

	for (i = 0; i < 700; i++)
		msg[i] = (uint8_t)(i * 13);
	tr_init(&tr);
	for (i = 0; i < 12; i++) {
		ASSERT_EQ(0, tr_add(&tr, msg, 1 + i * 55));
		h = i % 3 ? HASH_SHA256 : HASH_SHA384;
		ASSERT_EQ(0, tr_hash(&tr, &hc, h, got));
		ASSERT_EQ(0, hash_digest(NULL, h, tr.msgs.base, tr.msgs.len,
					 want));
		EXPECT_EQ(0, memcmp(want, got, hash_len(h)));
		EXPECT_EQ(tr.msgs.len, tr.run_len[h]);
	}
	ASSERT_EQ(0, tr_hrr(&tr, &hc, HASH_SHA256));
	EXPECT_EQ(NULL, tr.run[HASH_SHA256]);
	ASSERT_EQ(0, tr_add(&tr, msg, 100));
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, got));
	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, tr.msgs.base, tr.msgs.len,
				 want));
	EXPECT_EQ(0, memcmp(want, got, 32));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, hc.used);
	tr_wipe(&tr);
}

TEST(config_set_crypto)
{
	struct iotsec_config *cfg;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	EXPECT_EQ(0, iotsec_config_set_crypto(cfg, IOTSEC_CRYPTO_USER));
	EXPECT_EQ(0, iotsec_config_set_crypto(cfg, IOTSEC_CRYPTO_KERNEL));
	EXPECT_EQ(0, iotsec_config_set_crypto(cfg, IOTSEC_CRYPTO_AUTO));
	EXPECT_EQ(-EINVAL, iotsec_config_set_crypto(cfg, 3));
	iotsec_config_free(cfg);
	EXPECT_NE(NULL, strstr(iotsec_strerror(IOTSEC_LIB_ERR(IOTSEC_E_NO_AF_ALG)),
			       "AF_ALG"));
}

static const uint16_t suites[] = { TLS_AES_128_GCM_SHA256,
	TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 };

/*
 * Each suite, AUTO (libcrypto): records of 0, 1 and 16384
 * bytes sealed and opened, in sequence; a flipped bit anywhere (header,
 * text, tag) is bad_record_mac; a replay is too (the sequence moved).
 */
TEST(records_round_trip_per_suite)
{
	static uint8_t data[TLS_MAX_PLAINTEXT];
	size_t lens[] = { 0, 1, TLS_MAX_PLAINTEXT };
	uint8_t key[32], iv[12], type;
	struct rec_prot tx, rx, bad;
	struct wbuf w, out;
	size_t i, j, k;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	for (i = 0; i < 32; i++)
		key[i] = 0xa0 + i;
	for (i = 0; i < 12; i++)
		iv[i] = 0x10 * i + 3;
	for (k = 0; k < 3; k++) {
		const struct suite *s = suite_find(suites[k]);
		struct hash_ctx hc = { 0 };

		ASSERT_EQ(0, rec_prot_init(&tx, &hc, s, key, iv));
		ASSERT_EQ(0, rec_prot_init(&rx, &hc, s, key, iv));
		EXPECT_EQ(IOTSEC_CRYPTO_USER, tx.be);
		EXPECT_EQ(IOTSEC_CRYPTO_USER, hc.used);
		for (j = 0; j < 3; j++) {
			wbuf_init(&w, 0);
			wbuf_init(&out, 0);
			ASSERT_EQ(0, rec_seal(&tx, TLS_CT_HANDSHAKE, data,
					      lens[j], &w));
			ASSERT_EQ(TLS_RECORD_HDR + lens[j] + 1 + TLS_TAG_SIZE,
				  w.len);
			EXPECT_EQ(TLS_CT_APPLICATION_DATA, w.base[0]);
			ASSERT_EQ(0, rec_open(&rx, w.base, w.base + 5,
					      w.len - 5, &type, &out));
			EXPECT_EQ(TLS_CT_HANDSHAKE, type);
			ASSERT_EQ(lens[j], out.len);
			if (lens[j]) {
				EXPECT_EQ(0, memcmp(data, out.base, lens[j]));
			}
			/* replayed: the receiver's sequence is past it */
			EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
				  rec_open(&rx, w.base, w.base + 5, w.len - 5,
					   &type, &out));
			rx.seq--;
			/* a bit flipped in header, first byte, tag */
			for (i = 0; i < 3; i++) {
				size_t at = i == 0 ? 4 : i == 1 ? 5 : w.len - 1;
				struct wbuf o2;

				wbuf_init(&o2, 0);
				/* header: the version byte (the length stays) */
				if (at == 4)
					at = 2;
				w.base[at] ^= 1;
				EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
					  rec_open(&rx, w.base, w.base + 5,
						   w.len - 5, &type, &o2));
				w.base[at] ^= 1;
				wbuf_wipe(&o2);
			}
			rx.seq++;
			wbuf_wipe(&w);
			wbuf_wipe(&out);
		}
		/* a different key does not open it */
		key[0] ^= 1;
		ASSERT_EQ(0, rec_prot_init(&bad, &hc, s, key, iv));
		key[0] ^= 1;
		wbuf_init(&w, 0);
		wbuf_init(&out, 0);
		ASSERT_EQ(0, rec_seal(&tx, TLS_CT_ALERT, data, 2, &w));
		EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
			  rec_open(&bad, w.base, w.base + 5, w.len - 5, &type,
				   &out));
		bad.seq = rx.seq;
		EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
			  rec_open(&bad, w.base, w.base + 5, w.len - 5, &type,
				   &out));
		EXPECT_EQ(0, rec_open(&rx, w.base, w.base + 5, w.len - 5,
				      &type, &out));
		EXPECT_EQ(TLS_CT_ALERT, type);
		wbuf_wipe(&w);
		wbuf_wipe(&out);
		rec_prot_wipe(&bad);
		rec_prot_wipe(&tx);
		rec_prot_wipe(&rx);
	}
}

TEST_HARNESS_MAIN
