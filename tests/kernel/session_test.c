// SPDX-License-Identifier: GPL-2.0
/*
 * libiotsec sessions through the public API, in the VM with a simulated
 * chip: sendfile() over the kTLS socket to openssl s_server; what
 * iotsec_session_recv() makes of the records after the handshake (tickets
 * under MSG_PEEK, close_notify, an end of file without it); a
 * CertificateRequest without our signature scheme; and a peer that sends
 * a truncated or an oversized handshake message, which must end in
 * decode_error both ways (our error, and the alert on the wire); and the
 * peer chains a configuration keeps once the kernel has linked them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kcompat.h"
#include "kmod.h"
#include "iotsec.h"
#include "tcp.h"

#define PORT	4450

struct env {
	char dir[64];
	key_serial_t key;
	struct iotsec_config *cfg;
};

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return run_cmd(cmd);
}

/* Modules, the chip key, a PKI with a device certificate for it. */
static int env_up(struct env *e)
{
	const char *top = getenv("IOTSEC_TOP");
	char path[256];
	int i;

	if (!top || keyctl_join_session_keyring(NULL) < 0)
		return -EINVAL;
	/* A test killed by its timeout may have left them loaded. */
	kmod_unload("algif_kpp");
	kmod_unload("iotsec");
	kmod_unload("iotsec_sim");
	if (kmod_load("iotsec_sim", "chips=1 provisioned=1") ||
	    kmod_load("iotsec", NULL) || kmod_load("algif_kpp", NULL))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/i2c/drivers/iotsec/%d-0060",
		 i2c_bus_find("iotsec-sim"));
	for (i = 0; i < 50 && access(path, F_OK); i++)
		usleep(100000);
	e->key = add_key("iotsec", "session-test", "chip=0 slot=0", 13,
			 KEY_SPEC_SESSION_KEYRING);
	if (e->key < 0)
		return -errno;
	snprintf(e->dir, sizeof(e->dir), "/tmp/sess.XXXXXX");
	if (!mkdtemp(e->dir))
		return -errno;
	snprintf(path, sizeof(path), "%d", e->key);
	if (sh("keyctl pipe %s | openssl pkey -pubin -inform DER -out %s/dev.pub",
	       path, e->dir) ||
	    sh(". %s/tests/kernel/lib/pki.sh && d=%s && pki_ca $d root && "
	       "pki_leaf $d srv root DNS:server.test,IP:127.0.0.1 && "
	       "pki_leaf_for_pubkey $d dev root $d/dev.pub DNS:device.test", top, e->dir))
		return -EIO;
	if (iotsec_config_new(&e->cfg))
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/root.pem", e->dir);
	if (iotsec_config_set_root_ca_file(e->cfg, path))
		return -EIO;
	snprintf(path, sizeof(path), "%s/dev.pem", e->dir);
	if (iotsec_config_set_cert_chain_file(e->cfg, path))
		return -EIO;
	iotsec_config_set_timeout(e->cfg, 20000);
	/* Our client checks s_server's name (srv.pem: server.test). */
	if (iotsec_config_set_peer_name(e->cfg, "server.test"))
		return -1;
	return iotsec_config_set_key(e->cfg, e->key);
}

static void env_down(struct env *e)
{
	iotsec_config_free(e->cfg);
	if (e->dir[0])
		sh("rm -rf %s%s", e->dir, "");
	run_cmd("pkill -f 'openssl s_server' 2>/dev/null");
	kmod_unload("algif_kpp");
	kmod_unload("iotsec");
	kmod_unload("iotsec_sim");
}

FIXTURE(sess)
{
	struct env e;
};

FIXTURE_SETUP(sess)
{
	memset(&self->e, 0, sizeof(self->e));
	ASSERT_EQ(0, env_up(&self->e));
}

FIXTURE_TEARDOWN(sess)
{
	env_down(&self->e);
}

TEST_F_TIMEOUT(sess, sendfile_over_ktls_to_openssl, 180)
{
	char cmd[1024], path[128], out[128];
	struct iotsec_session *s;
	struct stat st;
	off_t off = 0;
	int fd, file, i;

	snprintf(path, sizeof(path), "%s/file", self->e.dir);
	snprintf(out, sizeof(out), "%s/received", self->e.dir);
	ASSERT_EQ(0, sh("head -c 1048576 /dev/urandom > %s%s", path, ""));
	snprintf(cmd, sizeof(cmd),
		 "sleep 60 | openssl s_server -accept %d -tls1_3 -Verify 1 "
		 "-CAfile %s/root.pem -cert %s/srv.pem -key %s/srv.key "
		 "-groups P-256 -naccept 1 -quiet > %s 2>/dev/null &",
		 PORT, self->e.dir, self->e.dir, self->e.dir, out);
	ASSERT_EQ(0, run_cmd(cmd));
	fd = tcp_dial(PORT, 100);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, iotsec_session_connect(self->e.cfg, fd, &s));
	file = open(path, O_RDONLY);
	ASSERT_LE(0, file);
	while (off < 1048576)
		ASSERT_LT(0, sendfile(fd, file, &off, 1048576 - off));
	close(file);
	for (i = 0; i < 300; i++) {
		if (!stat(out, &st) && st.st_size >= 1048576)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, iotsec_session_close(s));
	/* ECDH key generation, ECDH, our CertificateVerify. */
	EXPECT_EQ(3, iotsec_session_key_ops(s));
	snprintf(cmd, sizeof(cmd), "cmp %s %s", path, out);
	EXPECT_EQ(0, run_cmd(cmd)) TH_LOG("openssl received %ld bytes",
					  (long)st.st_size);
	iotsec_session_free(s);
	close(fd);
}

/*
 * openssl s_server on PORT, reading its standard input from the shell
 * commands feed; returns our session with it (the socket in *fd).
 */
static int with_s_server(struct env *e, const char *feed, const char *args,
			 int *fd, struct iotsec_session **s)
{
	char cmd[1024];
	int ret;

	*s = NULL;
	snprintf(cmd, sizeof(cmd),
		 "(%s) | openssl s_server -accept %d -tls1_3 -Verify 1 "
		 "-CAfile %s/root.pem -cert %s/srv.pem -key %s/srv.key "
		 "-groups P-256 -naccept 1 %s > /dev/null 2>&1 &",
		 feed, PORT, e->dir, e->dir, e->dir, args);
	if (run_cmd(cmd))
		return -EIO;
	*fd = tcp_dial(PORT, 100);
	if (*fd < 0)
		return -ECONNREFUSED;
	ret = iotsec_session_connect(e->cfg, *fd, s);
	if (ret)
		close(*fd);
	return ret;
}

/*
 * OpenSSL sends two NewSessionTickets right after the handshake: MSG_PEEK
 * must get past them to the data, and leave the data for the next call.
 */
TEST_F_TIMEOUT(sess, recv_peek_consumes_tickets_and_keeps_data, 120)
{
	struct iotsec_session *s;
	char a[64], b[64];
	int fd;

	ASSERT_EQ(0, with_s_server(&self->e, "sleep 1; echo hello; sleep 20",
				   "-quiet", &fd, &s));
	ASSERT_EQ(6, iotsec_session_recv(s, a, sizeof(a), MSG_PEEK));
	EXPECT_EQ(0, memcmp(a, "hello\n", 6));
	ASSERT_EQ(6, iotsec_session_recv(s, b, sizeof(b), 0));
	EXPECT_EQ(0, memcmp(b, "hello\n", 6));
	EXPECT_EQ(-EINVAL, iotsec_session_recv(s, b, 0, 0));
	iotsec_session_close(s);
	iotsec_session_free(s);
	close(fd);
}

/*
 * The handshake's symmetric crypto forced to one backend: a mutual TLS
 * 1.3 session with s_server -Verify 1 completes (3 key operations: the
 * chip still signs, ECDHE is still AF_ALG kpp), the data arrives, and the
 * backend asked for is the one that ran.
 */
static void forced(struct __test_metadata *_metadata, struct env *e,
		   unsigned int crypto)
{
	struct iotsec_session *s;
	char a[64];
	int fd;

	ASSERT_EQ(0, iotsec_config_set_crypto(e->cfg, crypto));
	ASSERT_EQ(0, with_s_server(e, "sleep 1; echo hello; sleep 20",
				   "-quiet", &fd, &s));
	EXPECT_EQ(crypto, iotsec_session_crypto(s));
	EXPECT_EQ(3, iotsec_session_key_ops(s));
	ASSERT_EQ(6, iotsec_session_recv(s, a, sizeof(a), 0));
	EXPECT_EQ(0, memcmp(a, "hello\n", 6));
	EXPECT_EQ(5, write(fd, "ping\n", 5));
	iotsec_session_close(s);
	iotsec_session_free(s);
	close(fd);
}

TEST_F_TIMEOUT(sess, crypto_user_forced_mutual_tls_with_openssl, 120)
{
	forced(_metadata, &self->e, IOTSEC_CRYPTO_USER);
}

#define AF_ALG_RESTRICT "/proc/sys/crypto/af_alg_restrict"

/*
 * KERNEL forced.  7.3's crypto.af_alg_restrict at 1 (its default) or 2
 * refuses gcm(aes) to everyone: there the handshake fails with the
 * refusal's errno (ENOENT at 1, EAFNOSUPPORT at 2), as documented, and
 * nothing else is tried.  At 0, or without the sysctl, AF_ALG runs it all.
 */
TEST_F_TIMEOUT(sess, crypto_kernel_forced_mutual_tls_with_openssl, 120)
{
	struct iotsec_session *s;
	unsigned long level;
	int fd;

	if (file_read_ulong(AF_ALG_RESTRICT, &level) || level == 0) {
		forced(_metadata, &self->e, IOTSEC_CRYPTO_KERNEL);
		return;
	}
	ASSERT_EQ(0, iotsec_config_set_crypto(self->e.cfg, IOTSEC_CRYPTO_KERNEL));
	EXPECT_EQ(level == 1 ? -ENOENT : -EAFNOSUPPORT,
		  with_s_server(&self->e, "sleep 3", "-quiet", &fd, &s));
	EXPECT_EQ(NULL, s);
	sleep(4);	/* that s_server gone from the port */
}

/*
 * AUTO, the default: libcrypto for the symmetric part on every kernel
 * (the private-key operations stay in the kernel and the chip).
 */
TEST_F_TIMEOUT(sess, crypto_auto_is_libcrypto, 120)
{
	struct iotsec_session *s;
	char a[64];
	int fd;

	EXPECT_EQ(-EINVAL, iotsec_config_set_crypto(self->e.cfg, 3));
	ASSERT_EQ(0, with_s_server(&self->e, "sleep 1; echo hello; sleep 20",
				   "-quiet", &fd, &s));
	EXPECT_EQ(IOTSEC_CRYPTO_USER, iotsec_session_crypto(s));
	ASSERT_EQ(6, iotsec_session_recv(s, a, sizeof(a), 0));
	iotsec_session_close(s);
	iotsec_session_free(s);
	close(fd);
}

/* s_server -quiet sends close_notify when its input ends: 0, and again. */
TEST_F_TIMEOUT(sess, recv_close_notify_gives_zero, 120)
{
	struct iotsec_session *s;
	char buf[64];
	int fd;

	ASSERT_EQ(0, with_s_server(&self->e, "sleep 1; echo hello; sleep 1",
				   "-quiet", &fd, &s));
	ASSERT_EQ(6, iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, iotsec_session_recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	iotsec_session_free(s);
	close(fd);
}

/*
 * Without -quiet, s_server closes the socket when its input ends, with no
 * close_notify: the end of the data cannot be told from a truncation.
 */
TEST_F_TIMEOUT(sess, recv_eof_without_close_notify_is_peer_closed, 120)
{
	const int closed = -(IOTSEC_ERR_LIB | IOTSEC_E_PEER_CLOSED);
	struct iotsec_session *s;
	char buf[64];
	int fd;

	/* killed, s_server sends no close_notify: the kernel sends a FIN */
	ASSERT_EQ(0, with_s_server(&self->e, "sleep 1; echo hello; sleep 60",
				   "-quiet", &fd, &s));
	ASSERT_EQ(6, iotsec_session_recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, run_cmd("pkill -KILL -f '[o]penssl s_server'"));
	EXPECT_EQ(closed, iotsec_session_recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(closed, iotsec_session_recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	iotsec_session_free(s);
	close(fd);
}

/*
 * A CertificateRequest that lists only rsa_pss_rsae_sha256: we have no
 * certificate for it and send an empty one, no CertificateVerify (RFC
 * 8446 4.4.2); s_server -Verify then refuses with certificate_required.
 */
TEST_F_TIMEOUT(sess, cert_request_without_our_scheme_gets_no_certificate, 120)
{
	struct iotsec_session *s;
	char buf[64];
	int fd;

	ASSERT_EQ(0, with_s_server(&self->e, "sleep 20",
				   "-quiet -client_sigalgs rsa_pss_rsae_sha256",
				   &fd, &s));
	EXPECT_EQ(2, iotsec_session_key_ops(s));
	EXPECT_EQ(-(IOTSEC_ERR_ALERT_RECV | IOTSEC_ALERT_CERTIFICATE_REQUIRED),
		  iotsec_session_recv(s, buf, sizeof(buf), 0));
	iotsec_session_free(s);
	close(fd);
}

/* A peer that answers the ClientHello with the given bytes. */
struct fake {
	const uint8_t *reply;
	size_t len;
	uint8_t alert[7];	/* what came back: a plaintext alert record */
	ssize_t got;
	int lfd;
};

static void *fake_peer(void *arg)
{
	struct fake *f = arg;
	uint8_t hdr[5], body[16384];
	int fd = accept(f->lfd, NULL, NULL);
	size_t len;

	if (fd < 0)
		return NULL;
	if (read(fd, hdr, 5) == 5) {
		len = hdr[3] << 8 | hdr[4];
		if (recv(fd, body, len, MSG_WAITALL) == (ssize_t)len &&
		    write(fd, f->reply, f->len) == (ssize_t)f->len)
			f->got = recv(fd, f->alert, sizeof(f->alert), MSG_WAITALL);
	}
	close(fd);
	return NULL;
}

static int listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void against_fake(struct __test_metadata *_metadata, struct env *e,
			 const uint8_t *reply, size_t len, int want)
{
	static const uint8_t decode_error[7] = { 21, 3, 3, 0, 2, 2, 50 };
	struct fake f = { .reply = reply, .len = len };
	struct iotsec_session *s = NULL;
	pthread_t t;
	int fd, ret;

	f.lfd = listen_on(PORT + 1);
	ASSERT_LE(0, f.lfd);
	ASSERT_EQ(0, pthread_create(&t, NULL, fake_peer, &f));
	fd = tcp_dial(PORT + 1, 100);
	ASSERT_LE(0, fd);
	ret = iotsec_session_connect(e->cfg, fd, &s);
	close(fd);
	pthread_join(t, NULL);
	close(f.lfd);
	EXPECT_EQ(want, ret) TH_LOG("got %s", iotsec_strerror(ret));
	EXPECT_EQ(NULL, s);
	ASSERT_EQ(7, f.got);
	EXPECT_EQ(0, memcmp(decode_error, f.alert, 7));
}

/* A ServerHello whose extensions block says 40 bytes and holds 6. */
TEST_F_TIMEOUT(sess, truncated_server_hello_is_decode_error, 120)
{
	uint8_t m[5 + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6];
	size_t n = 0;

	m[n++] = 22; m[n++] = 3; m[n++] = 3; m[n++] = 0; m[n++] = sizeof(m) - 5;
	m[n++] = 2; m[n++] = 0; m[n++] = 0; m[n++] = sizeof(m) - 9;
	m[n++] = 3; m[n++] = 3;				/* legacy_version */
	memset(m + n, 0x5a, 32); n += 32;		/* random */
	m[n++] = 0;					/* session id */
	m[n++] = 0x13; m[n++] = 0x01;			/* suite */
	m[n++] = 0;					/* compression */
	m[n++] = 0; m[n++] = 40;			/* extensions: claims 40 */
	memcpy(m + n, "\x00\x2b\x00\x02\x03\x04", 6);	/* holds 6 */
	against_fake(_metadata, &self->e, m, sizeof(m),
		     -(IOTSEC_ERR_ALERT_SENT | IOTSEC_ALERT_DECODE_ERROR));
}

/* A handshake header announcing 16 MiB - 1: refused before it arrives. */
TEST_F_TIMEOUT(sess, oversized_handshake_message_is_decode_error, 120)
{
	static const uint8_t m[] = { 22, 3, 3, 0, 8, 2, 0xff, 0xff, 0xff, 3, 3, 0, 0 };

	against_fake(_metadata, &self->e, m, sizeof(m),
		     -(IOTSEC_ERR_ALERT_SENT | IOTSEC_ALERT_DECODE_ERROR));
}

/*
 * The peer chains the kernel linked stay with the configuration
 * (cert.h, struct cert_linked): a server met again costs no second
 * verification (the same keyring, no new one), a different chain gets
 * its own and is verified (another root's: unknown_ca), and new roots
 * drop them all.  Counted as the "iotsec:peer:" keyrings in /proc/keys.
 */
static int peer_rings(key_serial_t *first)
{
	char line[512], flags[8], mine[64];
	unsigned int id;
	int n = 0;
	FILE *f = fopen("/proc/keys", "r");

	if (!f)
		return -1;
	/* ours (the description has our pid), and not on the way out */
	snprintf(mine, sizeof(mine), "iotsec:peer:%d:", getpid());
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, mine) ||
		    sscanf(line, "%x %7s", &id, flags) != 2 ||
		    strlen(flags) != 7 || flags[1] == 'R' || flags[2] == 'D' ||
		    flags[6] == 'i')
			continue;
		if (!n++ && first)
			*first = (key_serial_t)id;
	}
	fclose(f);
	return n;
}

static int connect_to(struct env *e, const char *cert, int port)
{
	struct iotsec_session *s = NULL;
	char cmd[1024];
	int fd, ret;

	snprintf(cmd, sizeof(cmd),
		 "sleep 20 | openssl s_server -accept %d -tls1_3 -Verify 1 "
		 "-CAfile %s/root.pem -cert %s/%s.pem -key %s/%s.key "
		 "-groups P-256 -naccept 1 -quiet > /dev/null 2>&1 &",
		 port, e->dir, e->dir, cert, e->dir, cert);
	if (run_cmd(cmd))
		return -EIO;
	fd = tcp_dial(port, 100);
	if (fd < 0)
		return -ECONNREFUSED;
	ret = iotsec_session_connect(e->cfg, fd, &s);
	if (!ret)
		iotsec_session_close(s);
	iotsec_session_free(s);
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(sess, peer_chain_linked_once_per_configuration, 240)
{
	key_serial_t a = 0, b = 0;
	char path[128];

	ASSERT_EQ(0, sh(". %s/tests/kernel/lib/pki.sh && d=%s && "
			"pki_leaf $d srv2 root DNS:server.test && "
			"pki_ca $d evil && pki_leaf $d fake evil DNS:server.test",
			getenv("IOTSEC_TOP"), self->e.dir));
	ASSERT_EQ(0, peer_rings(NULL));
	ASSERT_EQ(0, connect_to(&self->e, "srv", PORT + 1));
	ASSERT_EQ(1, peer_rings(&a)) TH_LOG("the linked chain is kept");
	ASSERT_EQ(0, connect_to(&self->e, "srv", PORT + 2));
	ASSERT_EQ(1, peer_rings(&b));
	EXPECT_EQ(a, b) TH_LOG("the same server's chain is linked once");
	ASSERT_EQ(0, connect_to(&self->e, "srv2", PORT + 3));
	EXPECT_EQ(2, peer_rings(NULL)) TH_LOG("another chain, its own ring");
	EXPECT_EQ(-(IOTSEC_ERR_ALERT_SENT | IOTSEC_ALERT_UNKNOWN_CA),
		  connect_to(&self->e, "fake", PORT + 4));
	EXPECT_EQ(2, peer_rings(NULL)) TH_LOG("a refused chain is not kept");
	ASSERT_EQ(0, connect_to(&self->e, "srv", PORT + 5));
	ASSERT_EQ(2, peer_rings(NULL));
	/* New roots (the same file): what the old ones admitted goes. */
	snprintf(path, sizeof(path), "%s/root.pem", self->e.dir);
	ASSERT_EQ(0, iotsec_config_set_root_ca_file(self->e.cfg, path));
	EXPECT_EQ(0, peer_rings(NULL));
	ASSERT_EQ(0, connect_to(&self->e, "srv", PORT + 6));
	EXPECT_EQ(1, peer_rings(&b));
	EXPECT_NE(a, b) TH_LOG("verified again under the new roots");
	iotsec_config_free(self->e.cfg);
	self->e.cfg = NULL;
	EXPECT_EQ(0, peer_rings(NULL)) TH_LOG("and gone with the configuration");
}

TEST_HARNESS_MAIN
