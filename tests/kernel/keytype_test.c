// SPDX-License-Identifier: GPL-2.0
/*
 * The key type "iotsec" (kernel/iotsec/keytype.c) in the VM, against the
 * simulator.  The acceptance path runs the stock keyutils keyctl and
 * openssl commands (add, read, pkey_query, pkey_sign, pkey_verify, openssl
 * pkeyutl -verify, a second uid through setpriv); the rest makes the same
 * system calls through libkeyutils and checks signatures with libcrypto, so
 * that the whole file runs in well under a minute under TCG: bad payloads
 * refused with their errno and nothing written to the chip, generate
 * (allowed and refused slots, older keys of the slot go stale), unbind and
 * rmmod during use (ENODEV, no oops), rebind and re-add, the other models.
 * A last fixture provisions a chip of its own through /dev/i2c-N to test
 * each slot policy a generate must refuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <keyutils.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcompat.h"
#include "atecc/crc.h"
#include "atecc/wire.h"
#include "kselftest_harness.h"
#include "kmod.h"
#include "simctl.h"

#define DRV_DIR		"/sys/bus/i2c/drivers/iotsec"
#define SIM_ADDR	0x60
#define BOUND_MS	5000.0
#define SN_HEX		(2 * ATECC_SN_SIZE + 1)
#define INFO		"enc=x962 hash=sha256"
#define SPKI_SIZE	91
#define OTHER_UID	1000
#define OUT_MAX		4096
#define OSSL_VERIFY	"openssl pkeyutl -verify -pubin -keyform DER " \
			"-inkey pub.der -sigfile sig -in"

struct env {
	int bus;
	char dev[32];
	char serial[SN_HEX];
	char wd[64];
};

/* ---- modules, simulator, driver binding ---- */

static int drv_write(const char *file, const char *dev)
{
	char path[128];

	snprintf(path, sizeof(path), DRV_DIR "/%s", file);
	return file_write(path, dev);
}

static int read_serial(struct env *e)
{
	char path[160];
	ssize_t n;

	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/serial_number", e->dev);
	n = file_read(path, e->serial, sizeof(e->serial));
	if (n < 0)
		return (int)n;
	e->serial[strcspn(e->serial, "\n")] = '\0';
	return strlen(e->serial) == SN_HEX - 1 ? 0 : -EIO;
}

/* Loads the simulator (one chip) and the driver; waits until bound. */
static int sim_up(struct env *e, const char *params, bool bind)
{
	char p[128];

	snprintf(p, sizeof(p), "chips=1 %s", params);
	e->bus = sim_bus_up(p);
	if (e->bus < 0)
		return e->bus;
	snprintf(e->dev, sizeof(e->dev), "%d-%04x", e->bus, SIM_ADDR);
	if (!bind)
		return 0;
	if (!iotsec_wait_bound(e->dev, BOUND_MS))
		return -ETIMEDOUT;
	return read_serial(e);
}

static int put_file(const struct env *e, const char *name, const u8 *buf,
		    size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", e->wd, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * A work directory every uid can use, with dgst and dgst2: the SHA-256
 * digests of two random messages.
 */
static int workdir_up(struct env *e)
{
	u8 msg[1000], dgst[SHA256_DIGEST_LENGTH];
	int ret;

	snprintf(e->wd, sizeof(e->wd), "/tmp/keytype.XXXXXX");
	if (!mkdtemp(e->wd) || chmod(e->wd, 0777))
		return -errno;
	RAND_bytes(msg, sizeof(msg));
	SHA256(msg, sizeof(msg), dgst);
	ret = put_file(e, "dgst", dgst, sizeof(dgst));
	msg[0] ^= 1;
	SHA256(msg, sizeof(msg), dgst);
	return ret ? ret : put_file(e, "dgst2", dgst, sizeof(dgst));
}

static void workdir_down(struct env *e)
{
	char cmd[128];

	if (!e->wd[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->wd);
	run_cmd(cmd);
}

/*
 * Our own session keyring: every keyctl run from here possesses the keys
 * linked into @s, whatever keyrings the harness started with.
 */
static int env_up(struct env *e, const char *params)
{
	int ret;

	memset(e, 0, sizeof(*e));
	iotsec_modules_down();
	if (keyctl_join_session_keyring(NULL) < 0)
		return -errno;
	ret = kmod_load("iotsec", NULL);
	if (!ret)
		ret = sim_up(e, params, true);
	if (!ret)
		ret = workdir_up(e);
	return ret;
}

/* ---- the key type through libkeyutils (the calls keyctl makes) ---- */

static int desc_seq;

/* add_key("iotsec") into our session keyring: the key id or -errno. */
static long kt_add(const char *payload)
{
	char desc[32];
	long id;

	snprintf(desc, sizeof(desc), "kt %d", ++desc_seq);
	id = add_key("iotsec", desc, payload, strlen(payload),
		     KEY_SPEC_SESSION_KEYRING);
	return id < 0 ? -errno : id;
}

static long kt_add_slot(const struct env *e, int slot, const char *extra)
{
	char payload[128];

	snprintf(payload, sizeof(payload), "chip=%s slot=%d%s", e->serial,
		 slot, extra);
	return kt_add(payload);
}

/* keyctl read: the DER public key; its length or -errno. */
static int kt_pub(long id, u8 *der, size_t len)
{
	long n = keyctl_read(id, (char *)der, len);

	return n < 0 ? -errno : (int)n;
}

static int kt_sign(long id, const u8 *dgst, u8 *sig)
{
	long n = keyctl_pkey_sign(id, INFO, dgst, 32, sig, 72);

	return n < 0 ? -errno : (int)n;
}

static int kt_verify(long id, const u8 *dgst, const u8 *sig, size_t len)
{
	return keyctl_pkey_verify(id, INFO, dgst, 32, sig, len) ? -errno : 0;
}

/* OpenSSL's verdict on a DER signature of a digest: 1 good, 0 not. */
static int ossl_verify(const u8 *der, size_t derlen, const u8 *dgst,
		       const u8 *sig, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, derlen);
	EVP_PKEY_CTX *ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
	int ok;

	ok = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_verify(ctx, sig, len, dgst, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* Signs a digest with the key; the kernel and OpenSSL both verify it. */
static void sign_checked(struct __test_metadata *_metadata, long id)
{
	u8 dgst[32], der[128], sig[72];
	int n, len;

	RAND_bytes(dgst, sizeof(dgst));
	len = kt_pub(id, der, sizeof(der));
	ASSERT_EQ(SPKI_SIZE, len) TH_LOG("read: %s", strerror(-len));
	n = kt_sign(id, dgst, sig);
	ASSERT_LT(0, n) TH_LOG("pkey_sign: %s", strerror(-n));
	ASSERT_EQ(0, kt_verify(id, dgst, sig, n));
	ASSERT_EQ(1, ossl_verify(der, len, dgst, sig, n));
	dgst[0] ^= 1;
	ASSERT_EQ(-EKEYREJECTED, kt_verify(id, dgst, sig, n));
	ASSERT_EQ(0, ossl_verify(der, len, dgst, sig, n));
}

/* ---- the stock keyctl and openssl commands ---- */

/* Runs a command in the work directory; its stdout+stderr go to out. */
static int sh(const struct env *e, char *out, size_t len, const char *fmt,
	      ...)
{
	char cmd[1024], full[1200], junk[256];
	va_list ap;
	size_t n = 0;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd %s && { %s ; } 2>&1", e->wd, cmd);
	f = popen(full, "r");
	if (!f)
		return -errno;
	if (out && len) {
		n = fread(out, 1, len - 1, f);
		out[n] = '\0';
	}
	while (fread(junk, 1, sizeof(junk), f) > 0)
		;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* "a key" or the errno's text, for messages about kt_add() */
static const char *outcome(long id)
{
	return id > 0 ? "a key" : strerror(-id);
}

/* keyctl's message names the errno: perror() prints strerror(). */
static bool says(const char *out, int err)
{
	return strstr(out, strerror(err));
}

static int file_bytes(const struct env *e, const char *name, u8 *buf,
		      size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", e->wd, name);
	return (int)file_read_bin(path, buf, len);
}

/* ---- one provisioned ATECC608B ---- */

FIXTURE(kt)
{
	struct env e;
};

FIXTURE_SETUP(kt)
{
	int ret = env_up(&self->e, "model=608b provisioned=1");

	ASSERT_EQ(0, ret) TH_LOG("setting up: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(kt)
{
	workdir_down(&self->e);
	iotsec_modules_down();
}

/*
 * The acceptance path, all with the stock commands: keyctl add, read,
 * pkey_query, pkey_sign, pkey_verify; openssl reads the public key and
 * verifies the chip's signature; a wrong digest fails both.
 */
TEST_F_TIMEOUT(kt, keyctl_and_openssl, 120)
{
	long long sign0, writes0;
	char out[OUT_MAX];
	u8 der[128], sig[128];
	long id;
	int n;

	sign0 = sim_counter(0, "sign");
	writes0 = sim_counter(0, "eeprom_writes");
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl add iotsec 'device key' 'chip=%s slot=0' @s",
			self->e.serial)) TH_LOG("keyctl add: %s", out);
	id = strtol(out, NULL, 10);
	ASSERT_LT(0, id);

	/* keyctl read (hex) and pipe (raw): SubjectPublicKeyInfo DER */
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out), "keyctl read %ld", id));
	EXPECT_TRUE(strstr(out, "91 bytes of data in key")) TH_LOG("%s", out);
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl pipe %ld > pub.der && openssl pkey -pubin -inform DER -in pub.der -noout -text",
			id)) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "prime256v1")) TH_LOG("%s", out);
	ASSERT_EQ(SPKI_SIZE, file_bytes(&self->e, "pub.der", der, sizeof(der)));
	EXPECT_EQ(0x04, der[26]);

	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl pkey_query %ld 0 " INFO, id)) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "key_size=256\n")) TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "max_data_size=32\n"));
	EXPECT_TRUE(strstr(out, "max_sig_size=72\n"));
	EXPECT_TRUE(strstr(out, "max_enc_size=0\n"));
	EXPECT_TRUE(strstr(out, "max_dec_size=0\n"));
	EXPECT_TRUE(strstr(out, "encrypt=n\n"));
	EXPECT_TRUE(strstr(out, "decrypt=n\n"));
	EXPECT_TRUE(strstr(out, "sign=y\n"));
	EXPECT_TRUE(strstr(out, "verify=y\n"));

	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl pkey_sign %ld 0 dgst " INFO " > sig", id))
		TH_LOG("%s", out);
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl pkey_verify %ld 0 dgst sig " INFO, id))
		TH_LOG("%s", out);
	n = file_bytes(&self->e, "sig", sig, sizeof(sig));
	EXPECT_TRUE(n >= 8 && n <= 72 && sig[0] == 0x30 && sig[1] == n - 2)
		TH_LOG("signature of %d bytes", n);
	EXPECT_EQ(sign0 + 1, sim_counter(0, "sign"));
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out), OSSL_VERIFY " dgst"))
		TH_LOG("%s", out);
	EXPECT_TRUE(strstr(out, "Signature Verified Successfully"));

	/* the digest of another message: both say no */
	EXPECT_NE(0, sh(&self->e, out, sizeof(out),
			"keyctl pkey_verify %ld 0 dgst2 sig " INFO, id));
	EXPECT_TRUE(says(out, EKEYREJECTED)) TH_LOG("%s", out);
	EXPECT_NE(0, sh(&self->e, out, sizeof(out), OSSL_VERIFY " dgst2"));
	EXPECT_TRUE(strstr(out, "Signature Verification Failure"))
		TH_LOG("%s", out);

	/* a bad payload: keyctl names the errno */
	EXPECT_NE(0, sh(&self->e, out, sizeof(out),
			"keyctl add iotsec 'bad' 'chip=%s slot=16' @s",
			self->e.serial));
	EXPECT_TRUE(says(out, ERANGE)) TH_LOG("%s", out);
}

TEST_F(kt, query)
{
	struct keyctl_pkey_query q;
	long id = kt_add("chip=0 slot=0");

	ASSERT_LT(0, id) TH_LOG("add: %s", strerror(-id));
	memset(&q, 0xff, sizeof(q));
	ASSERT_EQ(0, keyctl_pkey_query(id, INFO, &q));
	EXPECT_EQ(256, q.key_size);
	EXPECT_EQ(KEYCTL_SUPPORTS_SIGN | KEYCTL_SUPPORTS_VERIFY,
		  q.supported_ops);
	EXPECT_EQ(32, q.max_data_size);
	EXPECT_EQ(72, q.max_sig_size);
	EXPECT_EQ(0, q.max_enc_size);
	EXPECT_EQ(0, q.max_dec_size);
	/* without info, and with enc= alone: the same answer */
	ASSERT_EQ(0, keyctl_pkey_query(id, "", &q));
	EXPECT_EQ(256, q.key_size);
	ASSERT_EQ(0, keyctl_pkey_query(id, "enc=x962", &q));
	EXPECT_EQ(72, q.max_sig_size);
	/* an encoding or a hash we do not do */
	EXPECT_EQ(-1, keyctl_pkey_query(id, "enc=pkcs1", &q));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_query(id, "enc=x962 hash=sha1", &q));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(kt, serial_and_index_name_the_same_key)
{
	u8 a[128], b[128];
	char line[512], want[64];
	long id1, id2;
	bool found = false;
	FILE *f;

	id1 = kt_add_slot(&self->e, 0, "");
	id2 = kt_add("slot=0\tchip=0\n");
	ASSERT_LT(0, id1);
	ASSERT_LT(0, id2);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id1, a, sizeof(a)));
	ASSERT_EQ(SPKI_SIZE, kt_pub(id2, b, sizeof(b)));
	EXPECT_EQ(0, memcmp(a, b, SPKI_SIZE));
	sign_checked(_metadata, id1);
	/* describe, in /proc/keys */
	snprintf(want, sizeof(want), ": chip %s slot 0", self->e.serial);
	f = fopen("/proc/keys", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " iotsec ") && strstr(line, want))
			found = true;
	fclose(f);
	EXPECT_TRUE(found) TH_LOG("no '%s' in /proc/keys", want);
}

struct bad_payload {
	const char *fmt;	/* %s: the chip's serial */
	int err;
};

static const struct bad_payload bad_payloads[] = {
	{ "garbage", EINVAL },
	{ " ", EINVAL },
	{ "chip=%s", EINVAL },
	{ "slot=0", EINVAL },
	{ "chip=%s slot=0 slot=0", EINVAL },
	{ "chip=%s slot=0 chip=0", EINVAL },
	{ "chip=%s slot=x", EINVAL },
	{ "chip=%s slot=-1", EINVAL },
	{ "chip=%s slot=0x1", EINVAL },
	{ "chip=%s slot=", EINVAL },
	{ "chip= slot=0", EINVAL },
	{ "chip=-1 slot=0", EINVAL },
	{ "chip=%s slot=0 colour=red", EINVAL },
	{ "chip=%s slot=0 generate generate", EINVAL },
	{ "chip=%s slot=0 Generate", EINVAL },
	{ "chip=0123456789abcdefgh slot=0", EINVAL },
	{ "chip=%s slot=0 %200s", EINVAL },	/* too long */
	{ "chip=%s slot=16", ERANGE },
	{ "chip=%s slot=99999999999", ERANGE },
	{ "chip=0123ffffffffffffee slot=0", ENODEV },
	{ "chip=7 slot=0", ENODEV },
	{ "chip=%s slot=9", ENOKEY },		/* P-256 public key slot */
	{ "chip=%s slot=6", ENOKEY },		/* AES key */
	{ "chip=%s slot=8", ENOKEY },		/* data */
	{ "chip=%s slot=9 generate", ENOKEY },
	{ "chip=%s slot=0 generate", EPERM },	/* permanent key */
};

TEST_F(kt, bad_payloads_refused_nothing_written)
{
	long long writes0, genkey0, sign0;
	char payload[512];
	unsigned int i;
	long id;

	writes0 = sim_counter(0, "eeprom_writes");
	genkey0 = sim_counter(0, "genkey");
	sign0 = sim_counter(0, "sign");
	ASSERT_LE(0, writes0);
	for (i = 0; i < ARRAY_SIZE(bad_payloads); i++) {
		snprintf(payload, sizeof(payload), bad_payloads[i].fmt,
			 self->e.serial, "");
		id = kt_add(payload);
		EXPECT_EQ(-bad_payloads[i].err, id)
			TH_LOG("'%.60s': want %s, got %s", payload,
			       strerror(bad_payloads[i].err),
			       outcome(id));
	}
	/* empty, and with a NUL inside */
	EXPECT_EQ(-1, add_key("iotsec", "kt", "", 0, KEY_SPEC_SESSION_KEYRING));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, add_key("iotsec", "kt", "chip=0\0slot=0", 13,
			      KEY_SPEC_SESSION_KEYRING));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(genkey0, sim_counter(0, "genkey"));
	EXPECT_EQ(sign0, sim_counter(0, "sign"));

	/* key slots with no key yet: the chip is asked, writes nothing */
	EXPECT_EQ(-ENOKEY, kt_add_slot(&self->e, 1, ""));
	EXPECT_EQ(-ENOKEY, kt_add("chip=0 slot=3"));
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(sign0, sim_counter(0, "sign"));
}

TEST_F(kt, bad_operations_refused)
{
	static const u8 r_zero[] = { 0x30, 0x06, 0x02, 0x01, 0x00, 0x02,
				     0x01, 0x01 };
	u8 dgst[64] = { 1 }, sig[128], junk[72];
	long id, writes0;
	int n;

	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	n = kt_sign(id, dgst, sig);
	ASSERT_LT(0, n);
	writes0 = sim_counter(0, "eeprom_writes");

	/* encrypt, decrypt: keyctl's size check (our sizes are 0)... */
	EXPECT_EQ(-1, keyctl_pkey_encrypt(id, INFO, dgst, 32, sig, 72));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_decrypt(id, INFO, sig, n, dgst, 32));
	EXPECT_EQ(EINVAL, errno);
	/* ...and the key type when that check lets them through */
	EXPECT_EQ(-1, keyctl_pkey_encrypt(id, INFO, dgst, 0, sig, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, keyctl_pkey_decrypt(id, INFO, dgst, 0, sig, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);

	/* sign: enc=x962, hash sha256 or none, a 32-byte digest */
	EXPECT_EQ(-1, keyctl_pkey_sign(id, "", dgst, 32, sig, 72));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_sign(id, "enc=x962 hash=sha384", dgst, 32,
				       sig, 72));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_sign(id, INFO, dgst, 31, sig, 72));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_sign(id, INFO, dgst, 33, sig, 72));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, keyctl_pkey_sign(id, INFO, dgst, 32, sig, 73));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LT(0, keyctl_pkey_sign(id, "enc=x962", dgst, 32, sig, 72));

	/* verify: not DER, r = 0, cut short */
	n = kt_sign(id, dgst, sig);
	ASSERT_LT(0, n);
	memset(junk, 0xa5, sizeof(junk));
	EXPECT_EQ(-EBADMSG, kt_verify(id, dgst, junk, sizeof(junk)));
	EXPECT_EQ(-EKEYREJECTED, kt_verify(id, dgst, r_zero, sizeof(r_zero)));
	memcpy(junk, sig, 20);
	EXPECT_NE(0, kt_verify(id, dgst, junk, 20));
	EXPECT_EQ(0, kt_verify(id, dgst, sig, n));
	EXPECT_EQ(-1, keyctl_pkey_verify(id, "enc=raw", dgst, 32, sig, n));
	EXPECT_EQ(EINVAL, errno);

	/* update: this key type has none, even with write permission */
	ASSERT_EQ(0, keyctl_setperm(id, 0x3f3f0000));
	EXPECT_EQ(-1, keyctl_update(id, "chip=0 slot=0", 13));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
}

TEST_F(kt, generate_in_writable_slot)
{
	u8 k0[128], k1[128], k2[128], k3[128], dgst[32] = { 2 }, sig[72];
	long long writes0, genkey0;
	long id0, id1, id2, id3;
	char line[512];
	bool stale = false;
	FILE *f;

	id0 = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id0);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id0, k0, sizeof(k0)));
	writes0 = sim_counter(0, "eeprom_writes");
	genkey0 = sim_counter(0, "genkey");

	id1 = kt_add("chip=0 slot=2 generate");
	ASSERT_LT(0, id1) TH_LOG("generate: %s", strerror(-id1));
	EXPECT_EQ(writes0 + 1, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(genkey0 + 1, sim_counter(0, "genkey"));
	ASSERT_EQ(SPKI_SIZE, kt_pub(id1, k1, sizeof(k1)));
	EXPECT_NE(0, memcmp(k0, k1, SPKI_SIZE));
	sign_checked(_metadata, id1);

	/* the slot's key, added again without generate: the same key */
	id2 = kt_add_slot(&self->e, 2, "");
	ASSERT_LT(0, id2);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id2, k2, sizeof(k2)));
	EXPECT_EQ(0, memcmp(k1, k2, SPKI_SIZE));

	/* a new key in the slot: a new public key; the older keys go stale */
	id3 = kt_add_slot(&self->e, 2, " generate");
	ASSERT_LT(0, id3);
	EXPECT_EQ(writes0 + 2, sim_counter(0, "eeprom_writes"));
	ASSERT_EQ(SPKI_SIZE, kt_pub(id3, k3, sizeof(k3)));
	EXPECT_NE(0, memcmp(k1, k3, SPKI_SIZE));
	sign_checked(_metadata, id3);
	EXPECT_EQ(-ESTALE, kt_sign(id1, dgst, sig));
	EXPECT_EQ(-ESTALE, kt_sign(id2, dgst, sig));
	EXPECT_EQ(-ESTALE, kt_pub(id2, k2, sizeof(k2)));
	f = fopen("/proc/keys", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " iotsec ") && strstr(line, "(stale)"))
			stale = true;
	fclose(f);
	EXPECT_TRUE(stale);
	/* the key of slot 0 is untouched */
	sign_checked(_metadata, id0);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Runs a shell command as another uid, in a session keyring of its own. */
static int sh_as(const struct env *e, char *out, size_t len, const char *cmd)
{
	return sh(e, out, len,
		  "setpriv --reuid=%d --regid=%d --clear-groups keyctl session - sh -c '%s'",
		  OTHER_UID, OTHER_UID, cmd);
}

TEST_F_TIMEOUT(kt, second_uid_needs_a_grant, 60)
{
	char out[OUT_MAX], cmd[512];
	u8 der[128], sig[128], dgst[32];
	long id;
	int n;

	if (run_cmd("command -v setpriv > /dev/null"))
		SKIP(return, "setpriv (util-linux) not installed");
	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id, der, sizeof(der)));

	snprintf(cmd, sizeof(cmd),
		 "keyctl pkey_query %ld 0 %s; keyctl pkey_sign %ld 0 dgst %s > sig.%d; keyctl pipe %ld > /dev/null",
		 id, INFO, id, INFO, OTHER_UID, id);
	EXPECT_NE(0, sh_as(&self->e, out, sizeof(out), cmd));
	EXPECT_EQ(3, count(out, "Permission denied")) TH_LOG("%s", out);

	/* the grant: the key to that uid, with view, read and search */
	ASSERT_EQ(0, sh(&self->e, out, sizeof(out),
			"keyctl chown %ld %d && keyctl setperm %ld 0x3f0b0000",
			id, OTHER_UID, id)) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd),
		 "keyctl pkey_sign %ld 0 dgst %s > sig.%d && keyctl pkey_verify %ld 0 dgst sig.%d %s && keyctl pipe %ld | cmp - pub.%d",
		 id, INFO, OTHER_UID, id, OTHER_UID, INFO, id, OTHER_UID);
	ASSERT_EQ(0, sh(&self->e, NULL, 0, "keyctl pipe %ld > pub.%d", id,
			OTHER_UID));
	EXPECT_EQ(0, sh_as(&self->e, out, sizeof(out), cmd)) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "sig.%d", OTHER_UID);
	n = file_bytes(&self->e, cmd, sig, sizeof(sig));
	ASSERT_LT(0, n);
	ASSERT_EQ(32, file_bytes(&self->e, "dgst", dgst, sizeof(dgst)));
	EXPECT_EQ(1, ossl_verify(der, SPKI_SIZE, dgst, sig, n));

	/* and taken back */
	ASSERT_EQ(0, keyctl_setperm(id, 0x3f010000));
	snprintf(cmd, sizeof(cmd), "keyctl pkey_sign %ld 0 dgst %s > sig.%d",
		 id, INFO, OTHER_UID);
	EXPECT_NE(0, sh_as(&self->e, out, sizeof(out), cmd));
	EXPECT_TRUE(says(out, EACCES)) TH_LOG("%s", out);
}

/*
 * A thread that signs in a loop, gap_us apart, until told to stop or
 * failures pile up; every failure must be an allowed errno, and a key that
 * failed never works again.
 */
struct signer {
	pthread_t tid;
	long id;
	unsigned int gap_us;
	const int *allowed;
	int stop;
	long long ok;
	long long failed;
	int first_err;
	int bad_err;
};

static bool allowed_err(const struct signer *s, int err)
{
	const int *p;

	for (p = s->allowed; *p; p++)
		if (*p == err)
			return true;
	return false;
}

static void *signer_fn(void *arg)
{
	struct signer *s = arg;
	u8 dgst[32], sig[72];
	long n;

	memset(dgst, 0x5a, sizeof(dgst));
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE) && s->failed < 20) {
		n = keyctl_pkey_sign(s->id, INFO, dgst, 32, sig, sizeof(sig));
		if (n > 0) {
			if (s->failed)
				s->bad_err = -1;
			__atomic_add_fetch(&s->ok, 1, __ATOMIC_RELEASE);
		} else {
			if (!s->failed)
				s->first_err = errno;
			if (!allowed_err(s, errno))
				s->bad_err = errno;
			s->failed++;
		}
		if (s->gap_us)
			usleep(s->gap_us);
	}
	return NULL;
}

static int signer_start(struct signer *s, long id, const int *allowed,
			unsigned int gap_us)
{
	double end = now_ms() + BOUND_MS;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->allowed = allowed;
	s->gap_us = gap_us;
	if (pthread_create(&s->tid, NULL, signer_fn, s))
		return -EAGAIN;
	while (__atomic_load_n(&s->ok, __ATOMIC_ACQUIRE) < 3 && now_ms() < end)
		usleep(5000);
	return __atomic_load_n(&s->ok, __ATOMIC_ACQUIRE) < 3 ? -EIO : 0;
}

static void signer_stop(struct signer *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->tid, NULL);
}

static bool proc_keys_has(const char *a, const char *b)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/keys", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && strstr(line, b))
			found = true;
	fclose(f);
	return found;
}

TEST_F_TIMEOUT(kt, unbind_during_use_then_rebind, 60)
{
	static const int allowed[] = { ENODEV, 0 };
	u8 old[128], der[128], dgst[32] = { 3 }, sig[72];
	struct keyctl_pkey_query q;
	char out[OUT_MAX];
	struct signer s;
	long id, id2;

	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id, old, sizeof(old)));
	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, signer_start(&s, id, allowed, 0));
	ASSERT_EQ(0, drv_write("unbind", self->e.dev));
	usleep(100000);
	signer_stop(&s);
	TH_LOG("%lld signatures before the unbind, %lld failures after (%s)",
	       s.ok, s.failed, strerror(s.first_err));
	EXPECT_EQ(0, s.bad_err) TH_LOG("%s", strerror(s.bad_err));
	EXPECT_EQ(ENODEV, s.first_err);

	/* every operation: ENODEV; read still gives the public key */
	EXPECT_NE(0, sh(&self->e, out, sizeof(out),
			"keyctl pkey_sign %ld 0 dgst " INFO " > sig", id));
	EXPECT_TRUE(says(out, ENODEV)) TH_LOG("%s", out);
	EXPECT_EQ(-1, keyctl_pkey_query(id, INFO, &q));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-ENODEV, kt_verify(id, dgst, sig, 8));
	EXPECT_EQ(SPKI_SIZE, kt_pub(id, der, sizeof(der)));
	EXPECT_TRUE(proc_keys_has(" iotsec ", "(chip gone)"));
	/* no new key for the chip meanwhile */
	EXPECT_EQ(-ENODEV, kt_add("chip=0 slot=0"));
	EXPECT_EQ(-ENODEV, kt_add_slot(&self->e, 0, ""));

	/* rebind: the old key stays dead, a new one works, same key */
	ASSERT_EQ(0, drv_write("bind", self->e.dev));
	ASSERT_TRUE(iotsec_wait_bound(self->e.dev, BOUND_MS));
	ASSERT_EQ(0, sim_write(0, "timing", "0"));
	EXPECT_EQ(-ENODEV, kt_sign(id, dgst, sig));
	id2 = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id2);
	sign_checked(_metadata, id2);
	ASSERT_EQ(SPKI_SIZE, kt_pub(id2, der, sizeof(der)));
	EXPECT_EQ(0, memcmp(old, der, SPKI_SIZE));
	EXPECT_EQ(-ENODEV, kt_sign(id, dgst, sig));
}

TEST_F_TIMEOUT(kt, rmmod_simulator_during_use, 60)
{
	static const int allowed[] = { ENODEV, 0 };
	u8 dgst[32] = { 4 }, sig[72];
	struct signer s;
	long id, id2;
	int ret;

	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, signer_start(&s, id, allowed, 0));
	ASSERT_EQ(0, kmod_unload("iotsec_sim"));
	usleep(100000);
	signer_stop(&s);
	TH_LOG("%lld signatures before the rmmod, %lld failures after (%s)",
	       s.ok, s.failed, strerror(s.first_err));
	EXPECT_EQ(0, s.bad_err) TH_LOG("%s", strerror(s.bad_err));
	EXPECT_EQ(-ENODEV, kt_sign(id, dgst, sig));

	/* a new simulator (a new serial): add by index works, old key dead */
	ret = sim_up(&self->e, "model=608b provisioned=1", true);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	id2 = kt_add("chip=0 slot=0");
	ASSERT_LT(0, id2) TH_LOG("%s", strerror(-id2));
	sign_checked(_metadata, id2);
	EXPECT_EQ(-ENODEV, kt_sign(id, dgst, sig));
}

/*
 * rmmod iotsec: refused (busy) while an operation runs; done between two.
 * The key type goes with its keys: they are dead, then unlinked and gone
 * (keyctl refuses them by itself), and nothing of the module runs any more.
 */
TEST_F_TIMEOUT(kt, rmmod_driver_during_use, 60)
{
	static const int allowed[] = { ENODEV, EKEYREVOKED, EACCES,
				       EOPNOTSUPP, ENOKEY, 0 };
	u8 dgst[32] = { 5 }, sig[72];
	struct signer s;
	long id;

	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, signer_start(&s, id, allowed, 20000));
	ASSERT_EQ(0, kmod_unload("iotsec"));
	usleep(100000);
	signer_stop(&s);
	TH_LOG("%lld signatures before the rmmod, %lld failures after (%s)",
	       s.ok, s.failed, strerror(s.first_err));
	EXPECT_EQ(0, s.bad_err) TH_LOG("%s", strerror(s.bad_err));
	EXPECT_GT(0, kt_sign(id, dgst, sig));
	EXPECT_EQ(0, run_cmd("cat /proc/keys > /dev/null"));
	EXPECT_EQ(-ENODEV, kt_add("chip=0 slot=0"));	/* no such type */

	/* back: the chip binds again and takes new keys */
	ASSERT_EQ(0, kmod_load("iotsec", NULL));
	ASSERT_TRUE(iotsec_wait_bound(self->e.dev, BOUND_MS));
	ASSERT_EQ(0, sim_write(0, "timing", "0"));
	id = kt_add_slot(&self->e, 0, "");
	ASSERT_LT(0, id);
	sign_checked(_metadata, id);
}

/* ---- the other models: the same key type over their command sets ---- */

FIXTURE(model)
{
	struct env e;
};

FIXTURE_VARIANT(model)
{
	const char *model;
};

FIXTURE_VARIANT_ADD(model, atecc608a)
{
	.model = "608a",
};

FIXTURE_VARIANT_ADD(model, atecc508a)
{
	.model = "508a",
};

FIXTURE_SETUP(model)
{
	char params[64];
	int ret;

	snprintf(params, sizeof(params), "model=%s provisioned=1",
		 variant->model);
	ret = env_up(&self->e, params);
	ASSERT_EQ(0, ret) TH_LOG("setting up: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(model)
{
	workdir_down(&self->e);
	iotsec_modules_down();
}

TEST_F(model, sign_verify_generate)
{
	long id = kt_add_slot(&self->e, 0, "");

	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	sign_checked(_metadata, id);
	EXPECT_EQ(-EPERM, kt_add_slot(&self->e, 0, " generate"));
	id = kt_add_slot(&self->e, 3, " generate");
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	sign_checked(_metadata, id);
}

/* ---- a factory-fresh chip: no keys until it is provisioned ---- */

FIXTURE(fresh)
{
	struct env e;
};

FIXTURE_SETUP(fresh)
{
	int ret = env_up(&self->e, "model=608b provisioned=0");

	ASSERT_EQ(0, ret) TH_LOG("setting up: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(fresh)
{
	workdir_down(&self->e);
	iotsec_modules_down();
}

TEST_F(fresh, unprovisioned_chip_refused)
{
	long long writes0 = sim_counter(0, "eeprom_writes");

	EXPECT_EQ(-ENOKEY, kt_add("chip=0 slot=0"));
	EXPECT_EQ(-ENOKEY, kt_add("chip=0 slot=2 generate"));
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(0, sim_counter(0, "genkey"));
}

/*
 * ---- a chip provisioned here, through /dev/i2c-N ----
 *
 * The driver is not bound while the test writes the config zone and locks
 * it: a plain I2C client (the i2c-dev ioctls) speaks the chip's protocol.
 */

struct rawchip {
	int fd;
};

static int raw_xfer(struct rawchip *c, u16 flags, u8 *buf, u16 len)
{
	struct i2c_msg msg = {
		.addr = SIM_ADDR, .flags = flags, .len = len, .buf = buf,
	};
	struct i2c_rdwr_ioctl_data d = { .msgs = &msg, .nmsgs = 1 };

	return ioctl(c->fd, I2C_RDWR, &d) < 0 ? -errno : 0;
}

static int raw_wake(struct rawchip *c)
{
	u8 b = 0, rsp[4];

	raw_xfer(c, 0, &b, 1);		/* NACKed: the wake token */
	usleep(2000);
	if (raw_xfer(c, I2C_M_RD, rsp, 4))
		return -EIO;
	return rsp[0] == 4 && rsp[1] == ATECC_ST_WAKE ? 0 : -EIO;
}

/* One command; its reply (count, data, crc) in rsp; the status or -errno */
static int raw_cmd(struct rawchip *c, u8 op, u8 p1, u16 p2, const u8 *data,
		   u8 dlen, u8 *rsp, u8 rlen)
{
	u8 buf[ATECC_CMD_MAX + 1];
	int i;

	if (raw_xfer(c, 0, buf, atecc_packet(buf, op, p1, p2, data, dlen)))
		return -EIO;
	for (i = 0; i < 500; i++) {	/* NACKed while busy */
		usleep(1000);
		if (!raw_xfer(c, I2C_M_RD, rsp, rlen))
			break;
	}
	if (i == 500 || !atecc_crc16_ok(rsp, rsp[0] - ATECC_CRC_SIZE))
		return -EIO;
	return rsp[0] == ATECC_RSP_STATUS ? rsp[1] : 0;
}

static int raw_write_word(struct rawchip *c, unsigned int off, const u8 *w)
{
	u8 rsp[4];
	u16 addr = (off / ATECC_BLOCK) << 3 | (off % ATECC_BLOCK) / 4;

	return raw_cmd(c, ATECC_OP_WRITE, ATECC_ZONE_CONFIG, addr, w, 4, rsp,
		       sizeof(rsp));
}

static void put_le16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

/* The policies under test; slots not named are data. */
struct slot_policy {
	u8 slot;
	u16 sc;
	u16 kc;
};

#define KC_P256_PRIV	0x0033	/* private, PubInfo, P-256, lockable */

static const struct slot_policy policies[] = {
	{ 0, 0x2087, KC_P256_PRIV },	/* good GenKey slot */
	{ 1, 0x2007, KC_P256_PRIV },	/* IsSecret clear: readable */
	{ 2, 0x6087, KC_P256_PRIV },	/* PrivWrite allowed */
	{ 3, 0x2087, KC_P256_PRIV },	/* locked below */
	{ 4, 0x2086, KC_P256_PRIV },	/* no external signing */
	{ 5, 0x2087, 0x0031 },		/* no PubInfo */
	{ 6, 0x2087, 0x00b3 },		/* needs an authorization key */
};

/* Writes slot policies 0-7 (config bytes 20-35 and 96-111), locks all. */
static int provision(struct rawchip *c)
{
	u8 sc[16] = { 0 }, kc[16] = { 0 }, rsp[4];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < 8; i++)
		put_le16(kc + 2 * i, 0x003c);	/* data, lockable */
	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		put_le16(sc + 2 * policies[i].slot, policies[i].sc);
		put_le16(kc + 2 * policies[i].slot, policies[i].kc);
	}
	for (i = 0; i < 16 && !ret; i += 4)
		ret = raw_write_word(c, ATECC_CFG_SLOTCONFIG + i, sc + i);
	for (i = 0; i < 16 && !ret; i += 4)
		ret = raw_write_word(c, ATECC_CFG_KEYCONFIG + i, kc + i);
	if (!ret)
		ret = raw_cmd(c, ATECC_OP_LOCK, ATECC_LOCK_NOCRC | ATECC_LOCK_CONFIG,
			      0, NULL, 0, rsp, sizeof(rsp));
	if (!ret)
		ret = raw_cmd(c, ATECC_OP_LOCK, ATECC_LOCK_NOCRC | ATECC_LOCK_DATA,
			      0, NULL, 0, rsp, sizeof(rsp));
	if (!ret)
		ret = raw_cmd(c, ATECC_OP_LOCK, ATECC_LOCK_SLOT | 3 << 2, 0,
			      NULL, 0, rsp, sizeof(rsp));
	return ret;
}

FIXTURE(custom)
{
	struct env e;
};

FIXTURE_SETUP(custom)
{
	struct rawchip c;
	char path[64], cmd[128];
	u8 sleep = ATECC_WA_SLEEP;
	int ret;

	memset(&self->e, 0, sizeof(self->e));
	iotsec_modules_down();
	ASSERT_LE(0, keyctl_join_session_keyring(NULL));
	if (i2c_dev_up())
		SKIP(return, "no i2c-dev module");
	ret = sim_up(&self->e, "model=608b provisioned=0 instantiate=0", false);
	ASSERT_EQ(0, ret) TH_LOG("simulator: %s", strerror(-ret));
	snprintf(path, sizeof(path), "/dev/i2c-%d", self->e.bus);
	c.fd = open(path, O_RDWR);
	ASSERT_LE(0, c.fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, raw_wake(&c));
	ret = provision(&c);
	raw_xfer(&c, 0, &sleep, 1);
	close(c.fd);
	ASSERT_EQ(0, ret) TH_LOG("provisioning: status/errno %d", ret);

	ASSERT_EQ(0, kmod_load("iotsec", NULL));
	/* a device tree's node at SIM_ADDR is the client already (arm64) */
	if (!client_from_dt(self->e.dev)) {
		snprintf(path, sizeof(path), I2C_DEV_DIR "/i2c-%d/new_device",
			 self->e.bus);
		snprintf(cmd, sizeof(cmd), "atecc608b 0x%02x", SIM_ADDR);
		ASSERT_EQ(0, file_write(path, cmd));
	}
	ASSERT_TRUE(iotsec_wait_bound(self->e.dev, BOUND_MS));
	ASSERT_EQ(0, read_serial(&self->e));
	ASSERT_EQ(0, workdir_up(&self->e));
}

FIXTURE_TEARDOWN(custom)
{
	workdir_down(&self->e);
	iotsec_modules_down();
}

struct refusal {
	int slot;
	const char *extra;
	int err;
};

TEST_F(custom, generate_refused_by_slot_policy)
{
	static const struct refusal cases[] = {
		{ 1, " generate", EPERM },	/* the key would be readable */
		{ 1, "", EPERM },		/* readable: never shown as a chip key */
		{ 2, " generate", EPERM },	/* it could be replaced */
		{ 3, " generate", EPERM },	/* slot locked */
		{ 4, " generate", EPERM },	/* cannot sign */
		{ 4, "", EPERM },
		{ 5, "", EPERM },		/* no public key */
		{ 6, " generate", EOPNOTSUPP },
		{ 7, " generate", ENOKEY },	/* data slot */
	};
	long long writes0, genkey0;
	unsigned int i;
	long id;

	writes0 = sim_counter(0, "eeprom_writes");
	genkey0 = sim_counter(0, "genkey");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		id = kt_add_slot(&self->e, cases[i].slot, cases[i].extra);
		EXPECT_EQ(-cases[i].err, id)
			TH_LOG("slot %d%s: want %s, got %s", cases[i].slot,
			       cases[i].extra, strerror(cases[i].err),
			       outcome(id));
	}
	EXPECT_EQ(writes0, sim_counter(0, "eeprom_writes"));
	EXPECT_EQ(genkey0, sim_counter(0, "genkey"));

	/* the good slot takes a key, which signs */
	id = kt_add_slot(&self->e, 0, " generate");
	ASSERT_LT(0, id) TH_LOG("%s", strerror(-id));
	EXPECT_EQ(writes0 + 1, sim_counter(0, "eeprom_writes"));
	sign_checked(_metadata, id);
}

TEST_HARNESS_MAIN
