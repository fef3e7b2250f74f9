// SPDX-License-Identifier: GPL-2.0
/*
 * The ground the project stands on, checked in the VM: kernel TLS carries
 * a record over loopback TCP, AF_ALG hash and AEAD give known answers,
 * request_module works inside the guest (an AEAD template autoloads and the
 * generic ecdh-nist-p256 passes its self-test, which needs stdrng), and
 * i2c-dev is there for the simulator tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_alg.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kmod.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

static void hex2bin(const char *hex, unsigned char *out)
{
	while (hex[0] && hex[1]) {
		sscanf(hex, "%2hhx", out++);
		hex += 2;
	}
}

/* Returns an AF_ALG operation socket for type/name, or -errno. */
static int alg_open(const char *type, const char *name, const void *key,
		    unsigned int keylen, int *tfm)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int op;

	strncpy((char *)sa.salg_type, type, sizeof(sa.salg_type) - 1);
	strncpy((char *)sa.salg_name, name, sizeof(sa.salg_name) - 1);
	*tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (*tfm < 0)
		return -errno;
	if (bind(*tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (key && setsockopt(*tfm, SOL_ALG, ALG_SET_KEY, key, keylen))) {
		op = -errno;
		close(*tfm);
		return op;
	}
	op = accept(*tfm, NULL, 0);
	if (op < 0) {
		op = -errno;
		close(*tfm);
	}
	return op;
}

TEST(af_alg_sha256_known_answer)
{
	unsigned char digest[32], want[32];
	int tfm, op;

	hex2bin("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		want);
	op = alg_open("hash", "sha256", NULL, 0, &tfm);
	ASSERT_LE(0, op) TH_LOG("AF_ALG hash sha256: %s", strerror(-op));
	ASSERT_EQ(3, write(op, "abc", 3));
	ASSERT_EQ(32, read(op, digest, sizeof(digest)));
	EXPECT_EQ(0, memcmp(digest, want, 32));
	close(op);
	close(tfm);
}

/*
 * McGrew & Viega GCM test case 2: zero key, zero IV, one zero block.  On a
 * kernel with crypto.af_alg_restrict at 1 (7.3's default) nobody may bind
 * gcm(aes): the bind fails with ENOENT, and the answer is checked with the
 * sysctl at 0 for the length of the test.
 */
TEST(af_alg_gcm_aes_known_answer)
{
	int restrict_level = alg_restrict_get();

	unsigned char key[16] = { 0 }, pt[16] = { 0 }, out[32], want[32];
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 12)];
	struct af_alg_iv *iv;
	struct iovec iov = { .iov_base = pt, .iov_len = sizeof(pt) };
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c;
	int tfm, op;

	hex2bin("0388dace60b6a392f328c2b971b2fe78"
		"ab6e47d42cec13bdf53a67b21257bddf", want);
	memset(cbuf, 0, sizeof(cbuf));
	if (restrict_level == 1) {
		op = alg_open("aead", "gcm(aes)", key, sizeof(key), &tfm);
		ASSERT_EQ(-ENOENT, op) TH_LOG("af_alg_restrict 1 let gcm(aes) bind");
		ASSERT_EQ(0, alg_restrict_set(0));
	}
	op = alg_open("aead", "gcm(aes)", key, sizeof(key), &tfm);
	if (restrict_level == 1)
		ASSERT_EQ(0, alg_restrict_set(1));
	ASSERT_LE(0, op) TH_LOG("AF_ALG aead gcm(aes): %s", strerror(-op));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(4);
	*(__u32 *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + 12);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = 12;
	ASSERT_EQ(16, sendmsg(op, &msg, 0));
	ASSERT_EQ(32, read(op, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, want, 32));
	close(op);
	close(tfm);
}

static unsigned long tls_stat(const char *name)
{
	char line[128], key[64];
	unsigned long val = 0, v;
	FILE *f = fopen("/proc/net/tls_stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

static void tcp_pair(struct __test_metadata *_metadata, int *cfd, int *sfd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sa, &len));
	*cfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(*cfd, (struct sockaddr *)&sa, sizeof(sa)));
	*sfd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, *sfd);
	close(lfd);
}

/* A TLS 1.3 record sent through kTLS TX is read back through kTLS RX. */
TEST(ktls_ulp_carries_a_record)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};
	unsigned long tx0 = tls_stat("TlsTxSw"), rx0 = tls_stat("TlsRxSw");
	char buf[32];
	int cfd, sfd;

	tcp_pair(_metadata, &cfd, &sfd);
	memset(ci.key, 0x42, sizeof(ci.key));
	memset(ci.iv, 0x17, sizeof(ci.iv));
	memset(ci.salt, 0x99, sizeof(ci.salt));
	ASSERT_EQ(0, setsockopt(cfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(sfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")));
	ASSERT_EQ(0, setsockopt(cfd, SOL_TLS, TLS_TX, &ci, sizeof(ci)));
	ASSERT_EQ(0, setsockopt(sfd, SOL_TLS, TLS_RX, &ci, sizeof(ci)));
	ASSERT_EQ(11, write(cfd, "hello, ktls", 11));
	ASSERT_EQ(11, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello, ktls", 11));
	EXPECT_LT(tx0, tls_stat("TlsTxSw"));
	EXPECT_LT(rx0, tls_stat("TlsRxSw"));
	close(cfd);
	close(sfd);
}

/* Looks up a /proc/crypto entry by driver name; returns its selftest line. */
static int proc_crypto_selftest(const char *driver, char *st, size_t len)
{
	char line[256], cur[128] = "";
	int found = -ENOENT;
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "driver : %127s", cur) == 1)
			continue;
		if (!strcmp(cur, driver) &&
		    sscanf(line, "selftest : %63s", st) == 1 && len > 63) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

TEST(ecdh_generic_selftest_passed)
{
	char st[64] = "";

	ASSERT_EQ(0, proc_crypto_selftest("ecdh-nist-p256-generic", st, sizeof(st)))
		TH_LOG("ecdh-nist-p256-generic not in /proc/crypto");
	EXPECT_STREQ("passed", st);
}

/* bind() asks request_module for "crypto-ccm": the guest's modprobe must run. */
TEST(request_module_autoloads)
{
	int tfm, op;

	if (kmod_loaded("ccm"))
		SKIP(return, "ccm already loaded: cannot observe autoload");
	op = alg_open("aead", "ccm(aes)", NULL, 0, &tfm);
	ASSERT_LE(0, op) TH_LOG("AF_ALG aead ccm(aes): %s", strerror(-op));
	EXPECT_TRUE(kmod_loaded("ccm"));
	close(op);
	close(tfm);
}

TEST(i2c_dev_loads)
{
	EXPECT_EQ(0, run_cmd("modprobe i2c-dev"));
	EXPECT_TRUE(kmod_loaded("i2c_dev"));
}

TEST_HARNESS_MAIN
