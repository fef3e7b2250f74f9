// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake message codec: RFC 8448's real messages decode (and the
 * HelloRetryRequest transcript they make hashes to the published value),
 * every message goes through put -> get unchanged, and each malformation
 * draws its alert.
 *
 * Messages are written as templates: hex bytes (spaces ignored) and
 * blocks <...> (...) [...] whose 1-, 2- or 3-byte length the builder
 * fills in; "<+" "(-" and so on write that length one too long or short.
 * Every decode runs on a copy of exactly the message's size, so ASan sees
 * any read past its end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "iotsec.h"
#include "internal.h"
#include "msg.h"
#include "kselftest_harness.h"

#define DECODE		IOTSEC_ALERT_ERR(IOTSEC_ALERT_DECODE_ERROR)
#define ILLEGAL		IOTSEC_ALERT_ERR(IOTSEC_ALERT_ILLEGAL_PARAMETER)
#define UNSUPPORTED	IOTSEC_ALERT_ERR(IOTSEC_ALERT_UNSUPPORTED_EXTENSION)
#define MISSING		IOTSEC_ALERT_ERR(IOTSEC_ALERT_MISSING_EXTENSION)
#define VERSION		IOTSEC_ALERT_ERR(IOTSEC_ALERT_PROTOCOL_VERSION)
#define BAD_CERT	IOTSEC_ALERT_ERR(IOTSEC_ALERT_BAD_CERTIFICATE)
#define FAILURE		IOTSEC_ALERT_ERR(IOTSEC_ALERT_HANDSHAKE_FAILURE)

#define BIT(t)		MSG_EXT_BIT(MSG_EXT_##t)

/* What our client sends with a server_name: server messages face it. */
#define OFFERED		(BIT(SERVER_NAME) | BIT(SUPPORTED_VERSIONS) | \
			 BIT(SUPPORTED_GROUPS) | BIT(SIGNATURE_ALGORITHMS) | \
			 BIT(SIGNATURE_ALGORITHMS_CERT) | BIT(KEY_SHARE))

/* RFC 8448 section 3 (simple 1-RTT) and section 5 (HelloRetryRequest). */
static const char rfc_ch[] =
	"010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef"
	"6283024dece7000006130113031302010000910000000b000900000673657276"
	"6572ff01000100000a00140012001d0017001800190100010101020103010400"
	"230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e"
	"51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603"
	"020308040805080604010501060102010402050206020202002d00020101001c"
	"00024001";

static const char rfc_sh[] =
	"020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155"
	"772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb"
	"f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

static const char rfc_ee[] =
	"080000240022000a00140012001d00170018001901000101010201030104001c"
	"0002400100000000";

static const char rfc_cert[] =
	"0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a"
	"864886f70d01010b0500300e310c300a06035504031303727361301e170d3136"
	"303733303031323335395a170d3236303733303031323335395a300e310c300a"
	"0603550403130372736130819f300d06092a864886f70d010101050003818d00"
	"30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826"
	"d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
	"0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480"
	"30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a"
	"8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
	"1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5"
	"b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
	"8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
	"702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0"
	"a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000";

static const char rfc_ch1[] =
	"010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92"
	"58a346677b6f000006130113031302010000810000000b000900000673657276"
	"6572ff01000100000a00080006001d00170018003300260024001d0020e8e8e3"
	"f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b00"
	"03020304000d0020001e04030503060302030804080508060401050106010201"
	"0402050206020202002d00020101001c00024001";

static const char rfc_hrr[] =
	"020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e"
	"09e2c8a8339c001301000084003300020017002c0074007271dcd04bb88bc318"
	"9119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256"
	"36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d"
	"6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0c"
	"af571fb2b7cff0f934b0002b00020304";

static const char rfc_ch2[] =
	"010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee92"
	"58a346677b6f000006130113031302010001cd0000000b000900000673657276"
	"6572ff01000100000a00080006001d001700180033004700450017004104a6da"
	"7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f01518126"
	"77c4d6d2237e85cf01d6910cfb83954e76ba7352830534159897e8065780002b"
	"0003020304000d0020001e040305030603020308040805080604010501060102"
	"010402050206020202002c0074007271dcd04bb88bc3189119398a00000000ee"
	"fafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc65"
	"4b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b"
	"0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934"
	"b0002d00020101001c00024001001500af000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000";

static const char rfc_sh2[] =
	"020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c5"
	"98d3ff571b9800130100004f003300450017004104583e054b7a66672ae020ad"
	"9d2686fcc85b5ad41a134a0f03ee72b893052bd85b4c8de6776f5b04ac07d835"
	"40eab3e3d9c547bc6528c4317d294686093a6cad7d002b00020304";

/* SHA-256 over message_hash(ClientHello1), HRR, ClientHello2, ServerHello. */
static const uint8_t rfc_hrr_transcript[32] = {
	0x8a, 0xa8, 0xe8, 0x28, 0xec, 0x2f, 0x8a, 0x88,
	0x4f, 0xec, 0x95, 0xa3, 0x13, 0x9d, 0xe0, 0x1c,
	0x15, 0xa3, 0xda, 0xa7, 0xff, 0x5b, 0xfc, 0x3f,
	0x4b, 0xfc, 0xc2, 0x1b, 0x43, 0x8d, 0x7b, 0xf8,
};

/* Template pieces: a random, a secp256r1 point, hellos and extensions. */
#define R24	"000102030405060708090a0b0c0d0e0f1011121314151617"
#define R32	R24 "18191a1b1c1d1e1f"
#define HRR_R	"cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
#define PT	"04 4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60" \
		"6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80"

#define X_SNI		"0000((00(736572766572)))"
#define X_SV		"002b(<0304>)"
#define X_GROUPS	"000a((0017))"
#define X_SIGS		"000d((0403))"
#define X_SIGS_CERT	"0032((0403))"
#define X_SHARE		"0033((0017(" PT ")))"
#define X_BASE		X_SV X_GROUPS X_SIGS X_SHARE

#define CH_HEAD		"0303" R32 "<> (1301 1302 1303) <00>"
#define CH(exts)	CH_HEAD "(" exts ")"
#define SX_SHARE	"0033(0017(" PT "))"
#define SX_SV		"002b(0304)"
#define SH(exts)	"0303" R32 "<> 1301 00 (" exts ")"
#define HRR(exts)	"0303" HRR_R "<> 1301 00 (" exts ")"

struct blob {
	uint8_t *p;
	size_t n;
};

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	abort();	/* a typo in a template */
}

static void close_block(struct wbuf *w, size_t mark, int width, int adj)
{
	size_t len = w->len - mark + adj;
	int i;

	for (i = 1; i <= width && !w->err; i++, len >>= 8)
		w->base[mark - i] = len & 0xff;
}

static void build(struct wbuf *w, const char *t)
{
	static const char opens[] = "<([", closes[] = ">)]";
	int width[8], adj[8], depth = 0;
	size_t mark[8];
	const char *o;

	for (; *t; t++) {
		o = strchr(opens, *t);
		if (*t == ' ') {
			continue;
		} else if (o) {
			width[depth] = o - opens + 1;
			adj[depth] = t[1] == '+' ? 1 : t[1] == '-' ? -1 : 0;
			t += !!adj[depth];
			mark[depth] = wbuf_open(w, width[depth]);
			if (++depth == 8)
				abort();
		} else if (strchr(closes, *t)) {
			depth--;
			close_block(w, mark[depth], width[depth], adj[depth]);
		} else {
			wbuf_put8(w, nibble(t[0]) << 4 | nibble(t[1]));
			t++;
		}
	}
	if (depth || w->err)
		abort();
}

/* A copy of exactly n bytes (never a NULL pointer). */
static struct blob copy(const void *p, size_t n)
{
	struct blob b = { malloc(n ? n : 1), n };

	if (!b.p)
		abort();
	if (n)
		memcpy(b.p, p, n);
	return b;
}

static struct blob mk(const char *t)
{
	struct wbuf w;
	struct blob b;

	wbuf_init(&w, 0);
	build(&w, t);
	b = copy(w.base, w.len);
	wbuf_wipe(&w);
	return b;
}

/* The body of the one whole message in w (as put wrote it), or NULL. */
static struct blob body(const struct wbuf *w)
{
	struct blob none = { NULL, 0 };
	struct msg_hdr h;

	if (w->err || msg_next(w->base, w->len, &h) != 1 ||
	    MSG_HDR_LEN + h.len != w->len)
		return none;
	return copy(h.body, h.len);
}

/* Decodes n bytes of p as a message of this type; returns the error. */
static int get_with(uint8_t type, const uint8_t *p, size_t n, uint64_t offered)
{
	union {
		struct msg_client_hello ch;
		struct msg_server_hello sh;
		struct msg_encrypted_extensions ee;
		struct msg_certificate_request cr;
		struct msg_certificate ct;
		struct msg_certificate_verify cv;
		struct msg_new_session_ticket nst;
		uint8_t fin[MSG_VERIFY_MAX];
		bool ku;
	} u;
	struct blob b = copy(p, n);
	int err = -EOPNOTSUPP;

	switch (type) {
	case MSG_CLIENT_HELLO:
		err = msg_get_client_hello(b.p, n, &u.ch);
		break;
	case MSG_SERVER_HELLO:
		err = msg_get_server_hello(b.p, n, offered, &u.sh);
		break;
	case MSG_NEW_SESSION_TICKET:
		err = msg_get_new_session_ticket(b.p, n, &u.nst);
		break;
	case MSG_ENCRYPTED_EXTENSIONS:
		err = msg_get_encrypted_extensions(b.p, n, offered, &u.ee);
		break;
	case MSG_CERTIFICATE:
		err = msg_get_certificate(b.p, n, offered, &u.ct);
		break;
	case MSG_CERTIFICATE_REQUEST:
		err = msg_get_certificate_request(b.p, n, &u.cr);
		break;
	case MSG_CERTIFICATE_VERIFY:
		err = msg_get_certificate_verify(b.p, n, &u.cv);
		break;
	case MSG_FINISHED:
		err = msg_get_finished(b.p, n, 32, u.fin);
		break;
	case MSG_KEY_UPDATE:
		err = msg_get_key_update(b.p, n, &u.ku);
		break;
	}
	free(b.p);
	return err;
}

static int get(uint8_t type, const uint8_t *p, size_t n)
{
	return get_with(type, p, n, type == MSG_CERTIFICATE ? 0 : OFFERED);
}

/* Decodes a template body. */
static int tget_with(uint8_t type, const char *t, uint64_t offered)
{
	struct blob b = mk(t);
	int err = get_with(type, b.p, b.n, offered);

	free(b.p);
	return err;
}

static int tget(uint8_t type, const char *t)
{
	return tget_with(type, t, type == MSG_CERTIFICATE ? 0 : OFFERED);
}

/* A template with n copies of a byte's hex put between head and tail. */
static char *repeat(const char *head, const char *hex, int n, const char *tail)
{
	char *t = malloc(strlen(head) + 2 * n + strlen(tail) + 1);
	int i;

	if (!t)
		abort();
	strcpy(t, head);
	for (i = 0; i < n; i++)
		strcat(t, hex);
	return strcat(t, tail);
}

static int tget_free(uint8_t type, char *t)
{
	int err = tget(type, t);

	free(t);
	return err;
}

static int tch(const char *t, struct msg_client_hello *ch)
{
	struct blob b = mk(t);
	int err = msg_get_client_hello(b.p, b.n, ch);

	free(b.p);
	return err;
}

static int tsh(const char *t, struct msg_server_hello *sh)
{
	struct blob b = mk(t);
	int err = msg_get_server_hello(b.p, b.n, OFFERED, sh);

	free(b.p);
	return err;
}

/* Are w's bytes exactly the template's? */
static bool same(const struct wbuf *w, const char *t)
{
	struct blob b = mk(t);
	bool eq = !w->err && b.n == w->len && !memcmp(b.p, w->base, b.n);

	free(b.p);
	return eq;
}

/* ---- RFC 8448 ---- */

TEST(rfc8448_client_hello_offers_no_p256_share)
{
	struct blob m = mk(rfc_ch);
	struct msg_client_hello ch;
	struct msg_hdr h;

	ASSERT_EQ(1, msg_next(m.p, m.n, &h));
	EXPECT_EQ(MSG_CLIENT_HELLO, h.type);
	ASSERT_EQ(192, h.len);
	ASSERT_EQ(0, msg_get_client_hello(h.body, h.len, &ch));
	EXPECT_EQ(0x0303, ch.legacy_version);
	EXPECT_EQ(0xcb, ch.random[0]);
	EXPECT_EQ(0xe7, ch.random[31]);
	EXPECT_EQ(0, ch.session_id_len);
	ASSERT_EQ(3, ch.n_suites);
	EXPECT_EQ(0x1301, ch.suites[0]);
	EXPECT_EQ(0x1303, ch.suites[1]);
	EXPECT_EQ(0x1302, ch.suites[2]);
	EXPECT_EQ(3, ch.n_offered);
	EXPECT_TRUE(ch.versions.has_tls13);
	EXPECT_TRUE(ch.groups.has_p256);
	EXPECT_TRUE(ch.groups.other);
	EXPECT_TRUE(ch.sig_algs.has_ecdsa_p256_sha256);
	EXPECT_FALSE(ch.sig_algs_cert.present);
	/* x25519 only: our server must answer with a HelloRetryRequest. */
	EXPECT_TRUE(ch.key_share.present);
	EXPECT_FALSE(ch.key_share.has_p256);
	EXPECT_TRUE(ch.key_share.other);
	EXPECT_EQ(1, ch.key_share.n);
	EXPECT_STREQ("server", ch.server_name);
	EXPECT_EQ(0, ch.cookie_len);
	EXPECT_FALSE(ch.psk);
	EXPECT_TRUE(ch.psk_modes);
	EXPECT_FALSE(ch.early_data);
	EXPECT_EQ(BIT(SERVER_NAME) | BIT(SUPPORTED_GROUPS) | BIT(KEY_SHARE) |
		  BIT(SUPPORTED_VERSIONS) | BIT(SIGNATURE_ALGORITHMS) |
		  BIT(PSK_KEY_EXCHANGE_MODES), ch.exts);
	free(m.p);
}

TEST(rfc8448_server_hello_with_x25519_is_refused_by_our_client)
{
	struct blob m = mk(rfc_sh);
	struct msg_server_hello sh;
	struct msg_hdr h;

	ASSERT_EQ(1, msg_next(m.p, m.n, &h));
	EXPECT_EQ(MSG_SERVER_HELLO, h.type);
	ASSERT_EQ(86, h.len);
	/* Well formed, TLS 1.3, but a group we never offered. */
	EXPECT_EQ(ILLEGAL, msg_get_server_hello(h.body, h.len, OFFERED, &sh));
	EXPECT_EQ(MSG_TLS13, sh.version);
	EXPECT_EQ(0x001d, sh.group);
	EXPECT_FALSE(sh.hrr);
	free(m.p);
}

TEST(rfc8448_encrypted_extensions_answer_what_we_never_offer)
{
	struct blob m = mk(rfc_ee);
	struct msg_hdr h;

	ASSERT_EQ(1, msg_next(m.p, m.n, &h));
	EXPECT_EQ(MSG_ENCRYPTED_EXTENSIONS, h.type);
	/* record_size_limit (28) */
	EXPECT_EQ(UNSUPPORTED, get(h.type, h.body, h.len));
	free(m.p);
}

TEST(rfc8448_certificate_decodes_in_place)
{
	struct blob m = mk(rfc_cert);
	struct msg_certificate c;
	struct msg_hdr h;

	ASSERT_EQ(1, msg_next(m.p, m.n, &h));
	EXPECT_EQ(MSG_CERTIFICATE, h.type);
	ASSERT_EQ(0, msg_get_certificate(h.body, h.len, 0, &c));
	EXPECT_EQ(0, c.context_len);
	ASSERT_EQ(1, c.n);
	EXPECT_EQ(432, c.certs[0].len);
	EXPECT_TRUE(c.certs[0].der == h.body + 7);
	EXPECT_EQ(0x30, c.certs[0].der[0]);
	EXPECT_EQ(0xe1, c.certs[0].der[431]);
	free(m.p);
}

TEST(rfc8448_hello_retry_request_flow)
{
	struct blob ch1 = mk(rfc_ch1), hrr = mk(rfc_hrr);
	struct blob ch2 = mk(rfc_ch2), sh2 = mk(rfc_sh2);
	struct msg_client_hello c1, c2;
	struct msg_server_hello r, s;
	uint8_t th[32];
	struct wbuf w, t;
	struct msg_hdr h;

	/* ClientHello1: P-256 is supported but not shared: ask for it. */
	ASSERT_EQ(1, msg_next(ch1.p, ch1.n, &h));
	ASSERT_EQ(0, msg_get_client_hello(h.body, h.len, &c1));
	EXPECT_TRUE(c1.groups.has_p256);
	EXPECT_FALSE(c1.key_share.has_p256);

	ASSERT_EQ(1, msg_next(hrr.p, hrr.n, &h));
	ASSERT_EQ(0, msg_get_server_hello(h.body, h.len, OFFERED, &r));
	EXPECT_TRUE(r.hrr);
	EXPECT_EQ(0x1301, r.suite);
	EXPECT_EQ(MSG_SECP256R1, r.group);
	ASSERT_EQ(0x72, r.cookie_len);
	EXPECT_EQ(0x71, r.cookie[0]);
	EXPECT_EQ(0xb0, r.cookie[0x71]);

	/* ClientHello2: the P-256 share and the cookie echoed. */
	ASSERT_EQ(1, msg_next(ch2.p, ch2.n, &h));
	ASSERT_EQ(0, msg_get_client_hello(h.body, h.len, &c2));
	EXPECT_TRUE(c2.key_share.has_p256);
	EXPECT_EQ(1, c2.key_share.n);
	EXPECT_EQ(0x04, c2.key_share.p256[0]);
	EXPECT_EQ(0xa6, c2.key_share.p256[1]);
	EXPECT_EQ(0x80, c2.key_share.p256[64]);
	ASSERT_EQ(r.cookie_len, c2.cookie_len);
	EXPECT_EQ(0, memcmp(r.cookie, c2.cookie, r.cookie_len));
	EXPECT_TRUE(c2.exts & BIT(PADDING));

	ASSERT_EQ(1, msg_next(sh2.p, sh2.n, &h));
	ASSERT_EQ(0, msg_get_server_hello(h.body, h.len, c2.exts, &s));
	EXPECT_FALSE(s.hrr);
	EXPECT_EQ(MSG_SECP256R1, s.group);
	EXPECT_EQ(0x58, s.share[1]);
	EXPECT_EQ(0x7d, s.share[64]);

	/* Our encoder writes the server's two messages byte for byte. */
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_server_hello(&w, &r));
	EXPECT_TRUE(w.len == hrr.n && !memcmp(w.base, hrr.p, hrr.n));
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_server_hello(&w, &s));
	EXPECT_TRUE(w.len == sh2.n && !memcmp(w.base, sh2.p, sh2.n));

	/* Transcript: message_hash(ClientHello1), HRR, ClientHello2, SH. */
	wbuf_init(&t, 0);
	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, ch1.p, ch1.n, th));
	ASSERT_EQ(0, msg_put_message_hash(&t, th, 32));
	wbuf_put(&t, hrr.p, hrr.n);
	wbuf_put(&t, ch2.p, ch2.n);
	wbuf_put(&t, sh2.p, sh2.n);
	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, t.base, t.len, th));
	EXPECT_EQ(0, memcmp(rfc_hrr_transcript, th, 32));
	wbuf_wipe(&t);
	wbuf_wipe(&w);
	free(ch1.p);
	free(hrr.p);
	free(ch2.p);
	free(sh2.p);
}

TEST(hrr_random_is_sha256_of_its_name)
{
	uint8_t h[32];

	ASSERT_EQ(0, hash_digest(NULL, HASH_SHA256, "HelloRetryRequest", 17, h));
	EXPECT_EQ(0, memcmp(h, msg_hrr_random, 32));
}

/* ---- put -> get ---- */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = seed + i * 7;
}

TEST(client_hello_round_trip)
{
	struct msg_client_hello in, out;
	struct wbuf w;
	struct blob b;

	memset(&in, 0, sizeof(in));
	fill(in.random, 32, 1);
	in.session_id_len = 32;
	fill(in.session_id, 32, 2);
	in.key_share.has_p256 = true;
	fill(in.key_share.p256, 65, 3);
	in.key_share.p256[0] = 0x04;
	strcpy(in.server_name, "device.example");
	in.cookie_len = 300;
	fill(in.cookie, 300, 4);
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_client_hello(&w, &in));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_client_hello(b.p, b.n, &out));
	EXPECT_EQ(0x0303, out.legacy_version);
	EXPECT_EQ(0, memcmp(in.random, out.random, 32));
	ASSERT_EQ(32, out.session_id_len);
	EXPECT_EQ(0, memcmp(in.session_id, out.session_id, 32));
	ASSERT_EQ(3, out.n_suites);
	EXPECT_EQ(0x1301, out.suites[0]);
	EXPECT_EQ(0x1302, out.suites[1]);
	EXPECT_EQ(0x1303, out.suites[2]);
	EXPECT_EQ(3, out.n_offered);
	EXPECT_TRUE(out.versions.has_tls13);
	EXPECT_TRUE(out.groups.has_p256 && !out.groups.other);
	EXPECT_TRUE(out.sig_algs.has_ecdsa_p256_sha256 && !out.sig_algs.other);
	EXPECT_TRUE(out.sig_algs_cert.has_ecdsa_p256_sha256);
	ASSERT_TRUE(out.key_share.has_p256);
	EXPECT_EQ(1, out.key_share.n);
	EXPECT_EQ(0, memcmp(in.key_share.p256, out.key_share.p256, 65));
	EXPECT_STREQ("device.example", out.server_name);
	ASSERT_EQ(300, out.cookie_len);
	EXPECT_EQ(0, memcmp(in.cookie, out.cookie, 300));
	EXPECT_EQ(msg_client_hello_exts(&in), out.exts);
	free(b.p);
	wbuf_wipe(&w);
}

TEST(client_hello_bytes_and_empty_share)
{
	struct msg_client_hello in, out;
	struct wbuf w;
	struct blob b;
	int i;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < 32; i++)
		in.random[i] = i;
	in.key_share.has_p256 = true;
	in.key_share.p256[0] = 0x04;
	for (i = 1; i < 65; i++)
		in.key_share.p256[i] = 0x40 + i;
	strcpy(in.server_name, "server");
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_client_hello(&w, &in));
	EXPECT_TRUE(same(&w, "01[" CH(X_SNI X_SV X_GROUPS X_SIGS X_SIGS_CERT
				      X_SHARE) "]"));

	/* Without a share, one suite, no name: an empty client_shares. */
	in.key_share.has_p256 = false;
	in.server_name[0] = '\0';
	in.n_suites = 1;
	in.suites[0] = 0x1303;
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_client_hello(&w, &in));
	EXPECT_TRUE(same(&w, "01[0303" R32 "<> (1303) <00> (" X_SV X_GROUPS
			 X_SIGS X_SIGS_CERT "0033(()))]"));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_client_hello(b.p, b.n, &out));
	EXPECT_TRUE(out.key_share.present && !out.key_share.has_p256);
	EXPECT_EQ(0, out.key_share.n);
	ASSERT_EQ(1, out.n_suites);
	EXPECT_EQ(0x1303, out.suites[0]);
	EXPECT_FALSE(out.exts & BIT(SERVER_NAME));
	free(b.p);
	wbuf_wipe(&w);
}

/*
 * A ClientHello offering one ticket: psk_key_exchange_modes {psk_dhe_ke},
 * pre_shared_key last with its binder as zeros, the binders list the
 * message's tail (RFC 8446 4.2.11.2).
 */
TEST(client_hello_psk_round_trip)
{
	static const uint8_t ticket[6] = { 't', 'i', 'c', 'k', 'e', 't' };
	struct msg_client_hello in, out;
	struct wbuf w;
	struct blob b;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.key_share.has_p256 = true;
	in.key_share.p256[0] = 0x04;
	in.psk_modes = true;
	in.psk_offer.n = 1;
	in.psk_offer.id[0] = ticket;
	in.psk_offer.id_len[0] = sizeof(ticket);
	in.psk_offer.age[0] = 0x01020304;
	in.psk_offer.binder_len[0] = 32;
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_client_hello(&w, &in));
	/* binders<33..>: 00 21, then 20 and 32 zero bytes, at the very end */
	ASSERT_LT(35, w.len);
	EXPECT_EQ(0x00, w.base[w.len - 35]);
	EXPECT_EQ(0x21, w.base[w.len - 34]);
	EXPECT_EQ(0x20, w.base[w.len - 33]);
	for (i = w.len - 32; i < w.len; i++)
		EXPECT_EQ(0, w.base[i]);
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_client_hello(b.p, b.n, &out));
	EXPECT_TRUE(out.psk && out.psk_modes && out.psk_dhe_ke);
	ASSERT_EQ(1, out.psk_offer.n);
	ASSERT_EQ(1, out.psk_offer.n_binders);
	ASSERT_EQ(sizeof(ticket), out.psk_offer.id_len[0]);
	EXPECT_EQ(0, memcmp(ticket, out.psk_offer.id[0], sizeof(ticket)));
	EXPECT_EQ(0x01020304, out.psk_offer.age[0]);
	EXPECT_EQ(32, out.psk_offer.binder_len[0]);
	EXPECT_EQ(35, out.psk_offer.binders_len);
	EXPECT_EQ(b.p + b.n - 32, out.psk_offer.binder[0]);
	EXPECT_EQ(msg_client_hello_exts(&in), out.exts);
	free(b.p);
	/* Two PSKs, or one without the modes, are not ours to send. */
	in.psk_offer.n = 2;
	wbuf_reset(&w);
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &in));
	in.psk_offer.n = 1;
	in.psk_modes = false;
	wbuf_reset(&w);
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &in));
	wbuf_wipe(&w);
}

/* A ServerHello's pre_shared_key: only if we offered one. */
TEST(server_hello_psk_round_trip)
{
	struct msg_server_hello in = { .suite = 0x1301, .group = MSG_SECP256R1,
				       .psk = true, .psk_identity = 0 }, out;
	struct wbuf w;
	struct blob b;

	in.share[0] = 0x04;
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_server_hello(b.p, b.n,
					  OFFERED | BIT(PRE_SHARED_KEY), &out));
	EXPECT_TRUE(out.psk);
	EXPECT_EQ(0, out.psk_identity);
	EXPECT_EQ(UNSUPPORTED, msg_get_server_hello(b.p, b.n, OFFERED, &out));
	free(b.p);
	/* Never in a HelloRetryRequest. */
	in.hrr = true;
	wbuf_reset(&w);
	EXPECT_EQ(-EINVAL, msg_put_server_hello(&w, &in));
	wbuf_wipe(&w);
}

TEST(new_session_ticket_round_trip)
{
	static const uint8_t ticket[3] = { 7, 8, 9 };
	struct msg_new_session_ticket in = { .lifetime = 7200,
		.age_add = 0xa1b2c3d4, .nonce_len = 1, .nonce = { 5 },
		.ticket = ticket, .ticket_len = sizeof(ticket) }, out;
	struct wbuf w;
	struct blob b;

	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_new_session_ticket(&w, &in));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_new_session_ticket(b.p, b.n, &out));
	EXPECT_EQ(7200, out.lifetime);
	EXPECT_EQ(0xa1b2c3d4, out.age_add);
	ASSERT_EQ(1, out.nonce_len);
	EXPECT_EQ(5, out.nonce[0]);
	ASSERT_EQ(3, out.ticket_len);
	EXPECT_EQ(0, memcmp(ticket, out.ticket, 3));
	free(b.p);
	in.ticket_len = 0;
	wbuf_reset(&w);
	EXPECT_EQ(-EINVAL, msg_put_new_session_ticket(&w, &in));
	wbuf_wipe(&w);
}

TEST(server_hello_round_trip)
{
	struct msg_server_hello in, out;
	struct wbuf w;
	struct blob b;
	int i;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < 32; i++)
		in.random[i] = i;
	in.suite = MSG_AES_256_GCM_SHA384;
	in.group = MSG_SECP256R1;
	in.share[0] = 0x04;
	for (i = 1; i < 65; i++)
		in.share[i] = 0x40 + i;
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	EXPECT_TRUE(same(&w, "02[0303" R32 "<> 1302 00 (" SX_SHARE SX_SV ")]"));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_server_hello(b.p, b.n, OFFERED, &out));
	EXPECT_FALSE(out.hrr);
	EXPECT_EQ(0, memcmp(in.random, out.random, 32));
	EXPECT_EQ(0, out.session_id_len);
	EXPECT_EQ(MSG_AES_256_GCM_SHA384, out.suite);
	EXPECT_EQ(MSG_TLS13, out.version);
	EXPECT_EQ(MSG_SECP256R1, out.group);
	EXPECT_EQ(0, memcmp(in.share, out.share, 65));
	EXPECT_EQ(0, out.cookie_len);
	free(b.p);

	/* The session id is echoed as given. */
	in.session_id_len = 32;
	fill(in.session_id, 32, 9);
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	b = body(&w);
	ASSERT_EQ(0, msg_get_server_hello(b.p, b.n, OFFERED, &out));
	ASSERT_EQ(32, out.session_id_len);
	EXPECT_EQ(0, memcmp(in.session_id, out.session_id, 32));
	free(b.p);
	wbuf_wipe(&w);
}

TEST(hello_retry_request_round_trip)
{
	struct msg_server_hello in, out;
	struct wbuf w;
	struct blob b;

	memset(&in, 0, sizeof(in));
	in.hrr = true;
	in.suite = MSG_AES_128_GCM_SHA256;
	in.group = MSG_SECP256R1;
	in.cookie_len = 3;
	memcpy(in.cookie, "\xc0\xff\xee", 3);
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	EXPECT_TRUE(same(&w, "02[" HRR("0033(0017) 002c((c0ffee)) " SX_SV) "]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_server_hello(b.p, b.n, OFFERED, &out));
	EXPECT_TRUE(out.hrr);
	EXPECT_EQ(0, memcmp(msg_hrr_random, out.random, 32));
	EXPECT_EQ(MSG_SECP256R1, out.group);
	ASSERT_EQ(3, out.cookie_len);
	EXPECT_EQ(0, memcmp("\xc0\xff\xee", out.cookie, 3));
	free(b.p);

	/* A cookie alone, or a group alone, are each a reason to retry. */
	in.group = 0;
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	EXPECT_TRUE(same(&w, "02[" HRR("002c((c0ffee)) " SX_SV) "]"));
	in.group = MSG_SECP256R1;
	in.cookie_len = 0;
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_server_hello(&w, &in));
	EXPECT_TRUE(same(&w, "02[" HRR("0033(0017) " SX_SV) "]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_server_hello(b.p, b.n, OFFERED, &out));
	EXPECT_TRUE(out.hrr && out.group == MSG_SECP256R1 && !out.cookie_len);
	free(b.p);
	wbuf_wipe(&w);
}

TEST(encrypted_extensions_round_trip)
{
	struct msg_encrypted_extensions in = { 0 }, out;
	struct wbuf w;
	struct blob b;

	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_encrypted_extensions(&w, &in));
	EXPECT_TRUE(same(&w, "08[()]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_encrypted_extensions(b.p, b.n, OFFERED, &out));
	EXPECT_FALSE(out.server_name || out.groups.present);
	free(b.p);

	in.server_name = true;
	in.groups.present = true;
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_encrypted_extensions(&w, &in));
	EXPECT_TRUE(same(&w, "08[(0000() " X_GROUPS ")]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_encrypted_extensions(b.p, b.n, OFFERED, &out));
	EXPECT_TRUE(out.server_name);
	EXPECT_TRUE(out.groups.present && out.groups.has_p256);
	free(b.p);
	wbuf_wipe(&w);
}

TEST(certificate_request_round_trip)
{
	struct msg_certificate_request in = { 0 }, out;
	struct wbuf w;
	struct blob b;

	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_certificate_request(&w, &in));
	EXPECT_TRUE(same(&w, "0d[<> (" X_SIGS X_SIGS_CERT ")]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_certificate_request(b.p, b.n, &out));
	EXPECT_EQ(0, out.context_len);
	EXPECT_TRUE(out.sig_algs.has_ecdsa_p256_sha256);
	EXPECT_TRUE(out.sig_algs_cert.has_ecdsa_p256_sha256);
	free(b.p);

	in.context_len = 3;
	memcpy(in.context, "abc", 3);
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_certificate_request(&w, &in));
	b = body(&w);
	ASSERT_EQ(0, msg_get_certificate_request(b.p, b.n, &out));
	ASSERT_EQ(3, out.context_len);
	EXPECT_EQ(0, memcmp("abc", out.context, 3));
	free(b.p);
	wbuf_wipe(&w);
}

TEST(certificate_round_trip_points_into_body)
{
	static uint8_t der[3][5000];
	static const size_t lens[3] = { 1, 300, 5000 };
	struct msg_certificate in = { 0 }, out;
	struct wbuf w;
	struct blob b;
	size_t i;

	for (i = 0; i < 3; i++) {
		fill(der[i], lens[i], i);
		in.certs[i].der = der[i];
		in.certs[i].len = lens[i];
	}
	in.n = 3;
	in.context_len = 1;
	in.context[0] = 0x5a;
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_certificate(&w, &in));
	b = body(&w);
	ASSERT_NE(NULL, b.p);
	ASSERT_EQ(0, msg_get_certificate(b.p, b.n, 0, &out));
	ASSERT_EQ(1, out.context_len);
	EXPECT_EQ(0x5a, out.context[0]);
	ASSERT_EQ(3, out.n);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(lens[i], out.certs[i].len);
		EXPECT_TRUE(out.certs[i].der > b.p &&
			    out.certs[i].der + lens[i] <= b.p + b.n);
		EXPECT_EQ(0, memcmp(der[i], out.certs[i].der, lens[i]));
	}
	free(b.p);

	/* An empty list is a valid message: the state machine judges it. */
	in.n = 0;
	in.context_len = 0;
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_certificate(&w, &in));
	EXPECT_TRUE(same(&w, "0b[<> []]"));
	b = body(&w);
	ASSERT_EQ(0, msg_get_certificate(b.p, b.n, 0, &out));
	EXPECT_EQ(0, out.n);
	free(b.p);
	wbuf_wipe(&w);
}

TEST(certificate_verify_round_trip)
{
	uint8_t sig[72];
	struct msg_certificate_verify in = { MSG_ECDSA_P256_SHA256, sig, 72 };
	struct msg_certificate_verify out;
	struct wbuf w;
	struct blob b;

	fill(sig, sizeof(sig), 0x30);
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_certificate_verify(&w, &in));
	b = body(&w);
	ASSERT_EQ(0, msg_get_certificate_verify(b.p, b.n, &out));
	EXPECT_EQ(MSG_ECDSA_P256_SHA256, out.scheme);
	ASSERT_EQ(72, out.sig_len);
	EXPECT_TRUE(out.sig == b.p + 4);
	EXPECT_EQ(0, memcmp(sig, out.sig, 72));
	free(b.p);
	wbuf_wipe(&w);
}

TEST(finished_round_trip_both_lengths)
{
	uint8_t vd[48], out[48];
	struct wbuf w;
	struct blob b;
	size_t n;

	fill(vd, sizeof(vd), 0x11);
	wbuf_init(&w, 0);
	for (n = 32; n <= 48; n += 16) {
		wbuf_reset(&w);
		ASSERT_EQ(0, msg_put_finished(&w, vd, n));
		b = body(&w);
		ASSERT_EQ(n, b.n);
		ASSERT_EQ(0, msg_get_finished(b.p, b.n, n, out));
		EXPECT_EQ(0, memcmp(vd, out, n));
		/* The other length is a decode error. */
		EXPECT_EQ(DECODE, msg_get_finished(b.p, b.n, 80 - n, out));
		free(b.p);
	}
	wbuf_wipe(&w);
}

TEST(key_update_round_trip)
{
	struct wbuf w;
	bool req = false;

	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_key_update(&w, true));
	ASSERT_EQ(0, msg_put_key_update(&w, false));
	EXPECT_TRUE(same(&w, "18[01] 18[00]"));
	EXPECT_EQ(0, msg_get_key_update(w.base + 4, 1, &req));
	EXPECT_TRUE(req);
	EXPECT_EQ(0, msg_get_key_update(w.base + 9, 1, &req));
	EXPECT_FALSE(req);
	wbuf_wipe(&w);
}

TEST(message_hash_is_254_00_00_len_hash)
{
	uint8_t h[48];
	struct wbuf w;

	fill(h, sizeof(h), 0);
	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_message_hash(&w, h, 32));
	ASSERT_EQ(36, w.len);
	EXPECT_EQ(0, memcmp("\xfe\x00\x00\x20", w.base, 4));
	EXPECT_EQ(0, memcmp(h, w.base + 4, 32));
	wbuf_reset(&w);
	ASSERT_EQ(0, msg_put_message_hash(&w, h, 48));
	EXPECT_EQ(0, memcmp("\xfe\x00\x00\x30", w.base, 4));
	EXPECT_EQ(-EINVAL, msg_put_message_hash(&w, h, 20));
	wbuf_wipe(&w);
}

#define NST(nonce, ticket, exts) "00093a80 01020304 " nonce ticket exts

TEST(new_session_ticket_is_checked_then_ignored)
{
	EXPECT_EQ(0, tget(MSG_NEW_SESSION_TICKET, NST("<0000>", "(abcdef)", "()")));
	EXPECT_EQ(0, tget(MSG_NEW_SESSION_TICKET, NST("<>", "(ab)", "(002a(00004000))")));
	/* Unknown extensions are ignored (RFC 8446 4.6.1). */
	EXPECT_EQ(0, tget(MSG_NEW_SESSION_TICKET, NST("<>", "(ab)", "(1234(ff))")));
	EXPECT_EQ(DECODE, tget(MSG_NEW_SESSION_TICKET, NST("<>", "()", "()")));
	EXPECT_EQ(DECODE, tget(MSG_NEW_SESSION_TICKET, NST("<>", "(ab)", "")));
	EXPECT_EQ(DECODE, tget(MSG_NEW_SESSION_TICKET, NST("<>", "(ab)", "(002a(000040))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_NEW_SESSION_TICKET, NST("<>", "(ab)", "(0033())")));
	EXPECT_EQ(ILLEGAL, tget(MSG_NEW_SESSION_TICKET,
				NST("<>", "(ab)", "(002a(00000000) 002a(00000000))")));
}

/* ---- the byte stream ---- */

TEST(next_finds_messages_split_and_shared)
{
	static const uint8_t vd[32] = { 1 };
	struct msg_encrypted_extensions ee = { .server_name = true };
	struct msg_hdr h;
	struct wbuf w;
	size_t first, n;

	wbuf_init(&w, 0);
	ASSERT_EQ(0, msg_put_encrypted_extensions(&w, &ee));
	first = w.len;
	ASSERT_EQ(0, msg_put_finished(&w, vd, 32));
	/* However the bytes arrive, a message is there only once whole. */
	for (n = 0; n <= w.len; n++) {
		EXPECT_EQ(n >= first, msg_next(w.base, n, &h));
		if (n >= MSG_HDR_LEN) {
			EXPECT_EQ(MSG_ENCRYPTED_EXTENSIONS, h.type);
			EXPECT_EQ(first - MSG_HDR_LEN, h.len);
		}
	}
	ASSERT_EQ(1, msg_next(w.base, w.len, &h));
	EXPECT_TRUE(h.body == w.base + MSG_HDR_LEN);
	ASSERT_EQ(1, msg_next(w.base + first, w.len - first, &h));
	EXPECT_EQ(MSG_FINISHED, h.type);
	EXPECT_EQ(32, h.len);
	EXPECT_EQ(0, msg_next(w.base + first, w.len - first - 1, &h));
	wbuf_wipe(&w);
}

static int next_hdr(const char *t)
{
	struct blob b = mk(t);
	struct msg_hdr h;
	int r = msg_next(b.p, b.n, &h);

	free(b.p);
	return r;
}

TEST(next_refuses_oversized_messages)
{
	EXPECT_EQ(16384, msg_max_len(MSG_FINISHED));
	EXPECT_EQ(65536, msg_max_len(MSG_CERTIFICATE));
	EXPECT_EQ(65536, msg_max_len(MSG_NEW_SESSION_TICKET));
	/* Refused as soon as the header says so; at the limit, wait. */
	EXPECT_EQ(0, next_hdr("14 004000"));
	EXPECT_EQ(DECODE, next_hdr("14 004001"));
	EXPECT_EQ(DECODE, next_hdr("01 004001"));
	EXPECT_EQ(0, next_hdr("0b 010000"));
	EXPECT_EQ(DECODE, next_hdr("0b 010001"));
	EXPECT_EQ(DECODE, next_hdr("04 010001"));
	EXPECT_EQ(DECODE, next_hdr("fe ffffff"));
	EXPECT_EQ(0, next_hdr("14 0000"));
	EXPECT_EQ(1, next_hdr("18 000001 01"));
}

/* ---- malformed messages ---- */

/* Valid messages; hello_end: where a hello without extensions would end. */
static const struct {
	uint8_t type;
	const char *msg;
	size_t hello_end;
	int there;		/* what a hello cut at hello_end gives */
} valid[] = {
	{ MSG_CLIENT_HELLO, rfc_ch, 45, 0 },
	{ MSG_CLIENT_HELLO, rfc_ch2, 45, 0 },
	{ MSG_CLIENT_HELLO, "01[" CH(X_SNI X_BASE "002d(<01>) 0029((0001 aa 00000000)(<"
			      "000102030405060708090a0b0c0d0e0f"
			      "101112131415161718191a1b1c1d1e1f>)) ") "]", 45, 0 },
	{ MSG_SERVER_HELLO, rfc_sh2, 38, VERSION },
	{ MSG_SERVER_HELLO, rfc_hrr, 38, VERSION },
	{ MSG_ENCRYPTED_EXTENSIONS, "08[(0000() " X_GROUPS ")]", 0, 0 },
	{ MSG_CERTIFICATE_REQUEST, "0d[<01> (" X_SIGS X_SIGS_CERT "002f(()))]", 0, 0 },
	{ MSG_CERTIFICATE, rfc_cert, 0, 0 },
	{ MSG_CERTIFICATE, "0b[<aa> [[3082] () [01] ()]]", 0, 0 },
	{ MSG_CERTIFICATE_VERIFY, "0f[0403 (3006020101020101)]", 0, 0 },
	{ MSG_FINISHED, "14[" R32 "]", 0, 0 },
	{ MSG_KEY_UPDATE, "18[01]", 0, 0 },
	{ MSG_NEW_SESSION_TICKET, "04[" NST("<00>", "(abcd)", "(002a(00000400))") "]", 0, 0 },
};

TEST(truncation_at_every_offset_is_decode_error)
{
	struct msg_hdr h;
	struct blob m;
	size_t i, n;
	int want;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		m = mk(valid[i].msg);
		ASSERT_EQ(1, msg_next(m.p, m.n, &h));
		ASSERT_EQ(valid[i].type, h.type);
		ASSERT_EQ(MSG_HDR_LEN + h.len, m.n);
		ASSERT_EQ(0, get(h.type, h.body, h.len)) TH_LOG("valid[%zu]", i);
		for (n = 0; n < h.len; n++) {
			want = DECODE;
			if (valid[i].hello_end && n == valid[i].hello_end)
				want = valid[i].there;
			ASSERT_EQ(want, get(h.type, h.body, n))
				TH_LOG("valid[%zu] cut at %zu", i, n);
		}
		free(m.p);
	}
}

TEST(trailing_byte_is_decode_error)
{
	struct msg_hdr h;
	struct blob m, t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		m = mk(valid[i].msg);
		ASSERT_EQ(1, msg_next(m.p, m.n, &h));
		t = copy(h.body, h.len);
		t.p = realloc(t.p, h.len + 1);
		ASSERT_NE(NULL, t.p);
		t.p[h.len] = 0;
		EXPECT_EQ(DECODE, get(h.type, t.p, h.len + 1)) TH_LOG("valid[%zu]", i);
		free(t.p);
		free(m.p);
	}
}

/* Each has one length written one too long or too short. */
static const struct {
	uint8_t type;
	const char *t;
} one_off[] = {
	{ MSG_CLIENT_HELLO, "0303" R32 "<+> (1301) <00> (" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (+1301) <00> (" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (-1301 1302) <00> (" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <+00> (" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <-00> (" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <00> (+" X_BASE ")" },
	{ MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <00> (-" X_BASE ")" },
	{ MSG_CLIENT_HELLO, CH("002b(+<0304>)" X_GROUPS X_SIGS X_SHARE) },
	{ MSG_CLIENT_HELLO, CH("002b(<-0304>)" X_GROUPS X_SIGS X_SHARE) },
	{ MSG_CLIENT_HELLO, CH(X_SV "000a((-0017))" X_SIGS X_SHARE) },
	{ MSG_CLIENT_HELLO, CH(X_SV X_GROUPS "000d((+0403))" X_SHARE) },
	{ MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS "0033((0017(+" PT ")))") },
	{ MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS "0033((0017(-" PT ")))") },
	{ MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS "0033((-0017(" PT ")))") },
	{ MSG_CLIENT_HELLO, CH(X_BASE "0000((00(+736572766572)))") },
	{ MSG_CLIENT_HELLO, CH(X_BASE "0000((-00(736572766572)))") },
	{ MSG_CLIENT_HELLO, CH(X_BASE "002c((-c0ffee))") },
	{ MSG_SERVER_HELLO, "0303" R32 "<+> 1301 00 (" SX_SHARE SX_SV ")" },
	{ MSG_SERVER_HELLO, SH("0033(+0017(" PT ")) " SX_SV) },
	{ MSG_SERVER_HELLO, SH("0033(0017(-" PT ")) " SX_SV) },
	{ MSG_SERVER_HELLO, SH(SX_SHARE "002b(+0304)") },
	{ MSG_SERVER_HELLO, "0303" R32 "<> 1301 00 (-" SX_SHARE SX_SV ")" },
	{ MSG_SERVER_HELLO, HRR("0033(+0017) " SX_SV) },
	{ MSG_SERVER_HELLO, HRR("002c((+c0ffee)) " SX_SV) },
	{ MSG_SERVER_HELLO, HRR("002c(+(c0ffee)) " SX_SV) },
	{ MSG_ENCRYPTED_EXTENSIONS, "(+0000())" },
	{ MSG_ENCRYPTED_EXTENSIONS, "(0000(+))" },
	{ MSG_ENCRYPTED_EXTENSIONS, "(000a((+0017)))" },
	{ MSG_CERTIFICATE_REQUEST, "<+> (" X_SIGS ")" },
	{ MSG_CERTIFICATE_REQUEST, "<> (-" X_SIGS ")" },
	{ MSG_CERTIFICATE_REQUEST, "<> (000d((-0403)))" },
	{ MSG_CERTIFICATE, "<> [+[3082] ()]" },
	{ MSG_CERTIFICATE, "<> [[-3082] ()]" },
	{ MSG_CERTIFICATE, "<> [[3082] (+)]" },
	{ MSG_CERTIFICATE, "<-> [[3082] ()]" },
	{ MSG_CERTIFICATE_VERIFY, "0403 (+3006)" },
	{ MSG_CERTIFICATE_VERIFY, "0403 (-3006)" },
	{ MSG_NEW_SESSION_TICKET, NST("<+00>", "(ab)", "()") },
	{ MSG_NEW_SESSION_TICKET, NST("<00>", "(-ab)", "()") },
	{ MSG_NEW_SESSION_TICKET, NST("<00>", "(ab)", "(+)") },
};

/* The template with its lengths written right. */
static char *fixed(const char *t)
{
	char *f = strdup(t), *o = f;

	if (!f)
		abort();
	for (; *t; t++)
		if (*t != '+' && *t != '-')
			*o++ = *t;
	*o = '\0';
	return f;
}

TEST(length_one_off_is_decode_error)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(one_off); i++) {
		EXPECT_EQ(DECODE, tget(one_off[i].type, one_off[i].t))
			TH_LOG("one_off[%zu]", i);
		/* ...and only the length is wrong. */
		EXPECT_EQ(0, tget_free(one_off[i].type, fixed(one_off[i].t)))
			TH_LOG("one_off[%zu] fixed", i);
	}
}

TEST(duplicate_extension_is_illegal_parameter)
{
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_BASE X_GROUPS)));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SNI X_BASE X_SNI)));
	/* Also for a type we do not know. */
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH("1234() " X_BASE "1234(00)")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH(SX_SHARE SX_SV SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, HRR("0033(0017) 0033(0017) " SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_ENCRYPTED_EXTENSIONS, "(0000() 0000())"));
	EXPECT_EQ(ILLEGAL, tget(MSG_CERTIFICATE_REQUEST, "<> (" X_SIGS X_SIGS ")"));
	EXPECT_EQ(ILLEGAL, tget_with(MSG_CERTIFICATE, "<> [[3082] (0005() 0005())]",
				     BIT(STATUS_REQUEST)));
}

TEST(extension_in_the_wrong_message_is_illegal_parameter)
{
	/* oid_filters belongs in CertificateRequest only. */
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_BASE "0030()")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH(SX_SHARE SX_SV "0000()")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH(SX_SHARE SX_SV "002c((c0ffee))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, HRR("0033(0017) 0029(0000) " SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_ENCRYPTED_EXTENSIONS, "(0033())"));
	EXPECT_EQ(ILLEGAL, tget(MSG_ENCRYPTED_EXTENSIONS, "(" X_SIGS ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_ENCRYPTED_EXTENSIONS, "(" SX_SV ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_CERTIFICATE_REQUEST, "<> (" X_SIGS SX_SV ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_CERTIFICATE_REQUEST, "<> (" X_SIGS "0033())"));
	EXPECT_EQ(ILLEGAL, tget(MSG_CERTIFICATE, "<> [[3082] (0000())]"));
}

TEST(unknown_or_unoffered_extensions)
{
	struct msg_client_hello ch;

	/* A server skips what it does not know (GREASE 0xfafa included). */
	ASSERT_EQ(0, tch(CH("fafa() " X_BASE "1234(abcd) ff01(00)"), &ch));
	EXPECT_TRUE(ch.versions.has_tls13 && ch.key_share.has_p256);
	EXPECT_EQ(BIT(SUPPORTED_VERSIONS) | BIT(SUPPORTED_GROUPS) |
		  BIT(SIGNATURE_ALGORITHMS) | BIT(KEY_SHARE), ch.exts);
	/* A client knows it never asked for these. */
	EXPECT_EQ(UNSUPPORTED, tget(MSG_SERVER_HELLO, SH(SX_SHARE SX_SV "1234()")));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_SERVER_HELLO, SH(SX_SHARE SX_SV "0029(0000)")));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_ENCRYPTED_EXTENSIONS, "(1234())"));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_ENCRYPTED_EXTENSIONS, "(002a())"));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_ENCRYPTED_EXTENSIONS, "(0010((<6832>)))"));
	EXPECT_EQ(UNSUPPORTED, tget_with(MSG_ENCRYPTED_EXTENSIONS, "(0000())",
					 OFFERED & ~BIT(SERVER_NAME)));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_CERTIFICATE, "<> [[3082] (1234())]"));
	EXPECT_EQ(UNSUPPORTED, tget(MSG_CERTIFICATE, "<> [[3082] (0005())]"));
	EXPECT_EQ(0, tget_with(MSG_CERTIFICATE, "<> [[3082] (0005(0102))]",
			       BIT(STATUS_REQUEST)));
	/* CertificateRequest: unknown ones are ignored (4.3.2). */
	EXPECT_EQ(0, tget(MSG_CERTIFICATE_REQUEST, "<> (1234(ff) " X_SIGS "002f(()))"));
}

TEST(client_hello_fixed_fields)
{
	struct msg_client_hello ch;

	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, "0303" R32 "<> () <00> (" X_BASE ")"));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, "0303" R32 "<> (130113) <00> (" X_BASE ")"));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <> (" X_BASE ")"));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, "0303" R32 "<" R32 "00> (1301) <00> ("
			       X_BASE ")"));
	ASSERT_EQ(0, tch("0303" R32 "<" R32 "> (1301) <00> (" X_BASE ")", &ch));
	EXPECT_EQ(32, ch.session_id_len);
	/* TLS 1.3 wants exactly {null} (RFC 8446 4.1.2). */
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <0100> (" X_BASE ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, "0303" R32 "<> (1301) <01> (" X_BASE ")"));
	/* Suites we do not know are counted, not kept; repeats are kept once. */
	ASSERT_EQ(0, tch("0303" R32 "<> (c02b 1303 00ff 1303 1301) <00> (" X_BASE ")", &ch));
	EXPECT_EQ(5, ch.n_offered);
	ASSERT_EQ(2, ch.n_suites);
	EXPECT_EQ(0x1303, ch.suites[0]);
	EXPECT_EQ(0x1301, ch.suites[1]);
	ASSERT_EQ(0, tch("0303" R32 "<> (c02b) <00> (" X_BASE ")", &ch));
	EXPECT_EQ(0, ch.n_suites);
	EXPECT_EQ(1, ch.n_offered);
}

TEST(tls12_client_hello_decodes_without_tls13)
{
	struct msg_client_hello ch;

	/* No supported_versions: a TLS 1.2 client, answered protocol_version. */
	ASSERT_EQ(0, tch("0303" R32 "<> (c02b c02f) <00> (" X_GROUPS X_SIGS
			 "000b(<00>) 0017())", &ch));
	EXPECT_FALSE(ch.versions.present);
	EXPECT_FALSE(ch.versions.has_tls13);
	EXPECT_EQ(0, ch.n_suites);
	/* ...with compression offered, or without any extensions at all. */
	ASSERT_EQ(0, tch("0301" R32 "<> (002f) <0100> (" X_SIGS ")", &ch));
	EXPECT_FALSE(ch.versions.has_tls13);
	EXPECT_EQ(0x0301, ch.legacy_version);
	ASSERT_EQ(0, tch("0303" R32 "<> (002f) <00>", &ch));
	EXPECT_FALSE(ch.versions.has_tls13);
	EXPECT_EQ(0, ch.exts);
	/* supported_versions without 0x0304 is still not TLS 1.3. */
	ASSERT_EQ(0, tch(CH("002b(<0303 0302>)" X_GROUPS X_SIGS X_SHARE), &ch));
	EXPECT_TRUE(ch.versions.present);
	EXPECT_FALSE(ch.versions.has_tls13);
	ASSERT_EQ(0, tch(CH("002b(<7a7a 0304>)" X_GROUPS X_SIGS X_SHARE), &ch));
	EXPECT_TRUE(ch.versions.has_tls13);
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH("002b(<>)" X_GROUPS X_SIGS X_SHARE)));
}

TEST(client_hello_key_share)
{
	struct msg_client_hello ch;

	ASSERT_EQ(0, tch(CH(X_SV X_GROUPS X_SIGS "0033((001d(" R32 ") 0017(" PT ")))"), &ch));
	EXPECT_TRUE(ch.key_share.has_p256 && ch.key_share.other);
	EXPECT_EQ(2, ch.key_share.n);
	EXPECT_EQ(0x80, ch.key_share.p256[64]);
	/* An empty client_shares asks for an HRR; it is legal. */
	ASSERT_EQ(0, tch(CH(X_SV X_GROUPS X_SIGS "0033(())"), &ch));
	EXPECT_TRUE(ch.key_share.present && !ch.key_share.has_p256);
	/* A secp256r1 share must be 65 bytes 0x04 || X || Y (4.2.8.2). */
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS
			   "0033((0017(" R32 R32 ")))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS
			   "0033((0017(02" R32 ")))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS
			   "0033((0017(02" R32 R32 ")))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS
			   "0033((0017(" PT ") 0017(" PT ")))")));
	/* ...and for a group the client lists. */
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_SV "000a((001d))" X_SIGS X_SHARE)));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS "0033((0017()))")));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SIGS "0033()")));
}

TEST(client_hello_missing_extensions)
{
	struct msg_client_hello ch;

	EXPECT_EQ(MISSING, tget(MSG_CLIENT_HELLO, CH(X_SV X_GROUPS X_SHARE)));
	EXPECT_EQ(MISSING, tget(MSG_CLIENT_HELLO, CH(X_SV X_SIGS X_SHARE)));
	EXPECT_EQ(MISSING, tget(MSG_CLIENT_HELLO, CH(X_SV X_SIGS X_GROUPS)));
	EXPECT_EQ(MISSING, tget(MSG_CLIENT_HELLO, CH(X_SV X_SIGS)));
	/* pre_shared_key: needs psk_key_exchange_modes, and comes last. */
	EXPECT_EQ(MISSING, tget(MSG_CLIENT_HELLO, CH(X_BASE "0029((0001 aa 00000000)(<"
			   R32 ">))")));
	ASSERT_EQ(0, tch(CH(X_BASE "002d(<01>) 0029((0001 aa 00000000)(<" R32 ">))"), &ch));
	EXPECT_TRUE(ch.psk && ch.psk_modes && ch.psk_dhe_ke);
	EXPECT_EQ(1, ch.psk_offer.n);
	EXPECT_EQ(1, ch.psk_offer.n_binders);
	EXPECT_EQ(35, ch.psk_offer.binders_len);
	/* psk_ke only: no psk_dhe_ke (4.2.9) */
	ASSERT_EQ(0, tch(CH(X_BASE "002d(<00>) 0029((0001 aa 00000000)(<" R32 ">))"), &ch));
	EXPECT_FALSE(ch.psk_dhe_ke);
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH("002d(<01>) 0029((0001 aa 00000000)(<"
			   R32 ">))" X_BASE)));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_BASE "002d(<01>) 0029((0001 aa 00000000)(<"
			   R24 ">))")));
	/* early_data in a ClientHello is empty; it is noted and ignored. */
	ASSERT_EQ(0, tch(CH(X_BASE "002a()"), &ch));
	EXPECT_TRUE(ch.early_data);
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_BASE "002a(00)")));
}

TEST(client_hello_server_name_and_cookie)
{
	struct msg_client_hello ch;
	char *t;

	t = repeat(CH_HEAD "(" X_BASE "0000((00(", "61", MSG_HOST_MAX, "))))");
	ASSERT_EQ(0, tch(t, &ch));
	free(t);
	EXPECT_EQ(MSG_HOST_MAX, strlen(ch.server_name));
	t = repeat(CH_HEAD "(" X_BASE "0000((00(", "61", MSG_HOST_MAX + 1, "))))");
	EXPECT_EQ(ILLEGAL, tget_free(MSG_CLIENT_HELLO, t));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_BASE "0000((00(6100)))")));
	EXPECT_EQ(ILLEGAL, tget(MSG_CLIENT_HELLO, CH(X_BASE "0000((00(61) 00(62)))")));
	/* Other name types are skipped. */
	ASSERT_EQ(0, tch(CH(X_BASE "0000((07(ffff) 00(61)))"), &ch));
	EXPECT_STREQ("a", ch.server_name);
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_BASE "0000(())")));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_BASE "0000((00()))")));
	/* The cookie comes back whole; one longer than ours can be is not ours. */
	t = repeat(CH_HEAD "(" X_BASE "002c((", "cc", MSG_COOKIE_MAX, ")))");
	ASSERT_EQ(0, tch(t, &ch));
	free(t);
	EXPECT_EQ(MSG_COOKIE_MAX, ch.cookie_len);
	EXPECT_EQ(0xcc, ch.cookie[MSG_COOKIE_MAX - 1]);
	t = repeat(CH_HEAD "(" X_BASE "002c((", "cc", MSG_COOKIE_MAX + 1, ")))");
	EXPECT_EQ(ILLEGAL, tget_free(MSG_CLIENT_HELLO, t));
	EXPECT_EQ(DECODE, tget(MSG_CLIENT_HELLO, CH(X_BASE "002c(())")));
}

#define DOWNGRD	"444f574e475244"

TEST(server_hello_version_and_downgrade)
{
	struct msg_server_hello sh;

	/* No supported_versions: the server picked TLS 1.2 or older. */
	EXPECT_EQ(VERSION, tget(MSG_SERVER_HELLO, SH(SX_SHARE)));
	EXPECT_EQ(VERSION, tget(MSG_SERVER_HELLO, "0303" R32 "<> c02f 00"));
	EXPECT_EQ(VERSION, tget(MSG_SERVER_HELLO, "0303" R32 "<> c02f 00 (ff01(00) 000b(<00>))"));
	EXPECT_EQ(VERSION, tget(MSG_SERVER_HELLO, "0303" R24 DOWNGRD "02 <> c02f 00"));
	/* ...with a TLS 1.3 server's downgrade sentinel (4.1.3). */
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0303" R24 DOWNGRD "01 <> c02f 00"));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0302" R24 DOWNGRD "00 <> c02f 00"));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0303" R24 DOWNGRD "01 <> 1301 00 ("
				SX_SHARE ")"));
	/* supported_versions must select 0x0304, legacy_version be 0x0303. */
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH(SX_SHARE "002b(0303)")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH(SX_SHARE "002b(7f1c)")));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0304" R32 "<> 1301 00 (" SX_SHARE SX_SV ")"));
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, SH(SX_SHARE "002b(<0304>)")));
	ASSERT_EQ(0, tsh(SH(SX_SV SX_SHARE), &sh));
	EXPECT_EQ(MSG_TLS13, sh.version);
}

TEST(server_hello_fields)
{
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0303" R32 "<> 1301 01 (" SX_SHARE SX_SV ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0303" R32 "<> 1304 00 (" SX_SHARE SX_SV ")"));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, "0303" R32 "<> 00ff 00 (" SX_SHARE SX_SV ")"));
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, "0303" R32 "<" R32 "00> 1301 00 ("
			       SX_SHARE SX_SV ")"));
	EXPECT_EQ(MISSING, tget(MSG_SERVER_HELLO, SH(SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH("0033(001d(" R32 ")) " SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH("0033(0017(" R32 R32 ")) " SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, SH("0033(0017(02" R32 R32 ")) " SX_SV)));
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, SH("0033(0017()) " SX_SV)));
	/* The ServerHello answers one share, not a list. */
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, SH("0033((0017(" PT "))) " SX_SV)));
}

TEST(hello_retry_request_fields)
{
	struct msg_server_hello sh;
	char *t;

	ASSERT_EQ(0, tsh(HRR("002c((c0ffee)) " SX_SV), &sh));
	EXPECT_TRUE(sh.hrr);
	EXPECT_EQ(0, sh.group);
	EXPECT_EQ(3, sh.cookie_len);
	/* An HRR that asks for nothing would change nothing (4.1.4). */
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, HRR(SX_SV)));
	EXPECT_EQ(ILLEGAL, tget(MSG_SERVER_HELLO, HRR("0033(001d) " SX_SV)));
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, HRR("0033(0017(" PT ")) " SX_SV)));
	EXPECT_EQ(DECODE, tget(MSG_SERVER_HELLO, HRR("002c(()) " SX_SV)));
	EXPECT_EQ(VERSION, tget(MSG_SERVER_HELLO, HRR("0033(0017)")));
	/* A cookie we could not echo. */
	t = repeat("0303" HRR_R "<> 1301 00 (002c((", "cc", MSG_COOKIE_MAX + 1,
		   ")) " SX_SV ")");
	EXPECT_EQ(FAILURE, tget_free(MSG_SERVER_HELLO, t));
}

TEST(encrypted_extensions_fields)
{
	EXPECT_EQ(0, tget(MSG_ENCRYPTED_EXTENSIONS, "()"));
	EXPECT_EQ(DECODE, tget(MSG_ENCRYPTED_EXTENSIONS, ""));
	/* The server_name ack is empty (RFC 6066 section 3). */
	EXPECT_EQ(DECODE, tget(MSG_ENCRYPTED_EXTENSIONS, "(0000(00))"));
	EXPECT_EQ(DECODE, tget(MSG_ENCRYPTED_EXTENSIONS, "(000a(()))"));
	EXPECT_EQ(DECODE, tget(MSG_ENCRYPTED_EXTENSIONS, "(000a((001700)))"));
	EXPECT_EQ(0, tget(MSG_ENCRYPTED_EXTENSIONS, "(000a((001d 0017)))"));
}

TEST(certificate_request_fields)
{
	struct msg_certificate_request cr;
	struct blob b = mk("<> (" X_SIGS "0032((0804 0403 0805)))");

	ASSERT_EQ(0, msg_get_certificate_request(b.p, b.n, &cr));
	EXPECT_TRUE(cr.sig_algs.has_ecdsa_p256_sha256 && !cr.sig_algs.other);
	EXPECT_TRUE(cr.sig_algs_cert.has_ecdsa_p256_sha256 && cr.sig_algs_cert.other);
	free(b.p);
	EXPECT_EQ(MISSING, tget(MSG_CERTIFICATE_REQUEST, "<> (" X_SIGS_CERT ")"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE_REQUEST, "<> ()"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE_REQUEST, "<> (000d(()))"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE_REQUEST, "<> (000d((04)))"));
}

TEST(certificate_fields)
{
	char t[512];
	int i;

	/* Eight certificates fit; a ninth is refused, once the rest reads well. */
	strcpy(t, "<> [");
	for (i = 0; i < MSG_CERTS_MAX; i++)
		strcat(t, "[3000] () ");
	EXPECT_EQ(0, tget(MSG_CERTIFICATE, strcat(t, "]")));
	t[strlen(t) - 1] = '\0';
	EXPECT_EQ(BAD_CERT, tget(MSG_CERTIFICATE, strcat(t, "[3000] ()]")));
	t[strlen(t) - 1] = '\0';
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE, strcat(t, "[3000] (+)]")));
	/* Each entry is its own extension block: no repeat across them. */
	EXPECT_EQ(0, tget_with(MSG_CERTIFICATE, "<> [[3082] (0005(01)) [01] (0005(02))]",
			       BIT(STATUS_REQUEST)));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE, "<> [[] ()]"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE, "<> [[3082]]"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE, "<>"));
}

TEST(certificate_of_many_tiny_entries_is_cheap_to_refuse)
{
	struct wbuf w;
	size_t m;
	int i;

	/* 64 KiB of 6-byte entries: read once each, then bad_certificate. */
	wbuf_init(&w, 0);
	wbuf_put8(&w, 0);
	m = wbuf_open(&w, 3);
	for (i = 0; i < (MSG_MAX_LEN_LARGE - 4) / 6; i++)
		wbuf_put(&w, "\x00\x00\x01\x30\x00\x00", 6);
	wbuf_close(&w, m, 3);
	ASSERT_EQ(0, w.err);
	ASSERT_TRUE(w.len <= MSG_MAX_LEN_LARGE);
	EXPECT_EQ(BAD_CERT, get(MSG_CERTIFICATE, w.base, w.len));
	wbuf_wipe(&w);
}

TEST(verify_finished_key_update_fields)
{
	uint8_t vd[48];
	bool req;

	/* We offer only ecdsa_secp256r1_sha256. */
	EXPECT_EQ(ILLEGAL, tget(MSG_CERTIFICATE_VERIFY, "0804 (00)"));
	EXPECT_EQ(0, tget(MSG_CERTIFICATE_VERIFY, "0403 ()"));
	EXPECT_EQ(DECODE, tget(MSG_CERTIFICATE_VERIFY, "0403"));
	EXPECT_EQ(-EINVAL, msg_get_finished(vd, 20, 20, vd));
	EXPECT_EQ(DECODE, tget(MSG_FINISHED, R24));
	/* request_update is 0 or 1; anything else is illegal (4.6.3). */
	EXPECT_EQ(ILLEGAL, tget(MSG_KEY_UPDATE, "02"));
	EXPECT_EQ(ILLEGAL, tget(MSG_KEY_UPDATE, "ff"));
	EXPECT_EQ(DECODE, tget(MSG_KEY_UPDATE, "0100"));
	EXPECT_EQ(DECODE, msg_get_key_update(vd, 0, &req));
}

TEST(put_refuses_what_it_cannot_write)
{
	struct msg_client_hello ch = { 0 };
	struct msg_server_hello sh = { 0 };
	struct msg_certificate c = { 0 };
	uint8_t vd[48] = { 0 };
	struct wbuf w;

	wbuf_init(&w, 0);
	ch.session_id_len = 33;
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &ch));
	ch.session_id_len = 0;
	ch.n_suites = 1;
	ch.suites[0] = 0xc02b;
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &ch));
	ch.suites[0] = 0x1301;
	ch.key_share.has_p256 = true;		/* not a point: no 0x04 */
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &ch));
	ch.key_share.has_p256 = false;
	memset(ch.server_name, 'a', sizeof(ch.server_name));
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &ch));
	ch.server_name[0] = '\0';
	ch.cookie_len = MSG_COOKIE_MAX + 1;
	EXPECT_EQ(-EINVAL, msg_put_client_hello(&w, &ch));

	sh.suite = 0x1301;
	EXPECT_EQ(-EINVAL, msg_put_server_hello(&w, &sh));	/* no share */
	sh.hrr = true;
	EXPECT_EQ(-EINVAL, msg_put_server_hello(&w, &sh));	/* asks nothing */
	sh.group = 0x001d;
	EXPECT_EQ(-EINVAL, msg_put_server_hello(&w, &sh));

	c.n = MSG_CERTS_MAX + 1;
	EXPECT_EQ(-EINVAL, msg_put_certificate(&w, &c));
	c.n = 1;
	EXPECT_EQ(-EINVAL, msg_put_certificate(&w, &c));	/* no bytes */
	EXPECT_EQ(-EINVAL, msg_put_finished(&w, vd, 20));
	/* Nothing was written by any of them. */
	EXPECT_EQ(0, w.len);
	EXPECT_EQ(0, w.err);

	/* A writer's limit shows as its error. */
	wbuf_init(&w, 16);
	ch.cookie_len = 0;
	EXPECT_EQ(-EMSGSIZE, msg_put_client_hello(&w, &ch));
	wbuf_wipe(&w);
}

TEST_HARNESS_MAIN
