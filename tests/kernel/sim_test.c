// SPDX-License-Identifier: GPL-2.0
/*
 * VM test of iotsec_sim.ko, the simulated ATECC508A/608A/608B.
 *
 * Talks to the simulated chip through /dev/i2c-N with I2C_RDWR, as any
 * user-space client would (instantiate=0, so no driver binds), checks the
 * wire protocol, the commands, the lock rules, the watchdog, each fault
 * knob and the timing model, and cross-checks signatures and ECDH secrets
 * with OpenSSL.  Runs as root inside the test VM (tests/vm/), with
 * IOTSEC_KO_DIR pointing at the built modules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
/*
 * ASSERT_*() longjmp()s out of a test to its teardown and never back into
 * it; at -O3 gcc inlines tests into the setjmp() wrapper and warns that
 * their locals "might be clobbered", which cannot matter here.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kcompat.h"
#include "atecc/crc.h"
#include "atecc/wire.h"
#include "kmod.h"
#include "simctl.h"

#define SIM		"iotsec_sim"
#define ADDR		0x60
#define POLL_MS		3000

/* Info State, data byte 0: TempKey.Valid (see Documentation/sim.rst) */
#define STATE_TK_VALID	0x80

/* Mode and slot values the tests use that wire.h does not name */
#define NONCE_MSGDIG	0x43
#define SIGN_MSGDIG	0xa0
#define ECDH_TK_OUT	0x0d
#define ECDH_TK_TK	0x09
#define ECDH_SLOT_OUT	0x0c
#define LOCK_SLOT(n)	(ATECC_LOCK_SLOT | (n) << 2)
#define DATA_ADDR(slot, block, off) ((block) << 8 | (slot) << 3 | (off))

struct chip {
	int fd;
	int bus;
	u16 addr;
	double woke_ms;		/* now_ms() at the last good wake reply */
};

/* --- I2C plumbing ------------------------------------------------------ */

static int xfer(int fd, struct i2c_msg *msgs, int n)
{
	struct i2c_rdwr_ioctl_data d = { .msgs = msgs, .nmsgs = n };

	return ioctl(fd, I2C_RDWR, &d) < 0 ? -errno : 0;
}

static int bus_write(int fd, u16 addr, const u8 *buf, u16 len, u16 flags)
{
	struct i2c_msg m = {
		.addr = addr, .flags = flags, .len = len, .buf = (u8 *)buf,
	};

	return xfer(fd, &m, 1);
}

static int bus_read(int fd, u16 addr, u8 *buf, u16 len)
{
	struct i2c_msg m = {
		.addr = addr, .flags = I2C_M_RD, .len = len, .buf = buf,
	};

	return xfer(fd, &m, 1);
}

/* Sleeps until ms milliseconds after t0 (now_ms() time base) */
static void sleep_until(double t0, double ms)
{
	double left = t0 + ms - now_ms();

	if (left > 0)
		usleep(left * 1000);
}

static int word_addr(struct chip *c, u8 wa)
{
	return bus_write(c->fd, c->addr, &wa, 1, 0);
}

static bool is_wake_reply(const u8 *r)
{
	return r[0] == 0x04 && r[1] == 0x11 && r[2] == 0x33 && r[3] == 0x43;
}

/* Wake token (NACK ignored), tWHI, then the 4-byte wake reply */
static int wake_at(struct chip *c, u16 addr, u8 *reply)
{
	u8 zero = 0;
	int ret;

	ret = bus_write(c->fd, addr, &zero, 1, I2C_M_IGNORE_NAK);
	if (ret)
		return ret;
	usleep(2000);
	return bus_read(c->fd, addr, reply, 4);
}

static int wake(struct chip *c)
{
	u8 r[4];
	int ret = wake_at(c, c->addr, r);

	if (ret)
		return ret;
	if (!is_wake_reply(r))
		return -EPROTO;
	c->woke_ms = now_ms();
	return 0;
}

/*
 * Idle: TempKey survives, the watchdog stops.  A chip found asleep (the
 * word address NACKed) ran out of its 1.3 s watchdog: say how long it had
 * been awake, so that a host held up is told from a simulator bug.
 */
static int doze(struct chip *c)
{
	int ret = word_addr(c, ATECC_WA_IDLE);

	if (ret == -ENXIO)
		fprintf(stderr, "# chip NACKed idle %.0f ms after its wake\n",
			now_ms() - c->woke_ms);
	return ret;
}

/* Idle, then wake: TempKey survives and the watchdog starts again. */
static int rewake(struct chip *c)
{
	int ret = doze(c);

	return ret ? ret : wake(c);
}

static int send_cmd(struct chip *c, u8 op, u8 p1, u16 p2, const void *data,
		    size_t len)
{
	u8 buf[1 + ATECC_CMD_MAX];
	size_t n = atecc_packet(buf, op, p1, p2, data, len);

	return bus_write(c->fd, c->addr, buf, n, 0);
}

/* Polls until the chip ACKs, reads COUNT, then the rest; checks the CRC */
static int recv_rsp(struct chip *c, u8 *rsp, size_t max)
{
	double end = now_ms() + POLL_MS;
	int ret;

	do {
		ret = bus_read(c->fd, c->addr, rsp, 1);
	} while (ret == -ENXIO && now_ms() < end);
	if (ret)
		return ret;
	if (rsp[0] < ATECC_RSP_STATUS || rsp[0] > max)
		return -EMSGSIZE;
	ret = bus_read(c->fd, c->addr, rsp + 1, rsp[0] - 1);
	if (ret)
		return ret;
	if (!atecc_crc16_ok(rsp, rsp[0] - ATECC_CRC_SIZE))
		return -EBADMSG;
	return rsp[0];
}

/*
 * Runs one command.  Returns the status byte of a 4-byte reply, 0 after
 * copying exactly outlen data bytes of a longer reply, or -errno.
 */
static int cmd(struct chip *c, u8 op, u8 p1, u16 p2, const void *data,
	       size_t len, void *out, size_t outlen)
{
	u8 rsp[ATECC_RSP_MAX + 8];
	int n;

	n = send_cmd(c, op, p1, p2, data, len);
	if (n)
		return n;
	n = recv_rsp(c, rsp, sizeof(rsp));
	if (n < 0)
		return n;
	if (n == ATECC_RSP_STATUS)
		return rsp[1];
	if (!out || (size_t)n - 3 != outlen)
		return -EMSGSIZE;
	memcpy(out, rsp + 1, outlen);
	return 0;
}

static int info_rev(struct chip *c, u8 *rev)
{
	return cmd(c, ATECC_OP_INFO, ATECC_INFO_REVISION, 0, NULL, 0, rev, 4);
}

/* 1: TempKey valid, 0: invalid, <0: error */
static int tempkey_valid(struct chip *c)
{
	u8 st[4];
	int ret = cmd(c, ATECC_OP_INFO, ATECC_INFO_STATE, 0, NULL, 0, st, 4);

	return ret ? (ret > 0 ? -EPROTO : ret) : !!(st[0] & STATE_TK_VALID);
}

static int nonce_load(struct chip *c, const u8 *digest)
{
	return cmd(c, ATECC_OP_NONCE, ATECC_NONCE_PASSTHROUGH, 0, digest, 32,
		   NULL, 0);
}

static int read_cfg_block(struct chip *c, int block, u8 *out)
{
	return cmd(c, ATECC_OP_READ, ATECC_ZONE_CONFIG | ATECC_ZONE_32,
		   block << 3, NULL, 0, out, 32);
}

static int read_config(struct chip *c, u8 *cfg)
{
	int b, ret;

	for (b = 0; b < 4; b++) {
		ret = read_cfg_block(c, b, cfg + 32 * b);
		if (ret)
			return ret;
	}
	return 0;
}

/* --- module, debugfs ------------------------------------------------- */

static int sim_open(struct chip *c, const char *params)
{
	char path[32];
	int i, ret;

	c->fd = -1;
	c->addr = ADDR;
	kmod_unload(SIM);
	ret = kmod_load(SIM, params);
	if (ret)
		return ret;
	c->bus = i2c_bus_find("iotsec-sim");
	if (c->bus < 0)
		return c->bus;
	snprintf(path, sizeof(path), "/dev/i2c-%d", c->bus);
	for (i = 0; i < 100 && c->fd < 0; i++) {
		c->fd = open(path, O_RDWR | O_CLOEXEC);
		if (c->fd < 0)
			usleep(10000);
	}
	return c->fd < 0 ? -errno : 0;
}

static int sim_load(struct chip *c, const char *model, int provisioned)
{
	char params[128];

	snprintf(params, sizeof(params),
		 "chips=1 instantiate=0 model=%s provisioned=%d", model,
		 provisioned);
	return sim_open(c, params);
}

static void sim_close(struct chip *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	kmod_unload(SIM);
}

static ssize_t dbg_read(const char *file, void *buf, size_t len)
{
	char path[128];

	sim_path(path, sizeof(path), 0, file);
	return file_read(path, buf, len);
}

static bool state_has(const char *needle)
{
	char buf[1024];

	return dbg_read("state", buf, sizeof(buf)) > 0 && strstr(buf, needle);
}

/* Output of a shell command line, NUL-terminated; returns its status */
static int shell(const char *cmdline, char *out, size_t len)
{
	FILE *p = popen(cmdline, "r");
	size_t n;

	if (!p)
		return -errno;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static long dmesg_count(const char *pattern)
{
	char cmdline[256], out[64];

	snprintf(cmdline, sizeof(cmdline), "dmesg | grep -c -- '%s'", pattern);
	shell(cmdline, out, sizeof(out));
	return strtol(out, NULL, 10);
}

/* --- OpenSSL ----------------------------------------------------------- */

static EVP_PKEY *ossl_from_pub(const u8 *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	u8 pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, pub, 64);
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pt, sizeof(pt)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *ossl_keygen(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static bool ossl_pub(EVP_PKEY *key, u8 *pub)
{
	u8 pt[65];
	size_t n = 0;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt,
					     sizeof(pt), &n) ||
	    n != sizeof(pt) || pt[0] != 0x04)
		return false;
	memcpy(pub, pt + 1, 64);
	return true;
}

/* Does OpenSSL accept r ‖ s over this SHA-256 digest with this key? */
static bool ossl_verify(const u8 *pub, const u8 *digest, const u8 *sig)
{
	EVP_PKEY *pkey = ossl_from_pub(pub);
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL);
	BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *der = NULL;
	bool ok = false;
	int len;

	if (!pkey || !es || !r || !s || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;
	len = i2d_ECDSA_SIG(es, &der);
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	ok = len > 0 && ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_verify(ctx, der, len, digest, 32) == 1;
out:
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_PKEY_free(pkey);
	return ok;
}

/* OpenSSL signs the digest; the signature comes back as r ‖ s */
static bool ossl_sign(EVP_PKEY *key, const u8 *digest, u8 *sig)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	const unsigned char *p;
	unsigned char der[80];
	size_t len = sizeof(der);
	ECDSA_SIG *es = NULL;
	bool ok = false;

	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_sign(ctx, der, &len, digest, 32) <= 0)
		goto out;
	p = der;
	es = d2i_ECDSA_SIG(NULL, &p, len);
	ok = es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
	     BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
out:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* The shared secret OpenSSL derives from its key and the chip's */
static bool ossl_ecdh(EVP_PKEY *key, const u8 *peer_pub, u8 *secret)
{
	EVP_PKEY *peer = ossl_from_pub(peer_pub);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	size_t len = 32;
	bool ok;

	ok = peer && ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	     EVP_PKEY_derive_set_peer(ctx, peer) > 0 &&
	     EVP_PKEY_derive(ctx, secret, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ok;
}

static void digest_of(const char *msg, u8 *digest)
{
	SHA256((const unsigned char *)msg, strlen(msg), digest);
}

/* --- Per-model tests --------------------------------------------------- */

FIXTURE(model) {
	struct chip c;
};

FIXTURE_VARIANT(model) {
	const char *name;
	u8 rev[4];
	u8 rev_crc[2];		/* CRC of 07 ‖ rev, from captured traffic */
	bool is608;
	int sign_ms;
};

FIXTURE_VARIANT_ADD(model, atecc608b) {
	.name = "608b",
	.rev = { 0x00, 0x00, 0x60, 0x03 },
	.rev_crc = { 0x83, 0xbb },
	.is608 = true,
	.sign_ms = 115,
};

FIXTURE_VARIANT_ADD(model, atecc608a) {
	.name = "608a",
	.rev = { 0x00, 0x00, 0x60, 0x02 },
	.rev_crc = { 0x80, 0x38 },
	.is608 = true,
	.sign_ms = 115,
};

FIXTURE_VARIANT_ADD(model, atecc508a) {
	.name = "508a",
	.rev = { 0x00, 0x00, 0x50, 0x00 },
	.rev_crc = { 0x03, 0x91 },
	.is608 = false,
	.sign_ms = 60,
};

/*
 * OpenSSL's first key in a process costs up to a second under TCG: paid
 * once, before main(), so that every test's child (forked from this
 * process) inherits OpenSSL ready, and no test pays it inside its time
 * limit or a 1.3 s watchdog window.
 */
static void __attribute__((constructor)) ossl_warm(void)
{
	EVP_PKEY_free(ossl_keygen());
}

FIXTURE_SETUP(model)
{
	ASSERT_EQ(0, i2c_dev_up()) TH_LOG("no i2c-dev");
	ASSERT_EQ(0, sim_load(&self->c, variant->name, 0));
}

FIXTURE_TEARDOWN(model)
{
	sim_close(&self->c);
}

/*
 * The file's first test: its set-up pays the boot's first modprobe and
 * module load, which (with OpenSSL's first key, now paid before main())
 * took over the default 30 s once on a loaded machine (7.3, TCG, load 12).
 */
TEST_F_TIMEOUT(model, wake_reply, 120)
{
	struct chip *c = &self->c;
	u8 r[4], early[4], zero = 0;
	double t;
	int ret;

	/* Asleep: reads and writes are NACKed; the write wakes it. */
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 4));
	t = now_ms();
	EXPECT_EQ(-ENXIO, bus_write(c->fd, ADDR, &zero, 1, 0));
	ret = bus_read(c->fd, ADDR, early, 4);
	if (now_ms() - t < 1.4)
		EXPECT_EQ(-ENXIO, ret) TH_LOG("ACK before tWHI");
	usleep(2000);
	/*
	 * A guest held up past tWHI (seen: 6.12 and 7.3 booted at once on
	 * two cores) had that read ACKed: it took the reply, so rewind.
	 */
	if (!ret) {
		EXPECT_TRUE(is_wake_reply(early));
		ASSERT_EQ(0, word_addr(c, ATECC_WA_RESET));
	}
	ASSERT_EQ(0, bus_read(c->fd, ADDR, r, 4));
	EXPECT_TRUE(is_wake_reply(r));
	/* Word address 0x00 rewinds; the reply reads again */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_RESET));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, r, 4));
	EXPECT_TRUE(is_wake_reply(r));
	/* Sleep, then a general call (address 0) wakes it */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 4));
	EXPECT_EQ(-ENXIO, bus_write(c->fd, 0x00, &zero, 1, 0));
	usleep(2000);
	ASSERT_EQ(0, bus_read(c->fd, ADDR, r, 4));
	EXPECT_TRUE(is_wake_reply(r));
	/* Nobody else on the bus */
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR + 1, r, 4));
}

TEST_F(model, info_revision)
{
	struct chip *c = &self->c;
	u8 rsp[7];

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_INFO, ATECC_INFO_REVISION, 0,
			      NULL, 0));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, rsp, sizeof(rsp)));
	EXPECT_EQ(0x07, rsp[0]);
	EXPECT_EQ(0, memcmp(rsp + 1, variant->rev, 4));
	EXPECT_EQ(0, memcmp(rsp + 5, variant->rev_crc, 2));
}

TEST_F(model, random)
{
	struct chip *c = &self->c;
	u8 a[32], b[32], pattern[32];
	int i;

	for (i = 0; i < 32; i += 4) {
		pattern[i] = pattern[i + 1] = 0xff;
		pattern[i + 2] = pattern[i + 3] = 0x00;
	}
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, a, 32));
	EXPECT_EQ(0, memcmp(a, pattern, 32)) TH_LOG("unlocked: FF FF 00 00");

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, variant->name, 1));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, a, 32));
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, b, 32));
	EXPECT_NE(0, memcmp(a, pattern, 32));
	EXPECT_NE(0, memcmp(a, b, 32));
}

TEST_F(model, config_read)
{
	struct chip *c = &self->c;
	u8 words[128], blocks[128], raw[35], dbg[129];
	int i;

	ASSERT_EQ(0, wake(c));
	for (i = 0; i < 32; i++)	/* 4-byte reads: (block << 3) | word */
		ASSERT_EQ(0, cmd(c, ATECC_OP_READ, ATECC_ZONE_CONFIG,
				 (i / 8) << 3 | (i % 8), NULL, 0,
				 words + 4 * i, 4));
	ASSERT_EQ(0, read_config(c, blocks));	/* 32-byte, COUNT first */
	EXPECT_EQ(0, memcmp(words, blocks, 128));
	for (i = 0; i < 4; i++) {		/* 32-byte, one 35-byte read */
		ASSERT_EQ(0, send_cmd(c, ATECC_OP_READ,
				      ATECC_ZONE_CONFIG | ATECC_ZONE_32,
				      i << 3, NULL, 0));
		ASSERT_EQ(0, bus_read(c->fd, ADDR, raw, sizeof(raw)));
		EXPECT_EQ(35, raw[0]);
		EXPECT_TRUE(atecc_crc16_ok(raw, 33));
		EXPECT_EQ(0, memcmp(raw + 1, blocks + 32 * i, 32));
	}
	ASSERT_EQ(128, dbg_read("config", dbg, sizeof(dbg)));
	EXPECT_EQ(0, memcmp(dbg, blocks, 128));

	EXPECT_EQ(0x01, blocks[0]);
	EXPECT_EQ(0x23, blocks[1]);
	EXPECT_EQ(0xee, blocks[12]);
	EXPECT_EQ(0, memcmp(blocks + 4, variant->rev, 4));
	EXPECT_EQ(ADDR << 1, blocks[ATECC_CFG_I2C_ADDRESS]);
	EXPECT_EQ(ATECC_UNLOCKED, blocks[ATECC_CFG_LOCK_VALUE]);
	EXPECT_EQ(ATECC_UNLOCKED, blocks[ATECC_CFG_LOCK_CONFIG]);
}

TEST_F(model, sign_verified_by_openssl)
{
	struct chip *c = &self->c;
	u8 pub[64], sig[64], sig2[64], digest[32], vin[128], opub[64];
	EVP_PKEY *key;

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, variant->name, 1));
	digest_of("iotsec simulator", digest);
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PUBLIC, 0, NULL, 0,
			 pub, 64));
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, sig, 32));
	ASSERT_EQ(0, nonce_load(c, digest));
	ASSERT_EQ(0, cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0, NULL, 0,
			 sig, 64));
	/*
	 * OpenSSL's work is the host's, not the chip's: the chip idles
	 * through it, as a driver's would.  That keeps the awake windows to
	 * the bus and the modelled times (154 ms at most, unloaded); it
	 * cannot save a guest held up for a second (CI saw it, 7.3: the
	 * matrix boots now have one vCPU each, the Makefile).
	 */
	ASSERT_EQ(0, doze(c));
	EXPECT_TRUE(ossl_verify(pub, digest, sig));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	ASSERT_EQ(0, cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0, NULL, 0,
			 sig2, 64));
	ASSERT_EQ(0, doze(c));
	EXPECT_NE(0, memcmp(sig, sig2, 64)) TH_LOG("k must be random");
	EXPECT_TRUE(ossl_verify(pub, digest, sig2));

	/* The chip's own Verify: good, tampered, and an OpenSSL signature */
	memcpy(vin, sig, 64);
	memcpy(vin + 64, pub, 64);
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_VERIFY,
					ATECC_VERIFY_EXTERNAL,
					ATECC_VERIFY_CURVE_P256, vin, 128,
					NULL, 0));
	vin[40] ^= 0x01;
	EXPECT_EQ(ATECC_ST_MISCOMPARE, cmd(c, ATECC_OP_VERIFY,
					   ATECC_VERIFY_EXTERNAL,
					   ATECC_VERIFY_CURVE_P256, vin, 128,
					   NULL, 0));
	ASSERT_EQ(0, doze(c));
	key = ossl_keygen();
	ASSERT_NE(NULL, key);
	ASSERT_TRUE(ossl_sign(key, digest, vin));
	ASSERT_TRUE(ossl_pub(key, opub));
	memcpy(vin + 64, opub, 64);
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_VERIFY,
					ATECC_VERIFY_EXTERNAL,
					ATECC_VERIFY_CURVE_P256, vin, 128,
					NULL, 0));
	EVP_PKEY_free(key);

	/* 608: the message digest buffer; 508A has none */
	ASSERT_EQ(0, rewake(c));
	if (variant->is608) {
		ASSERT_EQ(0, cmd(c, ATECC_OP_NONCE, NONCE_MSGDIG, 0, digest,
				 32, NULL, 0));
		ASSERT_EQ(0, cmd(c, ATECC_OP_SIGN, SIGN_MSGDIG, 0, NULL, 0,
				 sig, 64));
		ASSERT_EQ(0, doze(c));
		EXPECT_TRUE(ossl_verify(pub, digest, sig));
		ASSERT_EQ(0, wake(c));
	} else {
		EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_NONCE, NONCE_MSGDIG,
					      0, digest, 32, NULL, 0));
		EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_SIGN, SIGN_MSGDIG,
					      0, NULL, 0, sig, 64));
	}

	/* Sleep loses TempKey: nothing to sign */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0,
				     NULL, 0, sig, 64));
}

static void check_ecdh_slot(struct __test_metadata *_metadata,
			    struct chip *c, u8 mode, u16 slot)
{
	u8 pub[64], peer_pub[64], secret[32], expect[32];
	EVP_PKEY *peer = ossl_keygen();

	ASSERT_NE(NULL, peer);
	ASSERT_TRUE(ossl_pub(peer, peer_pub));
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PUBLIC, slot, NULL,
			 0, pub, 64));
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_ECDH, mode, slot, peer_pub, 64, secret,
			 32));
	ASSERT_EQ(0, doze(c));	/* OpenSSL's time is not the chip's */
	ASSERT_TRUE(ossl_ecdh(peer, pub, expect));
	EXPECT_EQ(0, memcmp(secret, expect, 32));
	EVP_PKEY_free(peer);
	ASSERT_EQ(0, wake(c));
}

TEST_F(model, ecdh_slot_matches_openssl)
{
	struct chip *c = &self->c;
	u8 pub[64], bad[64] = { [31] = 1, [63] = 1 };
	long long writes;

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, variant->name, 1));
	ASSERT_EQ(0, wake(c));
	writes = sim_counter(0, "eeprom_writes");
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE, 2, NULL, 0,
			 pub, 64));
	EXPECT_EQ(writes + 1, sim_counter(0, "eeprom_writes"));
	check_ecdh_slot(_metadata, c, ATECC_ECDH_COMPAT, 2);
	check_ecdh_slot(_metadata, c, ATECC_ECDH_COMPAT, 0);
	if (variant->is608)
		check_ecdh_slot(_metadata, c, ECDH_SLOT_OUT, 2);
	/* Not a point on the curve; a data slot; no ECDH for 508A mode 0x0C */
	ASSERT_EQ(0, rewake(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_ECDH, ATECC_ECDH_COMPAT, 2,
				     bad, 64, pub, 32));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_ECDH, ATECC_ECDH_COMPAT, 8,
				     pub, 64, pub, 32));
	if (!variant->is608)
		EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_ECDH, ECDH_SLOT_OUT,
					      2, pub, 64, pub, 32));
}

TEST_F(model, ecdh_tempkey_matches_openssl)
{
	struct chip *c = &self->c;
	u8 pub[64], peer_pub[64], secret[32], expect[32];
	EVP_PKEY *peer;

	ASSERT_EQ(0, wake(c));
	if (!variant->is608) {
		EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_GENKEY,
					      ATECC_GENKEY_PRIVATE,
					      ATECC_KEYID_TEMPKEY, NULL, 0,
					      pub, 64));
		return;
	}
	ASSERT_EQ(0, doze(c));	/* OpenSSL's time is not the chip's */
	peer = ossl_keygen();
	ASSERT_NE(NULL, peer);
	ASSERT_TRUE(ossl_pub(peer, peer_pub));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE,
			 ATECC_KEYID_TEMPKEY, NULL, 0, pub, 64));
	EXPECT_EQ(1, tempkey_valid(c));
	EXPECT_TRUE(state_has("tempkey valid genkey"));
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_ECDH, ECDH_TK_OUT, 0, peer_pub, 64,
			 secret, 32));
	ASSERT_EQ(0, doze(c));
	ASSERT_TRUE(ossl_ecdh(peer, pub, expect));
	EXPECT_EQ(0, memcmp(secret, expect, 32));
	ASSERT_EQ(0, wake(c));
	/* Used up (idle keeps TempKey): TempKey is no longer valid */
	EXPECT_EQ(0, tempkey_valid(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_ECDH, ECDH_TK_OUT, 0,
				     peer_pub, 64, secret, 32));
	/* TempKey to TempKey: status only, TempKey holds the secret */
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE,
			 ATECC_KEYID_TEMPKEY, NULL, 0, pub, 64));
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_ECDH, ECDH_TK_TK, 0,
					peer_pub, 64, NULL, 0));
	EXPECT_TRUE(state_has("tempkey valid ecdh"));
	EXPECT_EQ(0, sim_counter(0, "eeprom_writes")) TH_LOG("TempKey is volatile");
	EVP_PKEY_free(peer);
}

/*
 * The timing model, checked so that a slow host cannot fail it.  The
 * simulator runs a command in the write that ends it and is busy until
 * that write's start plus the modelled time (Documentation/sim.rst):
 *  - never early: the first ACKed read comes at least the modelled time
 *    after a clock read taken before the write (a slow host only adds);
 *  - never late: one read taken once the modelled time has passed since
 *    the write returned is ACKed, however long the host took to get there.
 * A wall-clock upper bound on a poll loop is not used: under TCG on a
 * loaded host the simulator's own software ECDSA can take longer than
 * half a 608's Sign (CI saw 52 ms with timing off).
 */
static int sign_send(struct chip *c, const u8 *digest, double *t0,
		     double *sent)
{
	int ret;

	if (rewake(c) || nonce_load(c, digest))
		return -EIO;
	*t0 = now_ms();
	ret = send_cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0, NULL, 0);
	*sent = now_ms();
	return ret;
}

/* Milliseconds from before the Sign to its first ACKed read; -1 on error */
static double sign_first_ack(struct __test_metadata *_metadata,
			     struct chip *c, const u8 *digest)
{
	double t0, sent, t1;
	u8 rsp[67];
	int ret;

	if (sign_send(c, digest, &t0, &sent))
		return -1;
	do {
		ret = bus_read(c->fd, ADDR, rsp, 1);
	} while (ret == -ENXIO && now_ms() - t0 < POLL_MS);
	t1 = now_ms();
	EXPECT_EQ(0, ret);
	EXPECT_EQ(67, rsp[0]);
	return t1 - t0;
}

/* One read, @ms after the Sign's write returned: 0 if ACKed, else -errno */
static int sign_read_after(struct __test_metadata *_metadata, struct chip *c,
			   const u8 *digest, double ms)
{
	double t0, sent;
	u8 rsp[67];
	int ret;

	if (sign_send(c, digest, &t0, &sent))
		return -EIO;
	sleep_until(sent, ms);
	ret = bus_read(c->fd, ADDR, rsp, 1);
	if (!ret)
		EXPECT_EQ(67, rsp[0]);
	return ret;
}

/* Two timed Signs and one read at the deadline: three Signs counted */
static void check_sign_time(struct __test_metadata *_metadata,
			    struct chip *c, const u8 *digest, double busy,
			    const char *what)
{
	double ms, least = 1e9;
	int i;

	for (i = 0; i < 2; i++) {
		ms = sign_first_ack(_metadata, c, digest);
		ASSERT_GE(ms, 0);
		if (ms < least)
			least = ms;
	}
	TH_LOG("sign, %s: first ACK after %.1f ms (modelled busy %.1f ms)",
	       what, least, busy);
	/* 10 us for the two clocks' rounding to a double */
	EXPECT_GE(least + 0.01, busy) TH_LOG("%s: ready early", what);
	/* timing off: the very first read after the write is ACKed */
	EXPECT_EQ(0, sign_read_after(_metadata, c, digest,
				     busy ? busy + 1 : 0))
		TH_LOG("%s: still busy after the modelled time", what);
}

TEST_F(model, timing_model)
{
	struct chip *c = &self->c;
	double model = variant->sign_ms;
	u8 digest[32];

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, variant->name, 1));
	digest_of("timing", digest);
	ASSERT_EQ(0, wake(c));
	check_sign_time(_metadata, c, digest, 0, "timing off");

	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	check_sign_time(_metadata, c, digest, model, "timing on");

	ASSERT_EQ(0, sim_write(0, "timing_pct", "50"));
	check_sign_time(_metadata, c, digest, model / 2, "timing_pct 50");

	/* counted whether timing was on or off, scaled by timing_pct */
	EXPECT_EQ(9, sim_counter(0, "sign"));
	EXPECT_EQ((long long)(7.5 * model * 1000), sim_counter(0, "sign_us"));
}

/* --- Protocol, rules and knobs on one 608B ------------------------------ */

FIXTURE(sim) {
	struct chip c;
};

FIXTURE_SETUP(sim)
{
	ASSERT_EQ(0, i2c_dev_up()) TH_LOG("no i2c-dev");
	ASSERT_EQ(0, sim_load(&self->c, "608b", 0));
}

FIXTURE_TEARDOWN(sim)
{
	sim_close(&self->c);
}

TEST_F(sim, i2ctransfer_talks_to_it)
{
	static const char expect[] = "0x04 0x11 0x33 0x43\n"
				     "0x07 0x00 0x00 0x60 0x03 0x83 0xbb\n";
	u8 long_wdt[4] = { ADDR << 1, 0x00, 0x00, 0x04 };
	char cmdline[512], out[256];
	int bus = self->c.bus;
	int i, ret = -1;
	double t0;

	if (run_cmd("command -v i2ctransfer >/dev/null"))
		SKIP(return, "i2ctransfer (i2c-tools) not installed");
	/* wake (NACKed); wake reply + Info command in one transfer; reply */
	snprintf(cmdline, sizeof(cmdline),
		 "i2ctransfer -y %d w1@0x60 0x00 2>/dev/null; sleep 0.01; "
		 "i2ctransfer -y %d r4@0x60 "
		 "w8@0x60 0x03 0x07 0x30 0x00 0x00 0x00 0x03 0x5d && "
		 "i2ctransfer -y %d r7@0x60", bus, bus, bus);
	/*
	 * Process starts are slow under TCG: give the chip the long (13 s)
	 * watchdog (ChipMode bit 2) and put it to sleep before each try.
	 */
	ASSERT_EQ(0, wake(&self->c));
	ASSERT_EQ(0, cmd(&self->c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, 0x04,
			 long_wdt, 4, NULL, 0));
	for (i = 0; i < 3; i++) {
		wake(&self->c);
		ASSERT_EQ(0, word_addr(&self->c, ATECC_WA_SLEEP));
		t0 = now_ms();
		ret = shell(cmdline, out, sizeof(out));
		TH_LOG("i2ctransfer x 3: %.0f ms", now_ms() - t0);
		if (!ret && !strcmp(out, expect))
			break;
		TH_LOG("attempt %d: exit %d, output '%s'", i + 1, ret, out);
	}
	EXPECT_EQ(0, ret);
	EXPECT_STREQ(expect, out);
}

TEST_F(sim, command_framing)
{
	struct chip *c = &self->c;
	u8 part1[] = { 0x03, 0x07, 0x30, 0x00 };
	u8 part2[] = { 0x03, 0x00, 0x00, 0x03, 0x5d };
	u8 extra[] = { 0x03, 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5d, 0xaa };
	u8 badcrc[] = { 0x03, 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5e };
	u8 small[] = { 0x03, 0x03, 0x30, 0x00 };
	u8 big[] = { 0x03, 0xc8, 0x30 };
	u8 comm[4] = { 0x04, 0xff, 0x01, 0x42 };
	u8 rsp[16], again[7], short6[7] = { 0x03, 0x06, 0x30, 0x00, 0x00 };
	u8 bad_wa = 0x04;

	ASSERT_EQ(0, wake(c));
	/* One command in two writes; nothing to read in between */
	ASSERT_EQ(0, bus_write(c->fd, ADDR, part1, sizeof(part1), 0));
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, rsp, 1));
	ASSERT_EQ(0, bus_write(c->fd, ADDR, part2, sizeof(part2), 0));
	ASSERT_EQ(7, recv_rsp(c, rsp, sizeof(rsp)));
	EXPECT_EQ(0x03, rsp[4]);
	/* In pieces, again after a reset, then 0xFF past the end */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_RESET));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, again, 7));
	EXPECT_EQ(0, memcmp(rsp, again, 7));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, again, 2));
	EXPECT_EQ(0xff, again[0]);
	/* A byte beyond COUNT is NACKed; the command still runs */
	EXPECT_EQ(-EIO, bus_write(c->fd, ADDR, extra, sizeof(extra), 0));
	ASSERT_EQ(7, recv_rsp(c, rsp, sizeof(rsp)));
	/* Bad CRC: 04 FF, counted */
	ASSERT_EQ(0, bus_write(c->fd, ADDR, badcrc, sizeof(badcrc), 0));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, rsp, 4));
	EXPECT_EQ(0, memcmp(rsp, comm, 4));
	EXPECT_EQ(1, sim_counter(0, "crc_errors"));
	/* COUNT out of range: comm error, the rest of the write NACKed */
	EXPECT_EQ(-EIO, bus_write(c->fd, ADDR, small, sizeof(small), 0));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, rsp, 4));
	EXPECT_EQ(0, memcmp(rsp, comm, 4));
	EXPECT_EQ(-EIO, bus_write(c->fd, ADDR, big, sizeof(big), 0));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, rsp, 4));
	EXPECT_EQ(0, memcmp(rsp, comm, 4));
	/* Too short for a command but a valid group: parse error */
	atecc_crc16_put(short6 + 1, 4);
	ASSERT_EQ(0, bus_write(c->fd, ADDR, short6, sizeof(short6), 0));
	ASSERT_EQ(4, recv_rsp(c, rsp, sizeof(rsp)));
	EXPECT_EQ(ATECC_ST_PARSE, rsp[1]);
	/* Unknown opcode, reserved word address */
	EXPECT_EQ(ATECC_ST_PARSE, cmd(c, 0x77, 0, 0, NULL, 0, NULL, 0));
	EXPECT_EQ(-EIO, bus_write(c->fd, ADDR, &bad_wa, 1, 0));
}

TEST_F(sim, busy_chip_nacks)
{
	struct chip *c = &self->c;
	u8 rsp[40];

	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0));
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, rsp, 1));
	EXPECT_EQ(-ENXIO, word_addr(c, ATECC_WA_RESET));
	EXPECT_TRUE(state_has("busy 1"));
	ASSERT_EQ(35, recv_rsp(c, rsp, sizeof(rsp)));
	EXPECT_TRUE(state_has("busy 0"));
}

TEST_F_TIMEOUT(sim, watchdog_idle_sleep, 30)
{
	struct chip *c = &self->c;
	u8 digest[32], r[4];

	digest_of("tempkey", digest);
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	EXPECT_EQ(1, tempkey_valid(c));
	EXPECT_TRUE(state_has("tempkey valid input"));
	/* The watchdog (1.3 s) puts it to sleep and TempKey is lost */
	usleep(1800 * 1000);
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 4));
	EXPECT_TRUE(state_has("power asleep"));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, tempkey_valid(c));
	EXPECT_EQ(1, sim_counter(0, "watchdogs"));
	/* Idle keeps TempKey, and no watchdog runs while idle */
	ASSERT_EQ(0, nonce_load(c, digest));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_IDLE));
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 4));
	usleep(1500 * 1000);
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(1, tempkey_valid(c));
	/* Sleep clears it */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, tempkey_valid(c));
	EXPECT_EQ(1, sim_counter(0, "idles"));
	EXPECT_EQ(1, sim_counter(0, "sleeps"));
}

/*
 * Host time is not chip time: Signs with timing off, back to back for
 * longer than the watchdog, each computed in software by the host.  Only
 * the gaps between them count towards the 1.3 s, so the chip stays awake
 * (Documentation/sim.rst, Watchdog): on an emulated arm64 a few P-256
 * operations would otherwise put a "chip" to sleep mid-sequence.
 */
TEST_F_TIMEOUT(sim, watchdog_ignores_host_time, 60)
{
	struct chip *c = &self->c;
	u8 digest[32], sig[64];
	double t0, busy = 0, t;
	int n = 0;

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, "608b", 1));
	digest_of("host time", digest);
	t0 = now_ms();
	ASSERT_EQ(0, wake(c));
	while (now_ms() - t0 < 1600 && n < 1000) {
		ASSERT_EQ(0, nonce_load(c, digest));
		t = now_ms();
		ASSERT_EQ(0, cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0,
				 NULL, 0, sig, sizeof(sig)))
			TH_LOG("sign %d, %.0f ms after the wake", n + 1,
			       now_ms() - t0);
		busy += now_ms() - t;
		n++;
	}
	TH_LOG("%d signs in %.0f ms, %.0f ms of them in the sign's write and read",
	       n, now_ms() - t0, busy);
	EXPECT_EQ(0, sim_counter(0, "watchdogs"));
	EXPECT_TRUE(state_has("power awake"));
	/* the watchdog still runs on the gaps: a pause ends the wake */
	usleep(1400 * 1000);
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_EQ(1, sim_counter(0, "watchdogs"));
}

TEST_F(sim, watchdog_refuses_late_command)
{
	struct chip *c = &self->c;
	u8 digest[32], vin[128] = { [0] = 1, [32] = 1 };
	double t0;

	digest_of("late", digest);
	/*
	 * Verify takes 105 ms x 6 = 630 ms here, so any arrival between 670
	 * and 1300 ms after the wake cannot finish in time: aim at the
	 * middle, so that scheduling delays under emulation cannot push the
	 * command past the watchdog (a NACK) or before the window.
	 */
	ASSERT_EQ(0, sim_write(0, "timing_pct", "600"));
	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	t0 = now_ms();
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	sleep_until(t0, 985);
	EXPECT_EQ(ATECC_ST_WATCHDOG, cmd(c, ATECC_OP_VERIFY,
					 ATECC_VERIFY_EXTERNAL,
					 ATECC_VERIFY_CURVE_P256, vin, 128,
					 NULL, 0));
	EXPECT_EQ(0, sim_counter(0, "verify"));
}

TEST_F(sim, private_key_never_read)
{
	struct chip *c = &self->c;
	u8 buf[32], valid[4];

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, "608b", 1));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_READ,
				     ATECC_ZONE_DATA | ATECC_ZONE_32,
				     DATA_ADDR(0, 0, 0), NULL, 0, buf, 32));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_READ, ATECC_ZONE_DATA,
				     DATA_ADDR(0, 0, 1), NULL, 0, buf, 4));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_READ, ATECC_ZONE_DATA,
				     DATA_ADDR(0, 1, 0), NULL, 0, buf, 4));
	/* Slot 0 holds a valid key, cannot be replaced or written */
	ASSERT_EQ(0, cmd(c, ATECC_OP_INFO, ATECC_INFO_KEYVALID, 0, NULL, 0,
			 valid, 4));
	EXPECT_EQ(1, valid[0]);
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE,
				     0, NULL, 0, buf, 32));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_WRITE,
				     ATECC_ZONE_DATA | ATECC_ZONE_32,
				     DATA_ADDR(0, 0, 0), buf, 32, NULL, 0));
	/* Clear-read data is readable */
	EXPECT_EQ(0, cmd(c, ATECC_OP_READ, ATECC_ZONE_DATA | ATECC_ZONE_32,
			 DATA_ADDR(8, 0, 0), NULL, 0, buf, 32));
}

static int write_slot(struct chip *c, u16 slot, const u8 *data)
{
	return cmd(c, ATECC_OP_WRITE, ATECC_ZONE_DATA | ATECC_ZONE_32,
		   DATA_ADDR(slot, 0, 0), data, 32, NULL, 0);
}

static int lock(struct chip *c, u8 mode, u16 crc)
{
	return cmd(c, ATECC_OP_LOCK, mode, crc, NULL, 0, NULL, 0);
}

TEST_F(sim, lock_rules)
{
	struct chip *c = &self->c;
	u8 cfg[128], data[32] = { 1, 2, 3, 4 }, back[32], pub[64], w[4];
	u16 crc;

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, read_config(c, cfg));
	/* Unlocked: no data reads, no data writes, serial read-only */
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_READ,
				     ATECC_ZONE_DATA | ATECC_ZONE_32,
				     DATA_ADDR(8, 0, 0), NULL, 0, back, 32));
	EXPECT_EQ(ATECC_ST_EXEC, write_slot(c, 8, data));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, 0,
				     cfg, 4, NULL, 0));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG,
				     0x15, cfg + 84, 4, NULL, 0));
	memcpy(w, cfg + 20, 4);	/* SlotConfig 0 and 1, unchanged */
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG,
					0x05, w, 4, NULL, 0));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_DATA | ATECC_LOCK_NOCRC,
				      0));
	/* Config lock: the CRC must match the 128 bytes as stored */
	crc = atecc_crc16(cfg, 128);
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_CONFIG, crc ^ 1));
	EXPECT_TRUE(state_has("config unlocked"));
	ASSERT_EQ(ATECC_ST_SUCCESS, lock(c, ATECC_LOCK_CONFIG, crc));
	EXPECT_TRUE(state_has("config locked"));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_CONFIG, crc));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_NOCRC, 0));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG,
				     0x05, w, 4, NULL, 0));
	/* Config locked, data unlocked: write, generate, but not read */
	ASSERT_EQ(0, rewake(c));
	EXPECT_EQ(ATECC_ST_SUCCESS, write_slot(c, 8, data));
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE, 1, NULL, 0,
			 pub, 64));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, LOCK_SLOT(8), 0));
	ASSERT_EQ(ATECC_ST_SUCCESS, lock(c, ATECC_LOCK_DATA | ATECC_LOCK_NOCRC,
					 0));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_DATA | ATECC_LOCK_NOCRC,
				      0));
	/* Data locked: WriteConfig rules; private keys stay unreadable */
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_READ, ATECC_ZONE_DATA | ATECC_ZONE_32,
			 DATA_ADDR(8, 0, 0), NULL, 0, back, 32));
	EXPECT_EQ(0, memcmp(back, data, 32));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_READ,
				     ATECC_ZONE_DATA | ATECC_ZONE_32,
				     DATA_ADDR(1, 0, 0), NULL, 0, back, 32));
	EXPECT_EQ(ATECC_ST_EXEC, write_slot(c, 1, data));
	EXPECT_EQ(ATECC_ST_SUCCESS, write_slot(c, 9, data));
	/* Lock one slot (KeyConfig Lockable): writes refused, once only */
	ASSERT_EQ(ATECC_ST_SUCCESS, lock(c, LOCK_SLOT(8), 0));
	EXPECT_EQ(ATECC_ST_EXEC, write_slot(c, 8, data));
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, LOCK_SLOT(8), 0));
	EXPECT_TRUE(state_has("locked_slots 0x0100"));
	/* Random is random once the config is locked */
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, back, 32));
	EXPECT_FALSE(back[0] == 0xff && back[1] == 0xff && back[2] == 0 &&
		     back[3] == 0 && back[4] == 0xff && back[5] == 0xff);
}

TEST_F(sim, lock_data_with_crc)
{
	struct chip *c = &self->c;
	u8 zone[1208 + 64] = { 0 }, data[32];
	int i;

	for (i = 0; i < 32; i++)
		data[i] = i * 7 + 1;
	memcpy(zone + 8 * 36, data, 32);	/* slot 8 starts at byte 288 */
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(ATECC_ST_SUCCESS, lock(c, ATECC_LOCK_NOCRC, 0));
	ASSERT_EQ(ATECC_ST_SUCCESS, write_slot(c, 8, data));
	/* The summary: CRC of all slots in order, then the OTP zone */
	EXPECT_EQ(ATECC_ST_EXEC, lock(c, ATECC_LOCK_DATA,
				      atecc_crc16(zone, 1208)));
	EXPECT_TRUE(state_has("data unlocked"));
	EXPECT_EQ(ATECC_ST_SUCCESS, lock(c, ATECC_LOCK_DATA,
					 atecc_crc16(zone, sizeof(zone))));
	EXPECT_TRUE(state_has("data locked"));
}

TEST_F(sim, ecdh_into_slot)
{
	struct chip *c = &self->c;
	u8 w[4], pub[64], peer_pub[64], secret[32], expect[32];
	EVP_PKEY *peer = ossl_keygen();
	long long writes;

	ASSERT_NE(NULL, peer);
	ASSERT_TRUE(ossl_pub(peer, peer_pub));
	ASSERT_EQ(0, wake(c));
	/* Slot 2: WriteECDH (0x208F); slot 3: clear data (0x0000/0x003C) */
	w[0] = 0x8f; w[1] = 0x20; w[2] = 0x00; w[3] = 0x00;
	ASSERT_EQ(0, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, 0x06, w, 4,
			 NULL, 0));
	w[0] = 0x33; w[1] = 0x00; w[2] = 0x3c; w[3] = 0x00;
	ASSERT_EQ(0, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, 3 << 3 | 1, w,
			 4, NULL, 0));
	ASSERT_EQ(0, lock(c, ATECC_LOCK_NOCRC, 0));
	ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PRIVATE, 2, NULL, 0,
			 pub, 64));
	ASSERT_EQ(0, lock(c, ATECC_LOCK_DATA | ATECC_LOCK_NOCRC, 0));
	writes = sim_counter(0, "eeprom_writes");
	ASSERT_EQ(0, rewake(c));
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_ECDH, ATECC_ECDH_COMPAT, 2,
					peer_pub, 64, NULL, 0));
	EXPECT_EQ(writes + 1, sim_counter(0, "eeprom_writes"));
	ASSERT_EQ(0, cmd(c, ATECC_OP_READ, ATECC_ZONE_DATA | ATECC_ZONE_32,
			 DATA_ADDR(3, 0, 0), NULL, 0, secret, 32));
	ASSERT_TRUE(ossl_ecdh(peer, pub, expect));
	EXPECT_EQ(0, memcmp(secret, expect, 32));
	EVP_PKEY_free(peer);
}

/* Nonce random mode: TempKey = SHA-256(RandOut ‖ NumIn ‖ 16 ‖ mode ‖ 00) */
static void check_nonce_random(struct __test_metadata *_metadata,
			       struct chip *c, u8 mode)
{
	u8 msg[55], tempkey[32], vin[128], rand_out[32];
	EVP_PKEY *key = ossl_keygen();
	int i;

	ASSERT_NE(NULL, key);
	for (i = 0; i < 20; i++)
		msg[32 + i] = i + mode;
	ASSERT_EQ(0, rewake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_NONCE, mode, 0, msg + 32, 20, rand_out,
			 32));
	EXPECT_TRUE(state_has("tempkey valid random"));
	ASSERT_EQ(0, doze(c));	/* idle keeps TempKey; OpenSSL's time */
	memcpy(msg, rand_out, 32);
	msg[52] = ATECC_OP_NONCE;
	msg[53] = mode;
	msg[54] = 0x00;
	SHA256(msg, sizeof(msg), tempkey);
	/* Verify external checks a signature over TempKey: ours must pass */
	ASSERT_TRUE(ossl_sign(key, tempkey, vin));
	ASSERT_TRUE(ossl_pub(key, vin + 64));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_VERIFY,
					ATECC_VERIFY_EXTERNAL,
					ATECC_VERIFY_CURVE_P256, vin, 128,
					NULL, 0));
	/* A random TempKey is not a message Sign accepts */
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_SIGN, ATECC_SIGN_EXTERNAL, 0,
				     NULL, 0, vin, 64));
	EVP_PKEY_free(key);
}

TEST_F(sim, nonce_random_mode)
{
	struct chip *c = &self->c;
	u8 numin[20] = { 0 };

	sim_close(c);
	ASSERT_EQ(0, sim_load(c, "608b", 1));
	ASSERT_EQ(0, wake(c));
	check_nonce_random(_metadata, c, ATECC_NONCE_RANDOM);
	check_nonce_random(_metadata, c, ATECC_NONCE_RANDOM_NOSEED);
	EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_NONCE, ATECC_NONCE_RANDOM, 0,
				      numin, 19, NULL, 0)) TH_LOG("NumIn 19");
}

TEST_F(sim, sha_matches_openssl)
{
	struct chip *c = &self->c;
	u8 msg[100], digest[32], expect[32];
	int i;

	for (i = 0; i < 100; i++)
		msg[i] = i * 3;
	SHA256(msg, sizeof(msg), expect);
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_SHA, ATECC_SHA_UPDATE, 64,
				     msg, 64, NULL, 0)) TH_LOG("not started");
	ASSERT_EQ(0, cmd(c, ATECC_OP_SHA, ATECC_SHA_START, 0, NULL, 0, NULL,
			 0));
	EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_SHA, ATECC_SHA_UPDATE, 32,
				      msg, 32, NULL, 0));
	ASSERT_EQ(0, cmd(c, ATECC_OP_SHA, ATECC_SHA_UPDATE, 64, msg, 64, NULL,
			 0));
	ASSERT_EQ(0, cmd(c, ATECC_OP_SHA, ATECC_SHA_END, 36, msg + 64, 36,
			 digest, 32));
	EXPECT_EQ(0, memcmp(digest, expect, 32));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_SHA, ATECC_SHA_END, 0, NULL,
				     0, digest, 32)) TH_LOG("context used up");
	EXPECT_EQ(0, sim_counter(0, "eeprom_writes"));
}

TEST_F(sim, counter_increments)
{
	struct chip *c = &self->c;
	u8 v[4];

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_COUNTER, 0, 1, NULL, 0, v, 4));
	EXPECT_EQ(0, v[0] | v[1] | v[2] | v[3]);
	ASSERT_EQ(0, cmd(c, ATECC_OP_COUNTER, 1, 1, NULL, 0, v, 4));
	ASSERT_EQ(0, cmd(c, ATECC_OP_COUNTER, 1, 1, NULL, 0, v, 4));
	EXPECT_EQ(2, v[0]);
	ASSERT_EQ(0, cmd(c, ATECC_OP_COUNTER, 0, 0, NULL, 0, v, 4));
	EXPECT_EQ(0, v[0]);
	EXPECT_EQ(ATECC_ST_PARSE, cmd(c, ATECC_OP_COUNTER, 0, 2, NULL, 0,
				      v, 4));
	EXPECT_EQ(2, sim_counter(0, "eeprom_writes"));
}

TEST_F(sim, long_watchdog)
{
	struct chip *c = &self->c;
	u8 w[4] = { ADDR << 1, 0x00, 0x00, 0x04 };	/* ChipMode bit 2 */
	char buf[512], *p;

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, 0x04, w, 4,
			 NULL, 0));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));
	ASSERT_GT(dbg_read("state", buf, sizeof(buf)), 0);
	p = strstr(buf, "watchdog_ms ");
	ASSERT_NE(NULL, p);
	EXPECT_GT(atoi(p + 12), 12000);
}

/* Info must work normally: the "next transaction works" check */
static int info_ok(struct chip *c)
{
	u8 rev[4];
	int ret = info_rev(c, rev);

	return ret ? ret : (rev[2] == 0x60 && rev[3] == 0x03 ? 0 : -EPROTO);
}

static void fault(struct __test_metadata *_metadata, const char *spec)
{
	ASSERT_EQ(0, sim_write(0, "fault", spec)) TH_LOG("fault %s", spec);
}

TEST_F(sim, fault_nack)
{
	struct chip *c = &self->c;
	char buf[64];
	u8 rnd[32];

	ASSERT_EQ(0, wake(c));
	fault(_metadata, "nack");
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("nack count=1\n", buf);
	EXPECT_EQ(-ENXIO, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("none\n", buf);
	EXPECT_EQ(0, info_ok(c));
	/* Only the next K commands with that opcode */
	fault(_metadata, "nack count=2 op=0x30");
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("nack count=2 op=0x30\n", buf);
	EXPECT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, rnd, 32));
	EXPECT_EQ(-ENXIO, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	EXPECT_EQ(-ENXIO, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(3, sim_counter(0, "faults_injected"));
}

TEST_F(sim, fault_crc_and_count)
{
	struct chip *c = &self->c;
	u8 rsp[16];

	ASSERT_EQ(0, wake(c));
	fault(_metadata, "crc");
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	EXPECT_EQ(-EBADMSG, recv_rsp(c, rsp, sizeof(rsp)));
	EXPECT_EQ(0x07, rsp[0]);
	EXPECT_EQ(0, info_ok(c));

	fault(_metadata, "count");
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, rsp, 7));
	EXPECT_EQ(0x08, rsp[0]);
	EXPECT_EQ(0x60, rsp[3]);
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(2, sim_counter(0, "faults_injected"));
}

TEST_F(sim, fault_exec_error)
{
	struct chip *c = &self->c;
	u8 rnd[32];

	ASSERT_EQ(0, wake(c));
	fault(_metadata, "exec_error");
	EXPECT_EQ(ATECC_ST_EXEC, info_rev(c, rnd));
	EXPECT_EQ(0, sim_counter(0, "info")) TH_LOG("not executed");
	EXPECT_EQ(0, info_ok(c));
	fault(_metadata, "exec_error count=1 op=0x1b");
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(ATECC_ST_EXEC, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, rnd,
				     32));
	EXPECT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, rnd, 32));
}

TEST_F_TIMEOUT(sim, fault_stall, 30)
{
	struct chip *c = &self->c;
	double t0;
	u8 r[4];

	t0 = now_ms();
	ASSERT_EQ(0, wake(c));
	fault(_metadata, "stall");
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	usleep(500 * 1000);
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 1));
	EXPECT_EQ(-ENXIO, word_addr(c, ATECC_WA_RESET));
	EXPECT_TRUE(state_has("busy 1"));
	sleep_until(t0, 1800);
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));
}

TEST_F(sim, fault_watchdog)
{
	struct chip *c = &self->c;
	u8 digest[32] = { 0 }, r[4];

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, nonce_load(c, digest));
	fault(_metadata, "watchdog");
	ASSERT_EQ(0, send_cmd(c, ATECC_OP_INFO, 0, 0, NULL, 0));
	EXPECT_EQ(-ENXIO, bus_read(c->fd, ADDR, r, 4));
	EXPECT_TRUE(state_has("power asleep"));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, tempkey_valid(c));
	EXPECT_EQ(0, info_ok(c));
}

/* --- op=wake: faults in the wake sequence ----------------------------- */

static void fault_reads(struct __test_metadata *_metadata, const char *want)
{
	char buf[64];

	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ(want, buf);
}

/* The wake token alone; NACKs ignored as a driver does */
static int wake_token(struct chip *c)
{
	u8 zero = 0;

	return bus_write(c->fd, c->addr, &zero, 1, I2C_M_IGNORE_NAK);
}

TEST_F(sim, fault_wake_nack)
{
	struct chip *c = &self->c;
	u8 r[4];

	ASSERT_TRUE(state_has("power asleep"));
	fault(_metadata, "nack op=wake");
	fault_reads(_metadata, "nack count=1 op=wake\n");
	/* the pulse does not wake it: the wake read is NACKed */
	EXPECT_EQ(-ENXIO, wake_at(c, ADDR, r));
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_EQ(0, sim_counter(0, "wakes"));
	EXPECT_EQ(1, sim_counter(0, "faults_injected"));
	fault_reads(_metadata, "none\n");
	/* the next wake works */
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));

	/* an awake chip's commands do not use it; K wakes do, from idle too */
	fault(_metadata, "nack count=2 op=wake");
	EXPECT_EQ(0, info_ok(c));
	fault_reads(_metadata, "nack count=2 op=wake\n");
	ASSERT_EQ(0, word_addr(c, ATECC_WA_IDLE));
	EXPECT_EQ(-ENXIO, wake_at(c, ADDR, r));
	EXPECT_TRUE(state_has("power idle"));
	EXPECT_EQ(-ENXIO, wake_at(c, ADDR, r));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(3, sim_counter(0, "faults_injected"));
	EXPECT_EQ(2, sim_counter(0, "wakes"));
}

TEST_F(sim, fault_wake_crc_and_count)
{
	static const u8 bad_crc[4] = { 0x04, 0x11, 0xcc, 0xbc };
	static const u8 bad_count[4] = { 0x05, 0x11, 0x33, 0x43 };
	struct chip *c = &self->c;
	u8 r[4];

	fault(_metadata, "crc op=wake");
	ASSERT_EQ(0, wake_at(c, ADDR, r));
	EXPECT_EQ(0, memcmp(r, bad_crc, 4))
		TH_LOG("%02x %02x %02x %02x", r[0], r[1], r[2], r[3]);
	/* awake all the same; a re-read shows the same reply */
	EXPECT_TRUE(state_has("power awake"));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_RESET));
	ASSERT_EQ(0, bus_read(c->fd, ADDR, r, 4));
	EXPECT_EQ(0, memcmp(r, bad_crc, 4));
	EXPECT_EQ(0, info_ok(c));
	/* sleep and wake again: a good reply */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));

	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	fault(_metadata, "count op=wake");
	ASSERT_EQ(0, wake_at(c, ADDR, r));
	EXPECT_EQ(0, memcmp(r, bad_count, 4))
		TH_LOG("%02x %02x %02x %02x", r[0], r[1], r[2], r[3]);
	EXPECT_EQ(0, info_ok(c));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(2, sim_counter(0, "faults_injected"));
}

TEST_F_TIMEOUT(sim, fault_wake_stall, 30)
{
	struct chip *c = &self->c;
	double t0;
	u8 r[4];

	fault(_metadata, "stall op=wake");
	t0 = now_ms();
	EXPECT_EQ(-ENXIO, wake_at(c, ADDR, r));
	/* awake but answering nothing, token or read, until the watchdog */
	EXPECT_TRUE(state_has("power awake"));
	EXPECT_TRUE(state_has("busy 1"));
	usleep(500 * 1000);
	EXPECT_EQ(-ENXIO, wake_at(c, ADDR, r));
	EXPECT_EQ(-ENXIO, word_addr(c, ATECC_WA_RESET));
	EXPECT_EQ(1, sim_counter(0, "faults_injected"));
	EXPECT_EQ(1, sim_counter(0, "wakes"));
	sleep_until(t0, 1800);
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_EQ(1, sim_counter(0, "watchdogs"));
	EXPECT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(1, sim_counter(0, "faults_injected"));
}

TEST_F_TIMEOUT(sim, fault_wake_bus, 30)
{
	struct chip *c = &self->c;
	double t;

	/* the adapter fails the wake token; the chip saw nothing */
	fault(_metadata, "bus_ebusy op=wake");
	fault_reads(_metadata, "bus_ebusy count=1 op=wake\n");
	EXPECT_EQ(-EBUSY, wake_token(c));
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_EQ(0, sim_counter(0, "wakes"));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(1, sim_counter(0, "faults_injected"));

	/* not a transfer to an awake chip, nor the sleep that it takes */
	fault(_metadata, "bus_etimedout count=2 op=wake");
	EXPECT_EQ(0, info_ok(c));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	fault_reads(_metadata, "bus_etimedout count=2 op=wake\n");
	EXPECT_EQ(-ETIMEDOUT, wake_token(c));
	EXPECT_EQ(-ETIMEDOUT, wake(c));
	EXPECT_TRUE(state_has("power asleep"));
	ASSERT_EQ(0, wake(c));
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(3, sim_counter(0, "faults_injected"));

	/* a stretched wake token: it wakes the chip, 4 s late */
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	fault(_metadata, "bus_stretch op=wake");
	t = now_ms();
	EXPECT_EQ(0, wake(c));
	t = now_ms() - t;
	EXPECT_GE(t, 4000.0);
	EXPECT_LT(t, 5000.0);
	EXPECT_EQ(0, info_ok(c));
	EXPECT_EQ(4, sim_counter(0, "faults_injected"));
}

TEST_F(sim, fault_syntax)
{
	char buf[64];

	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "bogus"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "nack count=0"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "nack op=0x1ff"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "none count=2"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "nack op=wakeup"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "exec_error op=wake"));
	EXPECT_EQ(-EINVAL, sim_write(0, "fault", "watchdog op=wake"));
	EXPECT_EQ(0, sim_write(0, "fault", "stall op=wake count=3"));
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("stall count=3 op=wake\n", buf);
	EXPECT_EQ(0, sim_write(0, "fault", "stall count=3 op=0x41\n"));
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("stall count=3 op=0x41\n", buf);
	EXPECT_EQ(0, sim_write(0, "fault", "none"));
	ASSERT_GT(dbg_read("fault", buf, sizeof(buf)), 0);
	EXPECT_STREQ("none\n", buf);
}

TEST_F(sim, counters_count)
{
	struct chip *c = &self->c;
	u8 cfg[32], rnd[32];
	u8 badcrc[] = { 0x03, 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5e };

	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, info_ok(c));
	ASSERT_EQ(0, info_ok(c));
	ASSERT_EQ(0, cmd(c, ATECC_OP_RANDOM, 0, 0, NULL, 0, rnd, 32));
	ASSERT_EQ(0, bus_write(c->fd, ADDR, badcrc, sizeof(badcrc), 0));
	ASSERT_EQ(4, recv_rsp(c, cfg, sizeof(cfg)));
	ASSERT_EQ(0, read_cfg_block(c, 0, cfg));
	ASSERT_EQ(ATECC_ST_SUCCESS, cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG,
					0x05, cfg + 20, 4, NULL, 0));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, word_addr(c, ATECC_WA_IDLE));
	EXPECT_EQ(2, sim_counter(0, "wakes"));
	EXPECT_EQ(1, sim_counter(0, "sleeps"));
	EXPECT_EQ(1, sim_counter(0, "idles"));
	EXPECT_EQ(1, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(1, sim_counter(0, "crc_errors"));
	EXPECT_EQ(0, sim_counter(0, "faults_injected"));
	EXPECT_EQ(2, sim_counter(0, "info"));
	EXPECT_EQ(10000, sim_counter(0, "info_us"));
	EXPECT_EQ(1, sim_counter(0, "random"));
	EXPECT_EQ(23000, sim_counter(0, "random_us"));
	EXPECT_EQ(1, sim_counter(0, "read"));
	EXPECT_EQ(1, sim_counter(0, "write"));
	EXPECT_EQ(45000, sim_counter(0, "write_us"));
	EXPECT_EQ(0, sim_counter(0, "sign"));
	ASSERT_EQ(0, sim_write(0, "timing_pct", "200"));
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, info_ok(c));
	EXPECT_EQ(20000, sim_counter(0, "info_us"));
	EXPECT_EQ(-EINVAL, sim_write(0, "counters", "5"));
	EXPECT_EQ(0, sim_write(0, "counters", "0"));
	EXPECT_EQ(0, sim_counter(0, "wakes"));
	EXPECT_EQ(0, sim_counter(0, "info_us"));
}

TEST_F(sim, debugfs_knobs)
{
	unsigned long allocs = 1;

	EXPECT_EQ(-EINVAL, sim_write(0, "timing", "2"));
	EXPECT_EQ(-EINVAL, sim_write(0, "timing_pct", "0"));
	EXPECT_EQ(-EINVAL, sim_write(0, "timing_pct", "1001"));
	EXPECT_EQ(0, sim_write(0, "timing_pct", "1000"));
	EXPECT_EQ(0, sim_write(0, "timing_pct", "1"));
	EXPECT_EQ(0, sim_write(0, "timing", "1"));
	EXPECT_TRUE(state_has("power asleep"));
	EXPECT_TRUE(state_has("model 608b"));
	ASSERT_EQ(0, wake(&self->c));
	EXPECT_TRUE(state_has("power awake"));
	EXPECT_TRUE(state_has("tempkey invalid"));
	EXPECT_TRUE(state_has("config unlocked"));
	EXPECT_TRUE(state_has("data unlocked"));
	ASSERT_EQ(0, file_read_ulong(SIM_DIR "/allocations", &allocs));
	EXPECT_EQ(0UL, allocs);
}

TEST_F(sim, bad_params_refused)
{
	static const char * const bad[] = {
		"chips=0", "chips=9", "model=609b", "provisioned=2",
		"instantiate=2",
	};
	unsigned int i;

	sim_close(&self->c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, kmod_load(SIM, bad[i])) TH_LOG("param %u", i);
	EXPECT_FALSE(kmod_loaded(SIM));
}

TEST_F(sim, several_chips)
{
	struct chip *c = &self->c;
	u8 cfg[3][32], r[4], zero = 0;
	int i;

	sim_close(c);
	ASSERT_EQ(0, sim_open(c, "chips=3 instantiate=0"));
	for (i = 0; i < 3; i++) {
		c->addr = ADDR + i;
		ASSERT_EQ(0, wake(c));
		ASSERT_EQ(0, read_cfg_block(c, 0, cfg[i]));
		EXPECT_EQ((ADDR + i) << 1, cfg[i][ATECC_CFG_I2C_ADDRESS]);
		ASSERT_EQ(0, word_addr(c, ATECC_WA_SLEEP));
	}
	EXPECT_NE(0, memcmp(cfg[0], cfg[1], 13));
	EXPECT_NE(0, memcmp(cfg[1], cfg[2], 13));
	EXPECT_NE(0, memcmp(cfg[0], cfg[2], 13));
	EXPECT_NE(0, wake_at(c, ADDR + 3, r));
	/* One general call wakes them all */
	EXPECT_EQ(-ENXIO, bus_write(c->fd, 0x00, &zero, 1, 0));
	usleep(2000);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, bus_read(c->fd, ADDR + i, r, 4));
		EXPECT_TRUE(is_wake_reply(r));
	}
}

TEST_F(sim, instantiate_clients)
{
	struct chip *c = &self->c;
	char path[128], name[32];

	sim_close(c);
	ASSERT_EQ(0, sim_open(c, "chips=2 model=508a instantiate=1"));
	snprintf(path, sizeof(path), "/sys/bus/i2c/devices/%d-0061/name",
		 c->bus);
	ASSERT_GT(file_read(path, name, sizeof(name)), 0);
	EXPECT_STREQ("atecc508a\n", name);
	/* new_device, as on a board without a device tree */
	sim_close(c);
	ASSERT_EQ(0, sim_open(c, "chips=1 instantiate=0"));
	snprintf(path, sizeof(path), "/sys/bus/i2c/devices/i2c-%d/new_device",
		 c->bus);
	ASSERT_EQ(0, file_write(path, "atecc608b 0x60"));
	snprintf(path, sizeof(path), "/sys/bus/i2c/devices/%d-0060/name",
		 c->bus);
	ASSERT_GT(file_read(path, name, sizeof(name)), 0);
	EXPECT_STREQ("atecc608b\n", name);
	/* Unloading with the clients in place must be clean (teardown) */
}

/* One load, a transaction (with crypto every few rounds), one unload */
static void cycle(struct __test_metadata *_metadata, struct chip *c, int i)
{
	static const char * const models[] = { "608b", "608a", "508a" };
	u8 pub[64], vin[128] = { 0 };
	char params[96], path[96];
	unsigned long allocs = 1;

	snprintf(params, sizeof(params),
		 "chips=2 model=%s provisioned=%d instantiate=%d",
		 models[i % 3], i % 2, i % 4 == 0);
	ASSERT_EQ(0, sim_open(c, params));
	if (i % 4 == 1) {
		snprintf(path, sizeof(path),
			 "/sys/bus/i2c/devices/i2c-%d/new_device", c->bus);
		ASSERT_EQ(0, file_write(path, "atecc608b 0x61"));
	}
	ASSERT_EQ(0, wake(c));
	ASSERT_EQ(0, info_rev(c, pub));
	if (i % 10 == 1) {
		ASSERT_EQ(0, cmd(c, ATECC_OP_GENKEY, ATECC_GENKEY_PUBLIC, 0,
				 NULL, 0, pub, 64));
		memcpy(vin + 64, pub, 64);
		ASSERT_EQ(0, nonce_load(c, vin));
		EXPECT_EQ(ATECC_ST_MISCOMPARE,
			  cmd(c, ATECC_OP_VERIFY, ATECC_VERIFY_EXTERNAL,
			      ATECC_VERIFY_CURVE_P256, vin, 128, NULL, 0));
	}
	ASSERT_EQ(0, file_read_ulong(SIM_DIR "/allocations", &allocs));
	EXPECT_EQ(0UL, allocs);
	close(c->fd);
	c->fd = -1;
	ASSERT_EQ(0, kmod_unload(SIM));
}

TEST_F_TIMEOUT(sim, load_unload_100, 120)
{
	long warn0, ok0;
	int i;

	sim_close(&self->c);
	warn0 = dmesg_count("WARNING");
	ok0 = dmesg_count("iotsec_sim: unloaded, 0 allocations");
	for (i = 0; i < 100; i++)
		cycle(_metadata, &self->c, i);
	EXPECT_EQ(ok0 + 100, dmesg_count("iotsec_sim: unloaded, 0 allocations"));
	EXPECT_EQ(warn0, dmesg_count("WARNING"));
	EXPECT_EQ(0, dmesg_count("allocations leaked"));
}

TEST_HARNESS_MAIN
