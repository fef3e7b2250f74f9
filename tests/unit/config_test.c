// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration setters: a file setter that fails (too many
 * certificates, no file, no certificate, bad PEM) leaves what was set
 * before in place, the time limit stays within what poll() takes, and a
 * client without a peer name refuses to start unless it was told to
 * accept any server of its roots (iotsec_config_set_any_peer).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iotsec.h"
#include "internal.h"
#include "session.h"
#include "kselftest_harness.h"

/* A PEM file of n CERTIFICATE blocks; block i holds the bytes i, i, i. */
static int write_pem(const char *path, int n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *f = fopen(path, "w");
	int i, v;

	if (!f)
		return -1;
	for (i = 0; i < n; i++) {
		v = i << 16 | i << 8 | i;
		fprintf(f, "-----BEGIN CERTIFICATE-----\n%c%c%c%c\n"
			"-----END CERTIFICATE-----\n", b64[v >> 18],
			b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]);
	}
	return fclose(f);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

FIXTURE(files)
{
	struct iotsec_config *cfg;
	char dir[32];
	char one[64], many[64], none[64], bad[64], missing[64];
};

FIXTURE_VARIANT(files)
{
	bool roots;	/* iotsec_config_set_root_ca_file, else the chain */
	int too_many;
};

FIXTURE_VARIANT_ADD(files, chain) { .too_many = MSG_CERTS_MAX + 1 };
FIXTURE_VARIANT_ADD(files, roots) { .roots = true, .too_many = PEM_MAX_BLOCKS + 1 };

FIXTURE_SETUP(files)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/config_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->one, sizeof(self->one), "%s/one.pem", self->dir);
	snprintf(self->many, sizeof(self->many), "%s/many.pem", self->dir);
	snprintf(self->none, sizeof(self->none), "%s/none.pem", self->dir);
	snprintf(self->bad, sizeof(self->bad), "%s/bad.pem", self->dir);
	snprintf(self->missing, sizeof(self->missing), "%s/missing.pem",
		 self->dir);
	ASSERT_EQ(0, write_pem(self->one, 2));
	ASSERT_EQ(0, write_pem(self->many, variant->too_many));
	ASSERT_EQ(0, write_text(self->none, "no certificate here\n"));
	ASSERT_EQ(0, write_text(self->bad, "-----BEGIN CERTIFICATE-----\n"
				"A*==\n-----END CERTIFICATE-----\n"));
	ASSERT_EQ(0, iotsec_config_new(&self->cfg));
}

FIXTURE_TEARDOWN(files)
{
	iotsec_config_free(self->cfg);
	unlink(self->one);
	unlink(self->many);
	unlink(self->none);
	unlink(self->bad);
	rmdir(self->dir);
}

static int set(struct iotsec_config *cfg, bool roots, const char *path)
{
	return roots ? iotsec_config_set_root_ca_file(cfg, path) :
		       iotsec_config_set_cert_chain_file(cfg, path);
}

/* The two certificates of one.pem, and nothing else. */
static bool still_one(const struct iotsec_config *cfg, bool roots)
{
	const struct pem_list *l = roots ? &cfg->roots : &cfg->chain;

	return l->count == 2 && l->blocks[0].len == 3 &&
	       l->blocks[0].der[0] == 0 && l->blocks[1].len == 3 &&
	       l->blocks[1].der[2] == 1;
}

TEST_F(files, too_many_certificates_leave_the_config_unchanged)
{
	ASSERT_EQ(0, set(self->cfg, variant->roots, self->one));
	ASSERT_TRUE(still_one(self->cfg, variant->roots));
	EXPECT_EQ(-E2BIG, set(self->cfg, variant->roots, self->many));
	EXPECT_TRUE(still_one(self->cfg, variant->roots));
}

TEST_F(files, unreadable_files_leave_the_config_unchanged)
{
	ASSERT_EQ(0, set(self->cfg, variant->roots, self->one));
	EXPECT_EQ(-ENOENT, set(self->cfg, variant->roots, self->missing));
	EXPECT_TRUE(still_one(self->cfg, variant->roots));
	EXPECT_EQ(-ENOENT, set(self->cfg, variant->roots, self->none));
	EXPECT_TRUE(still_one(self->cfg, variant->roots));
	EXPECT_EQ(-EBADMSG, set(self->cfg, variant->roots, self->bad));
	EXPECT_TRUE(still_one(self->cfg, variant->roots));
	EXPECT_EQ(-EISDIR, set(self->cfg, variant->roots, self->dir));
	EXPECT_TRUE(still_one(self->cfg, variant->roots));
}

TEST_F(files, a_good_file_replaces_the_last)
{
	ASSERT_EQ(0, write_pem(self->many, 1));
	ASSERT_EQ(0, set(self->cfg, variant->roots, self->one));
	ASSERT_EQ(0, set(self->cfg, variant->roots, self->many));
	EXPECT_EQ(1, variant->roots ? self->cfg->roots.count :
				      self->cfg->chain.count);
}

/* poll() takes an int of milliseconds: larger limits are refused. */
TEST(timeout_within_int_milliseconds)
{
	struct iotsec_config *cfg;

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	EXPECT_EQ(30000, cfg->timeout_ms);
	EXPECT_EQ(-EINVAL, iotsec_config_set_timeout(cfg, 0));
	EXPECT_EQ(0, iotsec_config_set_timeout(cfg, INT_MAX));
	EXPECT_EQ(INT_MAX, cfg->timeout_ms);
	EXPECT_EQ(-EINVAL, iotsec_config_set_timeout(cfg, (unsigned int)INT_MAX + 1));
	EXPECT_EQ(-EINVAL, iotsec_config_set_timeout(cfg, UINT_MAX));
	EXPECT_EQ(INT_MAX, cfg->timeout_ms);
	EXPECT_EQ(0, iotsec_config_set_timeout(cfg, 1));
	EXPECT_EQ(1, cfg->timeout_ms);
	iotsec_config_free(cfg);
}

/* No name, no explicit "any server": the client fails before sending. */
TEST(client_needs_a_peer_name_or_any_peer)
{
	char path[] = "/tmp/config_test.XXXXXX";
	struct iotsec_config *cfg;
	struct iotsec_session *s = NULL;
	uint8_t buf[16];
	int fd, sv[2];

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, write_pem(path, 1));
	ASSERT_EQ(0, iotsec_config_new(&cfg));
	ASSERT_EQ(0, iotsec_config_set_root_ca_file(cfg, path));
	ASSERT_EQ(0, iotsec_config_set_cert_chain_file(cfg, path));
	ASSERT_EQ(0, iotsec_config_set_key(cfg, 1));
	unlink(path);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

	EXPECT_EQ(IOTSEC_LIB_ERR(IOTSEC_E_CONFIG),
		  iotsec_session_connect(cfg, sv[0], &s));
	EXPECT_EQ(NULL, s);
	EXPECT_EQ(-1, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	/* A name, or the explicit call, gets past that check. */
	ASSERT_EQ(0, iotsec_config_set_peer_name(cfg, "server.test"));
	EXPECT_NE(IOTSEC_LIB_ERR(IOTSEC_E_CONFIG),
		  iotsec_session_connect(cfg, sv[0], &s));
	ASSERT_EQ(0, iotsec_config_set_peer_name(cfg, NULL));
	ASSERT_EQ(0, iotsec_config_set_any_peer(cfg, 1));
	EXPECT_NE(IOTSEC_LIB_ERR(IOTSEC_E_CONFIG),
		  iotsec_session_connect(cfg, sv[0], &s));
	ASSERT_EQ(0, iotsec_config_set_any_peer(cfg, 0));
	EXPECT_EQ(IOTSEC_LIB_ERR(IOTSEC_E_CONFIG),
		  iotsec_session_connect(cfg, sv[0], &s));
	/* A server needs no name. */
	EXPECT_NE(IOTSEC_LIB_ERR(IOTSEC_E_CONFIG),
		  iotsec_session_accept(cfg, sv[0], &s));
	close(sv[0]);
	close(sv[1]);
	iotsec_config_free(cfg);
}

TEST_HARNESS_MAIN
