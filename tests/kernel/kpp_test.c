// SPDX-License-Identifier: GPL-2.0
/*
 * algif_kpp.ko in the VM: the AF_ALG "kpp" socket type with libkcapi's
 * kcapi_kpp_* ABI, and libiotsec's client for it (libiotsec/src/kpp.c).
 *
 * Cross-checks: two sockets against each other, against OpenSSL's libcrypto,
 * against a fixed vector computed with the openssl command; the raw system
 * call sequence libkcapi 1.4.0 performs (sendmsg and vmsplice paths); every
 * refusal returns an error and leaves the read buffer untouched; 1000
 * open/keygen/close cycles and 8 threads leave no sockets, transforms or
 * slab growth behind, and the module unloads.
 *
 * Each test loads algif_kpp.ko from IOTSEC_KO_DIR in its setup and unloads
 * it in its teardown (ecdh_generic and af_alg are loaded by the harness).
 */
#define _GNU_SOURCE	/* vmsplice, splice, memmem */
#include <errno.h>
#include <fcntl.h>
#include <linux/cryptouser.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kmod.h"
#include "simctl.h"
#include "ossl_p256.h"
#include "kpp.h"
#include <linux/if_alg_kpp.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define PUB	KPP_P256_PUB
#define SECRET	KPP_P256_SECRET
#define PRIV	KPP_P256_PRIV
#define SENTINEL 0xa5

/* P-256 field prime p and group order n, big-endian. */
static const char p256_p[] =
	"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char p256_n[] =
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/*
 * Fixed vector made for this test: d = SHA-256("iotsec algif_kpp fixed
 * test key"); X || Y from `openssl ec -text` on that key.
 */
static const char fixed_d[] =
	"f046b8c34b99fb39a00ee870261f71274cf0f12304f568d98bd10cf0ae4582c2";
static const char fixed_x[] =
	"1ea66fed226114ec8d9ec51836ddb9870440c35d11832e4f02467985d9645f0a";
static const char fixed_y[] =
	"bbedba63cfb8070bec3160b00924e4189528f1434c11b50b71c57da1b7e2a27a";

static void hex2bin(const char *hex, uint8_t *out)
{
	while (hex[0] && hex[1] && sscanf(hex, "%2hhx", out) == 1) {
		out++;
		hex += 2;
	}
}

static bool all_bytes(const uint8_t *buf, size_t len, uint8_t val)
{
	while (len--)
		if (*buf++ != val)
			return false;
	return true;
}

/* --- raw AF_ALG, as libkcapi does it ------------------------------------ */

/* socket + bind; returns the tfm fd or -errno. */
static int alg_bind(const char *name)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd, ret;

	strcpy((char *)sa.salg_type, "kpp");
	strncpy((char *)sa.salg_name, name, sizeof(sa.salg_name) - 1);
	fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* setsockopt(ALG_SET_KEY); returns what the kernel returned, or -errno. */
static int alg_setkey(int tfm, const void *key, socklen_t len)
{
	int ret = setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, len);

	return ret < 0 ? -errno : ret;
}

static int alg_accept(int tfm)
{
	int fd = accept(tfm, NULL, 0);

	return fd < 0 ? -errno : fd;
}

/* One sendmsg with {SOL_ALG, ALG_SET_OP, op}; in may be NULL. */
static ssize_t send_op(int fd, uint32_t op, const void *in, size_t len,
		       int flags)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = in ? &iov : NULL, .msg_iovlen = in ? 1 : 0,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(op));
	memcpy(CMSG_DATA(c), &op, sizeof(op));
	n = sendmsg(fd, &msg, flags);
	return n < 0 ? -errno : n;
}

/* A sendmsg without control data (data only, or empty). */
static ssize_t send_data(int fd, const void *in, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = sendmsg(fd, &msg, flags);

	return n < 0 ? -errno : n;
}

/* libkcapi's read loop: until len bytes or read() <= 0; total or -errno. */
static ssize_t read_loop(int fd, uint8_t *out, size_t len)
{
	ssize_t n, total = 0;

	do {
		n = read(fd, out, len);
		if (n > 0) {
			out += n;
			len -= n;
			total += n;
		}
	} while ((n > 0 || (n < 0 && errno == EINTR)) && len);
	return n < 0 ? -errno : total;
}

/* A keyed op socket that generated its key; *tfm gets the tfm fd. */
static int keyed_op(const char *alg, int *tfm)
{
	int ret;

	*tfm = alg_bind(alg);
	if (*tfm < 0)
		return *tfm;
	ret = alg_setkey(*tfm, NULL, 0);
	if (ret >= 0)
		ret = alg_accept(*tfm);
	if (ret < 0) {
		close(*tfm);
		*tfm = -1;
	}
	return ret;
}

/* --- OpenSSL ------------------------------------------------------------ */

/* --- /proc, /sys ---------------------------------------------------------- */

static bool proc_crypto_has_driver(const char *driver)
{
	char line[256], name[128];
	bool found = false;
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "driver : %127s", name) == 1 &&
			!strcmp(name, driver);
	fclose(f);
	return found;
}

/* A "Key:   N kB" line of /proc/meminfo, or -1. */
static long meminfo_kb(const char *key)
{
	return file_field("/proc/meminfo", key);
}

/* Unreclaimable slab in kB after dropping the reclaimable caches. */
static long slab_unreclaimable_kb(void)
{
	sync();
	file_write("/proc/sys/vm/drop_caches", "2");
	usleep(200000);
	return meminfo_kb("SUnreclaim");
}

static long module_refcnt(const char *mod)
{
	char path[128];
	unsigned long val;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	return file_read_ulong(path, &val) ? -1 : (long)val;
}

/*
 * What kcapi_kpp_init() asks NETLINK_CRYPTO before it binds: 0 when the
 * kernel reports @name as a kpp algorithm, else -errno.
 */
static int crypto_user_reports_kpp(const char *name)
{
	struct {
		struct nlmsghdr n;
		struct crypto_user_alg cru;
	} req;
	union {
		struct nlmsghdr n;
		char buf[4096];
	} res;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct rtattr *rta;
	int fd, len, ret = -ENOENT;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.cru));
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_type = CRYPTO_MSG_GETALG;
	strncpy(req.cru.cru_name, name, sizeof(req.cru.cru_name) - 1);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_CRYPTO);
	if (fd < 0)
		return -errno;
	len = -1;
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&nl,
		   sizeof(nl)) >= 0)
		len = recv(fd, &res, sizeof(res), 0);
	ret = len < 0 ? -errno : -ENOENT;
	close(fd);
	if (len < 0)
		return ret;

	if (!NLMSG_OK(&res.n, (unsigned int)len))
		return -EPROTO;
	if (res.n.nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(&res.n))->error;
	if (res.n.nlmsg_type != CRYPTO_MSG_GETALG)
		return -EPROTO;
	len = res.n.nlmsg_len - NLMSG_SPACE(sizeof(struct crypto_user_alg));
	rta = (struct rtattr *)((char *)NLMSG_DATA(&res.n) +
				NLMSG_ALIGN(sizeof(struct crypto_user_alg)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == CRYPTOCFGA_REPORT_KPP)
			ret = 0;
	return ret;
}

/* --- workloads shared by the stress tests -------------------------------- */

/* open, keygen (generated key), close; returns the number of failures. */
static int keygen_cycles(int n, int *first_err)
{
	uint8_t pub[PUB];
	struct kpp k;
	int i, ret, fails = 0;

	for (i = 0; i < n; i++) {
		ret = kpp_open(&k, "ecdh-nist-p256");
		if (!ret)
			ret = kpp_keygen(&k, pub);
		kpp_close(&k);
		if (ret && !fails++)
			*first_err = ret;
	}
	return fails;
}

struct worker {
	pthread_barrier_t *start;
	int iterations;
	int fails;
	int first_err;
};

/* Two handles per thread, open together; derive both ways, compare. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct kpp a, b;
	uint8_t pa[PUB], pb[PUB], sa[SECRET], sb[SECRET];
	int i, ret;

	for (i = 0; i < w->iterations; i++) {
		b.tfmfd = -1;
		b.opfd = -1;
		ret = kpp_open(&a, "ecdh-nist-p256");
		if (!ret)
			ret = kpp_open(&b, "ecdh-nist-p256");
		if (!i)
			pthread_barrier_wait(w->start);
		if (!ret)
			ret = kpp_keygen(&a, pa);
		if (!ret)
			ret = kpp_keygen(&b, pb);
		if (!ret)
			ret = kpp_derive(&a, pb, sa);
		if (!ret)
			ret = kpp_derive(&b, pa, sb);
		if (!ret && memcmp(sa, sb, SECRET))
			ret = -EBADMSG;
		kpp_close(&a);
		kpp_close(&b);
		if (ret && !w->fails++)
			w->first_err = ret;
	}
	return NULL;
}

/* nthreads workers at once; returns the failures, *first_err the first. */
static int run_threads(int nthreads, int iterations, int *first_err)
{
	pthread_barrier_t start;
	pthread_t tid[16];
	struct worker w[16];
	int i, fails = 0;

	pthread_barrier_init(&start, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .start = &start,
					.iterations = iterations };
		pthread_create(&tid[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		if (w[i].fails && !fails)
			*first_err = w[i].first_err;
		fails += w[i].fails;
	}
	pthread_barrier_destroy(&start);
	return fails;
}

/* --- the fixture ---------------------------------------------------------- */

#define MAX_FDS 16

FIXTURE(kpp) {
	struct kpp k[4];
	int fd[MAX_FDS];
	int nfd;
};

/* Remembers a raw fd for the teardown; passes errors through. */
static int keep_fd(int *fds, int *nfd, int fd)
{
	if (fd >= 0 && *nfd < MAX_FDS)
		fds[(*nfd)++] = fd;
	return fd;
}

#define keep(s, f)	keep_fd((s)->fd, &(s)->nfd, (f))

FIXTURE_SETUP(kpp)
{
	int i, ret;

	for (i = 0; i < 4; i++) {
		self->k[i].tfmfd = -1;
		self->k[i].opfd = -1;
	}
	run_cmd("modprobe -qa af_alg ecdh_generic crypto_user");
	ret = kmod_load("algif_kpp", "");
	if (ret == -EEXIST)
		ret = 0;
	ASSERT_EQ(0, ret) TH_LOG("load %s/algif_kpp.ko: %s", kmod_dir(),
				 strerror(-ret));
}

FIXTURE_TEARDOWN(kpp)
{
	int i, ret;

	for (i = 0; i < 4; i++)
		kpp_close(&self->k[i]);
	for (i = 0; i < self->nfd; i++)
		close(self->fd[i]);
	ret = kmod_unload("algif_kpp");
	EXPECT_TRUE(!ret || ret == -ENOENT) TH_LOG("unload: %s",
						    strerror(-ret));
}

/* An op socket on ecdh-nist-p256 with a key set, it and its tfm kept. */
static int kept_op(struct __test_metadata *_metadata, FIXTURE_DATA(kpp) *self)
{
	int tfm, op;

	op = keep(self, keyed_op("ecdh-nist-p256", &tfm));
	keep(self, tfm);
	ASSERT_LE(0, op);
	return op;
}

/* ...and a key generated on it: its public key in @pub. */
static int kept_op_keygen(struct __test_metadata *_metadata,
			  FIXTURE_DATA(kpp) *self, uint8_t pub[PUB])
{
	int op = kept_op(_metadata, self);

	ASSERT_EQ(0, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	ASSERT_EQ(PUB, read_loop(op, pub, PUB));
	return op;
}

/* --- agreement ------------------------------------------------------------ */

/*
 * Two sockets, @a on @alg_a and @b on @alg_b, make a key each (public
 * keys @pa, @pb) and derive the same secret, into @sa.
 */
static void agree(struct __test_metadata *_metadata, struct kpp *a,
		  const char *alg_a, struct kpp *b, const char *alg_b,
		  uint8_t pa[PUB], uint8_t pb[PUB], uint8_t sa[SECRET])
{
	uint8_t sb[SECRET];

	ASSERT_EQ(0, kpp_open(a, alg_a));
	ASSERT_EQ(0, kpp_open(b, alg_b));
	ASSERT_EQ(0, kpp_keygen(a, pa));
	ASSERT_EQ(0, kpp_keygen(b, pb));
	ASSERT_EQ(0, kpp_derive(a, pb, sa));
	ASSERT_EQ(0, kpp_derive(b, pa, sb));
	EXPECT_EQ(0, memcmp(sa, sb, SECRET));
}

TEST_F(kpp, two_sockets_derive_the_same_secret)
{
	uint8_t pa[PUB], pb[PUB], sa[SECRET];
	struct kpp *a = &self->k[0], *b = &self->k[1];

	agree(_metadata, a, "ecdh-nist-p256", b, "ecdh-nist-p256", pa, pb, sa);
	EXPECT_NE(0, memcmp(pa, pb, PUB));
	EXPECT_EQ(64U, a->maxsize);
	EXPECT_FALSE(all_bytes(sa, SECRET, 0));
}

TEST_F(kpp, secret_matches_openssl)
{
	uint8_t mine[PUB], theirs[PUB], priv[PRIV], s1[SECRET], s2[SECRET];
	EVP_PKEY *ossl = ossl_gen(theirs, priv);
	struct kpp *k = &self->k[0];

	ASSERT_NE(NULL, ossl);
	ASSERT_EQ(0, kpp_open(k, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_keygen(k, mine));
	ASSERT_EQ(0, kpp_derive(k, theirs, s1));
	ASSERT_EQ(0, ossl_derive(ossl, mine, s2))
		TH_LOG("OpenSSL refused our public key");
	EXPECT_EQ(0, memcmp(s1, s2, SECRET));
	EVP_PKEY_free(ossl);
}

TEST_F(kpp, driver_name_binds_that_driver)
{
	uint8_t pa[PUB], pb[PUB], sa[SECRET];
	struct kpp *a = &self->k[0], *b = &self->k[1];

	agree(_metadata, a, "ecdh-nist-p256-generic", b, "ecdh-nist-p256",
	      pa, pb, sa);
	EXPECT_EQ(-ENOENT, kpp_open(&self->k[2],
				    "ecdh-nist-p256-nosuchdriver"));
}

TEST_F(kpp, given_private_key_gives_openssls_public_key)
{
	uint8_t d[PRIV], want[PUB], pub[PUB], priv[PRIV], peer[PUB];
	uint8_t s1[SECRET], s2[SECRET];
	struct kpp *k = &self->k[0], *p = &self->k[1];
	EVP_PKEY *ossl;

	/* The fixed vector. */
	hex2bin(fixed_d, d);
	hex2bin(fixed_x, want);
	hex2bin(fixed_y, want + 32);
	ASSERT_EQ(0, kpp_open(k, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_setkey(k, d, PRIV));
	ASSERT_EQ(0, kpp_keygen(k, pub));
	EXPECT_EQ(0, memcmp(pub, want, PUB));
	kpp_close(k);

	/* A fresh OpenSSL key, both ways, and the secret with a third key. */
	ossl = ossl_gen(want, priv);
	ASSERT_NE(NULL, ossl);
	ASSERT_EQ(0, kpp_open(k, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_setkey(k, priv, PRIV));
	ASSERT_EQ(0, kpp_keygen(k, pub));
	EXPECT_EQ(0, memcmp(pub, want, PUB));
	ASSERT_EQ(0, kpp_open(p, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_keygen(p, peer));
	ASSERT_EQ(0, kpp_derive(k, peer, s1));
	ASSERT_EQ(0, ossl_derive(ossl, peer, s2));
	EXPECT_EQ(0, memcmp(s1, s2, SECRET));
	EVP_PKEY_free(ossl);
}

/* --- libkcapi's exact system calls ---------------------------------------- */

/*
 * kcapi_kpp_init, kcapi_kpp_setkey(NULL, 0), kcapi_kpp_keygen and
 * kcapi_kpp_ssgen with KCAPI_ACCESS_HEURISTIC: outlen is what setkey
 * returned, read() loops until outlen bytes or a return <= 0.
 */
TEST_F(kpp, libkcapi_call_sequence)
{
	uint8_t pub[64], peer[PUB], out[64];
	int tfm, op, maxsize;

	ASSERT_EQ(0, crypto_user_reports_kpp("ecdh-nist-p256"))
		TH_LOG("NETLINK_CRYPTO GETALG: kcapi_kpp_init would fail");
	tfm = keep(self, alg_bind("ecdh-nist-p256"));
	ASSERT_LE(0, tfm);
	maxsize = alg_setkey(tfm, NULL, 0);
	ASSERT_EQ(64, maxsize);
	op = keep(self, alg_accept(tfm));
	ASSERT_LE(0, op);

	/* keygen: cmsg op 4, zero bytes of data */
	ASSERT_EQ(0, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	memset(pub, SENTINEL, sizeof(pub));
	ASSERT_EQ(64, read_loop(op, pub, maxsize));
	EXPECT_FALSE(all_bytes(pub, 64, SENTINEL));
	EXPECT_EQ(0, read(op, out, sizeof(out)));

	/* ssgen with outlen = maxsize: one read of 32, then read() = 0 */
	kept_op_keygen(_metadata, self, peer);	/* the peer's key */
	ASSERT_EQ(64, send_op(op, ALG_OP_SSGEN, peer, 64, 0));
	memset(out, SENTINEL, sizeof(out));
	ASSERT_EQ(32, read_loop(op, out, maxsize));
	EXPECT_TRUE(all_bytes(out + 32, 32, SENTINEL));
	EXPECT_EQ(0, read(op, out, sizeof(out)));
}

/* kcapi_kpp_ecdh_setcurve() and _dh_setparam_pkcs3() on 6.1. */
TEST_F(kpp, setcurve_and_dh_params_give_enoprotoopt)
{
	char curve[sizeof(unsigned long)] = { 0 };
	uint8_t pkcs3[8] = { 0x30, 0x06, 0x02, 0x01, 0x17, 0x02, 0x01, 0x02 };
	int tfm;

	tfm = keep(self, alg_bind("ecdh-nist-p256"));
	ASSERT_LE(0, tfm);
	snprintf(curve, sizeof(curve), "%lu", 2UL);
	EXPECT_EQ(-1, setsockopt(tfm, SOL_ALG, ALG_SET_ECDH_CURVE, curve,
				 sizeof(curve)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, setsockopt(tfm, SOL_ALG, ALG_SET_DH_PARAMETERS, pkcs3,
				 sizeof(pkcs3)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	/* The socket still works as libkcapi would go on using it. */
	EXPECT_EQ(64, alg_setkey(tfm, NULL, 0));
}

/*
 * KCAPI_ACCESS_VMSPLICE: cmsg with MSG_MORE and no data, then the peer
 * key through vmsplice + splice (.sendpage); keygen sends an empty
 * sendmsg after its cmsg.
 */
TEST_F(kpp, vmsplice_path_works)
{
	uint8_t pub[PUB], peer[PUB], s1[SECRET], s2[SECRET];
	struct kpp *p = &self->k[0];
	struct iovec iov = { .iov_base = peer, .iov_len = PUB };
	int op, pipes[2];

	op = kept_op(_metadata, self);
	ASSERT_EQ(0, pipe(pipes));
	keep(self, pipes[0]);
	keep(self, pipes[1]);

	ASSERT_EQ(0, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	ASSERT_EQ(0, send_data(op, NULL, 0, 0));
	ASSERT_EQ(PUB, read_loop(op, pub, PUB));

	ASSERT_EQ(0, kpp_open(p, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_keygen(p, peer));
	ASSERT_EQ(0, send_op(op, ALG_OP_SSGEN, NULL, 0, MSG_MORE));
	ASSERT_EQ(PUB, vmsplice(pipes[1], &iov, 1, SPLICE_F_GIFT));
	ASSERT_EQ(PUB, splice(pipes[0], NULL, op, NULL, PUB, 0))
		TH_LOG("splice: %s", strerror(errno));
	ASSERT_EQ(SECRET, read_loop(op, s1, SECRET));
	ASSERT_EQ(0, kpp_derive(p, pub, s2));
	EXPECT_EQ(0, memcmp(s1, s2, SECRET));
}

/* The peer key in two sendmsgs; a read in between would wait. */
TEST_F(kpp, msg_more_gathers_the_peer_key)
{
	uint8_t pub[PUB], peer[PUB], s1[SECRET], s2[SECRET];
	struct kpp *p = &self->k[0];
	int op;

	op = kept_op_keygen(_metadata, self, pub);
	ASSERT_EQ(0, kpp_open(p, "ecdh-nist-p256"));
	ASSERT_EQ(0, kpp_keygen(p, peer));

	ASSERT_EQ(20, send_op(op, ALG_OP_SSGEN, peer, 20, MSG_MORE));
	EXPECT_EQ(-1, recv(op, s1, SECRET, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(PUB - 20, send_data(op, peer + 20, PUB - 20, 0));
	ASSERT_EQ(SECRET, read_loop(op, s1, SECRET));
	ASSERT_EQ(0, kpp_derive(p, pub, s2));
	EXPECT_EQ(0, memcmp(s1, s2, SECRET));
}

/* --- refusals: an error, and nothing written ------------------------------ */

/* Sends peer (len bytes) for ssgen; returns the read()'s -errno or count. */
static ssize_t ssgen_result(int op, const uint8_t *peer, size_t len,
			    uint8_t out[PUB])
{
	ssize_t n = send_op(op, ALG_OP_SSGEN, peer, len, 0);

	memset(out, SENTINEL, PUB);
	if (n < 0)
		return n;
	n = read(op, out, PUB);
	return n < 0 ? -errno : n;
}

TEST_F(kpp, invalid_points_are_refused)
{
	uint8_t good[PUB], bad[PUB], out[PUB];
	int op, i;
	ssize_t n;

	op = kept_op_keygen(_metadata, self, good);
	/* Sanity: the good point works, so refusals below mean something. */
	ASSERT_EQ(SECRET, ssgen_result(op, good, PUB, out));

	for (i = 0; i < 5; i++) {
		memcpy(bad, good, PUB);
		switch (i) {
		case 0:		/* the point at infinity as 0 || 0 */
			memset(bad, 0, PUB);
			break;
		case 1:		/* not on the curve */
			bad[PUB - 1] ^= 1;
			break;
		case 2:		/* x = p */
			hex2bin(p256_p, bad);
			break;
		case 3:		/* x = 2^256 - 1 */
			memset(bad, 0xff, 32);
			break;
		case 4:		/* y = p */
			hex2bin(p256_p, bad + 32);
			break;
		}
		n = ssgen_result(op, bad, PUB, out);
		EXPECT_GT(0, n) TH_LOG("case %d: read gave %zd bytes", i, n);
		EXPECT_TRUE(all_bytes(out, PUB, SENTINEL))
			TH_LOG("case %d: the buffer was written", i);
		/* Refused operations are over: the next read is empty. */
		EXPECT_EQ(0, read(op, out, PUB));
	}
}

TEST_F(kpp, wrong_peer_sizes_are_refused)
{
	uint8_t peer[PUB + 1], out[PUB];
	int op;

	op = kept_op_keygen(_metadata, self, peer);
	peer[PUB] = 0;

	EXPECT_EQ(-EINVAL, ssgen_result(op, peer, PUB - 1, out));
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));
	EXPECT_EQ(-EINVAL, ssgen_result(op, peer, PUB + 1, out));
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));
	EXPECT_EQ(-EINVAL, ssgen_result(op, peer, 0, out));
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));
	EXPECT_EQ(0, read(op, out, PUB));
}

TEST_F(kpp, ssgen_without_a_key_is_refused)
{
	uint8_t peer[PUB], out[PUB], secret[SECRET];
	struct kpp *k = &self->k[0];
	int tfm, op;

	ASSERT_EQ(0, kpp_open(k, "ecdh-nist-p256"));
	memset(secret, SENTINEL, SECRET);
	EXPECT_EQ(-ENOKEY, kpp_derive(k, peer, secret));

	/* Raw: accept before ALG_SET_KEY gives a key-less op socket. */
	ASSERT_EQ(0, kpp_keygen(k, peer));
	tfm = keep(self, alg_bind("ecdh-nist-p256"));
	ASSERT_LE(0, tfm);
	op = keep(self, alg_accept(tfm));
	ASSERT_LE(0, op);
	EXPECT_EQ(-ENOKEY, send_op(op, ALG_OP_SSGEN, peer, PUB, 0));
	EXPECT_EQ(-ENOKEY, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	memset(out, SENTINEL, PUB);
	EXPECT_EQ(-1, read(op, out, PUB));
	EXPECT_EQ(ENOKEY, errno);
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));

	/* Setting the key afterwards makes the same op socket usable. */
	EXPECT_EQ(64, alg_setkey(tfm, NULL, 0));
	EXPECT_EQ(PUB, send_op(op, ALG_OP_SSGEN, peer, PUB, 0));
	EXPECT_EQ(SECRET, read(op, out, PUB));
	/* ... and then the key is fixed: a second ALG_SET_KEY is refused. */
	EXPECT_EQ(-EBUSY, alg_setkey(tfm, NULL, 0));
}

TEST_F(kpp, short_read_buffers_are_refused)
{
	uint8_t pub[PUB], out[PUB];
	int op;

	op = kept_op(_metadata, self);

	ASSERT_EQ(0, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	memset(out, SENTINEL, PUB);
	EXPECT_EQ(-1, read(op, out, PUB - 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));
	/* The operation stays pending for a buffer that fits. */
	ASSERT_EQ(PUB, read(op, pub, PUB));

	ASSERT_EQ(PUB, send_op(op, ALG_OP_SSGEN, pub, PUB, 0));
	EXPECT_EQ(-1, read(op, out, SECRET - 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_TRUE(all_bytes(out, PUB, SENTINEL));
	EXPECT_EQ(SECRET, read(op, out, SECRET));
}

TEST_F(kpp, unknown_ops_and_keygen_data_are_refused)
{
	static const uint32_t ops[] = { ALG_OP_DECRYPT, ALG_OP_ENCRYPT, 2, 3,
					6, 99, 0xffffffff };
	uint8_t buf[PUB] = { 1 };
	int op;
	size_t i;

	op = kept_op(_metadata, self);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		EXPECT_EQ(-EINVAL, send_op(op, ops[i], NULL, 0, 0))
			TH_LOG("op %u accepted", ops[i]);
	EXPECT_EQ(-EINVAL, send_op(op, ALG_OP_KEYGEN, buf, 1, 0));
	/* Data without any operation. */
	EXPECT_EQ(-EINVAL, send_data(op, buf, PUB, 0));
	EXPECT_EQ(0, read(op, buf, PUB));
}

/* Each unknown name costs two modprobe runs in the guest (crypto-NAME, -all). */
TEST_F_TIMEOUT(kpp, bad_keys_and_names_are_refused, 120)
{
	uint8_t key[PRIV + 1];
	int tfm;

	tfm = keep(self, alg_bind("ecdh-nist-p256"));
	ASSERT_LE(0, tfm);
	memset(key, 0x11, sizeof(key));
	EXPECT_EQ(-EINVAL, alg_setkey(tfm, key, PRIV - 1));
	EXPECT_EQ(-EINVAL, alg_setkey(tfm, key, PRIV + 1));
	memset(key, 0, PRIV);
	EXPECT_EQ(-EINVAL, alg_setkey(tfm, key, PRIV));
	hex2bin(p256_n, key);
	EXPECT_EQ(-EINVAL, alg_setkey(tfm, key, PRIV));
	memset(key, 0xff, PRIV);
	EXPECT_EQ(-EINVAL, alg_setkey(tfm, key, PRIV));
	/* After refusals there is no key: accept gives a key-less socket. */
	EXPECT_EQ(-ENOKEY, send_op(keep(self, alg_accept(tfm)),
				   ALG_OP_KEYGEN, NULL, 0, 0));

	EXPECT_EQ(-ENOENT, alg_bind("ecdh"));
	EXPECT_EQ(-ENOENT, alg_bind("ecdh-nist-p521"));
	EXPECT_EQ(-ENOENT, alg_bind("sha256"));
	/*
	 * DH binds, but its parameters cannot reach a 6.1 AF_ALG type; with
	 * crypto.af_alg_restrict (7.3) at 1 it is not on the type's list.
	 */
	if (alg_restrict_get() > 0) {
		EXPECT_EQ(-ENOENT, alg_bind("dh"));
		return;
	}
	tfm = keep(self, alg_bind("dh"));
	ASSERT_LE(0, tfm);
	EXPECT_EQ(-ENOKEY, alg_setkey(tfm, NULL, 0));
}

/*
 * 7.3's crypto.af_alg_restrict at its default 1: the kpp type checks its
 * own list (algif_kpp.c), and ECDH P-256 is on it for every user, so an
 * unprivileged process still does ECDHE; DH is not; at 0 DH binds again.
 */
TEST_F(kpp, af_alg_restrict_keeps_ecdh_for_everyone)
{
	int level = alg_restrict_get(), st, fd;
	pid_t pid;

	if (level < 0)
		SKIP(return, "no crypto.af_alg_restrict on this kernel");
	ASSERT_EQ(1, level);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = alg_bind("ecdh-nist-p256");
		if (fd < 0)
			_exit(11);
		close(fd);
		_exit(alg_bind("dh") == -ENOENT ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("10 setuid, 11 ecdh refused, 12 dh bound");
	ASSERT_EQ(0, alg_restrict_set(0));
	fd = alg_bind("dh");
	EXPECT_EQ(0, alg_restrict_set(1));
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

/* No call returns the private key; reads without an operation are empty. */
TEST_F(kpp, private_key_never_comes_back)
{
	uint8_t d[PRIV], out[256];
	socklen_t len = sizeof(out);
	int tfm, op;
	ssize_t n;

	hex2bin(fixed_d, d);
	tfm = keep(self, alg_bind("ecdh-nist-p256"));
	ASSERT_LE(0, tfm);
	ASSERT_EQ(64, alg_setkey(tfm, d, PRIV));
	op = keep(self, alg_accept(tfm));
	ASSERT_LE(0, op);

	EXPECT_EQ(-1, getsockopt(tfm, SOL_ALG, ALG_SET_KEY, out, &len));
	EXPECT_EQ(-1, getsockopt(op, SOL_ALG, ALG_SET_KEY, out, &len));
	EXPECT_EQ(0, read(op, out, sizeof(out)));
	ASSERT_EQ(0, send_op(op, ALG_OP_KEYGEN, NULL, 0, 0));
	n = read(op, out, sizeof(out));
	ASSERT_EQ(PUB, n);
	EXPECT_EQ(NULL, memmem(out, n, d, PRIV));
	EXPECT_EQ(0, read(op, out, sizeof(out)));
	/* The tfm socket has no read at all. */
	EXPECT_EQ(-1, read(tfm, out, sizeof(out)));
}

/* curve25519: raw 32-byte keys and results; an all-zero result is refused. */
TEST_F(kpp, x25519_two_sockets_agree)
{
	uint8_t pa[32], pb[32], sa[32], sb[32], zero[32] = { 0 };
	int ta, tb, a, b;

	ta = keep(self, alg_bind("curve25519"));
	if (ta == -ENOENT)
		SKIP(return, "no curve25519 kpp in this kernel");
	ASSERT_LE(0, ta);
	tb = keep(self, alg_bind("curve25519"));
	ASSERT_LE(0, tb);
	ASSERT_EQ(32, alg_setkey(ta, NULL, 0));
	ASSERT_EQ(32, alg_setkey(tb, NULL, 0));
	a = keep(self, alg_accept(ta));
	b = keep(self, alg_accept(tb));
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, send_op(a, ALG_OP_KEYGEN, NULL, 0, 0));
	ASSERT_EQ(32, read_loop(a, pa, 32));
	ASSERT_EQ(0, send_op(b, ALG_OP_KEYGEN, NULL, 0, 0));
	ASSERT_EQ(32, read_loop(b, pb, 32));
	ASSERT_EQ(32, send_op(a, ALG_OP_SSGEN, pb, 32, 0));
	ASSERT_EQ(32, read_loop(a, sa, 32));
	ASSERT_EQ(32, send_op(b, ALG_OP_SSGEN, pa, 32, 0));
	ASSERT_EQ(32, read_loop(b, sb, 32));
	EXPECT_EQ(0, memcmp(sa, sb, 32));
	/* The zero point yields an all-zero secret: refused, not returned. */
	ASSERT_EQ(32, send_op(a, ALG_OP_SSGEN, zero, 32, 0));
	memset(sa, SENTINEL, sizeof(sa));
	EXPECT_GT(0, read_loop(a, sa, 32));
	EXPECT_TRUE(all_bytes(sa, 32, SENTINEL));
}

/* --- load ------------------------------------------------------------------ */

TEST_F_TIMEOUT(kpp, eight_threads_at_once, 300)
{
	int err = 0;

	EXPECT_EQ(0, run_threads(8, 10, &err))
		TH_LOG("first error: %s", strerror(-err));
}

/*
 * 1000 open/keygen/close cycles and 8 threads, then: every socket and
 * transform is gone (module reference counts back to where they were),
 * the module unloads, and unreclaimable slab (SUnreclaim in /proc/meminfo,
 * after dropping dentries and inodes) has not grown by more than
 * SLAB_BOUND_KB.  The reference counts catch a leaked socket (af_alg) or
 * transform (ecdh_generic) exactly; the slab bound catches any other
 * kmalloc leak of more than about 128 bytes per cycle (1000 cycles plus 80
 * thread iterations of two handles each).  Seen in the VM: 0 to 32 kB.
 */
#define SLAB_BOUND_KB	128

TEST_F_TIMEOUT(kpp, cycles_and_threads_leave_nothing_behind, 580)
{
	long slab0, slab1, ecdh0, alg0;
	int err = 0;

	/* Warm up the caches, then measure. */
	ASSERT_EQ(0, keygen_cycles(50, &err)) TH_LOG("%s", strerror(-err));
	ASSERT_EQ(0, run_threads(8, 2, &err)) TH_LOG("%s", strerror(-err));
	slab0 = slab_unreclaimable_kb();
	ecdh0 = module_refcnt("ecdh_generic");
	alg0 = module_refcnt("af_alg");
	ASSERT_LT(0, slab0);

	EXPECT_EQ(0, keygen_cycles(1000, &err))
		TH_LOG("first error: %s", strerror(-err));
	EXPECT_EQ(0, run_threads(8, 10, &err))
		TH_LOG("first error: %s", strerror(-err));

	EXPECT_EQ(ecdh0, module_refcnt("ecdh_generic"))
		TH_LOG("transforms left behind");
	EXPECT_EQ(alg0, module_refcnt("af_alg"))
		TH_LOG("sockets left behind");
	ASSERT_EQ(0, kmod_unload("algif_kpp"));
	slab1 = slab_unreclaimable_kb();
	TH_LOG("SUnreclaim %ld kB before, %ld kB after (bound +%d kB)",
	       slab0, slab1, SLAB_BOUND_KB);
	EXPECT_LE(slab1, slab0 + SLAB_BOUND_KB);
}

/* --- the chip provider ------------------------------------------------------ */

TEST_F(kpp, chip_provider_did_the_work)
{
	uint8_t pa[PUB], pb[PUB], sa[SECRET];
	struct kpp *a = &self->k[0], *b = &self->k[1];
	long genkey0, ecdh0;

	/* A provisioned simulated chip and the driver with its providers. */
	kmod_unload("iotsec");
	kmod_unload("iotsec_sim");
	ASSERT_EQ(0, kmod_load("iotsec_sim", "chips=1 provisioned=1"));
	ASSERT_EQ(0, kmod_load("iotsec", NULL));
	ASSERT_TRUE(proc_crypto_has_driver("ecdh-nist-p256-iotsec"));
	/* The driver binds asynchronously: wait for the chip's first wake. */
	for (int i = 0; i < 50 && sim_counter(0, "wakes") <= 0; i++)
		usleep(100000);
	genkey0 = sim_counter(0, "genkey");
	ecdh0 = sim_counter(0, "ecdh");
	ASSERT_LE(0, genkey0);
	ASSERT_LE(0, ecdh0);

	/* The generic name must resolve to the chip, by priority. */
	agree(_metadata, a, "ecdh-nist-p256", b, "ecdh-nist-p256-generic",
	      pa, pb, sa);
	EXPECT_LT(genkey0, sim_counter(0, "genkey"));
	EXPECT_LT(ecdh0, sim_counter(0, "ecdh"));
	kpp_close(a);
	kpp_close(b);
	EXPECT_EQ(0, kmod_unload("iotsec"));
	EXPECT_EQ(0, kmod_unload("iotsec_sim"));
}

TEST_HARNESS_MAIN
