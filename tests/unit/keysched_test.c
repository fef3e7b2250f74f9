// SPDX-License-Identifier: GPL-2.0
/*
 * The key schedule and transcript against RFC 8448: the simple 1-RTT
 * handshake (section 3) and the HelloRetryRequest one (section 5).  The
 * same file runs on the host (OpenSSL hashes) and, as
 * tests/kernel/keysched_test.c, in the VM over AF_ALG.  The handshakes
 * run through one hash context, as a session's do (hash.h: the AF_ALG
 * handles kept and reused), and that reuse is checked against one-shot
 * digests with alternating algorithms, keys and lengths.
 */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "keysched.h"
#include "transcript.h"
#include "rfc8448_vectors.h"

#define EXPECT_BYTES(want, got, n) EXPECT_EQ(0, memcmp(want, got, n))

static void add(struct __test_metadata *_metadata, struct transcript *tr,
		const uint8_t *m, size_t n)
{
	ASSERT_EQ(0, tr_add(tr, m, n));
}

/* The key and IV of a traffic secret (AES-128-GCM), against RFC 8448's. */
static void traffic_keys(struct __test_metadata *_metadata,
			 struct hash_ctx *hc, const uint8_t *secret,
			 const uint8_t *want_key, const uint8_t *want_iv)
{
	uint8_t key[16], iv[12];

	ASSERT_EQ(0, ks_traffic_key(hc, HASH_SHA256, secret, key, 16, iv));
	EXPECT_BYTES(want_key, key, 16);
	EXPECT_BYTES(want_iv, iv, 12);
}

TEST(rfc8448_simple_1rtt)
{
	struct hash_ctx hc = { 0 };
	struct transcript tr;
	struct keysched ks;
	uint8_t th[32], vd[32];

	tr_init(&tr);
	ASSERT_EQ(0, ks_early(&ks, &hc, HASH_SHA256));
	EXPECT_BYTES(rfc8448_early_secret, ks.stage, 32);

	add(_metadata, &tr, rfc8448_client_hello, RFC8448_CLIENT_HELLO_LEN);
	add(_metadata, &tr, rfc8448_server_hello, RFC8448_SERVER_HELLO_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	EXPECT_BYTES(rfc8448_th_ch_sh, th, 32);
	ASSERT_EQ(0, ks_handshake(&ks, &hc, rfc8448_ecdhe, 32, th));
	EXPECT_BYTES(rfc8448_handshake_secret, ks.stage, 32);
	EXPECT_BYTES(rfc8448_c_hs_traffic, ks.c_hs, 32);
	EXPECT_BYTES(rfc8448_s_hs_traffic, ks.s_hs, 32);

	traffic_keys(_metadata, &hc, ks.s_hs, rfc8448_s_hs_key, rfc8448_s_hs_iv);
	traffic_keys(_metadata, &hc, ks.c_hs, rfc8448_c_hs_key, rfc8448_c_hs_iv);

	add(_metadata, &tr, rfc8448_encrypted_extensions, RFC8448_ENCRYPTED_EXTENSIONS_LEN);
	add(_metadata, &tr, rfc8448_certificate, RFC8448_CERTIFICATE_LEN);
	add(_metadata, &tr, rfc8448_certificate_verify, RFC8448_CERTIFICATE_VERIFY_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	EXPECT_BYTES(rfc8448_th_ch_cv, th, 32);
	ASSERT_EQ(0, ks_finished(&hc, HASH_SHA256, ks.s_hs, th, vd));
	EXPECT_BYTES(rfc8448_s_finished_vd, vd, 32);
	/* The server Finished message carries exactly that verify_data. */
	EXPECT_BYTES(rfc8448_server_finished + 4, vd, 32);

	add(_metadata, &tr, rfc8448_server_finished, RFC8448_SERVER_FINISHED_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	EXPECT_BYTES(rfc8448_th_ch_sf, th, 32);
	ASSERT_EQ(0, ks_finished(&hc, HASH_SHA256, ks.c_hs, th, vd));
	EXPECT_BYTES(rfc8448_c_finished_vd, vd, 32);
	ASSERT_EQ(0, ks_master(&ks, &hc, th));
	EXPECT_BYTES(rfc8448_master_secret, ks.stage, 32);
	EXPECT_BYTES(rfc8448_c_ap_traffic, ks.c_ap, 32);
	EXPECT_BYTES(rfc8448_s_ap_traffic, ks.s_ap, 32);

	traffic_keys(_metadata, &hc, ks.s_ap, rfc8448_s_ap_key, rfc8448_s_ap_iv);
	traffic_keys(_metadata, &hc, ks.c_ap, rfc8448_c_ap_key, rfc8448_c_ap_iv);

	hash_ctx_free(&hc);
	ks_wipe(&ks);
	tr_wipe(&tr);
}

/*
 * Resumption, RFC 8448 sections 3 and 4: the resumption master secret of
 * the 1-RTT handshake (transcript up to the client's Finished), the PSK
 * of its ticket (nonce 00 00), and the early secret of the resumed
 * handshake, Extract(0, PSK).
 */
static const uint8_t rfc8448_res_master[32] = {
	0x7d, 0xf2, 0x35, 0xf2, 0x03, 0x1d, 0x2a, 0x05, 0x12, 0x87, 0xd0, 0x2b,
	0x02, 0x41, 0xb0, 0xbf, 0xda, 0xf8, 0x6c, 0xc8, 0x56, 0x23, 0x1f, 0x2d,
	0x5a, 0xba, 0x46, 0xc4, 0x34, 0xec, 0x19, 0x6c,
};

static const uint8_t rfc8448_ticket_psk[32] = {
	0x4e, 0xcd, 0x0e, 0xb6, 0xec, 0x3b, 0x4d, 0x87, 0xf5, 0xd6, 0x02, 0x8f,
	0x92, 0x2c, 0xa4, 0xc5, 0x85, 0x1a, 0x27, 0x7f, 0xd4, 0x13, 0x11, 0xc9,
	0xe6, 0x2d, 0x2c, 0x94, 0x92, 0xe1, 0xc4, 0xf3,
};

static const uint8_t rfc8448_resumed_early[32] = {
	0x9b, 0x21, 0x88, 0xe9, 0xb2, 0xfc, 0x6d, 0x64, 0xd7, 0x1d, 0xc3, 0x29,
	0x90, 0x0e, 0x20, 0xbb, 0x41, 0x91, 0x50, 0x00, 0xf6, 0x78, 0xaa, 0x83,
	0x9c, 0xbb, 0x79, 0x7c, 0xb7, 0xd8, 0x33, 0x2c,
};

TEST(rfc8448_resumption_secrets)
{
	static const uint8_t nonce[2] = { 0, 0 };
	struct hash_ctx hc = { 0 };
	struct transcript tr;
	struct keysched ks;
	uint8_t th[32], psk[32];

	tr_init(&tr);
	memset(&ks, 0, sizeof(ks));
	ks.hash = HASH_SHA256;
	memcpy(ks.stage, rfc8448_master_secret, 32);
	add(_metadata, &tr, rfc8448_client_hello, RFC8448_CLIENT_HELLO_LEN);
	add(_metadata, &tr, rfc8448_server_hello, RFC8448_SERVER_HELLO_LEN);
	add(_metadata, &tr, rfc8448_encrypted_extensions, RFC8448_ENCRYPTED_EXTENSIONS_LEN);
	add(_metadata, &tr, rfc8448_certificate, RFC8448_CERTIFICATE_LEN);
	add(_metadata, &tr, rfc8448_certificate_verify, RFC8448_CERTIFICATE_VERIFY_LEN);
	add(_metadata, &tr, rfc8448_server_finished, RFC8448_SERVER_FINISHED_LEN);
	add(_metadata, &tr, rfc8448_client_finished, RFC8448_CLIENT_FINISHED_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	ASSERT_EQ(0, ks_resumption(&ks, &hc, th));
	EXPECT_BYTES(rfc8448_res_master, ks.res, 32);
	ASSERT_EQ(0, ks_ticket_psk(&hc, HASH_SHA256, ks.res, nonce, 2, psk));
	EXPECT_BYTES(rfc8448_ticket_psk, psk, 32);
	ASSERT_EQ(0, ks_early_psk(&ks, &hc, HASH_SHA256, psk));
	EXPECT_BYTES(rfc8448_resumed_early, ks.stage, 32);
	hash_ctx_free(&hc);
	ks_wipe(&ks);
	tr_wipe(&tr);
}

TEST(rfc8448_derive_secret_steps)
{
	uint8_t empty[32], out[32], zero[32] = { 0 };

	/* No context: each call opens and closes its own handle. */
	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, "", 0, empty));
	ASSERT_EQ(0, ks_derive_secret(NULL, HASH_SHA256, rfc8448_early_secret,
				      "derived", empty, out));
	EXPECT_BYTES(rfc8448_derived_hs, out, 32);
	ASSERT_EQ(0, ks_derive_secret(NULL, HASH_SHA256,
				      rfc8448_handshake_secret, "derived",
				      empty, out));
	EXPECT_BYTES(rfc8448_derived_ms, out, 32);
	ASSERT_EQ(0, hash_hmac(NULL, HASH_SHA256, rfc8448_derived_ms, 32, zero,
			       32, out));
	EXPECT_BYTES(rfc8448_master_secret, out, 32);
}

TEST(rfc8448_hello_retry_request)
{
	struct hash_ctx hc = { 0 };
	struct transcript tr;
	struct keysched ks;
	uint8_t th[32];

	tr_init(&tr);
	add(_metadata, &tr, rfc8448_hrr_client_hello1, RFC8448_HRR_CLIENT_HELLO1_LEN);
	ASSERT_EQ(0, tr_hrr(&tr, &hc, HASH_SHA256));
	ASSERT_EQ(RFC8448_HRR_MESSAGE_HASH_LEN, tr.msgs.len);
	EXPECT_BYTES(rfc8448_hrr_message_hash, tr.msgs.base, tr.msgs.len);
	add(_metadata, &tr, rfc8448_hrr_hello_retry_request, RFC8448_HRR_HELLO_RETRY_REQUEST_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	EXPECT_BYTES(rfc8448_hrr_th_after_hrr, th, 32);
	add(_metadata, &tr, rfc8448_hrr_client_hello2, RFC8448_HRR_CLIENT_HELLO2_LEN);
	add(_metadata, &tr, rfc8448_hrr_server_hello, RFC8448_HRR_SERVER_HELLO_LEN);
	ASSERT_EQ(0, tr_hash(&tr, &hc, HASH_SHA256, th));
	EXPECT_BYTES(rfc8448_hrr_th_ch_sh, th, 32);

	ASSERT_EQ(0, ks_early(&ks, &hc, HASH_SHA256));
	ASSERT_EQ(0, ks_handshake(&ks, &hc, rfc8448_hrr_ecdhe, 32, th));
	EXPECT_BYTES(rfc8448_hrr_handshake_secret, ks.stage, 32);
	EXPECT_BYTES(rfc8448_hrr_c_hs_traffic, ks.c_hs, 32);
	EXPECT_BYTES(rfc8448_hrr_s_hs_traffic, ks.s_hs, 32);
	hash_ctx_free(&hc);
	ks_wipe(&ks);
	tr_wipe(&tr);
}

/* Outputs longer than one hash block chain T(1), T(2), ... (RFC 5869). */
TEST(expand_label_multi_block_prefix_consistent)
{
	uint8_t a[80], b[32];

	ASSERT_EQ(0, ks_expand_label(NULL, HASH_SHA256, rfc8448_early_secret,
				     "x", NULL, 0, a, sizeof(a)));
	ASSERT_EQ(0, ks_expand_label(NULL, HASH_SHA256, rfc8448_early_secret,
				     "x", NULL, 0, b, sizeof(b)));
	/* The length is part of the label, so the outputs differ entirely. */
	EXPECT_NE(0, memcmp(a, b, 32));
	EXPECT_EQ(-EINVAL, ks_expand_label(NULL, HASH_SHA256,
					   rfc8448_early_secret, "x", NULL, 0,
					   a, 255 * 32 + 1));
}

TEST(sha384_schedule_runs)
{
	struct hash_ctx hc = { 0 };
	struct keysched ks;
	uint8_t th[48] = { 1 }, ecdhe[32] = { 2 }, key[32], iv[12];
	uint8_t c_ap[48];

	ASSERT_EQ(0, ks_early(&ks, &hc, HASH_SHA384));
	ASSERT_EQ(0, ks_handshake(&ks, &hc, ecdhe, 32, th));
	ASSERT_EQ(0, ks_master(&ks, &hc, th));
	ASSERT_EQ(0, ks_traffic_key(&hc, HASH_SHA384, ks.c_ap, key, 32, iv));
	EXPECT_NE(0, memcmp(ks.c_ap, ks.s_ap, 48));
	memcpy(c_ap, ks.c_ap, sizeof(c_ap));
	/* The same schedule with no context: the same secrets. */
	ASSERT_EQ(0, ks_early(&ks, NULL, HASH_SHA384));
	ASSERT_EQ(0, ks_handshake(&ks, NULL, ecdhe, 32, th));
	ASSERT_EQ(0, ks_master(&ks, NULL, th));
	EXPECT_BYTES(c_ap, ks.c_ap, 48);
	hash_ctx_free(&hc);
	ks_wipe(&ks);
}

/*
 * One context for everything, as a session has: digests and HMACs of
 * both algorithms interleaved, a new HMAC key at each call, the empty
 * message, a growing buffer hashed whole at each step (the transcript's
 * snapshots) up past 32 KiB (where libkcapi switches from send() to
 * vmsplice()), each equal to the same call without a context.
 */
TEST(one_context_matches_one_shot)
{
	static const size_t lens[] = { 0, 1, 55, 64, 4096, 32767, 32768,
				       70000 };
	static const size_t klens[] = { 1, 32, 48, 136 };
	struct hash_ctx hc = { 0 };
	uint8_t got[HASH_MAX], want[HASH_MAX], key[136 + 8];
	enum hash_alg h;
	size_t i, k, n, kl;
	uint8_t *buf;

	buf = malloc(70000);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 70000; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i ^ 0x5c);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (k = 0; k < 2 * HASH_ALGS; k++) {
			h = k % HASH_ALGS;
			n = hash_len(h);
			ASSERT_EQ(0, hash_digest(&hc, h, buf, lens[i], got));
			ASSERT_EQ(0, hash_digest(NULL, h, buf, lens[i], want));
			EXPECT_BYTES(want, got, n);
			/* keys of 1 byte, a hash, over one block long */
			kl = klens[(i + k) % 4];
			ASSERT_EQ(0, hash_hmac(&hc, h, key + i, kl, buf, lens[i],
					       got));
			ASSERT_EQ(0, hash_hmac(NULL, h, key + i, kl, buf,
					       lens[i], want));
			EXPECT_BYTES(want, got, n);
		}
	}
	/* Emptied, then used again: handles come back. */
	hash_ctx_free(&hc);
	EXPECT_EQ(NULL, hc.md[HASH_SHA256]);
	ASSERT_EQ(0, hash_digest(&hc, HASH_SHA256, "abc", 3, got));
	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, "abc", 3, want));
	EXPECT_BYTES(want, got, 32);
	hash_ctx_free(&hc);
	free(buf);
}

/*
 * HKDF-Expand alone in OpenSSL, an implementation that shares nothing
 * with ks_expand_label(): out = Expand(secret, info, n).
 */
static int ossl_expand(enum hash_alg h, const uint8_t *secret,
		       const uint8_t *info, size_t ilen, uint8_t *out)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
			h == HASH_SHA384 ? "SHA384" : "SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
			(void *)secret, hash_len(h)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			(void *)info, ilen),
		OSSL_PARAM_construct_end(),
	};
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int ok = c && EVP_KDF_derive(c, out, hash_len(h), p) == 1;

	EVP_KDF_CTX_free(c);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

/*
 * KeyUpdate (RFC 8446 section 7.2): application_traffic_secret_N+1 =
 * HKDF-Expand-Label(N, "traffic upd", "", Hash.length), three steps from
 * RFC 8448's server secret, each checked against OpenSSL's HKDF-Expand
 * with the HkdfLabel written out by hand; then the keys of the new
 * secret are not those of the old one.
 */
TEST(traffic_update_is_expand_label)
{
	static const char label[] = "tls13 traffic upd";
	struct hash_ctx hc = { 0 };
	uint8_t sec[HASH_MAX], want[HASH_MAX], info[64], key[16], iv[12];
	uint8_t key0[16], iv0[12];
	enum hash_alg h;
	size_t n, il;
	int i;

	for (h = HASH_SHA256; h < HASH_ALGS; h++) {
		n = hash_len(h);
		memset(sec, 0, sizeof(sec));
		memcpy(sec, rfc8448_s_ap_traffic, 32);
		if (h == HASH_SHA384)
			memcpy(sec + 32, rfc8448_c_ap_traffic, 16);
		il = 0;
		info[il++] = 0;
		info[il++] = (uint8_t)n;
		info[il++] = sizeof(label) - 1;
		memcpy(info + il, label, sizeof(label) - 1);
		il += sizeof(label) - 1;
		info[il++] = 0;		/* empty context */
		ASSERT_EQ(0, ks_traffic_key(&hc, h, sec, key0, 16, iv0));
		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, ossl_expand(h, sec, info, il, want));
			ASSERT_EQ(0, ks_update_secret(&hc, h, sec));
			EXPECT_BYTES(want, sec, n);
		}
		ASSERT_EQ(0, ks_traffic_key(&hc, h, sec, key, 16, iv));
		EXPECT_NE(0, memcmp(key0, key, 16));
		EXPECT_NE(0, memcmp(iv0, iv, 12));
	}
	hash_ctx_free(&hc);
}

/* After the handshake only the application secrets are left. */
TEST(wipe_handshake_keeps_application_secrets)
{
	static const uint8_t zero[HASH_MAX];
	struct keysched ks;

	memset(&ks, 0xa5, sizeof(ks));
	ks.hash = HASH_SHA256;
	ks_wipe_handshake(&ks);
	EXPECT_BYTES(zero, ks.stage, HASH_MAX);
	EXPECT_BYTES(zero, ks.c_hs, HASH_MAX);
	EXPECT_BYTES(zero, ks.s_hs, HASH_MAX);
	EXPECT_EQ(0xa5, ks.c_ap[0]);
	EXPECT_EQ(0xa5, ks.s_ap[HASH_MAX - 1]);
	ks_wipe(&ks);
	EXPECT_BYTES(zero, ks.s_ap, HASH_MAX);
}

TEST_HARNESS_MAIN
