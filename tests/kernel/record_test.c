// SPDX-License-Identifier: GPL-2.0
/*
 * libiotsec's handshake record protection (AF_ALG) against the kernel's
 * own TLS 1.3 implementation (kTLS), in both directions and for each
 * suite: a record we seal is opened by kTLS RX, a record kTLS TX sends is
 * opened by us.  Any disagreement in nonce, header, padding or content
 * type shows as a failed decryption.  Every test runs on both backends
 * (AF_ALG and libcrypto, forced), and the two must produce the same bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "codec.h"
#include "iotsec.h"
#include "internal.h"
#include "ktls.h"
#include "record.h"

FIXTURE(rec)
{
	int cfd, sfd;
	const struct suite *s;
	struct hash_ctx hc;
	uint8_t key[32], iv[12];
};

FIXTURE_VARIANT(rec)
{
	uint16_t suite;
	unsigned int crypto;
};

FIXTURE_VARIANT_ADD(rec, aes128gcm_kernel) {
	.suite = TLS_AES_128_GCM_SHA256, .crypto = IOTSEC_CRYPTO_KERNEL };
FIXTURE_VARIANT_ADD(rec, aes256gcm_kernel) {
	.suite = TLS_AES_256_GCM_SHA384, .crypto = IOTSEC_CRYPTO_KERNEL };
FIXTURE_VARIANT_ADD(rec, chacha20poly1305_kernel) {
	.suite = TLS_CHACHA20_POLY1305_SHA256, .crypto = IOTSEC_CRYPTO_KERNEL };
FIXTURE_VARIANT_ADD(rec, aes128gcm_user) {
	.suite = TLS_AES_128_GCM_SHA256, .crypto = IOTSEC_CRYPTO_USER };
FIXTURE_VARIANT_ADD(rec, aes256gcm_user) {
	.suite = TLS_AES_256_GCM_SHA384, .crypto = IOTSEC_CRYPTO_USER };
FIXTURE_VARIANT_ADD(rec, chacha20poly1305_user) {
	.suite = TLS_CHACHA20_POLY1305_SHA256, .crypto = IOTSEC_CRYPTO_USER };

FIXTURE_SETUP(rec)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd, i;

	self->s = suite_find(variant->suite);
	ASSERT_NE(NULL, self->s);
	memset(&self->hc, 0, sizeof(self->hc));
	self->hc.want = variant->crypto;
	for (i = 0; i < 32; i++)
		self->key[i] = 0xa0 + i;
	for (i = 0; i < 12; i++)
		self->iv[i] = 0x10 * i + 3;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sa, &len));
	self->cfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(self->cfd, (struct sockaddr *)&sa, sizeof(sa)));
	self->sfd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, self->sfd);
	close(lfd);
}

FIXTURE_TEARDOWN(rec)
{
	close(self->cfd);
	close(self->sfd);
}

static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return n < 0 ? -errno : (ssize_t)got;
		got += n;
	}
	return got;
}

/* Reads one raw record from fd and opens it with our record layer. */
static int open_one(int fd, struct rec_prot *rp, uint8_t *type,
		    struct wbuf *out)
{
	uint8_t hdr[5], body[TLS_MAX_CIPHERTEXT];
	size_t len;

	if (read_full(fd, hdr, 5) != 5)
		return -EIO;
	len = hdr[3] << 8 | hdr[4];
	if (len > sizeof(body) || read_full(fd, body, len) != (ssize_t)len)
		return -EIO;
	return rec_open(rp, hdr, body, len, type, out);
}

TEST_F(rec, sealed_by_us_opened_by_ktls)
{
	static const char *msgs[] = { "first record", "second", "third and last" };
	struct rec_prot tx;
	struct wbuf w;
	char buf[64];
	int i;

	ASSERT_EQ(0, rec_prot_init(&tx, &self->hc, self->s, self->key, self->iv));
	ASSERT_EQ(0, ktls_attach(self->sfd));
	ASSERT_EQ(0, ktls_install(self->sfd, KTLS_RX, self->s, self->key, self->iv));
	wbuf_init(&w, 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rec_seal(&tx, TLS_CT_APPLICATION_DATA,
				      (const uint8_t *)msgs[i], strlen(msgs[i]), &w));
	ASSERT_EQ((ssize_t)w.len, write(self->cfd, w.base, w.len));
	for (i = 0; i < 3; i++) {
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ((ssize_t)strlen(msgs[i]), read(self->sfd, buf, strlen(msgs[i])));
		EXPECT_STREQ(msgs[i], buf);
	}
	wbuf_wipe(&w);
	rec_prot_wipe(&tx);
}

TEST_F(rec, sent_by_ktls_opened_by_us)
{
	struct rec_prot rx;
	struct wbuf out;
	uint8_t type = 0;
	int i;

	ASSERT_EQ(0, ktls_attach(self->cfd));
	ASSERT_EQ(0, ktls_install(self->cfd, KTLS_TX, self->s, self->key, self->iv));
	ASSERT_EQ(0, rec_prot_init(&rx, &self->hc, self->s, self->key, self->iv));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(5, write(self->cfd, "hello", 5));
		wbuf_init(&out, 0);
		ASSERT_EQ(0, open_one(self->sfd, &rx, &type, &out));
		EXPECT_EQ(TLS_CT_APPLICATION_DATA, type);
		ASSERT_EQ(5, out.len);
		EXPECT_EQ(0, memcmp(out.base, "hello", 5));
		wbuf_wipe(&out);
	}
	EXPECT_EQ(3, rx.seq);
	rec_prot_wipe(&rx);
}

/* An alert sent through kTLS's record-type cmsg arrives as type 21. */
TEST_F(rec, ktls_alert_record_type)
{
	static const uint8_t alert[2] = { 2, IOTSEC_ALERT_DECRYPT_ERROR };
	struct rec_prot rx;
	struct wbuf out;
	uint8_t type = 0;

	ASSERT_EQ(0, ktls_attach(self->cfd));
	ASSERT_EQ(0, ktls_install(self->cfd, KTLS_TX, self->s, self->key, self->iv));
	ASSERT_EQ(2, ktls_send_record(self->cfd, TLS_CT_ALERT, alert, 2));
	ASSERT_EQ(0, rec_prot_init(&rx, &self->hc, self->s, self->key, self->iv));
	wbuf_init(&out, 0);
	ASSERT_EQ(0, open_one(self->sfd, &rx, &type, &out));
	EXPECT_EQ(TLS_CT_ALERT, type);
	ASSERT_EQ(2, out.len);
	EXPECT_EQ(0, memcmp(out.base, alert, 2));
	wbuf_wipe(&out);
	rec_prot_wipe(&rx);
}

/* A handshake record we seal reaches a kTLS reader with its type. */
TEST_F(rec, handshake_record_type_through_ktls_rx)
{
	static const uint8_t ku[5] = { 24, 0, 0, 1, 0 };	/* KeyUpdate */
	struct rec_prot tx;
	struct wbuf w;
	uint8_t type = 0, buf[16];
	char c;

	ASSERT_EQ(0, rec_prot_init(&tx, &self->hc, self->s, self->key, self->iv));
	ASSERT_EQ(0, ktls_attach(self->sfd));
	ASSERT_EQ(0, ktls_install(self->sfd, KTLS_RX, self->s, self->key, self->iv));
	wbuf_init(&w, 0);
	ASSERT_EQ(0, rec_seal(&tx, TLS_CT_HANDSHAKE, ku, sizeof(ku), &w));
	ASSERT_EQ((ssize_t)w.len, write(self->cfd, w.base, w.len));
	/* A plain read of a non-data record fails: the cmsg is the way. */
	EXPECT_EQ(-1, read(self->sfd, &c, 1));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(5, ktls_recv_record(self->sfd, &type, buf, sizeof(buf), 0));
	EXPECT_EQ(TLS_CT_HANDSHAKE, type);
	EXPECT_EQ(0, memcmp(buf, ku, 5));
	wbuf_wipe(&w);
	rec_prot_wipe(&tx);
}

TEST_F(rec, tampered_record_is_bad_record_mac)
{
	struct rec_prot tx, rx;
	struct wbuf w, out;
	uint8_t type;
	size_t i;

	ASSERT_EQ(0, rec_prot_init(&tx, &self->hc, self->s, self->key, self->iv));
	wbuf_init(&w, 0);
	ASSERT_EQ(0, rec_seal(&tx, TLS_CT_HANDSHAKE, (const uint8_t *)"abcdef", 6, &w));
	for (i = 0; i < w.len; i++) {
		ASSERT_EQ(0, rec_prot_init(&rx, &self->hc, self->s, self->key, self->iv));
		wbuf_init(&out, 0);
		w.base[i] ^= 0x01;
		EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
			  rec_open(&rx, w.base, w.base + 5, w.len - 5, &type, &out))
			TH_LOG("flip at byte %zu", i);
		w.base[i] ^= 0x01;
		EXPECT_EQ(0, out.len);
		wbuf_wipe(&out);
		rec_prot_wipe(&rx);
	}
	ASSERT_EQ(0, rec_prot_init(&rx, &self->hc, self->s, self->key, self->iv));
	wbuf_init(&out, 0);
	EXPECT_EQ(0, rec_open(&rx, w.base, w.base + 5, w.len - 5, &type, &out));
	EXPECT_EQ(TLS_CT_HANDSHAKE, type);
	wbuf_wipe(&out);
	rec_prot_wipe(&rx);
	wbuf_wipe(&w);
	rec_prot_wipe(&tx);
}

/* The same record opened with the wrong sequence number must fail. */
TEST_F(rec, replayed_record_fails)
{
	struct rec_prot tx, rx;
	struct wbuf w, out;
	uint8_t type;

	ASSERT_EQ(0, rec_prot_init(&tx, &self->hc, self->s, self->key, self->iv));
	ASSERT_EQ(0, rec_prot_init(&rx, &self->hc, self->s, self->key, self->iv));
	wbuf_init(&w, 0);
	wbuf_init(&out, 0);
	ASSERT_EQ(0, rec_seal(&tx, TLS_CT_HANDSHAKE, (const uint8_t *)"x", 1, &w));
	ASSERT_EQ(0, rec_open(&rx, w.base, w.base + 5, w.len - 5, &type, &out));
	EXPECT_EQ(IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_RECORD_MAC),
		  rec_open(&rx, w.base, w.base + 5, w.len - 5, &type, &out));
	wbuf_wipe(&w);
	wbuf_wipe(&out);
	rec_prot_wipe(&tx);
	rec_prot_wipe(&rx);
}

/* The backend asked for is the one that ran, and only that one. */
TEST_F(rec, forced_backend_runs)
{
	struct rec_prot tx;

	ASSERT_EQ(0, rec_prot_init(&tx, &self->hc, self->s, self->key, self->iv));
	EXPECT_EQ(variant->crypto, tx.be);
	EXPECT_EQ(variant->crypto, self->hc.used);
	if (variant->crypto == IOTSEC_CRYPTO_KERNEL) {
		EXPECT_NE(NULL, tx.aead);
	} else {
		EXPECT_NE(NULL, tx.evp);
	}
	rec_prot_wipe(&tx);
}

/*
 * The same records, byte for byte, from both backends (sequence 0..2,
 * lengths 0..300), and each opens what the other sealed.
 */
TEST_F(rec, both_backends_same_bytes)
{
	struct hash_ctx kh = { .want = IOTSEC_CRYPTO_KERNEL };
	struct hash_ctx uh = { .want = IOTSEC_CRYPTO_USER };
	struct rec_prot kt, ut, kr, ur;
	struct wbuf kw, uw, out;
	uint8_t data[300], type;
	size_t lens[] = { 0, 1, 300 };
	int i;

	for (i = 0; i < 300; i++)
		data[i] = i * 7;
	ASSERT_EQ(0, rec_prot_init(&kt, &kh, self->s, self->key, self->iv));
	ASSERT_EQ(0, rec_prot_init(&ut, &uh, self->s, self->key, self->iv));
	ASSERT_EQ(0, rec_prot_init(&kr, &kh, self->s, self->key, self->iv));
	ASSERT_EQ(0, rec_prot_init(&ur, &uh, self->s, self->key, self->iv));
	ASSERT_EQ(IOTSEC_CRYPTO_KERNEL, kt.be);
	ASSERT_EQ(IOTSEC_CRYPTO_USER, ut.be);
	for (i = 0; i < 3; i++) {
		wbuf_init(&kw, 0);
		wbuf_init(&uw, 0);
		ASSERT_EQ(0, rec_seal(&kt, TLS_CT_HANDSHAKE, data, lens[i], &kw));
		ASSERT_EQ(0, rec_seal(&ut, TLS_CT_HANDSHAKE, data, lens[i], &uw));
		ASSERT_EQ(kw.len, uw.len);
		EXPECT_EQ(0, memcmp(kw.base, uw.base, kw.len));
		/* kernel-sealed opened in userspace, and the other way */
		wbuf_init(&out, 0);
		ASSERT_EQ(0, rec_open(&ur, kw.base, kw.base + 5, kw.len - 5,
				      &type, &out));
		EXPECT_EQ(TLS_CT_HANDSHAKE, type);
		ASSERT_EQ(lens[i], out.len);
		EXPECT_EQ(0, memcmp(data, out.base, lens[i]));
		wbuf_wipe(&out);
		wbuf_init(&out, 0);
		ASSERT_EQ(0, rec_open(&kr, uw.base, uw.base + 5, uw.len - 5,
				      &type, &out));
		ASSERT_EQ(lens[i], out.len);
		EXPECT_EQ(0, memcmp(data, out.base, lens[i]));
		wbuf_wipe(&out);
		wbuf_wipe(&kw);
		wbuf_wipe(&uw);
	}
	rec_prot_wipe(&kt);
	rec_prot_wipe(&ut);
	rec_prot_wipe(&kr);
	rec_prot_wipe(&ur);
}

TEST_HARNESS_MAIN
