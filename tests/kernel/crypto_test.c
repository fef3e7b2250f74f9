// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto API providers of iotsec.ko in the VM: kpp ecdh-nist-p256 and
 * akcipher ecdsa-nist-p256 (driver names ...-iotsec).
 *
 *  - /proc/crypto: both registered, self-tests passed, highest priority.
 *  - X.509: Debian's 6.1 has no ECDSA of its own, so every signature check
 *    below is ours (from 6.13, where ours ranks below the kernel's ecdsa,
 *    they are the kernel's, and x962() must not have picked ours): an openssl-made P-256 root is added to a keyring (its
 *    self-signature verified), a second keyring is restricted to it with
 *    key_or_keyring:<root>:chain, an intermediate and leaves (SHA-256,
 *    -384, -224 signatures) go in; a leaf of another root, a leaf with a
 *    flipped signature byte and a root with a broken self-signature are
 *    refused.  Driven with the stock keyctl command.
 *  - ECDH through algif_kpp: software path (no chip, or a given key) and
 *    chip path (simulator), each secret equal to OpenSSL's for the public
 *    key we got; 100 chip ECDHs leave the EEPROM write counter alone while
 *    GenKey and ECDH counters grow; one TempKey owner per chip; a key in
 *    a 608's TempKey outlives a signature with the chip key (keyctl on an
 *    iotsec key: Nonce 0x43 and Sign 0xA0, no seed-update Random while the
 *    key is held) and the secret equals OpenSSL's, while on a 508A the kpp
 *    key is software and the signature goes through TempKey; the hwrng
 *    waits for a held TempKey (tempkey_hold_ms, 30 s by default: a key
 *    outlives a busy hwrng reader for longer than the 5 s hold of before),
 *    and a Random after the hold voids it (EKEYEXPIRED, and one log line
 *    naming the Random); a key kept across a pause longer than the chip's
 *    watchdog stays usable; injected faults give an error or the right
 *    secret, never a wrong one, and the next round works.
 *  - Through the test module tests/kernel/kmod/iotsec_cryptotest.ko
 *    (skipped when not built): requests without MAY_SLEEP (completed from
 *    the workqueue), software and chip signatures (checked with OpenSSL,
 *    resp. our verify of the chip's public key), sign faults, bad handles.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <keyutils.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kcompat.h"
#include "atecc/wire.h"
#include "kselftest_harness.h"
#include "kmod.h"
#include "simctl.h"
#include "ossl_p256.h"
#include "kpp.h"

#define PUB		KPP_P256_PUB
#define SECRET		KPP_P256_SECRET
#define PRIV		KPP_P256_PRIV
#define RNG_DIR		"/sys/class/misc/hw_random"
#define KMOD		"iotsec_cryptotest"
#define KMOD_PARAMS	"/sys/module/" KMOD "/parameters/"
#define KPP_DRV		"ecdh-nist-p256-iotsec"
#define SIG_DRV		"ecdsa-nist-p256-iotsec"
#define BOUND_MS	5000.0
#define FAULT_MS	5000.0	/* a faulted operation ends within this */
#define ROUNDS		100
#define PAUSE_US	1500000	/* longer than the simulator's 1.3 s watchdog */
#define HOLD_PARAM	"/sys/module/iotsec/parameters/tempkey_hold_ms"
#define HOLD_DEFAULT_MS	30000	/* kernel/iotsec/seq.c tempkey_hold_ms */
#define HOLD_MS		3000	/* what the lapse test sets */
#define OLD_HOLD_MS	5000	/* the hold before issue 17's load rounds */
#define RNG_READ	96	/* more than the hwrng core keeps back */
#define SIGN_INFO	"enc=x962 hash=sha256"
#define SPKI_SIZE	91	/* DER SubjectPublicKeyInfo of a P-256 key */

/* --- small helpers ------------------------------------------------------- */

static void hex2bin(const char *hex, uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void bin2hex(const uint8_t *in, size_t len, char *hex)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", in[i]);
	hex[2 * len] = '\0';
}

static int sim_fault(const char *spec)
{
	return file_write(SIM_DIR "/chip0/fault", spec);
}

struct counters {
	long long genkey, ecdh, sign, eeprom_writes;
};

static void counters_read(struct counters *c)
{
	c->genkey = sim_counter(0, "genkey");
	c->ecdh = sim_counter(0, "ecdh");
	c->sign = sim_counter(0, "sign");
	c->eeprom_writes = sim_counter(0, "eeprom_writes");
}

static int load(const char *name, const char *params)
{
	int ret = kmod_load(name, params);

	return ret == -EEXIST ? 0 : ret;
}

static void modules_down(void)
{
	kmod_unload(KMOD);
	iotsec_modules_down();
}

/* --- /proc/crypto -------------------------------------------------------- */

struct alg_entry {
	char name[128], driver[128], type[32], selftest[32];
	int priority;
};

/* Calls fn for every block of /proc/crypto. */
static int proc_crypto_each(void (*fn)(const struct alg_entry *, void *),
			    void *arg)
{
	struct alg_entry e = { .priority = -1 };
	char line[256], key[64], val[128];
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '\n') {
			if (e.name[0])
				fn(&e, arg);
			memset(&e, 0, sizeof(e));
			e.priority = -1;
			continue;
		}
		if (sscanf(line, "%63s : %127[^\n]", key, val) != 2)
			continue;
		if (!strcmp(key, "name"))
			strcpy(e.name, val);
		else if (!strcmp(key, "driver"))
			strcpy(e.driver, val);
		else if (!strcmp(key, "type"))
			snprintf(e.type, sizeof(e.type), "%.31s", val);
		else if (!strcmp(key, "selftest"))
			snprintf(e.selftest, sizeof(e.selftest), "%.31s", val);
		else if (!strcmp(key, "priority"))
			e.priority = atoi(val);
	}
	if (e.name[0])
		fn(&e, arg);
	fclose(f);
	return 0;
}

struct alg_query {
	const char *name, *driver;
	struct alg_entry ours;
	int found;
	int best_other;		/* highest priority of any other driver */
};

static void alg_collect(const struct alg_entry *e, void *arg)
{
	struct alg_query *q = arg;

	if (strcmp(e->name, q->name))
		return;
	if (!strcmp(e->driver, q->driver)) {
		q->ours = *e;
		q->found++;
	} else if (e->priority > q->best_other) {
		q->best_other = e->priority;
	}
}

/*
 * 6.13 and later: ECDSA is a sig_alg, and ours ranks below the kernel's
 * own ecdsa-nist-p256 (Documentation/crypto-providers.rst).
 */
static bool kernel_has_sig_alg(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 13);
}

/* Is there a /proc/crypto entry with driver name @driver? */
static void driver_seen(const struct alg_entry *e, void *arg)
{
	const char **want = arg;

	if (*want && !strcmp(e->driver, *want))
		*want = NULL;
}

static bool proc_crypto_has_driver(const char *driver)
{
	const char *want = driver;

	return !proc_crypto_each(driver_seen, &want) && !want;
}

/* --- OpenSSL ------------------------------------------------------------- */

/* Verifies a DER ECDSA signature over a raw digest: 1 good, 0 bad. */
static int ossl_verify(const uint8_t pub[PUB], const uint8_t *digest,
		       size_t dlen, const uint8_t *sig, size_t slen)
{
	EVP_PKEY *pkey = ossl_pub(pub);
	EVP_PKEY_CTX *ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
	int ok;

	ok = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_verify(ctx, sig, slen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* --- ECDH through algif_kpp ---------------------------------------------- */

/*
 * One ECDH on @alg: key generated (priv NULL) or given; our public key
 * into @pub, the secret with @peer_pub into @secret.  Returns 0, or the
 * first failing step's -errno.
 */
static int kpp_round(const char *alg, const uint8_t *priv,
		     const uint8_t peer_pub[PUB], uint8_t pub[PUB],
		     uint8_t secret[SECRET])
{
	struct kpp k;
	int ret;

	ret = kpp_open(&k, alg);
	if (!ret)
		ret = kpp_setkey(&k, priv, priv ? PRIV : 0);
	if (!ret)
		ret = kpp_keygen(&k, pub);
	if (!ret)
		ret = kpp_derive(&k, peer_pub, secret);
	kpp_close(&k);
	return ret;
}

/* kpp_round() against a fresh OpenSSL key; 0 when OpenSSL agrees. */
static int kpp_check(const char *alg, const uint8_t *priv)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET], s2[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	int ret = -ENOMEM;

	if (mine)
		ret = kpp_round(alg, priv, peer, pub, s1);
	if (!ret)
		ret = ossl_derive(mine, pub, s2) ? -EPROTO : 0;
	if (!ret && memcmp(s1, s2, SECRET))
		ret = -EBADMSG;
	EVP_PKEY_free(mine);
	return ret;
}

/* --- the test module ----------------------------------------------------- */

static bool kmod_available(char *path, size_t len)
{
	const char *top = getenv("IOTSEC_TOP");

	snprintf(path, len, "%s/tests/kernel/kmod/%s.ko", top ? top : ".",
		 KMOD);
	return access(path, R_OK) == 0;
}

struct kmod_out {
	int result, verified, async_bh;
	char out[512];
};

/* Loads the test module with @params, reads its outcome, unloads it. */
static int kmod_run(const char *params, struct kmod_out *o)
{
	char path[512], buf[32];
	int fd, ret;

	if (!kmod_available(path, sizeof(path)))
		return -ENOENT;
	kmod_unload(KMOD);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	memset(o, 0, sizeof(*o));
	if (file_read(KMOD_PARAMS "result", buf, sizeof(buf)) > 0)
		o->result = atoi(buf);
	if (file_read(KMOD_PARAMS "verified", buf, sizeof(buf)) > 0)
		o->verified = atoi(buf);
	if (file_read(KMOD_PARAMS "async_bh", buf, sizeof(buf)) > 0)
		o->async_bh = atoi(buf);
	if (file_read(KMOD_PARAMS "out", o->out, sizeof(o->out)) > 0)
		o->out[strcspn(o->out, "\n")] = '\0';
	return kmod_unload(KMOD);
}

/* ---- no chip: registration, X.509, the software paths ------------------- */

FIXTURE(soft)
{
	int unused;
};

FIXTURE_SETUP(soft)
{
	modules_down();
	ASSERT_EQ(0, load("iotsec", ""));
	ASSERT_EQ(0, load("algif_kpp", ""));
}

FIXTURE_TEARDOWN(soft)
{
	modules_down();
}

TEST_F(soft, proc_crypto_selftest_passed_highest_priority)
{
	bool sig_alg = kernel_has_sig_alg();
	const char * const names[][3] = {
		{ "ecdh-nist-p256", KPP_DRV, "kpp" },
		{ "ecdsa-nist-p256", SIG_DRV, sig_alg ? "sig" : "akcipher" },
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct alg_query q = {
			.name = names[i][0], .driver = names[i][1],
			.best_other = -1,
		};

		ASSERT_EQ(0, proc_crypto_each(alg_collect, &q));
		TH_LOG("%s: driver %s priority %d selftest %s (best other %d)",
		       q.name, q.ours.driver, q.ours.priority,
		       q.ours.selftest, q.best_other);
		ASSERT_EQ(1, q.found);
		EXPECT_STREQ("passed", q.ours.selftest);
		EXPECT_STREQ(names[i][2], q.ours.type);
		/* from 6.13 the kernel's own ecdsa (if any) outranks ours */
		if (i == 1 && sig_alg) {
			EXPECT_TRUE(q.best_other < 0 ||
				    q.ours.priority < q.best_other);
		} else {
			EXPECT_GT(q.ours.priority, q.best_other);
		}
	}
}

/*
 * openssl commands that make the certificates (DER, one openssl run each:
 * under TCG every run costs seconds), run in the temp dir
 */
static const char cert_script[] =
	"set -e\n"
	"cat > ext.cnf <<EOF2\n"
	"[req]\n"
	"distinguished_name=dn\n"
	"[dn]\n"
	"[ca]\n"
	"basicConstraints=critical,CA:TRUE\n"
	"keyUsage=critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier=hash\n"
	"authorityKeyIdentifier=keyid:always\n"
	"[leaf]\n"
	"basicConstraints=critical,CA:FALSE\n"
	"keyUsage=critical,digitalSignature\n"
	"subjectKeyIdentifier=hash\n"
	"authorityKeyIdentifier=keyid:always\n"
	"EOF2\n"
	"cert() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc -config ext.cnf -keyout $1.key -subj /CN=$1 -days 2 -$2 -extensions $3 ${4:+-CA $4.der -CAkey $4.key} -outform DER -out $1.der; }\n"
	"cert root sha256 ca\n"
	"cert inter sha256 ca root\n"
	"cert leaf sha256 leaf inter\n"
	"cert leaf384 sha384 leaf inter\n"
	"cert leaf224 sha224 leaf inter\n"
	"cert other sha256 ca\n"
	"cert otherleaf sha256 leaf other\n"
	"flip() { n=$(stat -c %s $1.der); head -c $((n - 1)) $1.der > $2.der; tail -c 1 $1.der | od -An -tu1 | { read b; printf \"\\\\$(printf %o $(( (b ^ 1) & 255 )))\" >> $2.der; }; }\n"
	"flip leaf badleaf\n"
	"flip root badroot\n";

/* Runs a command; returns its first output line in @out (may be NULL). */
static int capture(const char *cmd, char *out, size_t len)
{
	char line[256] = "";
	FILE *p = popen(cmd, "r");
	int st;

	if (!p)
		return -errno;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	if (out)
		snprintf(out, len, "%.*s", (int)strcspn(line, "\n"), line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -EINTR;
}

/* keyctl padd asymmetric <name> <ring> < <name>.der; exit code, message */
static int padd(const char *dir, const char *name, const char *ring,
		char *msg, size_t len)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "keyctl padd asymmetric %s %s < %s/%s.der 2>&1", name, ring,
		 dir, name);
	return capture(cmd, msg, len);
}

TEST_F_TIMEOUT(soft, x509_chain_verified_by_our_ecdsa, 120)
{
	char dir[] = "/tmp/crypto_test.XXXXXX", cmd[4096], root[32];
	char chain[32], restrict_arg[64], msg[256];
	static const char * const good[] = { "inter", "leaf", "leaf384",
					      "leaf224" };
	static const char * const bad[] = { "otherleaf", "badleaf" };
	unsigned int i;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd %s && sh -s >log 2>&1 <<'SCRIPT'\n%s"
		 "SCRIPT\n", dir, cert_script);
	if (run_cmd(cmd)) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s/log", dir);
		run_cmd(cmd);
		ASSERT_TRUE(false) TH_LOG("making the certificates failed");
	}

	/* a session keyring of our own, shared by every keyctl we run */
	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	ASSERT_EQ(0, capture("keyctl newring crypto_test_root @s", root,
			     sizeof(root)));
	ASSERT_EQ(0, padd(dir, "root", root, msg, sizeof(msg)))
		TH_LOG("root: %s", msg);
	EXPECT_NE(0, padd(dir, "badroot", root, msg, sizeof(msg)));
	TH_LOG("root with a broken self-signature: %s", msg);

	ASSERT_EQ(0, capture("keyctl newring crypto_test_chain @s", chain,
			     sizeof(chain)));
	snprintf(restrict_arg, sizeof(restrict_arg),
		 "key_or_keyring:%s:chain", root);
	snprintf(cmd, sizeof(cmd),
		 "keyctl restrict_keyring %s asymmetric %s", chain,
		 restrict_arg);
	ASSERT_EQ(0, run_cmd(cmd));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		EXPECT_EQ(0, padd(dir, good[i], chain, msg, sizeof(msg)))
			TH_LOG("%s: %s", good[i], msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, padd(dir, bad[i], chain, msg, sizeof(msg)));
		TH_LOG("%s refused: %s", bad[i], msg);
	}
	/* the flipped signature is checked, and rejected, not just unknown */
	padd(dir, "badleaf", chain, msg, sizeof(msg));
	EXPECT_NE(NULL, strstr(msg, "rejected"));
	/*
	 * From 6.13 the checks ran in x962() over the best ecdsa-nist-p256:
	 * the kernel's own where it has one, never ours.
	 */
	if (kernel_has_sig_alg()) {
		EXPECT_FALSE(proc_crypto_has_driver("x962(" SIG_DRV ")"));
		if (proc_crypto_has_driver("ecdsa-nist-p256-generic"))
			EXPECT_TRUE(proc_crypto_has_driver("x962(ecdsa-nist-p256-generic)"));
	}

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run_cmd(cmd);
}

TEST_F(soft, ecdh_generated_key_matches_openssl)
{
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
	ASSERT_EQ(0, kpp_check(KPP_DRV, NULL));
}

TEST_F(soft, ecdh_given_key_matches_openssl)
{
	uint8_t priv[PRIV], pub[PUB], peer[PUB], ours[PUB];
	uint8_t s1[SECRET], s2[SECRET];
	EVP_PKEY *mine = ossl_gen(pub, priv);
	EVP_PKEY *other = ossl_gen(peer, NULL);

	ASSERT_NE(NULL, mine);
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, kpp_round(KPP_DRV, priv, peer, ours, s1));
	EXPECT_EQ(0, memcmp(pub, ours, PUB));
	ASSERT_EQ(0, ossl_derive(other, pub, s2));
	EXPECT_EQ(0, memcmp(s1, s2, SECRET));
	EVP_PKEY_free(mine);
	EVP_PKEY_free(other);
}

TEST_F(soft, peer_off_the_curve_is_refused)
{
	uint8_t peer[PUB], pub[PUB], secret[SECRET];
	EVP_PKEY *k = ossl_gen(peer, NULL);

	ASSERT_NE(NULL, k);
	peer[PUB - 1] ^= 1;
	EXPECT_GT(0, kpp_round(KPP_DRV, NULL, peer, pub, secret));
	EVP_PKEY_free(k);
}

/* Software ECDH and signatures with requests that may not sleep. */
TEST_F(soft, async_requests_software)
{
	uint8_t priv[PRIV], pub[PUB], peer[PUB], got[PUB], s[SECRET];
	uint8_t digest[48], sig[80];
	char params[1024], hp[2 * PRIV + 1], hpeer[2 * PUB + 1];
	char hd[2 * sizeof(digest) + 1], path[512];
	struct kmod_out o;
	EVP_PKEY *mine, *other;
	int sleep, len;

	if (!kmod_available(path, sizeof(path)))
		SKIP(return, "%s not built (make -C tests/kernel/kmod)", path);
	mine = ossl_gen(pub, priv);
	other = ossl_gen(peer, NULL);
	ASSERT_NE(NULL, mine);
	ASSERT_NE(NULL, other);
	bin2hex(priv, PRIV, hp);
	bin2hex(peer, PUB, hpeer);
	RAND_bytes(digest, sizeof(digest));
	for (sleep = 0; sleep < 2; sleep++) {
		/* kpp, given key: our public key and OpenSSL's secret */
		snprintf(params, sizeof(params), "op=kpp key=%s data=%s may_sleep=%d",
			 hp, hpeer, sleep);
		ASSERT_EQ(0, kmod_run(params, &o));
		ASSERT_EQ(0, o.result);
		ASSERT_EQ(2 * PUB + 1 + 2 * SECRET, strlen(o.out));
		hex2bin(o.out, got, PUB);
		EXPECT_EQ(0, memcmp(pub, got, PUB));
		ASSERT_EQ(0, ossl_derive(other, pub, s));
		hex2bin(o.out + 2 * PUB + 1, got, SECRET);
		EXPECT_EQ(0, memcmp(s, got, SECRET));

		/* kpp, generated key (no chip: software) */
		snprintf(params, sizeof(params), "op=kpp key= data=%s may_sleep=%d",
			 hpeer, sleep);
		ASSERT_EQ(0, kmod_run(params, &o));
		ASSERT_EQ(0, o.result);
		hex2bin(o.out, got, PUB);
		ASSERT_EQ(0, ossl_derive(other, got, s));
		hex2bin(o.out + 2 * PUB + 1, got, SECRET);
		EXPECT_EQ(0, memcmp(s, got, SECRET));

		/* software signature of a SHA-384-sized digest (truncated) */
		for (len = 20; len <= 48; len += 12) {
			bin2hex(digest, len, hd);
			snprintf(params, sizeof(params),
				 "op=sign key=%s data=%s may_sleep=%d", hp, hd,
				 sleep);
			ASSERT_EQ(0, kmod_run(params, &o));
			ASSERT_EQ(0, o.result);
			EXPECT_EQ(0, o.verified);
			hex2bin(o.out, sig, strlen(o.out) / 2);
			EXPECT_EQ(1, ossl_verify(pub, digest, len, sig,
						 strlen(o.out) / 2))
				TH_LOG("digest length %d: %s", len, o.out);
		}
	}
	EVP_PKEY_free(mine);
	EVP_PKEY_free(other);
}

/* ---- with a simulated ATECC608B: the chip paths ------------------------- */

struct chip_env {
	char dev[32];
	char serial[2 * ATECC_SN_SIZE + 1];
	char handle[64];
	char rng[64];
};

/* Loads the simulator (one provisioned chip) and the driver, either order. */
static int chip_up_model(struct chip_env *e, bool sim_first,
			 const char *model)
{
	char path[160], sim[64];
	int bus, ret;

	memset(e, 0, sizeof(*e));
	snprintf(sim, sizeof(sim), "chips=1 model=%s provisioned=1", model);
	modules_down();
	ret = load(sim_first ? "iotsec_sim" : "iotsec", sim_first ? sim : "");
	if (!ret)
		ret = load(sim_first ? "iotsec" : "iotsec_sim",
			   sim_first ? "" : sim);
	if (!ret)
		ret = load("algif_kpp", "");
	if (!ret)
		ret = debugfs_up();
	if (ret)
		return ret;
	bus = i2c_bus_find("iotsec-sim");
	if (bus < 0)
		return bus;
	snprintf(e->dev, sizeof(e->dev), "%d-0060", bus);
	if (!iotsec_wait_bound(e->dev, BOUND_MS))
		return -ETIMEDOUT;
	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/serial_number", e->dev);
	if (file_read(path, e->serial, sizeof(e->serial)) < 0)
		return -EIO;
	e->serial[strcspn(e->serial, "\n")] = '\0';
	snprintf(e->handle, sizeof(e->handle), "iotsec:%s:0", e->serial);
	snprintf(e->rng, sizeof(e->rng), "iotsec-%s", e->serial);
	return 0;
}

static int chip_up(struct chip_env *e, bool sim_first)
{
	return chip_up_model(e, sim_first, "608b");
}

/* Does the simulated chip's state file hold this line (or prefix)? */
static bool sim_state_has(const char *needle)
{
	char buf[1024];

	return file_read(SIM_DIR "/chip0/state", buf, sizeof(buf)) > 0 &&
	       strstr(buf, needle);
}

/*
 * An iotsec key (keyring key type) for slot 0 of the chip: its id, its
 * public key X || Y into @pub; -errno on failure.  Added before a kpp key
 * is made: reading the public key (GenKey, public mode) is not known to
 * leave TempKey alone.
 */
static long chip_key_add(const struct chip_env *e, uint8_t pub[PUB])
{
	uint8_t der[128];
	char payload[96];
	long id, n;

	snprintf(payload, sizeof(payload), "chip=%s slot=0", e->serial);
	id = add_key("iotsec", "crypto_test", payload, strlen(payload),
		     KEY_SPEC_SESSION_KEYRING);
	if (id < 0)
		return -errno;
	n = keyctl_read(id, (char *)der, sizeof(der));
	if (n != SPKI_SIZE || der[SPKI_SIZE - PUB - 1] != 4)
		return n < 0 ? -errno : -EPROTO;
	memcpy(pub, der + SPKI_SIZE - PUB, PUB);
	return id;
}

/* keyctl pkey_sign of a fresh digest; 0 when OpenSSL verifies the result. */
static int chip_sign_checked(long id, const uint8_t pub[PUB])
{
	uint8_t digest[32], sig[72];
	long n;

	RAND_bytes(digest, sizeof(digest));
	n = keyctl_pkey_sign(id, SIGN_INFO, digest, sizeof(digest), sig,
			     sizeof(sig));
	if (n < 0)
		return -errno;
	return ossl_verify(pub, digest, sizeof(digest), sig, n) ? 0 : -EBADMSG;
}

struct sign_counters {
	long long random, nonce, sign;
};

static void sign_counters_read(struct sign_counters *c)
{
	c->random = sim_counter(0, "random");
	c->nonce = sim_counter(0, "nonce");
	c->sign = sim_counter(0, "sign");
}

/* A kpp tfm on the chip with a key of its own: its public key in @pub. */
static void kpp_fresh_key(struct __test_metadata *_metadata, struct kpp *k,
			  uint8_t pub[PUB])
{
	ASSERT_EQ(0, kpp_open(k, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_setkey(k, NULL, 0));
	ASSERT_EQ(0, kpp_keygen(k, pub));
}

/* One checked signature with key @id, the chip's counters around it. */
static void sign_counted(struct __test_metadata *_metadata, long id,
			 const uint8_t kpub[PUB], struct sign_counters *before,
			 struct sign_counters *after)
{
	int ret;

	sign_counters_read(before);
	ret = chip_sign_checked(id, kpub);
	sign_counters_read(after);
	ASSERT_EQ(0, ret) TH_LOG("sign: %s", strerror(-ret));
}

/* @secret is OpenSSL's ECDH of @mine with the chip's public key @pub. */
static void expect_ossl_secret(struct __test_metadata *_metadata,
			       EVP_PKEY *mine, const uint8_t pub[PUB],
			       const uint8_t secret[SECRET])
{
	uint8_t want[SECRET];

	ASSERT_EQ(0, ossl_derive(mine, pub, want));
	EXPECT_EQ(0, memcmp(secret, want, SECRET));
}

/*
 * A signature between keygen and derive: the chip key (public key kpub),
 * then a kpp key (pub), then one signature with the chip key, the chip's
 * counters before it all (a) and around the signature (sa, sb).
 */
struct sign_between {
	uint8_t peer[PUB], pub[PUB], kpub[PUB];
	EVP_PKEY *mine;
	struct counters a;
	struct sign_counters sa, sb;
	struct kpp k;
	long id;
};

static void sign_between_keygen(struct __test_metadata *_metadata,
				const struct chip_env *e, struct sign_between *t)
{
	t->mine = ossl_gen(t->peer, NULL);
	ASSERT_NE(NULL, t->mine);
	t->id = chip_key_add(e, t->kpub);
	ASSERT_LT(0, t->id) TH_LOG("iotsec key: %s", strerror(-t->id));
	counters_read(&t->a);
	kpp_fresh_key(_metadata, &t->k, t->pub);
	sign_counted(_metadata, t->id, t->kpub, &t->sa, &t->sb);
}

/*
 * ...then the derive: OpenSSL's secret, with @on_chip GenKey and ECDH each
 * on the chip since the start.
 */
static void sign_between_derive(struct __test_metadata *_metadata,
				struct sign_between *t, int on_chip)
{
	uint8_t secret[SECRET];
	struct counters b;
	int ret;

	memset(secret, 0xa5, sizeof(secret));
	ret = kpp_derive(&t->k, t->peer, secret);
	ASSERT_EQ(0, ret) TH_LOG("derive after a signature: %s",
				 strerror(-ret));
	counters_read(&b);
	kpp_close(&t->k);
	EXPECT_EQ(t->a.genkey + on_chip, b.genkey);
	EXPECT_EQ(t->a.ecdh + on_chip, b.ecdh);
	expect_ossl_secret(_metadata, t->mine, t->pub, secret);
}

FIXTURE(order)
{
	struct chip_env e;
};

FIXTURE_VARIANT(order)
{
	bool sim_first;
};

FIXTURE_VARIANT_ADD(order, sim_first)
{
	.sim_first = true,
};

FIXTURE_VARIANT_ADD(order, driver_first)
{
	.sim_first = false,
};

FIXTURE_SETUP(order)
{
	ASSERT_EQ(0, chip_up(&self->e, variant->sim_first));
}

FIXTURE_TEARDOWN(order)
{
	modules_down();
}

TEST_F(order, ecdh_on_the_chip)
{
	struct counters a, b;

	counters_read(&a);
	ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
	counters_read(&b);
	EXPECT_EQ(a.genkey + 1, b.genkey);
	EXPECT_EQ(a.ecdh + 1, b.ecdh);
	EXPECT_EQ(a.eeprom_writes, b.eeprom_writes);
}

FIXTURE(chip)
{
	struct chip_env e;
};

FIXTURE_SETUP(chip)
{
	ASSERT_EQ(0, chip_up(&self->e, true));
}

FIXTURE_TEARDOWN(chip)
{
	sim_fault("none");
	modules_down();
}

TEST_F_TIMEOUT(chip, ecdh_100_rounds_no_eeprom_write, 180)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET], s2[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	struct counters a, b;
	int i;

	ASSERT_NE(NULL, mine);
	counters_read(&a);
	ASSERT_LE(0, a.eeprom_writes);
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, kpp_round("ecdh-nist-p256", NULL, peer, pub, s1))
			TH_LOG("round %d", i);
		ASSERT_EQ(0, ossl_derive(mine, pub, s2));
		ASSERT_EQ(0, memcmp(s1, s2, SECRET)) TH_LOG("round %d", i);
	}
	counters_read(&b);
	TH_LOG("genkey %lld -> %lld, ecdh %lld -> %lld, eeprom_writes %lld -> %lld",
	       a.genkey, b.genkey, a.ecdh, b.ecdh, a.eeprom_writes,
	       b.eeprom_writes);
	EXPECT_EQ(a.genkey + ROUNDS, b.genkey);
	EXPECT_EQ(a.ecdh + ROUNDS, b.ecdh);
	EXPECT_EQ(a.eeprom_writes, b.eeprom_writes);
	EVP_PKEY_free(mine);
}

TEST_F(chip, given_key_stays_in_software)
{
	uint8_t priv[PRIV], pub[PUB];
	EVP_PKEY *k = ossl_gen(pub, priv);
	struct counters a, b;

	ASSERT_NE(NULL, k);
	counters_read(&a);
	ASSERT_EQ(0, kpp_check("ecdh-nist-p256", priv));
	counters_read(&b);
	EXPECT_EQ(a.genkey, b.genkey);
	EXPECT_EQ(a.ecdh, b.ecdh);
	EVP_PKEY_free(k);
}

/* Two keys at once: the first owns TempKey, the second is software. */
TEST_F(chip, one_tempkey_owner_per_chip)
{
	uint8_t peer[PUB], pa[PUB], pb[PUB], sa[SECRET], sb[SECRET], s[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	struct kpp a, b;
	struct counters c0, c1;

	ASSERT_NE(NULL, mine);
	counters_read(&c0);
	ASSERT_EQ(0, kpp_open(&a, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_open(&b, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_setkey(&a, NULL, 0));
	ASSERT_EQ(0, kpp_setkey(&b, NULL, 0));
	ASSERT_EQ(0, kpp_keygen(&a, pa));
	ASSERT_EQ(0, kpp_keygen(&b, pb));
	counters_read(&c1);
	EXPECT_EQ(c0.genkey + 1, c1.genkey);
	/* b first: the software key does not disturb a's TempKey */
	ASSERT_EQ(0, kpp_derive(&b, peer, sb));
	ASSERT_EQ(0, kpp_derive(&a, peer, sa));
	ASSERT_EQ(0, ossl_derive(mine, pa, s));
	EXPECT_EQ(0, memcmp(s, sa, SECRET));
	ASSERT_EQ(0, ossl_derive(mine, pb, s));
	EXPECT_EQ(0, memcmp(s, sb, SECRET));
	counters_read(&c1);
	EXPECT_EQ(c0.ecdh + 1, c1.ecdh);
	kpp_close(&a);
	kpp_close(&b);
	/* ownership ended with the use: the chip is free again */
	counters_read(&c0);
	ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
	counters_read(&c1);
	EXPECT_EQ(c0.genkey + 1, c1.genkey);
	EVP_PKEY_free(mine);
}

#define THREADS		8
#define THREAD_ROUNDS	8

struct worker {
	pthread_t t;
	int failures;
	int first_err;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	int i, ret;

	for (i = 0; i < THREAD_ROUNDS; i++) {
		ret = kpp_check("ecdh-nist-p256", NULL);
		if (ret && !w->failures++)
			w->first_err = ret;
	}
	return NULL;
}

/*
 * Handshakes at once: the chip takes one key at a time, the others are
 * software; every secret is right, every chip key is used exactly once.
 */
TEST_F_TIMEOUT(chip, concurrent_ecdh_all_correct, 120)
{
	struct worker w[THREADS] = { };
	struct counters a, b;
	int i;

	counters_read(&a);
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&w[i].t, NULL, worker_fn, &w[i]));
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].t, NULL);
		EXPECT_EQ(0, w[i].failures)
			TH_LOG("thread %d: first error %d", i, w[i].first_err);
	}
	counters_read(&b);
	TH_LOG("%d ECDHs: %lld on the chip", THREADS * THREAD_ROUNDS,
	       b.ecdh - a.ecdh);
	EXPECT_LT(0, b.ecdh - a.ecdh);
	EXPECT_EQ(b.genkey - a.genkey, b.ecdh - a.ecdh);
	EXPECT_EQ(a.eeprom_writes, b.eeprom_writes);
}

/* Selects the chip's hwrng; false when another one stays current. */
static bool rng_select(const struct chip_env *e)
{
	char cur[128] = "";

	file_write(RNG_DIR "/rng_current", e->rng);
	file_read(RNG_DIR "/rng_current", cur, sizeof(cur));
	cur[strcspn(cur, "\n")] = '\0';
	return !strcmp(cur, e->rng);
}

/*
 * A signature with the chip key between keygen and derive (another TLS
 * session on the same chip): on the 608 the digest goes through the
 * message digest buffer, the seed-update Random is left out while the kpp
 * key is held, TempKey keeps the key and the secret is OpenSSL's.  Without
 * a held key the signature has its Random again if the chip has had no
 * seed update since probe (one per chip: it may write EEPROM).
 */
TEST_F(chip, tempkey_outlives_a_signature)
{
	struct sign_between t;
	bool seeded;

	sign_between_keygen(_metadata, &self->e, &t);
	EXPECT_EQ(t.sa.sign + 1, t.sb.sign);
	EXPECT_EQ(t.sa.nonce + 1, t.sb.nonce);
	EXPECT_EQ(t.sa.random, t.sb.random);	/* no seed update: key held */
	EXPECT_TRUE(sim_state_has("tempkey valid genkey"));
	EXPECT_TRUE(sim_state_has("msgdigbuf valid"));
	sign_between_derive(_metadata, &t, 1);

	/*
	 * No kpp key in TempKey: Random, Nonce, Sign as Microchip does, but
	 * the seed-update Random (it may write EEPROM) only while the chip
	 * has had none since probe (the hwrng usually came first).
	 */
	seeded = sim_counter(0, "seed_updates") > 0;
	sign_counted(_metadata, t.id, t.kpub, &t.sa, &t.sb);
	EXPECT_EQ(t.sa.random + !seeded, t.sb.random);
	EXPECT_EQ(1, sim_counter(0, "seed_updates"));
	EXPECT_EQ(t.sa.nonce + 1, t.sb.nonce);
	EXPECT_EQ(t.sa.sign + 1, t.sb.sign);
	keyctl_invalidate(t.id);
	EVP_PKEY_free(t.mine);
}

/*
 * A signature that fails between keygen and derive: the driver cannot tell
 * what the chip did before failing, so the kpp key is counted as lost
 * (EKEYEXPIRED), never used blindly; the next round works.
 */
TEST_F_TIMEOUT(chip, failed_signature_voids_the_tempkey, 60)
{
	static const char * const specs[] = {
		"exec_error op=0x16",	/* the Nonce into the digest buffer */
		"exec_error op=0x41",	/* the Sign */
		"watchdog op=0x41",	/* the chip falls asleep: all lost */
	};
	uint8_t peer[PUB], pub[PUB], kpub[PUB], s1[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	struct kpp k;
	unsigned int i;
	long id;
	int ret;

	ASSERT_NE(NULL, mine);
	id = chip_key_add(&self->e, kpub);
	ASSERT_LT(0, id) TH_LOG("iotsec key: %s", strerror(-id));
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		kpp_fresh_key(_metadata, &k, pub);
		ASSERT_EQ(0, sim_fault(specs[i]));
		ret = chip_sign_checked(id, kpub);
		sim_fault("none");
		TH_LOG("%s: sign %d (%s)", specs[i], ret, strerror(-ret));
		memset(s1, 0xa5, sizeof(s1));
		EXPECT_EQ(-EKEYEXPIRED, kpp_derive(&k, peer, s1))
			TH_LOG("%s", specs[i]);
		kpp_close(&k);
		ASSERT_EQ(0, chip_sign_checked(id, kpub));
		ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
	}
	keyctl_invalidate(id);
	EVP_PKEY_free(mine);
}

/*
 * The hwrng does not take a held TempKey: a non-blocking read gets EAGAIN
 * (or only what the hwrng core kept from an earlier read: at most one
 * 64-byte answer, so reads of RNG_READ bytes always reach the driver).
 */
TEST_F(chip, hwrng_waits_for_a_held_tempkey)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET], rnd[RNG_READ];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	struct kpp k;
	long long r0;
	double t;
	ssize_t n;
	int fd, err;

	ASSERT_NE(NULL, mine);
	if (!rng_select(&self->e))
		SKIP(goto out, "hwrng %s is not current", self->e.rng);
	kpp_fresh_key(_metadata, &k, pub);
	r0 = sim_counter(0, "random");
	fd = open("/dev/hwrng", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, rnd, sizeof(rnd));
	err = errno;
	close(fd);
	if (n < 0) {
		EXPECT_EQ(EAGAIN, err);
	} else {
		EXPECT_GE(64, n);
	}
	EXPECT_EQ(r0, sim_counter(0, "random"));
	ASSERT_EQ(0, kpp_derive(&k, peer, s1));
	kpp_close(&k);
	expect_ossl_secret(_metadata, mine, pub, s1);
	/* the key is used: the hwrng has the chip again, at once */
	fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	t = now_ms();
	EXPECT_EQ((ssize_t)sizeof(rnd), read(fd, rnd, sizeof(rnd)));
	t = now_ms() - t;
	close(fd);
	EXPECT_GT(HOLD_MS / 2, t);
	EXPECT_LT(r0, sim_counter(0, "random"));
out:
	EVP_PKEY_free(mine);
}

/* /dev/kmsg from its end: the records logged from now on. */
static int kmsg_from_now(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Does a record read from @fd (kmsg_from_now()) hold @needle? */
static bool kmsg_has(int fd, const char *needle)
{
	char rec[2048];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n < 0)
			return false;
		rec[n] = 0;
		if (strstr(rec, needle))
			return true;
	}
	return false;
}

/*
 * The hold lapses (tempkey_hold_ms, set shorter here): a blocking hwrng
 * read then gets its Random, whose effect on TempKey is not documented,
 * and the kpp key is counted as lost: EKEYEXPIRED, never a secret from
 * another key, and one log line that names what voided it.
 */
TEST_F_TIMEOUT(chip, lost_tempkey_is_ekeyexpired, 60)
{
	uint8_t peer[PUB], pub[PUB], secret[SECRET], rnd[RNG_READ];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	unsigned long hold;
	char v[16];
	struct kpp k;
	double t;
	int fd, kmsg;

	ASSERT_NE(NULL, mine);
	if (!rng_select(&self->e))
		SKIP(goto out, "hwrng %s is not current", self->e.rng);
	ASSERT_EQ(0, file_read_ulong(HOLD_PARAM, &hold));
	EXPECT_EQ(HOLD_DEFAULT_MS, hold);
	snprintf(v, sizeof(v), "%d", HOLD_MS);
	ASSERT_EQ(0, file_write(HOLD_PARAM, v));
	kmsg = kmsg_from_now();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, kpp_open(&k, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_setkey(&k, NULL, 0));
	t = now_ms();
	ASSERT_EQ(0, kpp_keygen(&k, pub));
	fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(rnd), read(fd, rnd, sizeof(rnd)));
	close(fd);
	t = now_ms() - t;
	TH_LOG("hwrng read after %.0f ms", t);
	EXPECT_LE(HOLD_MS - 500, t);
	memset(secret, 0xa5, sizeof(secret));
	EXPECT_EQ(-EKEYEXPIRED, kpp_derive(&k, peer, secret));
	kpp_close(&k);
	EXPECT_TRUE(kmsg_has(kmsg,
			     "ECDH refused (-EKEYEXPIRED): the ephemeral key left TempKey: a command that may change TempKey: Random"));
	close(kmsg);
	ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
out:
	EVP_PKEY_free(mine);
}

/*
 * tempkey_hold_ms is root's: an unprivileged user may read it but not
 * lengthen the hold (and so keep the hwrng waiting).
 */
TEST_F(chip, hold_param_is_roots_alone)
{
	unsigned long hold;
	pid_t pid;
	int st;

	ASSERT_EQ(0, file_read_ulong(HOLD_PARAM, &hold));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgid(1000) || setuid(1000))
			_exit(2);
		fd = open(HOLD_PARAM, O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			_exit(write(fd, "600000", 6) > 0 ? 3 : 4);
		_exit(errno == EACCES ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("uid 1000 opening %s for writing: exit %d", HOLD_PARAM,
		       WEXITSTATUS(st));
	ASSERT_EQ(0, file_read_ulong(HOLD_PARAM, &hold));
	EXPECT_EQ(HOLD_DEFAULT_MS, hold);
}

/*
 * Issue 17's load rounds: 8 clients on one chip, each waiting on a busy
 * peer, while an hwrng reader runs: a ServerHello may come more than 5 s
 * after the GenKey.  With the default hold the key outlives a blocking
 * hwrng reader for that long, and the reader gets its bytes once the key
 * is used.
 */
TEST_F_TIMEOUT(chip, held_key_outlives_a_busy_hwrng_past_5_s, 60)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET], rnd[RNG_READ];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	long long r0, r1;
	struct kpp k;
	pid_t pid;
	int st;

	ASSERT_NE(NULL, mine);
	if (!rng_select(&self->e))
		SKIP(goto out, "hwrng %s is not current", self->e.rng);
	kpp_fresh_key(_metadata, &k, pub);
	r0 = sim_counter(0, "random");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {	/* a blocking reader, all along */
		int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);

		_exit(fd >= 0 && read(fd, rnd, sizeof(rnd)) ==
			       (ssize_t)sizeof(rnd) ? 0 : 1);
	}
	usleep((OLD_HOLD_MS + 2000) * 1000);
	r1 = sim_counter(0, "random");
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG)) TH_LOG("the reader got its bytes");
	ASSERT_EQ(0, kpp_derive(&k, peer, s1));
	kpp_close(&k);
	expect_ossl_secret(_metadata, mine, pub, s1);
	EXPECT_EQ(r0, r1);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	EXPECT_LT(r1, sim_counter(0, "random"));
out:
	EVP_PKEY_free(mine);
}

/*
 * The driver leaves the chip awake a while after a sequence (so the next
 * needs no wake), but idles it well before the watchdog: a key in TempKey
 * outlives a pause longer than the watchdog, and the chip never reaches it.
 * The hwrng core's fill thread waits for a held TempKey; should the chip
 * be used anyway during the pause (and so TempKey taken), the round is
 * taken again.
 */
TEST_F_TIMEOUT(chip, tempkey_outlives_a_pause_past_the_watchdog, 60)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	long long wd = sim_counter(0, "watchdogs"), rnd;
	struct counters a, b;
	struct kpp k;
	int i, ret = -EKEYEXPIRED;

	ASSERT_NE(NULL, mine);
	ASSERT_LE(0, wd);
	for (i = 0; i < 3 && ret == -EKEYEXPIRED; i++) {
		ASSERT_EQ(0, kpp_open(&k, "ecdh-nist-p256"));
		counters_read(&a);
		ASSERT_EQ(0, kpp_keygen(&k, pub));
		rnd = sim_counter(0, "random");
		usleep(PAUSE_US);
		ret = kpp_derive(&k, peer, s1);
		counters_read(&b);
		kpp_close(&k);
		if (ret == -EKEYEXPIRED && sim_counter(0, "random") == rnd)
			break;	/* nobody else used the chip: TempKey was lost */
	}
	ASSERT_EQ(0, ret) TH_LOG("derive after the pause: %s", strerror(-ret));
	EXPECT_EQ(a.genkey + 1, b.genkey);
	EXPECT_EQ(a.ecdh + 1, b.ecdh);
	expect_ossl_secret(_metadata, mine, pub, s1);
	EXPECT_EQ(wd, sim_counter(0, "watchdogs"));
	EVP_PKEY_free(mine);
}

/*
 * Every CPU taken for ms by a SCHED_FIFO loop, with real-time throttling
 * off, so that no kworker runs meanwhile (a board's real-time load, or a
 * guest its host starves).  The caller is pinned to the last CPU, whose
 * loop starts last.  0, or -errno.
 */
static int put(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(v, f) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int cpus_taken(unsigned int ms)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	const char *rt = "/proc/sys/kernel/sched_rt_runtime_us";
	char old[32] = "";
	struct timespec t0, t;
	pid_t pids[64];
	cpu_set_t set;
	FILE *f;
	int ret = 0;

	if (n < 1 || n > 64)
		return -EINVAL;
	/*
	 * Throttling off where the kernel lets us (one whose fair deadline
	 * server still gives normal tasks a share makes the pause milder:
	 * it then passes either way).
	 */
	f = fopen(rt, "r");
	if (!f || !fgets(old, sizeof(old), f) || put(rt, "-1"))
		old[0] = '\0';
	if (f)
		fclose(f);
	CPU_ZERO(&set);
	CPU_SET(n - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct sched_param p = { .sched_priority = 50 };

			CPU_ZERO(&set);
			CPU_SET(i, &set);
			if (sched_setaffinity(0, sizeof(set), &set) ||
			    sched_setscheduler(0, SCHED_FIFO, &p))
				_exit(1);
			do
				clock_gettime(CLOCK_MONOTONIC, &t);
			while ((t.tv_sec - t0.tv_sec) * 1000 +
			       (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
			_exit(0);
		}
		if (pids[i] < 0) {
			ret = -errno;
			break;
		}
	}
	while (i-- > 0) {
		int st;

		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			ret = ret ? ret : -EPERM;
	}
	old[strcspn(old, "\n")] = 0;
	if (old[0])
		put(rt, old);
	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
	return ret;
}

/*
 * The same pause with every CPU taken: the idle the driver leaves to a
 * kworker cannot come, so while TempKey holds a key the driver idles the
 * chip at the end of the sequence (seq.c, atecc_seq_end()).  Before, the
 * chip stayed awake through the pause, its watchdog put it to sleep, and
 * the derive failed with EKEYEXPIRED.
 */
TEST_F_TIMEOUT(chip, tempkey_outlives_a_pause_with_every_cpu_taken, 60)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	long long wd = sim_counter(0, "watchdogs");
	struct counters a, b;
	struct kpp k;
	int ret;

	ASSERT_NE(NULL, mine);
	ASSERT_LE(0, wd);
	ASSERT_EQ(0, kpp_open(&k, "ecdh-nist-p256"));
	counters_read(&a);
	ASSERT_EQ(0, kpp_keygen(&k, pub));
	ret = cpus_taken(PAUSE_US / 1000);
	if (ret == -EPERM) {
		kpp_close(&k);
		EVP_PKEY_free(mine);
		SKIP(return, "no SCHED_FIFO here");
	}
	ASSERT_EQ(0, ret);
	ret = kpp_derive(&k, peer, s1);
	counters_read(&b);
	kpp_close(&k);
	ASSERT_EQ(0, ret) TH_LOG("derive after the pause: %s", strerror(-ret));
	EXPECT_EQ(a.genkey + 1, b.genkey);
	EXPECT_EQ(a.ecdh + 1, b.ecdh);
	expect_ossl_secret(_metadata, mine, pub, s1);
	EXPECT_EQ(wd, sim_counter(0, "watchdogs"));
	EVP_PKEY_free(mine);
}

/* ---- a simulated ATECC508A: no TempKey keys, signatures through TempKey - */

FIXTURE(chip508)
{
	struct chip_env e;
};

FIXTURE_SETUP(chip508)
{
	ASSERT_EQ(0, chip_up_model(&self->e, true, "508a"));
}

FIXTURE_TEARDOWN(chip508)
{
	modules_down();
}

/*
 * The 508A cannot generate into TempKey: the kpp key is software, so a
 * signature in between (Random, Nonce pass-through, Sign from TempKey, as
 * before) cannot touch it, and the secret is OpenSSL's.
 */
TEST_F(chip508, signature_between_keygen_and_derive)
{
	struct sign_between t;

	sign_between_keygen(_metadata, &self->e, &t);
	EXPECT_EQ(t.sa.random + 1, t.sb.random);
	EXPECT_EQ(t.sa.nonce + 1, t.sb.nonce);
	EXPECT_EQ(t.sa.sign + 1, t.sb.sign);
	EXPECT_TRUE(sim_state_has("tempkey valid input"));
	EXPECT_TRUE(sim_state_has("msgdigbuf invalid"));
	sign_between_derive(_metadata, &t, 0);	/* software: none */
	keyctl_invalidate(t.id);
	EVP_PKEY_free(t.mine);
}

/* ---- faults on the chip's ECDH and GenKey ------------------------------- */

FIXTURE(fault)
{
	struct chip_env e;
};

FIXTURE_VARIANT(fault)
{
	const char *spec;
	bool may_succeed;	/* a fault the driver's retry absorbs */
};

FIXTURE_VARIANT_ADD(fault, ecdh_exec_error)
{
	.spec = "exec_error op=0x43",
};

FIXTURE_VARIANT_ADD(fault, ecdh_crc)
{
	.spec = "crc op=0x43", .may_succeed = true,
};

FIXTURE_VARIANT_ADD(fault, ecdh_count)
{
	.spec = "count op=0x43", .may_succeed = true,
};

FIXTURE_VARIANT_ADD(fault, ecdh_nack)
{
	.spec = "nack op=0x43", .may_succeed = true,
};

FIXTURE_VARIANT_ADD(fault, ecdh_watchdog)
{
	.spec = "watchdog op=0x43",
};

FIXTURE_VARIANT_ADD(fault, ecdh_stall)
{
	.spec = "stall op=0x43",
};

FIXTURE_VARIANT_ADD(fault, genkey_exec_error)
{
	.spec = "exec_error op=0x40",
};

FIXTURE_SETUP(fault)
{
	ASSERT_EQ(0, chip_up(&self->e, true));
}

FIXTURE_TEARDOWN(fault)
{
	sim_fault("none");
	modules_down();
}

TEST_F_TIMEOUT(fault, error_or_right_secret_then_works, 60)
{
	uint8_t peer[PUB], pub[PUB], s1[SECRET];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	long long injected;
	double t;
	int ret;

	ASSERT_NE(NULL, mine);
	injected = sim_counter(0, "faults_injected");
	ASSERT_EQ(0, sim_fault(variant->spec));
	t = now_ms();
	memset(s1, 0, sizeof(s1));
	ret = kpp_round("ecdh-nist-p256", NULL, peer, pub, s1);
	t = now_ms() - t;
	TH_LOG("%s: %d (%s) after %.0f ms", variant->spec, ret,
	       strerror(-ret), t);
	EXPECT_LT(t, FAULT_MS);
	EXPECT_EQ(injected + 1, sim_counter(0, "faults_injected"));
	if (!ret) {
		EXPECT_TRUE(variant->may_succeed);
		expect_ossl_secret(_metadata, mine, pub, s1);
	}
	sim_fault("none");
	ASSERT_EQ(0, kpp_check("ecdh-nist-p256", NULL));
	EVP_PKEY_free(mine);
}

/* ---- the test module against the chip ----------------------------------- */

FIXTURE(kmod)
{
	struct chip_env e;
	char path[512];
	bool have;
};

/* The 6.1 harness runs the test even after a SKIP in setup: each checks. */
#define NEED_KMOD()							\
	do {								\
		if (!self->have)					\
			SKIP(return, "%s not built (make -C tests/kernel/kmod)", \
			     self->path);				\
	} while (0)

FIXTURE_SETUP(kmod)
{
	self->have = kmod_available(self->path, sizeof(self->path));
	if (self->have)
		ASSERT_EQ(0, chip_up(&self->e, true));
}

FIXTURE_TEARDOWN(kmod)
{
	sim_fault("none");
	modules_down();
}

/* Chip ECDH from requests that may not sleep (the workqueue path). */
TEST_F(kmod, async_chip_ecdh)
{
	uint8_t peer[PUB], got[PUB], s[SECRET];
	char params[512], hpeer[2 * PUB + 1];
	EVP_PKEY *mine = ossl_gen(peer, NULL);
	struct counters a, b;
	struct kmod_out o;
	NEED_KMOD();

	ASSERT_NE(NULL, mine);
	bin2hex(peer, PUB, hpeer);
	snprintf(params, sizeof(params), "op=kpp key= data=%s", hpeer);
	counters_read(&a);
	ASSERT_EQ(0, kmod_run(params, &o));
	counters_read(&b);
	ASSERT_EQ(0, o.result);
	/* queued, then called back with bottom halves disabled (crypto.c) */
	EXPECT_EQ(1, o.async_bh);
	EXPECT_EQ(a.genkey + 1, b.genkey);
	EXPECT_EQ(a.ecdh + 1, b.ecdh);
	hex2bin(o.out, got, PUB);
	ASSERT_EQ(0, ossl_derive(mine, got, s));
	hex2bin(o.out + 2 * PUB + 1, got, SECRET);
	EXPECT_EQ(0, memcmp(s, got, SECRET));
	EVP_PKEY_free(mine);
}

TEST_F(kmod, chip_signature_verifies)
{
	char params[512], hd[65];
	uint8_t digest[32];
	struct counters a, b;
	struct kmod_out o;
	uint8_t der[72];
	const uint8_t *p;
	ECDSA_SIG *sig;
	size_t len;
	int sleep;
	NEED_KMOD();

	for (sleep = 0; sleep < 2; sleep++) {
		RAND_bytes(digest, sizeof(digest));
		bin2hex(digest, sizeof(digest), hd);
		snprintf(params, sizeof(params),
			 "op=sign key=%s data=%s may_sleep=%d",
			 self->e.handle, hd, sleep);
		counters_read(&a);
		ASSERT_EQ(0, kmod_run(params, &o));
		counters_read(&b);
		ASSERT_EQ(0, o.result) TH_LOG("%s", params);
		EXPECT_EQ(0, o.verified);
		EXPECT_EQ(a.sign + 1, b.sign);
		EXPECT_EQ(a.eeprom_writes, b.eeprom_writes);
		/* DER, 8..72 bytes: an r or s with leading zero bytes is
		 * shorter (69 bytes about once in 128 signatures)
		 */
		len = strlen(o.out) / 2;
		ASSERT_LE(len, sizeof(der));
		hex2bin(o.out, der, len);
		p = der;
		sig = d2i_ECDSA_SIG(NULL, &p, len);
		EXPECT_NE(NULL, sig) TH_LOG("not DER: %s", o.out);
		EXPECT_EQ(der + len, p);
		ECDSA_SIG_free(sig);
	}
}

TEST_F(kmod, sign_fault_is_an_error_then_works)
{
	char params[512];
	struct kmod_out o;
	NEED_KMOD();

	snprintf(params, sizeof(params), "op=sign key=%s data=%064x",
		 self->e.handle, 0);
	ASSERT_EQ(0, sim_fault("exec_error op=0x41"));
	ASSERT_EQ(0, kmod_run(params, &o));
	EXPECT_GT(0, o.result);
	TH_LOG("sign with a fault: %d", o.result);
	ASSERT_EQ(0, kmod_run(params, &o));
	EXPECT_EQ(0, o.result);
	EXPECT_EQ(0, o.verified);
}

TEST_F(kmod, bad_handles_are_refused)
{
	static const struct {
		const char *fmt;
		int err;
	} cases[] = {
		{ "iotsec:%s:16", -EINVAL },	/* no such slot */
		{ "iotsec:%s:x", -EINVAL },
		{ "iotsec:%s", -EINVAL },
		{ "iotsec:%s:5", -ENOKEY },	/* data slot */
		{ "iotsec:00%s:0", -EINVAL },	/* serial too long */
	};
	char key[128], params[512];
	struct kmod_out o;
	unsigned int i;
	NEED_KMOD();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(key, sizeof(key), cases[i].fmt, self->e.serial);
		snprintf(params, sizeof(params), "op=sign key=%s data=00", key);
		ASSERT_EQ(0, kmod_run(params, &o));
		EXPECT_EQ(cases[i].err, o.result) TH_LOG("%s", key);
	}
	/* a chip that is not there */
	snprintf(params, sizeof(params),
		 "op=sign key=iotsec:%018x:0 data=00", 0);
	ASSERT_EQ(0, kmod_run(params, &o));
	EXPECT_EQ(-ENODEV, o.result);
}

TEST_HARNESS_MAIN
