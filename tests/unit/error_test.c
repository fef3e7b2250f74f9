// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_strerror: every code of the one error space has a text, and the
 * texts are constant strings: a later call, from this thread or another,
 * never changes one already returned.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "iotsec.h"
#include "internal.h"
#include "kselftest_harness.h"

#define SENT(a)		IOTSEC_ALERT_ERR(IOTSEC_ALERT_##a)
#define RECV(a)		IOTSEC_PEER_ALERT_ERR(IOTSEC_ALERT_##a)

TEST(texts_for_each_kind_of_code)
{
	EXPECT_STREQ("success", iotsec_strerror(0));
	EXPECT_STREQ("No such file or directory", iotsec_strerror(-ENOENT));
	EXPECT_STREQ("unknown system error", iotsec_strerror(-4000));
	EXPECT_STREQ("TLS alert sent: unknown_ca", iotsec_strerror(SENT(UNKNOWN_CA)));
	EXPECT_STREQ("TLS alert from peer: certificate_required",
		     iotsec_strerror(RECV(CERTIFICATE_REQUIRED)));
	EXPECT_STREQ("TLS alert sent: unknown alert",
		     iotsec_strerror(IOTSEC_ALERT_ERR(99)));
	EXPECT_STREQ("TLS alert from peer: unknown alert",
		     iotsec_strerror(IOTSEC_PEER_ALERT_ERR(255)));
	EXPECT_STREQ("kernel TLS is not available (load the tls module)",
		     iotsec_strerror(IOTSEC_LIB_ERR(IOTSEC_E_NO_KTLS)));
	EXPECT_NE(NULL, strstr(iotsec_strerror(IOTSEC_LIB_ERR(IOTSEC_E_PEER_CLOSED)),
			       "without close_notify"));
	EXPECT_STREQ("unknown library error", iotsec_strerror(IOTSEC_LIB_ERR(99)));
	EXPECT_STREQ("invalid error code", iotsec_strerror(1));
	EXPECT_STREQ("invalid error code", iotsec_strerror(-0x40000));
}

TEST(a_later_call_leaves_earlier_texts_alone)
{
	const char *a = iotsec_strerror(SENT(UNKNOWN_CA));
	const char *e = iotsec_strerror(-ENOENT);

	iotsec_strerror(RECV(DECRYPT_ERROR));
	iotsec_strerror(-EACCES);
	iotsec_strerror(SENT(BAD_CERTIFICATE));
	EXPECT_STREQ("TLS alert sent: unknown_ca", a);
	EXPECT_STREQ("No such file or directory", e);
}

static void *other_thread(void *arg)
{
	*(const char **)arg = iotsec_strerror(RECV(HANDSHAKE_FAILURE));
	return NULL;
}

TEST(the_same_text_in_every_thread)
{
	const char *here = iotsec_strerror(RECV(HANDSHAKE_FAILURE));
	const char *there = NULL;
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, other_thread, &there));
	ASSERT_EQ(0, pthread_join(t, NULL));
	/* Constant strings: the pointer outlives the thread that got it. */
	EXPECT_EQ(here, there);
	EXPECT_STREQ("TLS alert from peer: handshake_failure", there);
}

TEST_HARNESS_MAIN
